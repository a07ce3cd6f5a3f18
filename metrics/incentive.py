"""An estimate of the Digital Health Incentive Scheme (DHIS) payment a facility has earned.

The rule comes from public sources (shared/spec/bastar-facts.md, "Digital Health
Incentive Scheme"): from April 2023, Rs 20 per ABHA-linked transaction above a base of 100
a month, extended to 30 June 2025; the scheme's status after that is not public. It is
configured, not written here: the settings' ``[[dashboard.incentive]]`` tables hold the
rule as dated periods (``data_access.config.IncentivePeriod``; by default the public one,
``PUBLIC_INCENTIVE_RULE``), so a changed rate or an extension is a new period in the
settings. Every figure computed here is an ESTIMATE, to be labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from data_access.config import PUBLIC_INCENTIVE_RULE, IncentivePeriod, in_date_order

ESTIMATE_COLUMNS = [
    "abha_linked",
    "in_scheme",
    "rupees_per_transaction",
    "monthly_base",
    "eligible",
    "estimate_rupees",
]


@dataclass(frozen=True)
class IncentiveRule:
    """The DHIS payment rule as dated periods, no two in one month; a month in none of
    them is outside the scheme (no estimate, not a payment of 0)."""

    periods: tuple[IncentivePeriod, ...] = PUBLIC_INCENTIVE_RULE

    def __post_init__(self) -> None:
        in_date_order(self.periods)  # ValueError when two periods apply to one month

    def period_for(self, month: date) -> IncentivePeriod | None:
        """The period in force in the month holding ``month``; None outside the scheme."""
        return next((p for p in self.periods if p.covers(month)), None)


def incentive_estimate(
    monthly_linked: pd.Series, rule: IncentiveRule = IncentiveRule()
) -> pd.DataFrame:
    """An ESTIMATE of one facility's DHIS incentive, month by month, under `rule`.

    `monthly_linked` is indexed by month start dates and holds the facility's ABHA-linked
    registrations of each month, which stand in for the scheme's "ABHA-linked
    transactions" (the scheme also counts other ABHA-linked records, such as lab reports,
    that the registration database does not hold). The base applies to each facility
    separately: a district's estimate is the sum of its facilities' estimates, never the
    estimate of its summed counts.

    Each month takes the period in force in it. Columns, on the input's index:
    `abha_linked`; `in_scheme`, whether a period covers the month; that period's
    `rupees_per_transaction` and `monthly_base`; `eligible`, the transactions above the
    base (max(0, linked − base)); and `estimate_rupees`, eligible × the rate. A month
    outside the scheme has no estimate: its rate, base, eligible and estimate are missing
    (<NA>), not 0.
    """
    if monthly_linked.isna().any():
        raise ValueError("ABHA-linked counts cannot be missing; a month without any is 0")
    if (monthly_linked < 0).any():
        raise ValueError("ABHA-linked counts cannot be negative")
    periods = [rule.period_for(pd.Timestamp(month).date()) for month in monthly_linked.index]
    index = monthly_linked.index
    rate = pd.Series(
        [pd.NA if p is None else p.rupees_per_transaction for p in periods],
        index=index,
        dtype="Float64",
    )
    base = pd.Series(
        [pd.NA if p is None else p.monthly_base for p in periods], index=index, dtype="Int64"
    )
    eligible = (monthly_linked.astype("Int64") - base).clip(lower=0)
    return pd.DataFrame(
        {
            "abha_linked": monthly_linked,
            "in_scheme": pd.Series([p is not None for p in periods], index=index, dtype=bool),
            "rupees_per_transaction": rate,
            "monthly_base": base,
            "eligible": eligible,
            "estimate_rupees": eligible.astype("Float64") * rate,
        },
        index=index,
    )[ESTIMATE_COLUMNS]
