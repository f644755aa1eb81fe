"""Predictive customer lifetime value: BG/NBD for purchases, Gamma-Gamma for spend per purchase.

Pure functions: a frame of orders in, a summary per customer, fitted parameters and predictions
out (no database, no I/O). The models:

BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way")
    While alive, a customer buys at rate lambda (a Poisson process); lambda ~ Gamma(r, alpha)
    across customers (alpha is a time scale, in the summary's unit). After every REPEAT purchase
    the customer drops out for good with probability p; p ~ Beta(a, b). From a customer's
    (x, t_x, T) it gives the expected number of purchases in the next t units and P(alive).

Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999)
    The value of each purchase ~ Gamma(p, nu), nu ~ Gamma(q, gamma) across customers, and
    independent of the purchase process. Fitted on the mean value of the repeat purchases of the
    customers who made any; gives each customer's expected value of a future purchase.

Summary per customer (``summarise``)
    A purchase is a calendar DAY with orders: several orders on one day count once, their
    amounts summed (the BG/NBD treats same-day orders as one transaction). x = purchase days
    after the first, t_x = last purchase day - first purchase day, T = calibration end - first
    purchase day, all in ``unit``: a day, a week (7 days) or a month of 30.4375 days (365.25 /
    12, the mean Gregorian month, so twelve of them make a year). monetary = mean amount of the
    repeat purchase days (0 when x = 0); the first purchase is left out because it is often
    unlike the rest (a first order, a welcome discount) and the published fits leave it out too.

Fitting
    Maximum likelihood over the logarithms of the parameters (so they stay positive) with
    L-BFGS-B and analytic gradients, everything in log space (gammaln, betaln, logaddexp).
    Customers with the same (x, t_x, T) are fitted once with a weight; terms that depend only on
    x are computed once per distinct x. Times are divided by the mean T during the search (and
    money by the mean spend) so the same starting point and bounds suit days, weeks and months,
    roubles and dollars; the results are in the summary's own units.

When the data cannot carry the model (``ThinDataError``, "use --method historical")
    BG/NBD needs at least 30 customers and at least 10 repeat buyers; Gamma-Gamma needs 10 repeat
    buyers with a positive spend. Below that the estimates are noise. A fit also fails when the
    optimiser does not converge, or when a parameter runs to the edge of its search range
    (e^-10 .. e^10 in the scaled units): the likelihood is then flat or still rising towards zero
    or infinity, which means the data do not pin that parameter down (no one seems to drop out,
    everyone buys at the same rate, spend never varies). Gamma-Gamma also fails for q <= 1, where
    the mean spend of the population is infinite. Predictions from such fits would be nonsense
    dressed up as numbers, so none are made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import integrate, optimize, special

from clientbase.errors import ClientbaseError, UsageError
from clientbase.i18n import N_, _, ngettext

__all__ = [
    "DAYS_PER_UNIT",
    "MIN_CUSTOMERS",
    "MIN_REPEAT_BUYERS",
    "BgNbdFit",
    "GammaGammaFit",
    "ThinDataError",
    "bgnbd_log_likelihood",
    "expected_purchases",
    "expected_spend",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
    "predict",
    "probability_alive",
    "summarise",
]

DAYS_PER_UNIT = {"day": 1.0, "week": 7.0, "month": 30.4375}
MIN_CUSTOMERS = 30
MIN_REPEAT_BUYERS = 10
HINT = N_("use --method historical")

# Search range of the log-parameters (in the scaled units); an optimum closer than _EDGE to
# either end counts as "ran to the edge".
_LOG_BOUND = 10.0
_EDGE = 1e-3
# Largest mean gradient (per customer, in log-parameters) accepted from an optimiser run that
# stopped without declaring success (L-BFGS-B does so when the line search cannot improve a
# point that is already optimal to the last digits).
_GRAD_OK = 1e-4
# |a - 1| (and |a + b + x - 1|) below which the conditional expectation, a 0/0 there, is taken
# as the mean of its values on either side: its error is O(_NEAR^2), far below anything shown.
_NEAR = 1e-4
# What a parameter running off to 0 or infinity says the data cannot show.
_ASPECT = {
    "r": N_("how purchase rates differ between customers"),
    "alpha": N_("how purchase rates differ between customers"),
    "a": N_("how customers drop out"),
    "b": N_("how customers drop out"),
    "p": N_("how spend varies between purchases"),
    "q": N_("how spend differs between customers"),
    "gamma": N_("how spend differs between customers"),
}
_SUMMARY_COLUMNS = ("frequency", "recency", "T", "monetary")


class ThinDataError(ClientbaseError):
    """The data cannot support the predictive model; the message says why."""

    def __init__(self, message: str, *, hint: str | None = HINT):
        super().__init__(message, hint=_(hint) if hint else hint)


@dataclass
class BgNbdFit:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int
    repeat_buyers: int


@dataclass
class GammaGammaFit:
    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int

    @property
    def mean_spend(self) -> float:
        """Expected value of a purchase of a customer we know nothing about: p * gamma / (q-1)."""
        return self.p * self.gamma / (self.q - 1.0)


# --- summary -----------------------------------------------------------------------------------


def _days_per_unit(unit: str) -> float:
    try:
        return DAYS_PER_UNIT[unit]
    except KeyError:
        raise UsageError(
            _("unit {unit!r}: one of {units}").format(unit=unit, units=", ".join(DAYS_PER_UNIT)),
            hint=_("time unit of the model"),
        ) from None


def _day_numbers(values) -> np.ndarray:
    """Calendar days since 1970-01-01 of naive datetimes (wall-clock date of aware ones)."""
    when = pd.to_datetime(pd.Series(values))
    if when.dt.tz is not None:
        when = when.dt.tz_localize(None)  # keep the local wall-clock date
    days = when.to_numpy().astype("datetime64[D]")
    out = days.astype(np.int64).astype(np.float64)
    out[np.isnat(days)] = np.nan
    return out


def _end_day(calibration_end) -> int:
    end = pd.Timestamp(calibration_end)
    if pd.isna(end):
        raise UsageError(
            _("calibration_end is missing"), hint=_("give the last day of the history")
        )
    if end.tzinfo is not None:
        end = end.tz_localize(None)
    return int(np.datetime64(end.date(), "D").astype(np.int64))


def summarise(frame, *, calibration_end, unit: str = "week") -> pd.DataFrame:
    """Per customer: frequency (x), recency (t_x), T and monetary, as the models want them.

    ``frame`` has customer_id, ordered_at (datetime64) and amount. Orders are taken by calendar
    day; those after ``calibration_end`` (a date; orders ON that day count) or without a date are
    ignored, and a missing amount counts as 0. All orders of one day are one purchase, worth
    their sum. x = purchase days after the first; recency = last purchase day - first purchase
    day; T = calibration_end - first purchase day; monetary = mean value of the x repeat
    purchase days, 0 when x == 0. Times are in ``unit``: day, week (7 days) or month (30.4375
    days = 365.25 / 12). Index customer_id (sorted), only customers with a purchase on or before
    calibration_end. ``attrs["unit"]`` records the unit.
    """
    per_day = _days_per_unit(unit)
    missing = [c for c in ("customer_id", "ordered_at", "amount") if c not in frame.columns]
    if missing:
        raise ValueError(f"summarise: the orders frame lacks {', '.join(missing)}")
    end = _end_day(calibration_end)

    day = _day_numbers(frame["ordered_at"])
    keep = ~np.isnan(day) & (day <= end)
    orders = pd.DataFrame(
        {
            "customer_id": frame["customer_id"].to_numpy()[keep],
            "day": day[keep].astype(np.int64),
            "amount": pd.to_numeric(frame["amount"], errors="coerce").to_numpy(float)[keep],
        }
    )
    if orders.empty:
        out = pd.DataFrame(
            {
                "frequency": pd.Series(dtype=np.int64),
                **{c: pd.Series(dtype=float) for c in _SUMMARY_COLUMNS[1:]},
            }
        )
        out.index.name = "customer_id"
        out.attrs["unit"] = unit
        return out

    days = orders.groupby(["customer_id", "day"], sort=True)["amount"].sum(min_count=0)
    days = days.fillna(0.0).reset_index()
    by = days.groupby("customer_id", sort=True)
    first = by["day"].transform("min")
    days["repeat_amount"] = days["amount"].where(days["day"] != first, 0.0)
    per = by.agg(first=("day", "min"), last=("day", "max"), n=("day", "size"))
    repeat_sum = days.groupby("customer_id", sort=True)["repeat_amount"].sum()

    x = per["n"].to_numpy(np.int64) - 1
    out = pd.DataFrame(
        {
            "frequency": x,
            "recency": (per["last"] - per["first"]).to_numpy(float) / per_day,
            "T": (end - per["first"]).to_numpy(float) / per_day,
            "monetary": np.where(x > 0, repeat_sum.to_numpy(float) / np.maximum(x, 1), 0.0),
        },
        index=per.index,
    )
    out.index.name = "customer_id"
    out.attrs["unit"] = unit
    return out


def _summary_arrays(summary, *, money: bool = False):
    need = _SUMMARY_COLUMNS if money else _SUMMARY_COLUMNS[:3]
    missing = [c for c in need if c not in summary.columns]
    if missing:
        raise ValueError(f"the customer summary lacks {', '.join(missing)} (see summarise)")
    arrays = [summary[c].to_numpy(np.float64) for c in need]
    x, tx, T = arrays[:3]
    if not all(np.isfinite(a).all() for a in arrays):
        raise ValueError("the customer summary has missing or infinite values")
    if (x < 0).any() or (x != np.round(x)).any():
        raise ValueError("frequency must be a whole number >= 0")
    if (tx < 0).any() or (tx > T * (1 + 1e-12) + 1e-12).any():
        raise ValueError("recency must lie between 0 and T")
    return arrays


def _group(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of the given columns, how many times each occurs, and each row's group."""
    frame = pd.DataFrame({f"c{i}": c for i, c in enumerate(columns)})
    codes = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    counts = np.bincount(codes).astype(np.float64)
    first = np.unique(codes, return_index=True)[1]
    return [c[first] for c in columns], counts, codes


