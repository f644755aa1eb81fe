"""Dedupe matching at the pure level: blocking keys, every scoring rule, clusters and their guard.

The people here are built by hand the way the import stores them (parsed name parts, E.164
phones, lower-case e-mails), one rule per test; the expected points are worked out from the
weights in clientbase.dedupe.score.
"""

from __future__ import annotations

import math

import pytest

from clientbase.dedupe import score as S
from clientbase.dedupe.cluster import Cluster, clusters, find_matches
from clientbase.dedupe.keys import blocking_keys, candidate_pairs, email_key
from clientbase.dedupe.names import (
    DIFFERENT,
    EXTRA_DIMINUTIVES,
    INITIAL,
    SAME,
    TYPO,
    VARIANT,
    city_key,
    company_key,
    compare_first,
    first_name,
    latin,
)
from clientbase.dedupe.person import Match, Person, person_from_fields
from clientbase.dedupe.score import AUTO_THRESHOLD, REVIEW_THRESHOLD, score_pair
from clientbase.normalize.name_data import DIMINUTIVES

PHONE = "+79161234567"


def person(
    id: int,
    last: str | None = None,
    first: str | None = None,
    middle: str | None = None,
    *,
    gender: str | None = None,
    phones: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
    birthday: tuple[int | None, int, int] | None = None,
    **kw,
) -> Person:
    by, bm, bd = birthday if birthday else (None, None, None)
    display = " ".join(x for x in (last, first, middle) if x)
    return Person(id, display, last, first, middle, gender, by, bm, bd, phones, emails, **kw)


def expected(points: float) -> float:
    return round(1 / (1 + math.exp(S.BIAS - points)), 4)


# --- Person -----------------------------------------------------------------------------------


def test_person_from_fields_takes_a_customer_row_as_is():
    row = {
        "last_name": "Иванов",
        "first_name": "",
        "birth_year": None,
        "kind": "company",
        "city": "Москва",
        "status": "active",
        "merged_into_id": None,
    }
    p = person_from_fields(7, row, ["+79161234567", "+79161234567"], ["Ivan@Mail.ru"])
    assert p == Person(
        7,
        last_name="Иванов",
        city="Москва",
        kind="company",
        phones=("+79161234567",),
        emails=("ivan@mail.ru",),
    )


# --- the common Latin form and the name tables ------------------------------------------------


def test_transliterations_meet_in_one_latin_form():
    assert {latin(s) for s in ("Щукина", "Shchukina", "Schukina", "Ščukina", "Shukina")} == {
        "shukina"
    }
    assert latin("Фёдоров") == latin("Федоров") == latin("Fyodorov") == latin("Fedorov")
    assert latin("Дмитрий") == latin("Dmitriy") == latin("Dmitry") == latin("Dmitrii")
    assert latin("Ксения") == latin("Xenia") == latin("Kseniya")


def test_the_diminutive_table_covers_the_common_russian_names():
    names = [
        "александр",
        "алексей",
        "андрей",
        "анна",
        "анастасия",
        "артем",
        "борис",
        "валентина",
        "валерий",
        "валерия",
        "василий",
        "виктор",
        "виктория",
        "владимир",
        "владислав",
        "вячеслав",
        "галина",
        "геннадий",
        "георгий",
        "григорий",
        "дарья",
        "денис",
        "дмитрий",
        "евгений",
        "евгения",
        "егор",
        "екатерина",
        "елена",
        "елизавета",
        "иван",
        "игорь",
        "илья",
        "ирина",
        "кирилл",
        "константин",
        "ксения",
        "лариса",
        "леонид",
        "любовь",
        "людмила",
        "максим",
        "маргарита",
        "мария",
        "матвей",
        "михаил",
        "надежда",
        "наталья",
        "никита",
        "николай",
        "олег",
        "ольга",
        "павел",
        "петр",
        "полина",
        "роман",
        "светлана",
        "семен",
        "сергей",
        "станислав",
        "степан",
        "татьяна",
        "тимофей",
        "федор",
        "юлия",
        "юрий",
        "ярослав",
        "алина",
        "олеся",
        "оксана",
        "кристина",
    ]
    covered = {
        f for table in (DIMINUTIVES, EXTRA_DIMINUTIVES) for forms in table.values() for f in forms
    }
    assert [n for n in names if n not in covered] == []


