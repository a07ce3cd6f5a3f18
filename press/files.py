"""What every exported file shares: its caption, its name, and the tables as CSV or XLSX.

One rule for the figures in files, whatever page or command makes them:

- **counts** are whole numbers: plain digits in CSV (``81023``), in XLSX numbers shown with
  Indian grouping (``81,023``, ``1,23,456``, ``1,23,45,678``);
- a **share** (0–1, e.g. ABHA adoption) is a percentage with one decimal, rounded as the
  pages round it (``i18n.formats.percent``): ``48.9`` in CSV under a header that says
  ``(%)``, and in XLSX the fraction ``0.489`` shown as ``48.9%``;
- any other number (a 7-day average, percentage points) has one decimal;
- **dates** are ISO dates in CSV (``2025-05-01``, read as dates by every spreadsheet),
  and date cells shown DD-MM-YYYY in XLSX.

CSV stays machine-readable: one header row, then the data, nothing else. The caption
(title, scope and period, source) heads the XLSX sheet, and the notes a reader needs
(definitions, partial weeks, what a dashed line means) follow the table there; images
carry them under the chart (``press.render``).
"""

from __future__ import annotations

import io
import numbers
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np
import pandas as pd

from i18n import text
from metrics.suppression import HIDDEN, SMALL, suppression_marks

COUNT, SHARE, NUMBER, DATE, DATETIME, TEXT = "count", "share", "number", "date", "datetime", "text"
"""The kinds of column a file knows, each written by the rule above."""

SHARE_DECIMALS = 1
"""Decimals of a share written as a percentage (48.9): the pages' ``percent`` shows as many."""
NUMBER_DECIMALS = 1
"""Decimals of any other number that is not a count."""

COUNT_FORMAT = r"[>=10000000]##\,##\,##\,##0;[>=100000]##\,##\,##0;##,##0"
"""Indian grouping in Excel and LibreOffice: 81,023 · 1,23,456 · 1,23,45,678.

``\\,`` is a literal comma; a count under a lakh falls to the last section (thousands).
Both applications show a negative number in that last section without its minus sign,
so columns holding a negative value (changes) take ``SIGNED_COUNT_FORMAT`` instead."""
NUMBER_FORMAT = r"[>=10000000]##\,##\,##\,##0.0;[>=100000]##\,##\,##0.0;##,##0.0"
SIGNED_COUNT_FORMAT = "+#,##0;-#,##0;0"
SIGNED_NUMBER_FORMAT = "+#,##0.0;-#,##0.0;0.0"
PERCENT_FORMAT = "0.0%"
SIGNED_PERCENT_FORMAT = "+0.0%;-0.0%;0.0%"
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"

SHARE_KEYS = (
    "figure.abha_share",
    "common.share",
    "trends.rate_7d",
    "comparison.interval_low",
    "comparison.interval_high",
    "comparison.limit_low",
    "comparison.limit_high",
    "comparison.opd_change_relative",
    "comparison.latest_adoption",
    "data_quality.ratio",
)
"""Catalogue keys of the column headers that hold a share (0–1) wherever they appear.

A page can name more (``ui.exports``: ``shares=``, a chart's percent axes and tooltips)."""

_PERCENT_SUFFIX = re.compile(r"\(\s*%\s*\)\s*$")


@dataclass(frozen=True)
class Caption:
    """The words around an exported figure, already in the chosen language.

    ``title``: what the figure shows. ``subtitle``: scope and period. ``source``: the
    source line ("Source: NextGen e-Hospital OPD registrations, <scope>, data as of
    <date>"). ``notes``: what a reader needs to read it, one sentence each: the
    definitions of the figures drawn, and what the page says under the chart (a week
    cut by the period's edges, the dashed go-live lines, counts shown as "<5").
    """

    title: str
    subtitle: str
    source: str
    notes: tuple[str, ...] = field(default=())