def _wsum(weight: np.ndarray, values: np.ndarray) -> float:
    """Weighted sum without BLAS: np.dot hands vectors to the threaded BLAS, whose threads
    spin for the cores on a busy machine and made a fit ten times slower."""
    return float(np.sum(weight * values))


# --- BG/NBD ------------------------------------------------------------------------------------


def _bgnbd_loglik_terms(r, alpha, a, b, x, tx, T, *, gradient: bool, distinct=None):
    """Per-row log-likelihood (and its partial derivatives in r, alpha, a, b).

    L = Gamma(r+x) alpha^r / Gamma(r) * B(a, b+x) / B(a, b)
        * [ (alpha+T)^-(r+x) + [x>0] a / (b+x-1) * (alpha+t_x)^-(r+x) ]
    Terms that depend on x only are computed per distinct x (few) and spread by index.
    """
    ux, idx = np.unique(x, return_inverse=True) if distinct is None else distinct
    rx_u = r + ux
    const_u = special.gammaln(rx_u) - special.gammaln(r) + special.betaln(a, b + ux)
    const_u += r * math.log(alpha) - special.betaln(a, b)
    has_u = ux > 0
    log_a4_const_u = np.full(ux.shape, -np.inf)
    log_a4_const_u[has_u] = math.log(a) - np.log(b + ux[has_u] - 1.0)

    rx = rx_u[idx]
    log_aT = np.log(alpha + T)
    log_atx = np.log(alpha + tx)
    log_a3 = -rx * log_aT
    log_a4 = log_a4_const_u[idx] - rx * log_atx
    log_mix = np.logaddexp(log_a3, log_a4)
    ll = const_u[idx] + log_mix
    if not gradient:
        return ll, None

    w4 = np.exp(log_a4 - log_mix)  # share of the "dropped out after t_x" term
    w3 = 1.0 - w4
    psi = special.digamma
    d_r = (psi(rx_u) - psi(r))[idx] + math.log(alpha) - w3 * log_aT - w4 * log_atx
    d_alpha = r / alpha - rx * (w3 / (alpha + T) + w4 / (alpha + tx))
    ab = psi(a + b) - psi(a + b + ux)
    d_a = ab[idx] + w4 / a
    inv_bx = np.zeros(ux.shape)
    inv_bx[has_u] = 1.0 / (b + ux[has_u] - 1.0)
    d_b = (psi(b + ux) - psi(b) + ab)[idx] - w4 * inv_bx[idx]
    return ll, (d_r, d_alpha, d_a, d_b)


