"""The dashboard's pages, listed once: app.py builds its navigation from this list, and the
page tests and the render benchmark walk it."""

from __future__ import annotations

from typing import NamedTuple


class PageEntry(NamedTuple):
    file: str
    title_key: str
    icon: str
    url_path: str | None  # None: the default page, at the root URL

    @property
    def name(self) -> str:
        """'views/data_quality.py' → 'data_quality' (as access/roles.py names pages)."""
        return self.file.removeprefix("views/").removesuffix(".py")


PAGES: tuple[PageEntry, ...] = (
    PageEntry("views/overview.py", "nav.overview", ":material/dashboard:", None),
    PageEntry("views/map.py", "nav.map", ":material/map:", "map"),
    PageEntry("views/trends.py", "nav.trends", ":material/trending_up:", "trends"),
    PageEntry("views/comparison.py", "nav.comparison", ":material/leaderboard:", "comparison"),
    PageEntry("views/rollout.py", "nav.rollout", ":material/rocket_launch:", "rollout"),
    PageEntry("views/scorecard.py", "nav.scorecard", ":material/scoreboard:", "scorecard"),
    PageEntry("views/facility.py", "nav.facility", ":material/local_hospital:", "facility"),
    PageEntry("views/press_kit.py", "nav.press_kit", ":material/newspaper:", "press-kit"),
    PageEntry("views/alerts.py", "nav.alerts", ":material/notifications:", "alerts"),
    PageEntry("views/data_quality.py", "nav.data_quality", ":material/fact_check:", "data-quality"),
    PageEntry("views/system.py", "nav.system", ":material/admin_panel_settings:", "system"),
    PageEntry("views/about.py", "nav.about", ":material/info:", "about"),
)
PAGE_FILES: tuple[str, ...] = tuple(page.file for page in PAGES)


def page_at(url_path: str) -> PageEntry:
    """The page at a URL path as ``st.navigation`` resolved it ("" or None: the default)."""
    return next(page for page in PAGES if (page.url_path or "") == (url_path or ""))
