"""Name comparison: one Latin form for every script, diminutives, initials, typos.

The one home of the rule for who may be one person by name: dedupe compares with it, and the
import asks :func:`clientbase.normalize.names.first_names_compatible`, which reads it.

Transliteration libraries disagree (Щукина is Shchukina, Schukina, Ščukina or Shukina depending
on who typed it), so names are never compared as typed. Every part is brought to the coarse
common Latin form of :func:`clientbase.normalize.names.fold_latin` ("shch", "sch", "š" → "sh";
"ks" = "x"; "y"/"j" → "i", so "-iy", "-yi", "-y" endings meet; doubled letters collapse; ё → е)
and compared there: exactly first, then by edit distance for typos.

First names also go through a table of diminutives and international spellings: the table of
:mod:`clientbase.normalize.name_data`, extended below with the colloquial forms of the most
common Russian names and more English nicknames. Each name maps to a set of *roots* (full forms
in the Latin form); two first names can be one person's when their roots intersect.

The verdicts are deliberately few and readable (same, variant, initial, typo, different), so
the scorer can turn each into one line of evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, JaroWinkler

from clientbase.normalize.match_keys import address_key, city_key, company_core, company_key
from clientbase.normalize.name_data import DIMINUTIVES, FIRST_NAMES, LATIN_EQUIVALENTS
from clientbase.normalize.name_fold import fold, fold_latin, transliterate

__all__ = [
    "DIFFERENT",
    "EXTRA_DIMINUTIVES",
    "INITIAL",
    "SAME",
    "TYPO",
    "VARIANT",
    "FirstName",
    "address_key",
    "city_key",
    "company_core",
    "company_key",
    "compare_first",
    "compare_part",
    "first_name",
    "is_initial",
    "is_typo",
    "latin",
    "roots_for_gender",
    "surname_forms",
    "typo_as_typed",
]

# --- verdicts ---------------------------------------------------------------------------------

SAME = "same"  # equal in the common Latin form
VARIANT = "variant"  # diminutive or international spelling of one full name
INITIAL = "initial"  # one side is an initial that fits the other
TYPO = "typo"  # one or two letters apart
DIFFERENT = "different"

_CYR_RE = re.compile("[\u0400-\u04ff]")

# --- diminutives not in normalize.name_data ---------------------------------------------------

# Colloquial forms of the most common Russian first names and more English nicknames, in the
# same shape as name_data.DIMINUTIVES (folded form -> full forms). Together with that table
# every one of the ~60 most common Russian male and female names has its everyday forms.
EXTRA_DIMINUTIVES: dict[str, tuple[str, ...]] = {
    # Russian, male
    "дениска": ("денис",),
    "егорка": ("егор",),
    "егорушка": ("егор",),
    "матвейка": ("матвей",),
    "мотя": ("матвей",),
    "никитка": ("никита",),
    "никитос": ("никита",),
    "олежка": ("олег",),
    "олежек": ("олег",),
    "русик": ("руслан",),
    "руся": ("руслан",),
    "аркаша": ("аркадий",),
    "веня": ("вениамин",),
    "филя": ("филипп",),
    "яша": ("яков",),
    "богдаша": ("богдан",),
    "родя": ("родион",),
    "сава": ("савелий", "савва"),
    "гера": ("герман", "георгий"),
    "алик": ("альберт", "александр", "алексей"),
    "ромка": ("роман",),
    "вовка": ("владимир",),
    "вовчик": ("владимир",),
    "димка": ("дмитрий",),
    "сережка": ("сергей",),
    "серж": ("сергей",),
    "санька": ("александр", "александра"),
    "сашка": ("александр", "александра"),
    "сашенька": ("александр", "александра"),
    "лешка": ("алексей",),
    "алеха": ("алексей",),
    "мишка": ("михаил",),
    "миха": ("михаил",),
    "колька": ("николай",),
    "петька": ("петр",),
    "пашка": ("павел",),
    "ванька": ("иван",),
    "ванечка": ("иван",),
    "костик": ("константин",),
    "игорек": ("игорь",),
    "игореша": ("игорь",),
    "витек": ("виктор",),
    "виталя": ("виталий",),
    "жека": ("евгений", "евгения"),
    "женечка": ("евгений", "евгения"),
    "андрюха": ("андрей",),
    "антоха": ("антон",),
    "тоша": ("антон",),
    "кирюха": ("кирилл",),
    "киря": ("кирилл",),
    "максик": ("максим",),
    "илюха": ("илья",),
    "федька": ("федор",),
    "юрик": ("юрий",),
    "тёма": ("артем", "артемий"),
    "артемка": ("артем",),
    "глебка": ("глеб",),
    "стасик": ("станислав",),
    "вадя": ("вадим",),
    "гриня": ("григорий",),
    "степашка": ("степан",),
    "тимоша": ("тимофей",),
    "тимофейка": ("тимофей",),
    "семка": ("семен",),
    "ярик": ("ярослав",),
    "эдя": ("эдуард",),
    # Russian, female
    "аля": ("алина", "александра", "алевтина"),
    "алинка": ("алина",),
    "лера": ("валерия",),
    "лерочка": ("валерия",),
    "кристя": ("кристина",),
    "ксана": ("оксана",),
    "леся": ("олеся",),
    "олеська": ("олеся",),
    "аленка": ("алена",),
    "ната": ("наталья", "наталия"),
    "наташка": ("наталья", "наталия"),
    "натаха": ("наталья", "наталия"),
    "машка": ("мария",),
    "машенька": ("мария",),
    "муся": ("мария",),
    "танька": ("татьяна",),
    "танечка": ("татьяна",),
    "ленка": ("елена",),
    "леночка": ("елена",),
    "светка": ("светлана",),
    "светик": ("светлана",),
    "лана": ("светлана",),
    "ирка": ("ирина",),
    "иринка": ("ирина",),
    "олька": ("ольга",),
    "олечка": ("ольга",),
    "леля": ("ольга", "елена"),
    "анька": ("анна",),
    "анечка": ("анна",),
    "катька": ("екатерина",),
    "катенька": ("екатерина",),
    "юлька": ("юлия",),
    "юленька": ("юлия",),
    "дашка": ("дарья",),
    "дашенька": ("дарья",),
    "настена": ("анастасия",),
    "настюша": ("анастасия",),
    "ксюха": ("ксения",),
    "ксеня": ("ксения",),
    "викуля": ("виктория",),
    "галочка": ("галина",),
    "нинок": ("нина",),
    "ниночка": ("нина",),
    "надюша": ("надежда",),
    "любаша": ("любовь",),
    "людочка": ("людмила",),
    "полинка": ("полина",),
    "лизонька": ("елизавета",),
    "лизавета": ("елизавета",),
    "ритка": ("маргарита",),
    "марго": ("маргарита",),
    "томочка": ("тамара",),
    "каринка": ("карина",),
    "кирочка": ("кира",),
    "янка": ("яна",),
    "ульяша": ("ульяна",),
    "зоенька": ("зоя",),
    "верка": ("вера",),
    "жанночка": ("жанна",),
    "эля": ("эльвира", "элеонора", "элина"),
    "вета": ("виолетта", "елизавета"),
    "милка": ("людмила", "милана"),
    "диа": ("диана",),
    "соня": ("софья", "софия"),
    "сонечка": ("софья", "софия"),
    # English
    "al": ("albert", "alan", "alfred"),
    "annie": ("ann", "anne"),
    "sally": ("sarah",),
    "jackie": ("jacqueline",),
    "maddie": ("madison",),
    "millie": ("amelia",),
    "nell": ("helen", "eleanor"),
    "nellie": ("helen", "eleanor"),
    "ellie": ("eleanor", "elizabeth", "ella"),
    "rosie": ("rose",),
    "steph": ("stephanie",),
    "terry": ("terence", "teresa", "theresa"),
    "tess": ("teresa", "theresa"),
    "theo": ("theodore",),
    "val": ("valerie",),
    "walt": ("walter",),
    "ray": ("raymond",),
    "russ": ("russell",),
    "stu": ("stuart",),
    "doug": ("douglas",),
    "don": ("donald",),
    "donnie": ("donald",),
    "gerry": ("gerald",),
    "jerry": ("gerald", "jeremy"),
    "hank": ("henry",),
    "hal": ("henry", "harold"),
    "jon": ("jonathan", "john"),
    "jack": ("john",),
    "ollie": ("oliver",),
    "chuck": ("charles",),
    "cindy": ("cynthia",),
    "dot": ("dorothy",),
    "dottie": ("dorothy",),
    "gabe": ("gabriel",),
    "izzy": ("isabella",),
    "jake": ("jacob",),
    "jamie": ("james",),
    "kenny": ("kenneth",),
    "lou": ("louis",),
    "marty": ("martin",),
    "nat": ("nathan", "nathaniel", "natalie"),
    "nicky": ("nicholas", "nicole"),
    "nikki": ("nicole",),
    "pam": ("pamela",),
    "patty": ("patricia",),
    "trish": ("patricia",),
    "ronnie": ("ronald",),
    "sammy": ("samuel", "samantha"),
    "vince": ("vincent",),
    "willie": ("william",),
    "liam": ("william",),
    "becca": ("rebecca",),
    "barb": ("barbara",),
    "barbie": ("barbara",),
    "bev": ("beverly",),
    "di": ("diane",),
    "fran": ("frances",),
    "frankie": ("frank", "frances"),
    "kris": ("christopher", "kristina"),
    "lynn": ("linda",),
    "mel": ("melissa",),
    "stevie": ("steven", "stephen"),
    "tommie": ("thomas",),
    "toby": ("tobias",),
    "vicki": ("victoria",),
    "zack": ("zachary",),
    "xander": ("alexander",),
    "lexi": ("alexandra",),
    "allie": ("alison", "alice"),
    "chrissy": ("christina", "christine"),
    "cathie": ("catherine",),
    "kat": ("katherine", "catherine"),
    "kit": ("christopher", "katherine"),
    "jenn": ("jennifer",),
    "jeannie": ("jean",),
    "joanie": ("joan",),
    "meggie": ("margaret",),
    "marge": ("margaret",),
    "madge": ("margaret",),
    "greta": ("margaret",),
    "lisa": ("elizabeth",),
    "libby": ("elizabeth",),
    "bess": ("elizabeth",),
    "bessie": ("elizabeth",),
    "suzy": ("susan",),
    "gwen": ("gwendolyn",),
    "angie": ("angela",),
    "manny": ("emmanuel",),
    "bert": ("albert", "robert", "herbert"),
    "bobbie": ("roberta", "robert"),
    "robin": ("robert", "roberta"),
    "dickie": ("richard",),
    "rich": ("richard",),
    "richie": ("richard",),
    "timmy": ("timothy",),
    "benny": ("benjamin",),
    "benji": ("benjamin",),
    "sid": ("sidney",),
    "herb": ("herbert",),
    "freddie": ("frederick",),
    "fritz": ("frederick",),
    "gil": ("gilbert",),
    "leo": ("leonard",),
    "len": ("leonard",),
    "lenny": ("leonard",),
    "mitch": ("mitchell",),
    "ned": ("edward",),
    "ted": ("edward", "theodore"),
    "will": ("william",),
}

# --- the common Latin form --------------------------------------------------------------------


# Male and female forms of one Russian surname, in the common Latin form: Иванов / Иванова,
# Ильин / Ильина, Островский / Островская, Толстой / Толстая, Белый / Белая and Горький /
# Горькая (-ый and -ий both read "i").
_SURNAME_FORMS = (("ov", "ova"), ("ev", "eva"), ("in", "ina"), ("ski", "skaia"), ("cki", "ckaia"),
                  ("oi", "aia"), ("ii", "aia"), ("i", "aia"))  # fmt: skip


def surname_forms(a: str, b: str) -> bool:
    """The male and female forms of one surname (in the common Latin form, see ``latin``)."""
    for m, f in _SURNAME_FORMS:
        if a.endswith(m) and b.endswith(f) and a[: -len(m)] == b[: -len(f)] and len(a) > len(m):
            return True
        if b.endswith(m) and a.endswith(f) and b[: -len(m)] == a[: -len(f)] and len(b) > len(m):
            return True
    return False


def latin(s: str | None) -> str:
    """The common Latin form of a name part ("Щукина" / "Shchukina" / "Ščukina" → "shukina").

    Apostrophes, hyphens and dots go; the result is lower-case ASCII letters and spaces. Empty
    for None.
    """
    if not s:
        return ""
    return fold_latin(s.replace(".", " ")).strip()


def is_typo(a: str, b: str) -> bool:
    """Two spellings one typo apart: one edit (or swap of neighbours) for names up to seven
    letters, two for longer ones. Short names need care: one letter is the whole difference
    between Ян and Яна, so a three-letter form is a typo only of a four-letter one (Ивн, Иван),
    and nothing shorter is."""
    la, lb = len(a), len(b)
    if min(la, lb) < 3 or max(la, lb) < 4:
        return False
    allowed = 1 if max(la, lb) <= 7 else 2
    if abs(la - lb) > allowed:
        return False
    return OSA.distance(a, b, score_cutoff=allowed) <= allowed


def typo_as_typed(a: str, b: str) -> bool:
    """A typo seen in the spelling as typed: the common Latin form can hide one, as when
    "Крлыов" for "Крылов" reads "krlev" after its ё-rule (io + consonant → e). ``a`` and ``b``
    are folded (:func:`clientbase.normalize.names.fold`); compared in Cyrillic when both are,
    otherwise in a plain transliteration ("demiova" ~ "демидова")."""
    if a == b:
        return False
    if bool(_CYR_RE.search(a)) != bool(_CYR_RE.search(b)):
        a, b = transliterate(a), transliterate(b)
    return is_typo(a, b)


# --- first-name roots -------------------------------------------------------------------------


def _build_tables() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """roots: Latin form of a known first name or diminutive -> Latin forms of the full names
    it stands for (itself included); gender: Latin form -> "m", "f" or "" (unsure)."""
    gender: dict[str, str] = {}
    for name, g in FIRST_NAMES.items():
        k = fold_latin(name)
        gender[k] = g if gender.get(k, g) == g else ""
    equiv: dict[str, set[str]] = {}
    for intl, natives in LATIN_EQUIVALENTS.items():
        ki = fold_latin(intl)
        for n in natives:
            kn = fold_latin(n)
            equiv.setdefault(ki, set()).add(kn)
            equiv.setdefault(kn, set()).add(ki)
    roots: dict[str, set[str]] = {k: {k} for k in gender}
    for table in (DIMINUTIVES, EXTRA_DIMINUTIVES):
        for dim, forms in table.items():
            kd = fold_latin(dim)
            roots.setdefault(kd, {kd}).update(fold_latin(f) for f in forms)
    for intl in LATIN_EQUIVALENTS:
        ki = fold_latin(intl)
        roots.setdefault(ki, {ki})
    closed: dict[str, frozenset[str]] = {}
    for k, rs in roots.items():
        full = set(rs)
        for r in rs:
            full.update(equiv.get(r, ()))
        closed[k] = frozenset(full)
    for k, rs in closed.items():
        if k not in gender:
            gs = {gender.get(r) for r in rs if r != k} - {None}
            gender[k] = gs.pop() if len(gs) == 1 else ""
    return closed, gender


_ROOTS, _GENDER = _build_tables()
# Known first names and diminutives as typed in Cyrillic (folded).
_CYR_KNOWN = frozenset(
    k for table in (FIRST_NAMES, DIMINUTIVES, EXTRA_DIMINUTIVES) for k in table if _CYR_RE.search(k)
)


@dataclass(frozen=True, slots=True)
class FirstName:
    """What dedupe knows about one first name (or any other name part)."""

    raw: str  # as stored, for reasons
    key: str  # common Latin form
    fold: str  # folded as typed, for typos the Latin form hides
    initial: bool  # a bare initial ("И.", "J")
    known: bool  # in the name tables (a full name or a known diminutive)
    roots: frozenset[str]  # Latin forms of the full names it may stand for, itself included
    gender: str | None  # "m"/"f" from the table, None when unknown or unisex


# Latin digraphs that stand for one Cyrillic letter, so "Sh." or "Yu." is an initial too.
_DIGRAPH_INITIALS = frozenset("sh ch zh kh ts yu ya ye yo".split())


def _is_initial(raw: str) -> bool:
    bare = raw.replace(".", "").replace(" ", "")
    if len(bare) == 1:
        return True
    return len(bare) == 2 and raw.endswith(".") and bare.lower() in _DIGRAPH_INITIALS


@lru_cache(maxsize=1 << 15)
def first_name(raw: str | None) -> FirstName | None:
    """The :class:`FirstName` of a stored first name; None when empty."""
    if not raw or not raw.strip():
        return None
    key = latin(raw)
    if not key:
        return None
    folded = fold(raw).replace(".", "")
    if _is_initial(raw):
        return FirstName(raw, key, folded, True, False, frozenset((key,)), None)
    roots = _ROOTS.get(key)
    if roots is not None and _CYR_RE.search(raw) and fold(raw) not in _CYR_KNOWN:
        # A Cyrillic spelling the tables do not have, whose Latin form happens to be a known
        # name's ("Алиа", a typo of Алиса, reads "alia" like Аля): unknown, so a typo can
        # still be recognised.
        roots = None
    if roots is None and " " in key:
        # A double first name ("Анна Мария"): the roots of its halves.
        parts = [_ROOTS.get(p) for p in key.split()]
        if all(p is not None for p in parts):
            roots = frozenset().union(*parts)  # type: ignore[arg-type]
    if roots is None:
        return FirstName(raw, key, folded, False, False, frozenset((key,)), None)
    return FirstName(raw, key, folded, False, True, roots | {key}, _GENDER.get(key) or None)


def roots_for_gender(fn: FirstName, gender: str | None) -> frozenset[str]:
    """The roots of a first name that fit a known gender (Саша of a woman: Александра)."""
    if gender not in ("m", "f") or len(fn.roots) == 1:
        return fn.roots
    kept = frozenset(r for r in fn.roots if r == fn.key or _GENDER.get(r, "") in ("", gender))
    return kept or fn.roots


def compare_first(a: FirstName, b: FirstName) -> str:
    """SAME, VARIANT (Саша ~ Александр, Bill ~ William), INITIAL (И. ~ Иван), TYPO, DIFFERENT."""
    if a.key == b.key:
        return SAME
    if a.initial or b.initial:
        init, other = (a, b) if a.initial else (b, a)
        if other.initial:
            return DIFFERENT
        if other.key.startswith(init.key) or any(r.startswith(init.key) for r in other.roots):
            return INITIAL
        return DIFFERENT
    if not a.roots.isdisjoint(b.roots):
        return VARIANT
    if a.known and b.known:
        # Two names from the tables that share no full form are two names (Мария, Марина),
        # however close their spelling.
        return DIFFERENT
    if is_typo(a.key, b.key) or typo_as_typed(a.fold, b.fold):
        return TYPO
    # A typo in a diminutive ("Сашаа"): compare the unknown one with the other's roots.
    known = a if a.known else b if b.known else None
    if known is not None:
        unknown = b if known is a else a
        if any(is_typo(unknown.key, r) for r in known.roots):
            return TYPO
    return DIFFERENT


def compare_part(a: str, b: str, a_initial: bool = False, b_initial: bool = False) -> str:
    """Surnames and patronymics in the common Latin form: SAME, INITIAL, TYPO or DIFFERENT.

    ``a_initial``/``b_initial`` say a side is a bare initial ("Ю." is "iu" in the Latin form,
    two letters). A double-barrelled name fits either of its halves ("Петрова-Сидорова" ~
    "Петрова"), which is reported as SAME.
    """
    if a == b:
        return SAME
    if a_initial or b_initial:
        if a_initial and b_initial:
            return DIFFERENT
        init, full = (a, b) if a_initial else (b, a)
        return INITIAL if full.startswith(init) else DIFFERENT
    if a.count(" ") != b.count(" "):
        short, long_ = (a, b) if a.count(" ") < b.count(" ") else (b, a)
        if short in long_.split():
            return SAME
    return TYPO if is_typo(a, b) else DIFFERENT


def is_initial(raw: str | None) -> bool:
    """A stored name part that is a bare initial: "И.", "J", "Sh."."""
    return bool(raw) and _is_initial(raw)  # type: ignore[arg-type]


# Two organisation names this alike are one name written two ways ("РомашкаПром 21" and
# "РомашкаПром21", "ИСТОКРУПП" and "ИстокГрупп").
_JW_ORG = 0.90


def _org_words_fit(a: str, b: str) -> bool:
    if a == b:
        return not a.isdigit() or len(a) >= 3  # "1", "21": a branch number, not a name
    if min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)):
        return True  # "deli" and "delicatessen"
    return is_typo(a, b)


@lru_cache(maxsize=1 << 14)
def company_names_differ(a: str | None, b: str | None) -> bool:
    """Two organisation names with nothing in common: two businesses, not one written two
    ways. After legal forms and branch wording are dropped (:func:`company_core`) no word of
    one fits a word of the other (the same, a shortening, a typo) and the names as a whole are
    not alike. "circus circus" and "steak house" at one hotel's number differ; "arts deli" and
    "arts delicatessen", "ООО «ЛидерЛаб СПб»" and "ЛидерЛаб ПСб", "ИСТОКРУПП" and "ИстокГрупп"
    do not."""
    ca, cb = company_core(a), company_core(b)
    if not ca or not cb:
        return False
    wa, wb = ca.split(), cb.split()
    if any(_org_words_fit(x, y) for x in wa for y in wb):
        return False
    ja, jb = "".join(wa), "".join(wb)
    return not (is_typo(ja, jb) or JaroWinkler.similarity(ja, jb) >= _JW_ORG)
