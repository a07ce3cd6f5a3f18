"""Map: ABHA adoption, OPD volume or the change in adoption, by district and facility."""

from __future__ import annotations

from functools import partial

import geopandas as gpd
import pandas as pd
import pydeck as pdk
import streamlit as st

from data_access.config import load_settings
from geo import boundaries as geo_boundaries
from geo import layers
from i18n.markdown import literal
from metrics.change import CHANGE_MIN_REGISTRATIONS, now_and_before
from press.maps import choropleth
from ui import data, light_map, progress
from ui.exports import chart_downloads, table_downloads
from ui.filters import district_clicks, narrow_to
from ui.frame import open_page

MAP_KEY, NARROW_KEY, REQUEST_KEY, METRIC_KEY = (
    "map_select",
    "map_narrow",
    "map_narrow_request",
    "map_metric",
)
GENERATION_KEY = "map_generation"
CLICKS_KEY = "map_clicks"  # LGD code → what a click on it narrows to (ui.filters.district_clicks)
# The interactive (deck.gl) map is chosen per session: the toggle's own state is dropped
# when the page is left, so its value is kept under a key of its own.
INTERACTIVE_KEY, INTERACTIVE_TOGGLE = "map_interactive", "map_interactive_toggle"
# The light map's height: fitted to it on a desk, to the width on a phone.
LIGHT_MAP_HEIGHT_PX = 560
# Layer ids (and the keys of a click's selection): codes, so no English word is in a Hindi page.
DISTRICT_LAYER, FACILITY_LAYER = "lgd", "hfr"
MAP_HEIGHT_PX = 640
# The map is fitted to the width of a phone (the division is taller than wide, so on a
# desk its height decides the zoom all the same: 6.7 instead of 7.0 for Bastar division);
# fitted to 820 px, a 390 px screen lost the east of the division.
MAP_FIT_WIDTH_PX = 360
METRICS = ("adoption", "volume", "change")
# The tooltip template's fields, HTML-escaped in the layers' data (names are text).
TOOLTIP_FIELDS = ("name", "kind", "figures")
TOOLTIP = {
    "html": "<b>{name}</b><br/><i>{kind}</i><br/>{figures}",
    "style": {
        "whiteSpace": "pre-line",
        "backgroundColor": "#ffffff",
        "color": "#262730",
        "border": "1px solid #c0c0c0",
        "fontSize": "13px",
        "padding": "8px",
    },
}


def _district_request(code: int) -> dict[str, list]:
    """A click on a district: its division on the state's map, else the district (as the
    map clicked on decided: ``CLICKS_KEY``)."""
    return st.session_state.get(CLICKS_KEY, {}).get(int(code), {"districts": [int(code)]})


def _request_from_map(key: str) -> None:
    objects = st.session_state[key]["selection"]["objects"]
    st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1
    for feature in objects.get(DISTRICT_LAYER, []):
        code = feature.get("properties", feature).get("lgd_code")
        if code is not None:
            st.session_state[REQUEST_KEY] = _district_request(int(code))
    for point in objects.get(FACILITY_LAYER, []):
        if point.get("facility_id"):
            st.session_state[REQUEST_KEY] = {"facilities": [point["facility_id"]]}


def _request_from_light_map(key: str) -> None:
    request = light_map.clicked(st.session_state[key])
    if request is not None and len(request.get("districts", [])) == 1:
        request = _district_request(request["districts"][0])
    if request is not None:
        st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1
        st.session_state[REQUEST_KEY] = request


def _remember_interactive() -> None:
    st.session_state[INTERACTIVE_KEY] = st.session_state[INTERACTIVE_TOGGLE]


def _request_from_selectbox() -> None:
    code = st.session_state[NARROW_KEY]
    if code is not None:
        st.session_state[REQUEST_KEY] = {"districts": [int(code)]}
    st.session_state[NARROW_KEY] = None


def _request_all_districts() -> None:
    st.session_state[REQUEST_KEY] = {"districts": []}


@st.cache_data(show_spinner=False)
def _division_outlines(
    lgd_codes: tuple[int, ...], divisions: tuple[str, ...], path: str | None
) -> gpd.GeoDataFrame:
    return geo_boundaries.division_outlines(
        _boundaries(lgd_codes, path), dict(zip(lgd_codes, divisions, strict=True))
    )


