"""Small counts hidden, and kept hidden: primary and complementary suppression.

A breakdown by gender or age at facility level hides every count from 1 to the threshold
− 1 (``[dashboard] small_number_threshold``, 5): it is shown as "<5" so that no one can
be singled out (*primary suppression*). Zero stays zero: it singles no one out.

That alone does not hide it where the breakdown's total is published too: the Facility
profile shows the facility's registrations on a tile (and again as the sum of its weekly
trend, its channels, its departments and their downloads), so a single "<5" in a column
is the total minus the counts shown (440 − 202 − 237 = 1). So more counts of the same
column — its *margin*, the counts that add up to a published total — are hidden with it
(*complementary suppression*), shown as "hidden". The rule (``hidden_cells``):

1. every count from 1 to threshold − 1 is hidden as "<5";
2. if only one count of the margin is, the smallest non-zero other count (the first of
   equal ones) is hidden with it; two or more "<5" hide each other, nothing more;
3. if a reader could still work out a "<5" exactly (``disclosed``: two "<5" that add up
   to 2, a second count of exactly 5, a second count equal to one shown, a bound from
   the row…), every count of the margin is hidden, zeros included, all alike: the reader
   is left with the total.

A zero is never the second count: a reader who knows the rule knows that count is not 0,
so hiding it would hide nothing. The rule decides from what it hides, so a reader who
knows it learns something from its decisions; it is kept this short (at most one second
count, then everything) because each further step taken only when the previous one fell
short gives that step away. ``tests/metrics/test_suppression.py`` tries every table a
reader could guess, runs the rule on each and keeps those that give what is shown: for
margins of three counts or more (list every category, with its zeros) no "<5" is left
with a single value. A margin of one count is its total, and of two counts can be given
away by its symmetry (4 and 4 is the only pair of 8 that hides both): the page lists every
category of a breakdown.

What a reader is assumed to know (``feasible_ranges``): the rule itself; the total; the
counts shown; that a "<5" is 1 to 4; that a count hidden with it is at least the
threshold (else it would be "<5") and at most the smallest count still shown (the rule
hides the smallest first); that when every count is hidden each is anything from 0; and
any bound the rest of the table gives (ABHA-linked is at most the registrations of its
row, so the registrations are at least the ABHA-linked). From these, each hidden count
lies in a range; a count below the threshold whose range is a single value is disclosed.

Why hide more cells rather than round the total: the totals are the published figures
(District Hospital Bastar's 60,045 registrations must stay exact) and the same total is
the sum of other tables on the same page and in its downloads (the weekly trend, the
channels, the departments), so a rounded tile would not hide it; hiding a second count
changes no figure anywhere else.

A share computed from a hidden count (the ABHA adoption of a row, a row's share of the
total) would give the count back: it is hidden too (``suppression_marks``' ``shares``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

SMALL = "small"
"""A count from 1 to the threshold − 1, shown as "<5" (primary suppression)."""
HIDDEN = "hidden"
"""A count (or share) hidden so that a small one cannot be worked out (complementary)."""

Mark = str | None
"""``SMALL``, ``HIDDEN``, or None for a figure shown as it is."""


def is_small(count: int, threshold: int) -> bool:
    """Whether ``count`` is hidden as "<threshold": 1 to threshold − 1 (0 is shown)."""
    return 0 < count < threshold


def feasible_ranges(
    counts: Sequence[int],
    marks: Sequence[Mark],
    threshold: int,
    floors: Sequence[int] | None = None,
    ceilings: Sequence[int | None] | None = None,
) -> list[tuple[int, int] | None]:
    """The least and greatest value each hidden count of a margin can have for a reader who
    knows the rule, the margin's total (the sum of ``counts``), the counts shown and the
    bounds ``floors`` and ``ceilings`` known from elsewhere (the other columns of the
    row); None for a count shown. See the module's notes for what the reader knows.
    """
    n = len(counts)
    floors = floors if floors is not None else [0] * n
    ceilings = ceilings if ceilings is not None else [None] * n
    hidden = [i for i in range(n) if marks[i] is not None]
    if not hidden:
        return [None] * n
    total = sum(counts)
    rest = total - sum(counts[i] for i in range(n) if marks[i] is None)
    shown_nonzero = [(counts[j], j) for j in range(n) if marks[j] is None and counts[j] > 0]
    all_alike = all(marks[i] == HIDDEN for i in hidden) and len(hidden) == n
    bounds: dict[int, tuple[int, int]] = {}
    for i in hidden:
        if all_alike:  # every count hidden, shown alike: anything from 0
            low, high = 0, rest
        elif marks[i] == SMALL:
            low, high = 1, threshold - 1
        else:  # hidden with a small one: not small, and hidden before the counts shown
            # (the smallest first, the first of equal ones): below each, or equal to one after
            low = threshold
            high = min((c if j > i else c - 1 for c, j in shown_nonzero), default=rest)
        ceiling = ceilings[i]
        low = max(low, floors[i])
        high = min(high, rest if ceiling is None else ceiling)
        bounds[i] = (low, high)
    lows, highs = sum(b[0] for b in bounds.values()), sum(b[1] for b in bounds.values())
    ranges: list[tuple[int, int] | None] = [None] * n
    for i, (low, high) in bounds.items():
        # the others hold rest − x: between the sum of their lows and of their highs
        ranges[i] = (max(low, rest - (highs - high)), min(high, rest - (lows - low)))
    return ranges


def disclosed(
    counts: Sequence[int],
    marks: Sequence[Mark],
    threshold: int,
    floors: Sequence[int] | None = None,
    ceilings: Sequence[int | None] | None = None,
) -> list[int]:
    """The positions of the counts below the threshold that the reader can work out
    exactly: shown as they are, or hidden but with a single possible value."""
    ranges = feasible_ranges(counts, marks, threshold, floors, ceilings)
    found = []
    for i, count in enumerate(counts):
        if not is_small(count, threshold):
            continue
        shown_range = ranges[i]
        if shown_range is None or shown_range[0] == shown_range[1]:
            found.append(i)
    return found


def hidden_cells(
    counts: Sequence[int],
    threshold: int,
    floors: Sequence[int] | None = None,
    ceilings: Sequence[int | None] | None = None,
) -> list[Mark]:
    """What to hide in one margin (counts adding up to a total that is published).

    Every count from 1 to threshold − 1 is ``SMALL``; if it is the only one, the smallest
    non-zero other count (the first of equal ones) is ``HIDDEN`` too; if one of them can
    still be worked out (``disclosed``), every count is ``HIDDEN``, zeros included. A
    margin of a single count cannot be protected: its count is its total (list every
    category, with its zeros, to avoid that).

    >>> hidden_cells([202, 237, 1], 5)
    [None, 'hidden', 'small']
    """
    counts = [int(c) for c in counts]
    marks: list[Mark] = [SMALL if is_small(c, threshold) else None for c in counts]
    if SMALL not in marks:
        return marks
    candidates = sorted((c, i) for i, c in enumerate(counts) if marks[i] is None and c > 0)
    if marks.count(SMALL) == 1 and candidates:
        marks[candidates[0][1]] = HIDDEN
    if not disclosed(counts, marks, threshold, floors, ceilings):
        return marks
    return [HIDDEN] * len(counts)


def suppression_marks(
    frame: pd.DataFrame,
    counts: Sequence[str],
    threshold: int,
    *,
    within: Sequence[tuple[str, str]] = (),
    shares: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """The mark (``SMALL``, ``HIDDEN`` or None) of every figure of a table whose
    ``counts`` columns are each a margin: their totals are published beside the table.

    ``within``: pairs (part, whole) of count columns where part ≤ whole on every row
    (ABHA-linked, registrations): each bounds the other in ``feasible_ranges``.
    ``shares``: share columns and the count columns each is computed from; a share is
    ``HIDDEN`` on a row where one of those counts is hidden.
    """
    table = frame.reset_index(drop=True)
    values = {c: [int(v) for v in table[c].fillna(0)] for c in counts}
    n = len(table)
    marks: dict[str, list[Mark]] = {}
    for column in counts:
        floors = [0] * n
        ceilings: list[int | None] = [None] * n
        for part, whole in within:
            # the true figures of the other column: the strongest bounds a reader could have
            if whole == column:
                floors = [max(f, p) for f, p in zip(floors, values[part], strict=True)]
            if part == column:
                ceilings = [
                    w if c is None else min(c, w)
                    for c, w in zip(ceilings, values[whole], strict=True)
                ]
        marks[column] = hidden_cells(values[column], threshold, floors, ceilings)
    for share, sources in (shares or {}).items():
        marks[share] = [
            HIDDEN if any(marks[s][row] is not None for s in sources) else None for row in range(n)
        ]
    return pd.DataFrame(marks, index=frame.index, dtype=object)
