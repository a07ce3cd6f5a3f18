"""A chart as a press figure: title, scope and period, the chart, source line and definitions.

``figure_spec`` wraps an unconfigured Altair chart (or its Vega-Lite dict) into the spec
of the exported figure: the caption's title and subtitle above, the source line and the
notes below (wrapped to the chart's width), the d3 locale of the language (Indian digit
grouping, Hindi month names), a white background, and every text in Noto Sans
Devanagari, the font shipped with the package ``fontpkg-noto-sans-devanagari``.

``figure_svg`` draws it with vl-convert and embeds that font in the SVG, so the figure
looks the same on a machine that lacks it. ``figure_png`` rasterises that SVG with resvg
using only the shipped font: vl-convert's own PNG does not shape Devanagari (vowel signs
overlap, "नारायणपुर" reads "नरयणपुर").
"""

from __future__ import annotations

import base64
import copy
import json
import re
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
import fontpkg_noto_sans_devanagari
import resvg_py
import vl_convert
from PIL import ImageFont, features

from i18n.formats import vega_locale
from press.files import Caption

FONT_FAMILY = "Noto Sans Devanagari"
FONT_FILE = "NotoSansDevanagari[wdth,wght].ttf"
FIGURE_WIDTH = 720
"""The width of a chart that has none (or ``"container"``, which has no meaning in a file)."""
CHART_HEIGHT = 360
PADDING = 16

TITLE_SIZE, SUBTITLE_SIZE, SOURCE_SIZE, NOTE_SIZE = 18, 13, 12, 11
TEXT_COLOUR, SUBTITLE_COLOUR, SOURCE_COLOUR, NOTE_COLOUR = (
    "#111111",
    "#444444",
    "#333333",
    "#666666",
)
LINE_HEIGHT = 1.45
MIN_TEXT_WIDTH = 360
"""Captions are wrapped to the chart's width, but never narrower than this."""

_TOP_LEVEL_ONLY = ("$schema", "config", "datasets", "params", "background", "padding")
_DROPPED = ("autosize", "usermeta")
_CONCATS = ("hconcat", "vconcat", "concat")
_DEVANAGARI_RUN = re.compile("[\u0900-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff\u200c\u200d]+")
_LRI, _PDI = "\u2066", "\u2069"


def font_directory() -> Path:
    return Path(fontpkg_noto_sans_devanagari.ROOT) / "files"


def font_path() -> Path:
    return font_directory() / FONT_FILE


# ---------------------------------------------------------------------------------------
# The spec
# ---------------------------------------------------------------------------------------


def figure_spec(chart: alt.TopLevelMixin | dict, caption: Caption, lang: str) -> dict:
    """The Vega-Lite spec of the exported figure (see the module's docstring)."""
    spec = chart.to_dict() if isinstance(chart, alt.TopLevelMixin) else chart
    spec = json.loads(json.dumps(spec, default=_json_value))  # a copy, plain JSON
    hoisted = {key: spec.pop(key) for key in _TOP_LEVEL_ONLY if key in spec}
    for key in _DROPPED:
        spec.pop(key, None)
    _fix_sizes(spec, FIGURE_WIDTH)
    caption_width = max(MIN_TEXT_WIDTH, _width_of(spec) or FIGURE_WIDTH)

    body = {"vconcat": [spec]}
    footer = _footer(caption, caption_width)
    if footer is not None:
        body["title"] = footer
    figure: dict[str, Any] = {
        "$schema": hoisted.get("$schema", alt.SCHEMA_URL),
        "background": "white",
        "padding": PADDING,
        "vconcat": [body],
        "config": _config(hoisted.get("config", {}), lang),
    }
    title = _title(caption, caption_width)
    if title is not None:
        figure["title"] = title
    for key in ("datasets", "params"):
        if key in hoisted:
            figure[key] = hoisted[key]
    return figure


def _json_value(value: Any) -> Any:
    """Values a data frame may hold that JSON lacks: dates as local ISO times, numpy scalars.

    A date becomes midnight local time, as Altair writes pandas timestamps.
    """
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return datetime.combine(value, time()).isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    raise TypeError(f"cannot put {type(value).__name__} into a chart spec")


def _config(own: dict, lang: str) -> dict:
    """The chart's own configuration, with the figure's font, locale and background on top."""
    config = copy.deepcopy(own)
    config |= {"font": FONT_FAMILY, "background": "white", "locale": vega_locale(lang)}
    labels_and_titles = {"labelFont": FONT_FAMILY, "titleFont": FONT_FAMILY}
    fonts = {
        "title": {"font": FONT_FAMILY, "subtitleFont": FONT_FAMILY},
        "axis": labels_and_titles,
        "legend": labels_and_titles,
        "header": labels_and_titles,
        "text": {"font": FONT_FAMILY},
    }
    for part, values in fonts.items():
        config[part] = {**config.get(part, {}), **values}
    return config


