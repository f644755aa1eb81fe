"""The filter language: what a shop owner types after ``--where`` and a saved segment stores.

    orders >= 3 and days_since_last_order > 60 and city = 'Казань'
    has_email and not tags contains 'опт'
    last_order < 30d or (abc = 'A' and lifecycle in ('sleeping', 'lost'))
    город = «Казань» и заказы >= 3

Why a small parser of our own and not ``eval`` or Python's ``ast``: ``=``, ``contains``, ``30d`` and
``«…»`` are not Python, and our own tokenizer knows where every token starts, so an error can say
"at position 17". Nothing in the text is ever executed or evaluated: the parser builds a tree of
plain dataclasses, field names are looked up in ``FIELDS`` (the text never names a column), and
every value becomes a bound parameter of the SQLAlchemy expression ``filter_sql.to_sql``
returns. No user text reaches the SQL string.

Grammar (keywords in any case; Russian и / или / не / в / содержит work too)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | primary
    primary    := "(" expr ")" | FIELD | FIELD op value | FIELD ["not"] "in" list
                | FIELD ["not"] "contains" value | FIELD "is" ["not"] "null"
    op         := = == != <> < <= > >= ≠ ≤ ≥
    list       := "(" value ("," value)* ")"   (or square brackets)
    value      := 'text' | "text" | «text» | number | number% | 30d 2w 6m 1y | 2025-01-31
                | 31.01.2025 | true | false | null

One comparison at a time: ``1 < orders < 5`` is refused (write ``orders > 1 and orders < 5``);
``not`` binds tighter than ``and``, which binds tighter than ``or``.

Meaning
    Text is compared without regard to case (``city = 'казань'`` finds Казань); ``contains`` is
    a substring test on text and a "has this element" test on ``tags`` and ``categories``.
    ``!=``, ``not in`` and ``not contains`` also match an empty value (a customer without a city
    is "not in Moscow"); every other comparison with an empty value is false, and ``field = null``
    / ``field != null`` ask for the empty value itself. So ``not`` is plain logic: ``not x`` is
    exactly the customers ``x`` leaves out.

    Dates are compared by calendar day: ``last_order < '2025-01-01'`` is before that day,
    ``last_order = 2025-01-01`` is on it. A relative date is an age, counted back from today:
    ``last_order < 30d`` = the last order was less than 30 days ago, ``created > 1y`` = added
    more than a year ago (months and years are calendar ones: 6m before 31 August is 28/29
    February). The ``days_since_…`` fields take days or the same units: ``days_since_last_order
    > 2m``. ``50%`` is 0.5 (for ``discount_share``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

from clientbase.errors import UsageError
from clientbase.i18n import N_, _
from clientbase.normalize.dates import parse_date
from clientbase.segments.fields import LOOKUP, OPERATORS, TYPES, Field, example
from clientbase.segments.tree import NULL, And, Compare, Duration, Node, Not, Or

MAX_LENGTH = 2000  # characters of an expression
MAX_TEXT = 500  # characters of one quoted value
MAX_DIGITS = 15  # beyond a float's exact integers: a typo, or an attempt to overflow something
MAX_DEPTH = 40  # nested parentheses / not
MAX_LIST = 1000  # values in one in-list
MAX_TERMS = 200  # comparisons in one expression

# --- errors -------------------------------------------------------------------------------------


class FilterError(UsageError):
    """A bad expression: says where (``position``, 1-based) and what, quoting the expression."""

    def __init__(self, text: str, pos: int, what: str, *, hint: str | None = None):
        self.expression = text
        self.position = pos + 1
        self.what = what
        shown = text if len(text) <= 200 else text[:200] + "…"
        shown = shown.replace("\x00", "\\x00")  # keep the one-line message printable
        super().__init__(
            _('filter "{shown}", at position {pos}: {what}').format(
                shown=shown, pos=pos + 1, what=what
            ),
            hint=hint,
        )

    @property
    def caret(self) -> str:
        """The expression with a ``^`` under the place (two lines, for a terminal or a log)."""
        return f"{self.expression}\n{' ' * (self.position - 1)}^"


# --- tokens -------------------------------------------------------------------------------------

_KEYWORDS = {
    "and": "and", "и": "and", "or": "or", "или": "or", "not": "not", "не": "not",
    "in": "in", "в": "in", "contains": "contains", "содержит": "contains", "is": "is",
    "true": True, "yes": True, "да": True, "false": False, "no": False, "нет": False,
    "null": NULL, "none": NULL, "пусто": NULL,
}  # fmt: skip
_OPS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "≠": "!=", "<": "<", "<=": "<=",
        "≤": "<=", ">": ">", ">=": ">=", "≥": ">="}  # fmt: skip
_UNITS = {
    **dict.fromkeys(("d", "day", "days", "д", "дн", "день", "дня", "дней"), "d"),
    **dict.fromkeys(("w", "week", "weeks", "н", "нед"), "w"),
    **dict.fromkeys(("m", "mo", "month", "months", "м", "мес"), "m"),
    **dict.fromkeys(("y", "year", "years", "г", "год", "года", "лет"), "y"),
}
_UNIT_MAX = {"d": 100_000, "w": 10_000, "m": 2_400, "y": 200}
_QUOTES = {"'": "'", '"': '"', "«": "»", "“": "”", "‘": "’", "„": "“"}

_SCAN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4})(?![\w.])
      | (?P<num>[0-9]+(?:\.[0-9]+)?)(?P<unit>[^\W\d]+|%)?
      | (?P<word>[^\W\d]\w*)
      | (?P<op>==|!=|<>|<=|>=|[=<>≠≤≥])
      | (?P<punct>[()\[\],-])""",
    re.VERBOSE,
)