def bgnbd_log_likelihood(r, alpha, a, b, frequency, recency, T, weights=None) -> float:
    """Total BG/NBD log-likelihood of customers (x, t_x, T) at the given parameters."""
    x, tx, T = (np.asarray(v, dtype=np.float64) for v in (frequency, recency, T))
    ll, _ = _bgnbd_loglik_terms(r, alpha, a, b, x, tx, T, gradient=False)
    return float(np.sum(ll if weights is None else ll * np.asarray(weights, dtype=np.float64)))


def _check_amount(customers: int, repeaters: int, what: str, need_customers: int) -> None:
    if customers < need_customers:
        raise ThinDataError(
            ngettext(
                "{customers} customers, {repeaters} of them bought more than once: too few "
                "customers for {what}, which needs at least {need} customers and {repeat} "
                "repeat buyers",
                "{customers} customers, {repeaters} of them bought more than once: too few "
                "customers for {what}, which needs at least {need} customers and {repeat} "
                "repeat buyers",
                customers,
            ).format(customers=customers, repeaters=repeaters, what=what, need=need_customers,
                     repeat=MIN_REPEAT_BUYERS)
        )  # fmt: skip
    if repeaters < MIN_REPEAT_BUYERS:
        raise ThinDataError(
            ngettext(
                "{customers} customers, {repeaters} of them bought more than once: too few repeat "
                "buyers for {what}, which needs at least {repeat}",
                "{customers} customers, {repeaters} of them bought more than once: too few repeat "
                "buyers for {what}, which needs at least {repeat}",
                customers,
            ).format(customers=customers, repeaters=repeaters, what=what, repeat=MIN_REPEAT_BUYERS)
        )


