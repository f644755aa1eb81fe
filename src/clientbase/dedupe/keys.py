"""Blocking: which pairs of people are worth scoring at all.

Comparing every pair is out of the question (a million customers make 5·10¹¹ pairs), so each
person gets a handful of *blocking keys* and only people sharing a key are scored. The keys, and
why each exists:

========  =================================  ==========================================
prefix    value                              catches
========  =================================  ==========================================
``x:``    client code (external id)          two records of one CRM customer
``p:``    phone in E.164                     the same number typed in any format
``p10:``  last 10 digits of a phone          one number under two country codes
``p7:``   last 7 digits                      a city number, another area code
``e:``    e-mail key (:func:`email_key`)     Ivan.Petrov+shop@gmail.com = ivanpetrov@…
``el:``   e-mail local part with digits      ivan.petrov85@mail.ru, ivan_petrov85@bk.ru
``n:``    surname (Latin form) + initial     Иванов И. / Ivanov Ivan / Иванов Ваня
``nb:``   surname + initial + day, month     initials, or no year of birth
``fb:``   first name (full form) + birthday  a surname changed, mistyped or missing
``c:``    company without legal form         ООО «Ромашка» and Romashka LLC
``a:``    address + postcode                 the same delivery address
========  =================================  ==========================================

Phones, e-mails and client codes are *strong* keys: a block of them is scored whole, unless it
is absurdly large (a call-centre number on thousands of records identifies nobody). All other
keys are *weak*: a block larger than ``max_block`` is skipped, which keeps the number of pairs
linear in the number of people. The surname + initial key is the least selective of them (every
Иванов А. of a big base) and only ever yields name-only candidates, which are proposed for review
at best, so its blocks are cut already at ``max_block / NAME_BLOCK_DIVISOR`` (10 by default):
without that cut it made nine pairs in ten on a 100,000-people list and changed no automatic
merge.

A first name counts with every full form it may stand for, so "Саша Петрова" gets the keys of
both С and А; surnames and first names are in the common Latin form of :mod:`.names`, so
Cyrillic and Latin spellings share keys.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from clientbase.dedupe.names import (
    FirstName,
    address_key,
    city_key,
    company_core,
    company_key,
    first_name,
    is_initial,
    latin,
    roots_for_gender,
)
from clientbase.dedupe.person import Person
from clientbase.normalize.emails import email_match_key
from clientbase.normalize.names import fold, looks_like_company, parse_full_name

__all__ = [
    "NAME_BLOCK_DIVISOR",
    "STRONG_BLOCK_FACTOR",
    "Features",
    "blocking_keys",
    "candidate_pairs",
    "decode_pairs",
    "email_key",
    "features",
    "key_hashes",
    "pair_codes",
    "pairs_of_features",
]

# A strong-key block (one phone, one e-mail) is scored whole up to this many times max_block.
STRONG_BLOCK_FACTOR = 20
# The surname + initial key is the least selective; its blocks are cut at max_block / this.
NAME_BLOCK_DIVISOR = 5

# Local parts that name a role or a mailbox type, not a person: equal ones prove nothing.
_GENERIC_LOCALS = frozenset(
    """
    info mail office admin sales support contact contacts hello manager zakaz order orders shop
    buh buhgalter buhgalteria reception secretary director post noreply no-reply test client
    klient market marketing hr job jobs team service mailbox email pochta
    """.split()
)
_LOCAL_STRIP_RE = re.compile(r"[._-]+")


@lru_cache(maxsize=1 << 14)
def email_key(value: str) -> str:
    """The e-mail under which two addresses reach one mailbox, for matching only.

    :func:`clientbase.normalize.emails.email_match_key` (Gmail dots dropped, googlemail.com =
    gmail.com, Yandex domains as one) plus a "+tag" dropped for every domain: a tag almost
    always marks a sign-up, not another person.
    """
    key = email_match_key(value)
    local, at, domain = key.rpartition("@")
    if at and "+" in local:
        base = local.split("+", 1)[0]
        if base:
            key = f"{base}@{domain}"
    return key


_DIGITS = frozenset("0123456789")


def email_local(key: str) -> str:
    """The person-like part of an address ("ivan.petrov" → "ivanpetrov"); "" for short,
    numeric or role addresses (info@, zakaz@), which prove nothing across domains."""
    local = key.rpartition("@")[0]
    if local in _GENERIC_LOCALS:
        return ""
    bare = _LOCAL_STRIP_RE.sub("", local)
    if len(bare) < 6 or len(bare.rstrip("0123456789").lstrip("0123456789")) < 4:
        return ""
    return bare


@lru_cache(maxsize=1 << 16)
def _part(raw: str | None) -> tuple[str, str, bool]:
    """A surname or patronymic: (common Latin form, folded as typed, is an initial)."""
    if not raw:
        return "", "", False
    return latin(raw), fold(raw).replace(".", ""), is_initial(raw)


@dataclass(slots=True)
class Features:
    """A person prepared for matching once: every form the keys and the scorer compare."""

    id: int
    kind: str
    name: str  # display name for reasons
    last: str  # surname, common Latin form ("" when unknown)
    last_fold: str  # surname folded as typed (for typos the Latin form hides)
    last_raw: str
    last_initial: bool
    first: FirstName | None
    middle: str  # patronymic / middle name, common Latin form
    middle_fold: str
    middle_raw: str
    middle_initial: bool
    gender: str | None
    by: int | None
    bm: int | None
    bd: int | None
    phones: tuple[str, ...]  # E.164, as given
    emails: tuple[str, ...]  # email_key of each, without repeats
    email_raw: tuple[str, ...]  # the address as stored, one per key
    locals: tuple[str, ...]  # person-like local parts of the e-mails
    city: str
    city_raw: str
    company: str
    company_raw: str
    address: str
    postcode: str
    external_id: str
    loose_phones: tuple[str, ...] = ()  # digits of phones that did not validate
    phone_tails: tuple[str, ...] = ()  # last 7 digits of every phone, without repeats
    address_raw: str = ""
    address_words: frozenset[str] = frozenset()
    address_numbers: tuple[str, ...] = ()  # house, building, flat numbers in order
    address_names: tuple[str, ...] = ()  # the words of four letters or more (street, city)
    company_core: str = ""  # company without legal form and branch wording
    company_words: frozenset[str] = frozenset()


# Every person without an address or a company shares this one: an empty frozenset is 216
# bytes, two of them per person were 400 MB in a base of a million.
_NO_WORDS: frozenset[str] = frozenset()


def _digits(phone: str) -> str:
    return phone[1:] if phone.startswith("+") and phone[1:].isdigit() else re.sub(r"\D", "", phone)


def phones_of(p: Person) -> tuple[str, ...]:
    return p.phones if type(p.phones) is tuple else tuple(p.phones)


def _surname_read_as_first(first: FirstName, last: str | None, middle: str | None) -> bool:
    """A full word the name tables do not know stored as the first name, with a bare initial
    as the surname (and, if any, as the patronymic): "Фамилия И.О." with the surname
    unrecognised."""
    return (
        not first.initial
        and not first.known
        and is_initial(last)
        and (not middle or is_initial(middle))
    )


def features(p: Person) -> Features:
    """Prepare one person: Latin forms of the name parts, e-mail keys, city/company keys."""
    last, first_raw, middle = p.last_name, p.first_name, p.middle_name
    gender = p.gender if p.gender in ("m", "f") else None
    if p.kind != "company" and not (last or first_raw or middle) and p.display_name:
        # A customer known only by a display name (an old import, a card edited by hand).
        if not looks_like_company(p.display_name):
            parsed = parse_full_name(p.display_name)
            last, first_raw, middle = parsed.last, parsed.first, parsed.middle
            gender = gender or parsed.gender
    first = first_name(first_raw) if first_raw else None
    if first is not None and _surname_read_as_first(first, last, middle):
        # "Сеорва А.Ю.": a surname with a typo before initials is read by the parser as a
        # first name with the surname's initial; the usual order says the word is the surname.
        last, first_raw = first_raw, last
        first = first_name(first_raw)
    if gender is None and first is not None:
        gender = first.gender
    company_raw = p.company or (p.display_name if p.kind == "company" else "") or ""
    address = address_key(p.address) if p.address else ""
    words = address.split()
    core = company_core(company_raw) if company_raw else ""
    loose = p.loose_phones
    # A tuple, not a set: a one-element frozenset is three times the size, times a million.
    tails = tuple(
        dict.fromkeys(d[-7:] for d in (*map(_digits, phones_of(p)), *loose) if len(d) >= 7)
    )
    last_l, last_f, last_i = _part(last)
    mid_l, mid_f, mid_i = _part(middle)
    # Small tuples rather than sets: a person has one or two phones, and a million frozensets
    # would cost a gigabyte.
    phones = p.phones if type(p.phones) is tuple else tuple(p.phones)
    if p.emails:
        if len(p.emails) == 1:
            ekeys, eraw = (email_key(p.emails[0]),), tuple(p.emails)
        else:
            spelled = tuple(reversed(p.emails))
            by_key = dict(zip(map(email_key, spelled), spelled, strict=True))
            ekeys, eraw = tuple(reversed(by_key)), tuple(reversed(by_key.values()))
        locals_ = tuple(x for x in map(email_local, ekeys) if x)
    else:
        ekeys = eraw = locals_ = ()
    return Features(
        p.id,
        p.kind or "person",
        p.display_name or " ".join(x for x in (last, first_raw, middle) if x),
        last_l,
        last_f,
        last or "",
        last_i,
        first,
        mid_l,
        mid_f,
        middle or "",
        mid_i,
        gender,
        p.birth_year,
        p.birth_month,
        p.birth_day,
        phones,
        ekeys,
        eraw,  # the first spelling of each key, in the order given
        locals_,
        city_key(p.city) if p.city else "",
        p.city or "",
        company_key(company_raw) if company_raw else "",
        company_raw,
        address,
        (p.postcode or "").replace(" ", ""),
        (p.external_id or "").strip(),
        loose,
        tails,
        p.address or "",
        frozenset(words) if words else _NO_WORDS,
        tuple(w for w in words if w.isdigit()),
        tuple(w for w in words if len(w) >= 4 and not w.isdigit()),
        core,
        frozenset(core.split()) if core else _NO_WORDS,
    )


@lru_cache(maxsize=1 << 16)
def _skeleton(word: str, size: int = 4) -> str:
    """A rough sound key of a name in the common Latin form: the first letter and the next
    consonants without repeats, four at most ("smirnova" / "smirnowa" / "smyrnova" → "smrn"),
    so a mistyped vowel or a doubled letter still meets."""
    if not word:
        return ""
    out = [word[0]]
    for c in word[1:]:
        if c in "aeiouy h'":
            continue
        c = "v" if c == "w" else "k" if c in "qc" else "s" if c == "z" else c
        if c != out[-1]:
            out.append(c)
        if len(out) == size:
            break
    return "".join(out)


@lru_cache(maxsize=1 << 17)
def _name_keys(
    last: str, first_raw: str | None, gender: str | None
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(roots of the first name, their initials, the surname + initial keys) of one name: a
    big base repeats its names, so each is worked out once."""
    first = first_name(first_raw) if first_raw else None
    if first is None:
        return (), (), ()
    roots = tuple(sorted(roots_for_gender(first, gender)))
    if not last:
        return roots, (), ()
    initials = tuple(sorted({r[0] for r in roots}))
    keys = [f"n:{last}|{i}" for i in initials]
    if not first.initial:
        # A typo in the surname: its sound key with the first name; and the first and last
        # name typed the other way round.
        skel = _skeleton(last)
        keys += [f"ns:{skel}|{root}" for root in roots]
        keys.append(f"nw:{first.key}|{last[0]}")
    return roots, initials, tuple(keys)


