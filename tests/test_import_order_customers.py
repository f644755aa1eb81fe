"""Which customer an order row (or a contact row known by its name) goes to: a second client
code kept on the customer, a name alone, an order number another customer had."""

from __future__ import annotations

from conftest import write
from sqlalchemy import select

from clientbase.db.models import contact_points, customers, orders
from clientbase.importers.sameperson import name_only_target

# Bitrix24's contact export: its ID is the customer's code in the CRM.
BITRIX = (
    "ID;Фамилия;Имя;Отчество;Мобильный телефон;Рабочий e-mail\n"
    "102;Смирнов;Олег;Игоревич;+7 (926) 222-33-44;\n"
    "103;Кузнецова;Анна;Сергеевна;+7 (903) 333-44-55;anna.k@mail.ru\n"
)
# A shop's orders with 1C's customer codes: the first row has the phone, the second has not.
SHOP = (
    "Дата;Номер заказа;Код клиента;Клиент;Телефон;Сумма\n"
    "10.01.2025;5001;00-000102;Смирнов Олег Игоревич;8 926 222-33-44;12 990,00\n"
    "20.01.2025;5002;00-000102;Смирнов Олег Игоревич;;-5 490,00\n"
)
# 1C's sales report: the counterparty and its code, nothing else about the customer.
REPORT_1C = (
    "Контрагент;Код контрагента;Документ;Номенклатура;Количество;Сумма\n"
    "Смирнов Олег Игоревич;00-000102;Реализация товаров и услуг 00БП-000201 от 03.02.2025 "
    "12:00:00;Чайник;1;3 200,00\n"
)
ORDERS_LINE = (
    "  rows read {n}: orders created {created}, updated {updated}, unchanged {unchanged}, lines "
    "folded into their order 0, rejected 0; new customers {new}"
)


def _rows(cli, query):
    with cli.engine().connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def _people(cli):
    c = customers
    return _rows(
        cli,
        select(c.c.id, c.c.display_name, c.c.external_id)
        .where(c.c.merged_into_id.is_(None))
        .order_by(c.c.id),
    )


def _codes(cli):
    cp = contact_points
    return _rows(cli, select(cp.c.customer_id, cp.c.value).where(cp.c.kind == "code"))


def _order_owners(cli):
    return _rows(cli, select(orders.c.external_id, orders.c.customer_id).order_by(orders.c.id))


def test_a_second_systems_code_finds_the_customer_again(cli, tmp_path):
    cli("import", write(tmp_path / "contacts.csv", BITRIX, "cp1251"))
    out = cli("import", write(tmp_path / "shop.csv", SHOP, "cp1251")).stdout
    returns = "; of the orders, returns 1 (subtracted from revenue)"
    assert (
        ORDERS_LINE.format(n=2, created=2, updated=0, unchanged=0, new=0) + returns
        in out.splitlines()
    )
    # The CRM's ID stays the customer's code; the 1C code is kept beside it.
    assert _people(cli) == [
        (1, "Смирнов Олег Игоревич", "102"),
        (2, "Кузнецова Анна Сергеевна", "103"),
    ]
    assert _codes(cli) == [(1, "00-000102")]
    # The return without a phone went to the same card, not to a new one.
    assert _order_owners(cli) == [("5001", 1), ("5002", 1)]
    # A later file with nothing but the code and the name finds the same customer.
    out = cli("import", write(tmp_path / "report.csv", REPORT_1C, "cp1251")).stdout
    assert ORDERS_LINE.format(n=1, created=1, updated=0, unchanged=0, new=0) in out.splitlines()
    assert [cid for _o, cid in _order_owners(cli)] == [1, 1, 1]
    assert len(_people(cli)) == 2


def test_a_contact_list_keeps_the_second_code_too(cli, tmp_path):
    cli("import", write(tmp_path / "contacts.csv", BITRIX))
    cli(
        "import",
        write(
            tmp_path / "1c.csv",
            "Код;Наименование;Телефон\n00-000103;Кузнецова Анна Сергеевна;89033334455\n",
        ),
    )
    assert _codes(cli) == [(2, "00-000103")]
    report = REPORT_1C.replace("Смирнов Олег Игоревич;00-000102", "Кузнецова Анна;00-000103")
    cli("import", write(tmp_path / "report.csv", report))
    assert [cid for _order, cid in _order_owners(cli)] == [2]
    # Undoing the list takes the code away with it (the orders first: they came later).
    cli("imports", "undo", "3")
    cli("imports", "undo", "2")
    assert _codes(cli) == []