@pytest.mark.parametrize(
    ("a", "b", "verdict"),
    [
        ("Саша", "Александр", VARIANT),
        ("Шура", "Александра", VARIANT),
        ("Саня", "Aleksandr", VARIANT),
        ("Лена", "Елена", VARIANT),
        ("Женя", "Евгения", VARIANT),
        ("Валя", "Валентин", VARIANT),
        ("Bill", "William", VARIANT),
        ("Bob", "Robert", VARIANT),
        ("Kate", "Catherine", VARIANT),
        ("Katie", "Katherine", VARIANT),
        ("Liz", "Elizabeth", VARIANT),
        ("Mike", "Michael", VARIANT),
        ("Alexander", "Александр", VARIANT),
        ("Ivan", "Иван", SAME),
        ("И.", "Иван", INITIAL),
        ("A.", "Саша", INITIAL),
        ("Ирина", "Ирнна", TYPO),
        ("Алиа", "Алиса", TYPO),  # the Latin form of a typo may look like a known name (Аля)
        ("Иван", "Мария", DIFFERENT),
        ("Мария", "Марина", DIFFERENT),  # two names from the tables, however close
        ("Алексей", "Александр", DIFFERENT),
    ],
)
def test_first_name_verdicts(a, b, verdict):
    assert compare_first(first_name(a), first_name(b)) == verdict


def test_company_and_city_keys_ignore_legal_forms_and_short_names():
    assert company_key("ООО «Ромашка»") == company_key("Romashka LLC") == "romashka"
    assert company_key('ИП "Ромашка"') == "romashka"
    assert city_key("г. Москва") == city_key("МСК") == city_key("Moscow") == city_key("москва")
    assert city_key("Питер") == city_key("Санкт-Петербург")


# --- blocking keys ----------------------------------------------------------------------------


def test_phone_keys_full_last_ten_and_last_seven_digits():
    keys = blocking_keys(person(1, phones=(PHONE,)))
    assert keys == ["p:+79161234567", "p10:9161234567", "p7:1234567"]


def test_email_key_drops_gmail_dots_and_any_plus_tag():
    assert email_key("Ivan.Petrov+shop@googlemail.com") == "ivanpetrov@gmail.com"
    assert email_key("ivan+news@mail.ru") == "ivan@mail.ru"  # +tag dropped for every domain
    assert email_key("ivan.petrov@mail.ru") == "ivan.petrov@mail.ru"  # dots matter elsewhere
    assert "e:ivanpetrov@gmail.com" in blocking_keys(person(1, emails=("i.van.petrov@gmail.com",)))


def test_email_local_part_key_but_not_for_role_addresses():
    keys = blocking_keys(person(1, emails=("ivan.petrov85@mail.ru", "info@shop.ru")))
    assert "el:ivanpetrov85" in keys
    assert not [k for k in keys if k.startswith("el:info")]


def test_name_key_is_latin_surname_and_every_initial_of_the_first_name():
    cyr = blocking_keys(person(1, "Петрова", "Саша", gender="f"))
    lat = blocking_keys(person(2, "Petrova", "Aleksandra", gender="f"))
    assert [k for k in cyr if k.startswith("n:")] == ["n:petrova|a", "n:petrova|s"]
    assert [k for k in lat if k.startswith("n:")] == ["n:petrova|a"]
    initials = blocking_keys(person(3, "Петрова", "А.", "С.", gender="f"))
    assert [k for k in initials if k.startswith("n:")] == ["n:petrova|a"]


def test_birthday_keys_with_surname_and_with_first_name():
    keys = blocking_keys(person(1, "Иванов", "Ваня", birthday=(1985, 3, 2)))
    assert "nb:ivanov|i|--03-02" in keys
    assert "fb:ivan|1985-03-02" in keys  # the full form of Ваня
    no_year = blocking_keys(person(2, "Ivanov", "Ivan", birthday=(None, 3, 2)))
    assert "nb:ivanov|i|--03-02" in no_year
    assert not [k for k in no_year if k.startswith("fb:")]


def test_company_address_and_client_code_keys():
    keys = blocking_keys(
        person(
            1,
            kind="company",
            company="ООО «Ромашка»",
            address="ул. Ленина, д. 5",
            postcode="101000",
            external_id="K-17",
        )
    )
    assert "c:romashka" in keys
    assert "x:K-17" in keys
    assert [k for k in keys if k.startswith("a:")] == ["a:ul lenina 5|101000"]