_SPACED_UNIT = re.compile(r"\s+([^\W\d]+)(?!\w)")


@dataclass(frozen=True)
class _Tok:
    kind: str  # word, kw, op, punct, value, end
    value: object
    pos: int
    text: str


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _QUOTES:
            j, close, buf = i + 1, _QUOTES[ch], []
            while True:
                if j >= n:
                    raise FilterError(
                        text,
                        i,
                        _("the text started here has no closing {close}").format(close=close),
                    )
                c = text[j]
                if c == "\\" and j + 1 < n and text[j + 1] in (close, "\\"):
                    buf.append(text[j + 1])
                    j += 2
                elif c == close and j + 1 < n and text[j + 1] == close and close in "'\"":
                    buf.append(c)  # '' inside '…' is one quote, as in SQL
                    j += 2
                elif c == close:
                    break
                elif c == "\x00":
                    # SQL engines end a LIKE pattern at a NUL: 'a<NUL>b' would become '%' and
                    # match every customer. No stored value holds one, so it is an error.
                    raise FilterError(text, j, _("a NUL character inside a text value"))
                else:
                    buf.append(c)
                    j += 1
            if len(buf) > MAX_TEXT:
                raise FilterError(
                    text,
                    i,
                    _("a text value longer than {max_text} characters").format(max_text=MAX_TEXT),
                )
            out.append(_Tok("value", "".join(buf), i, text[i : j + 1]))
            i = j + 1
            continue
        m = _SCAN.match(text, i)
        if m is None:
            raise FilterError(text, i, _("unexpected character {ch!r}").format(ch=ch))
        kind = m.lastgroup
        word = m.group(0)
        if kind == "ws":
            i = m.end()
            continue
        if kind == "date":
            out.append(_Tok("value", _date_literal(text, i, m.group("date")), i, word))
        elif kind in ("num", "unit"):
            unit, end = m.group("unit"), m.end()
            if unit is None and (spaced := _SPACED_UNIT.match(text, end)):
                if spaced.group(1).casefold() in _UNITS:  # "2 years", "30 дней"
                    unit, end = spaced.group(1), spaced.end()
            word = text[i:end]
            out.append(_Tok("value", _number(text, i, m.group("num"), unit), i, word))
            i = end
            continue
        elif kind == "word":
            kw = _KEYWORDS.get(word.casefold())
            if kw is None:
                out.append(_Tok("word", word, i, word))
            elif isinstance(kw, str):
                out.append(_Tok("kw", kw, i, word))
            else:
                out.append(_Tok("value", kw, i, word))
        elif kind == "op":
            out.append(_Tok("op", _OPS[word], i, word))
        else:
            out.append(_Tok("punct", word, i, word))
        i = m.end()
    out.append(_Tok("end", None, n, ""))
    return out


