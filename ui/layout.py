"""The frame on a phone (390 px): what Streamlit's own layout does not do for a narrow screen.

- The app's title in two lines, not four: a smaller heading below ``PHONE_MAX_PX``.
- The sidebar closes when a page is chosen in it: Streamlit (seen with 1.67) leaves it
  open over 300 of the 390 px after the page has changed, so the page chosen is hidden.
  ``position="top"`` navigation does not help: on a phone it moves back into the sidebar.

Both are fixed text written here (no data), drawn by ``st.html`` in the page itself: no
request, nothing visible on a wide screen, and once per page run.
"""

from __future__ import annotations

import streamlit as st

PHONE_MAX_PX = 640

PHONE_CSS = f"""<style>
@media (max-width: {PHONE_MAX_PX}px) {{
  [data-testid="stMainBlockContainer"] h1 {{ font-size: 1.6rem; line-height: 1.25; }}
  [data-testid="stMainBlockContainer"] h2 {{ font-size: 1.35rem; }}
  [data-testid="stMainBlockContainer"] h3 {{ font-size: 1.15rem; }}
}}
</style>"""

CLOSE_SIDEBAR_ON_NAVIGATION = f"""<script>
if (!window.__ehdCloseSidebarOnNavigation) {{
  window.__ehdCloseSidebarOnNavigation = true;
  document.addEventListener("click", (event) => {{
    if (window.innerWidth > {PHONE_MAX_PX}) return;
    if (!event.target.closest('[data-testid="stSidebarNavLink"]')) return;
    const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (close) setTimeout(() => close.click(), 0);
  }}, true);
}}
</script>"""


def narrow_screens(where) -> None:  # type: ignore[no-untyped-def]
    """Draw the phone rules (once per run). ``where`` is a container without gaps (the
    language switch's), so that the script adds no space to the sidebar."""
    st.html(PHONE_CSS)  # style only: Streamlit puts it where it takes no space
    where.html(CLOSE_SIDEBAR_ON_NAVIGATION, unsafe_allow_javascript=True)