def test_candidate_pairs_each_pair_once_in_index_order():
    people = [
        person(10, "Иванов", "Иван", phones=(PHONE,), emails=("ivan@mail.ru",)),
        person(20, "Ivanov", "Ivan", phones=(PHONE,), emails=("ivan@mail.ru",)),
        person(30, "Сидоров", "Пётр", phones=("+79031112233",)),
        person(40, "Петров", "Олег", emails=("ivan@mail.ru",)),
    ]
    assert list(candidate_pairs(people)) == [(0, 1), (0, 3), (1, 3)]
    assert list(candidate_pairs(people, only_ids={40})) == [(0, 3), (1, 3)]


def test_weak_blocks_beyond_max_block_are_skipped_strong_ones_are_not():
    staff = [person(i, f"Сотрудник{i}", company="ООО «Ромашка»") for i in range(12)]
    assert len(list(candidate_pairs(staff, max_block=50))) == 66  # 12 * 11 / 2
    assert list(candidate_pairs(staff, max_block=10)) == []
    one_phone = [person(i, phones=(PHONE,)) for i in range(60)]
    assert len(list(candidate_pairs(one_phone, max_block=50))) == 60 * 59 // 2
    assert list(candidate_pairs(one_phone, max_block=2)) == []  # beyond 20 * max_block


def test_surname_initial_blocks_are_cut_at_a_fifth_of_max_block():
    namesakes = [person(i, "Иванов", "Иван") for i in range(11)]
    assert len(list(candidate_pairs(namesakes[:10], max_block=50))) == 45
    assert list(candidate_pairs(namesakes, max_block=50)) == []


# --- scoring: contacts and names --------------------------------------------------------------


def test_same_phone_and_name_is_an_automatic_match_with_reasons():
    a = person(1, "Иванов", "Иван", "Иванович", gender="m", phones=(PHONE,))
    b = person(2, "Иванов", "Иван", gender="m", phones=(PHONE,))
    m = score_pair(b, a)
    assert (m.a, m.b) == (1, 2)
    assert m.score == expected(S.W_PHONE + S.W_SURNAME + S.W_FIRST) >= AUTO_THRESHOLD
    assert m.reasons == [
        "same phone +7 916 123-45-67",
        "same surname Иванов",
        "same first name Иван",
    ]


def test_shared_phone_with_clearly_different_first_names_is_not_a_duplicate():
    ivan = person(1, "Иванов", "Иван", gender="m", phones=(PHONE,))
    maria = person(2, "Иванова", "Мария", gender="f", phones=(PHONE,))
    m = score_pair(ivan, maria)
    assert m.score < REVIEW_THRESHOLD
    assert "different first names Иван / Мария" in m.reasons


def test_shared_phone_with_a_different_gender_is_not_a_duplicate():
    a = person(1, "Петров", "Саша", gender="m", phones=(PHONE,))
    b = person(2, "Петрова", "Саша", gender="f", phones=(PHONE,))
    m = score_pair(a, b)
    assert m.score <= S.MISMATCH_CAP
    assert m.reasons[-1] == "different gender"
    assert "surnames Петров / Петрова: male and female forms" in m.reasons


def test_same_email_in_another_spelling():
    a = person(1, "Петров", "Олег", emails=("oleg.petrov@gmail.com",))
    b = person(2, "Петров", "Олег", emails=("olegpetrov+shop@gmail.com",))
    m = score_pair(a, b)
    assert m.reasons[0] == "same email oleg.petrov@gmail.com = olegpetrov+shop@gmail.com"
    assert m.score == expected(S.W_EMAIL + S.W_SURNAME + S.W_FIRST)


def test_same_email_name_at_another_provider_is_weak():
    a = person(1, "Петров", "Олег", emails=("oleg.petrov77@mail.ru",))
    b = person(2, "Петров", "Олег", emails=("oleg_petrov77@gmail.com",))
    m = score_pair(a, b)
    assert m.reasons[0] == "same email name olegpetrov77 at another address"
    assert m.score == expected(S.W_EMAIL_LOCAL + S.W_SURNAME + S.W_FIRST)
    assert REVIEW_THRESHOLD <= m.score < AUTO_THRESHOLD  # proposed, not merged