def test_a_code_of_another_customer_stays_where_it_is(cli, tmp_path):
    cli(
        "import",
        write(
            tmp_path / "base.csv",
            "Код клиента;ФИО;Телефон\n00-000101;Петров Иван Сергеевич;\n"
            ";Смирнов Олег Игоревич;89262223344\n",
        ),
    )
    sale = (
        "Дата;Номер;Код клиента;Контрагент;Телефон;Сумма\n"
        "10.01.2025;5;00-000101;Смирнов Олег Игоревич;8 926 222-33-44;1 500,00\n"
    )
    out = cli("import", write(tmp_path / "sale.csv", sale)).stdout.splitlines()
    assert "  client codes left with the customer who has them: 1" in out
    assert (
        "  warning: row 2: client code 00-000101 belongs to customer #1, the row went to #2 "
        "(same phone +79262223344); the code stays with #1 (if they are one person: "
        "`clientbase dedupe merge 1 2`)"
    ) in out
    assert _people(cli) == [
        (1, "Петров Иван Сергеевич", "00-000101"),
        (2, "Смирнов Олег Игоревич", None),
    ]
    assert _codes(cli) == [] and _order_owners(cli) == [("5", 2)]
    s = cli.json("import", write(tmp_path / "sale2.csv", sale.replace(";5;", ";6;")))
    assert s["code_conflicts"] == 1 and len(s["files"][0]["warnings"]) == 1


NAMES_BASE = (
    "ФИО;Телефон;Дата рождения\n"
    "Смирнов Олег Игоревич;89262223344;\n"
    "Кузнецова Анна Сергеевна;89033334455;\n"
    "Петров Иван;;12.03.1980\n"
    "Петров Иван;;05.07.1995\n"
)


def test_an_order_known_by_a_full_name_joins_the_one_customer_of_that_name(cli, tmp_path):
    cli("import", write(tmp_path / "contacts.csv", NAMES_BASE))
    sales = (
        "Дата;Номер заказа;Код клиента;Клиент;Сумма\n"
        "10.01.2025;1;K9;Смирнов Олег Игоревич;1000\n"  # a full name, one customer: joins
        "10.01.2025;2;K8;Кузнецова Анна;1000\n"  # surname and first name only: a new card
        "10.01.2025;3;;Кузнецова Анна Сергеевна;1000\n"  # no code, the full name: joins
        "10.01.2025;4;;Петров Иван;1000\n"  # two namesakes fit: neither
    )
    out = cli("import", write(tmp_path / "sales.csv", sales)).stdout.splitlines()
    assert ORDERS_LINE.format(n=4, created=4, updated=0, unchanged=0, new=2) in out
    assert _order_owners(cli) == [("1", 1), ("2", 5), ("3", 2), ("4", 6)]
    people = _people(cli)
    assert people[0] == (1, "Смирнов Олег Игоревич", "K9")  # the code is its own now
    assert people[4:] == [(5, "Кузнецова Анна", "K8"), (6, "Петров Иван", None)]
    # The next file with that code alone finds the card it joined.
    again = "Дата;Номер заказа;Код клиента;Сумма\n11.01.2025;7;K9;500\n"
    cli("import", write(tmp_path / "again.csv", again))
    assert _order_owners(cli)[-1] == ("7", 1)


def test_a_name_with_a_code_of_another_customer_joins_nobody(cli, tmp_path):
    cli(
        "import",
        write(
            tmp_path / "c.csv", "Код клиента;ФИО;Телефон\nA1;Смирнов Олег Игоревич;89262223344\n"
        ),
    )
    sale = "Дата;Номер;Код клиента;Клиент;Сумма\n10.01.2025;1;A2;Смирнов Олег Игоревич;100\n"
    cli("import", write(tmp_path / "s.csv", sale))
    # Two codes of one system on one name: namesakes, each with their own card.
    assert _people(cli) == [
        (1, "Смирнов Олег Игоревич", "A1"),
        (2, "Смирнов Олег Игоревич", "A2"),
    ]


def test_a_contact_row_known_by_its_name_alone_follows_the_same_rule(cli, tmp_path):
    cli("import", write(tmp_path / "contacts.csv", NAMES_BASE))
    rows = (
        "ФИО,Город,Комментарий\n"
        "ПЕТРОВ ИВАН,Тверь,звонил про скидку\n"  # fits both namesakes: neither
        "смирнов олег игоревич,Тверь,\n"  # a full name, one customer
        "Смирнов Олег,Тверь,\n"  # a shorter name: its own card
    )
    dry = cli("import", write(tmp_path / "n.csv", rows), "--dry-run").stdout.splitlines()
    line = "  rows read 3: created 2, updated 1, unchanged 0, duplicates folded 0, rejected 0"
    assert line in dry
    assert line in cli("import", tmp_path / "n.csv").stdout.splitlines()
    people = _people(cli)
    assert [p[1] for p in people[4:]] == ["Петров Иван", "Смирнов Олег"]
    c = customers
    assert _rows(cli, select(c.c.city).where(c.c.id.in_((1, 3, 4))).order_by(c.c.id)) == [
        ("Тверь",),
        (None,),
        (None,),
    ]


