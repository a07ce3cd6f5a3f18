"""An estimate of the Digital Health Incentive Scheme (DHIS) payment a facility has earned.

The rule comes from public sources (shared/spec/bastar-facts.md, "Digital Health
Incentive Scheme"): from April 2023, Rs 20 per ABHA-linked transaction above a base of 100
a month, extended to 30 June 2025; the scheme's status after that is not public. Every
part of the rule is a field of `IncentiveRule`, so a changed or extended rule is a
configuration change, and every figure computed here is an ESTIMATE, to be labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd


@dataclass(frozen=True)
class IncentiveRule:
    """The DHIS payment rule as the dashboard assumes it; every field may be configured."""

    rupees_per_transaction: float = 20.0
    monthly_base: int = 100  # ABHA-linked transactions a month below which nothing is paid
    valid_from: date = date(2023, 4, 1)
    # The scheme's extension end; its status after that is not public. None: open-ended.
    valid_until: date | None = date(2025, 6, 30)

    def __post_init__(self) -> None:
        if self.rupees_per_transaction < 0 or self.monthly_base < 0:
            raise ValueError("the rate and the monthly base cannot be negative")
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError(
                f"valid_until {self.valid_until} is before valid_from {self.valid_from}"
            )

    def covers(self, month: date) -> bool:
        """Whether the month holding `month` overlaps the scheme's validity.

        The rule is monthly, so a month partly inside counts whole.
        """
        month_start = date(month.year, month.month, 1)
        starts = date(self.valid_from.year, self.valid_from.month, 1)
        return month_start >= starts and (
            self.valid_until is None or month_start <= self.valid_until
        )


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

    Columns, on the input's index: `abha_linked`; `eligible`, the transactions above the
    monthly base (max(0, linked − base)); `estimate_rupees`, eligible × the rate; and
    `in_scheme`, whether the month lies within valid_from … valid_until. A month outside
    the scheme has 0 eligible and 0 rupees.
    """
    if monthly_linked.isna().any():
        raise ValueError("ABHA-linked counts cannot be missing; a month without any is 0")
    if (monthly_linked < 0).any():
        raise ValueError("ABHA-linked counts cannot be negative")
    in_scheme = pd.Series(
        [rule.covers(pd.Timestamp(month).date()) for month in monthly_linked.index],
        index=monthly_linked.index,
        dtype=bool,
    )
    above_base = (monthly_linked - rule.monthly_base).clip(lower=0)
    eligible = above_base.where(in_scheme, 0).astype(monthly_linked.dtype)
    return pd.DataFrame(
        {
            "abha_linked": monthly_linked,
            "eligible": eligible,
            "estimate_rupees": eligible.astype("float64") * rule.rupees_per_transaction,
            "in_scheme": in_scheme,
        },
        index=monthly_linked.index,
    )
