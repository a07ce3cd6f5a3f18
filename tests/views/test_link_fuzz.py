"""A link is anyone's to write (issue 17, items 2 and 4): every query parameter the app
reads, filled by Hypothesis with digits of every script, signs, whitespace and control
characters, Markdown and HTML with addresses, very long and very many values, dates at and
beyond the calendar's ends, opened on every page (AppTest, the worked example).

No page may fail, no text from the link may become markup in what a page renders as
Markdown (messages, captions, toasts, headers, labels), and a page takes bounded time
(Hypothesis' deadline; each example's time is printed). Derandomised under the "ci"
profile (tests/conftest.py), so every run tries the same links.
"""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import DEMO_NOW, F1, write_worked_example
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt  # comes with rich, which Streamlit needs
from views_helpers import open_page

from data_access.contract import source_metadata
from data_access.engines import source_engine, store_engine
from data_access.errors import BadFilter
from data_access.queries import Period
from data_access.refresh import refresh
from metrics.periods import PRESETS
from press import kit
from ui.filters import MAX_VALUE_LENGTH
from ui.pages import PAGE_FILES

# --- what a link may hold ----------------------------------------------------------------------
PAYLOADS = (
    "![x](http://evil.example/x.png)",
    "[Session expired: sign in again](http://evil.example/login)",
    '<img src="http://evil.example/i.png" onerror="alert(1)">',
    "<script>alert(1)</script>",
    "<http://evil.example/auto>",
    "http://evil.example/bare www.evil.example user@evil.example",
    "$\\href{http://evil.example}{x}$ $$x^2$$",
    ":red[red] :material/warning: :material_warning: :streamlit: :smile:",
    "**bold** _it_ ~~gone~~ `code` # head > quote - item 1. one | a |",
    "line\nbreak\r\n\n# heading\n\n    code\n---",
    "\u202eevil\u202c \x00\x07\x1b[31m \t\v\f",
    "&lt;b&gt; &amp; &#91;x&#93;",
)
DIGITS = st.characters(categories=["Nd", "No", "Nl"])  # ² ① ٣ ४ Ⅻ …: isdigit() is not int()
SIGNS = st.characters(categories=["Nd", "Pd", "Sm", "Zs", "Cc", "Cf", "Zl", "Zp"])
VALUE = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(DIGITS, min_size=1, max_size=6),
    st.text(SIGNS, min_size=1, max_size=10),
    st.text(max_size=20),
    st.builds(
        lambda part, times: part * times,
        st.sampled_from(("9", "x", "[a](b)")),
        st.integers(50, 2000),
    ),
    st.sampled_from(("414", "416", F1, "DH", "CHC", "hi", "en")),
)
DAY = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        ("0001-01-01", "9999-12-31", "0000-00-00", "2025-02-30", "20250101", "2025-W01-1")
    ),
    st.sampled_from(("٢٠٢٥-٠١-٠١", "２０２５-01-01", "+2025-01-01", "2025-01-01T00:00")),
    VALUE,
)
MANY = st.lists(st.sampled_from(("414", "416", "999", F1, "x")), min_size=300, max_size=2000)
VALUES = st.one_of(st.lists(VALUE, min_size=1, max_size=3), MANY)
PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "period": st.lists(st.sampled_from((*PRESETS, "custom", "fy")) | VALUE, max_size=2),
        "from": st.lists(DAY, min_size=1, max_size=2),
        "to": st.lists(DAY, min_size=1, max_size=2),
        "fy": st.lists(st.sampled_from(("2024", "2025", "²⁰²⁵", "0", "99999999999")) | VALUE),
        "division": st.one_of(VALUES, st.lists(st.sampled_from(("Bastar", " bastar ", "Raipur")))),
        "district": VALUES,
        "type": VALUES,
        "facility": VALUES,
        "lang": st.lists(VALUE | st.sampled_from(("hi", "en")), min_size=1, max_size=2),
    },
)

# --- markup in what a page renders -------------------------------------------------------------
_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_MARKUP_TOKENS = {
    *("link_open", "image", "html_inline", "html_block", "s_open", "code_block", "fence"),
    *("heading_open", "hr", "blockquote_open", "table_open", "ordered_list_open"),
}
"""Markup the catalogue's words never use (bold and bullet lists they do)."""
_TEXT_PATTERNS = re.compile(
    r"\$|:material[/_]|:streamlit:|https?://|www\.|[\w.+-]@[\w-]+\.\w|:[a-z][a-z0-9-]*\[",
    re.IGNORECASE,
)
"""What Streamlit turns into markup after parsing: LaTeX, icons, its logo, bare addresses
(GitHub autolinks), directives; the escaped forms (``&#36;``, a joiner) do not match."""
MARKDOWN_ELEMENTS = ("toast", "caption", "markdown", "info", "warning", "error", "success")


def _tokens(body: str):  # type: ignore[no-untyped-def]
    for token in _PARSER.parse(body):
        yield token
        yield from token.children or ()


def markup_from(body: str) -> list[str]:
    """The markup in a Markdown body that the catalogue's own words do not use."""
    found = [t.type for t in _tokens(body) if t.type in _MARKUP_TOKENS]
    return found + _TEXT_PATTERNS.findall(body)


