"""Charts drawn the same way on more than one page."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from i18n import Words

DISTRICT_PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#000000",
    "#F0E442",
    "#7F3C8D",
    "#8C6D31",
)
"""Okabe and Ito's colours, told apart with every kind of colour vision, and three more."""


def district_colour(lgd_code: int) -> str:
    """A district's one colour: on every page and export, in both languages, for every
    role (a collector sees only their own district, in the colour the ministry sees it
    in). Chosen by the LGD code alone, not by what else is on screen: the last digit of
    the code, which tells the seven districts of Bastar apart."""
    return DISTRICT_PALETTE[int(lgd_code) % len(DISTRICT_PALETTE)]


def district_colours(lgd_codes, names) -> alt.Scale:  # type: ignore[no-untyped-def]
    """The colour scale of a chart with a mark per district: ``names`` maps each of
    ``lgd_codes`` to the name drawn (in the page's language). Each district in its own
    colour where those differ (Bastar's seven); where two would share one (the state's 33
    districts have ten colours), the palette in order, so no two lines look alike."""
    codes = sorted({int(code) for code in lgd_codes})
    own = [district_colour(code) for code in codes]
    if len(set(own)) < len(own) and len(codes) <= len(DISTRICT_PALETTE):
        own = list(DISTRICT_PALETTE[: len(codes)])
    return alt.Scale(domain=[str(names[code]) for code in codes], range=own)


def channel_mix(channels: pd.DataFrame, words: Words, height: int = 300) -> alt.Chart:
    """Share of OPD registrations by channel. ``channels``: channel, opd_registrations.

    The chart's data (``chart.data``) is exactly the table drawn, its columns and channel
    names in the language of ``words``: pass it as the frame of ``ui.exports.show_chart``.
    """
    channel, registrations, share = (
        words("common.channel"),
        words("figure.opd_registrations"),
        words("common.share"),
    )
    counts = channels["opd_registrations"].astype("int64")
    mix = pd.DataFrame(
        {
            channel: [words.label("channel", code) for code in channels["channel"]],
            registrations: counts.to_numpy(),
            share: (counts / counts.sum()).to_numpy(),
        }
    )
    return (
        alt.Chart(mix)
        .mark_bar()
        .encode(
            x=alt.X(field=share, type="quantitative", title=share, axis=alt.Axis(format="%")),
            y=alt.Y(field=channel, type="nominal", title=None, sort="-x"),
            tooltip=[
                alt.Tooltip(field=channel, type="nominal", title=channel),
                alt.Tooltip(
                    field=registrations, type="quantitative", title=registrations, format=","
                ),
                alt.Tooltip(field=share, type="quantitative", title=share, format=".1%"),
            ],
        )
        .properties(height=height)
    )


AXIS_LABEL_LIMIT = 260
LEGEND_LABEL_LIMIT = 180
NARROW_CHART = 360
"""A plot narrower than this, in px (Vega's width: the plot, not its frame; 300 on a 390 px
phone, 450 and more in a desk's narrowest column), is on a phone: legend labels cut shorter."""
PHONE_LABEL_LIMIT = 125


def for_screen(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A chart as every page draws it, on a phone as on a desk.

    Axis labels whole up to ``AXIS_LABEL_LIMIT`` px (Streamlit's theme cuts them near
    100 px: "Scan & Share QR …", "Obstetrics & Gyna…"); legends under the chart, two
    entries to a row, so that on a 390 px screen the plot keeps the width (a legend beside
    it squeezed a weekly chart to 80 px), the plot keeping its height. The chart must not
    be configured yet.
    """
    return (
        chart.configure_axis(labelLimit=AXIS_LABEL_LIMIT)
        .configure_legend(
            orient="bottom",
            columns=alt.ExprRef(f"width < {NARROW_CHART} ? 1 : 2"),
            # two columns of whole names on a desk; on a phone's 358 px one column, names cut
            # with an ellipsis inside the chart rather than by its edge (tooltips have them)
            labelLimit=alt.ExprRef(
                f"width < {NARROW_CHART} ? {PHONE_LABEL_LIMIT} : {LEGEND_LABEL_LIMIT}"
            ),
            titleLimit=300,
        )
        # The chart's height is its plot's: a legend under it adds to the height instead
        # of taking it from the plot (fitted whole into 300 px, seven districts' legend
        # left a 50 px plot on a phone).
        .properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    )


def field(name: str) -> str:
    """A column name as a Vega-Lite field: dots and brackets escaped ("99.8% limits")."""
    return re.sub(r"([\\.\[\]])", r"\\\1", name)
