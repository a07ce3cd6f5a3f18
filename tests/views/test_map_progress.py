"""The Map, visited again, and the signs that a page is working (issue 16, defect 6).

A visit of the Map is one run of the app, which makes no static choropleth (only its PNG
or SVG does, when asked for) and draws the deck.gl map last, in a place kept for it that
says the map is being drawn, but only when the map was not already on the screen: a rerun
on the page updates the map where it stands. The frame says "Loading…" in the language,
and names a menu item so that Streamlit's running figure shows under toolbarMode minimal.
Counted with the real functions, called through (no stand-in does their work).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest
from views_helpers import JANUARY, open_page

from data_access.config import PROJECT_ROOT

PAGE = "views/map.py"


Calls = list[tuple[tuple, dict]]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Callable[[object, str], Calls]:
    """``calls(module, name)``: the function, called through, and the list of the
    arguments of its calls, which grows at each call."""

    def record(module: object, name: str) -> Calls:
        real = getattr(module, name)
        made: Calls = []

        def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
            made.append((args, kwargs))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, recorded)
        return made

    return record


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Callable[[], bytes]]]:
    """(file name, the function that makes the file) of every download button drawn."""
    import ui.exports

    made: list[tuple[str, Callable[[], bytes]]] = []

    def capture(make: Callable[[], bytes], name: str) -> Callable[[], bytes]:
        made.append((name, make))
        return make

    monkeypatch.setattr(ui.exports, "recorded_export", capture)
    return made


def _deck(at: AppTest) -> dict:
    (chart,) = at.get("deck_gl_json_chart")
    return json.loads(chart.proto.json)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_static_map_is_made_for_its_download_not_at_every_run(
    worked_store: str, calls, downloads
) -> None:
    import press.maps

    made = calls(press.maps, "choropleth")
    at = open_page(PAGE, JANUARY)
    at.radio(key="map_metric").set_value("volume").run()
    assert not at.exception, at.exception
    assert made == [], "a run of the Map made the static choropleth nobody asked for"
    (png,) = [make for name, make in downloads if name.startswith("map-volume") and ".png" in name]
    assert png()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(made) == 1, "the PNG is the static choropleth, made when it is asked for"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_second_visit_of_the_map_is_one_run_that_draws_the_map(worked_store: str, calls) -> None:
    import ui.data

    runs = calls(ui.data, "begin_run")  # the frame calls it once at the top of every run
    at = open_page("views/overview.py", JANUARY)
    visits = []
    for page in (PAGE, "views/trends.py", PAGE):
        before = len(runs)
        at.switch_page(page).run()
        assert not at.exception, at.exception
        visits.append(len(runs) - before)
        if len(visits) == 1:  # the interactive map, chosen on the first visit
            at.toggle(key="map_interactive_toggle").set_value(True).run()
    assert visits == [1, 1, 1], "a visit that reruns the app makes the page wait twice"
    assert {layer["id"] for layer in _deck(at)["layers"]} >= {"lgd", "no-data-outline", "hfr"}
    captions = " ".join(caption.value for caption in at.caption)
    assert "Drawing the map" not in captions, "the map replaces the place kept for it"


def _place_script() -> None:
    import streamlit as st

    from ui.progress import place_for_last

    place = place_for_last("thing", 200, "Drawing the thing…")
    st.caption("the rest of the page")
    if st.session_state.get("draw", True):
        place.text_input("Thing", key="thing")


def test_the_kept_place_says_what_comes_until_it_comes() -> None:
    at = AppTest.from_function(_place_script)
    at.session_state["draw"] = False
    at.run()
    assert [c.value for c in at.caption] == ["Drawing the thing…", "the rest of the page"]
    at.session_state["draw"] = True
    at.run()
    assert [c.value for c in at.caption] == ["the rest of the page"]
    assert at.text_input(key="thing").label == "Thing"


def test_a_rerun_leaves_the_place_of_an_element_on_the_screen_as_it_is() -> None:
    """No placeholder between the element and its update: a new deck.gl map would cost the
    browser seconds at every rerun of the Map (a metric chosen, a district picked)."""
    at = AppTest.from_function(_place_script)
    at.run()
    at.session_state["draw"] = False  # a rerun that stops before the element is drawn again
    at.run()
    assert "Drawing the thing…" not in [c.value for c in at.caption]


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize(
    ("lang", "loading", "about"), [("en", "Loading…", "ABHA"), ("hi", "लोड हो रहा है…", "आभा")]
)
def test_the_frame_names_a_menu_item_and_says_loading_in_the_language(
    worked_store: str, lang: str, loading: str, about: str, calls
) -> None:
    """toolbarMode minimal hides Streamlit's toolbar, and the running figure in it, unless
    the app names a menu item (Streamlit 1.67's frontend: ``shouldShowToolbar``)."""
    import streamlit as st

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "minimal"
    page_configs, spinners = calls(st, "set_page_config"), calls(st, "spinner")
    at = open_page(PAGE, {**JANUARY, "lang": lang})
    assert not at.exception, at.exception
    menus = [kwargs.get("menu_items") for _, kwargs in page_configs]
    assert menus and all(menu and about in menu["About"] for menu in menus), menus
    # No spinner around the page's run: its placeholder left the page's elements as
    # skeletons under load (tests/e2e/test_load.py).
    assert loading not in [args[0] for args, _ in spinners]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_run_asks_the_store_for_its_refresh_once_and_sees_the_next(
    worked_store: str, worked_source_url: str, calls
) -> None:
    """Every cached read is keyed by the store's refresh time: read once a run, not once a
    read (on PostgreSQL each was a round trip, a tenth of a warm run). A refresh landing
    between two runs is in the next one's figures."""
    from conftest import DEMO_NOW

    import ui.data
    from data_access.engines import source_engine, store_engine
    from data_access.refresh import refresh

    asked = calls(ui.data.queries, "store_state")
    at = open_page("views/comparison.py", JANUARY)
    assert not at.exception, at.exception
    for page in ("views/comparison.py", "views/overview.py", "views/trends.py"):
        before = len(asked)
        at.switch_page(page).run()
        assert not at.exception, at.exception
        assert len(asked) - before == 1, f"{page}: {len(asked) - before} reads of the store state"
    first = at.session_state["_run_memo"]
    token = next(v for k, v in first.items() if k[0] == "refresh_token")
    refresh(
        source_engine(worked_source_url),
        store_engine(worked_store),
        now=DEMO_NOW.replace(hour=DEMO_NOW.hour + 1),
        full=True,
    )
    at.run()
    again = next(v for k, v in at.session_state["_run_memo"].items() if k[0] == "refresh_token")
    assert again != token, "the next run reads the refresh that landed"
