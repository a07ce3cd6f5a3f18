"""Charts drawn the same way on more than one page."""

from __future__ import annotations

import altair as alt
import pandas as pd


def channel_mix(channels: pd.DataFrame, height: int = 300) -> alt.Chart:
    """Share of OPD registrations by channel. ``channels``: channel, opd_registrations."""
    mix = channels.assign(share=channels["opd_registrations"] / channels["opd_registrations"].sum())
    return (
        alt.Chart(mix)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title="Share of OPD registrations", axis=alt.Axis(format="%")),
            y=alt.Y("channel:N", title=None, sort="-x"),
            tooltip=[
                alt.Tooltip("channel:N", title="Channel"),
                alt.Tooltip("opd_registrations:Q", title="OPD registrations", format=","),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
            ],
        )
        .properties(height=height)
    )
