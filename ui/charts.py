"""Charts drawn the same way on more than one page."""

from __future__ import annotations

import altair as alt
import pandas as pd

from i18n import Words


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
