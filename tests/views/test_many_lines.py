"""Trends with a line per facility stays readable (issue 16, defect 8): 49 coloured lines
and a legend cut after a dozen names were drawn; now the largest lines are in colour (each
named in the legend) and the rest thin and grey, and the note says so. Also: day ticks
fall on whole days, never on "12 PM" between two days (defect 11)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import DEMO_NOW, _row
from views_helpers import chart_views, open_page

from data_access.contract import source_metadata
from data_access.engines import source_engine, store_engine
from data_access.refresh import refresh

FACILITIES = 12
COLOURED = 7  # Okabe and Ito's colours


@pytest.fixture
def many_facilities(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Twelve CHCs of one district, facility i with 10 × i registrations in January 2025."""
    source = f"sqlite:///{tmp_path / 'source.sqlite'}"
    engine = sa.create_engine(source)
    md = source_metadata(with_keys=False)
    md.create_all(engine)
    ids = [f"IN22000001{i:02d}" for i in range(1, FACILITIES + 1)]
    with engine.begin() as conn:
        conn.execute(
            md.tables["districts"].insert(),
            [
                {
                    "lgd_code": 414,
                    "name_en": "Bastar",
                    "name_hi": "बस्तर",
                    "division": "Bastar",
                    "state": "Chhattisgarh",
                }
            ],
        )
        conn.execute(
            md.tables["facilities"].insert(),
            [
                {
                    "facility_id": f,
                    "name_en": f"CHC Number {i:02d}",
                    "name_hi": None,
                    "facility_type": "CHC",
                    "district_lgd": 414,
                    "block": "Bastar",
                    "latitude": None,
                    "longitude": None,
                    "ehospital_go_live": None,
                }
                for i, f in enumerate(ids, start=1)
            ],
        )
        conn.execute(
            md.tables["opd_registrations"].insert(),
            [
                _row(f"r{i}-{n}", f, datetime(2025, 1, 1 + n % 28, 9 + n % 8))
                for i, f in enumerate(ids, start=1)
                for n in range(10 * i)
            ],
        )
    engine.dispose()
    store = f"sqlite:///{tmp_path / 'analytics.sqlite'}"
    refresh(source_engine(source), store_engine(store), now=DEMO_NOW)
    monkeypatch.setenv("ANALYTICS_DB_URL", store)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    return store


@pytest.mark.parametrize("grain", ["day", "week"])
def test_lines_by_facility_colour_the_largest_and_grey_the_rest(
    many_facilities: str, grain: str
) -> None:
    at = open_page(
        "views/trends.py", {"period": "custom", "from": "2025-01-01", "to": "2025-01-28"}
    )
    at.selectbox(key="trends_by").set_value("facility").run()
    at.selectbox(key="trends_grain").set_value(grain).run()
    assert not at.exception
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    views = chart_views(spec)
    coloured = [v for v in views if "scale" in v.get("encoding", {}).get("color", {})]
    assert coloured, "no coloured line"
    domain = coloured[0]["encoding"]["color"]["scale"]["domain"]
    # The seven largest facilities, largest first, each with a colour of its own.
    assert domain == [f"CHC Number {i:02d}" for i in range(FACILITIES, FACILITIES - COLOURED, -1)]
    grey = [v for v in views if v.get("mark", {}).get("color") == "#9e9e9e"]
    assert grey and "detail" in grey[0]["encoding"], "the other facilities are not drawn grey"
    captions = " ".join(c.value for c in at.caption)
    assert f"The {COLOURED} lines with the most registrations are in colour" in captions
    assert f"the other {FACILITIES - COLOURED} are grey" in captions
    x_axis = coloured[0]["encoding"]["x"]["axis"]
    assert x_axis["format"] == "%d %b"
    if grain == "day":
        assert x_axis["tickCount"]["interval"] == "day"  # whole days: no 12 PM ticks
    else:
        ticks = [date(v["year"], v["month"], v["date"]) for v in x_axis["values"]]
        assert all(day.weekday() == ticks[0].weekday() for day in ticks)


def test_few_lines_are_all_in_colour(many_facilities: str) -> None:
    at = open_page(
        "views/trends.py",
        {
            "period": "custom",
            "from": "2025-01-01",
            "to": "2025-01-28",
            "facility": ["IN2200000101", "IN2200000102"],
        },
    )
    at.selectbox(key="trends_by").set_value("facility").run()
    assert not at.exception
    views = chart_views(json.loads(at.get("vega_lite_chart")[0].proto.spec))
    assert not [v for v in views if v.get("mark", {}).get("color") == "#9e9e9e"]
    assert "in colour" not in " ".join(c.value for c in at.caption)