def _keys_by_class(f: Features) -> tuple[list[str], list[str], list[str]]:
    """The keys of one person as (strong, weak, surname + initial)."""
    strong = ["p:" + ph for ph in f.phones]
    weak = []
    if f.phones:
        digits = [_digits(ph) for ph in f.phones]
        strong += ["p10:" + d[-10:] for d in digits if len(d) >= 10]
    # The last 7 digits of every number, valid or not: "234-56-78" typed without its area code
    # meets +7 495 234-56-78.
    weak += ["p7:" + t for t in f.phone_tails]
    strong += ["pl:" + d for d in f.loose_phones]
    if f.emails:
        strong += ["e:" + e for e in f.emails]
    if f.external_id:
        strong.append("x:" + f.external_id)
    if f.locals:
        # Only local parts with digits (ivanpetrov85): a bare "ivanpetrov" is the name again,
        # shared by every Иван Петров with a mailbox, and made a third of all pairs.
        weak += ["el:" + loc for loc in f.locals if not loc.isalpha()]
    names: list[str] = []
    if f.kind != "company":
        last = f.last if not f.last_initial and len(f.last) > 1 else ""
        first = f.first
        bday = f"{f.bm:02d}-{f.bd:02d}" if f.bm and f.bd else ""
        if first is not None or last:
            roots, initials, name_keys = _name_keys(last, first.raw if first else None, f.gender)
            names = list(name_keys)
            if bday:
                if initials:
                    weak += [f"nb:{last}|{i}|--{bday}" for i in initials]
                if first is not None and not first.initial and f.by:
                    weak += [f"fb:{root}|{f.by}-{bday}" for root in roots]
        if f.by and bday and last:
            # The whole birthday with the sound of the surname (a typo'd first name), or with
            # the first letters of both names (typos in both). A changed surname meets by the
            # first name and the birthday (``fb``). The birthday with the first name's letter
            # alone made a sixth of all candidate pairs, one in four thousand of them merged.
            weak.append(f"bs:{f.by}-{bday}|{_skeleton(last)}")
            if first is not None:
                weak.append(f"bf:{f.by}-{bday}|{first.key[:1]}{last[:1]}")
    if f.company:
        weak.append("c:" + f.company)
        if f.company_core and f.company_core != f.company:
            weak.append("c:" + f.company_core)
    if f.address:
        weak.append(f"a:{f.address}|{f.postcode}")
        # Without the postcode and word order: "Ленина улица 5" and "ул. Ленина, д. 5"; and the
        # street with the house number, whatever else the address says (a city, an office).
        weak.append("aw:" + " ".join(sorted(f.address_words)))
        if f.address_numbers:
            house = f.address_numbers[0]
            weak += [f"ah:{_skeleton(w, 6)}|{house}" for w in f.address_names[:3]]
    if f.company_core:
        # The first word of a company's name: "Ромашка, филиал" and "ООО «Ромашка» (Ленина)";
        # its sound with the postcode or the city for a typo in it. A person's employer is
        # shared by colleagues: for people only the second, with the surname's first two
        # letters (without them it made a fifth of all pairs of a list of people, or, in a
        # bigger base, blocks too big to use).
        brand = f.company_core.split()[0]
        who = "" if f.kind == "company" else f"|{f.last[:2]}"
        if not who:
            weak.append("cb:" + brand)
        if f.postcode or f.city:
            weak.append(f"cs:{_skeleton(brand, 6)}|{f.postcode or f.city}{who}")
    return strong, weak, names


