"""`imports undo`: what blocks it is named as it is (a merge, or a later batch that really built
on the batch's customers), and the summary says what went, orders and calls included."""

from __future__ import annotations

from conftest import write

OLD = "ФИО;Телефон;Email\nИванов Иван Петрович;+79161112233;\nСидорова Анна;+79035556677;\n"
# The same Иванов with only an email (a second card, which dedupe later merges into #1).
NEW = "ФИО;Телефон;Email\nИванов Иван Петрович;;ivanov@mail.ru\nКозлов Пётр;+79264445566;\n"
# Touches #1 (an older customer, not one of batch 2's) and adds someone.
LATER = "ФИО;Телефон;Город\nИванов Иван Петрович;+79161112233;Тверь\nПетров Олег;+79267778899;\n"


def _three_batches(cli, tmp_path) -> None:
    for name, text in (("old.csv", OLD), ("new.csv", NEW), ("later.csv", LATER)):
        cli("import", write(tmp_path / name, text))


def test_a_merge_is_named_not_a_later_batch_that_touched_only_the_survivor(cli, tmp_path):
    _three_batches(cli, tmp_path)
    assert cli.json("dedupe", "merge", "1", "3")["merge_id"] == 1
    for dry in ((), ("--dry-run",)):
        r = cli("imports", "undo", "2", *dry, expect=1)
        assert r.stderr == (
            "clientbase: error: merge 1 (dedupe) moved customers of batch 2 since it was imported "
            "(undo merge 1 first: clientbase dedupe undo 1)\n"
        )
    cli("dedupe", "undo", "1")
    r = cli("imports", "undo", "2")
    assert r.stdout == (
        "undone batch 2 (new.csv): 2 customers removed, 0 contacts removed from other customers, "
        "0 changes restored\n"
    )
    # Batch 3 was not in the way and is still all there.
    people = {c["id"]: (c["name"], c["city"]) for c in cli.contacts()}
    assert people == {
        1: ("Иванов Иван Петрович", "Тверь"),
        2: ("Сидорова Анна", None),
        5: ("Петров Олег", None),
    }
    assert [b["status"] for b in cli.json("imports", "list")] == ["done", "undone", "done"]


def test_several_merges_are_named_latest_first(cli, tmp_path):
    _three_batches(cli, tmp_path)
    write(tmp_path / "more.csv", "ФИО;Email\nКозлов Пётр;kozlov@mail.ru\n")
    cli("import", tmp_path / "more.csv")  # batch 4: a second Козлов (#6)
    cli("dedupe", "merge", "1", "3")
    cli("dedupe", "merge", "4", "6")
    r = cli("imports", "undo", "2", expect=1)
    assert r.stderr == (
        "clientbase: error: merges 2, 1 (dedupe) moved customers of batch 2 since it was "
        "imported (undo merge 2 first: clientbase dedupe undo 2)\n"
    )


def test_a_later_batch_that_built_on_the_customers_is_still_named(cli, tmp_path):
    cli("import", write(tmp_path / "new.csv", NEW))
    cli("import", write(tmp_path / "city.csv", "Email;Город\nivanov@mail.ru;Тула\n"))
    r = cli("imports", "undo", "1", expect=1)
    assert r.stderr == (
        "clientbase: error: batch 2 (imported later) also touched customers of batch 1 "
        "(undo batch 2 first)\n"
    )
    assert cli("imports", "undo", "2").stdout == (
        "undone batch 2 (city.csv): 0 customers removed, 0 contacts removed from other "
        "customers, 1 change restored\n"
    )


def test_undoing_an_orders_batch_says_how_many_orders_went(cli, tmp_path):
    cli("import", write(tmp_path / "c.csv", OLD))
    sales = (
        "Дата;Номер заказа;Клиент;Телефон;Сумма\n"
        "05.01.2026;1;Иванов Иван Петрович;+79161112233;1000\n"
        "06.01.2026;2;Иванов Иван Петрович;+79161112233;2000\n"
        "07.01.2026;3;Новиков Борис;+79031112233;500\n"
    )
    cli("import", write(tmp_path / "sales.csv", sales))
    assert cli("imports", "undo", "2", "--dry-run").stdout == (
        "would undo batch 2 (sales.csv): 1 customer removed, 3 orders removed, "
        "0 contacts removed from other customers, 0 changes restored\n"
    )
    r = cli("imports", "undo", "2")
    assert r.stdout.startswith("undone batch 2 (sales.csv): 1 customer removed, 3 orders removed")
    ru = cli("--lang", "ru", "imports", "undo", "1")
    assert ru.stdout == (
        "импорт 1 (c.csv) отменён: удалено 2 клиента, удалено 0 контактов у других клиентов, "
        "восстановлено 0 изменений\n"
    )
