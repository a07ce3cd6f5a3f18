"""Exported figures: caption around the chart, locale, a self-contained SVG, a shaped PNG."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET
from datetime import date

import altair as alt
import numpy as np
import pandas as pd
import pytest
import resvg_py
import vl_convert
from PIL import Image, ImageDraw, ImageFont, features

from i18n.formats import vega_locale
from press import render
from press.files import Caption

SVG_NS = "{http://www.w3.org/2000/svg}"
NOTE = (
    "ABHA adoption: the share of OPD registrations that had an ABHA number linked at "
    "registration. Registrations from facilities that had not gone live are left out."
)
CAPTION = Caption(
    title="ABHA adoption by district",
    subtitle="Bastar division · 01-05-2025 to 31-07-2025",
    source="Source: NextGen e-Hospital OPD registrations, Bastar division, data as of 31-07-2025",
    notes=(NOTE, "ABHA-linked: registrations with an ABHA number."),
)
CAPTION_HI = Caption(
    title="जिलेवार आभा लिंकिंग दर",
    subtitle="बस्तर संभाग · 01-05-2025 से 31-07-2025 तक",
    source="स्रोत: नेक्स्टजेन ई-हॉस्पिटल ओपीडी पंजीयन, बस्तर संभाग, 31-07-2025 तक के आँकड़े",
    notes=("आभा लिंकिंग दर: उन ओपीडी पंजीयनों का हिस्सा जिनमें आभा नंबर लिंक था।",),
)
NO_CAPTION = Caption(title="", subtitle="", source="")


def share_chart(district: str = "District", share: str = "ABHA adoption") -> alt.LayerChart:
    frame = pd.DataFrame(
        {
            district: ["नारायणपुर", "दंतेवाड़ा", "कोंडागांव", "बस्तर"],
            share: [0.54, 0.31, 0.62, 0.47],
        }
    )
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{share}:Q", axis=alt.Axis(format="%")),
            y=alt.Y(f"{district}:N", sort="-x", title=None),
        )
    )
    return bars + bars.mark_text(align="left", dx=4).encode(
        text=alt.Text(f"{share}:Q", format=".1%")
    )


def svg_texts(svg: str) -> list[str]:
    """The text of every <text>; the lines (<tspan>s) of a multi-line text joined by spaces."""
    root = ET.fromstring(svg)
    texts = []
    for node in root.iter(f"{SVG_NS}text"):
        lines = [span.text or "" for span in node.iter(f"{SVG_NS}tspan")]
        texts.append(" ".join(lines) if lines else "".join(node.itertext()))
    return texts


def svg_size(svg: str) -> tuple[float, float]:
    root = ET.fromstring(svg)
    return float(root.attrib["width"]), float(root.attrib["height"])


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# --- the spec ----------------------------------------------------------------------------


def test_the_spec_carries_the_caption_locale_font_and_white_background() -> None:
    spec = render.figure_spec(share_chart(), CAPTION, "hi")
    assert spec["title"]["text"] == [CAPTION.title]
    assert spec["title"]["subtitle"] == [CAPTION.subtitle]
    footer = spec["vconcat"][0]["title"]
    assert footer["orient"] == "bottom"
    assert footer["text"] == [CAPTION.source]
    assert " ".join(footer["subtitle"]) == " ".join(CAPTION.notes)
    assert spec["config"]["locale"] == vega_locale("hi")
    assert spec["config"]["font"] == render.FONT_FAMILY
    assert spec["background"] == "white"


@pytest.mark.parametrize("width", [None, "container"])
def test_a_chart_without_a_fixed_width_gets_the_figure_width(width: str | None) -> None:
    chart = share_chart()
    if width is not None:
        chart = chart.properties(width=width)
    inner = render.figure_spec(chart, CAPTION, "en")["vconcat"][0]["vconcat"][0]
    assert inner["width"] == render.FIGURE_WIDTH


def test_a_fixed_width_is_kept_and_the_notes_wrap_to_it() -> None:
    spec = render.figure_spec(share_chart().properties(width=400), CAPTION, "en")
    assert spec["vconcat"][0]["vconcat"][0]["width"] == 400
    lines = spec["vconcat"][0]["title"]["subtitle"]
    assert len(lines) > len(CAPTION.notes)  # the long note was wrapped
    size = spec["vconcat"][0]["title"]["subtitleFontSize"]
    assert all(render.text_width(line, size) <= 400 for line in lines)


def test_a_dict_and_a_concatenated_chart_are_accepted() -> None:
    chart = alt.hconcat(share_chart().properties(width=300), share_chart())
    svg = render.figure_svg(chart.to_dict(), CAPTION, "en")
    assert svg_texts(svg).count("नारायणपुर") >= 2


def test_wrap_breaks_at_spaces_and_keeps_every_word() -> None:
    lines = render.wrap(NOTE, 200, 11)
    assert len(lines) > 2
    assert " ".join(lines) == NOTE
    assert render.wrap("", 200, 11) == [""]


# --- the SVG -----------------------------------------------------------------------------


def test_the_svg_shows_title_subtitle_source_and_notes() -> None:
    texts = svg_texts(render.figure_svg(share_chart(), CAPTION, "en"))
    joined = " ".join(texts)
    for line in (CAPTION.title, CAPTION.subtitle, CAPTION.source, *CAPTION.notes):
        assert line in joined


def test_the_svg_is_self_contained() -> None:
    svg = render.figure_svg(share_chart(), CAPTION_HI, "hi")
    root = ET.fromstring(svg)  # well-formed XML
    styles = "".join("".join(node.itertext()) for node in root.iter(f"{SVG_NS}style"))
    assert "@font-face" in styles
    assert f'font-family:"{render.FONT_FAMILY}"' in styles
    embedded = re.search(r"data:font/ttf;base64,([A-Za-z0-9+/=]+)", styles)
    assert embedded is not None
    assert base64.b64decode(embedded.group(1)) == render.font_path().read_bytes()
    for node in root.iter():
        for name, value in node.attrib.items():
            if name.endswith("href"):
                assert value.startswith(("#", "data:")), f"external reference {value}"
    assert "url(http" not in svg and 'href="http' not in svg
    families = {node.get("font-family") for node in root.iter(f"{SVG_NS}text")}
    assert families == {render.FONT_FAMILY}
    texts = svg_texts(svg)
    assert CAPTION_HI.title in texts and "नारायणपुर" in texts


# --- locale ------------------------------------------------------------------------------


def lakhs_chart() -> alt.Chart:
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(["2025-04-01", "2025-05-01", "2025-06-01", "2025-07-01"]),
            "registrations": [120_000, 210_000, 290_000, 350_000],
        }
    )
    return (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=alt.X("month:T", axis=alt.Axis(format="%B %Y", tickCount="month")),
            y=alt.Y("registrations:Q", axis=alt.Axis(format=",d")),
        )
    )


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_counts_are_grouped_the_indian_way(lang: str) -> None:
    texts = svg_texts(render.figure_svg(lakhs_chart(), CAPTION, lang))
    assert "2,00,000" in texts
    assert "200,000" not in texts


def test_month_names_follow_the_language() -> None:
    hindi = svg_texts(render.figure_svg(lakhs_chart(), CAPTION_HI, "hi"))
    english = svg_texts(render.figure_svg(lakhs_chart(), CAPTION, "en"))
    assert "मई 2025" in hindi and "जून 2025" in hindi
    assert "May 2025" in english and "May 2025" not in hindi


# --- the PNG -----------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [2.0, 3.0])
def test_the_png_is_the_svg_size_times_the_scale(scale: float) -> None:
    chart = share_chart()
    width, height = svg_size(render.figure_svg(chart, CAPTION_HI, "hi"))
    image = open_png(render.figure_png(chart, CAPTION_HI, "hi", scale=scale))
    assert image.format == "PNG"
    assert image.size == (round(width * scale), round(height * scale))


def test_the_png_is_drawn_on_white() -> None:
    image = open_png(render.figure_png(share_chart(), CAPTION_HI, "hi")).convert("RGB")
    pixels = np.asarray(image)
    assert tuple(pixels[0, 0]) == (255, 255, 255)
    dark = (pixels.min(axis=2) < 128).mean()
    assert 0.005 < dark < 0.5  # text and bars drawn, not a blank or a black image


# --- Devanagari shaping --------------------------------------------------------------------
# A word is drawn big and alone; the ink (non-white pixels) of our PNG is compared with the
# same word drawn by Pillow with libraqm (HarfBuzz: shaped, the reference) and with Pillow's
# basic layout (one glyph per character, unshaped).

FONT_SIZE, SCALE = 60, 2.0
PLACE_NAMES = ["नारायणपुर", "दंतेवाड़ा", "कोंडागांव", "ओपीडी पंजीयन"]
# Words whose shaping moves or merges glyphs (i-matra before its consonant, conjuncts,
# reph), and one that starts in Latin: an unshaped drawing of these looks clearly different.
HARD_WORDS = ["जिला", "स्वास्थ्य", "प्रतिशत", "शीर्षक", "ABHA वर्ष"]


def word_spec(word: str) -> dict:
    return {
        "data": {"values": [{"word": word}]},
        "mark": {"type": "text", "fontSize": FONT_SIZE, "align": "left", "baseline": "middle"},
        "encoding": {"text": {"field": "word"}, "x": {"value": 0}},
        "width": FONT_SIZE * len(word),
        "height": 2 * FONT_SIZE,
    }


def ink(image: Image.Image) -> np.ndarray:
    """The mask of dark pixels, cropped to their bounding box."""
    mask = np.asarray(image.convert("L")) < 160
    rows, columns = np.nonzero(mask)
    assert len(rows), "nothing drawn"
    return mask[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]


def reference(word: str, layout: ImageFont.Layout) -> np.ndarray:
    size = round(FONT_SIZE * SCALE)
    font = ImageFont.truetype(str(render.font_path()), size, layout_engine=layout)
    image = Image.new("L", (size * (len(word) + 2), size * 3), 255)
    ImageDraw.Draw(image).text((size, size), word, font=font, fill=0)
    return ink(image)


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two ink masks laid top-left on top-left."""
    height, width = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    padded_a = np.zeros((height, width), bool)
    padded_b = np.zeros((height, width), bool)
    padded_a[: a.shape[0], : a.shape[1]] = a
    padded_b[: b.shape[0], : b.shape[1]] = b
    return float((padded_a & padded_b).sum() / (padded_a | padded_b).sum())


