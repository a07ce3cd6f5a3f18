"""The demo's reference data: districts, divisions, the state and an illustrative facility list.

The CSV files live in ``demo/reference/`` beside this module (see its README). A real
deployment reads districts and facilities from its own registration database; these
files only seed the demo.

The demo has two regions (:data:`REGIONS`): ``bastar``, the seven districts of Bastar
division and their 49 facilities (``districts.csv``, ``facilities.csv``), and ``state``,
all 33 districts of Chhattisgarh: Bastar's files plus ``state_districts.csv`` and
``state_facilities.csv`` for the other 26 districts. :func:`load_region` loads either.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).parent / "reference"
DISTRICTS_CSV = REFERENCE_DIR / "districts.csv"
FACILITIES_CSV = REFERENCE_DIR / "facilities.csv"
STATE_DISTRICTS_CSV = REFERENCE_DIR / "state_districts.csv"
STATE_FACILITIES_CSV = REFERENCE_DIR / "state_facilities.csv"
DIVISIONS_CSV = REFERENCE_DIR / "divisions.csv"
STATES_CSV = REFERENCE_DIR / "states.csv"

REGIONS = ("bastar", "state")
"""The demo's regions: Bastar division (the default), or the whole state."""

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
NAME_COLUMNS = ("name", "name_hi")
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


def load_divisions(path: Path | None = None) -> pd.DataFrame:
    """The revenue divisions: English ``name`` (as districts.division says it), ``name_hi``."""
    return _load_names(Path(path) if path is not None else DIVISIONS_CSV)


def load_states(path: Path | None = None) -> pd.DataFrame:
    """The states: English ``name`` (as districts.state says it), ``name_hi``."""
    return _load_names(Path(path) if path is not None else STATES_CSV)


def _load_names(path: Path) -> pd.DataFrame:
    table = _read_csv(path, NAME_COLUMNS)
    _require_values(path, table, NAME_COLUMNS)
    _reject_duplicates(path, table, "name")
    return table


@dataclass(frozen=True)
class RegionReference:
    """A region's reference tables, each holding only what the region's districts use."""

    region: str
    districts: pd.DataFrame
    facilities: pd.DataFrame
    divisions: pd.DataFrame
    states: pd.DataFrame


def load_region(region: str = "bastar") -> RegionReference:
    """The reference data of ``region`` (one of :data:`REGIONS`).

    ``state`` appends the state files to Bastar's, whose rows stay exactly as they are.
    Divisions and states are those the region's districts name; a district naming a
    division or state the files lack is an error.
    """
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; choose one of {', '.join(REGIONS)}")
    districts = load_districts()
    facilities = load_facilities(districts=districts)
    if region == "state":
        districts = _append(districts, load_districts(STATE_DISTRICTS_CSV), "lgd_code")
        more = load_facilities(STATE_FACILITIES_CSV, districts=districts)
        facilities = _append(facilities, more, "facility_id")
    divisions = _used(load_divisions(), districts, "division", DIVISIONS_CSV)
    states = _used(load_states(), districts, "state", STATES_CSV)
    return RegionReference(region, districts, facilities, divisions, states)


def _append(first: pd.DataFrame, second: pd.DataFrame, key: str) -> pd.DataFrame:
    repeated = sorted(set(first[key]) & set(second[key]))
    if repeated:
        raise ValueError(f"{key} in more than one reference file: {repeated}")
    table = pd.concat([first, second], ignore_index=True)
    if "ehospital_go_live" in table:  # keep dates as objects, None where missing
        table["ehospital_go_live"] = table["ehospital_go_live"].astype(object)
    return table


def _used(names: pd.DataFrame, districts: pd.DataFrame, column: str, path: Path) -> pd.DataFrame:
    wanted = list(dict.fromkeys(districts[column]))
    unknown = [name for name in wanted if name not in set(names["name"])]
    if unknown:
        raise ValueError(f"{path}: no row for {column} {', '.join(map(repr, unknown))}")
    return names.loc[names["name"].isin(wanted)].reset_index(drop=True)


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