def test_same_number_under_another_country_code_and_same_last_seven_digits():
    a = person(1, "Smith", "John", phones=("+74152342671",))  # a US number read as Russian
    b = person(2, "Smith", "John", phones=("+14152342671",))
    assert score_pair(a, b).reasons[0] == "same number 4152342671 under another country code"
    c = person(3, "Петров", "Олег", phones=("+74951234567",))
    d = person(4, "Петров", "Олег", phones=("+74991234567",))
    assert score_pair(c, d).reasons[0] == ("same last 7 digits +7 495 123-45-67 / +7 499 123-45-67")


def test_same_and_different_client_codes():
    a = person(1, "Петров", "Олег", external_id="K-1")
    assert score_pair(a, person(2, "Петров", "Олег", external_id="K-1")).score >= AUTO_THRESHOLD
    m = score_pair(a, person(3, "Петров", "Олег", external_id="K-2"))
    assert m.reasons[0] == "different client codes K-1 / K-2"


def test_ye_and_yo_are_one_letter():
    a = person(1, "Фёдоров", "Пётр", phones=(PHONE,))
    b = person(2, "Федоров", "Петр", phones=(PHONE,))
    assert score_pair(a, b).reasons[1:] == ["same surname Фёдоров", "same first name Пётр"]


def test_transliterated_names_are_the_same_name():
    a = person(1, "Щукина", "Юлия", gender="f", phones=(PHONE,))
    for last, first in (("Shchukina", "Yuliya"), ("Schukina", "Julia"), ("Ščukina", "Iuliia")):
        m = score_pair(a, person(2, last, first, gender="f", phones=(PHONE,)))
        assert m.reasons[1] == f"same surname Щукина ≈ {last}"
        assert m.reasons[2] == f"same first name Юлия ≈ {first}"
        assert m.score == expected(S.W_PHONE + S.W_SURNAME + S.W_FIRST)


def test_diminutive_of_the_first_name():
    a = person(1, "Петрова", "Александра", gender="f", phones=(PHONE,))
    b = person(2, "Петрова", "Саша", gender="f", phones=(PHONE,))
    m = score_pair(b, a)
    assert "Саша ≈ Александра" in m.reasons
    assert m.score == expected(S.W_PHONE + S.W_SURNAME + S.W_FIRST_VARIANT)


def test_english_nicknames_and_typos():
    a = person(1, "Smith", "William", emails=("w.smith@yahoo.com",))
    b = person(2, "Smyth", "Bill", emails=("w.smith@yahoo.com",))
    m = score_pair(a, b)
    assert m.reasons[1:] == ["same surname Smith ≈ Smyth", "William ≈ Bill"]
    c = person(3, "Jonhson", "Katherine", phones=("+14152342671",))
    d = person(4, "Johnson", "Kate", phones=("+14152342671",))
    m = score_pair(c, d)
    assert m.reasons[1:] == ["surname Jonhson ≈ Johnson (typo)", "Katherine ≈ Kate"]
    assert m.score >= AUTO_THRESHOLD


def test_initials_fit_the_full_name():
    a = person(1, "Иванов", "И.", "И.", gender="m", phones=(PHONE,))
    b = person(2, "Иванов", "Иван", "Иванович", gender="m", phones=(PHONE,))
    m = score_pair(a, b)
    assert m.reasons[1:] == ["same surname Иванов", "И. fits Иван", "И. fits Иванович"]
    assert m.score == expected(S.W_PHONE + S.W_SURNAME + S.W_FIRST_INITIAL + S.W_MIDDLE_INITIAL)
    assert m.score >= AUTO_THRESHOLD


def test_an_initial_that_does_not_fit_is_a_mismatch():
    a = person(1, "Иванов", "П.", gender="m", phones=(PHONE,))
    b = person(2, "Иванов", "Иван", gender="m", phones=(PHONE,))
    m = score_pair(a, b)
    assert "different first names П. / Иван" in m.reasons
    assert m.score <= S.MISMATCH_CAP


def test_missing_patronymic_is_unknown_not_a_mismatch():
    a = person(1, "Иванов", "Иван", "Иванович", phones=(PHONE,))
    b = person(2, "Иванов", "Иван", phones=(PHONE,))
    assert score_pair(a, b).score == expected(S.W_PHONE + S.W_SURNAME + S.W_FIRST)


