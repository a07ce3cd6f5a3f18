"""Primary and complementary suppression on worked examples (metrics.suppression)."""

from __future__ import annotations

import itertools
import random

import pandas as pd
import pytest

from metrics.suppression import (
    HIDDEN,
    SMALL,
    disclosed,
    feasible_ranges,
    hidden_cells,
    suppression_marks,
)

T = 5  # the default threshold: 1–4 shown as "<5"


def test_nothing_small_hides_nothing() -> None:
    assert hidden_cells([202, 237, 0, 5], T) == [None, None, None, None]


def test_one_cell_hidden_hides_a_second_one() -> None:
    # The example: 440 registrations, 202 men, 237 women, 1 other. With "<5"
    # alone, 440 − 202 − 237 = 1. The smallest other count (202) is hidden with it.
    marks = hidden_cells([202, 237, 1], T)
    assert marks == [HIDDEN, None, SMALL]
    # what is left to the reader: 203 between the two hidden counts, the "<5" 1 to 4
    assert feasible_ranges([202, 237, 1], marks, T)[2] == (1, 4)
    assert disclosed([202, 237, 1], marks, T) == []


def test_primary_suppression_alone_is_disclosed() -> None:
    assert disclosed([202, 237, 1], [None, None, SMALL], T) == [2]


def test_two_hidden_already_hide_nothing_more() -> None:
    # 1 and 3 hidden: together 4, each 1 to 3: neither can be worked out
    assert hidden_cells([202, 237, 1, 3], T) == [None, None, SMALL, SMALL]
    assert feasible_ranges([202, 237, 1, 3], [None, None, SMALL, SMALL], T)[2:] == [
        (1, 3),
        (1, 3),
    ]


def test_two_hidden_that_give_each_other_away_hide_the_whole_margin() -> None:
    # 1 and 1: together 2, so each is 1; and 4 and 4: together 8, so each is 4
    assert disclosed([202, 237, 1, 1], [None, None, SMALL, SMALL], T) == [2, 3]
    assert hidden_cells([202, 237, 1, 1], T) == [HIDDEN] * 4
    assert hidden_cells([202, 237, 4, 4], T) == [HIDDEN] * 4


def test_the_total_stays_exact() -> None:
    """Nothing is rounded: the total of the column is the sum of the true counts, the
    cells hidden are hidden, the others shown as they are."""
    frame = pd.DataFrame({"Gender": ["M", "F", "O"], "OPD": [202, 237, 1]})
    marks = suppression_marks(frame, ["OPD"], T)
    assert marks["OPD"].tolist() == [HIDDEN, None, SMALL]
    shown = frame["OPD"][marks["OPD"].isna()]
    assert shown.tolist() == [237]
    assert frame["OPD"].sum() == 440  # the tile's figure, unchanged


def test_a_zero_is_never_the_second_cell() -> None:
    # The second-smallest count is 0: hiding it would hide nothing (a hidden count is
    # known not to be 0), so the smallest non-zero one is hidden instead.
    assert hidden_cells([300, 0, 2, 450], T) == [HIDDEN, None, SMALL, None]


def test_a_margin_with_nothing_else_to_hide_hides_everything() -> None:
    # 2 ABHA-linked registrations, both women: the other counts are 0
    assert hidden_cells([0, 2, 0, 0], T) == [HIDDEN] * 4
    assert disclosed([0, 2, 0, 0], [HIDDEN] * 4, T) == []
    assert feasible_ranges([0, 2, 0, 0], [HIDDEN] * 4, T)[1] == (0, 2)


def test_a_second_cell_at_the_threshold_is_not_enough() -> None:
    # 1 and 5 hidden, together 6: the hidden one is at least 5, so the "<5" is 1
    assert disclosed([1, 5, 300], [SMALL, HIDDEN, None], T) == [0]
    assert hidden_cells([1, 5, 300], T) == [HIDDEN] * 3
    assert hidden_cells([1, 6, 300], T) == [SMALL, HIDDEN, None]  # 7: 1 + 6 or 2 + 5


def test_a_tie_with_the_second_cell_is_hidden_too() -> None:
    # 4 and 100 hidden, another 100 shown: the hidden one is at most 100 (the rule hides
    # the smallest first), so the "<5" is at least 104 − 100 = 4: it is 4.
    assert disclosed([4, 100, 100, 200], [SMALL, HIDDEN, None, None], T) == [0]
    assert hidden_cells([4, 100, 100, 200], T) == [HIDDEN] * 4
    # the first of equal ones is hidden: a hidden 6 before a shown 6 is at most 5
    assert disclosed([6, 5, 7, 3], [None, HIDDEN, None, SMALL], T) == [3]


