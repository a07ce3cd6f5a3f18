"""``i18n.markdown.literal``: a value shown as its characters in Streamlit's Markdown
(checked in a real browser by tests/e2e/test_hostile_links.py)."""

from __future__ import annotations

import html

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from i18n import Words
from i18n.markdown import JOINER, literal, literal_cells

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _shown(markdown: str) -> str:
    """The text a CommonMark renderer shows for ``markdown`` (tags dropped)."""
    rendered = PARSER.renderInline(markdown)
    assert "<" not in rendered.replace("&lt;", ""), rendered  # no element at all
    return html.unescape(rendered).replace(JOINER, "")


@pytest.mark.parametrize(
    "value",
    [
        "![x](http://evil.example/x.png)",
        "[Session expired: sign in again](http://evil.example)",
        '<img src="http://evil.example/i.png">',
        "<http://evil.example>",
        "**b** _i_ ~~s~~ `c` \\*x | a |",
        "snake_case_name _i_ __b__ a_ _b",
        "&lt;b&gt; &amp; &#91;",
        "$x$ :red[y] :material/warning: :streamlit:",
    ],
)
def test_markup_is_shown_as_written(value: str) -> None:
    assert _shown(literal(value)) == value


@pytest.mark.parametrize("value", ["- item", "+ item", "# head", "> quote", "1. one", "2) two"])
def test_a_value_at_a_lines_start_starts_no_block(value: str) -> None:
    tokens = [t.type for t in PARSER.parse(literal(value))]
    assert tokens == ["paragraph_open", "inline", "paragraph_close"], tokens
    assert _shown(literal(value)) == value


def test_streamlits_own_text_patterns_are_broken_invisibly() -> None:
    """Icons, logo, bare addresses and arrows are found in the parsed text: a joiner breaks
    each, and the text reads the same."""
    shown = literal(":material_warning: :streamlit: http://x.org www.x.org a@x.org a -> b")
    for pattern in (":material_warning:", ":streamlit:", "http://", "www.", "a@", " -> "):
        assert pattern not in shown, pattern
    assert html.unescape(shown).replace(JOINER, "") == (
        ":material_warning: :streamlit: http://x.org www.x.org a@x.org a -> b"
    )


def test_line_breaks_controls_and_bidi_overrides() -> None:
    assert literal("a\n\n# b\r\n   c") == "a # b c"  # one line: "#" starts no heading
    assert literal("x\x00\x1b\u202ey") == "x\ufffd\ufffd\ufffdy"


def test_ordinary_words_stay_as_they_are() -> None:
    for text in (
        "lookback_days",
        "Dakshin Bastar Dantewada",
        "दक्षिण बस्तर दंतेवाड़ा",
        "Last 90 days: 01-05-2025",
        'CHC (Bastar) 53.9% 1,23,456 "q" O\'Neil',
    ):
        assert literal(text) == text


def test_words_markdown_escapes_the_values_not_the_message() -> None:
    w = Words("en")
    shown = w.markdown("filters.ignored", problem="[x](http://evil.example)")
    assert shown.startswith("Ignored in the link: &#91;x&#93;")
    assert w("filters.ignored", problem="[x]") == "Ignored in the link: [x]"


def test_a_table_for_st_table_shows_each_cell_and_label_as_written() -> None:
    """st.table renders cells as Markdown: every cell and index label goes through literal,
    numbers shown as their text, the headers (the catalogue's words) kept."""
    table = pd.DataFrame(
        {"Value": ["/srv/[x](http://evil.example)/access.toml", "<5", 7]},
        index=pd.Index(["![i](http://evil.example/i.png)", "plain", "1. one"], name="Setting"),
    )
    shown = literal_cells(table)
    assert list(shown.columns) == ["Value"] and shown.index.name == "Setting"
    for cell, written in zip(
        [*shown["Value"], *shown.index], [*table["Value"], *table.index], strict=True
    ):
        tokens = PARSER.parseInline(cell)[0].children
        assert [t.type for t in tokens] == ["text"], (cell, tokens)
        assert _shown(cell) == str(written)
