"""The brief laid out on one A4 page: a self-contained HTML file, its PDF and a PNG of it.

``render_html(brief)`` writes the page with its styles inline, the trend drawn to an inline
SVG by vl-convert, and the font (Noto Sans Devanagari, shipped on PyPI) embedded as a
subset of the characters the page uses: the file opens offline and shows Hindi in any
browser, and fetches nothing. Every name from the registry is escaped.

``render_pdf(html)`` lays that page out with WeasyPrint, whose text goes through Pango and
HarfBuzz: Devanagari is shaped (the vowel signs in place, conjuncts joined), with the same
embedded font. WeasyPrint is given no way to fetch anything but the page's own data URIs.

``render_png(pdf)`` rasterises the PDF's first page with PDFium (the pypdfium2 wheel, no
system library) at a size that reads on a phone.
"""

from __future__ import annotations

import base64
import io
from datetime import date
from functools import lru_cache
from html import escape

import altair as alt
import pandas as pd

from i18n import Words
from press import render
from press.brief import Brief
from press.files import Caption

PNG_SCALE = 150 / 72
"""A4 at 150 dots per inch: 1240 × 1754 pixels, a page a phone shows whole and sharp."""
CHART_WIDTH, CHART_HEIGHT = 640, 80
BAND_COLOURS = {  # the Scorecard page's colours
    "on_track": "#1a9850",
    "progress": "#fdae61",
    "not_on_track": "#d73027",
    "no_data": "#bdbdbd",
}
WEIGHTS = (400, 700)
ALERT_ROWS = 5
"""The most open alerts the page lists (the newest); the rest are counted under them."""

CSS = """
@page { size: A4; margin: 10mm 12mm 8mm 12mm; }
* { box-sizing: border-box; }
html { font-family: "Brief Sans", "Noto Sans Devanagari", sans-serif; color: #111; }
body { margin: 0 auto; max-width: 186mm; font-size: 9.5pt; line-height: 1.35; }
header { border-bottom: 2px solid #1f4e79; padding-bottom: 4pt; margin-bottom: 6pt; }
.kind { color: #1f4e79; font-weight: 700; font-size: 9pt; letter-spacing: 0.02em; }
h1 { font-size: 15pt; margin: 1pt 0 1pt 0; line-height: 1.25; }
h2 { font-size: 10.5pt; margin: 7pt 0 2pt 0; color: #1f4e79; }
.muted { color: #555; font-size: 8.5pt; }
ul.headlines { margin: 0; padding-left: 12pt; }
ul.headlines li { margin: 0 0 2pt 0; }
.tiles { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 4pt; }
.tile { border: 1px solid #d0d7de; border-radius: 3pt;
  padding: 3pt 6pt; }
.tile .label { color: #444; font-size: 8pt; }
.tile .value { font-size: 13pt; font-weight: 700; line-height: 1.2; }
.tile .change { font-size: 8pt; color: #555; }
.tile .change.up { color: #1a7f37; }
.tile .change.down { color: #b42318; }
.chart svg { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th { text-align: left; font-weight: 700; color: #444; border-bottom: 1px solid #999;
  padding: 1.5pt 4pt; }
td { border-bottom: 1px solid #e5e5e5; padding: 1.5pt 4pt; vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.whole td { font-weight: 700; background: #f3f6f9; }
.band { display: inline-block; width: 7pt; height: 7pt; border-radius: 50%;
  margin-right: 3pt; vertical-align: baseline; }
.arrow { width: 7pt; height: 7pt; vertical-align: baseline; }
.alerts p { margin: 0; }
.name { max-width: 72mm; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
footer { margin-top: 8pt; border-top: 1px solid #bbb; padding-top: 3pt; color: #444;
  font-size: 8pt; }
footer p { margin: 0 0 1pt 0; }
@media screen { body { padding: 10mm 6mm; } }
"""