def _maximise(objective, start, names, what: str, customers: int) -> np.ndarray:
    """Minimise the mean negative log-likelihood over log-parameters; ThinDataError when the
    optimiser fails or a parameter runs to the edge of the search range."""
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(start)
    with np.errstate(all="ignore"):
        res = optimize.minimize(
            objective,
            np.asarray(start, dtype=np.float64),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9},
        )
    theta = res.x
    if not np.isfinite(res.fun) or not np.all(np.isfinite(theta)):
        raise ThinDataError(
            _("the {what} fit on {customers:,} customers broke down numerically").format(
                what=what, customers=customers
            )
        )
    if not res.success and np.max(np.abs(res.jac)) > _GRAD_OK:
        raise ThinDataError(
            _("the {what} fit on {customers:,} customers did not converge ({message})").format(
                what=what, customers=customers, message=res.message
            )
        )
    at_edge = [n for n, v in zip(names, theta, strict=True) if abs(v) > _LOG_BOUND - _EDGE]
    if at_edge:
        aspects = dict.fromkeys(_(_ASPECT[n]) for n in at_edge)
        raise ThinDataError(
            _(
                "the {what} fit on {customers:,} customers ran {at_edge} to the edge of the search range: the data do not pin down {aspects}"
            ).format(
                what=what,
                customers=customers,
                at_edge=", ".join(at_edge),
                aspects=_(" or ").join(aspects),
            )
        )
    return theta