def test_a_bound_from_the_row_counts() -> None:
    # Registrations 1 and 100; ABHA-linked 0 and 100 shown: the hidden 100 registrations
    # are at least their 100 ABHA-linked, so the "<5" would be 101 − 100 = 1.
    opd, linked = [1, 100], [0, 100]
    assert disclosed(opd, [SMALL, HIDDEN], T, floors=linked) == [0]
    marks = suppression_marks(
        pd.DataFrame({"OPD": opd, "ABHA": linked}), ["OPD", "ABHA"], T, within=[("ABHA", "OPD")]
    )
    assert marks["OPD"].tolist() == [HIDDEN, HIDDEN]
    assert marks["ABHA"].tolist() == [None, None]


def test_shares_of_hidden_counts_are_hidden() -> None:
    frame = pd.DataFrame(
        {
            "Department": ["Medicine", "Psychiatry", "Paediatrics"],
            "OPD": [300, 2, 138],
            "ABHA": [120, 0, 60],
            "ABHA adoption": [0.4, 0.0, 60 / 138],
            "Share of OPD": [300 / 440, 2 / 440, 138 / 440],
        }
    )
    marks = suppression_marks(
        frame,
        ["OPD", "ABHA"],
        T,
        within=[("ABHA", "OPD")],
        shares={"ABHA adoption": ["OPD", "ABHA"], "Share of OPD": ["OPD"]},
    )
    assert marks["OPD"].tolist() == [None, SMALL, HIDDEN]
    assert marks["ABHA"].tolist() == [None, None, None]
    # the adoption of a row whose registrations are hidden would give them back
    assert marks["ABHA adoption"].tolist() == [None, HIDDEN, HIDDEN]
    assert marks["Share of OPD"].tolist() == [None, HIDDEN, HIDDEN]


def test_a_threshold_of_one_or_zero_hides_nothing() -> None:
    assert hidden_cells([1, 0, 3], 1) == [None, None, None]
    assert hidden_cells([1, 0, 3], 0) == [None, None, None]


def test_a_threshold_of_two_hides_the_whole_margin() -> None:
    # "<2" is exactly 1: no second cell can hide it, so every count of the margin goes
    assert hidden_cells([1, 3, 0, 1], 2) == [HIDDEN] * 4


# --- against a reader who knows the rule and tries every table ----------------------------------


def _tables_a_reader_cannot_tell_apart(counts: list[int], t: int) -> list[tuple[int, ...]]:
    """Every margin with the same total, the same counts shown and the same marks as what
    the rule makes of ``counts``: what a reader who runs the rule on every guess keeps."""
    marks = hidden_cells(counts, t)
    hidden = [i for i, m in enumerate(marks) if m is not None]
    rest = sum(counts[i] for i in hidden)
    found = []
    for guess in itertools.product(range(rest + 1), repeat=len(hidden)):
        if sum(guess) != rest:
            continue
        table = list(counts)
        for i, value in zip(hidden, guess, strict=True):
            table[i] = value
        if hidden_cells(table, t) == marks:
            found.append(tuple(table))
    return found


@pytest.mark.parametrize(
    "values",
    [
        (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
        (0, 1, 1, 4, 4, 5, 5, 6, 30),
        (0, 0, 0, 1, 4, 5, 9, 40, 200),
    ],
)
def test_no_small_count_is_given_away_to_a_reader_who_tries_every_table(
    values: tuple[int, ...],
) -> None:
    """Margins of 3 to 5 counts (a breakdown lists every category): for every "<5", the
    tables that give what is shown hold at least two values of it."""
    rng = random.Random(17)
    tried = 0
    for _ in range(400):
        counts = [rng.choice(values) for _ in range(rng.randint(3, 5))]
        marks = hidden_cells(counts, T)
        hidden = [i for i, m in enumerate(marks) if m is not None]
        rest = sum(counts[i] for i in hidden)
        if len(hidden) > 4 or (len(hidden) == 4 and rest > 25) or rest > 45:
            continue  # too many guesses to try them all here
        tried += 1
        tables = _tables_a_reader_cannot_tell_apart(counts, T)
        for i, count in enumerate(counts):
            if 0 < count < T:
                assert marks[i] is not None, (counts, marks)
                possible = {table[i] for table in tables}
                assert len(possible) > 1, (counts, marks, i, possible)
    assert tried > 300


@pytest.mark.parametrize(
    "counts",
    [[202, 237, 1], [1, 1, 300], [0, 2, 0], [4, 100, 100, 200], [3, 7, 0, 12], [1, 6, 300]],
)
def test_the_ranges_hold_the_true_counts(counts: list[int]) -> None:
    marks = hidden_cells(counts, T)
    for count, found in zip(counts, feasible_ranges(counts, marks, T), strict=True):
        if found is not None:
            assert found[0] <= count <= found[1]