@st.cache_data(show_spinner=False)
def _boundaries(lgd_codes: tuple[int, ...], path: str | None) -> gpd.GeoDataFrame:
    return geo_boundaries.district_boundaries(lgd_codes, path=path)


BOUNDARY_FILE = load_settings().boundary_file

if REQUEST_KEY in st.session_state:
    narrow_to(**st.session_state.pop(REQUEST_KEY))

page = open_page("map")
w, filters = page.w, page.filters

by_district = data.counts(filters.period, filters.scope, by=["district"])
page.stop_unless_registrations(by_district)

district_figures = now_and_before(
    by_district, data.counts(filters.previous, filters.scope, by=["district"]), "district_lgd"
)
facility_figures = now_and_before(
    data.counts(filters.period, filters.scope, by=["facility"]),
    data.counts(filters.previous, filters.scope, by=["facility"]),
    "facility_id",
)

district_names, facility_names = page.district_names, page.facility_names
shown_facilities = page.in_scope.merge(facility_figures, on="facility_id", how="left")
shown_facilities["name"] = shown_facilities["facility_id"].map(facility_names)
if filters.in_facilities:
    scope_codes = sorted({int(code) for code in shown_facilities["district_lgd"]})
elif filters.in_districts:
    scope_codes = sorted(filters.in_districts)
else:
    scope_codes = sorted(district_names)
clicks = district_clicks(district_names, filters, page.districts)
st.session_state[CLICKS_KEY] = clicks
if any("divisions" in request for request in clicks.values()):
    st.caption(w("map.drill_hint"))  # the state's map: a click opens a division

# --- the metric and its scale -----------------------------------------------------------------
metric = st.radio(
    w("map.colour_by"),
    METRICS,
    format_func=lambda m: w(f"map.metric.{m}"),
    horizontal=True,
    key=METRIC_KEY,
)
interactive = st.toggle(
    w("map.interactive"),
    value=bool(st.session_state.get(INTERACTIVE_KEY, False)),
    key=INTERACTIVE_TOGGLE,
    on_change=_remember_interactive,
    help=w("map.interactive.help"),
)
metric_name = w(f"map.metric.{metric}")
map_title = w(f"map.title.{metric}")
value_column = {"adoption": "abha_share", "volume": "opd_registrations", "change": "points"}[metric]
district_rows = pd.DataFrame({"lgd_code": sorted(district_names)}).merge(
    district_figures.rename(columns={"district_lgd": "lgd_code"}), on="lgd_code", how="left"
)
district_rows["in_scope"] = district_rows["lgd_code"].isin(scope_codes)
district_rows["has_data"] = district_rows["opd_registrations"].fillna(0) > 0
in_scope_values = district_rows.loc[district_rows["in_scope"], value_column].tolist()
facility_values = shown_facilities[value_column].tolist()


def _whole_percent(share: float) -> str:
    return w.percent(share, digits=0)


if metric == "adoption":
    scheme, tick = "viridis", _whole_percent
    vmin, vmax = layers.sequential_domain(
        in_scope_values + facility_values, step=0.1, lower=None, upper=1.0
    )
elif metric == "volume":
    scheme, tick = "viridis", w.short_count  # lakh/crore: the legend is narrow
    vmin, vmax = layers.sequential_domain(in_scope_values)
else:
    scheme, tick = "prgn", w.points
    vmin, vmax = layers.diverging_domain(in_scope_values, step=5.0)


FIGURE_FIELDS = ("opd", "linked", "share", "change")


def _figures(rows: pd.DataFrame) -> list[list[str]]:
    """Each row's tooltip figures, in the order of FIGURE_FIELDS; none without
    registrations. Worked out once per row, for both maps' tooltips."""
    figures = []
    for registrations, linked, share, change in zip(
        rows["opd_registrations"],
        rows["abha_linked"],
        rows["abha_share"],
        rows["points"],
        strict=True,
    ):
        if pd.isna(registrations) or registrations == 0:
            figures.append([])
            continue
        figures.append(
            [
                w.count(registrations),
                w.count(linked),
                w.percent(None if pd.isna(share) else float(share)),
                w.points(None if pd.isna(change) else float(change)),
            ]
        )
    return figures


FIGURE_TITLES = (
    w("figure.opd_registrations"),
    w("figure.abha_linked"),
    w("figure.abha_share"),
    w("map.change_vs_previous"),
)


