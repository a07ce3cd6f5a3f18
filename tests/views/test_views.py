"""Every page under several filter states (AppTest), with figures checked against
data_access; and the Overview of District Hospital Bastar for May–July 2025."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import F1
from streamlit.testing.v1 import AppTest
from views_helpers import FILTER_STATES as SHARED_STATES
from views_helpers import HOME, JANUARY, open_page, use_settings

from data_access.config import PROJECT_ROOT
from data_access.engines import store_engine
from data_access.queries import Period, Scope, registration_counts
from demo.calibration import PUBLISHED_FIGURES
from i18n import Words
from metrics.definitions import FIGURES, QUALITY_KINDS

NOW = datetime(2026, 11, 26, 12, 0)
from ui.pages import PAGE_FILES as PAGES  # noqa: E402

FILTER_STATES = {
    **SHARED_STATES,
    "bad values in the link": {"period": "forever", "district": "999", "facility": "IN22x"},
}


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("state", list(FILTER_STATES))
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(worked_store: str, page: str, state: str) -> None:
    at = open_page(page, FILTER_STATES[state])
    assert not at.exception, at.exception
    assert at.caption, "every page says what it shows"


EN, HI = Words("en"), Words("hi")


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("w", [EN, HI], ids=["en", "hi"])
def test_overview_figures_match_data_access(worked_store: str, w: Words) -> None:
    at = open_page(PAGES[0], {**JANUARY, "district": "414", "lang": w.lang})
    tiles = {m.label: m.value for m in at.metric}
    expected = registration_counts(
        store_engine(worked_store), Period(date(2025, 1, 1), date(2025, 1, 31)), Scope.of([414])
    ).iloc[0]
    assert tiles[w("figure.opd_registrations")] == w.count(expected["opd_registrations"])
    assert tiles[w("figure.abha_linked")] == w.count(expected["abha_linked"])
    assert tiles[w("figure.facilities_reporting")] == w("format.of", part="1", whole="1")
    help_texts = {m.label: m.proto.help for m in at.metric}
    assert help_texts[w("figure.abha_share")] == w("figure.abha_share.definition")


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_overview_in_hindi_reads_as_the_state_writes(worked_store: str) -> None:
    at = open_page(PAGES[0], {**JANUARY, "lang": "hi"})
    assert at.header[0].value == "सारांश"
    headlines = at.markdown[0].value
    assert "बस्तर संभाग में जनवरी 2025 के दौरान 7 ओपीडी पंजीयन हुए" in headlines
    assert "जिलों में सबसे अधिक आभा लिंकिंग दर: बस्तर" in headlines
    assert [s.value for s in at.subheader][:2] == [
        "जिलेवार आभा लिंकिंग दर, सप्ताहवार",
        "मरीज़ों का पंजीयन किस माध्यम से हुआ",
    ]
    downloads = [b.proto.label for b in at.get("download_button")]
    assert downloads.count(HI("export.csv")) == 2, "both charts can be downloaded"


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("w", [EN, HI], ids=["en", "hi"])
def test_an_empty_selection_says_so(worked_store: str, w: Words) -> None:
    at = open_page(PAGES[0], {**FILTER_STATES["an empty period"], "lang": w.lang})
    scope = f"{w.division()} · {w.period(date(2025, 1, 2), date(2025, 1, 3))}"
    assert [i.value for i in at.main.info] == [w("common.no_registrations_in", scope=scope)]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_link_is_restored_and_kept(worked_store: str) -> None:
    at = open_page(PAGES[0], {**JANUARY, "facility": F1})
    assert _param(at, "facility") == [F1]
    assert _param(at, "from") == ["2025-01-01"]
    at.switch_page("views/data_quality.py").run()
    assert not at.exception
    assert _param(at, "facility") == [F1], "filters are kept between pages"
    assert any(m.label == "Duplicate rows" for m in at.metric)


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("w", [EN, HI], ids=["en", "hi"])
def test_data_quality_names_every_problem(worked_store: str, w: Words) -> None:
    at = open_page("views/data_quality.py", {**JANUARY, "lang": w.lang})
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown[w("quality.duplicate")] == w.count(2)
    assert shown[w("quality.invalid_timestamp")] == w.count(3)
    problems = at.dataframe[-2].value  # the last: every row accounted for
    assert list(problems.columns[:2]) == [w("common.facility"), w("common.hfr_id")]
    assert w("data_quality.not_in_registry") in set(problems[w("common.facility")])
    accounts = at.dataframe[-1].value
    assert list(accounts.iloc[:, 0])[-1] == w("data_quality.difference")
    assert accounts.iloc[-1, 1] == 0, "every row of the worked example is accounted for"


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("w", [EN, HI], ids=["en", "hi"])
def test_about_defines_every_figure_from_the_catalogue(worked_store: str, w: Words) -> None:
    at = open_page("views/about.py", {**JANUARY, "lang": w.lang})
    text = "\n".join(md.value for md in at.markdown)
    for figure in FIGURES:
        assert f"**{w(f'figure.{figure.key}')}** — {w(f'figure.{figure.key}.definition')}" in text
    for kind in QUALITY_KINDS:
        assert f"**{w(f'quality.{kind.key}')}** — {w(f'quality.{kind.key}.definition')}" in text


def _param(at: AppTest, key: str) -> list[str]:
    value = at.query_params[key]
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "configuration cannot be used"), ("hi", "सेटिंग इस्तेमाल नहीं की जा सकती")],
)
def test_a_broken_configuration_is_a_message_in_the_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, expected: str
) -> None:
    use_settings("[dashboard]\nlookback_days = -1\n", tmp_path, monkeypatch)
    at = open_page(HOME, {"lang": lang})
    assert not at.exception
    assert expected in at.error[0].value
    assert "lookback_days" in at.caption[0].value  # the detail, for the administrator


def test_an_unbuilt_store_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYTICS_DB_URL", f"sqlite:///{tmp_path / 'empty.sqlite'}")
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception
    assert any("ehospital-dashboard refresh" in w.value for w in at.warning)


@pytest.mark.slow
@pytest.mark.parametrize("published", PUBLISHED_FIGURES, ids=lambda p: p.facility_name)
def test_overview_shows_the_published_figures(
    demo_on_sqlite, published, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, store_url = demo_on_sqlite
    monkeypatch.setenv("ANALYTICS_DB_URL", store_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    from data_access.queries import facilities

    ids = facilities(store_engine(store_url)).set_index("name_en")["facility_id"]
    at = open_page(
        PAGES[0],
        {
            "period": "custom",
            "from": published.period_start.isoformat(),
            "to": published.period_end.isoformat(),
            "facility": ids[published.facility_name],
        },
    )
    assert not at.exception
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["OPD registrations"] == EN.count(published.registrations)
    assert tiles["ABHA-linked"] == EN.count(published.abha_linked)
    assert any(EN.count(published.registrations) in md.value for md in at.markdown)