_ARROW_PATHS = {
    "↑": ("M5 0 L10 5 L6.5 5 L6.5 10 L3.5 10 L3.5 5 L0 5 Z", "#1a7f37"),
    "↓": ("M5 10 L10 5 L6.5 5 L6.5 0 L3.5 0 L3.5 5 L0 5 Z", "#b42318"),
    "→": ("M10 5 L5 0 L5 3.5 L0 3.5 L0 6.5 L5 6.5 L5 10 Z", "#555555"),
}


# --- the page --------------------------------------------------------------------------------
def render_html(brief: Brief) -> str:
    """The brief as one self-contained HTML page (see the module's docstring)."""
    w = brief.words
    body = "\n".join(
        [
            _header(brief),
            f"<h2>{escape(w('brief.headlines_title'))}</h2>",
            '<ul class="headlines">'
            + "".join(f"<li>{escape(line)}</li>" for line in brief.headlines)
            + "</ul>",
            f"<h2>{escape(w('brief.tiles_title'))}</h2>",
            _tiles(brief),
            f"<p class='muted'>{escape(brief.compared)}</p>",
            f"<h2>{escape(_trend_title(brief))}</h2>",
            f'<div class="chart">{trend_svg(brief)}</div>',
            f"<h2>{escape(_ranking_title(brief))}</h2>",
            _ranking(brief),
            _alerts(brief),
            f"<footer><p>{escape(brief.freshness)}</p><p>{escape(brief.source)}</p></footer>",
        ]
    )
    page_text = _visible_text(brief)
    fonts = _font_faces(page_text)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(brief.lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(brief.title)} · {escape(brief.period_text)}</title>"
        f"<style>{fonts}{CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _header(brief: Brief) -> str:
    return (
        "<header>"
        f'<div class="kind">{escape(brief.kind)} · {escape(brief.period_text)}</div>'
        f"<h1>{escape(brief.title)}</h1>"
        "</header>"
    )


def _tiles(brief: Brief) -> str:
    cells = []
    for tile in brief.tiles:
        change = (
            f'<div class="change {tile.direction or ""}">{escape(tile.change)}</div>'
            if tile.change
            else '<div class="change">–</div>'
        )
        cells.append(
            '<div class="tile">'
            f'<div class="label">{escape(tile.label)}</div>'
            f'<div class="value">{escape(tile.value)}</div>{change}</div>'
        )
    return f'<div class="tiles">{"".join(cells)}</div>'


def _ranking_title(brief: Brief) -> str:
    return brief.words(f"brief.ranking_title.{brief.level}", target=_target(brief))


def _trend_title(brief: Brief) -> str:
    return brief.words("brief.trend_title", weeks=len(brief.trend), target=_target(brief))


def _arrow(arrow: str) -> str:
    if arrow not in _ARROW_PATHS:
        return escape(arrow)
    path, colour = _ARROW_PATHS[arrow]
    return (
        '<svg class="arrow" viewBox="0 0 10 10" xmlns="http://www.w3.org/2000/svg" '
        f'role="img" aria-label="{escape(arrow)}"><path d="{path}" fill="{colour}"/></svg>'
    )


def _ranking(brief: Brief) -> str:
    w = brief.words
    heads = [
        (w("brief.rank"), "num"),
        (w(f"scorecard.level.{brief.level}"), ""),
        (w("scorecard.band"), ""),
        (w("scorecard.trend"), ""),
        (w("figure.abha_share"), "num"),
        (w("scorecard.points"), "num"),
        (w("figure.opd_registrations"), "num"),
    ]
    head = "".join(f'<th class="{css}">{escape(text)}</th>' for text, css in heads)
    rows = []
    for position, row in enumerate(brief.ranking.itertuples(index=False)):
        colour = BAND_COLOURS.get(str(row.band), "#bdbdbd")
        rows.append(
            f'<tr class="{"whole" if position == 0 else ""}">'
            f'<td class="num">{escape(str(row.rank))}</td>'
            f'<td><div class="name">{escape(str(row.name))}</div></td>'
            f'<td><span class="band" style="background:{colour}"></span>'
            f"{escape(str(row.band_text))}</td>"
            f"<td>{_arrow(str(row.trend))}</td>"
            f'<td class="num">{escape(str(row.abha_share))}</td>'
            f'<td class="num">{escape(str(row.points))}</td>'
            f'<td class="num">{escape(str(row.opd_registrations))}</td>'
            "</tr>"
        )
    more = f"{w('brief.more', n=w.count(brief.more))} " if brief.more else ""
    note = w("scorecard.bands_note", target=_target(brief))
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<p class='muted'>{escape(more + note)}</p>"
    )


