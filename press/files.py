"""What every exported file shares: its caption, its name, and the tables as CSV or XLSX."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd


@dataclass(frozen=True)
class Caption:
    """The words around an exported figure, already in the chosen language.

    ``title``: what the figure shows. ``subtitle``: scope and period. ``source``: the
    source line ("Source: NextGen e-Hospital OPD registrations, <scope>, data as of
    <date>"). ``notes``: the definitions of the figures drawn, one sentence each.
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


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Devanagari headers correctly."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, caption: Caption | None = None, sheet: str = "data") -> bytes:
    """One sheet: the caption's lines above the table (title, scope and period, source)."""
    buffer = io.BytesIO()
    lines = [] if caption is None else [caption.title, caption.subtitle, caption.source]
    lines += [] if caption is None else list(caption.notes)
    top = len(lines) + 1 if lines else 0
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31], index=False, startrow=top)
        worksheet = writer.sheets[sheet[:31]]
        for row, line in enumerate(lines, start=1):
            worksheet.cell(row=row, column=1, value=line)
    return buffer.getvalue()


def suppress_small_counts(
    frame: pd.DataFrame, columns: Iterable[str], threshold: int, shown_as: str
) -> pd.DataFrame:
    """Counts from 1 to ``threshold`` − 1 replaced by ``shown_as`` (e.g. "<5").

    For breakdowns by gender or age at facility level, so that no one can be singled out.
    Zero stays zero (it singles no one out); a threshold of 0 or 1 changes nothing.
    """
    shown = frame.copy()
    for column in columns:
        values = shown[column]
        small = values.notna() & (values > 0) & (values < threshold)
        if small.any():
            shown[column] = values.astype(object).where(~small, shown_as)
    return shown


def round_shares(frame: pd.DataFrame, columns: Sequence[str], digits: int = 4) -> pd.DataFrame:
    """Shares rounded for a file a person reads (0.5392…→0.5392); counts stay exact."""
    return frame.assign(**{c: frame[c].round(digits) for c in columns if c in frame})
