"""`clientbase dedupe` through the command line, on lists the import cannot fold by itself."""

from __future__ import annotations

from conftest import write
from sqlalchemy import func, select

from clientbase.db.models import customers, dedupe_candidates, merges, not_duplicates

HEADER = "ФИО;Телефон;E-mail;Дата рождения;Город;Источник\n"
# The shop's list. Иван and Мария share a family phone: the import keeps them apart, and so
# must dedupe.
SHOP = HEADER + (
    "Саша Иванова;+7 916 123-45-67;sasha.ivanova@gmail.com;02.03.1985;Москва;Авито\n"
    "Петров Пётр;8 (495) 123-45-67;;;;\n"
    "Иван Смирнов;8 926 111-22-33;;;;\n"
    "Мария Смирнова;8 926 111-22-33;;;;\n"
    "Ольга Кузнецова;8 915 000-11-22;olga.k@mail.ru;12.07.1990;;\n"
)
# The CRM's export: the same Александра with another phone and the Gmail address without the
# dot (one mailbox, a different string: the import cannot tell); Ольга with a new number and
# no e-mail, known by her name and birthday only; Пётр with a city number under another code
# (the same seven digits: maybe him, a person should look).
CRM = HEADER + (
    "Иванова Александра Петровна;8 (917) 765-43-21;SashaIvanova@gmail.com;1985-03-02;Тверь;CRM\n"
    "Кузнецова Ольга;8 915 999-88-77;;12.07.1990;;CRM\n"
    "Сидоров Алексей;8 999 123-00-00;;;;CRM\n"
    "Петров Петр;8 (499) 123-45-67;;;;CRM\n"
)
# Customer ids in a fresh base: in the order of the rows.
SASHA, PETR, IVAN, MARIA, OLGA, ALEX, OLGA2, SIDOROV, PETR2 = range(1, 10)


def _setup(cli, tmp_path) -> None:
    cli("import", write(tmp_path / "shop.csv", SHOP))
    r = cli.json("import", write(tmp_path / "crm.csv", CRM))
    assert r["created"] == 4  # nothing folded by the import itself
    assert [c["id"] for c in cli.contacts()] == list(range(1, 10))


def _count(cli, table) -> int:
    with cli.engine().connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _groups(data) -> list[list[int]]:
    return [g["ids"] for g in data]


def test_an_import_stores_the_pairs_it_brings_for_review(cli, tmp_path):
    cli("import", write(tmp_path / "shop.csv", SHOP))
    r = cli.json("import", write(tmp_path / "crm.csv", CRM))
    assert r["possible_duplicates"] == 3
    assert _groups(cli.json("dedupe", "review")) == [[SASHA, ALEX], [OLGA, OLGA2], [PETR, PETR2]]
    assert _count(cli, merges) == 0  # proposed, not merged
    # The table summary says so; --no-dedupe leaves the pass out.
    shura = HEADER + "Иванова Шура;;shura@mail.ru;02.03.1985;;\n"
    told = cli("import", write(tmp_path / "shura.csv", shura))
    assert told.stderr.startswith("2 possible duplicates of the new customers wait for review")
    quiet = cli("import", write(tmp_path / "shura2.csv", shura.replace("shura@", "shura2@")),
                "--no-dedupe")  # fmt: skip
    assert "possible duplicate" not in quiet.stderr
    assert _count(cli, dedupe_candidates) == 5
    # A dry run of an import stores nothing.
    cli("import", write(tmp_path / "more.csv", HEADER + "Иванова Саша;;;02.03.1985;;\n"),
        "--dry-run")  # fmt: skip
    assert _count(cli, dedupe_candidates) == 5