def _fix_sizes(spec: dict, width: float) -> None:
    """Give fixed sizes to views that have none or fill their container."""
    concat = next((key for key in _CONCATS if key in spec), None)
    if concat is not None:
        parts = spec[concat]
        share = width / len(parts) if concat == "hconcat" and parts else width
        for part in parts:
            _fix_sizes(part, share)
        return
    if "spec" in spec:  # facet or repeat: the inner view is one cell
        inner = spec["spec"]
        if inner.get("width") == "container":
            inner["width"] = width / 3
        if inner.get("height") == "container":
            inner["height"] = CHART_HEIGHT / 2
        return
    if spec.get("width") in (None, "container") and not _sized_by_steps(spec):
        spec["width"] = width
    if spec.get("height") == "container":
        spec["height"] = CHART_HEIGHT
    for layer in spec.get("layer", []):
        for side in ("width", "height"):
            if layer.get(side) == "container":
                del layer[side]


def _sized_by_steps(spec: dict) -> bool:
    """A view without a width whose x axis is discrete takes its width from the steps."""
    if spec.get("width") is not None:
        return False
    encodings = [spec.get("encoding", {})] + [
        layer.get("encoding", {}) for layer in spec.get("layer", [])
    ]
    return any(
        isinstance(encoding.get("x"), dict) and encoding["x"].get("type") in ("nominal", "ordinal")
        for encoding in encodings
    )


def _width_of(spec: dict) -> float | None:
    """The width of the drawing area, when the spec says it (None when it does not)."""
    if "hconcat" in spec:
        widths = [_width_of(part) for part in spec["hconcat"]]
        if None in widths:
            return None
        return sum(w for w in widths if w is not None) + 20 * (len(widths) - 1)
    for key in ("vconcat", "concat"):
        if key in spec:
            widths = [_width_of(part) for part in spec[key]]
            known = [w for w in widths if w is not None]
            return max(known) if known else None
    width = spec.get("width")
    return float(width) if isinstance(width, int | float) else None


def _title(caption: Caption, width: float) -> dict | None:
    """The caption's title and subtitle (scope and period) above the chart, left-aligned."""
    if not caption.title and not caption.subtitle:
        return None
    title: dict[str, Any] = {
        "text": wrap(caption.title, width, TITLE_SIZE, bold=True),
        "anchor": "start",
        "frame": "bounds",
        "font": FONT_FAMILY,
        "fontSize": TITLE_SIZE,
        "fontWeight": "bold",
        "color": TEXT_COLOUR,
        "lineHeight": round(TITLE_SIZE * 1.3),
        "offset": 14,
    }
    if caption.subtitle:
        title |= {
            "subtitle": wrap(caption.subtitle, width, SUBTITLE_SIZE),
            "subtitleFont": FONT_FAMILY,
            "subtitleFontSize": SUBTITLE_SIZE,
            "subtitleColor": SUBTITLE_COLOUR,
            "subtitleLineHeight": round(SUBTITLE_SIZE * LINE_HEIGHT),
            "subtitlePadding": 6,
        }
    return title


def _footer(caption: Caption, width: float) -> dict | None:
    """The source line and the notes under the chart: a title at the bottom, left-aligned."""
    notes = [line for note in caption.notes if note for line in wrap(note, width, NOTE_SIZE)]
    source = wrap(caption.source, width, SOURCE_SIZE) if caption.source else []
    if not source and not notes:
        return None
    footer: dict[str, Any] = {
        "text": source or notes,
        "orient": "bottom",
        "anchor": "start",
        "frame": "bounds",
        "font": FONT_FAMILY,
        "fontSize": SOURCE_SIZE if source else NOTE_SIZE,
        "fontWeight": "normal",
        "color": SOURCE_COLOUR if source else NOTE_COLOUR,
        "lineHeight": round((SOURCE_SIZE if source else NOTE_SIZE) * LINE_HEIGHT),
        "offset": 18,
    }
    if source and notes:
        footer |= {
            "subtitle": notes,
            "subtitleFont": FONT_FAMILY,
            "subtitleFontSize": NOTE_SIZE,
            "subtitleColor": NOTE_COLOUR,
            "subtitleLineHeight": round(NOTE_SIZE * LINE_HEIGHT),
            "subtitlePadding": 6,
        }
    return footer