def fit_bgnbd(summary) -> BgNbdFit:
    """Maximum-likelihood BG/NBD parameters from a customer summary (see ``summarise``).

    Raises ThinDataError with fewer than MIN_CUSTOMERS customers or MIN_REPEAT_BUYERS repeat
    buyers, when the optimiser fails, or when a parameter runs to the edge of its range.
    """
    x, tx, T = _summary_arrays(summary)
    customers, repeaters = len(x), int((x > 0).sum())
    _check_amount(customers, repeaters, "BG/NBD", MIN_CUSTOMERS)

    (gx, gtx, gT), weight, _ = _group(x, tx, T)
    scale = float(np.average(gT, weights=weight))  # > 0: repeat buyers have T > 0
    gtx, gT = gtx / scale, gT / scale
    total = weight.sum()
    distinct = np.unique(gx, return_inverse=True)  # x-only terms: once per distinct x

    def objective(theta):
        r, alpha, a, b = np.exp(theta)
        ll, grads = _bgnbd_loglik_terms(
            r, alpha, a, b, gx, gtx, gT, gradient=True, distinct=distinct
        )
        value = -_wsum(weight, ll) / total
        grad = np.array(
            [-v * _wsum(weight, g) / total for v, g in zip((r, alpha, a, b), grads, strict=True)]
        )
        if not np.isfinite(value):
            return np.inf, np.zeros(4)
        return value, grad

    theta = _maximise(objective, np.zeros(4), ("r", "alpha", "a", "b"), "BG/NBD", customers)
    r, alpha_s, a, b = (float(v) for v in np.exp(theta))
    alpha = alpha_s * scale
    ll = bgnbd_log_likelihood(r, alpha, a, b, x, tx, T)
    return BgNbdFit(r, alpha, a, b, ll, customers, repeaters)


def _alive_logit(fit: BgNbdFit, x, tx, T):
    """log( P(dead) / P(alive) ) for customers with x > 0; -inf where x == 0."""
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    has = x > 0
    bx1 = np.where(has, b + x - 1.0, 1.0)
    odds = math.log(a) - np.log(bx1) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
    return np.where(has, odds, -np.inf)


def probability_alive(fit: BgNbdFit, frequency, recency, T) -> np.ndarray:
    """P(still a customer | x, t_x, T) = 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x));
    1 for customers who have not bought again (under BG/NBD nobody drops out before a repeat
    purchase)."""
    x, tx, T = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (frequency, recency, T))
    )
    return special.expit(-_alive_logit(fit, x, tx, T))


def _alive_expectation(r, alpha, a, b, t, x, T) -> np.ndarray:
    """Expected purchases in the next t units of a customer who is alive at T.

    Alive, the customer's lambda ~ Gamma(r+x, alpha+T) and p ~ Beta(a, b+x); the BG/NBD mean
    with those parameters is
        (a+b+x-1)/(a-1) * [1 - (1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z)],  z = t/(alpha+T+t).
    Written directly, 2F1 grows without bound with x (Fader & Hardie's "#NUM!" problem); by
    Euler's transformation (1-z)^(r+x) 2F1(r+x, b+x; c; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z),
    whose first two parameters do not grow with x.
    """
    z = t / (alpha + T + t)
    c = a + b + x - 1.0
    with np.errstate(all="ignore"):
        f = special.hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)
        value = c / (a - 1.0) * -np.expm1((a - 1.0) * np.log1p(-z) + np.log(f))
        value = np.where(f > 0, value, c / (a - 1.0) * (1.0 - np.exp((a - 1.0) * np.log1p(-z)) * f))
    return np.where(t > 0, value, 0.0)