def slug(text: str) -> str:
    """'Bastar division' → 'bastar-division' (ASCII; for file names)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "export"


def file_name(what: str, scope: str, start: date, end: date, lang: str, extension: str) -> str:
    """``abha-adoption_bastar-division_2025-05-01_2025-07-31_hi.png``.

    ``what`` and ``scope`` are slugged; ``scope`` should be the English scope name so that
    file names stay ASCII in both languages.
    """
    return (
        f"{slug(what)}_{slug(scope)}_{start.isoformat()}_{end.isoformat()}_{lang}."
        f"{extension.lstrip('.')}"
    )


# ---------------------------------------------------------------------------------------
# What each column holds
# ---------------------------------------------------------------------------------------


def _header_pattern(lang: str, key: str) -> re.Pattern[str]:
    """The header of ``key`` as a pattern: a ``{placeholder}`` matches any text."""
    parts = re.split(r"\{[^{}]*\}", text(lang, key))
    return re.compile(".+?".join(re.escape(part) for part in parts) + r"\Z")


def share_columns(frame: pd.DataFrame, lang: str) -> tuple[str, ...]:
    """The columns of ``frame`` whose header names a share in ``lang`` (``SHARE_KEYS``)."""
    patterns = [_header_pattern(lang, key) for key in SHARE_KEYS]
    return tuple(
        str(column)
        for column in frame.columns
        if any(pattern.match(str(column)) for pattern in patterns)
    )


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _is_whole(value: Any) -> bool:
    return _is_real(value) and float(value) % 1 == 0


def _kind(values: pd.Series, share: bool) -> str:
    present = values.dropna()
    if pd.api.types.is_bool_dtype(values):
        return TEXT
    if pd.api.types.is_datetime64_any_dtype(values):
        times = pd.to_datetime(present)
        return DATE if (times == times.dt.normalize()).all() else DATETIME
    if pd.api.types.is_numeric_dtype(values):
        if share:
            return SHARE
        if pd.api.types.is_integer_dtype(values) or all(_is_whole(v) for v in present):
            return COUNT
        return NUMBER
    if present.empty:
        return TEXT
    items = list(present)
    if all(isinstance(v, datetime | pd.Timestamp) for v in items):
        at_midnight = all(pd.Timestamp(v) == pd.Timestamp(v).normalize() for v in items)
        return DATE if at_midnight else DATETIME
    if all(isinstance(v, date) for v in items):
        return DATE
    figures = [v for v in items if _is_real(v)]
    if len(figures) == len(items):  # numbers in a column of objects
        if share:
            return SHARE
        return COUNT if all(_is_whole(v) for v in figures) else NUMBER
    shown_as_text = [v for v in items if isinstance(v, str)]
    suppressed = figures and len(figures) + len(shown_as_text) == len(items)
    if suppressed and all(_is_whole(v) for v in figures):
        return COUNT  # counts with some shown as "<5" (suppress_small_counts)
    return TEXT


def column_kinds(frame: pd.DataFrame, shares: Collection[str] = ()) -> dict[str, str]:
    """Each column's kind: ``COUNT``, ``SHARE`` (those named in ``shares``), ``NUMBER``,
    ``DATE``, ``DATETIME`` or ``TEXT``.

    Whole numbers are counts (also in a float column, as a merge leaves them); text mixed
    with whole numbers is counts with some suppressed ("<5").
    """
    wanted = {str(s) for s in shares}
    return {str(c): _kind(frame[c], str(c) in wanted) for c in frame.columns}


def percent_header(name: str, lang: str) -> str:
    """The header of a share written as a percentage: 'ABHA adoption (%)'."""
    if _PERCENT_SUFFIX.search(name):
        return name
    return text(lang, "export.percent_column", name=name)


def _rounded(value: Any, places: int, scale: int = 0) -> float | None:
    """``value`` × 10^scale rounded half-even to ``places`` decimals, as the pages round
    (Babel: the decimal written by ``str``, then quantized)."""
    if value is None or isinstance(value, str) or pd.isna(value):
        return None
    exact = Decimal(str(float(value))).scaleb(scale)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))


def _count(value: Any) -> Any:
    if isinstance(value, str):
        return value  # "<5"
    if value is None or pd.isna(value):
        return None
    return int(value)


def _day(value: Any) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _moment(value: Any) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    moment = pd.Timestamp(value)
    if moment.tzinfo is not None:  # a spreadsheet has no time zones: the wall-clock time
        moment = moment.tz_localize(None)
    return moment.to_pydatetime()


def _with_kinds(
    frame: pd.DataFrame, shares: Collection[str] | None, lang: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    if shares is None:
        shares = share_columns(frame, lang)
    return frame, column_kinds(frame, shares)


def file_table(
    frame: pd.DataFrame, shares: Collection[str] | None = None, lang: str = "en"
) -> pd.DataFrame:
    """The table as the CSV holds it: counts as integers, shares as percentages with
    ``SHARE_DECIMALS`` decimals under a '(%)' header, other numbers with
    ``NUMBER_DECIMALS``, dates as ISO dates (times as ``YYYY-MM-DD HH:MM:SS``).

    ``shares``: the share columns; None finds them by their catalogue names in ``lang``.
    """
    frame, kinds = _with_kinds(frame, shares, lang)
    written: dict[str, pd.Series] = {}
    for column, kind in kinds.items():
        values = frame[column]
        if kind == SHARE:
            shown = [_rounded(v, SHARE_DECIMALS, scale=2) for v in values]
            written[percent_header(column, lang)] = pd.Series(shown, dtype="Float64")
        elif kind == NUMBER:
            shown = [_rounded(v, NUMBER_DECIMALS) for v in values]
            written[column] = pd.Series(shown, dtype="Float64")
        elif kind == COUNT:
            counts = [_count(v) for v in values]
            suppressed = any(isinstance(v, str) for v in counts)
            written[column] = pd.Series(counts, dtype=object if suppressed else "Int64")
        elif kind == DATE:
            written[column] = pd.Series([_day(v) for v in values], dtype=object).map(
                lambda d: None if d is None else d.isoformat()
            )
        elif kind == DATETIME:
            written[column] = pd.Series([_moment(v) for v in values], dtype=object).map(
                lambda m: None if m is None else m.isoformat(sep=" ", timespec="seconds")
            )
        else:
            written[column] = values
    return pd.DataFrame(written)


def csv_bytes(
    frame: pd.DataFrame, shares: Collection[str] | None = None, lang: str = "en"
) -> bytes:
    """The table as CSV (``file_table``), UTF-8 with a byte-order mark so that Excel opens
    Devanagari headers correctly. Nothing but the header row and the data."""
    return file_table(frame, shares, lang).to_csv(index=False).encode("utf-8-sig")


# ---------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------


def _cell_value(kind: str, value: Any) -> Any:
    if kind == SHARE:
        return _rounded(value, SHARE_DECIMALS + 2)  # 0.489, shown 48.9%
    if kind == NUMBER:
        return _rounded(value, NUMBER_DECIMALS)
    if kind == COUNT:
        return _count(value)
    if kind == DATE:
        return _day(value)
    if kind == DATETIME:
        return _moment(value)
    if isinstance(value, str) or value is None:
        return value
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _number_format(kind: str, values: list[Any]) -> str | None:
    signed = any(isinstance(v, int | float) and v < 0 for v in values)
    return {
        COUNT: SIGNED_COUNT_FORMAT if signed else COUNT_FORMAT,
        SHARE: SIGNED_PERCENT_FORMAT if signed else PERCENT_FORMAT,
        NUMBER: SIGNED_NUMBER_FORMAT if signed else NUMBER_FORMAT,
        DATE: DATE_FORMAT,
        DATETIME: DATETIME_FORMAT,
    }.get(kind)


def xlsx_bytes(
    frame: pd.DataFrame,
    caption: Caption | None = None,
    sheet: str = "data",
    shares: Collection[str] | None = None,
    lang: str = "en",
) -> bytes:
    """One sheet: the caption's title, scope and period and source line above the table,
    the table with typed, formatted cells (counts with Indian grouping, shares as
    '0.0%', dates as dates), and the caption's notes under it.

    ``shares``: the share columns; None finds them by their catalogue names in ``lang``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    frame, kinds = _with_kinds(frame, shares, lang)
    book = Workbook()
    worksheet = book.active
    worksheet.title = sheet[:31]
    top = [] if caption is None else [caption.title, caption.subtitle, caption.source]
    for row, line in enumerate(top, start=1):
        worksheet.cell(row=row, column=1, value=line).font = Font(
            bold=row == 1, size=14 if row == 1 else 11
        )
    header_row = len(top) + 2 if top else 1
    headers = [percent_header(c, lang) if kinds[c] == SHARE else c for c in frame.columns]
    for column, header in enumerate(headers, start=1):
        cell = worksheet.cell(row=header_row, column=column, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        cell.border = Border(bottom=Side(style="thin"))
    widths = [min(max(len(h), 8), 40) for h in headers]
    for column, name in enumerate(frame.columns, start=1):
        kind = kinds[name]
        values = [_cell_value(kind, v) for v in frame[name]]
        number_format = _number_format(kind, values)
        for row, value in enumerate(values, start=header_row + 1):
            cell = worksheet.cell(row=row, column=column, value=value)
            if number_format is not None and not isinstance(value, str):
                cell.number_format = number_format
        longest = max((len(str(v)) for v in values if v is not None), default=0)
        widths[column - 1] = min(max(widths[column - 1], longest + 3), 60)
    for column, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(column)].width = width
    worksheet.freeze_panes = worksheet.cell(row=header_row + 1, column=1)
    notes = [] if caption is None else [note for note in caption.notes if note]
    first_note = header_row + len(frame) + 2
    for row, note in enumerate(notes, start=first_note):
        worksheet.cell(row=row, column=1, value=note).font = Font(italic=True, color="555555")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def suppress_small_counts(
    frame: pd.DataFrame,
    columns: Iterable[str],
    threshold: int,
    shown_as: str,
    *,
    hidden_as: str,
    within: Sequence[tuple[str, str]] = (),
    shares: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Counts from 1 to ``threshold`` − 1 replaced by ``shown_as`` (e.g. "<5"), and the
    counts hidden with them so that they cannot be worked out from their column's total
    by ``hidden_as`` (``metrics.suppression``: each of ``columns`` adds up to a total the
    page publishes; ``within`` and ``shares`` as in ``suppression_marks``).

    For breakdowns by gender or age at facility level, so that no one can be singled out.
    Zero stays zero (it singles no one out) unless a whole column must be hidden; a
    threshold of 0 or 1 changes nothing.
    """
    columns = list(columns)
    marks = suppression_marks(frame, columns, threshold, within=within, shares=shares)
    shown = frame.copy()
    for column in marks.columns:
        mark = marks[column]
        if mark.notna().any():
            shown[column] = (
                shown[column]
                .astype(object)
                .where(mark != SMALL, shown_as)
                .where(mark != HIDDEN, hidden_as)
            )
    return shown


def has_suppressed_counts(frame: pd.DataFrame) -> bool:
    """Whether a count column holds a count shown as text ("<5")."""
    kinds = column_kinds(frame)
    return any(
        kind == COUNT and frame[column].map(lambda v: isinstance(v, str)).any()
        for column, kind in kinds.items()
    )