requires_raqm = pytest.mark.skipif(
    not features.check("raqm"), reason="Pillow without libraqm: no shaped reference"
)


def same_drawing(ours: np.ndarray, shaped: np.ndarray) -> bool:
    width_ratio = ours.shape[1] / shaped.shape[1]
    return abs(width_ratio - 1) <= 0.02 and overlap(ours, shaped) >= 0.8


def our_ink(word: str) -> np.ndarray:
    return ink(open_png(render.figure_png(word_spec(word), NO_CAPTION, "hi", scale=SCALE)))


@requires_raqm
@pytest.mark.parametrize("word", PLACE_NAMES + HARD_WORDS)
def test_devanagari_is_shaped_in_the_png(word: str) -> None:
    assert same_drawing(our_ink(word), reference(word, ImageFont.Layout.RAQM))


@requires_raqm
@pytest.mark.parametrize("word", HARD_WORDS)
def test_the_comparison_tells_shaped_from_unshaped_text(word: str) -> None:
    shaped = reference(word, ImageFont.Layout.RAQM)
    assert not same_drawing(reference(word, ImageFont.Layout.BASIC), shaped)


@requires_raqm
@pytest.mark.parametrize("word", PLACE_NAMES)
def test_vl_convert_own_png_would_break_the_place_names(word: str) -> None:
    """Why the PNG is rasterised with resvg: vl-convert's PNG overlaps the vowel signs."""
    spec = render.figure_spec(word_spec(word), NO_CAPTION, "hi")
    render.figure_svg(word_spec(word), NO_CAPTION, "hi")  # registers the font
    theirs = ink(open_png(vl_convert.vegalite_to_png(spec, scale=SCALE)))
    assert not same_drawing(theirs, reference(word, ImageFont.Layout.RAQM))


