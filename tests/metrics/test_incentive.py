"""The DHIS incentive estimate under a rule of dated periods."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data_access.config import PUBLIC_INCENTIVE_RULE, IncentivePeriod
from metrics.incentive import ESTIMATE_COLUMNS, IncentiveRule, incentive_estimate


def _months(first: str, counts: list[int]) -> pd.Series:
    return pd.Series(counts, index=pd.date_range(first, periods=len(counts), freq="MS").date)


def _period(
    rupees: float, base: int, valid_from: date, valid_until: date | None
) -> IncentivePeriod:
    return IncentivePeriod(
        rupees_per_transaction=rupees,
        monthly_base=base,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def test_estimate_under_the_published_rule() -> None:
    # Rs 20 for each ABHA-linked transaction above 100 a month, April 2023 – June 2025.
    #   Mar 2023:   450 linked, before the scheme  → no estimate
    #   Apr 2023:   450 − 100 = 350 eligible × 20  → Rs 7,000
    #   May 2023:    80, below the base            → 0
    #   Jun 2023:   100, exactly the base          → 0
    #   Jul 2023: 5,101 − 100 = 5,001 × 20         → Rs 1,00,020
    estimate = incentive_estimate(_months("2023-03-01", [450, 450, 80, 100, 5101]))
    assert list(estimate.columns) == ESTIMATE_COLUMNS
    assert estimate["abha_linked"].tolist() == [450, 450, 80, 100, 5101]
    assert estimate["in_scheme"].tolist() == [False, True, True, True, True]
    assert estimate["eligible"].tolist() == [pd.NA, 350, 0, 0, 5001]
    assert estimate["estimate_rupees"].tolist() == [pd.NA, 7000.0, 0.0, 0.0, 100020.0]
    assert estimate["rupees_per_transaction"].tolist() == [pd.NA, 20.0, 20.0, 20.0, 20.0]
    assert estimate["monthly_base"].tolist() == [pd.NA, 100, 100, 100, 100]
    assert estimate["estimate_rupees"].sum() == 107020.0
    assert estimate.index[1] == date(2023, 4, 1)


def test_the_default_rule_is_the_public_one() -> None:
    assert IncentiveRule().periods == PUBLIC_INCENTIVE_RULE
    (public,) = PUBLIC_INCENTIVE_RULE
    assert (public.rupees_per_transaction, public.monthly_base) == (20.0, 100)
    assert (public.valid_from, public.valid_until) == (date(2023, 4, 1), date(2025, 6, 30))


def test_no_estimate_after_the_extension_ends() -> None:
    # June 2025 is the last month of the extension; July 2025 is outside the scheme: no
    # estimate there, not an estimate of 0.
    estimate = incentive_estimate(_months("2025-06-01", [1100, 1100]))
    assert estimate["in_scheme"].tolist() == [True, False]
    assert estimate["eligible"].tolist() == [1000, pd.NA]
    assert estimate["estimate_rupees"].tolist() == [20000.0, pd.NA]


def test_a_change_of_rate_between_periods() -> None:
    # Rs 20 above 100 until March 2024, then Rs 25 above 150 (open-ended):
    #   Mar 2024: (600 − 100) × 20 = Rs 10,000 ; Apr 2024: (600 − 150) × 25 = Rs 11,250
    rule = IncentiveRule(
        (
            _period(25, 150, date(2024, 4, 1), None),
            _period(20, 100, date(2023, 4, 1), date(2024, 3, 31)),
        )
    )
    estimate = incentive_estimate(_months("2024-02-01", [600, 600, 600]), rule)
    assert estimate["rupees_per_transaction"].tolist() == [20.0, 20.0, 25.0]
    assert estimate["monthly_base"].tolist() == [100, 100, 150]
    assert estimate["eligible"].tolist() == [500, 500, 450]
    assert estimate["estimate_rupees"].tolist() == [10000.0, 10000.0, 11250.0]
    assert estimate["in_scheme"].all()


def test_a_month_in_a_gap_between_periods_is_outside_the_scheme() -> None:
    # The scheme lapses in July and August 2025 and resumes in September at Rs 15.
    rule = IncentiveRule(
        (
            _period(20, 100, date(2023, 4, 1), date(2025, 6, 30)),
            _period(15, 100, date(2025, 9, 1), None),
        )
    )
    estimate = incentive_estimate(_months("2025-06-01", [300, 300, 300, 300]), rule)
    assert estimate["in_scheme"].tolist() == [True, False, False, True]
    assert estimate["estimate_rupees"].tolist() == [4000.0, pd.NA, pd.NA, 3000.0]
    assert rule.period_for(date(2025, 7, 15)) is None
    assert rule.period_for(date(2025, 9, 30)) == rule.periods[1]


def test_a_month_partly_in_a_period_counts_whole() -> None:
    rule = IncentiveRule((_period(20, 100, date(2023, 4, 15), date(2023, 5, 10)),))
    estimate = incentive_estimate(_months("2023-03-01", [200, 200, 200, 200]), rule)
    assert estimate["in_scheme"].tolist() == [False, True, True, False]


def test_no_period_at_all_is_no_estimate() -> None:
    estimate = incentive_estimate(_months("2024-01-01", [500, 500]), IncentiveRule(()))
    assert not estimate["in_scheme"].any()
    assert estimate["estimate_rupees"].isna().all()


def test_two_periods_in_one_month_are_refused() -> None:
    # ending on 15 June and starting on 16 June: both would apply to June
    with pytest.raises(ValueError, match="both apply to June 2025"):
        IncentiveRule(
            (
                _period(20, 100, date(2023, 4, 1), date(2025, 6, 15)),
                _period(25, 100, date(2025, 6, 16), None),
            )
        )
    with pytest.raises(ValueError, match="open-ended"):
        IncentiveRule(
            (_period(20, 100, date(2023, 4, 1), None), _period(25, 100, date(2025, 1, 1), None))
        )


def test_invalid_input() -> None:
    with pytest.raises(ValueError, match="negative"):
        incentive_estimate(_months("2024-01-01", [-1]))
    with pytest.raises(ValueError, match="missing"):
        incentive_estimate(pd.Series([1.0, None], index=[date(2024, 1, 1), date(2024, 2, 1)]))
    with pytest.raises(ValueError, match="before valid_from"):
        _period(20, 100, date(2025, 1, 1), date(2024, 1, 1))
    with pytest.raises(ValueError, match="rupees_per_transaction"):
        _period(-1, 100, date(2025, 1, 1), None)
    with pytest.raises(ValueError, match="monthly_base"):
        _period(20, -5, date(2025, 1, 1), None)
