"""The demo's reference data: Bastar division's districts and an illustrative facility list.

The CSV files live in ``demo/reference/`` beside this module (see its README). A real
deployment reads districts and facilities from its own registration database; these
files only seed the demo.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).parent / "reference"
DISTRICTS_CSV = REFERENCE_DIR / "districts.csv"
FACILITIES_CSV = REFERENCE_DIR / "facilities.csv"

DISTRICT_COLUMNS = (
    "lgd_code",
    "name_en",
    "name_hi",
    "division",
    "state",
    "headquarters",
    "hq_latitude",
    "hq_longitude",
)
FACILITY_COLUMNS = (
    "facility_id",
    "name_en",
    "name_hi",
    "facility_type",
    "district_lgd",
    "block",
    "latitude",
    "longitude",
    "ehospital_go_live",
    "note",
)
_REQUIRED_DISTRICT_VALUES = ("lgd_code", "name_en", "name_hi", "division", "state")
_REQUIRED_FACILITY_VALUES = ("facility_id", "name_en", "facility_type", "district_lgd")


def load_districts(path: Path | None = None) -> pd.DataFrame:
    """The districts, one row per LGD code; ``lgd_code`` is int, HQ coordinates float."""
    path = Path(path) if path is not None else DISTRICTS_CSV
    table = _read_csv(path, DISTRICT_COLUMNS)
    _require_values(path, table, _REQUIRED_DISTRICT_VALUES)
    table["lgd_code"] = _integers(path, table, "lgd_code")
    _reject_duplicates(path, table, "lgd_code")
    for column in ("hq_latitude", "hq_longitude"):
        table[column] = _floats(path, table, column)
    return table


def load_facilities(
    path: Path | None = None, districts: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The facilities, one row per HFR ID.

    ``district_lgd`` must be a code in ``districts`` (the demo's districts when None).
    Coordinates and go-live may be empty: they load as NaN and None. Go-live is a column
    of ``datetime.date`` objects.
    """
    path = Path(path) if path is not None else FACILITIES_CSV
    table = _read_csv(path, FACILITY_COLUMNS)
    _require_values(path, table, _REQUIRED_FACILITY_VALUES)
    _reject_duplicates(path, table, "facility_id")
    table["district_lgd"] = _integers(path, table, "district_lgd")
    known = set(load_districts()["lgd_code"] if districts is None else districts["lgd_code"])
    unknown = table.loc[~table["district_lgd"].isin(known)]
    if not unknown.empty:
        raise ValueError(
            f"{path}: unknown district_lgd {_describe(unknown, 'district_lgd')}; "
            f"known codes are {sorted(int(code) for code in known)}"
        )
    for column in ("latitude", "longitude"):
        table[column] = _floats(path, table, column)
    table["ehospital_go_live"] = _dates(path, table, "ehospital_go_live")
    return table


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ValueError(f"{path}: cannot be read as a UTF-8 CSV file ({error})") from error
    table.columns = [str(column).strip() for column in table.columns]
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    for column in table.columns:
        table[column] = table[column].str.strip()
    return table


def _require_values(path: Path, table: pd.DataFrame, columns: tuple[str, ...]) -> None:
    for column in columns:
        empty = table.loc[table[column] == ""]
        if not empty.empty:
            raise ValueError(f"{path}: empty {column} on line(s) {_lines(empty)}")


def _reject_duplicates(path: Path, table: pd.DataFrame, column: str) -> None:
    repeated = table.loc[table[column].duplicated(keep=False)]
    if not repeated.empty:
        raise ValueError(f"{path}: duplicate {column} {_describe(repeated, column)}")


def _integers(path: Path, table: pd.DataFrame, column: str) -> pd.Series:
    bad = table.loc[~table[column].str.fullmatch(r"\d+")]
    if not bad.empty:
        raise ValueError(f"{path}: {column} is not an integer: {_describe(bad, column)}")
    return table[column].astype("int64")


def _floats(path: Path, table: pd.DataFrame, column: str) -> pd.Series:
    values = pd.to_numeric(table[column].replace("", None), errors="coerce").astype("float64")
    bad = table.loc[values.isna() & (table[column] != "")]
    if not bad.empty:
        raise ValueError(f"{path}: {column} is not a number: {_describe(bad, column)}")
    return values


def _dates(path: Path, table: pd.DataFrame, column: str) -> pd.Series:
    def parse(text: str) -> dt.date | None:
        if not text:
            return None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)

    bad: list[int] = []
    values: list[dt.date | None] = []
    for index, text in table[column].items():
        try:
            values.append(parse(text))
        except ValueError:
            bad.append(index)
            values.append(None)
    if bad:
        raise ValueError(
            f"{path}: bad date in {column} (expected YYYY-MM-DD): "
            f"{_describe(table.loc[bad], column)}"
        )
    return pd.Series(values, index=table.index, dtype=object)


def _describe(rows: pd.DataFrame, column: str) -> str:
    """'value' (line n), ... — line numbers count the header as line 1."""
    return ", ".join(f"{value!r} (line {index + 2})" for index, value in rows[column].items())


def _lines(rows: pd.DataFrame) -> str:
    return ", ".join(str(index + 2) for index in rows.index)