def test_different_patronymics_are_a_strong_negative():
    father = person(1, "Иванов", "Иван", "Петрович", phones=(PHONE,))
    son = person(2, "Иванов", "Иван", "Иванович", phones=(PHONE,))
    m = score_pair(father, son)
    assert m.reasons[-1] == "different patronymics Петрович / Иванович"
    assert m.score <= S.MISMATCH_CAP


def test_a_typo_in_the_patronymic_is_not_a_different_father():
    a = person(1, "Иванов", "Иван", "Сергеевич", phones=(PHONE,))
    b = person(2, "Иванов", "Иван", "Сергеевмч", phones=(PHONE,))
    m = score_pair(a, b)
    assert m.reasons[-1] == "patronymic Сергеевич ≈ Сергеевмч (typo)"
    assert m.score == expected(S.W_PHONE + S.W_SURNAME + S.W_FIRST + S.W_MIDDLE_TYPO)


def test_swapped_first_and_last_name():
    a = person(1, "Гусейнов", "Эльдар", phones=(PHONE,))
    b = person(2, "Эльдар", "Гусейнов", phones=(PHONE,))  # a parse that got the order wrong
    m = score_pair(a, b)
    assert m.reasons[1] == "first and last name swapped"
    assert m.score == expected(S.W_PHONE + S.W_SWAP + S.W_SURNAME + S.W_FIRST)
    assert m.score >= AUTO_THRESHOLD


def test_typo_hidden_by_the_latin_form_is_still_a_typo():
    # "Крлыов" reads "krlev" in the common Latin form; as typed it is one swap from Крылов.
    a = person(1, "Крылов", "Максим", phones=(PHONE,))
    b = person(2, "Крлыов", "Максим", phones=(PHONE,))
    assert score_pair(a, b).reasons[1] == "surname Крылов ≈ Крлыов (typo)"


# --- scoring: birthday, places, companies -----------------------------------------------------


def test_names_alone_are_never_an_automatic_merge():
    a = person(1, "Иванов", "Иван", "Иванович", city="Москва")
    b = person(2, "Иванов", "Иван", "Иванович", city="г. Москва")
    m = score_pair(a, b)
    assert m.score == expected(S.W_SURNAME + S.W_FIRST + S.W_MIDDLE + S.W_CITY)
    assert REVIEW_THRESHOLD <= m.score < AUTO_THRESHOLD
    assert m.reasons[-1] == "same city Москва ≈ г. Москва"


def test_names_backed_by_a_birthday_merge():
    a = person(1, "Иванов", "И.", birthday=(1985, 3, 2))
    b = person(2, "Иванов", "Иван", birthday=(1985, 3, 2))
    m = score_pair(a, b)
    assert m.reasons[-1] == "same birthday 1985-03-02"
    assert m.score >= AUTO_THRESHOLD


def test_names_backed_by_city_and_company_merge():
    a = person(1, "Иванов", "Иван", "Иванович", city="Москва", company="ООО «Ромашка»")
    b = person(2, "Иванов", "Иван", "Иванович", city="МСК", company="Romashka LLC")
    m = score_pair(a, b)
    assert m.reasons[-1] == "same company ООО «Ромашка» ≈ Romashka LLC"
    assert m.score >= AUTO_THRESHOLD


def test_different_birthdays_are_a_strong_negative():
    a = person(1, "Иванов", "Иван", phones=(PHONE,), birthday=(1985, 3, 2))
    b = person(2, "Иванов", "Иван", phones=(PHONE,), birthday=(2010, 7, 11))
    m = score_pair(a, b)
    assert m.reasons[-1] == "different birthdays 1985-03-02 / 2010-07-11"
    assert m.score <= S.MISMATCH_CAP
    c = person(3, "Иванов", "Иван", phones=(PHONE,), birthday=(None, 3, 2))
    assert score_pair(a, c).reasons[-1] == "same birthday 03-02 (year unknown)"


