"""No count hidden as "<5" on the Facility profile can be worked out from what the page and
its downloads show (issue 17, item 3; the rule is metrics.suppression).

A reader of the page sees the tiles (the facility's registrations and ABHA-linked), the
gender and age tables, the captions, and can download every table and chart. Each
column of a breakdown adds up to a tile (and to the trend's, the channels' and the
departments' files): with a single "<5" in it, the count would be the total minus the
others (440 − 202 − 237 = 1). These tests collect what is shown and downloaded and
check, for every column that hides a count, that the hidden counts cannot be told apart.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import DEMO_NOW, F1, F2
from views_helpers import JANUARY, open_page, shown_table

from data_access.engines import source_engine, store_engine
from data_access.refresh import refresh
from i18n import Words
from press.files import Caption, csv_bytes, xlsx_bytes

PAGE = "views/facility.py"
EN, HI = Words("en"), Words("hi")
T = 5
MARCH = {"period": "custom", "from": "2025-03-01", "to": "2025-03-31"}
BREAKDOWNS = ("profile_gender", "profile_age_band")


# --- a CHC with the issue's figures: 440 registrations, 202 men, 237 women, 1 other ------------
def _march_rows() -> list[dict]:
    rng = random.Random(440)
    ages = [2] * 3 + [10] * 50 + [20] * 150 + [35] * 137 + [50] * 60 + [70] * 40
    rng.shuffle(ages)
    rows = []
    for i, age in enumerate(ages):
        gender = "O" if i == 439 else ("M" if i < 202 else "F")
        rows.append(
            {
                "registration_id": f"m{i}",
                "facility_id": F2,
                "registered_at": datetime(2025, 3, 1 + i % 31, 9 + i % 8),
                "abha_number": f"{10**13 + i:014d}" if i % 2 == 0 else None,
                "channel": "counter" if i % 3 else "scan_share",
                "visit_type": "new",
                "department": "Medicine" if i % 5 else "Paediatrics",
                "gender": gender,
                "age_years": age,
            }
        )
    return rows


@pytest.fixture
def small_cell_store(
    worked_source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The worked example and, at CHC Test in March 2025, the 440 registrations above."""
    engine = sa.create_engine(worked_source_url)
    with engine.begin() as conn:
        registrations = sa.Table("opd_registrations", sa.MetaData(), autoload_with=conn)
        conn.execute(registrations.insert(), _march_rows())
    engine.dispose()
    store_url = f"sqlite:///{tmp_path / 'small-cells.sqlite'}"
    refresh(source_engine(worked_source_url), store_engine(store_url), now=DEMO_NOW)
    monkeypatch.setenv("ANALYTICS_DB_URL", store_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    return store_url


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[pd.DataFrame, dict]]:
    """The frame and the options of each chart and table the page hands to its download
    buttons, by key (the files are made from these, by press.files)."""
    import ui.exports

    handed: dict[str, tuple[pd.DataFrame, dict]] = {}

    def record(*args, key: str, **options) -> None:
        handed[key] = (args[-1] if len(args) == 2 else args[0], options)

    monkeypatch.setattr(ui.exports, "chart_downloads", record)
    monkeypatch.setattr(ui.exports, "table_downloads", record)
    return handed


