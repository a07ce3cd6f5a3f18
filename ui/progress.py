"""Signs that a page is working, in the language in force.

Streamlit's own sign is the running figure and "Stop" at the top right, shown once a run
has taken half a second; ``[client] toolbarMode = "minimal"`` hides it with the toolbar
unless the app names an item of the menu, so the frame names one ("About", in
``st.set_page_config``). Beside it:

- ``place_for_last`` keeps a place for an element the page draws at the end of its run:
  the Map's deck.gl map, whose first frame holds a browser without a usable GPU for
  seconds (docs/performance.md), so the rest of the page is on the screen before it.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator


def place_for_last(key: str, height: int, text: str) -> DeltaGenerator:
    """A place, here, for the element with ``key`` that the page draws at the end of its run.

    When the element was not on the screen in the run before (the page has just been
    opened), the place says ``text`` in a box of ``height`` px until the element comes.
    When it was (a rerun on the same page), the place is left as it is, with the element
    in it, which is then updated where it stands rather than drawn anew: a placeholder in
    between would make the browser build a new map at every rerun.
    """
    place = st.container()
    if key in st.session_state:  # a widget's state lasts while the widget is drawn
        return place
    slot = place.empty()
    slot.container(height=height, border=True).caption(text)
    return slot