def rendered_markdown(at) -> list[str]:  # type: ignore[no-untyped-def]
    bodies = [str(e.value) for kind in MARKDOWN_ELEMENTS for e in getattr(at, kind)]
    bodies += [str(h.value) for h in (*at.title, *at.header, *at.subheader)]
    bodies += [m.label for m in at.metric]
    return bodies


def test_the_markup_check_sees_what_the_app_must_not_draw() -> None:
    """The check itself: each payload unescaped is markup; the app's escaping is not."""
    from i18n.markdown import literal

    for payload in PAYLOADS[:9]:
        assert markup_from(f"Ignored in the link: {payload}"), payload
        assert not markup_from(f"Ignored in the link: {literal(payload)}"), payload


# --- the store: the worked example, once for the module ----------------------------------------
@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder: Path = tmp_path_factory.mktemp("link_fuzz")
    source_url = f"sqlite:///{folder / 'source.sqlite'}"
    engine = sa.create_engine(source_url)
    source_metadata(with_keys=False).create_all(engine)
    engine.dispose()
    write_worked_example(source_url)
    store_url = f"sqlite:///{folder / 'analytics.sqlite'}"
    refresh(source_engine(source_url), store_engine(store_url), now=DEMO_NOW)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ANALYTICS_DB_URL", store_url)
        patch.setenv("EHOSPITAL_SECRETS_FILE", str(folder / "none.toml"))
        patch.setenv("EHOSPITAL_DATA_DIR", str(folder / "data"))
        yield store_url


def _open(page: str, params: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    at = open_page(page, params)  # type: ignore[arg-type]
    print(f"{page} {time.monotonic() - started:.1f} s {sorted(params)}")
    return at


def _check(at, params: dict[str, list[str]]) -> None:  # type: ignore[no-untyped-def]
    assert not at.exception, [e.value for e in at.exception]
    for body in rendered_markdown(at):
        assert not markup_from(body), (body[:300], params)
        assert len(body) < 20_000, "a message grew with the link"
    assert len(at.toast) <= 8, "the link's problems are named a few at a time"


ISSUE_LINKS = {
    "superscript district": {"district": ["²"]},
    "circled district": {"district": ["①"]},
    "year 1": {"period": ["custom"], "from": ["0001-01-01"], "to": ["0001-12-31"]},
    "to 9999": {"period": ["custom"], "from": ["2025-01-01"], "to": ["9999-12-31"]},
    "image in lang": {"lang": ["![x](http://evil.example/x.png)"]},
    "link in facility": {"facility": ["[Session expired: sign in again](http://evil.example)"]},
    "long value": {"facility": ["9" * 5000], "type": ["x" * (MAX_VALUE_LENGTH + 1)]},
    "many values": {"district": ["²"] * 3000},
    "markup in division": {"division": ["![x](http://evil.example/d.png)", "x" * 5000]},
}


PERIOD_PAGES = ("views/overview.py", "views/map.py", "views/comparison.py", "views/press_kit.py")
"""The pages that raised OverflowError on a period in year 1 or ending 31-12-9999."""


@pytest.mark.parametrize("page", PERIOD_PAGES)
@pytest.mark.parametrize("link", ["year 1", "to 9999"])
def test_periods_at_the_calendars_ends(fuzz_store: str, page: str, link: str) -> None:
    at = _open(page, ISSUE_LINKS[link])
    _check(at, ISSUE_LINKS[link])
    shown = at.session_state["filters"]
    assert shown.start.year > 1 and shown.end.year < 9999, "cut to the days of the data"


def test_the_press_kits_trend_for_a_period_without_data(fuzz_store: str) -> None:
    params = {"period": ["custom"], "from": ["2025-01-02"], "to": ["2025-01-03"]}
    at = _open("views/press_kit.py", params)
    at.selectbox(key="press_chart").select_index(kit.chart_names().index("opd-trend")).run()
    _check(at, params)
    assert at.info, "the page says there is nothing to draw"


@pytest.mark.parametrize("link", list(ISSUE_LINKS))
def test_the_issues_links_are_named_as_text(fuzz_store: str, link: str) -> None:
    at = _open(PAGE_FILES[0], ISSUE_LINKS[link])
    _check(at, ISSUE_LINKS[link])
    if link in ("image in lang", "link in facility", "superscript district"):
        assert at.toast, "the refused value is named"


@settings(
    max_examples=24,
    deadline=timedelta(seconds=60),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(page=st.sampled_from(PAGE_FILES), params=PARAMS)
@example(
    page="views/press_kit.py",
    params={"period": ["custom"], "from": ["2025-01-02"], "to": ["2025-01-03"]},
)
def test_any_link_on_any_page(fuzz_store: str, page: str, params: dict[str, list[str]]) -> None:
    at = _open(page, params)
    _check(at, params)


@pytest.mark.parametrize("chart", kit.chart_names())
def test_every_press_figure_of_a_period_without_data(fuzz_store: str, chart: str) -> None:
    """Two days without a whole week selected no columns at all (KeyError on the OPD trend)."""
    for period in (
        Period(date(2025, 1, 2), date(2025, 1, 3)),
        Period(date(2020, 1, 1), date(2020, 3, 31)),
    ):
        figure = kit.build(store_engine(fuzz_store), chart, period)
        assert figure.file("csv") and figure.file("xlsx")
        for image in ("png", "svg"):  # drawn, or refused in words (never ValueError)
            try:
                assert figure.file(image)
            except BadFilter:
                assert figure.data.empty