def test_dry_run_shows_each_group_with_its_reasons_and_writes_nothing(cli, tmp_path):
    _setup(cli, tmp_path)
    with cli.engine().begin() as conn:  # start from an empty review list
        conn.execute(dedupe_candidates.delete())
    r = cli("dedupe", "--dry-run")
    assert "Would merge (score at or above 0.90)" in r.stdout
    assert f"1. {SASHA}, {ALEX}  score 1.00, keeps {SASHA}" in r.stdout
    assert "sasha.ivanova@gmail.com = sashaivanova@gmail.com" in r.stdout
    assert "Саша ≈ Александра" in r.stdout and "same birthday 1985-03-02" in r.stdout
    assert f"For review (below 0.90):\n1. {PETR}, {PETR2}" in r.stdout
    assert f"clientbase dedupe not-duplicate {PETR} {PETR2}" in r.stdout
    assert "2 groups to merge" in r.stderr and "dry run, nothing written" in r.stderr
    data = cli.json("dedupe", "--dry-run")
    assert (data["dry_run"], data["threshold"], data["customers"], data["merged"]) == (
        True, 0.9, 9, 0)  # fmt: skip
    assert _groups(data["auto"]) == [[SASHA, ALEX], [OLGA, OLGA2]]
    assert _groups(data["review"]) == [[PETR, PETR2]]
    g = data["auto"][0]
    assert (g["survivor"], g["merge_id"]) == (SASHA, None) and g["score"] >= data["threshold"]
    assert g["customers"] == [{"id": SASHA, "name": "Иванова Саша"},
                              {"id": ALEX, "name": "Иванова Александра Петровна"}]  # fmt: skip
    assert g["links"][0]["a"] == SASHA and g["links"][0]["reasons"] == g["reasons"]
    # The family phone is no evidence that Иван is Мария.
    assert not any(IVAN in ids for ids in _groups(data["auto"] + data["review"]))
    assert _count(cli, merges) == 0 and _count(cli, dedupe_candidates) == 0
    # Not a terminal and no --yes (cron): a dry run, and it says so.
    r = cli("dedupe")
    assert "not a terminal and no --yes: a dry run" in r.stderr
    assert _count(cli, merges) == 0 and _count(cli, dedupe_candidates) == 0


def test_yes_merges_only_the_groups_above_the_threshold(cli, tmp_path):
    _setup(cli, tmp_path)
    r = cli.json("dedupe", "--yes")
    assert (r["dry_run"], r["merged"], r["customers_merged_away"]) == (False, 2, 2)
    assert [g["merge_id"] for g in r["auto"]] == [1, 2]
    live = [c["id"] for c in cli.contacts()]
    assert live == [SASHA, PETR, IVAN, MARIA, OLGA, SIDOROV, PETR2]
    card = cli.json("contacts", "show", str(SASHA))
    # The fullest name, both phones and both spellings of the e-mail, the first source, the
    # newer city, and the rows of both files as provenance.
    assert card["name"] == "Иванова Александра Петровна"
    assert card["phones"] == ["+79161234567", "+79177654321"]
    assert card["emails"] == ["sasha.ivanova@gmail.com", "sashaivanova@gmail.com"]
    assert (card["birthday"], card["source"], card["city"]) == ("1985-03-02", "Авито", "Тверь")
    assert [(p["import"], p["row"]) for p in card["provenance"]] == [(1, 2), (2, 2)]
    assert cli.json("contacts", "show", str(ALEX))["merged_into"] == SASHA
    assert f"merged into customer #{SASHA}" in cli("contacts", "show", str(ALEX)).stdout
    # What is below the threshold waits for review; nothing is left to merge automatically.
    assert _groups(cli.json("dedupe", "review")) == [[PETR, PETR2]]
    again = cli.json("dedupe", "--yes")
    assert again["merged"] == 0 and _groups(again["review"]) == [[PETR, PETR2]]
    # A lower threshold takes the rest too.
    low = cli.json("dedupe", "--yes", "--auto-merge-above", "0.6")
    assert low["merged"] == 1 and _groups(low["auto"]) == [[PETR, PETR2]]
    assert cli.json("dedupe", "review") == []