# --- what a reader can work out ------------------------------------------------------------------
def _number(cell: object) -> int | None:
    """A count as shown ("1,23,456", 202, "202") or None for one shown as text."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return int(cell)
    text = str(cell).replace(",", "").strip()
    return int(text) if text.isdigit() else None


def _unknowns_left(
    cells: list[object], total: int, floors: list[int], small: str
) -> dict[int, set[int]]:
    """For each count shown as ``small`` ("<5"): the values it can have, for a reader who
    knows the column's total, the counts shown, that a "<5" is 1 to 4, that another hidden
    count is at least 5 (0 and more when every count is hidden) and at least the
    ``floors`` (the row's ABHA-linked, when shown). Worked out by brute force over the
    small ones, independently of metrics.suppression."""
    shown = [_number(c) for c in cells]
    rest = total - sum(v for v in shown if v is not None)
    hidden = [i for i, v in enumerate(shown) if v is None]
    every_one = len(hidden) == len(cells)
    smalls = [i for i in hidden if cells[i] == small]
    others = [i for i in hidden if cells[i] != small]
    other_floor = sum(max(0 if every_one else T, floors[i]) for i in others)
    left: dict[int, set[int]] = {i: set() for i in smalls}
    ranges = [range(max(1, floors[i]), T) for i in smalls]
    for guess in _product(ranges):
        spare = rest - sum(guess)
        if (spare == 0 and not others) or (others and spare >= other_floor):
            for i, value in zip(smalls, guess, strict=True):
                left[i].add(value)
    return left


def _product(ranges: list[range]) -> list[tuple[int, ...]]:
    import itertools

    return list(itertools.product(*ranges))


def _assert_nothing_given_away(
    table: list[list[object]], totals: tuple[int, int], small: str, where: str
) -> None:
    """``table``: rows of (category, registrations, ABHA-linked) as shown or written."""
    opd = [row[1] for row in table]
    linked = [row[2] for row in table]
    linked_floors = [_number(v) or 0 for v in linked]
    for name, cells, total, floors in (
        ("registrations", opd, totals[0], linked_floors),
        ("ABHA-linked", linked, totals[1], [0] * len(linked)),
    ):
        hidden = [c for c in cells if _number(c) is None]
        if not hidden:
            continue
        # the issue's test: never a single hidden count, which would be total − the rest
        assert len(hidden) >= 2, (where, name, cells, total)
        for i, values in _unknowns_left(cells, total, floors, small).items():
            assert len(values) >= 2, (where, name, cells, total, i, values)


def _tiles(at) -> tuple[int, int]:
    tiles = {m.label: m.value for m in at.metric}
    registrations = _number(tiles[EN("figure.opd_registrations")])
    linked = _number(tiles[EN("figure.abha_linked")])
    assert registrations is not None and linked is not None
    return registrations, linked


def _csv_rows(frame: pd.DataFrame) -> list[list[object]]:
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
    return [list(r) for r in rows[1:]]


def _xlsx_rows(frame: pd.DataFrame, notes: list[str]) -> list[list[object]]:
    caption = Caption("title", "scope and period", "source", tuple(notes))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, caption))).active
    header = next(r for r in range(1, 10) if sheet.cell(r, 2).value == frame.columns[1])
    rows = []
    for r in range(header + 1, header + 1 + len(frame)):
        rows.append([sheet.cell(r, c).value for c in (1, 2, 3)])
    return rows


def _check_the_page(at, downloads: dict[str, tuple[pd.DataFrame, dict]]) -> None:
    totals = _tiles(at)
    small = EN("export.small_number", threshold=T)
    # the totals are on the page more than once: the trend's and channels' files add up to them
    trend = downloads["profile_trend"][0]
    assert int(trend[EN("figure.opd_registrations")].sum()) == totals[0]
    assert int(trend[EN("figure.abha_linked")].sum()) == totals[1]
    for number, key in enumerate(BREAKDOWNS):
        on_screen = shown_table(at, number)
        _assert_nothing_given_away(on_screen, totals, small, f"{key} on screen")
        frame, options = downloads[key]
        _assert_nothing_given_away(_csv_rows(frame), totals, small, f"{key} CSV")
        notes = list(options.get("notes", []))
        _assert_nothing_given_away(_xlsx_rows(frame, notes), totals, small, f"{key} XLSX")
        # nothing else on the page or in its files breaks the people down by gender or age
    for key, (frame, _) in downloads.items():
        if key not in BREAKDOWNS:
            assert not {EN("common.gender"), EN("common.age_band")} & set(frame.columns), key


# --- the tests -----------------------------------------------------------------------------------
@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_issues_example_hides_a_second_count(
    small_cell_store: str, downloads: dict[str, tuple[pd.DataFrame, dict]]
) -> None:
    at = open_page(PAGE, {**MARCH, "facility": F2})
    assert not at.exception, at.exception
    assert _tiles(at) == (440, 220)
    gender = {row[0]: row[1] for row in shown_table(at, 0)}
    hidden = EN("export.hidden_number")
    # 1 other: "<5"; the smallest other count, 202 men, hidden with it; 0 not recorded
    assert gender == {"Male": hidden, "Female": "237", "Other": "<5", "Not recorded": "0"}
    age = {row[0]: row[1] for row in shown_table(at, 1)}
    assert age["0–4 years"] == "<5"
    assert age["60 years and over"] == hidden  # 40, the smallest of the others
    assert age["Not recorded"] == "0"  # the second-smallest is 0: never the one hidden
    assert [v for v in age.values() if v in ("<5", hidden)] == ["<5", hidden]
    _check_the_page(at, downloads)
    captions = [c.value for c in at.caption]
    assert EN("export.hidden_number_note", threshold=T, hidden=hidden) in captions
    # the note goes with the files too
    assert (
        EN("export.hidden_number_note", threshold=T, hidden=hidden)
        in downloads["profile_gender"][1]["notes"]
    )


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_a_facility_of_small_counts_gives_none_away(
    worked_store: str, downloads: dict[str, tuple[pd.DataFrame, dict]], lang: str
) -> None:
    # F1 in January: 5 registrations, 2 ABHA-linked, every count of the breakdowns small
    at = open_page(PAGE, {**JANUARY, "facility": F1, "lang": lang})
    assert not at.exception, at.exception
    if lang == "en":
        _check_the_page(at, downloads)
    else:  # the same figures, the words in Hindi
        hidden = HI("export.hidden_number")
        gender = [row[1:] for row in shown_table(at, 0)]
        assert gender == [["<5", hidden], ["<5", hidden], ["0", hidden], ["<5", hidden]]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_without_the_second_count_the_page_would_give_it_away(
    small_cell_store: str, downloads: dict[str, tuple[pd.DataFrame, dict]]
) -> None:
    """The check above catches the leak the issue found: "<5" alone, 440 − 202 − 237."""
    at = open_page(PAGE, {**MARCH, "facility": F2})
    assert not at.exception, at.exception
    leaky = [["Male", 202, 101], ["Female", 237, 119], ["Other", "<5", 0], ["Not recorded", 0, 0]]
    with pytest.raises(AssertionError):
        _assert_nothing_given_away(leaky, _tiles(at), "<5", "primary suppression alone")
