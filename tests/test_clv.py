"""BG/NBD and Gamma-Gamma (predictive LTV): the summary on hand-computed orders, likelihoods
against the formulas worked by hand, recovery of known parameters from simulated customers,
the thin-data guard, and the CLV arithmetic of predict."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

from clientbase.analytics import clv
from clientbase.errors import ClientbaseError, UsageError

# --- helpers -----------------------------------------------------------------------------------


def orders(rows) -> pd.DataFrame:
    """Orders from (customer_id, "YYYY-MM-DD[ HH:MM]", amount)."""
    return pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "ordered_at": pd.to_datetime([pd.Timestamp(r[1]) for r in rows]),
            "amount": [float(r[2]) for r in rows],
        }
    )


def simulate_bgnbd(n, r, alpha, a, b, *, seed, t_range=(26.0, 52.0)) -> pd.DataFrame:
    """(x, t_x, T) of n customers drawn from BG/NBD: a Poisson process at rate lambda ~
    Gamma(r, alpha), dropping out after each repeat purchase with p ~ Beta(a, b)."""
    rng = np.random.default_rng(seed)
    T = rng.uniform(*t_range, n)
    lam = np.maximum(rng.gamma(r, 1.0 / alpha, n), 1e-300)
    drop = rng.beta(a, b, n)
    x, tx, clock = np.zeros(n, dtype=np.int64), np.zeros(n), np.zeros(n)
    active = np.arange(n)
    while active.size:
        clock[active] += rng.exponential(1.0 / lam[active])
        active = active[clock[active] <= T[active]]
        x[active] += 1
        tx[active] = clock[active]
        active = active[rng.random(active.size) >= drop[active]]
    frame = pd.DataFrame({"frequency": x, "recency": tx, "T": T})
    frame.index = pd.RangeIndex(1, n + 1, name="customer_id")
    return frame


def add_spend(summary, p, q, gamma, *, seed) -> pd.DataFrame:
    """monetary = mean of x purchase values ~ Gamma(p, nu), nu ~ Gamma(q, gamma) per customer;
    the mean of x such values is Gamma(p x, x nu)."""
    rng = np.random.default_rng(seed)
    x = summary["frequency"].to_numpy()
    nu = rng.gamma(q, 1.0 / gamma, len(x))
    shape = np.maximum(p * x, 1.0)
    mean = rng.gamma(shape, 1.0 / (np.maximum(x, 1) * nu))
    return summary.assign(monetary=np.where(x > 0, mean, 0.0))


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    base = simulate_bgnbd(4000, 0.8, 6.0, 0.7, 3.0, seed=0)
    return add_spend(base, 5.0, 4.0, 30.0, seed=0)


# --- summarise ---------------------------------------------------------------------------------

HAND = [
    (1, "2026-01-01 10:00", 100),
    (1, "2026-01-01 18:30", 50),  # same day: one purchase worth 150
    (1, "2026-01-08", 30),
    (1, "2026-01-22", 60),
    (1, "2026-02-10", 999),  # after the calibration end: ignored
    (2, "2026-01-15 10:30", 40),
    (2, "2026-01-15 18:00", 10),  # one purchase only: x = 0
    (3, "2026-02-01", 500),  # only after the end: not a customer yet
    (4, "2026-01-31 23:59", 70),  # on the last day: counts, T = 0
]


def test_summarise_counts_days_and_ignores_later_orders():
    s = clv.summarise(orders(HAND), calibration_end="2026-01-31", unit="week")
    assert list(s.index) == [1, 2, 4]
    assert list(s.columns) == ["frequency", "recency", "T", "monetary"]
    assert s.loc[1, "frequency"] == 2  # Jan 8 and Jan 22 after Jan 1
    assert s.loc[1, "recency"] == pytest.approx(3.0)  # 21 days
    assert s.loc[1, "T"] == pytest.approx(30 / 7)
    assert s.loc[1, "monetary"] == pytest.approx(45.0)  # (30 + 60) / 2; the first day left out
    assert s.loc[2].tolist() == pytest.approx([0, 0.0, 16 / 7, 0.0])
    assert s.loc[4].tolist() == pytest.approx([0, 0.0, 0.0, 0.0])
    assert s.attrs["unit"] == "week"


def test_summarise_units():
    days = clv.summarise(orders(HAND), calibration_end="2026-01-31", unit="day")
    months = clv.summarise(orders(HAND), calibration_end="2026-01-31", unit="month")
    assert days.loc[1, ["recency", "T"]].tolist() == [21.0, 30.0]
    assert months.loc[1, ["recency", "T"]].tolist() == pytest.approx([21 / 30.4375, 30 / 30.4375])
    assert months.loc[1, "monetary"] == days.loc[1, "monetary"] == 45.0
    with pytest.raises(UsageError, match="unit 'year'"):
        clv.summarise(orders(HAND), calibration_end="2026-01-31", unit="year")


def test_summarise_missing_dates_and_amounts():
    frame = orders([(1, "2026-01-01", 10), (1, "2026-01-05", 20), (1, "2026-01-09", 30)])
    frame.loc[1, "ordered_at"] = pd.NaT
    frame.loc[2, "amount"] = np.nan
    s = clv.summarise(frame, calibration_end=pd.Timestamp("2026-01-10"), unit="day")
    assert s.loc[1].tolist() == [1, 8.0, 9.0, 0.0]  # the undated order is dropped, NaN is 0


def test_summarise_nothing_before_the_end():
    s = clv.summarise(orders(HAND), calibration_end="2025-12-31")
    assert s.empty and list(s.columns) == ["frequency", "recency", "T", "monetary"]


# --- likelihoods by hand -----------------------------------------------------------------------


def test_bgnbd_log_likelihood_matches_the_formula_by_hand():
    # r = 0.5, alpha = 2, a = 0.8, b = 2.5. L = Gamma(r+x)/Gamma(r) alpha^r B(a,b+x)/B(a,b)
    # [(alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x)]; the gamma ratios reduce to
    # products: Gamma(r+2)/Gamma(r) = 1.5 * 0.5, B(a, b+2)/B(a, b) = (3.5 * 2.5) / (4.3 * 3.3).
    first = math.sqrt(2) * (2 + 10) ** -0.5  # x = 0, T = 10
    second = (  # x = 2, t_x = 5, T = 10
        0.75 * math.sqrt(2) * (8.75 / 14.19) * (12**-2.5 + 0.8 / 3.5 * 7**-2.5)
    )
    third = 0.5 * math.sqrt(2) * (2.5 / 3.3) * (8**-1.5 + 0.8 / 2.5 * 6**-1.5)  # 1, 4, 6
    by_hand = math.log(first) + math.log(second) + math.log(third)
    ours = clv.bgnbd_log_likelihood(0.5, 2.0, 0.8, 2.5, [0, 2, 1], [0, 5, 4], [10, 10, 6])
    assert ours == pytest.approx(by_hand, rel=1e-12)
    # weights stand for repeated identical customers
    twice = clv.bgnbd_log_likelihood(0.5, 2.0, 0.8, 2.5, [2], [5], [10], weights=[2])
    assert twice == pytest.approx(2 * math.log(second), rel=1e-12)


def test_gamma_gamma_log_likelihood_matches_the_formula_by_hand():
    # p = 2, q = 3, gamma = 10: Gamma(px+q)/(Gamma(px)Gamma(q)) gamma^q m^(px-1) x^(px)
    # / (gamma + m x)^(px+q)
    first = 720 / (6 * 2) * 1000 * 5**3 * 2**4 / 20**7  # x = 2, m = 5: 0.09375
    second = 24 / 2 * 1000 * 4 / 14**5  # x = 1, m = 4
    ours = clv.gamma_gamma_log_likelihood(2.0, 3.0, 10.0, [2, 1], [5.0, 4.0])
    assert first == pytest.approx(0.09375)
    assert ours == pytest.approx(math.log(first) + math.log(second), rel=1e-12)


# --- fitting -----------------------------------------------------------------------------------


def test_fit_bgnbd_recovers_simulated_parameters(simulated):
    fit = clv.fit_bgnbd(simulated)
    assert fit.customers == 4000
    assert fit.repeat_buyers == int((simulated["frequency"] > 0).sum())
    assert fit.r == pytest.approx(0.8, rel=0.15)
    assert fit.alpha == pytest.approx(6.0, rel=0.25)
    assert fit.a == pytest.approx(0.7, rel=0.3)
    assert fit.b == pytest.approx(3.0, rel=0.4)
    x, tx, T = (simulated[c] for c in ("frequency", "recency", "T"))
    # the reported likelihood is the one at the reported parameters, and it beats the truth
    assert fit.log_likelihood == pytest.approx(
        clv.bgnbd_log_likelihood(fit.r, fit.alpha, fit.a, fit.b, x, tx, T), rel=1e-12
    )
    assert fit.log_likelihood >= clv.bgnbd_log_likelihood(0.8, 6.0, 0.7, 3.0, x, tx, T)


def test_fit_bgnbd_does_not_depend_on_the_time_unit(simulated):
    weeks = clv.fit_bgnbd(simulated)
    days = clv.fit_bgnbd(simulated.assign(recency=simulated["recency"] * 7, T=simulated["T"] * 7))
    assert [days.r, days.a, days.b] == pytest.approx([weeks.r, weeks.a, weeks.b], rel=1e-4)
    assert days.alpha == pytest.approx(7 * weeks.alpha, rel=1e-4)


def test_fit_gamma_gamma_recovers_simulated_parameters(simulated):
    gg = clv.fit_gamma_gamma(simulated)
    repeaters = simulated[simulated["frequency"] > 0]
    assert gg.customers == len(repeaters)
    assert gg.p == pytest.approx(5.0, rel=0.2)
    assert gg.q == pytest.approx(4.0, rel=0.2)
    assert gg.gamma == pytest.approx(30.0, rel=0.3)
    assert gg.log_likelihood >= clv.gamma_gamma_log_likelihood(
        5.0, 4.0, 30.0, repeaters["frequency"], repeaters["monetary"]
    )
    # money is scaled inside the fit: roubles instead of hundreds of roubles scale gamma only
    cents = clv.fit_gamma_gamma(simulated.assign(monetary=simulated["monetary"] * 100))
    assert [cents.p, cents.q] == pytest.approx([gg.p, gg.q], rel=1e-4)
    assert cents.gamma == pytest.approx(100 * gg.gamma, rel=1e-4)


def test_gamma_gamma_ignores_customers_without_repeat_spend(simulated):
    gg = clv.fit_gamma_gamma(simulated)
    extra = pd.DataFrame(
        {
            "frequency": [0, 0, 3],
            "recency": [0.0, 0.0, 10.0],
            "T": [30.0, 40.0, 30.0],
            "monetary": [0.0, 0.0, 0.0],
        },
        index=pd.Index([-1, -2, -3], name="customer_id"),
    )
    assert clv.fit_gamma_gamma(pd.concat([simulated, extra])) == gg


# --- thin data ---------------------------------------------------------------------------------


def test_thin_data_says_why():
    small = simulate_bgnbd(12, 0.8, 6.0, 0.7, 3.0, seed=3).head(12)
    small["frequency"] = [3, 1] + [0] * 10
    small["recency"] = [20.0, 5.0] + [0.0] * 10
    with pytest.raises(clv.ThinDataError) as caught:
        clv.fit_bgnbd(small)
    assert isinstance(caught.value, ClientbaseError) and caught.value.exit_code == 1
    assert str(caught.value).startswith("12 customers, 2 of them bought more than once")
    assert "use --method historical" in str(caught.value)


def test_thin_data_few_repeat_buyers_among_many():
    many = simulate_bgnbd(300, 0.8, 6.0, 0.7, 3.0, seed=4)
    repeat = many.index[many["frequency"] > 0]
    many.loc[repeat[9:], ["frequency", "recency"]] = 0  # leave 9 repeat buyers
    with pytest.raises(clv.ThinDataError, match=r"300 customers, 9 of them.*repeat buyers"):
        clv.fit_bgnbd(many)
    with pytest.raises(clv.ThinDataError, match="9 customers bought more than once"):
        clv.fit_gamma_gamma(many.assign(monetary=np.where(many["frequency"] > 0, 20.0, 0.0)))


def test_thin_data_when_the_model_is_not_identified():
    # 200 identical customers who bought every week and are all still buying: no spread in
    # rates, nobody dropped out. The likelihood climbs towards infinite r, a -> 0 ...: no fit.
    same = pd.DataFrame({"frequency": [20] * 200, "recency": [20.0] * 200, "T": [20.5] * 200})
    with pytest.raises(clv.ThinDataError, match="to the edge of the search range"):
        clv.fit_bgnbd(same)


# --- predictions -------------------------------------------------------------------------------

FIT = clv.BgNbdFit(
    r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, customers=0, repeat_buyers=0
)


def by_integration(fit, t, x, T):
    """E[purchases in (T, T+t] | alive] by quadrature: p ~ Beta(a, b+x) and the closed-form
    lambda ~ Gamma(r+x, alpha+T) mean of (1 - exp(-lambda p t)) / p."""
    rx, aT, bx = fit.r + x, fit.alpha + T, fit.b + x

    def density(p):
        return (1 - (aT / (aT + p * t)) ** rx) / p * p ** (fit.a - 1) * (1 - p) ** (bx - 1)

    value, _ = integrate.quad(density, 0, 1, limit=500, epsabs=0, epsrel=1e-11)
    return value / special.beta(fit.a, bx)


@pytest.mark.parametrize(
    ("x", "tx", "T", "t"),
    [
        (0, 0.0, 0.0, 39.0),
        (0, 0.0, 38.86, 39.0),
        (2, 30.43, 38.86, 39.0),
        (26, 30.86, 31.0, 39.0),
        (150, 38.0, 38.86, 52.0),
        (3, 10.0, 20.0, 2000.0),
    ],
)
def test_expected_purchases_agree_with_numerical_integration(x, tx, T, t):
    alive = clv.probability_alive(FIT, x, tx, T)
    want = alive * by_integration(FIT, t, x, T)
    assert clv.expected_purchases(FIT, t, x, tx, T) == pytest.approx(want, rel=1e-7)


def test_expected_purchases_near_a_equal_one():
    # a = 1 is a 0/0 in the closed form; the value is bridged, not lost
    near = clv.BgNbdFit(0.5, 3.0, 1.0 + 1e-7, 2.0, 0.0, 0, 0)
    got = clv.expected_purchases(near, 20.0, [0, 4], [0.0, 15.0], [10.0, 18.0])
    alive = clv.probability_alive(near, [0, 4], [0.0, 15.0], [10.0, 18.0])
    want = alive * [by_integration(near, 20.0, 0, 10.0), by_integration(near, 20.0, 4, 18.0)]
    assert got == pytest.approx(want, rel=1e-6)


def test_expected_purchases_shape_and_zero_horizon():
    got = clv.expected_purchases(FIT, np.array([[0.0], [10.0]]), [0, 2], [0.0, 5.0], [8.0, 8.0])
    assert got.shape == (2, 2)
    assert got[0].tolist() == [0.0, 0.0]
    assert (got[1] > 0).all()


def test_probability_alive():
    # no repeat purchase yet: alive whatever the time since (BG/NBD drops out only after one)
    assert clv.probability_alive(FIT, [0, 0], [0.0, 0.0], [1.0, 500.0]).tolist() == [1.0, 1.0]
    # by hand: 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))
    odds = 0.793 / (2.426 + 1) * ((4.414 + 38.86) / (4.414 + 30.43)) ** 2.243
    assert clv.probability_alive(FIT, 2, 30.43, 38.86) == pytest.approx(1 / (1 + odds))
    # the longer the silence since the last purchase, the less likely alive
    p = clv.probability_alive(FIT, [5, 5, 5], [10.0, 10.0, 10.0], [10.0, 20.0, 40.0])
    assert p[0] > p[1] > p[2] and p[0] < 1


def test_expected_spend():
    gg = clv.GammaGammaFit(p=2.0, q=3.0, gamma=10.0, log_likelihood=0.0, customers=0)
    got = clv.expected_spend(gg, [2, 0, 1, 3], [5.0, 0.0, 100.0, 0.0])
    # (gamma + m x) p / (p x + q - 1); the population mean p gamma / (q - 1) = 10 without data
    assert got.tolist() == pytest.approx([40 / 6, 10.0, 220 / 4, 10.0])


def test_predict_columns_and_clv_arithmetic(simulated):
    bg, gg, out = clv.predict(simulated, horizon=52.0)
    assert list(out.columns) == [
        "frequency",
        "recency",
        "T",
        "monetary",
        "expected_purchases",
        "p_alive",
        "expected_spend",
        "clv",
    ]
    assert out.index.equals(simulated.index)
    assert bg == clv.fit_bgnbd(simulated) and gg == clv.fit_gamma_gamma(simulated)
    x, tx, T, m = (simulated[c] for c in ("frequency", "recency", "T", "monetary"))
    assert out["expected_purchases"].to_numpy() == pytest.approx(
        clv.expected_purchases(bg, 52.0, x, tx, T), rel=1e-12
    )
    assert out["p_alive"].to_numpy() == pytest.approx(clv.probability_alive(bg, x, tx, T))
    assert out["expected_spend"].to_numpy() == pytest.approx(clv.expected_spend(gg, x, m))
    # undiscounted, full margin: purchases x spend
    assert out["clv"].to_numpy() == pytest.approx(
        (out["expected_purchases"] * out["expected_spend"]).to_numpy(), rel=1e-9
    )


def test_predict_discounts_each_month(simulated):
    # horizon of 2 months, monthly units: month 1 discounted by (1+d)^(1/12), month 2 by
    # (1+d)^(2/12)
    monthly = simulated.assign(
        recency=simulated["recency"] * 7 / 30.4375, T=simulated["T"] * 7 / 30.4375
    )
    bg, gg, out = clv.predict(monthly, horizon=2.0, discount_rate=0.2, unit="month")
    x, tx, T, m = (monthly[c] for c in ("frequency", "recency", "T", "monetary"))
    e1 = clv.expected_purchases(bg, 1.0, x, tx, T)
    e2 = clv.expected_purchases(bg, 2.0, x, tx, T)
    want = (e1 / 1.2 ** (1 / 12) + (e2 - e1) / 1.2 ** (2 / 12)) * clv.expected_spend(gg, x, m)
    assert out["clv"].to_numpy() == pytest.approx(want, rel=1e-9)


def test_predict_discounting_margin_and_zero_horizon(simulated):
    _, _, plain = clv.predict(simulated, horizon=104.0)
    _, _, discounted = clv.predict(simulated, horizon=104.0, discount_rate=0.15)
    _, _, margin = clv.predict(simulated, horizon=104.0, margin=0.3)
    _, _, none = clv.predict(simulated, horizon=0)
    assert (discounted["clv"] < plain["clv"]).all()
    assert discounted["expected_purchases"].equals(plain["expected_purchases"])
    assert margin["clv"].to_numpy() == pytest.approx(0.3 * plain["clv"].to_numpy(), rel=1e-12)
    assert (none["clv"] == 0).all() and (none["expected_purchases"] == 0).all()


def test_predict_from_orders_end_to_end():
    # the whole path: orders -> summary (with its unit) -> fits -> CLV; ranks make sense
    sim = simulate_bgnbd(600, 0.8, 6.0, 0.7, 3.0, seed=5)
    rows = []
    rng = np.random.default_rng(5)
    for cid, (x, tx, T) in sim[["frequency", "recency", "T"]].iterrows():
        start = pd.Timestamp("2025-01-01") + pd.Timedelta(days=round(52 * 7 - T * 7))
        days = np.sort(rng.uniform(0, tx * 7, max(int(x) - 1, 0)))
        offsets = [0.0, *days, tx * 7] if x > 0 else [0.0]
        rows += [(cid, start + pd.Timedelta(days=round(d)), rng.gamma(5, 20)) for d in offsets]
    summary = clv.summarise(orders(rows), calibration_end="2025-12-31", unit="week")
    _, _, out = clv.predict(summary, horizon=26, discount_rate=0.1, unit="week")
    assert len(out) == 600 and out["clv"].notna().all() and (out["clv"] >= 0).all()
    with pytest.raises(UsageError, match="weeks"):
        clv.predict(summary, horizon=26, unit="day")


def test_predict_rejects_bad_options(simulated):
    for kwargs in (
        {"horizon": -1},
        {"horizon": 10, "margin": -0.1},
        {"horizon": 10, "discount_rate": -0.05},
    ):
        with pytest.raises(UsageError):
            clv.predict(simulated, **kwargs)