def _target(brief: Brief) -> str:
    target = brief.target * 100
    return f"{target:.0f}" if float(target).is_integer() else f"{target:.1f}"


# --- OPEN ALERTS -----------------------------------------------------------------------------
# The open alerts of the scope are handed to make_brief(alerts=...) as a DataFrame in words:
# one row an alert, its columns the headers (to wire in: data_access.alerts.open_alerts
# under the brief's scope, put into words by i18n.alerts.alerts_in_words). This section
# lists whatever it is given, dates as DD-MM-YYYY; with none it says so in one line.
def _alerts(brief: Brief) -> str:
    w = brief.words
    title = f"<h2>{escape(w('brief.alerts_title'))}</h2>"
    alerts = brief.alerts
    if alerts is None or alerts.empty:
        return f'<section class="alerts">{title}<p>{escape(w("brief.no_alerts"))}</p></section>'
    head = "".join(f"<th>{escape(str(column))}</th>" for column in alerts.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(_cell(value, w))}</td>" for value in row) + "</tr>"
        for row in alerts.head(ALERT_ROWS).itertuples(index=False)
    )
    rest = len(alerts) - ALERT_ROWS
    more = (
        f"<p class='muted'>{escape(w('brief.alerts_more', n=w.count(rest)))}</p>"
        if rest > 0
        else ""
    )
    return (
        f'<section class="alerts">{title}<table><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>{more}</section>"
    )


def _cell(value: object, w: Words) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, date | pd.Timestamp):
        return w.day(pd.Timestamp(value).date())
    return str(value)


# --- the trend, drawn by vl-convert ----------------------------------------------------------
def trend_chart(brief: Brief) -> alt.LayerChart:
    w = brief.words
    week, share = w("common.week"), w("figure.abha_share")
    drawn = pd.DataFrame(
        {week: pd.to_datetime(brief.trend["week"]), share: brief.trend["abha_share"]}
    )
    line = (
        alt.Chart(drawn)
        .mark_line(point=alt.OverlayMarkDef(size=18), color="#1f4e79", strokeWidth=2)
        .encode(
            x=alt.X(
                field=week,
                type="temporal",
                title=None,
                axis=alt.Axis(
                    format="%d-%m",
                    labelFontSize=10,
                    grid=False,
                    values=[_iso(day) for day in brief.trend["week"].iloc[::2]],
                ),
            ),
            y=alt.Y(
                field=share,
                type="quantitative",
                title=None,
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", labelFontSize=10, tickCount=3),
            ),
        )
    )
    target_name = w("scorecard.target_line")
    rule = (
        alt.Chart(pd.DataFrame({target_name: [brief.target]}))
        .mark_rule(strokeDash=[4, 3], color="#888")
        .encode(y=alt.Y(field=target_name, type="quantitative"))
    )
    return alt.layer(line, rule).properties(width=CHART_WIDTH, height=CHART_HEIGHT)


def _iso(day: object) -> str:
    """A week's first day as Vega-Lite reads a date: local midnight, as the data's."""
    return pd.Timestamp(day).strftime("%Y-%m-%dT00:00:00")


