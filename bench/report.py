"""Printing the benchmark: aligned tables, sizes, ratios and targets."""

from __future__ import annotations

from collections.abc import Sequence

MB = 1024 * 1024


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    cells = [[str(c) for c in header], *[["" if c is None else str(c) for c in r] for r in rows]]
    cells = [row + [""] * (len(header) - len(row)) for row in cells]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        padded = [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join([row[0].ljust(widths[0]), *padded]).rstrip()

    rule = "-" * len(line(cells[0]))
    return "\n".join([f"\n== {title}", line(cells[0]), rule, *(line(r) for r in cells[1:])])


def seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def megabytes(value: float | None) -> str:
    return "–" if value is None else f"{value / MB:,.0f} MB"


def count(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def ratio(numerator: float | None, denominator: float | None) -> str:
    """'×1.1', '×230'; '–' when either side is missing or the denominator is zero."""
    if not numerator or not denominator:
        return "–"
    value = numerator / denominator
    return f"×{value:.0f}" if value >= 10 else f"×{value:.1f}"


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISSED")


def kilobytes(value: float | None) -> str:
    """Bytes in decimal kilobytes: '1,234 kB' (1 kB = 1,000 bytes, as the page weight goals)."""
    return "–" if value is None else f"{value / 1000:,.0f} kB"
