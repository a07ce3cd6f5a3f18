"""Text from a link, a database row or a file, made safe to put into Streamlit's Markdown.

Nearly every Streamlit element renders its text as Markdown (messages, captions, toasts,
headers, tab and widget labels, tooltips given as ``help=``), and Streamlit's Markdown is
more than CommonMark: GitHub's autolinks (``www.x.org``, ``http://…``, ``a@b.org``), LaTeX
between ``$``, directives (``:red[…]``, ``:small[…]``), Material icons
(``:material/warning:``, replaced in the *source* before parsing) and emoji shortcodes
(``:smile:``, looked for in the source). A facility's name or a value from a link put into
such a text unescaped becomes markup: ``![x](http://evil/x.png)`` makes the browser fetch
that address, ``[Session expired](http://evil)`` a link inside the dashboard's own words.

``literal`` writes each character that could start markup as a numeric character
reference (``&#91;`` for ``[``): CommonMark shows a reference as its character and never
reads it as structure (spec, "Entity and numeric character references"), and since the
character is no longer in the source, Streamlit's own source-level rewrites (``:material/``,
``$`` for LaTeX, shortcodes) cannot see it either. A backslash escape would not do: ``\\:``
still leaves ``:material/`` in the source. Line breaks and other whitespace become one space
(a value never starts a block of its own), control and bidirectional-override characters
become U+FFFD, so what is shown is what was written, on one line, in writing order.

Plain-text targets (a selectbox's options, st.dataframe's cells, a file's title or a CSV)
take the text as it is: escaping them would show the references. ``st.table`` is not one:
it renders every cell as Markdown, so its tables go through :func:`literal_cells`.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

_ALWAYS = frozenset("\\`*_~[]<>&$|!")
"""Characters that start or end markup wherever they stand in a line (CommonMark, GFM, LaTeX)."""
_AT_LINE_START = frozenset("-+#=>")
"""Characters that start a block (list, heading, setext underline, quote) at a line's start."""
_ORDERED_LIST = re.compile(r"\A ?\d+(?=[.)])")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = "\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029"
_BREAKS = re.compile(f"[ {_LINE_BREAKS}]*[{_LINE_BREAKS}][ {_LINE_BREAKS}]*| {{2,}}")
JOINER = "\u2060"
"""WORD JOINER: invisible, and not a character any of Streamlit's text patterns allow."""
_JOIN_AT = re.compile(
    r"(?<=:)(?=\S)"  # :material_x:, :streamlit:, :smile:, http://
    r"|(?i:(?<=www)(?=\.))"  # www.example.org
    r"|(?=@)"  # name@example.org
    r"|(?<=(?<!\S)[<~>-])(?=(?:->|-|>|=)(?!\S))"  # " -> ", " -- ", " <= " made arrows, dashes
)


def _reference(char: str) -> str:
    return f"&#{ord(char)};"


def _inert_underscore(text: str, index: int) -> bool:
    """An ``_`` between two letters or digits (``lookback_days``) neither opens nor closes
    emphasis (CommonMark's flanking rules): kept, so names read as written."""
    return (
        text[index] == "_"
        and 0 < index < len(text) - 1
        and text[index - 1].isalnum()
        and text[index + 1].isalnum()
    )


def literal(value: object) -> str:
    """``value`` as Markdown that Streamlit draws as exactly its characters, on one line.

    Two means, because Streamlit reads Markdown twice. Characters that the parser reads as
    structure are written as numeric character references (``&#91;`` for ``[``); a value
    may begin a line of the message, so a first character that would start a block there
    (``-``, ``#``, the dot of ``1.``…) is one too. Streamlit then rewrites the parsed text
    itself (``:material_x:`` into an icon, ``:streamlit:`` into its logo, ``http://…``,
    ``www.…`` and ``a@b.org`` into links, `` -> `` into an arrow, `` -- `` into a dash), and
    there a reference is already its character again: an invisible WORD JOINER after the
    colon, before the dot of ``www.``, before ``@`` and inside the arrow breaks each pattern.
    """
    text = _BREAKS.sub(" ", str(value))
    text = "".join(
        "\ufffd" if char in _BIDI_CONTROLS or unicodedata.category(char) == "Cc" else char
        for char in text
    )
    text = _JOIN_AT.sub(JOINER, text)
    shown = [
        _reference(char) if char in _ALWAYS and not _inert_underscore(text, i) else char
        for i, char in enumerate(text)
    ]
    start = 1 if text[:1] == " " else 0
    if text[start : start + 1] in _AT_LINE_START and text[start:]:
        shown[start] = _reference(text[start])
    elif ordered := _ORDERED_LIST.match(text):
        shown[ordered.end()] = _reference(text[ordered.end()])
    return "".join(shown)


def literal_cells(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` for ``st.table``, which renders each cell and index label as Markdown: every
    one of them written with :func:`literal`, so a name or a path shows as its characters.
    Column headers are the catalogue's words and are kept."""
    shown = table.map(literal)
    shown.index = table.index.map(literal)
    return shown
