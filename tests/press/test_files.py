"""Tables in files: one rule for the figures in CSV and XLSX (press.files).

Counts whole, shares as percentages with one decimal rounded as the pages round them,
other numbers with one decimal, dates as dates; XLSX cells typed and formatted (Indian
grouping, 0.0%, DD-MM-YYYY), the caption above the table and its notes under it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from i18n import Words
from press.files import (
    COUNT_FORMAT,
    DATE_FORMAT,
    PERCENT_FORMAT,
    SIGNED_COUNT_FORMAT,
    SIGNED_NUMBER_FORMAT,
    Caption,
    column_kinds,
    csv_bytes,
    file_table,
    share_columns,
    suppress_small_counts,
    xlsx_bytes,
)

EN, HI = Words("en"), Words("hi")
CAPTION = Caption(
    title="ABHA adoption by district",
    subtitle="Bastar division · 01-05-2025 to 31-07-2025",
    source="Source: NextGen e-Hospital OPD registrations, Bastar division, data as of 31-07-2025",
    notes=("The first and last week may be cut by the period's edges.", "Dashed grey line: …"),
)


def drawn(w: Words) -> pd.DataFrame:
    """A table as a page hands it over: names in the language, shares unrounded."""
    return pd.DataFrame(
        {
            w("common.district"): ["Bastar", "Dantewada", "Kondagaon"],
            w("common.week"): pd.to_datetime(["2025-05-05", "2025-05-12", "2025-05-19"]),
            w("figure.opd_registrations"): [81023, 3428620, 7],
            w("figure.abha_linked"): [39610.0, 1560021.0, None],  # a merge made them floats
            w("figure.abha_share"): [0.4888858719129136, 0.455, None],
            w("trends.rate_7d", days=7): [0.5, 0.123456, 0.98765],
            w("comparison.points"): [1.25, -0.35, 12.349],
        }
    )


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# --- which column holds what -------------------------------------------------------------------


@pytest.mark.parametrize("w", [EN, HI], ids=["en", "hi"])
def test_shares_are_found_by_their_names_in_the_catalogue(w: Words) -> None:
    assert share_columns(drawn(w), w.lang) == (
        w("figure.abha_share"),
        w("trends.rate_7d", days=7),
    )


def test_kinds_of_columns() -> None:
    frame = drawn(EN)
    frame["Last registration"] = [date(2025, 5, 1), None, date(2025, 5, 3)]
    frame["At"] = [datetime(2025, 5, 1, 9, 30), datetime(2025, 5, 2), None]
    kinds = column_kinds(frame, shares=["ABHA adoption"])
    assert kinds == {
        "District": "text",
        "Week": "date",
        "OPD registrations": "count",
        "ABHA-linked": "count",
        "ABHA adoption": "share",
        "ABHA adoption, last 7 days": "number",  # not named a share here
        "Change (pp)": "number",
        "Last registration": "date",
        "At": "datetime",
    }


# --- CSV -----------------------------------------------------------------------------------


@pytest.mark.parametrize("w", [EN, HI], ids=["en", "hi"])
def test_the_csv_has_whole_counts_and_percentages_with_one_decimal(w: Words) -> None:
    rows = read_csv(csv_bytes(drawn(w), lang=w.lang))
    header, body = rows[0], rows[1:]
    assert header == [
        w("common.district"),
        w("common.week"),
        w("figure.opd_registrations"),
        w("figure.abha_linked"),
        w("export.percent_column", name=w("figure.abha_share")),
        w("export.percent_column", name=w("trends.rate_7d", days=7)),
        w("comparison.points"),
    ]
    assert header[4].endswith(" (%)")
    assert body[0] == ["Bastar", "2025-05-05", "81023", "39610", "48.9", "50.0", "1.2"]
    assert body[1] == ["Dantewada", "2025-05-12", "3428620", "1560021", "45.5", "12.3", "-0.4"]
    assert body[2] == ["Kondagaon", "2025-05-19", "7", "", "", "98.8", "12.3"]
    for cell in (cell for row in body for cell in row):
        assert not re.fullmatch(r"-?\d+\.\d{2,}", cell), f"{cell} has more than one decimal"


def test_a_spreadsheet_reads_the_csv_as_numbers_and_dates() -> None:
    table = pd.read_csv(io.BytesIO(csv_bytes(drawn(EN))), encoding="utf-8-sig", parse_dates=[1])
    assert table["OPD registrations"].dtype.kind == "i"
    assert table["ABHA adoption (%)"].tolist()[:2] == [48.9, 45.5]
    assert table["Week"].dt.date.tolist()[0] == date(2025, 5, 5)


@pytest.mark.parametrize(
    "share",
    [0.48885, 0.48855, 0.48845, 0.4885, 0.0005, 0.9995, 1.0, 0.0, 1 / 3, 2 / 3, 0.125, 0.1235],
)
def test_a_share_in_the_csv_is_the_percentage_the_page_shows(share: float) -> None:
    """Rounded as i18n.formats.percent rounds (Babel: half to even on the written decimal),
    so the file, the page and the headline sentences never differ by a tenth."""
    frame = pd.DataFrame({EN("figure.abha_share"): [share]})
    written = read_csv(csv_bytes(frame))[1][0]
    assert f"{written}%" == EN.percent(share)


def test_suppressed_counts_stay_as_shown() -> None:
    # 3 men would be 123 − 120: the 120 women are hidden with them (metrics.suppression)
    table = suppress_small_counts(
        pd.DataFrame({"Gender": ["F", "M", "X", "O"], "OPD registrations": [120, 3, 0, 200]}),
        ["OPD registrations"],
        threshold=5,
        shown_as="<5",
        hidden_as="hidden",
    )
    assert read_csv(csv_bytes(table))[1:] == [
        ["F", "hidden"],
        ["M", "<5"],
        ["X", "0"],
        ["O", "200"],
    ]
    sheet = open_sheet(xlsx_bytes(table))
    assert [c.value for c in sheet["B"]][1:] == ["hidden", "<5", 0, 200]


def test_the_csv_is_data_only() -> None:
    """No caption, no notes: one header row and the data, for a program to read."""
    rows = read_csv(csv_bytes(drawn(EN)))
    assert len(rows) == 1 + len(drawn(EN))
    assert not any(CAPTION.notes[0] in cell for row in rows for cell in row)


def test_file_table_is_what_the_csv_holds() -> None:
    table = file_table(drawn(EN))
    assert table["ABHA adoption (%)"].tolist()[:2] == [48.9, 45.5]
    assert str(table["OPD registrations"].dtype) == "Int64"


# --- XLSX ----------------------------------------------------------------------------------


def open_sheet(content: bytes) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(content)).active


def cells_of(sheet, header_row: int) -> dict[str, list]:
    """The cells under each header, to the first empty row."""
    headers = [c.value for c in sheet[header_row] if c.value is not None]
    columns: dict[str, list] = {h: [] for h in headers}
    for row in sheet.iter_rows(min_row=header_row + 1):
        if all(c.value is None for c in row):
            break
        for header, cell in zip(headers, row, strict=False):
            columns[header].append(cell)
    return columns


@pytest.mark.parametrize("w", [EN, HI], ids=["en", "hi"])
def test_xlsx_cells_are_typed_and_formatted(w: Words) -> None:
    sheet = open_sheet(xlsx_bytes(drawn(w), CAPTION, lang=w.lang))
    assert [sheet.cell(row=r, column=1).value for r in (1, 2, 3)] == [
        CAPTION.title,
        CAPTION.subtitle,
        CAPTION.source,
    ]
    assert sheet.cell(row=4, column=1).value is None
    columns = cells_of(sheet, 5)
    counts = columns[w("figure.opd_registrations")]
    assert [c.value for c in counts] == [81023, 3428620, 7]
    assert all(isinstance(c.value, int) and c.number_format == COUNT_FORMAT for c in counts)
    linked = columns[w("figure.abha_linked")]
    assert [c.value for c in linked] == [39610, 1560021, None]
    assert isinstance(linked[0].value, int)
    shares = columns[w("export.percent_column", name=w("figure.abha_share"))]
    assert [c.value for c in shares] == [0.489, 0.455, None]
    assert all(c.number_format == PERCENT_FORMAT for c in shares[:2])
    weeks = columns[w("common.week")]
    assert weeks[0].is_date and weeks[0].value.date() == date(2025, 5, 5)
    assert weeks[0].number_format == DATE_FORMAT
    points = columns[w("comparison.points")]
    assert [c.value for c in points] == [1.2, -0.4, 12.3]
    assert points[0].number_format == SIGNED_NUMBER_FORMAT  # a column with a negative value
    assert sheet.freeze_panes == "A6"


def test_xlsx_has_the_notes_under_the_table() -> None:
    sheet = open_sheet(xlsx_bytes(drawn(EN), CAPTION))
    below = [sheet.cell(row=r, column=1).value for r in range(5 + 3 + 1, sheet.max_row + 1)]
    assert below == [None, *CAPTION.notes]


def test_a_negative_count_keeps_its_sign() -> None:
    """Excel and LibreOffice drop the minus sign of a negative number in the last section
    of a conditional format: a column of changes takes a plain signed format."""
    sheet = open_sheet(xlsx_bytes(pd.DataFrame({"Change in OPD": [1200, -35, 0]})))
    cells = cells_of(sheet, 1)["Change in OPD"]
    assert [c.value for c in cells] == [1200, -35, 0]
    assert {c.number_format for c in cells} == {SIGNED_COUNT_FORMAT}


def test_a_suppressed_count_is_text_in_xlsx() -> None:
    table = pd.DataFrame({"OPD registrations": [120, "<5", 0]}, dtype=object)
    cells = cells_of(open_sheet(xlsx_bytes(table)), 1)["OPD registrations"]
    assert [c.value for c in cells] == [120, "<5", 0]
    assert cells[0].number_format == COUNT_FORMAT and cells[1].data_type == "s"


# --- as a spreadsheet shows it ----------------------------------------------------------------

SOFFICE = shutil.which("soffice")


def shown_by_libreoffice(content: bytes, tmp_path: Path) -> list[list[str]]:
    """The sheet as LibreOffice Calc shows it (its CSV export of the cells as shown)."""
    if SOFFICE is None:
        reason = "LibreOffice Calc (soffice) is not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and {reason}: .ci/run installs libreoffice-calc-nogui")
        pytest.skip(reason)
    book = tmp_path / "table.xlsx"
    book.write_bytes(content)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true",
            "--outdir",
            str(tmp_path),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return read_csv((tmp_path / "table.csv").read_bytes())


def test_libreoffice_shows_indian_grouping_percentages_and_dates(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "District": ["a", "b", "c", "d"],
            "Day": [date(2025, 5, 1)] * 4,
            "OPD registrations": [7, 81023, 3428620, 123456789],
            "ABHA adoption": [0.4888858719129136, 0.455, 1.0, 0.0],
            "Change in OPD": [1200, -35, 0, -123456],
        }
    )
    shown = shown_by_libreoffice(xlsx_bytes(frame, CAPTION), tmp_path)
    table = [row for row in shown if row and row[0] in {"a", "b", "c", "d"}]
    assert table == [
        ["a", "01-05-2025", "7", "48.9%", "+1,200"],
        ["b", "01-05-2025", "81,023", "45.5%", "-35"],
        ["c", "01-05-2025", "34,28,620", "100.0%", "0"],
        ["d", "01-05-2025", "12,34,56,789", "0.0%", "-123,456"],
    ]