def test_companies_compare_names_without_legal_forms():
    a = Person(1, "ООО «Ромашка»", kind="company", company="ООО «Ромашка»", phones=(PHONE,))
    b = Person(2, "Romashka LLC", kind="company", company="Romashka LLC", phones=(PHONE,))
    m = score_pair(a, b)
    assert m.reasons == [
        "same phone +7 916 123-45-67",
        "same company name ООО «Ромашка» ≈ Romashka LLC",
    ]
    assert m.score >= AUTO_THRESHOLD
    c = Person(3, "АО Вектор", kind="company", company="АО Вектор", phones=(PHONE,))
    m = score_pair(a, c)
    assert m.reasons[-1] == "different companies ООО «Ромашка» / АО Вектор"
    assert m.score <= S.MISMATCH_CAP


def test_a_company_and_a_person_are_not_one_customer():
    org = Person(1, "ООО «Ромашка»", kind="company", company="ООО «Ромашка»", phones=(PHONE,))
    emp = person(2, "Петров", "Олег", phones=(PHONE,), company="ООО «Ромашка»")
    assert score_pair(org, emp).score <= S.MISMATCH_CAP
    trader = Person(3, "ИП Петров Олег", kind="company", company="ИП Петров Олег", phones=(PHONE,))
    m = score_pair(trader, emp)
    assert m.reasons[1] == "ИП Петров Олег is Петров Олег"
    assert m.score >= AUTO_THRESHOLD


def test_no_comparable_field_means_no_match():
    assert score_pair(person(1, "Иванов"), person(2, first="Мария")) is None


# --- find_matches and clusters ----------------------------------------------------------------


def _family() -> list[Person]:
    return [
        person(
            1, "Петров", "Иван", "Сергеевич", gender="m", phones=(PHONE,), birthday=(1970, 5, 1)
        ),
        person(2, "Петров", "Иван", gender="m", phones=(PHONE,), emails=("petrov@mail.ru",)),
        person(
            3,
            "Петров",
            "Иван",
            "Иванович",
            gender="m",
            emails=("petrov@mail.ru",),
            birthday=(1998, 9, 9),
        ),
        person(4, "Петрова", "Мария", gender="f", phones=(PHONE,)),
    ]


def test_find_matches_keeps_pairs_above_the_minimum_strongest_first():
    stages = set()
    matches = find_matches(_family(), progress=lambda stage, done, total: stages.add(stage))
    assert [(m.a, m.b) for m in matches] == [(2, 3), (1, 2)]
    assert matches[0].score >= matches[1].score >= AUTO_THRESHOLD
    assert stages == {"prepare", "keys", "score"}


def test_find_matches_skips_not_duplicate_pairs_and_restricts_to_new_ids():
    assert [(m.a, m.b) for m in find_matches(_family(), skip_pairs={(2, 3)})] == [(1, 2)]
    assert [(m.a, m.b) for m in find_matches(_family(), only_ids={3})] == [(2, 3)]


def test_cluster_guard_keeps_a_chain_from_joining_different_people():
    # 1 ~ 2 by phone, 2 ~ 3 by e-mail, but 1 and 3 have different patronymics and birthdays:
    # father and son on one phone and one mailbox. The weaker link is refused.
    people = _family()
    by_id = {p.id: p for p in people}
    groups = clusters(find_matches(people), by_id, min_score=AUTO_THRESHOLD)
    assert len(groups) == 1
    assert groups[0].ids in ([1, 2], [2, 3])


def test_clusters_join_compatible_records_transitively():
    people = [
        person(1, "Сидоров", "Олег", gender="m", phones=(PHONE,)),
        person(2, "Sidorov", "Oleg", gender="m", phones=(PHONE,), emails=("oleg@mail.ru",)),
        person(3, "Сидоров", "О.", "П.", gender="m", emails=("oleg@mail.ru",)),
        person(4, "Кузнецов", "Пётр", phones=("+79031112233",)),
    ]
    by_id = {p.id: p for p in people}
    matches = find_matches(people)
    groups = clusters(matches, by_id, min_score=AUTO_THRESHOLD)
    assert [c.ids for c in groups] == [[1, 2, 3]]
    assert len(groups[0].matches) == 2
    assert groups[0].score == min(m.score for m in groups[0].matches)


def test_clusters_without_people_are_the_plain_closure():
    ms = [Match(1, 2, 0.95, []), Match(2, 3, 0.92, []), Match(5, 6, 0.7, [])]
    assert clusters(ms, min_score=0.9) == [Cluster([1, 2, 3], [ms[0], ms[1]], 0.92)]
    assert [c.ids for c in clusters(ms, min_score=0.6)] == [[1, 2, 3], [5, 6]]
