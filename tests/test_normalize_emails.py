"""Behaviour of clientbase.normalize.emails; the fast path never disagrees with email-validator."""

from __future__ import annotations

import random

import pytest
from email_validator import EmailNotValidError, validate_email

from clientbase.normalize import emails
from clientbase.normalize.emails import Email, email_match_key, normalize_email, split_emails

# --------------------------------------------------------------------------------------------
# normalize_email
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("ivan@x.ru", "ivan@x.ru"),
        ("ivan.petrov@mail.ru", "ivan.petrov@mail.ru"),
        ("IVAN.Petrov@Mail.RU", "ivan.petrov@mail.ru"),
        ("  ivan@x.ru  ", "ivan@x.ru"),
        ("mailto:ivan@x.ru", "ivan@x.ru"),
        ("MAILTO:Ivan@X.ru", "ivan@x.ru"),
        ("mailto:ivan@x.ru?subject=Заказ", "ivan@x.ru"),
        ("Иван <ivan@x.ru>", "ivan@x.ru"),
        ('"Иван Петров" <Ivan@X.RU>', "ivan@x.ru"),
        ("<ivan@x.ru>", "ivan@x.ru"),
        ("ivan@mail.ru.", "ivan@mail.ru"),
        ("ivan@mail.ru,", "ivan@mail.ru"),
        ("ivan@mail.ru;", "ivan@mail.ru"),
        ("(ivan@x.ru)", "ivan@x.ru"),
        ("«ivan@x.ru»", "ivan@x.ru"),
        ('"ivan@x.ru"', "ivan@x.ru"),
        ("ivan@x.ru\u200b", "ivan@x.ru"),  # zero-width space from copy-paste
        ("\ufeffivan@x.ru", "ivan@x.ru"),  # byte-order mark glued to the first cell
        ("<\u00a0ivan@x.ru\u00a0>", "ivan@x.ru"),
        ("ivan+shop@gmail.com", "ivan+shop@gmail.com"),
        ("o'brien@example.com", "o'brien@example.com"),
        ("ivan_petrov-1984@firma-stroy.ru", "ivan_petrov-1984@firma-stroy.ru"),
        ("ivan@sub.domain.co.uk", "ivan@sub.domain.co.uk"),
        ("ivan@mail.r", "ivan@mail.r"),  # email-validator allows one-letter TLDs
        ("a" * 70 + "@mail.ru", "a" * 70 + "@mail.ru"),  # long local part: not strict mode
        # Cyrillic and other IDN addresses
        ("иван@почта.рф", "иван@почта.рф"),
        ("ИВАН@ПОЧТА.РФ", "иван@почта.рф"),
        ("ivan@почта.рф", "ivan@почта.рф"),
        ("ivan@xn--80a1acny.xn--p1ai", "ivan@почта.рф"),  # punycode -> same value as Unicode
        ("info@пример.испытание", "info@пример.испытание"),
        # typos are kept, not corrected
        ("ivan@gmial.com", "ivan@gmial.com"),
        ("ivan@mail.ri", "ivan@mail.ri"),
    ],
)
def test_valid_emails(raw, value):
    assert normalize_email(raw) == Email(raw=raw.strip(), value=value, valid=True, reason=None)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("<>", "empty"),
        ("нет", "missing @"),
        ("-", "missing @"),
        ("ivan.mail.ru", "missing @"),
        ("ivan@@mail.ru", "more than one @"),
        ("ivan@x.ru@y.ru", "more than one @"),
        ("ivan@mail", "The part after the @-sign is not valid. It should have a period."),
        ("ivan@mail,ru", "The part after the @-sign contains invalid characters: ','."),
        ("ivan@my_mail.ru", "The part after the @-sign contains invalid characters: '_'."),
        ("ivan..petrov@mail.ru", "An email address cannot have two periods in a row."),
        (".ivan@mail.ru", "An email address cannot start with a period."),
        ("ivan.@mail.ru", "An email address cannot have a period immediately before the @-sign."),
        ("ivan@mail..ru", "An email address cannot have two periods in a row."),
        (
            "ivan@.mail.ru",
            "An email address cannot have a period immediately after the @-sign.",
        ),
        ("ivan@-mail.ru", "An email address cannot have a hyphen immediately after the @-sign."),
        ("@mail.ru", "There must be something before the @-sign."),
        ("ivan@", "There must be something after the @-sign."),
        (
            "ivan petrov@mail.ru",
            "The email address contains invalid characters before the @-sign: SPACE.",
        ),
        (
            "ivan@mail.123",
            "The part after the @-sign is not valid. It is not within a valid top-level domain.",
        ),
        (
            "ivan@localhost.local",
            "The part after the @-sign is a special-use or reserved name that cannot be used with"
            " email.",
        ),
        (
            "ivan@shop.test",
            "The part after the @-sign is a special-use or reserved name that cannot be used with"
            " email.",
        ),
        ("a" * 250 + "@mail.ru", "The email address is too long (4 characters too many)."),
    ],
)
def test_invalid_emails(raw, reason):
    assert normalize_email(raw) == Email(raw=raw.strip(), value=None, valid=False, reason=reason)