# ---------------------------------------------------------------------------------------
# Wrapping the caption's lines, measured with the figure's font
# ---------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _measuring_font(size: float, bold: bool) -> ImageFont.FreeTypeFont:
    layout = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    font = ImageFont.truetype(str(font_path()), size=size, layout_engine=layout)
    if bold:
        axes = [axis["name"] for axis in font.get_variation_axes()]
        font.set_variation_by_axes([700 if name == b"Weight" else 100 for name in axes])
    return font


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The advance width of ``text`` in pixels, in the figure's font (shaped)."""
    return float(_measuring_font(size, bold).getlength(text))


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a longer word stays whole)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if current and text_width(candidate, size, bold) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


# ---------------------------------------------------------------------------------------
# SVG and PNG
# ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _register_font() -> None:
    """vl-convert measures text with the font the figure is drawn in (once per process)."""
    vl_convert.register_font_directory(str(font_directory()))


def _vl_version(spec: dict) -> str | None:
    """The Vega-Lite version the spec was written for, when vl-convert has it."""
    found = re.search(r"/v(\d+)\.(\d+)", spec.get("$schema", ""))
    if not found:
        return None
    version = f"{found.group(1)}.{found.group(2)}"
    return version if version in vl_convert.get_vegalite_versions() else None


def plain_svg(chart: alt.TopLevelMixin | dict, caption: Caption, lang: str) -> str:
    """The figure drawn by vl-convert, the font not embedded: what :func:`figure_svg` and
    :func:`svg_to_png` make their files of (draw once, make both)."""
    _register_font()
    spec = figure_spec(chart, caption, lang)
    return _renumber_ids(vl_convert.vegalite_to_svg(spec, vl_version=_vl_version(spec)))


_SVG_WIDTH = re.compile(r'<svg\b[^>]*?\swidth="([0-9.]+)"')


def svg_width(svg: str) -> float | None:
    """The width of an SVG drawn by vl-convert, in its pixels (None when it has none)."""
    found = _SVG_WIDTH.search(svg)
    return None if found is None else float(found.group(1))


_GENERATED_ID = re.compile(r'(id="|url\(#|href="#)((?:gradient|clip|pattern)_\d+)')


def _renumber_ids(svg: str) -> str:
    """Vega numbers gradients and clip paths across a process; number them within the figure.

    The same figure then gives the same bytes, whichever render of the process made it.
    """
    numbers: dict[str, str] = {}

    def renumbered(found: re.Match[str]) -> str:
        old = found.group(2)
        if old not in numbers:
            numbers[old] = f"{old.rsplit('_', 1)[0]}_{len(numbers) + 1}"
        return found.group(1) + numbers[old]

    return _GENERATED_ID.sub(renumbered, svg)


@lru_cache(maxsize=1)
def _font_face() -> str:
    encoded = base64.b64encode(font_path().read_bytes()).decode("ascii")
    return (
        "@font-face{"
        f'font-family:"{FONT_FAMILY}";'
        "font-style:normal;font-weight:100 900;font-stretch:62.5% 100%;"
        f'src:url("data:font/ttf;base64,{encoded}") format("truetype");'
        "}"
    )


def embed_font(svg: str) -> str:
    """The SVG with the figure's font inside it, as an ``@font-face`` data URI."""
    opening = re.search(r"<svg\b[^>]*>", svg)
    if opening is None:
        raise ValueError("not an SVG document")
    style = f'<defs><style type="text/css">{_font_face()}</style></defs>'
    return svg[: opening.end()] + style + svg[opening.end() :]


def figure_svg(chart: alt.TopLevelMixin | dict, caption: Caption, lang: str) -> str:
    """The figure as a self-contained SVG (the font embedded; no external reference)."""
    return embed_font(plain_svg(chart, caption, lang))


def isolate_devanagari(svg: str) -> str:
    """Each run of Devanagari between bidi isolates, so that resvg shapes it as Devanagari.

    resvg guesses the script of a whole text from its first letter: in "ABHA आभा लिंकिंग"
    the Devanagari would be shaped as Latin (a reph shows as a bare half-letter र्).
    An isolate starts a run of its own; the isolate characters themselves draw nothing.
    """
    return _DEVANAGARI_RUN.sub(lambda run: f"{_LRI}{run.group(0)}{_PDI}", svg)


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """Rasterise an SVG with resvg, on white, with only the shipped font."""
    return bytes(
        resvg_py.svg_to_bytes(
            svg_string=isolate_devanagari(svg),
            zoom=scale,
            background="white",
            skip_system_fonts=True,
            font_files=[str(font_path())],
            font_family=FONT_FAMILY,
            sans_serif_family=FONT_FAMILY,
            serif_family=FONT_FAMILY,
            monospace_family=FONT_FAMILY,
        )
    )


def figure_png(
    chart: alt.TopLevelMixin | dict, caption: Caption, lang: str, scale: float = 2.0
) -> bytes:
    """The figure as a PNG, ``scale`` × the SVG's size in pixels (2× by default)."""
    return svg_to_png(plain_svg(chart, caption, lang), scale)
