"""Every page in Hindi shows no English UI string, and in English no Devanagari.

All visible text of a rendered page is collected from the AppTest element tree: text,
labels, options, metric values and deltas, table headers, and the titles in chart specs.
Names from the data aside (they come in the chosen language too), nothing may come from
the other language's catalogue.
"""

from __future__ import annotations

import json
import re
import string

import pytest
from conftest import F2
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest
from views_helpers import JANUARY, open_page

from i18n import LANGUAGE_NAMES, catalogue
from ui.pages import PAGE_FILES

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
STATES = {
    "whole division": JANUARY,
    "one facility": {**JANUARY, "facility": F2},
    "an empty period": {"period": "custom", "from": "2025-01-02", "to": "2025-01-03"},
}
SKIPPED_FIELDS = {"data", "arrowData", "id", "formId", "key", "fragmentId"}


def _strings(value: object) -> list[str]:
    """Every string in a proto-as-dict, JSON chart specs opened up (titles, labels…)."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SKIPPED_FIELDS:
                continue
            if key == "spec" and isinstance(item, str):
                found += _strings(_without_data(json.loads(item)))
            else:
                found += _strings(item)
    elif isinstance(value, list):
        for item in value:
            found += _strings(item)
    elif isinstance(value, str):
        found.append(value)
    return found


def _without_data(spec: object) -> object:
    """A chart spec without its data rows (those are names and figures, not UI words)."""
    if isinstance(spec, dict):
        return {k: _without_data(v) for k, v in spec.items() if k not in ("data", "datasets")}
    if isinstance(spec, list):
        return [_without_data(v) for v in spec]
    return spec


def visible_text(at: AppTest) -> str:
    """All the text a user can see on the page, as one string."""
    parts: list[str] = []
    for root in (at.main, at.sidebar):
        stack = [root]
        while stack:
            node = stack.pop()
            proto = getattr(node, "proto", None)
            if proto is not None and hasattr(proto, "DESCRIPTOR"):
                parts += _strings(MessageToDict(proto))
            children = getattr(node, "children", {})
            stack.extend(children.values() if isinstance(children, dict) else children)
    for frame in at.dataframe:
        parts += [str(c) for c in frame.value.columns]
    parts += [toast.value for toast in at.toast]
    return "\n".join(parts)


def _literal_parts(message: str) -> list[str]:
    return [text for text, _, _, _ in string.Formatter().parse(message) if text]


def english_only_phrases() -> list[str]:
    """Phrases of the English catalogue that a Hindi page must not show."""
    english, hindi = catalogue("en"), catalogue("hi")
    phrases: set[str] = set()
    for key, message in english.items():
        if message == hindi.get(key):
            continue
        for part in _literal_parts(message):
            part = part.strip(" .,:;()·–-")
            # Whole phrases of two words or more, or single words of 6 letters or more:
            # short words ("New", "Other") may be in a facility's name or a code.
            if len(part.split()) >= 2 or len(part) >= 6:
                phrases.add(part)
    return sorted(phrases, key=len, reverse=True)


ENGLISH_PHRASES = english_only_phrases()


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("page", PAGE_FILES)
def test_a_page_in_hindi_shows_no_english_ui_string(
    worked_store: str, page: str, state: str
) -> None:
    at = open_page(page, {**STATES[state], "lang": "hi"})
    assert not at.exception, at.exception
    shown = visible_text(at)
    assert DEVANAGARI.search(shown), "the page shows no Hindi at all"
    leaked = [p for p in ENGLISH_PHRASES if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", shown)]
    assert leaked == [], f"English on the Hindi {page}: {leaked}"


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("page", PAGE_FILES)
def test_a_page_in_english_shows_no_devanagari(worked_store: str, page: str, state: str) -> None:
    at = open_page(page, {**STATES[state], "lang": "en"})
    assert not at.exception, at.exception
    shown = visible_text(at)
    for name in LANGUAGE_NAMES.values():  # the language switch names each language in itself
        shown = shown.replace(name, "")
    assert DEVANAGARI.findall(shown) == [], [
        line for line in shown.splitlines() if DEVANAGARI.search(line)
    ][:10]


def test_the_language_is_kept_in_the_link(worked_store: str) -> None:
    at = open_page(PAGE_FILES[0], {**JANUARY, "lang": "hi"})
    assert at.query_params["lang"] == ["hi"] or at.query_params["lang"] == "hi"
    assert at.session_state["lang"] == "hi"
    at.sidebar.radio[0].set_value("en").run()
    assert at.session_state["lang"] == "en"
    assert "en" in at.query_params["lang"]


def test_an_unknown_language_in_the_link_falls_back_and_says_so(worked_store: str) -> None:
    at = open_page(PAGE_FILES[0], {**JANUARY, "lang": "fr"})
    assert not at.exception
    assert at.session_state["lang"] == "en"
    assert any("fr" in toast.value for toast in at.toast)
