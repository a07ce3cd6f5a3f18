"""The facility profile on the worked example, in English and Hindi."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import DEMO_NOW, F1, F2
from views_helpers import JANUARY, open_page, shown_table, use_settings

from data_access.engines import source_engine, store_engine
from data_access.queries import Period, Scope, registration_counts
from data_access.refresh import refresh
from i18n import Words

PAGE = "views/facility.py"
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
EN, HI = Words("en"), Words("hi")


@pytest.fixture
def exported(monkeypatch: pytest.MonkeyPatch) -> dict[str, pd.DataFrame]:
    """The frame each chart and table of the page would export, by its key."""
    import ui.exports

    frames: dict[str, pd.DataFrame] = {}

    def record(*args, key: str, **_) -> None:
        frames[key] = args[-1] if len(args) == 2 else args[0]

    monkeypatch.setattr(ui.exports, "chart_downloads", record)
    monkeypatch.setattr(ui.exports, "table_downloads", record)
    return frames


def _facts(at) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
@pytest.mark.parametrize(
    "params",
    [JANUARY, {**JANUARY, "facility": F2}, {**JANUARY, "district": "416"}, {}],
    ids=["division", "one facility", "one district", "default period"],
)
def test_the_profile_renders(worked_store: str, params: dict, lang: str) -> None:
    at = open_page(PAGE, {**params, "lang": lang})
    assert not at.exception, at.exception
    assert at.header[0].value == ("Facility profile" if lang == "en" else "संस्था विवरण")
    assert at.caption


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_profile_shows_the_facility_figures(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F1})
    tiles = {m.label: m.value for m in at.metric}
    expected = registration_counts(
        store_engine(worked_store),
        Period(date(2025, 1, 1), date(2025, 1, 31)),
        Scope.of(facilities=[F1]),
    ).iloc[0]
    assert tiles["OPD registrations"] == EN.count(expected["opd_registrations"])
    assert tiles["ABHA-linked"] == EN.count(expected["abha_linked"])
    assert tiles["ABHA adoption"] == "40.0%"
    assert tiles["Estimated incentive in the period"].startswith("₹")
    facts = _facts(at)
    assert "**Type** District hospital" in facts
    assert "**District** Bastar" in facts
    assert "**Block** Jagdalpur" in facts
    assert "**e-Hospital go-live** 10-01-2025" in facts
    # the last registration at F1 is on 16-01-2025; the data end on 03-02-2025
    assert "**Last registration** 16-01-2025 (18 days before the data's as-of day)" in facts
    # the worked example's facility_staff table is empty
    assert any("no staff recorded" in c.value for c in at.caption)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_profile_in_hindi(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F1, "lang": "hi"})
    assert not at.exception, at.exception
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["ओपीडी पंजीयन"] == "5"
    assert tiles["आभा लिंकिंग दर"] == "40.0%"
    assert tiles["अवधि में अनुमानित प्रोत्साहन राशि"] == "₹ 0"
    facts = _facts(at)
    assert "**प्रकार** जिला चिकित्सालय" in facts
    assert "**जिला** बस्तर" in facts
    assert "**अंतिम पंजीयन** 16-01-2025 (आँकड़ों की अंतिम तिथि से 18 दिन पहले)" in facts
    picker = at.selectbox(key="profile_facility")
    assert picker.options == ["जिला चिकित्सालय · IN2200000001", "CHC Test · IN2200000002"]
    incentive = at.dataframe[-1].value
    assert list(incentive.columns) == ["माह", "आभा से लिंक", "सीमा से अधिक", "अनुमान (₹)", "योजना में"]
    assert incentive.iloc[0].tolist() == ["जनवरी 2025", 2, 0, 0, "हाँ"]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_names_come_in_the_language_chosen(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F1})
    picker = at.selectbox(key="profile_facility")
    assert picker.options == ["District Hospital Test · IN2200000001", "CHC Test · IN2200000002"]
    assert not DEVANAGARI.search(" ".join(picker.options))


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_facility_without_block_or_go_live(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F2})
    facts = _facts(at)
    assert "**Block** –" in facts
    assert "**e-Hospital go-live** –" in facts


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_without_the_optional_tables(
    worked_source_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writable = sa.create_engine(worked_source_url)
    with writable.begin() as conn:
        conn.execute(sa.text("DROP TABLE facility_staff"))
        conn.execute(sa.text("DROP TABLE abha_enrolments"))
    store_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    refresh(source_engine(worked_source_url), store_engine(store_url))
    monkeypatch.setenv("ANALYTICS_DB_URL", store_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    at = open_page(PAGE, {**JANUARY, "facility": F1})
    assert not at.exception
    assert any("not available in this database" in c.value for c in at.caption)
    overview = open_page("views/overview.py", JANUARY)
    assert not overview.exception
    assert {m.label: m.value for m in overview.metric}["ABHA enrolments"] == "–"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_picker_finds_a_facility(worked_store: str) -> None:
    at = open_page(PAGE, JANUARY)
    at.selectbox(key="profile_facility").select(F2).run()
    assert not at.exception
    assert "**Type** Community health centre" in _facts(at)


# --- HPR coverage -------------------------------------------------------------------------------
@pytest.fixture
def store_with_staff(
    worked_source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    engine = sa.create_engine(worked_source_url)
    with engine.begin() as conn:
        staff = sa.Table("facility_staff", sa.MetaData(), autoload_with=conn)
        conn.execute(
            staff.insert(),
            [
                {
                    "facility_id": F1,
                    "cadre": "nurse",
                    "sanctioned_or_working": 34,
                    "hpr_registered": 21,
                },
                {
                    "facility_id": F1,
                    "cadre": "doctor",
                    "sanctioned_or_working": 15,
                    "hpr_registered": 9,
                },
            ],
        )
    engine.dispose()
    store_url = f"sqlite:///{tmp_path / 'staff.sqlite'}"
    refresh(source_engine(worked_source_url), store_engine(store_url), now=DEMO_NOW)
    monkeypatch.setenv("ANALYTICS_DB_URL", store_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    return store_url


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_hpr_coverage_is_rounded_for_display(store_with_staff: str, lang: str) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F1, "lang": lang})
    assert not at.exception, at.exception
    staff = at.dataframe[0].value
    w = EN if lang == "en" else HI
    cadre, coverage = w("facility.cadre"), w("facility.hpr_coverage")
    assert list(staff.columns) == [cadre, w("facility.in_post"), w("facility.on_hpr"), coverage]
    # 21 of 34 nurses is 61.76…%: shown as 61.8, not 61.76
    assert dict(zip(staff[cadre], staff[coverage], strict=True)) == {
        w.label("facility.cadre", "doctor"): 60.0,
        w.label("facility.cadre", "nurse"): 61.8,
    }


# --- gender and age, small counts suppressed ---------------------------------------------------
# F1 in January: r1 F 30 linked, r2 F 5 linked, r3 M 70, r4 gender X and no age, r5 F 30.
# Every category is listed. Registrations: the three (four) "<5" hide each other (5 among
# them, none can be worked out). ABHA-linked: the tile says 2; a lone "<5" among zeros
# (or two that add up to 2) would be given away, so the whole column is hidden.
H = EN("export.hidden_number")
GENDER = {"Male": ["<5", H], "Female": ["<5", H], "Other": [0, H], "Not recorded": ["<5", H]}
AGE = {
    "0–4 years": [0, H],
    "5–14 years": ["<5", H],
    "15–29 years": [0, H],
    "30–44 years": ["<5", H],
    "45–59 years": [0, H],
    "60 years and over": ["<5", H],
    "Not recorded": ["<5", H],
}


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_gender_and_age_hide_small_counts_shown_and_exported(
    worked_store: str, exported: dict[str, pd.DataFrame]
) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F1})
    assert not at.exception, at.exception
    for key, table, expected in (
        ("profile_gender", shown_table(at, 0), GENDER),
        ("profile_age_band", shown_table(at, 1), AGE),
    ):
        shown = {row[0]: [row[1], row[2]] for row in table}
        assert shown == {k: [str(v) for v in n] for k, n in expected.items()}
        file = exported[key]
        assert list(file.columns)[1:] == ["OPD registrations", "ABHA-linked"]
        in_file = {row[0]: [row[1], row[2]] for row in file.itertuples(index=False)}
        assert in_file == expected
    captions = [c.value for c in at.caption]
    assert EN("export.small_number_note", threshold=5) in captions
    assert EN("export.hidden_number_note", threshold=5, hidden=H) in captions


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_threshold_comes_from_the_configuration(
    worked_store: str,
    exported: dict[str, pd.DataFrame],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_settings("[dashboard]\nsmall_number_threshold = 2\n", tmp_path, monkeypatch)
    at = open_page(PAGE, {**JANUARY, "facility": F1, "lang": "hi"})
    assert not at.exception, at.exception
    in_file = {
        row[0]: [row[1], row[2]] for row in exported["profile_gender"].itertuples(index=False)
    }
    # "<2" is exactly 1: two of them (men, not recorded) are hidden with every other count
    # of their column; ABHA-linked has no count below 2
    hidden = HI("export.hidden_number")
    assert in_file == {
        "पुरुष": [hidden, 0],
        "महिला": [hidden, 2],
        "अन्य": [hidden, 0],
        "दर्ज नहीं": [hidden, 0],
    }
    assert any(c.value == HI("export.small_number_note", threshold=2) for c in at.caption)


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_every_chart_and_table_exports_in_the_language(
    worked_store: str, exported: dict[str, pd.DataFrame], lang: str
) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F1, "lang": lang})
    assert not at.exception, at.exception
    mine = {key: frame for key, frame in exported.items() if key.startswith("profile_")}
    assert set(mine) == {
        "profile_gender",
        "profile_age_band",
        "profile_trend",
        "profile_channels",
        "profile_departments",
        "profile_incentive",
    }
    for key, frame in mine.items():
        for column in frame.columns:
            assert bool(DEVANAGARI.search(column)) == (lang == "hi"), (key, column)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_whole_profile_in_hindi_shows_no_english(store_with_staff: str) -> None:
    from test_languages import ENGLISH_PHRASES, visible_text

    at = open_page(PAGE, {**JANUARY, "facility": F1, "lang": "hi"})
    assert not at.exception, at.exception
    shown = visible_text(at)
    leaked = [p for p in ENGLISH_PHRASES if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", shown)]
    assert leaked == []


# --- the incentive rule from the settings --------------------------------------------------------
def _with_incentive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, periods: str) -> None:
    use_settings(periods, tmp_path, monkeypatch)


def incentive_row(at) -> list[object]:
    return at.dataframe[-1].value.iloc[0].tolist()


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_incentive_rule_and_its_words_come_from_the_settings(
    worked_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # F1 in January 2025: 2 ABHA-linked; at Rs 30 above 1 a month, (2 − 1) × 30 = Rs 30
    _with_incentive(
        tmp_path,
        monkeypatch,
        "[[dashboard.incentive]]\nrupees_per_transaction = 30\nmonthly_base = 1\n"
        "valid_from = 2025-01-01\n",
    )
    for lang, w in (("en", EN), ("hi", HI)):
        at = open_page(PAGE, {**JANUARY, "facility": F1, "lang": lang})
        assert not at.exception, at.exception
        tiles = {m.label: m.value for m in at.metric}
        assert tiles[w("facility.estimate_total")] == "₹ 30"
        rule = w("facility.rule_period_open", rupees="30", base="1", start="01-01-2025")
        assert any(c.value == w("facility.estimate_note", rule=rule) for c in at.caption)
        assert incentive_row(at) == [w.month_year(date(2025, 1, 1)), 2, 1, 30, w("common.yes")]


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_a_month_outside_the_scheme_is_shown_so_not_as_zero(
    worked_store: str,
    exported: dict[str, pd.DataFrame],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    # the scheme ends in December 2024: January 2025 is outside it
    _with_incentive(
        tmp_path,
        monkeypatch,
        "[[dashboard.incentive]]\nrupees_per_transaction = 20\nmonthly_base = 100\n"
        "valid_from = 2023-04-01\nvalid_until = 2024-12-31\n",
    )
    w = EN if lang == "en" else HI
    at = open_page(PAGE, {**JANUARY, "facility": F1, "lang": lang})
    assert not at.exception, at.exception
    outside = w("facility.outside_scheme")
    assert {m.label: m.value for m in at.metric}[w("facility.estimate_total")] == outside
    assert incentive_row(at) == [
        w.month_year(date(2025, 1, 1)),
        2,
        outside,
        outside,
        w("common.no"),
    ]
    assert exported["profile_incentive"].iloc[0].tolist()[2:4] == [outside, outside]