def test_a_list_of_names_read_twice_is_not_doubled(cli, tmp_path):
    text = "ФИО;Город\nПетров Иван;Тверь\nСидорова Мария;Тула\n"
    cli("import", write(tmp_path / "a.csv", text))
    out = cli("import", write(tmp_path / "b.csv", text), "--force").stdout.splitlines()
    line = "  rows read 2: created 0, updated 0, unchanged 2, duplicates folded 0, rejected 0"
    assert line in out
    assert len(_people(cli)) == 2


def test_an_order_number_given_to_another_customer_is_moved_with_a_warning(cli, tmp_path):
    first = (
        "Дата;Номер заказа;Код клиента;Клиент;Сумма\n"
        "10.01.2025;1;A1;Гусейнов Рашид Алиевич;1 000,00\n"
        "10.01.2025;2;A2;Ким Виктор;2 000,00\n"
    )
    cli("import", write(tmp_path / "names.csv", first))
    second = (
        "Дата,Номер заказа,Код клиента,Клиент,Сумма\n"
        "10.01.2025,1,00-000102,Смирнов Олег Игоревич,1000\n"
        "10.01.2025,2,A2,Ким Виктор,2000\n"  # the same customer: updated quietly
    )
    out = cli("import", write(tmp_path / "o.csv", second)).stdout.splitlines()
    assert ORDERS_LINE.format(n=2, created=0, updated=1, unchanged=1, new=1) in out
    assert "  orders moved to another customer: 1" in out
    assert (
        "  warning: order 1: moved from customer #1 to #3 (the file gives it to another "
        "customer; `clientbase imports undo 2` puts it back)"
    ) in out
    assert _order_owners(cli) == [("1", 3), ("2", 2)]
    cli("imports", "undo", "2")
    assert _order_owners(cli) == [("1", 1), ("2", 2)]


def test_name_only_target():
    full = {"last_name": "Смирнов", "first_name": "Олег", "middle_name": "Игоревич"}
    short = {"last_name": "Петров", "first_name": "Иван"}
    # One fitting customer and a full name: joined; a shorter name joins only its own card.
    assert name_only_target([(dict(full), False)], full) == 0
    assert name_only_target([(dict(short), False)], short) is None
    assert name_only_target([(dict(short), True)], short) == 0
    # Two that fit: neither, whichever comes first.
    assert name_only_target([(dict(short), True), (dict(short), True)], short) is None
    # A namesake who cannot be the same person does not count; a different code keeps apart.
    born = {**short, "birth_year": 1980, "birth_month": 3, "birth_day": 12}
    other = {**short, "birth_year": 1995, "birth_month": 7, "birth_day": 5}
    assert name_only_target([(born, True), (other, True)], {**other}) == 1
    assert (
        name_only_target([({**full, "external_id": "A1"}, False)], {**full, "external_id": "A2"})
        is None
    )
    assert name_only_target([({**full, "external_id": "A1"}, False)], full) == 0


def test_a_row_with_an_unreadable_phone_is_not_joined_by_its_full_name(cli, tmp_path):
    cli("import", write(tmp_path / "contacts.csv", NAMES_BASE))
    rows = "ФИО;Телефон\nСмирнов Олег Игоревич;нет\nКузнецова Анна Сергеевна;\n"
    out = cli("import", write(tmp_path / "more.csv", rows)).stdout.splitlines()
    # "нет" is a phone the base cannot compare: that row is a card of its own (dedupe may
    # propose the pair); the row with no phone at all joins the one customer of its full name.
    line = "  rows read 2: created 1, updated 0, unchanged 1, duplicates folded 0, rejected 0"
    assert line in out
    assert [p[1] for p in _people(cli)[4:]] == ["Смирнов Олег Игоревич"]
    assert (
        name_only_target(
            [({"last_name": "С", "first_name": "О", "middle_name": "И"}, False)],
            {"last_name": "С", "first_name": "О", "middle_name": "И"},
            unreadable_contact=True,
        )
        is None
    )


def test_a_crm_exports_second_name_column_is_the_patronymic(cli, tmp_path):
    # Russian CRM and address-book exports name the patronymic column "Второе имя".
    text = "ID;Имя;Второе имя;Фамилия;Мобильный телефон\n101;Олег;Игоревич;Смирнов;89262223344\n"
    cli("import", write(tmp_path / "crm.csv", text))
    c = customers
    assert _rows(cli, select(c.c.middle_name, c.c.display_name)) == [
        ("Игоревич", "Смирнов Олег Игоревич")
    ]