@requires_raqm
def test_mixed_latin_and_devanagari_needs_the_isolates() -> None:
    """resvg shapes a text in the script of its first letter, unless runs are isolated."""
    word = "ABHA शीर्षक"
    svg = render.figure_svg(word_spec(word), NO_CAPTION, "hi")
    plain = resvg_py.svg_to_bytes(
        svg_string=svg,
        zoom=SCALE,
        background="white",
        skip_system_fonts=True,
        font_files=[str(render.font_path())],
    )
    shaped = reference(word, ImageFont.Layout.RAQM)
    assert not same_drawing(ink(open_png(bytes(plain))), shaped)
    assert same_drawing(ink(open_png(render.svg_to_png(svg, SCALE))), shaped)


def test_dates_in_the_data_are_drawn_as_dates() -> None:
    """A column of datetime.date (as the queries return) is not JSON; it is written as a time."""
    frame = pd.DataFrame(
        {"day": [date(2025, 5, 1), date(2025, 6, 1)], "registrations": [1000, 2000]}
    )
    chart = (
        alt.Chart(frame)
        .mark_line()
        .encode(x=alt.X("day:T", axis=alt.Axis(format="%d-%m-%Y")), y="registrations:Q")
    )
    spec = render.figure_spec(chart, CAPTION, "en")
    rows = next(iter(spec["datasets"].values()))
    assert rows[0]["day"] == "2025-05-01T00:00:00"
    assert "01-05-2025" in svg_texts(render.figure_svg(chart, CAPTION, "en"))


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_the_notes_a_chart_needs_are_drawn_whole_under_it(lang: str) -> None:
    """The Trends page's notes (a week cut by the period's edges, the dashed go-live lines,
    the daily dots and averages), long and in Hindi too, are wrapped to the figure's width
    and every word of them is in the figure, which grows to hold them."""
    from i18n import Words

    w = Words(lang)
    notes = (
        w("trends.note.daily", days=7),
        w("trends.note.edges.week"),
        w("trends.note.go_lives", count=w.count(3)),
    )
    bare = Caption(CAPTION.title, CAPTION.subtitle, CAPTION.source)
    with_notes = Caption(CAPTION.title, CAPTION.subtitle, CAPTION.source, notes)
    svg = render.figure_svg(share_chart(), with_notes, lang)
    drawn = " ".join(svg_texts(svg))
    for note in notes:
        assert note in drawn, note
    footer = render.figure_spec(share_chart(), with_notes, lang)["vconcat"][0]["title"]
    assert len(footer["subtitle"]) > len(notes), "the long daily note is wrapped"
    widest = max(render.text_width(line, render.NOTE_SIZE) for line in footer["subtitle"])
    assert widest <= render.FIGURE_WIDTH
    _, height = svg_size(svg)
    _, bare_height = svg_size(render.figure_svg(share_chart(), bare, lang))
    assert height > bare_height + len(footer["subtitle"]) * render.NOTE_SIZE
