"""Alerts kept in the store: opened by one refresh, kept open (with new figures) by the next,
closed once the condition clears; idempotent; under a ceiling in the SQL; evaluated after
every refresh without ever undoing it. On an embedded and on a PostgreSQL store.

The source: Bastar (414) with F1 and Dantewada (416) with F2, one registration a day each
from 1 January 2025. F2 stops after 25 January while F1 goes on to the 31st: as of the
31st (the data's last day) F2 has been silent 6 days (default: 3 or more is silent)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import F1, F2, _row

from cli.alerts import evaluate_alerts
from data_access import alerts as stored
from data_access.config import AlertSettings
from data_access.contract import source_metadata
from data_access.engines import source_engine, store_engine
from data_access.queries import Scope
from data_access.refresh import refresh

NOW = datetime(2026, 11, 26, 12, 0)


def _write_source(url: str, f2_until: date) -> None:
    engine = sa.create_engine(url)
    md = source_metadata(with_keys=False)
    districts = [(414, "Bastar", "बस्तर"), (416, "Dakshin Bastar Dantewada", "दंतेवाड़ा")]
    with engine.begin() as conn:
        conn.execute(
            md.tables["districts"].insert(),
            [
                {"lgd_code": c, "name_en": en, "name_hi": hi, "division": "Bastar",
                 "state": "Chhattisgarh"}
                for c, en, hi in districts
            ],
        )  # fmt: skip
        conn.execute(
            md.tables["facilities"].insert(),
            [
                {"facility_id": f, "name_en": f"Facility {f}", "name_hi": None,
                 "facility_type": "CHC", "district_lgd": d, "block": None, "latitude": None,
                 "longitude": None, "ehospital_go_live": date(2025, 1, 1)}
                for f, d in ((F1, 414), (F2, 416))
            ],
        )  # fmt: skip
        conn.execute(
            md.tables["opd_registrations"].insert(),
            [_row(f"a{n}", F1, datetime(2025, 1, n, 10)) for n in range(1, 32)]
            + [_row(f"b{n}", F2, datetime(2025, 1, n, 10)) for n in range(1, f2_until.day + 1)],
        )
    engine.dispose()


def _add(url: str, rows: list[dict]) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(source_metadata(with_keys=False).tables["opd_registrations"].insert(), rows)
    engine.dispose()


@pytest.fixture
def stores(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest):
    """(source URL, store engine): the source an embedded file, the store on the engine."""
    source_url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    source_metadata(with_keys=False).create_all(sa.create_engine(source_url))
    _write_source(source_url, date(2025, 1, 25))
    if engine_name == "sqlite":
        store_url = f"sqlite:///{tmp_path / 'analytics.sqlite'}"
    else:
        store_url = request.getfixturevalue("postgres_url")
    store = store_engine(store_url)
    yield source_url, store
    store.dispose()


def _refresh(source_url: str, store: sa.Engine, now: datetime = NOW, **kwargs):  # type: ignore[no-untyped-def]
    source = source_engine(source_url)
    try:
        return refresh(
            source, store, now=now, complete_check_hours=0, after_refresh=evaluate_alerts, **kwargs
        )
    finally:
        source.dispose()


def _history(store: sa.Engine) -> list[tuple]:
    frame = stored.alert_history(store)
    return [
        (r.rule, r.scope_code, r.district_lgd, str(r.opened_on), str(r.last_seen_on),
         None if r.closed_on is None else str(r.closed_on))
        for r in frame.itertuples(index=False)
    ]  # fmt: skip


def test_an_alert_opens_stays_open_and_closes(stores) -> None:  # type: ignore[no-untyped-def]
    source_url, store = stores
    report = _refresh(source_url, store)
    assert report.after == stored.Evaluation(date(2025, 1, 31), opened=1)
    assert _history(store) == [("silent", F2, 416, "2025-01-31", "2025-01-31", None)]
    (figures,) = stored.open_alerts(store)["figures"]
    assert figures == {
        "last_registration": "2025-01-25",
        "days_silent": 6,
        "go_live": "2025-01-01",
        "silent_days": 3,
    }

    # run again on the same store: nothing changes
    before = stored.alert_history(store)
    assert evaluate_alerts(store) == stored.Evaluation(date(2025, 1, 31), kept=1)
    assert stored.alert_history(store).equals(before)

    # F1 registers on to 3 February, F2 not: still open since 31 January, figures of the 3rd
    _add(source_url, [_row(f"a2-{n}", F1, datetime(2025, 2, n, 10)) for n in (1, 2, 3)])
    report = _refresh(source_url, store, NOW + timedelta(minutes=15))
    assert report.after == stored.Evaluation(date(2025, 2, 3), kept=1)
    assert _history(store) == [("silent", F2, 416, "2025-01-31", "2025-02-03", None)]
    assert stored.open_alerts(store)["figures"][0]["days_silent"] == 9

    # F2 registers again on the 3rd: no longer silent, the alert closes by itself; one
    # registration in the last 7 days is still far below its usual 25 in the 56 before
    _add(source_url, [_row("b2-3", F2, datetime(2025, 2, 3, 11))])
    report = _refresh(source_url, store, NOW + timedelta(minutes=30))
    assert report.after == stored.Evaluation(date(2025, 2, 3), opened=1, closed=1)
    assert _history(store) == [
        ("silent", F2, 416, "2025-01-31", "2025-02-03", "2025-02-03"),
        ("below_usual", F2, 416, "2025-02-03", "2025-02-03", None),
    ]
    (figures,) = stored.open_alerts(store)["figures"]
    assert figures["recent_mean"] == pytest.approx(1 / 7)
    assert figures["usual_mean"] == pytest.approx(25 / 56)

    # its usual week back (a registration a day from 28 January): that closes too
    _add(source_url, [_row(f"b-{n}", F2, datetime(2025, 1, n, 9)) for n in range(28, 32)])
    _add(source_url, [_row(f"b2-{n}", F2, datetime(2025, 2, n, 9)) for n in (1, 2)])
    report = _refresh(source_url, store, NOW + timedelta(minutes=45))
    assert report.after == stored.Evaluation(date(2025, 2, 3), closed=1)
    assert stored.open_alerts(store).empty


def test_open_alerts_keep_to_the_ceiling(stores) -> None:  # type: ignore[no-untyped-def]
    source_url, store = stores
    _refresh(source_url, store)
    # as of 7 February F1 too has been silent (7 days), F2 for 13
    evaluate_alerts(store, AlertSettings(), as_of=date(2025, 2, 7))

    def seen(scope: Scope) -> list[str]:
        return list(stored.open_alerts(store, scope)["scope_code"])

    assert sorted(seen(Scope())) == sorted([F1, F2])
    assert seen(Scope.of(allowed=[416])) == [F2]
    assert seen(Scope.of(allowed=[414])) == [F1]
    assert seen(Scope.of(allowed=[])) == []
    assert seen(Scope.of(districts=[414], allowed=[416])) == []  # a link past the ceiling
    assert seen(Scope.of(facilities=[F1], allowed=[416])) == []
    assert seen(Scope.of(facilities=[F2])) == [F2]


def test_newest_first(stores) -> None:  # type: ignore[no-untyped-def]
    source_url, store = stores
    _refresh(source_url, store)  # F2 opened on 31 January
    evaluate_alerts(store, as_of=date(2025, 2, 7))  # F1 opened on 7 February
    opened = stored.open_alerts(store)
    assert list(opened["scope_code"]) == [F1, F2]
    assert [str(d) for d in opened["opened_on"]] == ["2025-02-07", "2025-01-31"]


def test_a_failed_evaluation_keeps_the_refresh_and_says_so(
    stores, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    source_url, store = stores

    def broken(_: sa.Engine) -> None:
        raise RuntimeError("the rules broke\nsecond line")

    source = source_engine(source_url)
    with caplog.at_level(logging.WARNING, logger="data_access.refresh"):
        report = refresh(source, store, now=NOW, after_refresh=broken)
    source.dispose()
    assert report.after_failed == "RuntimeError: the rules broke"
    assert "the refresh is kept" in caplog.text and "second line" not in caplog.text
    with store.connect() as conn:
        counted = conn.execute(sa.text("SELECT sum(registrations) FROM "
                                       "summary_registrations_daily")).scalar()  # fmt: skip
    assert counted == 31 + 25


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_store_from_before_alerts_gets_the_table_without_a_rebuild(stores) -> None:  # type: ignore[no-untyped-def]
    source_url, store = stores
    source = source_engine(source_url)
    refresh(source, store, now=NOW)  # no evaluation: as an older dashboard left it
    source.dispose()
    assert not sa.inspect(store).has_table("alerts")
    assert stored.open_alerts(store).empty  # no table: no open alert, no error
    report = _refresh(source_url, store, NOW + timedelta(minutes=15))
    assert not report.full and report.after.opened == 1
    assert sa.inspect(store).has_table("alerts")


def test_every_rule_reads_its_counts_from_the_store(tmp_path: Path) -> None:
    """F1 (Bastar, 414): ten registrations on 10–19 December 2024, all ABHA-linked; ten on
    10–19 January 2025, 2 linked and 3 with a malformed number (10 %, 0 % → 20 %, 30 %);
    then nothing. F2 (Dantewada, 416): one unlinked registration a day in January. As of 31
    January, the last 30 days (2–31 January) against the 30 before (3 December – 1 January),
    at least 5 registrations in each."""
    source_url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    source_metadata(with_keys=False).create_all(sa.create_engine(source_url))
    engine = sa.create_engine(source_url)
    md = source_metadata(with_keys=False)
    with engine.begin() as conn:
        conn.execute(
            md.tables["districts"].insert(),
            [
                {"lgd_code": c, "name_en": n, "name_hi": n, "division": "Bastar",
                 "state": "Chhattisgarh"}
                for c, n in ((414, "Bastar"), (416, "Dantewada"))
            ],
        )  # fmt: skip
        conn.execute(
            md.tables["facilities"].insert(),
            [
                {"facility_id": f, "name_en": f, "name_hi": None, "facility_type": "CHC",
                 "district_lgd": d, "block": None, "latitude": None, "longitude": None,
                 "ehospital_go_live": date(2024, 12, 1)}
                for f, d in ((F1, 414), (F2, 416))
            ],
        )  # fmt: skip
        abha = "00123456789012"
        december = [_row(f"d{n}", F1, datetime(2024, 12, n, 9), abha) for n in range(10, 20)]
        january = [
            _row(
                f"j{n}", F1, datetime(2025, 1, n, 9), abha if n < 12 else "123" if n < 15 else None
            )
            for n in range(10, 20)
        ]
        f2 = [_row(f"f{n}", F2, datetime(2025, 1, n, 9)) for n in range(1, 32)]
        conn.execute(md.tables["opd_registrations"].insert(), december + january + f2)
    engine.dispose()
    store = store_engine(f"sqlite:///{tmp_path / 'analytics.sqlite'}")
    source = source_engine(source_url)
    refresh(source, store, now=NOW)
    source.dispose()
    evaluation = evaluate_alerts(store, AlertSettings(min_registrations=5))
    assert evaluation.as_of == date(2025, 1, 31)
    opened = stored.open_alerts(store)
    found = {(r.rule, r.scope_code): r.figures for r in opened.itertuples(index=False)}
    assert set(found) == {
        ("silent", F1),  # 12 days; not also below its usual volume
        ("adoption_drop", F1),
        ("adoption_drop", "414"),
        ("malformed_abha_rise", "414"),
        ("below_target", "414"),  # 100 % in December, 20 % in January: falling
    }
    drop = found[("adoption_drop", "414")]
    assert (drop["previous_linked"], drop["previous_registrations"]) == (10, 10)
    assert (drop["current_linked"], drop["current_registrations"]) == (2, 10)
    assert drop["drop_points"] == pytest.approx(80.0)
    assert found[("malformed_abha_rise", "414")]["current_share"] == pytest.approx(0.3)
    target = found[("below_target", "414")]
    assert (target["latest_month"], target["latest_share"]) == ("2025-01-01", 0.2)
    assert target["outcome"] == "not_at_trend" and target["projected_month"] is None
    assert found[("silent", F1)]["days_silent"] == 12
    assert set(opened["district_lgd"]) == {414}


def test_after_refresh_takes_the_settings(stores, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from cli.alerts import after_refresh
    from data_access.config import load_settings

    source_url, store = stores
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[alerts]\nsilent_days = 10\n", encoding="utf-8")
    settings = load_settings(secrets_path=secrets, environ={"EHOSPITAL_DATA_DIR": str(tmp_path)})
    source = source_engine(source_url)
    report = refresh(source, store, now=NOW, after_refresh=after_refresh(settings))
    source.dispose()
    assert report.after == stored.Evaluation(date(2025, 1, 31), opened=1)
    # F2's 6 days are not silent under 10; they are far below its usual volume
    assert _history(store) == [("below_usual", F2, 416, "2025-01-31", "2025-01-31", None)]