def trend_svg(brief: Brief) -> str:
    """The trend as SVG for inlining: no font inside (the page's own subset serves it),
    no XML declaration."""
    if brief.trend.empty:
        return f"<p class='muted'>{escape(brief.words('common.no_data'))}</p>"
    svg = render.plain_svg(trend_chart(brief), Caption("", "", ""), brief.lang)
    return svg[svg.index("<svg") :]


# --- the font, cut to the page's characters --------------------------------------------------
@lru_cache(maxsize=len(WEIGHTS))
def _static_font(weight: int) -> bytes:
    """The variable font fixed at ``weight`` and normal width (a static font: smaller to
    subset and understood by every renderer)."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    font = TTFont(str(render.font_path()))
    static = instantiateVariableFont(font, {"wght": weight, "wdth": 100})
    out = io.BytesIO()
    static.save(out)
    return out.getvalue()


def font_subset(characters: str, weight: int) -> bytes:
    """The font at ``weight`` with only the glyphs ``characters`` need, shaping rules kept
    (every Devanagari conjunct and vowel sign the text can form), as WOFF2."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(_static_font(weight)))
    options = subset.Options()
    options.layout_features = ["*"]
    options.flavor = "woff2"
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def _visible_text(brief: Brief) -> str:
    """Every character the page draws: its words, names and figures, and the digits and
    signs of the chart's axes. (Shaping forms conjuncts and vowel signs only from these.)"""
    parts = [
        brief.title,
        brief.kind,
        brief.period_text,
        brief.compared,
        brief.freshness,
        brief.source,
        *brief.headlines,
        *(f"{t.label}{t.value}{t.change or ''}" for t in brief.tiles),
        _ranking_title(brief),
        _trend_title(brief),
        brief.words("brief.headlines_title"),
        brief.words("brief.tiles_title"),
        brief.words("brief.alerts_title"),
        brief.words("brief.no_alerts"),
        brief.words("brief.more", n=brief.more),
        brief.words("brief.alerts_more", n=max(len(brief.alerts) - ALERT_ROWS, 0)),
        brief.words("scorecard.bands_note", target=_target(brief)),
        brief.words("common.no_data"),
        brief.words("brief.rank"),
        brief.words(f"scorecard.level.{brief.level}"),
        brief.words("scorecard.band"),
        brief.words("scorecard.trend"),
        brief.words("scorecard.points"),
        brief.words("figure.abha_share"),
        brief.words("figure.opd_registrations"),
        " ".join(brief.ranking.astype(str).to_numpy().ravel()),
        " ".join(str(c) for c in brief.alerts.columns),
        " ".join(brief.alerts.astype(str).to_numpy().ravel()) if not brief.alerts.empty else "",
        "0123456789%+-−–.,:·() …",  # the digits and signs of the figures and the axes
        "\u200c\u200d",
    ]
    return "".join(sorted(set("".join(parts))))


def _font_faces(characters: str) -> str:
    faces = []
    for weight in WEIGHTS:
        data = base64.b64encode(font_subset(characters, weight)).decode("ascii")
        for family in ("Brief Sans", render.FONT_FAMILY):
            faces.append(
                "@font-face{"
                f'font-family:"{family}";font-style:normal;font-weight:{weight};'
                f'src:url("data:font/woff2;base64,{data}") format("woff2");'
                "}"
            )
    return "".join(faces)


# --- PDF and PNG -----------------------------------------------------------------------------
def render_pdf(html: str) -> bytes:
    """The page as a PDF (A4), laid out and shaped by WeasyPrint."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Its own data URIs (the font), nothing from anywhere else: not a file, not the network.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return bytes(HTML(string=html, url_fetcher=fetcher).write_pdf())


def page_count(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def render_png(pdf: bytes, scale: float = PNG_SCALE) -> bytes:
    """The PDF's first page as a PNG, ``scale`` pixels a point (150 dpi by default)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=scale).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()