def _alive_expectation_safe(r, alpha, a, b, t, x, T) -> np.ndarray:
    """``_alive_expectation`` with its removable 0/0 points (a = 1, a+b+x-1 = 0) bridged and a
    numerical integral wherever the hypergeometric function is not to be trusted."""
    if abs(a - 1.0) < _NEAR:
        return 0.5 * (
            _alive_expectation_checked(r, alpha, 1.0 + _NEAR, b, t, x, T)
            + _alive_expectation_checked(r, alpha, 1.0 - _NEAR, b, t, x, T)
        )
    return _alive_expectation_checked(r, alpha, a, b, t, x, T)


def _alive_expectation_checked(r, alpha, a, b, t, x, T) -> np.ndarray:
    out = _alive_expectation(r, alpha, a, b, t, x, T)
    near_c = np.abs(a + b + x - 1.0) < _NEAR
    if near_c.any():
        up = _alive_expectation(r, alpha, a, b + _NEAR, t, x, T)
        down = _alive_expectation(r, alpha, a, b - _NEAR, t, x, T)
        out = np.where(near_c, 0.5 * (up + down), out)
    # 0 <= E <= the Poisson mean (r+x) t / (alpha+T) of a customer who never drops out
    cap = (r + x) * t / (alpha + T)
    bad = ~np.isfinite(out) | (out < -1e-9 * (1 + cap)) | (out > cap * (1 + 1e-9) + 1e-12)
    if bad.any():
        out = out.copy()
        out[bad] = [
            _alive_expectation_quad(r, alpha, a, b, tt, xx, TT)
            for tt, xx, TT in zip(t[bad], x[bad], T[bad], strict=True)
        ]
    return np.clip(out, 0.0, None)


def _alive_expectation_quad(r, alpha, a, b, t, x, T) -> float:
    """The same expectation as an integral over p ~ Beta(a, b+x) of the closed-form lambda mean
    (1 - ((alpha+T)/(alpha+T+p t))^(r+x)) / p. Integrated over the Beta quantile u = F(p), so
    the integrand is bounded (0 .. (r+x) t/(alpha+T)) and monotone whatever a and b+x are."""
    if t <= 0:
        return 0.0
    rx, aT, bx = r + x, alpha + T, b + x

    def integrand(u):
        p = special.betaincinv(a, bx, u)
        if p <= 0:
            return rx * t / aT
        return -math.expm1(-rx * math.log1p(p * t / aT)) / p

    value, _ = integrate.quad(integrand, 0.0, 1.0, limit=500, epsabs=0.0, epsrel=1e-10)
    return value


def expected_purchases(fit: BgNbdFit, t, frequency, recency, T) -> np.ndarray:
    """Expected number of purchases in the next t units (after T) given x, t_x and T:
    P(alive) times the BG/NBD mean of a customer alive at T (see ``_alive_expectation``)."""
    t, x, tx, T = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (t, frequency, recency, T))
    )
    if (t < 0).any():
        raise UsageError(_("the prediction horizon must not be negative"))
    alive = special.expit(-_alive_logit(fit, x, tx, T))
    shape = t.shape
    flat = [v.reshape(-1) for v in (t, x, T)]
    mean = _alive_expectation_safe(fit.r, fit.alpha, fit.a, fit.b, *flat).reshape(shape)
    return alive * mean


# --- Gamma-Gamma -------------------------------------------------------------------------------


