"""The DHIS incentive estimate under a configurable rule."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.incentive import IncentiveRule, incentive_estimate


def _months(first: str, counts: list[int]) -> pd.Series:
    return pd.Series(counts, index=pd.date_range(first, periods=len(counts), freq="MS").date)


def test_estimate_under_the_published_rule() -> None:
    # Rs 20 for each ABHA-linked transaction above 100 a month, April 2023 – June 2025.
    #   Mar 2023:   450 linked, before the scheme  → 0
    #   Apr 2023:   450 − 100 = 350 eligible × 20  → Rs 7,000
    #   May 2023:    80, below the base            → 0
    #   Jun 2023:   100, exactly the base          → 0
    #   Jul 2023: 5,101 − 100 = 5,001 × 20         → Rs 1,00,020
    estimate = incentive_estimate(_months("2023-03-01", [450, 450, 80, 100, 5101]))
    assert list(estimate.columns) == ["abha_linked", "eligible", "estimate_rupees", "in_scheme"]
    assert estimate["abha_linked"].tolist() == [450, 450, 80, 100, 5101]
    assert estimate["eligible"].tolist() == [0, 350, 0, 0, 5001]
    assert estimate["estimate_rupees"].tolist() == [0.0, 7000.0, 0.0, 0.0, 100020.0]
    assert estimate["in_scheme"].tolist() == [False, True, True, True, True]
    assert estimate.index[1] == date(2023, 4, 1)


def test_no_estimate_after_the_extension_ends() -> None:
    # June 2025 is the last month of the extension; July 2025 is outside it.
    estimate = incentive_estimate(_months("2025-06-01", [1100, 1100]))
    assert estimate["in_scheme"].tolist() == [True, False]
    assert estimate["estimate_rupees"].tolist() == [20000.0, 0.0]
    assert estimate["eligible"].tolist() == [1000, 0]


def test_a_configured_rule() -> None:
    # An open-ended rule of Rs 15 above 50 a month: (1,100 − 50) × 15 = Rs 15,750.
    rule = IncentiveRule(rupees_per_transaction=15, monthly_base=50, valid_until=None)
    estimate = incentive_estimate(_months("2030-01-01", [1100]), rule)
    assert estimate["estimate_rupees"].tolist() == [15750.0]
    assert estimate["in_scheme"].tolist() == [True]


def test_a_month_partly_in_the_scheme_counts_whole() -> None:
    rule = IncentiveRule(valid_from=date(2023, 4, 15), valid_until=date(2023, 5, 10))
    estimate = incentive_estimate(_months("2023-03-01", [200, 200, 200, 200]), rule)
    assert estimate["in_scheme"].tolist() == [False, True, True, False]


def test_invalid_input() -> None:
    with pytest.raises(ValueError, match="negative"):
        incentive_estimate(_months("2024-01-01", [-1]))
    with pytest.raises(ValueError, match="missing"):
        incentive_estimate(pd.Series([1.0, None], index=[date(2024, 1, 1), date(2024, 2, 1)]))
    with pytest.raises(ValueError, match="before valid_from"):
        IncentiveRule(valid_from=date(2025, 1, 1), valid_until=date(2024, 1, 1))