def test_results_are_cached():
    raw = "Cache.Test@Example.com"
    first = normalize_email(raw)
    assert normalize_email(raw) is first
    assert normalize_email.cache_info().maxsize >= 1 << 12


@pytest.mark.parametrize(
    "raw", ["\x00", "@", "@@", "mailto:", "<@>", "ivan@[127.0.0.1]", '"ivan"@x.ru', "\u200b@x.ru"]
)
def test_garbage_never_raises(raw):
    result = normalize_email(raw)
    assert result.valid is False
    assert result.value is None
    assert result.reason


# --------------------------------------------------------------------------------------------
# The fast path may only accept what email-validator accepts, with the same value
# --------------------------------------------------------------------------------------------

TRICKY = [
    "ivan..petrov@mail.ru",
    ".ivan@mail.ru",
    "ivan.@mail.ru",
    "ivan@mail",
    "ivan@my_mail.ru",
    "ivan@mail,ru",
    "ivan@@mail.ru",
    "ivan@mail.ru.",
    "ivan@.mail.ru",
    "ivan@mail..ru",
    "ivan@-mail.ru",
    "ivan@mail-.ru",
    "ivan@ab--cd.ru",
    "ivan@xn--80a1acny.xn--p1ai",
    "ivan@xn--zz.ru",
    "ivan@mail.123",
    "ivan@mail.r",
    "ivan@x.test",
    "ivan@x.local",
    "ivan@x.localhost",
    "ivan@x.onion",
    "ivan@x.invalid",
    "ivan@1.2.3.4",
    "ivan@[127.0.0.1]",
    '"ivan"@mail.ru',
    "ivan petrov@mail.ru",
    "ivan@mail ru",
    "@mail.ru",
    "ivan@",
    "a" * 64 + "@mail.ru",
    "a" * 65 + "@mail.ru",
    "a" * 245 + "@mail.ru",
    "a" * 246 + "@mail.ru",
    "ivan@" + "a" * 63 + ".ru",
    "ivan@" + "a" * 64 + ".ru",
    "ivan@" + ".".join(["abcdefghi"] * 25) + ".ru",
    "ivan@" + ".".join(["a"] * 127) + ".ru",
    "ivan@mail.ru\n",
    "ivan@mail.ru ",
    "иван@почта.рф",
    "ivan!#$%&'*+/=?^_`{|}~@mail.ru",
    "-ivan@mail.ru",
    "ivan-@mail.ru",
    "+@mail.ru",
    "_@mail.ru",
    "ivan@mail.xn--p1ai",
    "ivan@0mail.ru",
    "ivan@mail.r0",
]


def _validator_value(address: str) -> str | None:
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


@pytest.mark.parametrize("address", TRICKY)
def test_fast_regex_never_accepts_what_validator_rejects(address):
    if emails._fast_accepts(address):
        assert _validator_value(address) == address