def _gg_loglik_terms(p, q, gamma, x, m, log_m, log_x, *, gradient: bool, distinct=None):
    """Per-row log density of the mean spend m of x purchases, and its partial derivatives:
    Gamma(px+q) / (Gamma(px) Gamma(q)) gamma^q m^(px-1) x^(px) / (gamma + m x)^(px+q)."""
    ux, idx = np.unique(x, return_inverse=True) if distinct is None else distinct
    px_u = p * ux
    const_u = special.gammaln(px_u + q) - special.gammaln(px_u) - special.gammaln(q)
    px = px_u[idx]
    log_gmx = np.log(gamma + m * x)
    ll = const_u[idx] + q * math.log(gamma) + (px - 1.0) * log_m + px * log_x - (px + q) * log_gmx
    if not gradient:
        return ll, None
    psi_pxq = special.digamma(px_u + q)
    d_p = x * ((psi_pxq - special.digamma(px_u))[idx] + log_m + log_x - log_gmx)
    d_q = psi_pxq[idx] - special.digamma(q) + math.log(gamma) - log_gmx
    d_gamma = q / gamma - (px + q) / (gamma + m * x)
    return ll, (d_p, d_q, d_gamma)


def gamma_gamma_log_likelihood(p, q, gamma, frequency, monetary) -> float:
    """Total Gamma-Gamma log-likelihood of repeat buyers' (x, mean spend) at the parameters."""
    x, m = (np.asarray(v, dtype=np.float64) for v in (frequency, monetary))
    ll, _ = _gg_loglik_terms(p, q, gamma, x, m, np.log(m), np.log(x), gradient=False)
    return float(np.sum(ll))