def _figures_text(values: list[str]) -> str:
    """The interactive map's tooltip figures, one 'name: value' line each."""
    if not values:
        return w("map.no_registrations")
    return "\n".join(f"{name}: {value}" for name, value in zip(FIGURE_TITLES, values, strict=True))


def _figure_columns(rows: pd.DataFrame, in_scope: pd.Series) -> dict[str, list[str]]:
    """The light map's tooltip figures, a column each ("–" for none, "" outside the scope)."""
    columns: dict[str, list[str]] = {field: [] for field in FIGURE_FIELDS}
    none = dict.fromkeys(FIGURE_FIELDS, "–") | {"opd": w.count(0), "linked": w.count(0)}
    for values, shown in zip(rows["figure_values"], in_scope, strict=True):
        for index, field in enumerate(FIGURE_FIELDS):
            columns[field].append(
                values[index] if values and shown else none[field] if shown else ""
            )
    return columns


# With facilities or facility types chosen, a district's figures are those facilities'
# only: every label of a district says so, never passing them off as the district's.
if filters.in_facilities:
    district_counts = w("map.only_chosen_facilities")
elif filters.facility_types:
    district_counts = w(
        "map.only_facility_types",
        types="/".join(w.label("facility_type", t) for t in filters.facility_types),
    )
else:
    district_counts = None


def _district_kind(row: pd.Series) -> str:
    if not row["in_scope"]:
        return w("map.outside")
    kind = w("map.district_kind", code=row["lgd_code"])
    if district_counts:
        kind = f"{kind} · {district_counts}"
    return kind if row["has_data"] else f"{kind} · {w('common.no_data')}"


district_rows["name"] = district_rows["lgd_code"].map(district_names)
district_rows["kind"] = district_rows.apply(_district_kind, axis=1)
district_rows["figure_values"] = _figures(district_rows)
district_rows["figures"] = [
    _figures_text(values) if in_scope else ""
    for values, in_scope in zip(
        district_rows["figure_values"], district_rows["in_scope"], strict=True
    )
]
district_rows["fill"] = [
    layers.colour_for(value, vmin, vmax, scheme) if in_scope else list(layers.OUTSIDE_FILL)
    for value, in_scope in zip(district_rows[value_column], district_rows["in_scope"], strict=True)
]
district_rows["line"] = [
    list(layers.OUTLINE if in_scope else layers.OUTSIDE_OUTLINE)
    for in_scope in district_rows["in_scope"]
]

# --- the light map's rows: the same colours, radii and text as the interactive map's ------
LIGHT_TOOLTIP = [
    ("name", "title"),  # vega-tooltip heads the tooltip with the field titled "title"
    ("kind", w("map.kind")),
    *zip(FIGURE_FIELDS, FIGURE_TITLES, strict=True),
]


def _light_rows() -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, object]]]:
    districts = district_rows[["lgd_code", "name", "kind", "fill", "line"]].assign(
        dashed=(district_rows["in_scope"] & ~district_rows["has_data"]).to_numpy(),
        **_figure_columns(district_rows, district_rows["in_scope"]),
    )
    facilities = located[["facility_id", "name", "kind", "longitude", "latitude", "radius"]]
    facilities = facilities.assign(
        fill=located["fill"].to_numpy(),
        **_figure_columns(located, pd.Series(True, index=located.index)),
    )
    names = [
        {"name": name, "longitude": place[0], "latitude": place[1]} for name, place in _labels()
    ]
    return districts, facilities, names


def _labels() -> list[tuple[str, list[float]]]:
    """The names printed on the map, each with its point: the districts in scope, or, where
    they are of several divisions (the state), the divisions: 33 district names at the
    state's scale would print over each other."""
    if outlines is not None and scope_divisions > 1:
        places = layers.label_positions(outlines, key="division")
        return [
            (w.division_names(visible[visible["division"] == division]), place)
            for division, place in places.items()
        ]
    return [(district_names[code], labels[code]) for code in scope_codes if code in labels]


# --- the figures, as the tables and the files show them ------------------------------------
opd, linked, adoption, change = (
    w("figure.opd_registrations"),
    w("figure.abha_linked"),
    w("figure.abha_share"),
    w("map.change_points"),
)