def _keys(f: Features) -> list[str]:
    strong, weak, names = _keys_by_class(f)
    return strong + weak + names


def blocking_keys(p: Person) -> list[str]:
    """The blocking keys of one person, e.g. ``["p:+79161234567", "p10:9161234567",
    "p7:1234567", "e:ivanov@gmail.com", "n:ivanov|i", "nb:ivanov|i|--03-02"]``."""
    return _keys(features(p))


Progress = Callable[[str, int, int], None]


def candidate_pairs(
    people: Sequence[Person],
    *,
    only_ids: set[int] | None = None,
    max_block: int = 50,
) -> Iterator[tuple[int, int]]:
    """Pairs (i, j), i < j, of indexes into ``people`` that share a blocking key, each once.

    Weak-key blocks (names, company, address, last 7 digits, e-mail local part) larger than
    ``max_block`` are skipped; strong-key blocks (phone, e-mail, client code) only beyond
    ``STRONG_BLOCK_FACTOR * max_block``. With ``only_ids`` only pairs with at least one side
    in it are given (matching a new import against the base).
    """
    feats = [features(p) for p in people]
    return pairs_of_features(feats, only_ids=only_ids, max_block=max_block)


def pairs_of_features(
    feats: Sequence[Features],
    *,
    only_ids: set[int] | None = None,
    max_block: int = 50,
    progress: Progress | None = None,
) -> Iterator[tuple[int, int]]:
    """:func:`candidate_pairs` over prepared people, in ascending (i, j) order."""
    codes = pair_codes(feats, only_ids=only_ids, max_block=max_block, progress=progress)
    return decode_pairs(codes, len(feats))


