"""Switching language never changes what a page shows, and the link keeps codes (issue 16,
defect 1): with a district and a facility chosen, two switches (English → Hindi →
English) once left English names in the Hindi sidebar, then dropped the district and
wrote the facility's display text into the link; with a district alone, the second
switch widened the page to the whole division."""

from __future__ import annotations

import pytest
from conftest import F2
from views_helpers import JANUARY, open_page

from ui.filters import widget_key

STATES = {
    "a district and its facility": {**JANUARY, "district": "416", "facility": F2},
    "a district alone": {**JANUARY, "district": "416"},
    "a facility type": {**JANUARY, "type": "CHC"},
}


@pytest.mark.parametrize("state", list(STATES))
def test_two_switches_keep_the_scope_and_the_link(worked_store: str, state: str) -> None:
    params = STATES[state]
    at = open_page("views/overview.py", params)
    assert not at.exception
    before = {k: at.query_params[k] for k in ("district", "facility", "type") if k in params}
    chosen = _filters(at, "en")
    for language in ("hi", "en", "hi"):
        at.sidebar.radio(key="lang").set_value(language).run()
        assert not at.exception, f"after switching to {language}"
        link = {
            k: at.query_params[k] for k in ("district", "facility", "type") if k in at.query_params
        }
        assert link == before, f"after switching to {language} the link says {link}"
        now = _filters(at, language)
        assert now == chosen, f"after switching to {language} the filters are {now}"


def _filters(at, language: str) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """The values of the sidebar's multiselects drawn in ``language``."""
    return {
        name: at.multiselect(key=widget_key(name, language)).value
        for name in ("districts", "facilities", "types")
    }