def test_review_merge_undo_and_not_duplicate(cli, tmp_path):
    _setup(cli, tmp_path)
    out = cli("dedupe", "review").stdout
    assert out.startswith("3 to review:") and "Саша ≈ Александра" in out
    r = cli.json("dedupe", "merge", str(PETR2), str(PETR))
    assert (r["merge_id"], r["survivor"], r["merged"]) == (1, PETR, [PETR2])
    assert r["reasons"][0] == "merged by hand" and "same surname Петров" in r["reasons"]
    assert _groups(cli.json("dedupe", "review")) == [[SASHA, ALEX], [OLGA, OLGA2]]
    # The import that brought the second Пётр cannot be undone under the merge.
    err = cli("imports", "undo", "2", expect=1).stderr
    assert err.count("\n") == 1 and "undo merge 1 first: clientbase dedupe undo 1" in err
    hist = cli.json("dedupe", "history")
    assert [(h["id"], h["survivor"], h["merged"], h["undone_at"]) for h in hist] == [
        (1, PETR, [PETR2], None)]  # fmt: skip
    assert cli("dedupe", "undo", "1").stdout.startswith(f"merge 1 undone: customer {PETR2} back")
    assert PETR2 in [c["id"] for c in cli.contacts()]
    assert cli.json("dedupe", "history")[0]["undone_at"] is not None
    assert "undone already" in cli("dedupe", "undo", "1", expect=1).stderr
    # The pair waits for review again; marked as different people it never comes back.
    assert [PETR, PETR2] in _groups(cli.json("dedupe", "review"))
    r = cli.json("dedupe", "not-duplicate", str(PETR2), str(PETR))
    assert r == {"a": PETR, "b": PETR2, "new": True, "candidates_rejected": 1}
    assert [PETR, PETR2] not in _groups(cli.json("dedupe", "review"))
    data = cli.json("dedupe", "--dry-run", "--auto-merge-above", "0.6")
    assert not any(PETR2 in ids for ids in _groups(data["auto"] + data["review"]))
    assert "noted before" in cli("dedupe", "not-duplicate", str(PETR), str(PETR2)).stdout
    assert _count(cli, not_duplicates) == 1
    cli("imports", "undo", "2")  # no merge in the way now


def test_not_duplicate_holds_after_one_side_is_merged(cli, tmp_path):
    _setup(cli, tmp_path)
    cli("dedupe", "not-duplicate", str(SASHA), str(ALEX))
    cli("dedupe", "merge", str(ALEX), str(SIDOROV))  # ALEX lives on as SIDOROV's survivor
    data = cli.json("dedupe", "--dry-run")
    assert not any(SASHA in ids for ids in _groups(data["auto"] + data["review"]))
    assert "were merged into" not in cli("dedupe", "review").stderr


def test_undo_of_a_merge_a_later_merge_builds_on_is_refused(cli, tmp_path):
    _setup(cli, tmp_path)
    first = cli.json("dedupe", "merge", str(SASHA), str(ALEX))["merge_id"]
    second = cli.json("dedupe", "merge", str(SASHA), str(SIDOROV))["merge_id"]
    err = cli("dedupe", "undo", str(first), expect=1).stderr
    assert err.count("\n") == 1 and f"undo merge {second} first" in err
    cli("dedupe", "undo", str(second))
    cli("dedupe", "undo", str(first))
    with cli.engine().connect() as conn:
        assert (
            conn.execute(
                select(func.count()).where(customers.c.merged_into_id.is_not(None))
            ).scalar_one()
            == 0
        )


def test_errors_are_one_line_with_exit_codes(cli, tmp_path):
    _setup(cli, tmp_path)
    cli("dedupe", "merge", str(OLGA), str(OLGA2))
    for args, code, text in [
        (("dedupe", "merge", "1", "999"), 1, "there is no customer 999"),
        (("dedupe", "merge", "1"), 2, "at least two"),
        (("dedupe", "merge", "1", "1"), 2, "at least two"),
        (("dedupe", "merge", "1", str(OLGA2)), 1, f"customer {OLGA2} was merged into customer"),
        (("dedupe", "merge", "1", "2", "--survivor", "3"), 2, "the survivor 3 is not one of 1, 2"),
        (("dedupe", "not-duplicate", "1", "999"), 1, "there is no customer 999"),
        (("dedupe", "not-duplicate", "1", "1"), 2, "two different customer ids"),
        (("dedupe", "not-duplicate", str(OLGA), str(OLGA2)), 1, "were merged into"),
        (("dedupe", "undo", "77"), 1, "there is no merge 77"),
    ]:
        r = cli(*args, expect=code)
        assert r.stderr.startswith("clientbase: error: ") and text in r.stderr, r.stderr
        assert r.stderr.count("\n") == 1
    assert "--auto-merge-above" in cli("dedupe", "--auto-merge-above", "2", expect=2).stderr


