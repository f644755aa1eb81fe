"""`analyze rfm`, `analyze ltv` and `analyze churn` through the CLI, on the example shop and on
small hand-made files whose figures are worked out by hand."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, timedelta

import pytest
from conftest import EXAMPLES, write

from clientbase.analytics.rfm import SEGMENTS, segment_for
from clientbase.errors import UsageError
from clientbase.services.value import metric_history, parse_horizon

RFM_KEYS = ["id", "name", "recency_days", "frequency", "monetary", "r", "f", "m", "segment"]


@pytest.fixture
def shop(cli):
    cli("import", EXAMPLES / "клиенты_магазин.csv", expect=3)
    cli("import", EXAMPLES / "продажи_2025.csv", expect=3)
    return cli


CONTACTS = """ФИО;Телефон;Откуда узнал
Иванов Иван;+79161111111;Яндекс.Директ
Петрова Мария;+79162222222;сарафанное радио
Сидоров Пётр;+79163333333;сарафанное радио
"""
ORDERS = """Дата;Номер заказа;Клиент;Телефон;Сумма;Себестоимость;Статус
10.01.2025;1;Иванов Иван;+79161111111;1000;600;Выполнен
10.03.2025;2;Иванов Иван;+79161111111;500;300;Выполнен
10.03.2025;2;Иванов Иван;+79161111111;300;200;Выполнен
10.06.2025;3;Иванов Иван;+79161111111;1200;700;Выполнен
01.02.2025;4;Петрова Мария;+79162222222;500;250;Выполнен
05.02.2025;5;Петрова Мария;+79162222222;900;250;Отменён
20.02.2025;6;Сидоров Пётр;+79163333333;700;500;Выполнен
05.04.2025;7;Сидоров Пётр;+79163333333;100;50;Выполнен
"""


@pytest.fixture
def small(cli, tmp_path):
    cli("import", write(tmp_path / "contacts.csv", CONTACTS))
    cli("import", write(tmp_path / "orders.csv", ORDERS))
    return cli


def ids_by_name(cli) -> dict:
    return {c["name"]: c["id"] for c in cli.contacts()}


# --- rfm ---------------------------------------------------------------------------------------


def test_rfm_json_matches_the_orders(shop):
    result = shop("analyze", "rfm", "--as-of", "2025-12-27", "--format", "json")
    d = json.loads(result.stdout)
    assert list(d) == ["segments", "customers"]
    assert list(d["segments"]) == list(SEGMENTS)
    assert sum(s["customers"] for s in d["segments"].values()) == len(d["customers"]) == 23
    assert all(list(row) == RFM_KEYS for row in d["customers"])
    # Frequency is distinct orders and monetary the revenue of the live ones: as abc-xyz
    # counts them (cancelled and returned orders left out by both).
    abc = {
        c["id"]: c for c in shop.json("analyze", "abc-xyz", "--as-of", "2025-12-27")["customers"]
    }
    for row in d["customers"]:
        assert row["frequency"] == abc[row["id"]]["orders"]
        assert row["monetary"] == pytest.approx(abc[row["id"]]["revenue"])
        assert row["segment"] == segment_for(row["r"], row["f"])
    revenue = sum(s["revenue"] for s in d["segments"].values())
    assert revenue == pytest.approx(sum(r["monetary"] for r in d["customers"]))
    # As of the last order (2025-12-27): its buyer has recency 0; the list is by revenue.
    assert min(r["recency_days"] for r in d["customers"]) == 0
    money = [r["monetary"] for r in d["customers"]]
    assert money == sorted(money, reverse=True)
    # Quintiles of 23 customers: equal days share a score, so the fifths are roughly even
    # (3 to 6 per score), and a warning about the small base.
    sizes = [sum(r["r"] == s for r in d["customers"]) for s in range(1, 6)]
    assert sum(sizes) == 23 and min(sizes) >= 3
    assert "only 23 customers" in result.stderr and "--scores fixed" in result.stderr
    table = shop("analyze", "rfm", "--as-of", "2025-12-27", "--top", "3").stdout
    assert "Can't lose them" in table and "top 3 of 23 by revenue" in table
    # -l/--limit means what it means everywhere: as many rows.
    for limit in (("--limit", "3"), ("-l", "3")):
        assert shop("analyze", "rfm", "--as-of", "2025-12-27", *limit).stdout == table
    ltv = shop("analyze", "ltv", "--as-of", "2025-12-27", "-l", "2").stdout
    assert "top 2 of 23 by LTV" in ltv
    lines = shop("analyze", "rfm", "--as-of", "2025-12-27", "--format", "csv").stdout.splitlines()
    assert lines[0] == ",".join(RFM_KEYS) and len(lines) == 24


def expected_score(value, cuts, *, recency=False):
    if recency:
        return 5 - sum(value > c for c in cuts)
    return 1 + sum(value >= c for c in cuts)


def test_rfm_fixed_thresholds_from_a_file(shop, tmp_path):
    toml = write(
        tmp_path / "rfm.toml",
        "# cut-offs for a small shop\nr = [7, 14, 30, 60]\nf = [3, 5, 8, 12]\n"
        "m = [20000, 50000, 100000, 200000]\n",
    )
    result = shop(
        "analyze", "rfm", "--as-of", "2025-12-27", "--thresholds", toml, "--format", "json"
    )
    assert "warning" not in result.stderr
    d = json.loads(result.stdout)
    for row in d["customers"]:
        assert row["r"] == expected_score(row["recency_days"], [7, 14, 30, 60], recency=True)
        assert row["f"] == expected_score(row["frequency"], [3, 5, 8, 12])
        assert row["m"] == expected_score(row["monetary"], [20000, 50000, 100000, 200000])
    as_json = write(
        tmp_path / "rfm.json", '{"r": [7, 14, 30, 60], "f": [3, 5, 8, 12], '
        '"m": [20000, 50000, 100000, 200000]}',
    )  # fmt: skip
    assert (
        shop.json(
            "analyze", "rfm", "--as-of", "2025-12-27", "--scores", "fixed", "--thresholds", as_json
        )
        == d
    )
    # --scores fixed alone: R and F by the built-in cut-offs, M by quintiles (and a warning).
    plain = shop("analyze", "rfm", "--as-of", "2025-12-27", "--scores", "fixed", "--format", "json")
    assert "M is scored by quintiles" in plain.stderr
    for row in json.loads(plain.stdout)["customers"]:
        assert row["r"] == expected_score(row["recency_days"], [30, 90, 180, 365], recency=True)
        assert row["f"] == expected_score(row["frequency"], [2, 3, 5, 8])


def test_rfm_usage_errors(shop, tmp_path):
    toml = write(tmp_path / "rfm.toml", "r = [7, 14, 30, 60]\n")
    err = shop("analyze", "rfm", "--scores", "quintile", "--thresholds", toml, expect=2).stderr
    assert "--thresholds sets fixed cut-offs" in err
    assert "no such file" in shop("analyze", "rfm", "--thresholds", tmp_path / "x", expect=2).stderr
    bad = write(tmp_path / "bad.toml", "r = [60, 30, 14, 7]\n")
    assert "four increasing numbers" in shop("analyze", "rfm", "--thresholds", bad, expect=2).stderr
    broken = write(tmp_path / "broken.toml", "r = [7, 14\n")
    assert "not valid TOML" in shop("analyze", "rfm", "--thresholds", broken, expect=2).stderr
    assert "--as-of" in shop("analyze", "rfm", "--as-of", "someday", expect=2).stderr
    err = shop("analyze", "rfm", "--as-of", "2024-01-01", expect=2).stderr
    assert "no customer has an order on or before 2024-01-01" in err


def test_rfm_snapshots_make_a_history(shop):
    june = shop.json("analyze", "rfm", "--as-of", "2025-06-30", "--snapshot")
    shop("analyze", "rfm", "--as-of", "2025-12-27", "--snapshot")
    shop("analyze", "rfm", "--as-of", "2025-06-30", "--snapshot")  # replaces, not adds
    history = shop.json("analyze", "rfm", "--history")
    assert [h["label"] for h in history] == ["2025-06-30", "2025-12-27"]
    assert history[0]["taken_at"].startswith("2025-06-30")
    assert history[0]["data"]["segments"] == june["segments"]
    assert history[0]["data"]["customers"] == len(june["customers"])
    assert [h.to_dict() for h in metric_history(shop.engine(), "rfm")] == history
    table = shop("analyze", "rfm", "--history").stdout
    assert "Champions" in table and "2025-12-27" in table


# --- ltv ---------------------------------------------------------------------------------------


def test_ltv_historical_by_hand(small):
    ids = ids_by_name(small)
    d = small.json("analyze", "ltv", "--as-of", "2025-06-10")
    assert (d["method"], d["as_of"], d["margin"]) == ("historical", "2025-06-10", None)
    rows = {r["id"]: r for r in d["customers"]}
    ivan = rows[ids["Иванов Иван"]]
    assert (ivan["orders"], ivan["revenue"], ivan["avg_order_value"]) == (3, 3000.0, 1000.0)
    assert (ivan["first_order"], ivan["last_order"], ivan["lifespan_days"]) == (
        "2025-01-10",
        "2025-06-10",
        151,
    )
    maria = rows[ids["Петрова Мария"]]  # the cancelled order is left out
    assert (maria["orders"], maria["ltv"], maria["lifespan_days"]) == (1, 500.0, 0)
    assert d["overall"] == {"customers": 3, "avg_ltv": 1433.33, "total": 4300.0, "median": 800.0}
    assert [r["ltv"] for r in d["customers"]] == [3000.0, 800.0, 500.0]

    m = small.json("analyze", "ltv", "--margin", "0.3", "--by", "channel", "--as-of", "2025-03-31")
    assert m["by"] == "channel"
    assert m["groups"] == [
        {"group": "Яндекс.Директ", "customers": 1, "avg_ltv": 540.0, "total": 540.0,
         "median": 540.0},
        {"group": "сарафанное радио", "customers": 2, "avg_ltv": 180.0, "total": 360.0,
         "median": 180.0},
    ]  # fmt: skip
    lines = small("analyze", "ltv", "--as-of", "2025-06-10", "--format", "csv").stdout.splitlines()
    assert lines[0] == (
        "id,name,first_order,last_order,orders,revenue,avg_order_value,lifespan_days,ltv"
    )
    assert len(lines) == 4
    table = small("analyze", "ltv", "--as-of", "2025-06-10", "--by", "channel").stdout
    assert "LTV per channel" in table and "Яндекс.Директ" in table
    # CSV with --by gives the groups (the figure --by asks for), as churn --by does.
    grouped = small(
        "analyze", "ltv", "--margin", "0.3", "--by", "channel", "--as-of", "2025-03-31",
        "--format", "csv",
    ).stdout.splitlines()  # fmt: skip
    assert grouped == [
        "group,customers,avg_ltv,total,median",
        "Яндекс.Директ,1,540.0,540.0,540.0",
        "сарафанное радио,2,180.0,360.0,180.0",
    ]


def test_ltv_groups_by_source_and_manager(shop):
    d = shop.json("analyze", "ltv", "--as-of", "2025-12-27", "--by", "source")
    groups = {g["group"]: g["customers"] for g in d["groups"]}
    # The customers the sales file brought in are its own group; the rest came with the list.
    assert groups == {"клиенты_магазин.csv": 20, "продажи_2025.csv": 3}
    m = shop.json("analyze", "ltv", "--as-of", "2025-12-27", "--by", "manager")
    assert {"Анна Смирнова", "Олег Петров", "Ирина Кузнецова"} <= {g["group"] for g in m["groups"]}
    assert sum(g["customers"] for g in m["groups"]) == 23
    total = sum(g["total"] for g in m["groups"])
    assert total == pytest.approx(m["overall"]["total"])


def test_ltv_cohort_by_hand(small):
    d = small.json("analyze", "ltv", "--as-of", "2025-06-10", "--method", "cohort")
    assert d["cohorts"] == [
        # Иванов: 1000 in January, 800 in March, 1200 in June.
        {"cohort": "2025-01", "customers": 1,
         "values": [1000.0, 1000.0, 1800.0, 1800.0, 1800.0, 3000.0]},
        # Петрова (500, February) and Сидоров (700 in February, 100 in April): per customer.
        {"cohort": "2025-02", "customers": 2,
         "values": [600.0, 600.0, 650.0, 650.0, 650.0, None]},
    ]  # fmt: skip
    margin = small.json(
        "analyze", "ltv", "--as-of", "2025-06-10", "--method", "cohort", "--value", "margin"
    )
    assert margin["cohorts"][1]["values"][:3] == [225.0, 225.0, 250.0]
    scaled = small.json(
        "analyze", "ltv", "--method", "cohort", "--margin", "0.5", "--max-months", "1"
    )
    assert [c["values"] for c in scaled["cohorts"]] == [[500.0, 500.0], [300.0, 300.0]]
    by = small.json(
        "analyze", "ltv", "--as-of", "2025-06-10", "--method", "cohort", "--by", "channel"
    )
    assert by["groups"]["сарафанное радио"][0]["values"][:3] == [600.0, 600.0, 650.0]
    lines = small(
        "analyze", "ltv", "--as-of", "2025-06-10", "--method", "cohort", "--format", "csv"
    ).stdout.splitlines()
    assert lines[0] == "cohort,customers,0,1,2,3,4,5"
    assert lines[2] == "2025-02,2,600.0,600.0,650.0,650.0,650.0,"


def test_ltv_option_errors(shop):
    for args, message in [
        (["--horizon", "6m"], "--horizon applies to --method bgnbd"),
        (["--method", "bgnbd", "--value", "margin"], "--value applies to --method cohort"),
        (["--method", "cohort", "--snapshot"], "--snapshot applies to --method historical"),
        (["--method", "bgnbd", "--horizon", "12x"], "--horizon '12x'"),
        (["--margin", "30"], "fraction"),
    ]:
        assert message in shop("analyze", "ltv", *args, expect=2).stderr


def test_ltv_bgnbd_says_when_the_data_are_thin(shop):
    err = shop("analyze", "ltv", "--as-of", "2025-12-27", "--method", "bgnbd", expect=1).stderr
    assert "too few customers for BG/NBD" in err and "use --method historical" in err
    assert len(err.strip().splitlines()) == 1


SURNAMES = ("Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Лебедев", "Козлов",
            "Новиков", "Морозов")  # fmt: skip
FIRST_NAMES = ("Иван", "Пётр", "Сергей", "Алексей", "Дмитрий", "Олег", "Андрей", "Максим")


def name_of(c: int) -> str:
    return f"{SURNAMES[c % 10]} {FIRST_NAMES[c // 10 % 8]}"


def simulated_orders() -> tuple[str, list[tuple]]:
    """80 customers buying by a BG/NBD-like process from 2024 to mid-2025 (seeded)."""
    rnd = random.Random(7)
    rows, key = [], 0
    for c in range(1, 81):
        day = date(2024, 1, 1) + timedelta(days=rnd.randrange(0, 180))
        rate = rnd.gammavariate(1.5, 1 / 30)
        drop = rnd.betavariate(1.0, 4.0)
        while day <= date(2025, 6, 30):
            key += 1
            rows.append((c, day, round(rnd.uniform(500, 3000) * (1 + c % 3), 2), key))
            if rnd.random() < drop:
                break
            day += timedelta(days=max(1, round(rnd.expovariate(rate))))
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    w.writerow(["Дата", "Номер заказа", "Код клиента", "Клиент", "Сумма"])
    for c, day, amount, k in rows:
        w.writerow([day.strftime("%d.%m.%Y"), k, f"K-{c:03d}", name_of(c), amount])
    return out.getvalue(), rows


def test_ltv_bgnbd(cli, tmp_path):
    from clientbase.analytics import clv
    from clientbase.services.analytics import load_orders

    text, rows = simulated_orders()
    cli("import", write(tmp_path / "orders.csv", text))
    d = cli.json("analyze", "ltv", "--as-of", "2025-06-30", "--method", "bgnbd", "--horizon", "26w")
    assert set(d["params"]) == {"r", "alpha", "a", "b"}
    assert set(d["gamma_gamma"]) == {"p", "q", "gamma"}
    assert d["calibration_end"] == max(r[1] for r in rows).isoformat()
    assert (d["unit"], d["horizon"], d["margin"], d["discount_rate"]) == ("week", "26w", 1.0, 0.0)
    assert d["fit"]["customers"] == 80 and d["fit"]["holdout"] is None
    days = {}
    for c, day, _, _ in rows:
        days.setdefault(c, set()).add(day)
    assert d["fit"]["repeat_buyers"] == sum(len(v) > 1 for v in days.values())
    keys = ["id", "name", "frequency", "recency", "T", "monetary", "expected_purchases",
            "p_alive", "expected_spend", "clv"]  # fmt: skip
    assert all(list(c) == keys for c in d["customers"])
    assert len(d["customers"]) == 80
    assert all(0 <= c["p_alive"] <= 1 and c["clv"] >= 0 for c in d["customers"])
    clvs = [c["clv"] for c in d["customers"]]
    assert clvs == sorted(clvs, reverse=True)

    # The command hands the model the base's orders, the horizon in weeks and the margin.
    frame = load_orders(cli.engine())
    summary = clv.summarise(frame, calibration_end=d["calibration_end"], unit="week")
    bg, gg, table = clv.predict(summary, horizon=26, margin=0.4, unit="week")
    d4 = cli.json(
        "analyze",
        "ltv",
        "--as-of",
        "2025-06-30",
        "--method",
        "bgnbd",
        "--horizon",
        "26w",
        "--margin",
        "0.4",
    )
    assert d4["params"]["r"] == pytest.approx(bg.r) and d4["log_likelihood"] == pytest.approx(
        bg.log_likelihood
    )
    assert d4["gamma_gamma"]["q"] == pytest.approx(gg.q)
    top = d4["customers"][0]
    assert top["clv"] == pytest.approx(table["clv"].max(), abs=0.01)

    # An earlier calibration end: the later orders check the prediction.
    held = cli.json(
        "analyze",
        "ltv",
        "--as-of",
        "2025-06-30",
        "--method",
        "bgnbd",
        "--calibration-end",
        "2025-03-31",
    )
    h = held["fit"]["holdout"]
    assert (h["from"], h["to"]) == ("2025-04-01", d["calibration_end"])
    early = {r[0] for r in rows if r[1] <= date(2025, 3, 31)}
    later = {(r[0], r[1]) for r in rows if r[1] > date(2025, 3, 31) and r[0] in early}
    assert h["actual_purchases"] == len(later) and h["predicted_purchases"] > 0
    table = cli(
        "analyze", "ltv", "--as-of", "2025-06-30", "--method", "bgnbd", "--by", "source"
    ).stdout
    assert "BG/NBD r =" in table and "CLV per source" in table and "orders.csv" in table
    by = cli.json("analyze", "ltv", "--as-of", "2025-06-30", "--method", "bgnbd", "--by", "source")[
        "groups"
    ]
    lines = cli(
        "analyze",
        "ltv",
        "--as-of",
        "2025-06-30",
        "--method",
        "bgnbd",
        "--by",
        "source",
        "--format",
        "csv",
    )
    parsed = list(csv.DictReader(lines.stdout.splitlines()))
    assert list(parsed[0]) == ["group", "customers", "avg_clv", "total_clv", "avg_p_alive"]
    assert [(r["group"], int(r["customers"])) for r in parsed] == [
        (g["group"], g["customers"]) for g in by
    ]


def test_ltv_snapshot_keeps_the_average_per_channel(small):
    small("analyze", "ltv", "--as-of", "2025-06-10", "--snapshot", "--by", "source")
    small("analyze", "ltv", "--as-of", "2025-03-31", "--snapshot", "--label", "Q1")
    history = small.json("analyze", "ltv", "--history")
    assert [h["label"] for h in history] == ["Q1", "2025-06-10"]
    q1 = history[0]["data"]
    assert (q1["as_of"], q1["customers"], q1["avg_ltv"]) == ("2025-03-31", 3, 1000.0)
    assert q1["channels"] == {
        "Яндекс.Директ": {"customers": 1, "avg_ltv": 1800.0, "total": 1800.0},
        "сарафанное радио": {"customers": 2, "avg_ltv": 600.0, "total": 1200.0},
    }
    assert history[1]["data"]["channels"]["сарафанное радио"]["avg_ltv"] == 650.0
    csv_lines = small("analyze", "ltv", "--history", "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "taken_at,label,customers,avg_ltv,Яндекс.Директ,сарафанное радио"


# --- churn -------------------------------------------------------------------------------------

HISTORY = {
    "Первый Покупатель": ["01.01.2023", "01.06.2024", "01.03.2025"],
    "Второй Покупатель": ["01.05.2023"],
    "Третий Покупатель": ["31.12.2023", "31.12.2024"],
    "Четвёртый Покупатель": ["01.02.2024"],
    "Пятый Покупатель": ["01.06.2025"],
    "Седьмой Покупатель": ["01.09.2024", "11.09.2024", "21.09.2024", "01.05.2025"],
}


@pytest.fixture
def years(cli, tmp_path):
    lines = ["Дата;Номер заказа;Код клиента;Клиент;Сумма"]
    n = 0
    for i, (name, days) in enumerate(HISTORY.items()):
        for day in days:
            n += 1
            lines.append(f"{day};{n};C-{i};{name};1000")
    contacts = ["Код клиента;ФИО;Источник"] + [
        f"C-{i};{name};{'Авито' if i % 2 else 'вывеска'}" for i, name in enumerate(HISTORY)
    ]
    cli("import", write(tmp_path / "clients.csv", "\n".join(contacts) + "\n"))
    cli("import", write(tmp_path / "orders.csv", "\n".join(lines) + "\n"))
    return cli


def test_churn_by_hand(years):
    d = years.json("analyze", "churn", "--as-of", "2025-06-01")
    assert (d["inactive_days"], d["relative"], d["as_of"]) == (365, False, "2025-06-01")
    assert d["base_loss"] == [
        {"year": 2024, "active_at_start": 3, "lost": 1, "loss_rate": 0.3333, "partial": False,
         "through": "2024-12-31"},
        {"year": 2025, "active_at_start": 4, "lost": 2, "loss_rate": 0.5, "partial": True,
         "through": "2025-06-01"},
    ]  # fmt: skip
    assert "2025 is not over" in d["notes"][0]
    rel = years.json("analyze", "churn", "--relative", "--as-of", "2025-12-31")
    assert [
        (r["year"], r["active_at_start"], r["lost"], r["partial"]) for r in rel["base_loss"]
    ] == [
        (2024, 3, 1, False),
        (2025, 3, 2, False),
    ]
    first = d["retention"][0]
    assert first == {"cohort": "2023-01", "customers": 1, "shares": first["shares"]}
    assert first["shares"][:3] == [1.0, 0.0, 0.0] and first["shares"][17] == 1.0
    by = years.json("analyze", "churn", "--as-of", "2025-06-01", "--by", "channel")
    per = {(r["group"], r["year"]): (r["active_at_start"], r["lost"]) for r in by["groups"]}
    # вывеска: customers 0, 2, 4; Авито: 1, 3, 5 (in the order of HISTORY).
    assert per[("вывеска", 2025)] == (2, 1) and per[("Авито", 2025)] == (2, 1)
    # Авито's first order is in May 2023, but the base's records begin in January: 2024 counts.
    assert per[("вывеска", 2024)] == (2, 0) and per[("Авито", 2024)] == (1, 1)


def test_churn_outputs(years):
    lines = years(
        "analyze", "churn", "--as-of", "2025-06-01", "--format", "csv"
    ).stdout.splitlines()
    # Both tables in one long CSV: the base loss per year, then the retention per cohort.
    assert lines[:3] == [
        "table,group,year,active_at_start,lost,loss_rate,partial,through,cohort,customers,month,share",
        "base_loss,,2024,3,1,0.3333,no,2024-12-31,,,,",
        "base_loss,,2025,4,2,0.5,yes,2025-06-01,,,,",
    ]
    assert lines[3] == "retention,,,,,,,,2023-01,1,0,1.0"
    retention = [line.split(",") for line in lines[3:]]
    assert all(r[0] == "retention" for r in retention) and len(retention) > 10
    data = years.json("analyze", "churn", "--as-of", "2025-06-01")
    assert len(retention) == sum(sum(v is not None for v in r["shares"]) for r in data["retention"])
    # --by channel: a block per channel, or the reason it has none.
    by = years("analyze", "churn", "--as-of", "2025-06-01", "--by", "channel").stdout
    for group in {r["group"] for r in years.json("analyze", "churn", "--as-of", "2025-06-01",
                                                  "--by", "channel")["groups"]}:  # fmt: skip
        assert f"channel: {group}" in by
    short = years("analyze", "churn", "--as-of", "2023-06-01", "--by", "channel").stdout
    assert "no base loss to show: the orders do not yet cover a full year" in short
    matrix = years(
        "analyze", "churn", "--as-of", "2025-06-01", "--retention", "--format", "csv"
    ).stdout.splitlines()
    assert matrix[0].startswith("cohort,customers,0,1,2,") and matrix[1].startswith(
        "2023-01,1,1.0,"
    )
    table = years("analyze", "churn", "--as-of", "2025-06-01", "--inactive-days", "30").stdout
    assert "inactive after 30 days" in table and "retention" in table
    assert "2024" in table and "100.0 %" in table


def test_no_orders_yet(cli):
    # Not a usage error (2): the command line is right, the base has nothing to analyse yet.
    for args in (["rfm"], ["ltv"], ["ltv", "--method", "cohort"], ["ltv", "--method", "bgnbd"],
                 ["churn"], ["abc-xyz"]):  # fmt: skip
        err = cli("analyze", *args, expect=1).stderr
        assert err == (
            "clientbase: error: there are no orders in the base yet (clientbase import ORDERS.csv)\n"
        )


def test_parse_horizon():
    assert parse_horizon("12m") == pytest.approx(365.25)
    assert parse_horizon("52w") == 364 and parse_horizon("365d") == 365
    assert parse_horizon("1,5y") == pytest.approx(547.875)
    for bad in ("", "12", "m", "0d", "12 months"):
        with pytest.raises(UsageError):
            parse_horizon(bad)