def _figures_table(rows: pd.DataFrame, names: dict[str, pd.Series]) -> pd.DataFrame:
    """The map's figures as shown: names first, counts (0 when none), rate and change."""
    return pd.DataFrame(
        {
            **{header: column.to_numpy() for header, column in names.items()},
            opd: rows["opd_registrations"].fillna(0).astype("int64").to_numpy(),
            linked: rows["abha_linked"].fillna(0).astype("int64").to_numpy(),
            adoption: rows["abha_share"].to_numpy(),
            change: rows["points"].to_numpy(),
        }
    )


in_scope_rows = district_rows[district_rows["in_scope"]]
district_header = w("common.district") + (f" ({district_counts})" if district_counts else "")
district_table = _figures_table(in_scope_rows, {district_header: in_scope_rows["name"]})

# --- the map ----------------------------------------------------------------------------------
boundaries = _boundaries(tuple(sorted(district_names)), BOUNDARY_FILE)
missing = geo_boundaries.missing_boundaries(sorted(district_names), boundaries)
properties = layers.escaped_for_tooltip(
    district_rows[["lgd_code", "name", "kind", "figures", "fill", "line"]], TOOLTIP_FIELDS
)
no_data = district_rows[district_rows["in_scope"] & ~district_rows["has_data"]]
labels = layers.label_positions(boundaries)

located = shown_facilities.dropna(subset=["latitude", "longitude"]).sort_values("facility_id")
located = located.assign(
    kind=[
        w(
            "map.facility_kind",
            type=w.label("facility_type", kind),
            district=district_names.get(int(code), code),
        )
        for kind, code in zip(located["facility_type"], located["district_lgd"], strict=True)
    ],
    figure_values=_figures(located),
)
located = located.assign(
    figures=[_figures_text(values) for values in located["figure_values"]],
    position=[
        [float(x), float(y)] for x, y in zip(located["longitude"], located["latitude"], strict=True)
    ],
    radius=layers.point_radii(located["opd_registrations"]),
    fill=(
        [[255, 255, 255, 235]] * len(located)
        if metric == "volume"
        else layers.colours_for(located[value_column], vmin, vmax, scheme)
    ),
)
unlocated = shown_facilities[
    shown_facilities["latitude"].isna() | shown_facilities["longitude"].isna()
]

scope_boundaries = boundaries[boundaries["lgd_code"].isin(scope_codes)]
# Several divisions in view (the state): their borders drawn over the districts.
visible = page.districts.sort_values("lgd_code")
outlines = (
    _division_outlines(
        tuple(int(code) for code in visible["lgd_code"]),
        tuple(str(name) for name in visible["division"]),
        BOUNDARY_FILE,
    )
    if visible["division"].nunique() > 1
    else None
)
scope_divisions = visible[visible["lgd_code"].isin(scope_codes)]["division"].nunique()
bounds = layers.bounds_of(scope_boundaries if not scope_boundaries.empty else boundaries)
if bounds is None:
    bounds = layers.points_bounds(located["longitude"], located["latitude"])


def _district_labels() -> list[pdk.Layer]:
    """District names on the map, in English only.

    deck.gl's TextLayer draws each character on its own, from a font atlas, without the
    shaping Devanagari needs (matras and conjuncts come out misplaced), so a Hindi map
    leaves the names to the tooltip rather than print them wrongly.
    """
    if w.lang != "en":
        return []
    return [
        pdk.Layer(
            "TextLayer",
            id="district-names",
            data=[{"name": name, "position": place} for name, place in _labels()],
            get_position="position",
            get_text="name",
            get_size=13,
            size_units="'pixels'",
            get_color=[20, 20, 20, 255],
            font_weight="'bold'",
            font_family="'Source Sans Pro, Helvetica, Arial, sans-serif'",
            background=True,
            get_background_color=[255, 255, 255, 200],
            background_padding=[3, 1],
        )
    ]


map_column, side = st.columns([4, 1.4])
if bounds is None:
    map_column.warning(w("map.no_geometry"))