def test_history_and_review_shapes(cli, tmp_path):
    _setup(cli, tmp_path)
    assert cli.json("dedupe", "history") == []
    assert cli("-q", "dedupe", "--yes").stdout == ""  # cron: silent
    hist = cli.json("dedupe", "history")
    assert [h["id"] for h in hist] == [2, 1]
    assert set(hist[0]) == {"id", "at", "survivor", "name", "merged", "score", "reason",
                            "undone_at"}  # fmt: skip
    assert (hist[1]["survivor"], hist[1]["merged"]) == (SASHA, [ALEX]) and hist[1]["score"] >= 0.9
    assert hist[1]["reason"].startswith("same email sasha.ivanova@gmail.com")
    rows = cli("dedupe", "history", "--format", "csv").stdout.splitlines()
    assert rows[0] == "id,at,survivor,name,merged,score,reason,undone_at" and len(rows) == 3
    assert "Иванова Александра Петровна" in cli("dedupe", "history").stdout
    [g] = cli.json("dedupe", "review")
    assert set(g) == {"ids", "survivor", "customers", "score", "reasons", "links", "merge_id"}
    assert [set(link) for link in g["links"]] == [{"a", "b", "score", "reasons"}]


def test_a_bulk_load_is_left_to_a_dedupe_run(cli, tmp_path, monkeypatch):
    from pathlib import Path

    from clientbase.services import dedupe
    from clientbase.services.imports import ImportOptions, run_import

    cli("import", write(tmp_path / "shop.csv", SHOP))
    monkeypatch.setattr(dedupe, "AFTER_IMPORT_MAX", 3)  # the CRM file brings 4 customers
    r = cli.json("import", write(tmp_path / "crm.csv", CRM))
    assert r["created"] == 4 and r["possible_duplicates"] is None
    assert cli.json("dedupe", "review") == []
    assert _groups(cli.json("dedupe", "--dry-run")["auto"]) == [[SASHA, ALEX], [OLGA, OLGA2]]
    # Scripts can leave the pass out altogether.
    more = write(tmp_path / "more.csv", HEADER + "Иванова Шура;;shura@mail.ru;02.03.1985;;\n")
    result = run_import(cli.engine(), [Path(more)], ImportOptions(find_duplicates=False))
    assert result.possible_duplicates is None and result.files[0].counts.created == 1
    assert _count(cli, dedupe_candidates) == 0
    # Telling a bulk load apart reads one customer past the limit, not every row of the batch.
    batch = r["files"][0]["batch_id"]
    assert len(dedupe.batch_customers(cli.engine(), batch)) == 4
    assert len(dedupe.batch_customers(cli.engine(), batch, limit=2)) == 2
    # Exactly at the limit, the pass still runs.
    monkeypatch.setattr(dedupe, "AFTER_IMPORT_MAX", 4)
    assert dedupe.after_batches(cli.engine(), [batch]) is not None


def test_on_a_terminal_it_asks_first(cli, tmp_path, monkeypatch):
    from clientbase.cli import dedupe as dedupe_cli
    from clientbase.cli.main import app

    _setup(cli, tmp_path)
    monkeypatch.setattr(dedupe_cli, "_interactive", lambda: True)
    args = ["--db", str(cli.db), "dedupe"]
    r = cli.runner.invoke(app, args, input="n\n")
    assert r.exit_code == 1 and "Merge these 2 groups?" in r.stderr
    assert f"1. {SASHA}, {ALEX}" in r.stdout and "nothing changed" in r.stderr
    assert _count(cli, merges) == 0
    r = cli.runner.invoke(app, args, input="y\n")
    assert r.exit_code == 0 and _count(cli, merges) == 2
    assert "merged 2 of 2 groups (2 customers folded in)" in r.stderr
