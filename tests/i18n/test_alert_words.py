"""Every alert rule in words, in both languages, with its figures formatted by ``Words``."""

from __future__ import annotations

import pandas as pd
import pytest

from i18n import Words
from i18n.alerts import alert_place, alert_text, alerts_in_words
from metrics.alerts import RULES

PERIODS = {
    "previous_start": "2025-01-10",
    "previous_end": "2025-02-08",
    "current_start": "2025-02-09",
    "current_end": "2025-03-10",
}
FIGURES = {
    "silent": {"last_registration": "2025-03-01", "days_silent": 9, "go_live": "2025-01-01"},
    "below_usual": {"recent_mean": 4.25, "usual_mean": 10.0, "ratio": 0.425, "recent_days": 7},
    "adoption_drop": {
        "previous_share": 0.6,
        "current_share": 0.45,
        "drop_points": 15.0,
        "current_linked": 1350,
        "current_registrations": 3000,
        **PERIODS,
    },
    "below_target": {
        "latest_month": "2025-11-01",
        "latest_share": 0.4,
        "target": 0.6,
        "projected_month": None,
    },
    **{
        f"{kind}_rise": {
            "kind": kind,
            "previous_share": 0.01,
            "current_share": 0.04,
            "rise_points": 3.0,
            **PERIODS,
        }
        for kind in ("malformed_abha", "duplicate", "unknown_facility")
    },
}
ENGLISH = {
    "silent": "No registration for 9 days: the last on 01-03-2025",
    "below_usual": "4.2 registrations a day in the last 7 days: 42.5% of its usual 10.0 a day",
    "adoption_drop": "ABHA adoption down from 60.0% to 45.0% (-15.0 pp): 1,350 of 3,000 "
    "registrations in 09-02-2025 to 10-03-2025, against 10-01-2025 to 08-02-2025",
    "below_target": "ABHA adoption 40.0% in November 2025, below the 60% target, and not "
    "reaching it at its current trend",
    "malformed_abha_rise": "Malformed ABHA number: 4.0% of registrations in 09-02-2025 to "
    "10-03-2025, up from 1.0% in 10-01-2025 to 08-02-2025 (+3.0 pp)",
}


@pytest.mark.parametrize("lang", ["en", "hi"])
@pytest.mark.parametrize("rule", RULES)
def test_every_rule_has_words(rule: str, lang: str) -> None:
    text = alert_text(Words(lang), rule, FIGURES[rule])
    assert text and "{" not in text
    if lang == "en" and rule in ENGLISH:
        assert text == ENGLISH[rule]


def test_the_other_forms() -> None:
    en, hi = Words("en"), Words("hi")
    never = {"last_registration": None, "days_silent": None, "go_live": "2025-03-08"}
    assert alert_text(en, "silent", never) == "No registration since it went live on 08-03-2025"
    assert "08-03-2025" in alert_text(hi, "silent", never)
    reaching = {**FIGURES["below_target"], "projected_month": "2027-01-01"}
    assert alert_text(en, "below_target", reaching).endswith("only in January 2027")
    assert "जनवरी 2027" in alert_text(hi, "below_target", reaching)
    with pytest.raises(ValueError, match="no words"):
        alert_text(en, "no_such_rule", {})


def test_where_and_the_table() -> None:
    en = Words("en")
    names = {414: "Bastar"}, {"F1": "District Hospital Test"}
    assert alert_place(en, "facility", "F1", *names) == "District Hospital Test"
    assert alert_place(en, "district", "414", *names) == "Bastar"
    assert alert_place(en, "facility", "F9", *names) == "F9"  # no longer in the registry
    assert alert_place(en, "all", "all", *names) == en("alerts.where_all")
    table = alerts_in_words(
        pd.DataFrame(
            {
                "rule": ["silent"],
                "scope_kind": ["facility"],
                "scope_code": ["F1"],
                "figures": [FIGURES["silent"]],
                "opened_on": [pd.Timestamp("2025-03-10").date()],
            }
        ),
        en,
        *names,
    )
    assert list(table.columns) == ["Alert", "Where", "Open since"]
    assert table.iloc[0].tolist()[:2] == [ENGLISH["silent"], "District Hospital Test"]