else:
    deck = pdk.Deck(
        layers=[
            pdk.Layer(
                "GeoJsonLayer",
                id=DISTRICT_LAYER,
                data=layers.district_features(boundaries, properties),
                pickable=True,
                stroked=True,
                filled=True,
                auto_highlight=True,
                highlight_color=[255, 200, 0, 120],
                get_fill_color="properties.fill",
                get_line_color="properties.line",
                line_width_min_pixels=1.5,
            ),
            pdk.Layer(
                "GeoJsonLayer",
                id="no-data-outline",
                data=layers.district_features(boundaries, no_data[["lgd_code"]]),
                filled=False,
                stroked=True,
                get_line_color=layers.NO_DATA_OUTLINE,
                line_width_min_pixels=2,
                extensions=[{"@@type": "PathStyleExtension", "dash": True}],
                get_dash_array=[4, 3],
                dash_justified=True,
            ),
            pdk.Layer(
                "ScatterplotLayer",
                id=FACILITY_LAYER,
                data=layers.escaped_for_tooltip(
                    located[
                        ["facility_id", "name", "kind", "figures", "position", "radius", "fill"]
                    ],
                    TOOLTIP_FIELDS,
                ).to_dict(orient="records"),
                pickable=True,
                stroked=True,
                get_position="position",
                get_radius="radius",
                radius_units="'pixels'",
                get_fill_color="fill",
                get_line_color=[38, 39, 48, 255],
                line_width_min_pixels=1,
            ),
            *(
                []
                if outlines is None
                else [
                    pdk.Layer(
                        "GeoJsonLayer",
                        id="division-outline",
                        data=outlines.__geo_interface__,
                        filled=False,
                        stroked=True,
                        get_line_color=layers.DIVISION_OUTLINE,
                        line_width_min_pixels=3,
                    )
                ]
            ),
            *_district_labels(),
        ],
        initial_view_state=pdk.ViewState(
            **layers.view_state_for(bounds, MAP_FIT_WIDTH_PX, MAP_HEIGHT_PX)
        ),
        map_provider=None,
        tooltip=TOOLTIP,
    )
    # A new key after each click: the narrowed map starts without a selection.
    map_key = f"{MAP_KEY}_{st.session_state.get(GENERATION_KEY, 0)}"
    with map_column:
        map_place = progress.place_for_last(map_key, MAP_HEIGHT_PX, w("map.drawing"))
        # The same map drawn without WebGL (Altair geoshape), for print: PNG, SVG and its CSV;
        # made when the PNG or SVG is asked for, not at every run.
        static_rows = district_rows[district_rows["in_scope"]]
        chart_downloads(
            partial(
                choropleth,
                scope_boundaries if not scope_boundaries.empty else boundaries,
                static_rows[["lgd_code", "name", value_column]],
                value_column=value_column,
                value_title=metric_name,
                name_column="name",
                missing_label=w("common.no_data"),
                value_format="+.1f" if metric == "change" else None,
            ),
            district_table,
            what=f"map-{metric}",
            title=map_title,
            notes=[w("figure.abha_share") + ": " + w("figure.abha_share.definition")]
            if metric == "adoption"
            else [w("map.change_note", minimum=w.count(CHANGE_MIN_REGISTRATIONS))]
            if metric == "change"
            else [],
            key="map_static",
        )


# --- legend and narrowing -----------------------------------------------------------------------
def _legend_html() -> str:
    gradient = ", ".join(layers.gradient_stops(scheme))
    middle = tick((vmin + vmax) / 2) if scheme == "viridis" else w("format.points", value="0")
    no_data_fill = layers.rgb_to_hex(layers.NO_DATA_FILL)
    no_data_line = layers.rgb_to_hex(layers.NO_DATA_OUTLINE)
    outside = layers.rgb_to_hex(layers.OUTSIDE_OUTLINE)
    circles = w("map.legend.white_circles" if metric == "volume" else "map.legend.circles")
    no_data_text = w("map.legend.no_data_change" if metric == "change" else "map.legend.no_data")
    swatch = "display:inline-block;width:18px;height:12px;vertical-align:middle;margin-right:6px;"
    return (
        f"<div style='font-size:0.85rem;line-height:1.6'>"
        f"<b>{metric_name}</b>"
        f"<div style='height:14px;border-radius:2px;background:linear-gradient(to right, "
        f"{gradient})'></div>"
        f"<div style='display:flex;justify-content:space-between'>"
        f"<span>{tick(vmin)}</span><span>{middle}</span><span>{tick(vmax)}</span></div>"
        f"<div><span style='{swatch}background:{no_data_fill};"
        f"border:2px dashed {no_data_line}'></span>{no_data_text}</div>"
        f"<div><span style='{swatch}background:#f0f0f0;border:1px solid {outside}'></span>"
        f"{w('map.legend.outside')}</div>"
        + (
            ""
            if outlines is None
            else f"<div><span style='{swatch}height:0;border-top:3px solid "
            f"{layers.rgb_to_hex(layers.DIVISION_OUTLINE)}'></span>"
            f"{w('map.legend.division')}</div>"
        )
        + f"<div>{circles}</div>"
        f"</div>"
    )


