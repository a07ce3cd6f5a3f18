"""The Alerts page on the worked example (tests/conftest.py), alerts evaluated as the
refresh does. As of 3 February 2025 (the data's last day), District Hospital Test (F1,
Bastar 414) last registered on 16 January: silent 18 days. CHC Test (F2, Dantewada 416)
registered on the 3rd. As of 10 February, F2 too has been silent 7 days."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import F1, F2
from test_access import (  # noqa: F401
    ACCESS,
    USERS,
    access_config,
    assert_nothing_of_bastar,
    open_as,
)
from test_commissioner import ACCESS as COMMISSIONERS
from test_commissioner import BASTAR as BASTAR_COMMISSIONER
from test_languages import visible_text
from views_helpers import JANUARY, open_page, use_access_file

from cli.alerts import evaluate_alerts
from data_access.engines import store_engine
from i18n import Words

PAGE = "views/alerts.py"
EN, HI = Words("en"), Words("hi")


def _evaluate(store_url: str, as_of: date | None = None) -> None:
    store = store_engine(store_url)
    evaluate_alerts(store, as_of=as_of)
    store.dispose()


def _rows(at) -> list[dict]:  # type: ignore[no-untyped-def]
    assert not at.exception, at.exception
    return at.dataframe[0].value.to_dict("records") if at.dataframe else []


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_open_alert_in_english_and_hindi(worked_store: str) -> None:
    _evaluate(worked_store)
    (alert,) = _rows(open_page(PAGE, JANUARY))
    assert alert == {
        "Alert": "No registration for 18 days: the last on 16-01-2025",
        "Where": "District Hospital Test",
        "Open since": date(2025, 2, 3),
        "Go to": f"facility?period=custom&from=2025-01-01&to=2025-01-31&facility={F1}&lang=en",
    }
    (alert,) = _rows(open_page(PAGE, {**JANUARY, "lang": "hi"}))
    assert alert == {
        "अलर्ट": "18 दिन से कोई पंजीयन नहीं: अंतिम 16-01-2025 को",
        "कहाँ": "जिला चिकित्सालय",
        "कब से खुला": date(2025, 2, 3),
        "देखें": f"facility?period=custom&from=2025-01-01&to=2025-01-31&facility={F1}&lang=hi",
    }


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_silent_days_agree_with_the_data_quality_page(worked_store: str) -> None:
    _evaluate(worked_store)
    quality = open_page("views/data_quality.py", JANUARY)
    assert not quality.exception, quality.exception
    silent = quality.dataframe[0].value
    row = silent[silent[EN("common.hfr_id")] == F1].iloc[0]
    days = int(row[EN("data_quality.days_silent")])
    last = row[EN("data_quality.last_registration")]
    (alert,) = _rows(open_page(PAGE, JANUARY))
    assert alert["Alert"] == EN(
        "alerts.rule.silent", days=EN.count(days), last=EN.day(date.fromisoformat(str(last)[:10]))
    )


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_sidebar_scope_narrows_the_list_and_an_empty_one_says_so(worked_store: str) -> None:
    _evaluate(worked_store)
    at = open_page(PAGE, {**JANUARY, "district": "416"})
    assert _rows(at) == []
    assert EN("alerts.none", scope="Dakshin Bastar Dantewada") in visible_text(at)
    at = open_page(PAGE, {**JANUARY, "lang": "hi", "district": "416"})
    assert HI("alerts.none", scope="दक्षिण बस्तर दंतेवाड़ा") in visible_text(at)
    assert len(_rows(open_page(PAGE, {**JANUARY, "district": "414"}))) == 1


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.usefixtures("access_config")
def test_each_role_sees_the_alerts_of_its_ceiling(worked_store: str) -> None:
    _evaluate(worked_store, as_of=date(2025, 2, 10))  # F1 and F2 both silent
    at = open_as(USERS["collector"], PAGE, JANUARY)
    rows = _rows(at)
    assert [r["Where"] for r in rows] == ["CHC Test"]
    assert rows[0]["Alert"] == "No registration for 7 days: the last on 03-02-2025"
    assert rows[0]["Go to"].endswith(f"facility={F2}&lang=en")
    assert_nothing_of_bastar(at, [])
    for role in ("ministry", "admin"):
        rows = _rows(open_as(USERS[role], PAGE, JANUARY))
        assert sorted(r["Where"] for r in rows) == ["CHC Test", "District Hospital Test"], role
    refused = open_as(USERS["press"], PAGE, JANUARY)
    assert not refused.dataframe
    assert "This page is not open to your role" in visible_text(refused)


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.usefixtures("access_config")
def test_a_collector_linking_to_another_district_gets_nothing_of_it(worked_store: str) -> None:
    _evaluate(worked_store, as_of=date(2025, 2, 10))
    at = open_as(USERS["collector"], PAGE, {**JANUARY, "district": "414"})
    ignored = [t.value for t in at.toast if t.value.startswith("Ignored in the link")]
    assert_nothing_of_bastar(at, ignored)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_no_evaluation_yet_means_no_open_alert(worked_store: str) -> None:
    at = open_page(PAGE, JANUARY)
    assert _rows(at) == []
    assert EN("alerts.none", scope="Bastar division") in visible_text(at)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_planned_and_scheduled_facilities_are_not_silent_on_data_quality(
    worked_source_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A facility the registry lists without a go-live day (planned) or with one after the
    data's last day (3 February 2025) could not have reported: the Data quality page does
    not list it as silent, as the Overview does not count it and no alert is raised. One
    live since January that never reported is listed."""
    import sqlalchemy as sa
    from conftest import DEMO_NOW

    from data_access.contract import source_metadata
    from data_access.engines import source_engine
    from data_access.refresh import refresh

    base = {
        "facility_type": "CHC",
        "district_lgd": 414,
        "block": None,
        "name_hi": None,
        "ehospital_go_live": None,
    }
    engine = sa.create_engine(worked_source_url)
    with engine.begin() as conn:
        conn.execute(
            source_metadata(with_keys=False).tables["facilities"].insert(),
            [
                {**base, "facility_id": "PLANNED", "name_en": "CHC Planned"},
                {
                    **base,
                    "facility_id": "SCHEDULED",
                    "name_en": "CHC Scheduled",
                    "ehospital_go_live": date(2025, 6, 1),
                },
                {
                    **base,
                    "facility_id": "LIVENEVER",
                    "name_en": "CHC Live",
                    "ehospital_go_live": date(2025, 1, 5),
                },
            ],
        )
    engine.dispose()
    store_url = f"sqlite:///{tmp_path / 'planned.sqlite'}"
    refresh(source_engine(worked_source_url), store_engine(store_url), now=DEMO_NOW)
    monkeypatch.setenv("ANALYTICS_DB_URL", store_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    quality = open_page("views/data_quality.py", JANUARY)
    assert not quality.exception, quality.exception
    listed = set(quality.dataframe[0].value[EN("common.hfr_id")])
    assert {F1, "LIVENEVER"} <= listed
    assert not {"PLANNED", "SCHEDULED"} & listed


AGREEMENT_ACCESS = ACCESS + COMMISSIONERS  # tests/views/test_access.py, test_commissioner.py
CEILINGS = {
    USERS["collector"]: frozenset({416}),
    BASTAR_COMMISSIONER: frozenset({414, 649}),  # Dantewada moved to Raipur
    USERS["ministry"]: None,
}


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_the_page_and_the_brief_list_the_same_alerts_under_every_ceiling(
    two_division_store: str, tmp_path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """On the two-division store as of 10 February 2025 with a target of 99 %: both
    facilities silent, every district with registrations below target. What the Alerts page
    lists for a collector, a commissioner and the ministry is what their brief lists, row
    for row, in each language; and each sees only the alerts of their own districts."""
    from press.brief import BriefScope, make_brief, named_period

    store = store_engine(two_division_store)
    evaluate_alerts(store, as_of=date(2025, 2, 10))
    use_access_file(AGREEMENT_ACCESS, tmp_path, monkeypatch)
    seen = {}
    for email, ceiling in CEILINGS.items():
        at = open_as(email, PAGE, {**JANUARY, "lang": lang})
        link = Words(lang)("alerts.link")
        page = [{k: v for k, v in row.items() if k != link} for row in _rows(at)]
        brief = make_brief(
            store, BriefScope(allowed=ceiling), named_period("last-week", date(2025, 2, 3)), lang
        )
        listed = brief.alerts.to_dict("records")
        assert page == listed, email
        seen[email] = {row[Words(lang)("alerts.where")] for row in page}
    store.dispose()
    dantewada = {"CHC Test"}  # no Hindi name in the registry: shown in English
    collector = seen[USERS["collector"]]
    commissioner = seen[BASTAR_COMMISSIONER]
    assert collector == dantewada
    assert commissioner == {"District Hospital Test" if lang == "en" else "जिला चिकित्सालय"}
    assert collector | commissioner == seen[USERS["ministry"]]


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_each_alert_is_a_card_with_its_place_words_and_a_button(worked_store: str, lang) -> None:
    """On a phone a table's long sentence is cut at the screen's edge: each alert is also
    a card with the place, the sentence, since when and a button to the facility."""
    _evaluate(worked_store)
    w = Words(lang)
    at = open_page(PAGE, {**JANUARY, "lang": lang})
    assert not at.exception, at.exception
    (alert,) = _rows(at)
    texts = [m.value for m in at.markdown]
    assert f"**{alert[w('alerts.where')]}**" in texts
    assert alert[w("alerts.what")] in texts
    assert f"{w('alerts.since')}: 03-02-2025" in [c.value for c in at.caption]
    (button,) = at.get("link_button")
    assert button.proto.label == w("alerts.card_link.facility")
    assert button.proto.url == alert[w("alerts.link")]