def _date_literal(text: str, pos: int, word: str) -> date:
    try:
        if "-" in word:
            return date.fromisoformat(word)
        d, m, y = (int(x) for x in word.split("."))
        return date(y, m, d)
    except ValueError:
        raise FilterError(text, pos, _("{word!r} is not a date").format(word=word)) from None


def _number(text: str, pos: int, digits: str, unit: str | None):
    if len(digits.replace(".", "")) > MAX_DIGITS:
        raise FilterError(
            text, pos, _("a number longer than {max_digits} digits").format(max_digits=MAX_DIGITS)
        )
    value = float(digits) if "." in digits else int(digits)
    if unit is None:
        return value
    if unit == "%":
        return value / 100
    u = _UNITS.get(unit.casefold())
    if u is None:
        raise FilterError(
            text, pos + len(digits),
            _("unknown unit {unit!r} after {digits}: d (days), w (weeks), m (months), y (years)").format(unit=unit, digits=digits),
        )  # fmt: skip
    if isinstance(value, float):
        raise FilterError(
            text,
            pos,
            _("{digits}{unit}: a whole number of {unit}, e.g. 30d").format(
                digits=digits, unit=unit
            ),
        )
    if value > _UNIT_MAX[u]:
        raise FilterError(
            text, pos, _("{digits}{unit} is too far back").format(digits=digits, unit=unit)
        )
    return Duration(value, u)


# --- parser -------------------------------------------------------------------------------------


def parse(text: str) -> Node:
    """The tree of an expression, or FilterError (exit 2) naming the position and the problem."""
    if not isinstance(text, str):
        raise UsageError(_("a filter expression must be text"))
    if len(text) > MAX_LENGTH:
        raise FilterError(
            text,
            MAX_LENGTH,
            _("the expression is longer than {max_length} characters").format(
                max_length=MAX_LENGTH
            ),
        )
    if not text.strip():
        raise FilterError(text, 0, _("the expression is empty"), hint=_(_FIELDS_HINT))
    return _Parser(text).run()


