"""Uncertainty of adoption rates: Wilson intervals and funnel-plot control limits.

A CHC with 12 registrations and 9 ABHA-linked shows 75%; a district hospital with
12,000 and 9,000 shows the same. These functions say how much each figure could move by
chance, so a small facility is not praised or blamed for noise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

FUNNEL_LEVELS = (0.95, 0.998)


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile for a confidence level (1.96 for 0.95)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(
    successes: int, trials: int, confidence: float = 0.95
) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion, as (low, high) fractions.

    Wilson rather than the textbook p ± z·se because it stays inside [0, 1] and keeps its
    coverage for small counts and for rates near 0% or 100%, which small CHCs have.
    None when there are no trials: a share of nothing has no interval.
    """
    if trials < 0 or successes < 0:
        raise ValueError("counts cannot be negative")
    if successes > trials:
        raise ValueError(f"{successes} successes out of {trials} trials")
    if trials == 0:
        return None
    z = z_value(confidence)
    p = successes / trials
    z2_n = z * z / trials
    denominator = 1 + z2_n
    centre = (p + z2_n / 2) / denominator
    half_width = z * math.sqrt(p * (1 - p) / trials + z2_n / (4 * trials)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == trials else min(1.0, centre + half_width)
    return low, high


def wilson_bounds(
    successes: pd.Series, trials: pd.Series, confidence: float = 0.95
) -> pd.DataFrame:
    """Wilson intervals for many rows at once: columns `low` and `high` on the input's index.

    NaN where trials == 0 (no registrations, no interval).
    """
    k = successes.astype("float64").to_numpy()
    n = trials.astype("float64").to_numpy()
    if np.any(k < 0) or np.any(n < 0):
        raise ValueError("counts cannot be negative")
    if np.any(k > n):
        raise ValueError("successes cannot exceed trials")
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        safe_n = np.where(n > 0, n, np.nan)
        p = k / safe_n
        z2_n = z * z / safe_n
        denominator = 1 + z2_n
        centre = (p + z2_n / 2) / denominator
        half_width = z * np.sqrt(p * (1 - p) / safe_n + z2_n / (4 * safe_n)) / denominator
        low = np.where(k == 0, 0.0, np.clip(centre - half_width, 0.0, 1.0))
        high = np.where(k == n, 1.0, np.clip(centre + half_width, 0.0, 1.0))
    no_trials = ~(n > 0)
    low[no_trials] = np.nan
    high[no_trials] = np.nan
    return pd.DataFrame({"low": low, "high": high}, index=successes.index)


def level_suffix(level: float) -> str:
    """The column suffix of a confidence level: 0.95 → "95", 0.998 → "998"."""
    return f"{round(level * 100, 6):g}".replace(".", "")


def funnel_limits(
    overall_rate: float,
    trials: np.ndarray | Sequence[int],
    levels: Sequence[float] = FUNNEL_LEVELS,
) -> pd.DataFrame:
    """Funnel-plot control limits around the division's rate, one row per volume in `trials`.

    The normal approximation of the binomial, p ± z·sqrt(p(1−p)/n), clipped to [0, 1]:
    the band a facility of n registrations stays inside by chance alone if its true rate
    were the division's. Columns `trials`, then `low_<level>` and `high_<level>` per level
    (`low_95`, `high_95`, `low_998`, `high_998` for the defaults). NaN limits for n = 0.
    """
    if not 0 <= overall_rate <= 1:
        raise ValueError(f"overall_rate must be a fraction between 0 and 1, not {overall_rate}")
    n = np.asarray(trials, dtype="float64")
    if np.any(n < 0):
        raise ValueError("trials cannot be negative")
    with np.errstate(divide="ignore", invalid="ignore"):
        standard_error = np.sqrt(overall_rate * (1 - overall_rate) / np.where(n > 0, n, np.nan))
    limits: dict[str, np.ndarray] = {"trials": np.asarray(trials)}
    for level in levels:
        z = z_value(level)
        suffix = level_suffix(level)
        limits[f"low_{suffix}"] = np.clip(overall_rate - z * standard_error, 0.0, 1.0)
        limits[f"high_{suffix}"] = np.clip(overall_rate + z * standard_error, 0.0, 1.0)
    return pd.DataFrame(limits)


def funnel_outliers(
    successes: pd.Series | np.ndarray | Sequence[int],
    trials: pd.Series | np.ndarray | Sequence[int],
    overall_rate: float,
    level: float = 0.998,
) -> pd.Series[str]:
    """'above', 'below' or 'within' the funnel's limits at `level`, per row.

    A facility is an outlier only when its rate lies strictly outside the band its own
    volume allows, so a small CHC with an extreme rate is usually 'within'. A row with
    no registrations has no rate to judge and is 'within'. Keeps a Series input's index.
    """
    index = successes.index if isinstance(successes, pd.Series) else None
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    if k.shape != n.shape:
        raise ValueError("successes and trials must have the same length")
    if np.any(k > n):
        raise ValueError("successes cannot exceed trials")
    limits = funnel_limits(overall_rate, n, levels=(level,))
    suffix = level_suffix(level)
    low = limits[f"low_{suffix}"].to_numpy()
    high = limits[f"high_{suffix}"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, k / np.where(n > 0, n, 1.0), np.nan)
    judged = n > 0
    verdict = np.select(
        [judged & (rate > high), judged & (rate < low)], ["above", "below"], default="within"
    )
    return pd.Series(verdict, index=index, dtype="object", name="funnel")