def _generated_addresses(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)
    local_chars = "abcz019._-+"
    domain_chars = "abcz019.-_"
    out = []
    for _ in range(count):
        local = "".join(rnd.choice(local_chars) for _ in range(rnd.randint(0, 12)))
        domain = "".join(rnd.choice(domain_chars) for _ in range(rnd.randint(0, 14)))
        tld = rnd.choice(["ru", "com", "r", "123", "рф", "test", "", "xn--p1ai", "c0m"])
        out.append(f"{local}@{domain}.{tld}" if tld else f"{local}@{domain}")
    return out


def test_fast_path_agrees_with_validator_on_generated_addresses():
    addresses = _generated_addresses(seed=11, count=3000)
    accepted = 0
    for address in addresses:
        if emails._fast_accepts(address):
            accepted += 1
            assert _validator_value(address) == address, address
        fast = emails._normalize_uncached(address, fast=True)
        slow = emails._normalize_uncached(address, fast=False)
        assert fast == slow, address
    assert accepted > 100  # the comparison above is not vacuous


# --------------------------------------------------------------------------------------------
# split_emails
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("ivan@x.ru", ["ivan@x.ru"]),
        ("ivan@x.ru, petr@y.ru", ["ivan@x.ru", "petr@y.ru"]),
        ("ivan@x.ru;petr@y.ru;", ["ivan@x.ru", "petr@y.ru"]),
        ("ivan@x.ru petr@y.ru", ["ivan@x.ru", "petr@y.ru"]),
        ("ivan@x.ru\npetr@y.ru\r\nsidor@z.ru", ["ivan@x.ru", "petr@y.ru", "sidor@z.ru"]),
        ("* ivan@x.ru ::: petr@y.ru", ["ivan@x.ru", "petr@y.ru"]),
        ("ivan@x.ru ::: * petr@y.ru", ["ivan@x.ru", "petr@y.ru"]),
        ("Иван <ivan@x.ru>", ["ivan@x.ru"]),
        ("Иван <ivan@x.ru>, Петр <petr@y.ru>", ["ivan@x.ru", "petr@y.ru"]),
        ('"Иван Петров" <ivan@x.ru> <petr@y.ru>', ["ivan@x.ru", "petr@y.ru"]),
        ("ivan@x.ru (Иван)", ["ivan@x.ru"]),
        ("mailto:ivan@x.ru", ["mailto:ivan@x.ru"]),
        ("не указан", ["не указан"]),
        ("нет", ["нет"]),
        ("", []),
        ("  ;  ,  ", []),
    ],
)
def test_split_emails(cell, expected):
    assert split_emails(cell) == expected


# --------------------------------------------------------------------------------------------
# email_match_key
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "key"),
    [
        # always lower-cased, nothing else for ordinary domains
        ("Ivan.Petrov@Mail.RU", "ivan.petrov@mail.ru"),
        ("ivan+shop@mail.ru", "ivan+shop@mail.ru"),  # mail.ru: "+" kept
        ("ivan.petrov@company.ru", "ivan.petrov@company.ru"),
        # Gmail: dots and +tag ignored, googlemail is the same mailbox
        ("Ivan.Petrov+shop@gmail.com", "ivanpetrov@gmail.com"),
        ("ivanpetrov@googlemail.com", "ivanpetrov@gmail.com"),
        ("i.v.a.n@googlemail.com", "ivan@gmail.com"),
        ("+tag@gmail.com", "+tag@gmail.com"),
        # Yandex: one mailbox on many domains; "." == "-"; +tag ignored
        ("ivan.petrov@ya.ru", "ivan-petrov@yandex.ru"),
        ("ivan-petrov@yandex.ru", "ivan-petrov@yandex.ru"),
        ("Ivan.Petrov+shop@yandex.com", "ivan-petrov@yandex.ru"),
        ("ivan@yandex.by", "ivan@yandex.ru"),
        ("ivan@yandex.kz", "ivan@yandex.ru"),
        ("ivan@yandex.ua", "ivan@yandex.ru"),
        ("ivan@narod.ru", "ivan@yandex.ru"),
        # other providers with documented plus addressing
        ("ivan+crm@outlook.com", "ivan@outlook.com"),
        ("ivan+crm@icloud.com", "ivan@icloud.com"),
        ("i.van+crm@outlook.com", "i.van@outlook.com"),  # dots only matter for Gmail
        # not an address: just lower-cased
        ("  NotAnEmail ", "notanemail"),
        ("иван@почта.рф", "иван@почта.рф"),
    ],
)
def test_email_match_key(value, key):
    assert email_match_key(value) == key