_FIELDS_HINT = N_("see: clientbase segment fields")


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0
        self.terms = 0

    # helpers
    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def at_kw(self, *words: str) -> bool:
        return self.tok.kind == "kw" and self.tok.value in words

    def error(self, what: str, tok: _Tok | None = None, hint: str | None = None) -> FilterError:
        return FilterError(self.text, (tok or self.tok).pos, what, hint=hint)

    def found(self, tok: _Tok | None = None) -> str:
        t = tok or self.tok
        return _("the end") if t.kind == "end" else repr(t.text)

    def run(self) -> Node:
        node = self.expr()
        if self.tok.kind != "end":
            if self.tok.kind == "punct" and self.tok.value == ")":
                raise self.error(_("this ) closes nothing"))
            raise self.error(_("expected and / or, found {found}").format(found=self.found()))
        return node

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(_("nested deeper than {max_depth} levels").format(max_depth=MAX_DEPTH))

    # grammar
    def expr(self) -> Node:
        items = [self.and_expr()]
        while self.at_kw("or"):
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.at_kw("and"):
            self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_expr(self) -> Node:
        if self.at_kw("not"):
            self.take()
            self.nest()
            node = Not(self.not_expr())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "punct" and t.value == "(":
            self.take()
            self.nest()
            node = self.expr()
            self.depth -= 1
            if not (self.tok.kind == "punct" and self.tok.value == ")"):
                raise self.error(
                    _("expected ) to close the ( at position {pos}, found {found}").format(
                        pos=t.pos + 1, found=self.found()
                    )
                )
            self.take()
            return node
        if t.kind != "word":
            if t.kind == "end":
                raise self.error(_("the expression ends too early"), hint=_(_FIELDS_HINT))
            hint = _("a comparison starts with the field: orders >= 3") if t.kind == "value" else (
                _(_FIELDS_HINT))  # fmt: skip
            raise self.error(
                _("expected a field name, found {found}").format(found=self.found()), hint=hint
            )
        self.take()
        field = LOOKUP.get(t.value.casefold())
        if field is None:
            close = difflib.get_close_matches(t.value.casefold(), list(LOOKUP), n=1, cutoff=0.7)
            near = _(" (did you mean {name}?)").format(name=LOOKUP[close[0]].name) if close else ""
            raise self.error(
                _("unknown field {value!r}{near}").format(value=t.value, near=near),
                t,
                hint=_(_FIELDS_HINT),
            )
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise self.error(_("more than {max_terms} comparisons").format(max_terms=MAX_TERMS), t)
        node = self.comparison(field, t)
        nxt = self.tok
        if nxt.kind == "op" or (nxt.kind == "kw" and nxt.value in ("in", "contains", "is")):
            raise self.error(
                _("one comparison at a time: write e.g. orders > 1 and orders < 5"),
                nxt,
            )
        if nxt.kind in ("word", "value") or (nxt.kind == "punct" and nxt.value == "("):
            raise self.error(
                _("expected and / or after the comparison, found {found}").format(
                    found=self.found()
                )
            )
        return node

    def comparison(self, field: Field, ftok: _Tok) -> Compare:
        t = self.tok
        if t.kind == "op":
            self.take()
            op = t.value
            value = self.value(field, op, t)
        elif t.kind == "kw" and t.value in ("in", "contains", "not", "is"):
            self.take()
            if t.value == "is":
                neg = self.at_kw("not")
                if neg:
                    self.take()
                v = self.tok
                if not (v.kind == "value" and v.value is NULL):
                    raise self.error(
                        _("expected null after is, found {found}").format(found=self.found())
                    )
                self.take()
                return self.check(field, ftok, "!=" if neg else "=", (NULL, v.pos), t)
            op = t.value
            if op == "not":
                if not self.at_kw("in", "contains"):
                    raise self.error(
                        _("expected in or contains after {name} not, found {found}").format(
                            name=field.name, found=self.found()
                        )
                    )
                op = "not " + self.take().value
            value = self.list_value(field) if op.endswith("in") else self.value(field, op, t)
        else:
            if field.type == "bool":
                return Compare(field.name, "=", True, ftok.pos)
            what = (
                _("{name} needs a comparison, e.g. {example}").format(
                    name=field.name, example=example(field)
                )
                if t.kind in ("end", "kw") or (t.kind == "punct" and t.value == ")")
                else _(
                    "expected a comparison (= != < <= > >= in contains) after {name}, found {found}"
                ).format(name=field.name, found=self.found())
            )
            raise self.error(what, t if t.kind != "end" else ftok)
        return self.check(field, ftok, op, value, t)

    def value(self, field: Field, op: str, optok: _Tok) -> tuple[object, int]:
        """(value, position) of the next value token (a minus sign joins the number after it)."""
        t = self.tok
        if t.kind == "punct" and t.value == "-":
            self.take()
            n = self.tok
            if (
                n.kind != "value"
                or isinstance(n.value, bool)
                or not isinstance(n.value, int | float)
            ):
                raise self.error(
                    _("expected a number after -, found {found}").format(found=self.found())
                )
            self.take()
            return -n.value, t.pos
        if t.kind != "value":
            hint = None
            if t.kind == "word":
                hint = _("quote text values: {name} {op} '{text}'").format(
                    name=field.name, op=op, text=t.text
                )
            raise self.error(
                _("expected a value after {text}, found {found}").format(
                    text=optok.text, found=self.found()
                ),
                t,
                hint,
            )
        self.take()
        return t.value, t.pos

    def list_value(self, field: Field) -> tuple:
        t = self.tok
        if not (t.kind == "punct" and t.value in "(["):
            raise self.error(
                _(
                    "expected a list in parentheses, e.g. {name} in ('a', 'b'), found {found}"
                ).format(name=field.name, found=self.found())
            )
        close = ")" if t.value == "(" else "]"
        self.take()
        items = []
        while True:
            items.append(self.value(field, "in", t))
            if len(items) > MAX_LIST:
                raise self.error(
                    _("more than {max_list} values in one list").format(max_list=MAX_LIST)
                )
            sep = self.tok
            if sep.kind == "punct" and sep.value == ",":
                self.take()
                if self.tok.kind == "punct" and self.tok.value == close:  # a trailing comma
                    self.take()
                    break
                continue
            if sep.kind == "punct" and sep.value == close:
                self.take()
                break
            raise self.error(
                _("expected , or {close} in the list, found {found}").format(
                    close=close, found=self.found()
                )
            )
        return tuple(items)

    # types
    def check(self, field: Field, ftok: _Tok, op: str, value, optok: _Tok) -> Compare:
        """The comparison, with the value in the form to_sql wants, or an error at the value.
        ``value`` is a (value, position) pair, or a tuple of them for in."""
        allowed = OPERATORS[field.type]
        if not op.endswith("in"):
            if value[0] is NULL:
                if op not in ("=", "!=") or field.type == "bool":
                    raise self.error(
                        _("{name} {op} null: only = null and != null ask for an empty value").format(name=field.name, op=op)
                        if field.type != "bool" else _("{name} is never empty (yes or no)").format(name=field.name),
                        optok,
                    )  # fmt: skip
                return Compare(field.name, op, NULL, ftok.pos)
        if op not in allowed:
            raise self.error(
                _("{op!r} does not apply to {name} ({type}): use ").format(op=op, name=field.name, type=_(TYPES[field.type]))
                + " ".join(allowed), optok,
                hint=_("tags and categories: tags contains 'vip'") if field.type == "set" else None,
            )  # fmt: skip
        if op.endswith("in"):
            typed = tuple(self.typed(field, *v) for v in value)
            for v, (_value, pos) in zip(typed, value, strict=True):
                self.chosen(field, v, pos)
            return Compare(field.name, op, typed, ftok.pos)
        typed = self.typed(field, *value)
        if op in ("=", "!="):
            self.chosen(field, typed, value[1])
        return Compare(field.name, op, typed, ftok.pos)

    def chosen(self, field: Field, value, pos: int) -> None:
        if field.choices and value not in field.choices:
            raise FilterError(
                self.text, pos,
                _("{name} is one of {choices}, not {value!r}").format(name=field.name, choices=', '.join(field.choices), value=value),
            )  # fmt: skip

    def typed(self, field: Field, value, pos: int):
        def bad(expected: str) -> FilterError:
            return FilterError(self.text, pos, _("{name} compares with {expected}, not {show}").format(name=field.name, expected=expected, show=_show(value)), hint=_("e.g. {example}").format(example=example(field)))  # fmt: skip

        t = field.type
        if value is NULL:
            raise FilterError(self.text, pos, _("null cannot be in a list"))
        if t in ("text", "set"):
            if isinstance(value, bool) or isinstance(value, date | Duration):
                raise bad(_("text"))
            # lower(), as SQL's lower() on the column (casefold would turn ß into ss)
            s = (value if isinstance(value, str) else _plain_number(value)).lower()
            return (field.values or {}).get(s.strip(), s)
        if t == "number":
            if isinstance(value, Duration) and field.name == "birthday_in_days":
                return value
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise bad(_("a number"))
            return value
        if t == "bool":
            if not isinstance(value, bool):
                if value in (0, 1) and isinstance(value, int):
                    return bool(value)
                raise bad(_("true or false"))
            return value
        if t == "date":
            if isinstance(value, date | Duration):
                return value
            if isinstance(value, str):
                return _parse_date_text(self.text, pos, value)
            raise bad(_("a date ('2025-01-31') or an age (30d, 6m, 1y)"))
        # days
        if isinstance(value, Duration):
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad(_("a whole number of days or an age (30d, 6m, 1y)"))
        return value


def _parse_date_text(text: str, pos: int, value: str) -> date:
    try:
        return parse_date(value)
    except ValueError:
        raise FilterError(
            text, pos, _("{value!r} is not a date (2025-01-31 or 31.01.2025)").format(value=value)
        ) from None


def _plain_number(v) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _show(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Duration):
        return _("the age {value}").format(value=value)
    if isinstance(value, date):
        return _("the date {date}").format(date=value.isoformat())
    if isinstance(value, str):
        return _("the text {value!r}").format(value=value)
    return _("the number {number}").format(number=_plain_number(value))


__all__ = ["FilterError", "parse"]
