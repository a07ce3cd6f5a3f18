"""ABHA adoption: the share of OPD registrations that are ABHA-linked."""

from __future__ import annotations

import pandas as pd


def adoption_rate(abha_linked: int, registrations: int) -> float | None:
    """ABHA-linked registrations over all registrations, unrounded (rule 7).

    None when there are no registrations: a share of nothing is not 0%.
    """
    if registrations < 0 or abha_linked < 0:
        raise ValueError("counts cannot be negative")
    if abha_linked > registrations:
        raise ValueError(f"{abha_linked} ABHA-linked out of {registrations} registrations")
    if registrations == 0:
        return None
    return abha_linked / registrations


def with_adoption_rate(
    frame: pd.DataFrame,
    linked: str = "abha_linked",
    registrations: str = "opd_registrations",
    out: str = "abha_share",
) -> pd.DataFrame:
    """The frame with a column of adoption rates (NaN where there are no registrations)."""
    result = frame.copy()
    denominator = result[registrations].astype("float64")
    result[out] = result[linked].astype("float64") / denominator.where(denominator > 0)
    return result


def has_registrations(counts: pd.DataFrame, registrations: str = "opd_registrations") -> bool:
    """Whether a frame of counts holds any registration: the one test every page makes
    before drawing figures (no rows, or rows of zeros, are both "no registrations")."""
    return not counts.empty and int(counts[registrations].sum()) > 0