def pair_codes(
    feats: Sequence[Features],
    *,
    only_ids: set[int] | None = None,
    max_block: int = 50,
    progress: Progress | None = None,
):
    """The candidate pairs as a sorted numpy array of codes ``i * len(feats) + j``.

    Keys are hashed to 64-bit integers and grouped with one numpy sort, so a million people
    (about ten million keys) need a few hundred megabytes instead of a dict of strings. A hash
    collision only adds a pair to score, never loses one.
    """
    import numpy as np  # keys are also read one person at a time (card, import) without numpy

    n = len(feats)
    if n < 2:
        return np.zeros(0, dtype=np.int64)
    caps_by_class = (
        STRONG_BLOCK_FACTOR * max_block,
        max_block,
        max(2, max_block // NAME_BLOCK_DIVISOR),
    )
    # The keys' hashes in one typed array (ten million keys as Python ints in lists would take
    # ~400 MB), and per person how many keys of each class (strong, weak, surname + initial)
    # they have: the owner and the class of every key follow from these counts.
    parts = []
    counts = array("i")
    step = max(1, n // 20)
    chunk: list[str] = []
    for i, f in enumerate(feats):
        strong, weak, names = _keys_by_class(f)
        chunk += strong
        chunk += weak
        chunk += names
        counts.extend((len(strong), len(weak), len(names)))
        if len(chunk) >= 1 << 16:
            parts.append(key_hashes(chunk))
            chunk = []
        if progress is not None and (i % step == 0 or i == n - 1):
            progress("keys", i + 1, n)
    if chunk:
        parts.append(key_hashes(chunk))
    del chunk
    if not parts:
        return np.zeros(0, dtype=np.int64)
    # One 64-bit word per key, sorted in place: the key's hash in the high bits, then its class
    # (two bits) and its owner (as many bits as the number of people needs). The sort groups
    # the blocks with their owners in index order, with no index array and no gathers of
    # three arrays (at a million people a third less memory, and faster). The hash keeps
    # 62 bits less the owner's (42 at a million people): two keys meet by chance about once
    # in ten million keys, which only adds pairs to score.
    obits = max(1, (n - 1).bit_length())
    shift = np.uint64(obits + 2)
    per = np.frombuffer(counts, dtype=np.int32)
    word = np.concatenate(parts) if len(parts) > 1 else parts[0]
    del parts
    word >>= shift
    word <<= shift
    part = np.repeat(np.tile(np.arange(3, dtype=np.uint64), n), per)
    part <<= np.uint64(obits)
    word |= part
    part = np.repeat(np.arange(n, dtype=np.uint64), per.reshape(n, 3).sum(axis=1))
    word |= part
    del part, per, counts
    word.sort()
    # A person's repeated key (two phones with the same last 7 digits) counts once.
    keep = np.ones(len(word), dtype=np.bool_)
    keep[1:] = word[1:] != word[:-1]
    word = word[keep]
    del keep
    block = word >> shift
    starts = np.flatnonzero(np.concatenate(([True], block[1:] != block[:-1])))
    sizes = np.diff(np.concatenate((starts, [len(word)])))
    del block
    cap = np.array(caps_by_class, dtype=np.int32)[((word >> np.uint64(obits)) & np.uint64(3))]
    own = (word & np.uint64((1 << obits) - 1)).astype(np.int32)
    del word
    # The prefix is part of the hashed string, so two kinds of key share a block only by a hash
    # collision; the block then gets the smaller limit, the safer reading.
    limit = np.minimum.reduceat(cap, starts)
    usable = (sizes >= 2) & (sizes <= limit)
    mark = None
    if only_ids is not None:
        ids = np.fromiter((f.id for f in feats), dtype=np.int64, count=n)
        mark = np.isin(ids, np.fromiter(only_ids, dtype=np.int64, count=len(only_ids)))
        # Only blocks with a new person in them can give a wanted pair.
        usable &= np.logical_or.reduceat(mark[own], starts)
    starts, sizes = starts[usable], sizes[usable]
    del cap, limit, usable

    # Blocks of the same size in one vectorised step each (most blocks hold two people).
    a_parts = []
    b_parts = []
    for size in np.unique(sizes).tolist():
        first = starts[sizes == size]
        ii, jj = np.triu_indices(size, k=1)
        a_parts.append(own[(first[:, None] + ii).ravel()])
        b_parts.append(own[(first[:, None] + jj).ravel()])
    if not a_parts:
        return np.zeros(0, dtype=np.int64)
    a = np.concatenate(a_parts).astype(np.int64)
    b = np.concatenate(b_parts).astype(np.int64)
    del own, a_parts, b_parts
    if mark is not None:
        sel = mark[a] | mark[b]
        a, b = a[sel], b[sel]
    # Members are in index order inside a block, so a < b but where two classes of key met by a
    # hash collision: put those right, and drop a person paired with themselves.
    a, b = np.minimum(a, b), np.maximum(a, b)
    ok = a != b
    return _sorted_unique(a[ok] * n + b[ok])


def _sorted_unique(x):
    """``np.unique(x)`` of an integer array by a sort in place: numpy 2's own unique of a
    plain array hashes every value first, twenty times slower for millions of pair codes."""
    import numpy as np  # as in pair_codes: only for whole lists of keys

    x.sort()
    if len(x) < 2:
        return x
    keep = np.empty(len(x), dtype=np.bool_)
    keep[0] = True
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


# key_hashes: a polynomial hash of the UTF-8 bytes modulo 2**64 with an odd multiplier (so its
# powers can be undone), then the splitmix64 finaliser to spread it over all the bits.
_HASH_P = 0x100000001B3
_HASH_P_INV = pow(_HASH_P, -1, 1 << 64)
_powers: list = []  # [P**i, P**-i] for i < the longest chunk seen, modulo 2**64


def _hash_powers(size: int):
    import numpy as np  # as in pair_codes: only for whole lists of keys

    if not _powers or len(_powers[0]) < size:
        size = max(size, 2 * len(_powers[0]) if _powers else 1 << 20)
        out = []
        with np.errstate(over="ignore"):
            for base in (_HASH_P, _HASH_P_INV):
                a = np.full(size, base, dtype=np.uint64)
                a[0] = 1
                np.cumprod(a, out=a)
                out.append(a)
        _powers[:] = out
    return _powers


def key_hashes(keys: list[str]):
    """A 64-bit hash of every key (a numpy uint64 array), the same in every run.

    Python's own ``hash`` of a string changes with ``PYTHONHASHSEED``, so two runs over the same
    base would meet a different (rare) hash collision, and find different pairs. This one is
    computed over all the keys at once: one encoding of the joined keys, the byte values times
    powers of a constant, summed per key (about 0.1 µs a key).
    """
    import numpy as np  # as in pair_codes: only for whole lists of keys

    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    data = "\0".join(keys).encode("utf-8", "surrogatepass")
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == 0)
    if len(ends) != n - 1:  # a key with a NUL in it: not one our keys make, but still a key
        return key_hashes([k.replace("\0", " ") for k in keys])
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends + 1
    pw, inv = _hash_powers(len(buf))
    with np.errstate(over="ignore"):
        x = buf.astype(np.uint64)
        x *= pw[: len(buf)]
        h = np.add.reduceat(x, starts)
        h *= inv[starts]
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h


def decode_pairs(codes, n: int) -> Iterator[tuple[int, int]]:
    """(i, j) pairs back from :func:`pair_codes`, in chunks to keep memory flat."""
    step = 1 << 16
    for s in range(0, len(codes), step):
        part = codes[s : s + step]
        yield from zip((part // n).tolist(), (part % n).tolist(), strict=True)
