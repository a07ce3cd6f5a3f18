"""The language switch (हिन्दी / English), kept in the session and the URL (``?lang=hi``).

Every page asks ``words()`` for its strings and formats; nothing else decides the language.
"""

from __future__ import annotations

import json

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from data_access.config import load_settings
from data_access.errors import DashboardError
from i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, Words
from ui.layout import narrow_screens

_KEY = "lang"
PARAM = "lang"


def _default_language() -> str:
    try:
        return load_settings().default_language
    except DashboardError:  # a broken configuration is reported by app.py, in this language
        return DEFAULT_LANGUAGE


_REFUSED = "lang_refused_in_link"


def _initial() -> str:
    """The link's language, else the default.

    The language is decided before anything is drawn, and the link's ``lang`` is then
    rewritten; a value it does not know is kept for ``ui.filters.filters_from_params``, the
    one reader of a link's values, which names it with the link's other problems.
    """
    asked = st.query_params.get(PARAM)
    if asked in LANGUAGES:
        return asked
    if asked is not None:
        st.session_state[_REFUSED] = asked
    return _default_language()


def refused_in_link() -> str | None:
    """The ``lang`` value of the link that opened the session, when it named no language."""
    return st.session_state.get(_REFUSED)


def current_language() -> str:
    if _KEY not in st.session_state:
        st.session_state[_KEY] = _initial()
    return st.session_state[_KEY]


def words() -> Words:
    """The catalogue and formats in the language in force."""
    return Words(current_language())


def language_switch() -> Words:
    """Draw the switch at the top of the sidebar; return the words of the chosen language."""
    current_language()
    # gap=None: the page-language script below sits under the switch without adding space.
    switch = st.sidebar.container(gap=None)
    switch.radio(
        Words(st.session_state[_KEY])("app.language"),
        LANGUAGES,
        format_func=LANGUAGE_NAMES.__getitem__,
        key=_KEY,
        horizontal=True,
        label_visibility="collapsed",
    )
    _declare_page_language(switch, st.session_state[_KEY])
    narrow_screens(switch)
    if st.query_params.get(PARAM) != st.session_state[_KEY]:
        st.query_params[PARAM] = st.session_state[_KEY]
    return words()


def _declare_page_language(where: DeltaGenerator, lang: str) -> None:
    """Set ``<html lang>`` to the language in force, so that a screen reader reads Hindi
    with a Hindi voice and the browser offers no translation of a Hindi page from English.

    Streamlit (seen with 1.67) serves every page as ``<html lang="en">`` and has no option
    for it (streamlit/streamlit#15726); ``st.html`` runs this script in the page itself (not
    an iframe): no request, nothing drawn. It runs again whenever the language changes.
    """
    where.html(
        f"<script>document.documentElement.lang = {json.dumps(lang)};</script>",
        unsafe_allow_javascript=True,
    )


def show_error(error: Exception) -> None:
    """A problem in words of the language, with its technical detail for the administrator."""
    w = words()
    kind = type(error).__name__
    try:
        st.error(w(f"error.{kind}"))
    except KeyError:
        st.error(w("error.DashboardError"))
    st.caption(w.markdown("error.details", details=error))
