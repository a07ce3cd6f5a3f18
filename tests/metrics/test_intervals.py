"""Wilson intervals and funnel limits of adoption rates, against worked examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics.intervals import (
    funnel_limits,
    funnel_outliers,
    wilson_bounds,
    wilson_interval,
    z_value,
)


def test_z_values() -> None:
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.998) == pytest.approx(3.090232, abs=1e-6)


def test_wilson_small_facility() -> None:
    # 3 of 10, z = 1.959964, z² = 3.841459:
    #   denominator = 1 + z²/n = 1.3841459
    #   centre      = (0.3 + z²/2n) / 1.3841459 = 0.4920730 / 1.3841459 = 0.355510
    #   half width  = z · sqrt(0.3·0.7/10 + z²/4n²) / 1.3841459
    #               = 1.959964 · sqrt(0.021 + 0.0096036) / 1.3841459 = 0.247719
    #   → (0.1078, 0.6032)
    low, high = wilson_interval(3, 10)
    assert (round(low, 4), round(high, 4)) == (0.1078, 0.6032)


def test_wilson_district_hospital_bastar() -> None:
    # The published figure: 32,379 ABHA-linked of 60,045 registrations (1 May – 31 July 2025).
    #   p = 0.5392456, z²/n = 0.00006398, denominator = 1.00006398
    #   centre     = (0.5392456 + 0.00003199) / 1.00006398 = 0.5392431
    #   half width = 1.959964 · sqrt(4.137893e-6 + 2.66e-10) / 1.00006398 = 0.0039868
    #   → (0.5353, 0.5432): the 53.9% is known to within ±0.4 points.
    low, high = wilson_interval(32379, 60045)
    assert (round(low, 4), round(high, 4)) == (0.5353, 0.5432)


def test_wilson_edges() -> None:
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(10, 10)
    assert high == 1.0 and low == pytest.approx(0.7225, abs=1e-4)
    wide, narrow = wilson_interval(3, 10, 0.998), wilson_interval(3, 10, 0.95)
    assert wide[0] < narrow[0] and wide[1] > narrow[1]


@pytest.mark.parametrize("successes, trials", [(-1, 10), (11, 10), (1, -1)])
def test_wilson_rejects_impossible_counts(successes: int, trials: int) -> None:
    with pytest.raises(ValueError):
        wilson_interval(successes, trials)


def test_wilson_rejects_confidence_outside_0_1() -> None:
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(3, 10, confidence=95)


def test_wilson_bounds_match_scalar_and_keep_index() -> None:
    successes = pd.Series([3, 32379, 0, 0, 10], index=list("abcde"))
    trials = pd.Series([10, 60045, 10, 0, 10], index=list("abcde"))
    bounds = wilson_bounds(successes, trials)
    assert list(bounds.columns) == ["low", "high"]
    assert list(bounds.index) == list("abcde")
    for row in ["a", "b", "c", "e"]:
        expected = wilson_interval(int(successes[row]), int(trials[row]))
        assert bounds.loc[row, "low"] == pytest.approx(expected[0], abs=1e-12)
        assert bounds.loc[row, "high"] == pytest.approx(expected[1], abs=1e-12)
    assert bounds.loc["d"].isna().all()


def test_funnel_limits_worked_example() -> None:
    # p = 0.5: for n = 10, se = sqrt(0.25/10) = 0.158114; for n = 1,000, se = 0.0158114.
    #   95%:   0.5 ± 1.959964·se → (0.1901, 0.8099) and (0.4690, 0.5310)
    #   99.8%: 0.5 ± 3.090232·se → (0.0114, 0.9886) and (0.4511, 0.5489)
    limits = funnel_limits(0.5, [10, 1000])
    assert list(limits.columns) == ["trials", "low_95", "high_95", "low_998", "high_998"]
    assert limits.round(4).to_dict("list") == {
        "trials": [10, 1000],
        "low_95": [0.1901, 0.4690],
        "high_95": [0.8099, 0.5310],
        "low_998": [0.0114, 0.4511],
        "high_998": [0.9886, 0.5489],
    }


def test_funnel_limits_are_clipped_and_empty_for_no_registrations() -> None:
    # p = 0.9, n = 4: se = 0.15, 0.9 + 3.09·0.15 > 1 → clipped to 1.
    limits = funnel_limits(0.9, np.array([4, 0]))
    assert limits.loc[0, "high_998"] == 1.0
    assert limits.loc[0, "low_998"] == pytest.approx(0.9 - 3.090232 * 0.15, abs=1e-6)
    assert limits.loc[1, ["low_95", "high_95", "low_998", "high_998"]].isna().all()


def test_funnel_does_not_flag_a_small_facility_for_the_same_deviation() -> None:
    # Division rate 50%. A CHC with 1 of 10 linked (10%) and a hospital with 100 of 1,000
    # (also 10%): at 99.8% the CHC's band is 1.1%–98.9%, the hospital's 45.1%–54.9%.
    verdict = funnel_outliers(
        pd.Series([1, 100, 995, 0], index=["CHC", "DH", "CH", "new"]),
        pd.Series([10, 1000, 1000, 0], index=["CHC", "DH", "CH", "new"]),
        overall_rate=0.5,
    )
    assert verdict.to_dict() == {"CHC": "within", "DH": "below", "CH": "above", "new": "within"}


def test_funnel_outliers_level() -> None:
    # 540 of 1,000 (54%) against 50%: above the 95% band's 53.1%, inside the 99.8% band's 54.9%.
    assert funnel_outliers([540], [1000], 0.5, level=0.95).tolist() == ["above"]
    assert funnel_outliers([540], [1000], 0.5, level=0.998).tolist() == ["within"]
