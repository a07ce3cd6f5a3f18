"""The load test's memory check (``bench.load.memory_levels``) on written cases: caches
filling in the first round pass, a leak that grows with the second round's visits fails,
and a round without samples is an error, not a pass."""

from __future__ import annotations

import pytest

from bench.load import memory_levels

MB = 2**20


def _samples(levels_by_second: list[tuple[float, float]]) -> list[tuple[float, int]]:
    return [(at, int(mb * MB)) for at, mb in levels_by_second]


def test_caches_filling_in_the_first_round_give_equal_ends() -> None:
    # Rises in steps through round one (caches filling), flat through round two, with a
    # passing peak of a run in flight near the end.
    first = [(t, 60 + min(t, 90) * 4) for t in range(0, 120, 3)]
    second = [(t, 420 + (80 if t == 231 else 0)) for t in range(120, 240, 3)]
    low, high = memory_levels(_samples(first + second), [120.0, 240.0])
    assert low == high == 420 * MB


def test_a_leak_raises_the_second_rounds_end() -> None:
    # Every view keeps 0.5 MB, in both rounds alike: the ends differ by a round's views.
    grow = [(t, 100 + t * 0.5) for t in range(0, 240, 3)]
    low, high = memory_levels(_samples(grow), [120.0, 240.0])
    assert high > low * 1.05


def test_a_round_without_samples_at_its_end_is_an_error() -> None:
    with pytest.raises(ValueError, match="no memory sample"):
        memory_levels(_samples([(0, 60), (10, 70)]), [120.0])