def fit_gamma_gamma(summary) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma parameters from the customers with frequency > 0 and a
    positive monetary value (a mean spend of 0 or less carries no information for the model).

    Raises ThinDataError with fewer than MIN_REPEAT_BUYERS such customers, when the optimiser
    fails, a parameter runs to the edge of its range, or q <= 1 (no finite mean spend).
    """
    x, _tx, _T, m = _summary_arrays(summary, money=True)
    use = (x > 0) & (m > 0)
    x, m = x[use], m[use]
    n = len(x)
    if n < MIN_REPEAT_BUYERS:
        raise ThinDataError(
            ngettext(
                "{n} customers bought more than once with a positive spend: too few for the "
                "Gamma-Gamma spend model, which needs at least {repeat}",
                "{n} customers bought more than once with a positive spend: too few for the "
                "Gamma-Gamma spend model, which needs at least {repeat}",
                n,
            ).format(n=n, repeat=MIN_REPEAT_BUYERS)
        )
    scale = float(np.mean(m))
    (gx, gm), weight, _codes = _group(x, m / scale)
    log_m, log_x, total = np.log(gm), np.log(gx), weight.sum()
    distinct = np.unique(gx, return_inverse=True)

    def objective(theta):
        p, q, gamma = np.exp(theta)
        ll, grads = _gg_loglik_terms(
            p, q, gamma, gx, gm, log_m, log_x, gradient=True, distinct=distinct
        )
        value = -_wsum(weight, ll) / total
        grad = np.array(
            [-v * _wsum(weight, g) / total for v, g in zip((p, q, gamma), grads, strict=True)]
        )
        if not np.isfinite(value):
            return np.inf, np.zeros(3)
        return value, grad

    start = np.log([1.0, 2.0, 1.0])
    theta = _maximise(objective, start, ("p", "q", "gamma"), "Gamma-Gamma", n)
    p, q, gamma_s = (float(v) for v in np.exp(theta))
    if q <= 1.0:
        raise ThinDataError(
            _(
                "the Gamma-Gamma fit on {n:,} repeat buyers gives q = {q:.3g} <= 1: spend varies so wildly between customers that the population has no finite mean spend"
            ).format(n=n, q=q)
        )
    gamma = gamma_s * scale
    ll = gamma_gamma_log_likelihood(p, q, gamma, x, m)
    return GammaGammaFit(p, q, gamma, ll, n)


def expected_spend(gg: GammaGammaFit, frequency, monetary) -> np.ndarray:
    """Expected value of a customer's future purchase: (gamma + m x) p / (p x + q - 1), a weighted
    mean of the population mean p gamma / (q-1) and the customer's own mean m, weighted by x.
    Customers with x == 0 (or a non-positive m) get the population mean."""
    x, m = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (frequency, monetary)))
    known = (x > 0) & (m > 0)
    own = (gg.gamma + np.where(known, m, 0.0) * x) * gg.p / (gg.p * x + gg.q - 1.0)
    return np.where(known, own, gg.mean_spend)


# --- CLV ---------------------------------------------------------------------------------------


def predict(
    summary,
    *,
    horizon: float,
    margin: float = 1.0,
    discount_rate: float = 0.0,
    unit: str = "week",
) -> tuple[BgNbdFit, GammaGammaFit, pd.DataFrame]:
    """Fit both models and predict every customer's purchases, spend and CLV over ``horizon``
    units of ``unit`` (the unit the summary was made in).

    Columns: frequency, recency, T, monetary (the summary), expected_purchases (over the
    horizon, undiscounted), p_alive, expected_spend, clv. With the horizon cut into months of
    m = 30.4375 days (expressed in ``unit``), K = ceil(horizon / m), t_k = min(k m, horizon) and
    E(t) = expected_purchases over the next t units:

        clv = margin * expected_spend * sum_{k=1..K} (E(t_k) - E(t_{k-1})) / (1 + d_m)^k,
        d_m = (1 + discount_rate)^(1/12) - 1,

    i.e. each month's expected purchases are discounted to today from that month's end at the
    monthly rate equivalent to the annual ``discount_rate``; a last, partial month is discounted
    as a whole one. With discount_rate = 0 the sum is E(horizon).
    """
    per_day = _days_per_unit(unit)
    made_in = summary.attrs.get("unit") if hasattr(summary, "attrs") else None
    if made_in is not None and made_in != unit:
        raise UsageError(
            _("the summary is in {made_in}s, the prediction asks for {unit}s").format(
                made_in=made_in, unit=unit
            )
        )
    if not (np.isfinite(horizon) and horizon >= 0):
        raise UsageError(_("horizon must be >= 0, got {horizon!r}").format(horizon=horizon))
    if not (np.isfinite(margin) and margin >= 0):
        raise UsageError(
            _("margin must be >= 0 (a share of revenue: 0.3 for 30 %), got {margin!r}").format(
                margin=margin
            )
        )
    if not (np.isfinite(discount_rate) and discount_rate >= 0):
        raise UsageError(
            _(
                "discount rate must be >= 0 (a yearly share: 0.1 for 10 %), got {discount_rate!r}"
            ).format(discount_rate=discount_rate)
        )

    bg = fit_bgnbd(summary)
    gg = fit_gamma_gamma(summary)
    x, tx, T, m = _summary_arrays(summary, money=True)

    (gx, gtx, gT), _weight, codes = _group(x, tx, T)
    month = DAYS_PER_UNIT["month"] / per_day
    k_months = math.ceil(horizon / month - 1e-9) if horizon > 0 else 0
    ends = np.minimum(np.arange(1, k_months + 1) * month, horizon)
    factors = (1.0 + discount_rate) ** (-np.arange(1, k_months + 1) / 12.0)
    discounted, before = np.zeros(len(gx)), np.zeros(len(gx))
    # a year of months at a time: a 10-year horizon on 100,000 customers stays small
    for lo in range(0, k_months, 12):
        block = slice(lo, lo + 12)
        cum = expected_purchases(bg, ends[block, None], gx[None, :], gtx[None, :], gT[None, :])
        per_month = np.diff(cum, axis=0, prepend=before[None, :])
        discounted += (factors[block, None] * per_month).sum(axis=0)
        before = cum[-1]
    total = before  # E(horizon), undiscounted

    spend = expected_spend(gg, x, m)
    out = pd.DataFrame(
        {
            "frequency": summary["frequency"].to_numpy(),
            "recency": tx,
            "T": T,
            "monetary": m,
            "expected_purchases": total[codes],
            "p_alive": probability_alive(bg, x, tx, T),
            "expected_spend": spend,
            "clv": discounted[codes] * spend * margin,
        },
        index=summary.index,
    )
    out.attrs["unit"] = unit
    return bg, gg, out