with side:
    # st.html, not markdown with HTML: the markdown renderer's HTML support is 53 kB more
    # JavaScript on a first visit, which no other page needs. The legend holds only the
    # catalogue's words and the scale's figures.
    st.html(_legend_html())
    if metric == "change":
        st.caption(w("map.change_note", minimum=w.count(CHANGE_MIN_REGISTRATIONS)))
    in_force = page.scope_name  # "Chhattisgarh", "Raipur division", "Jagdalpur block", …
    st.markdown(f"**{w('map.app_shows')}** {literal(in_force)}")
    if filters.in_districts or filters.in_facilities:
        st.button(w("map.show_all"), on_click=_request_all_districts, key="map_show_all")
    st.selectbox(
        w("map.narrow"),
        sorted(district_names, key=district_names.__getitem__),
        index=None,
        format_func=district_names.__getitem__,
        placeholder=w("map.choose_district"),
        key=NARROW_KEY,
        on_change=_request_from_selectbox,
    )

if missing:
    st.warning(
        w.markdown(
            "map.missing_boundaries",
            districts=", ".join(
                f"{district_names.get(code, code)} (LGD {code})" for code in missing
            ),
        )
    )
if not unlocated.empty:
    st.caption(
        w.markdown(
            "map.unlocated",
            facilities=", ".join(
                f"{row.name} ({row.facility_id})" for row in unlocated.itertuples()
            ),
        )
    )


def _signed_points(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:+.1f}"


def _show_figures(table: pd.DataFrame, *, what: str, title: str, key: str) -> None:
    """The table with Indian grouping, – for a missing rate or change, and its downloads."""
    styled = table.style.format(
        {opd: w.count, linked: w.count, adoption: w.percent, change: _signed_points}, na_rep="–"
    )
    st.dataframe(styled, hide_index=True, placeholder="–", key=f"{key}_table")
    table_downloads(
        table,
        what=what,
        title=title,
        key=key,
    )


st.subheader(w("map.figures_header"))
_show_figures(
    district_table,
    what="map-figures-by-district" + ("-chosen-facilities" if district_counts else ""),
    title=w("map.district_table_title") + (f" ({district_counts})" if district_counts else ""),
    key="map_districts",
)
with st.expander(w("map.facilities")):
    _show_figures(
        _figures_table(
            shown_facilities,
            {
                w("common.facility"): shown_facilities["name"],
                w("common.facility_type"): shown_facilities["facility_type"].map(
                    lambda code: w.label("facility_type", code)
                ),
                w("common.district"): shown_facilities["district_lgd"].map(
                    lambda code: district_names.get(int(code), code)
                ),
            },
        ),
        what="map-figures-by-facility",
        title=w("map.facility_table_title"),
        key="map_facilities",
    )


# --- the map, drawn last ------------------------------------------------------------------------
# deck.gl's first frame holds a browser without a usable GPU for seconds: drawn last, the map
# comes after the rest of the page, in the place kept for it (docs/performance.md).
if bounds is not None and interactive:
    map_place.pydeck_chart(
        deck,
        height=MAP_HEIGHT_PX,
        on_select=partial(_request_from_map, map_key),
        selection_mode="single-object",
        key=map_key,
        alt=w("map.alt", title=map_title, scope=page.scope_text),
    )
elif bounds is not None:
    light_districts, light_facilities, light_labels = _light_rows()
    map_place.vega_lite_chart(
        light_map.light_map(
            boundaries,
            light_districts,
            light_facilities,
            labels=light_labels,
            tooltip=LIGHT_TOOLTIP,
            height=LIGHT_MAP_HEIGHT_PX,
            lang=w.lang,
            fit_to=scope_codes,
            outlines=outlines,
        ),
        width="stretch",
        on_select=partial(_request_from_light_map, map_key),
        selection_mode=[light_map.DISTRICT_SELECTION, light_map.FACILITY_SELECTION],
        key=map_key,
        alt=w("map.alt", title=map_title, scope=page.scope_text),
    )