def test_match_key_finds_duplicates_across_spellings():
    spellings = [
        "Ivan.Petrov@gmail.com",
        "ivanpetrov@gmail.com",
        "ivan.petrov+shop@googlemail.com",
        "IVANPETROV@GMAIL.COM",
    ]
    assert {email_match_key(normalize_email(s).value) for s in spellings} == {
        "ivanpetrov@gmail.com"
    }


def test_the_plain_shortcut_matches_the_general_path(monkeypatch):
    rnd = random.Random(5)
    wraps = ["{}", " {} ", "<{}>", "Иван <{}>", "mailto:{}", "mailto:{}?subject=x", "{}.", '"{}"',
             "«{}»", "({})", "{},", "\u00a0{}", "\ufeff{}", "{}\u200b", "{} ", "\t{}\n"]  # fmt: skip
    cases = [*TRICKY, "Ivan@Mail.RU", "ivan@\u212aa.ru", "\u212a@x.ru", "ivan@x.ru", "a@b", "a@@b.ru",
             "İvan@x.ru", "ivan@x.test", "ivan@xn--p1ai.ru", "ab--c@x.ru"]  # fmt: skip
    values = [rnd.choice(wraps).format(a) for a in _generated_addresses(seed=3, count=1500)]
    values += [w.format(c) for w in wraps for c in cases]
    fast = [emails._normalize_uncached(v) for v in values]
    monkeypatch.setattr(emails, "_plain_address", lambda text: None)
    general = [emails._normalize_uncached(v) for v in values]
    assert fast == general
    assert sum(e.valid for e in fast) > 300  # not vacuous


def test_a_column_of_plain_addresses_is_what_the_general_path_makes_of_each():
    rnd = random.Random(7)
    wraps = ["{}", "{}", "{}", " {}", "<{}>", "{}.", "{};{}", "{} {}", "\u00a0{}", "{}\n"]
    cases = [*TRICKY, "Ivan@Mail.RU", "ivan@\u212aa.ru", "\u212a@x.ru", "İvan@x.ru", "ivan@x.test",
             "ivan@x.localhost", "ivan@x.xlocal", "ivan@xn--p1ai.ru", "ab--c@x.ru", "a--b@x.ru",
             "a" * 64 + "@x.ru", "a" * 65 + "@x.ru", "a" * 60 + "@" + "b" * 63 + "." + "c" * 63,
             "ivan@" + ".".join(["abcdefghi"] * 24) + ".ru",
             "ivan@" + ".".join(["abcdefghi"] * 25) + ".ru"]  # fmt: skip
    addresses = _generated_addresses(seed=13, count=20_000) + cases
    cells = [
        rnd.choice(wraps)
        .format(a, rnd.choice(addresses))
        .replace("@", rnd.choice(["@", "@", "@", "@@"]), 1)
        if rnd.random() < 0.3
        else (a.upper() if rnd.random() < 0.1 else a)
        for a in addresses
    ] + cases
    plain = emails.plain_addresses(cells)
    for cell in dict.fromkeys(cells):
        parts = emails.split_emails(cell)
        general = [emails._normalize_uncached(p, fast=False) for p in parts]
        if cell in plain:
            assert parts == [cell], cell
            assert (general[0].valid, general[0].value) == (True, plain[cell]), cell
        else:  # the shortcut says no exactly where the per-cell fast path says no
            assert cell.strip() != cell or emails._plain_address(cell) is None, cell
    assert len(plain) > 500  # not vacuous
