"""The weekly brief: one A4 page for a district, a division or the state.

``make_brief(store, scope, period, lang)`` gathers its figures, in words: the headline
sentences (``i18n.headlines``, as the Overview writes them), the Overview's tiles with
their change from the previous period of the same length (``metrics.change``), a small
weekly adoption trend, the units one level below ranked in the Scorecard's bands
(``metrics.scorecard``, against ``[dashboard] adoption_target_percent``), the open
alerts, the data's freshness and the source line. Every figure is an aggregate of the
analytics store read through ``data_access.queries`` under the scope (and its ceiling);
no patient row is read. ``press.brief_page`` lays it out as HTML, PDF and PNG.

A scope is :class:`BriefScope`: chosen districts, a division, or everything (the state,
or the one division the registry holds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa

from data_access import queries
from data_access.alerts import open_alerts
from data_access.errors import BadFilter
from data_access.queries import Period, Scope
from i18n import Words
from i18n.alerts import alerts_in_words
from i18n.headlines import leader_headline, registration_headline
from metrics.adoption import adoption_rate, with_adoption_rate
from metrics.change import period_change, points_change
from metrics.facilities import on_ehospital_by
from metrics.league import rolled_up
from metrics.periods import preset_period, previous_period
from metrics.scorecard import overall_row, scorecard

PERIODS = ("last-week", "this-month", "last-month")
"""The named periods of ``brief --period``; any other is ``--from``/``--to``."""
TREND_WEEKS = 12
RANKED_ROWS = 10
"""The most units the ranking lists on the page; the rest are counted under it."""
ARROWS = {"up": "↑", "steady": "→", "down": "↓", "unknown": "·"}


# --- the scope and the period ----------------------------------------------------------------
@dataclass(frozen=True)
class BriefScope:
    """What a brief is of: ``districts`` (LGD codes), or a ``division`` (its name as
    ``districts.division`` holds it), or neither: every district of the registry.
    ``allowed``: a user's ceiling (None: none)."""

    districts: tuple[int, ...] = ()
    division: str | None = None
    allowed: frozenset[int] | None = None

    def __post_init__(self) -> None:
        if self.districts and self.division:
            raise BadFilter("a brief is of districts or of a division, not both")


def last_full_week(as_of: date) -> tuple[date, date]:
    """The last whole Monday-to-Sunday week that ends on ``as_of`` or before it."""
    end = as_of - timedelta(days=(as_of.weekday() + 1) % 7)
    return end - timedelta(days=6), end


def named_period(name: str, as_of: date) -> Period:
    """``last-week``, ``this-month`` or ``last-month``, counted back from the data's last day."""
    if name == "last-week":
        return Period(*last_full_week(as_of))
    if name in ("this-month", "last-month"):
        return Period(*preset_period(name.replace("-", "_"), as_of))
    raise BadFilter(f"unknown period {name!r}; choose from {', '.join(PERIODS)}")


def period_label(name: str | None, words: Words) -> str | None:
    """The named period in words ("Last week"), None for a range of days."""
    if name == "last-week":
        return words("brief.period.last_week")
    if name in ("this-month", "last-month"):
        return words(f"preset.{name.replace('-', '_')}")
    return None


# --- the brief -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tile:
    """One figure of the Overview's tiles: its name, value and change, in words.
    ``direction``: up, down or None (no change to tell)."""

    key: str
    label: str
    value: str
    change: str | None
    direction: str | None


@dataclass(frozen=True)
class Brief:
    words: Words
    scope_name: str
    scope_slug: str
    """The scope in English, for file names."""
    period: Period
    previous: Period
    period_text: str
    title: str
    kind: str
    headlines: tuple[str, ...]
    tiles: tuple[Tile, ...]
    trend: pd.DataFrame
    """Week start (``week``), ``opd_registrations``, ``abha_linked``, ``abha_share``."""
    target: float
    level: str
    """What the ranking lists: facility, district or division."""
    ranking: pd.DataFrame
    """Rank, name, band (key), band in words, trend arrow, adoption, change in points and
    OPD registrations, all but ``band`` as shown; at most ``RANKED_ROWS`` rows."""
    more: int
    """Units ranked but not listed."""
    freshness: str
    source: str
    compared: str
    alerts: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The open alerts as the page lists them (columns as given, in words); none: empty."""

    @property
    def lang(self) -> str:
        return self.words.lang


def _districts_of(store: sa.Engine, scope: BriefScope) -> tuple[pd.DataFrame, list[int]]:
    """The registry's districts under the ceiling, and the codes the brief covers."""
    ceiling = Scope().limited_to(scope.allowed)
    registry = queries.districts(store, ceiling)
    if scope.division is not None:
        wanted = scope.division.strip().casefold()
        names = [registry["division"].astype(str).str.casefold()]
        if "division_hi" in registry:
            names.append(registry["division_hi"].fillna("").astype(str).str.casefold())
        inside = registry[pd.concat(names, axis=1).eq(wanted).any(axis=1)]
        if inside.empty:
            known = ", ".join(sorted(set(registry["division"].dropna().astype(str))))
            raise BadFilter(f"no division {scope.division!r}; known: {known or 'none'}")
        return registry, sorted(int(code) for code in inside["lgd_code"])
    chosen = sorted(set(scope.districts))
    queries.check_scope(store, Scope.of(chosen).limited_to(scope.allowed))
    return registry, chosen


def _scope_name(
    words: Words,
    scope: BriefScope,
    registry: pd.DataFrame,
    codes: list[int],
    every_district: pd.DataFrame,
) -> str:
    """What the brief is of, in words. Under a ceiling, "all" is the user's districts: by
    name, or, when they are whole divisions of the source (``every_district``, a
    commissioner's), as those divisions, as the Press kit names them."""
    if scope.division is not None:
        return words.division_names(registry[registry["lgd_code"].isin(codes)])
    if not codes and scope.allowed is not None:
        codes = sorted(int(code) for code in registry["lgd_code"])
        whole = words.districts_or_divisions(codes, every_district)
        if whole is not None:
            return whole
    return words.area_name(codes, registry)


def _counts(store: sa.Engine, period: Period, scope: Scope, by: Sequence[str]) -> pd.DataFrame:
    return queries.registration_counts(store, period, scope, by)


def _delta(w: Words, current: int, previous: int) -> tuple[str | None, str | None]:
    """The Overview's change of a count: "+1,200 (+4.5%)", and its direction."""
    change = period_change(current, previous)
    if change.absolute is None:
        return None, None
    relative = "" if change.relative is None else f" ({w.signed_percent(change.relative)})"
    direction = "up" if change.absolute > 0 else "down" if change.absolute < 0 else None
    return f"{w.signed_count(change.absolute)}{relative}", direction


def _tiles(
    store: sa.Engine,
    w: Words,
    period: Period,
    previous: Period,
    scope: Scope,
    by_facility: pd.DataFrame,
    before: pd.DataFrame,
    in_scope: pd.DataFrame,
) -> tuple[Tile, ...]:
    """The Overview's six tiles, computed as the Overview computes them."""
    tiles: list[Tile] = []

    def add(key: str, value: str, now: int | None = None, was: int | None = None) -> None:
        change, direction = (None, None) if now is None or was is None else _delta(w, now, was)
        tiles.append(Tile(key, w(f"figure.{key}"), value, change, direction))

    registrations = int(by_facility["opd_registrations"].sum())
    linked = int(by_facility["abha_linked"].sum())
    before_registrations = int(before["opd_registrations"].sum())
    before_linked = int(before["abha_linked"].sum())
    add("opd_registrations", w.count(registrations), registrations, before_registrations)
    add("abha_linked", w.count(linked), linked, before_linked)
    rate, rate_before = (
        adoption_rate(linked, registrations),
        adoption_rate(before_linked, before_registrations),
    )
    points = points_change(rate, rate_before)
    tiles.append(
        Tile(
            "abha_share",
            w("figure.abha_share"),
            w.percent(rate),
            None if points is None else w.points(points),
            None if not points else ("up" if points > 0 else "down"),
        )
    )
    reported = by_facility.loc[by_facility["opd_registrations"] > 0, "facility_id"]
    reporting = len(reported)
    on_ehospital = len(on_ehospital_by(in_scope, period.end, reported))
    add(
        "facilities_reporting",
        w("format.of", part=w.count(reporting), whole=w.count(on_ehospital)),
        reporting,
        int((before["opd_registrations"] > 0).sum()),
    )
    channels = _counts(store, period, scope, ["channel"]).set_index("channel")
    channels_before = _counts(store, previous, scope, ["channel"]).set_index("channel")
    scan_share = int(channels["opd_registrations"].get("scan_share", 0))
    scan_share_before = int(channels_before["opd_registrations"].get("scan_share", 0))
    add("scan_share", w.count(scan_share), scan_share, scan_share_before)
    enrolments = queries.enrolment_counts(store, period, scope)
    if enrolments is None:
        tiles.append(Tile("enrolments", w("figure.enrolments"), "–", None, None))
    else:
        enrolments_before = queries.enrolment_counts(store, previous, scope)
        now = int(enrolments["enrolments"].sum())
        was = 0 if enrolments_before is None else int(enrolments_before["enrolments"].sum())
        add("enrolments", w.count(now), now, was)
    return tuple(tiles)


def _headlines(
    w: Words,
    scope_name: str,
    period: Period,
    by_facility: pd.DataFrame,
    by_district: pd.DataFrame,
    facility_names: pd.Series,
    district_names: pd.Series,
) -> tuple[str, ...]:
    """The Overview's headline sentences, in its order."""
    registrations = int(by_facility["opd_registrations"].sum())
    linked = int(by_facility["abha_linked"].sum())
    lines = [registration_headline(w, scope_name, period.start, period.end, registrations, linked)]
    if int((by_facility["opd_registrations"] > 0).sum()) > 1:
        largest = by_facility.sort_values(
            ["opd_registrations", "facility_id"], ascending=[False, True]
        ).iloc[0]
        lines.append(
            registration_headline(
                w,
                str(facility_names.get(largest["facility_id"], largest["facility_id"])),
                period.start,
                period.end,
                int(largest["opd_registrations"]),
                int(largest["abha_linked"]),
            )
        )
    by_district = with_adoption_rate(by_district)
    if len(by_district) > 1:
        ranked = by_district.sort_values(["abha_share", "district_lgd"], ascending=[False, True])
        top, second = ranked.iloc[0], ranked.iloc[1]
        if pd.notna(top["abha_share"]):
            lines.append(
                leader_headline(
                    w,
                    "districts",
                    str(district_names.get(top["district_lgd"], top["district_lgd"])),
                    float(top["abha_share"]),
                    str(district_names.get(second["district_lgd"], second["district_lgd"])),
                )
            )
    return tuple(lines)


def _trend(store: sa.Engine, period: Period, scope: Scope) -> pd.DataFrame:
    """Adoption by whole week, the ``TREND_WEEKS`` weeks that end with the period's last
    whole week (a week cut by the data's end would show a false dip)."""
    last_sunday = period.end - timedelta(days=(period.end.weekday() + 1) % 7)
    weeks = Period(last_sunday - timedelta(days=7 * TREND_WEEKS - 1), last_sunday)
    counts = queries.registration_counts(store, weeks, scope, grain="week")
    counts = with_adoption_rate(counts.rename(columns={"period_start": "week"}))
    return counts[["week", "opd_registrations", "abha_linked", "abha_share"]].reset_index(drop=True)


def _ranking(
    store: sa.Engine,
    w: Words,
    period: Period,
    previous: Period,
    scope: Scope,
    level: str,
    registry: pd.DataFrame,
    in_view: pd.DataFrame,
    in_scope: pd.DataFrame,
    target: float,
) -> tuple[pd.DataFrame, int]:
    """The units one level below, in the Scorecard's order (band, then adoption)."""
    if level == "facility":
        key = "facility_id"
        units = in_scope[[key]]
        now = _counts(store, period, scope, ["facility"])
        before = _counts(store, previous, scope, ["facility"])
        names = w.facility_names(in_scope)
    else:
        now = _counts(store, period, scope, ["district"])
        before = _counts(store, previous, scope, ["district"])
        if level == "division":
            division_of = dict(
                zip(in_view["lgd_code"].astype(int), in_view["division"], strict=True)
            )
            key = "division"
            units = pd.DataFrame({key: sorted(set(division_of.values()))})
            now = rolled_up(now, "district_lgd", division_of, key)
            before = rolled_up(before, "district_lgd", division_of, key)
            names = pd.Series(
                {
                    name: w.division_names(in_view[in_view["division"] == name])
                    for name in units[key]
                }
            )
        else:
            key = "district_lgd"
            units = in_view[["lgd_code"]].rename(columns={"lgd_code": key})
            names = w.district_names(registry)
    card = scorecard(units, key, now, before, target)
    shown = card.head(RANKED_ROWS)
    table = pd.DataFrame(
        {
            "rank": range(1, len(shown) + 1),
            "name": [str(names.get(unit, unit)) for unit in shown[key]],
            "band": shown["band"].to_numpy(),
            "band_text": [w(f"scorecard.band.{band}") for band in shown["band"]],
            "trend": [ARROWS[trend] for trend in shown["trend"]],
            "abha_share": [w.percent(share) for share in shown["abha_share"]],
            "points": [w.points(None if pd.isna(p) else p) for p in shown["points"]],
            "opd_registrations": [w.count(n) for n in shown["opd_registrations"]],
        }
    )
    return table, len(card) - len(shown)


def _level(in_view: pd.DataFrame) -> str:
    """What the ranking lists: one district's facilities, several divisions' divisions,
    else the districts (ui.filters.level_below, with a district's facilities in place of
    its blocks: a collector acts on facilities)."""
    if len(in_view) == 1:
        return "facility"
    if in_view["division"].nunique() > 1:
        return "division"
    return "district"


def make_brief(
    store: sa.Engine,
    scope: BriefScope,
    period: Period,
    lang: str,
    *,
    target_percent: float = 60.0,
    period_name: str | None = None,
    alerts: pd.DataFrame | None = None,
) -> Brief:
    """The brief of ``scope`` for ``period`` in ``lang`` (see the module's docstring).

    ``target_percent``: the adoption target (``Settings.adoption_target_percent``).
    ``period_name``: the named period (``last-week``…), to say so. ``alerts``: the open
    alerts in words, one row each; None: those the store holds for the scope
    (``data_access.alerts.open_alerts`` under the same ceiling, put into words by
    ``i18n.alerts.alerts_in_words``, as the Alerts page lists them).
    """
    w = Words(lang)
    registry, codes = _districts_of(store, scope)
    in_view = registry[registry["lgd_code"].isin(codes)] if codes else registry
    figures_scope = Scope.of(codes).limited_to(scope.allowed)
    facilities = queries.facilities(store, figures_scope)
    every_district = queries.districts(store)
    scope_name = _scope_name(w, scope, registry, codes, every_district)
    previous = Period(*previous_period(period.start, period.end))

    by_facility = _counts(store, period, figures_scope, ["facility"])
    before = _counts(store, previous, figures_scope, ["facility"])
    by_district = _counts(store, period, figures_scope, ["district"])
    target = target_percent / 100
    level = _level(in_view)
    ranking, more = _ranking(
        store, w, period, previous, figures_scope, level, registry, in_view, facilities, target
    )
    whole = overall_row(by_facility, before, target, name=scope_name)
    as_of = queries.data_span(store, figures_scope)[1]
    refreshed = queries.store_state(store).get("refreshed_at", "?").replace("T", " ")
    label = period_label(period_name, w)
    when = w.period(period.start, period.end)
    kind = (
        "brief.kind"
        if period_name == "last-week"
        else "brief.kind.month"
        if period_name in ("this-month", "last-month")
        else "brief.kind.period"
    )
    return Brief(
        words=w,
        scope_name=scope_name,
        scope_slug=_scope_name(Words("en"), scope, registry, codes, every_district),
        period=period,
        previous=previous,
        period_text=f"{label}: {when}" if label else when,
        title=w("brief.title", scope=scope_name),
        kind=w(kind),
        headlines=_headlines(
            w,
            scope_name,
            period,
            by_facility,
            by_district,
            w.facility_names(facilities),
            w.district_names(registry),
        ),
        tiles=_tiles(store, w, period, previous, figures_scope, by_facility, before, facilities),
        trend=_trend(store, period, figures_scope),
        target=target,
        level=level,
        ranking=pd.concat(
            [
                pd.DataFrame(
                    {
                        "rank": [""],
                        "name": [w("scorecard.all_of", area=scope_name)],
                        "band": whole["band"].to_numpy(),
                        "band_text": [w(f"scorecard.band.{b}") for b in whole["band"]],
                        "trend": [ARROWS[t] for t in whole["trend"]],
                        "abha_share": [w.percent(s) for s in whole["abha_share"]],
                        "points": [w.points(None if pd.isna(p) else p) for p in whole["points"]],
                        "opd_registrations": [w.count(n) for n in whole["opd_registrations"]],
                    }
                ),
                ranking,
            ],
            ignore_index=True,
        ),
        more=more,
        freshness=w("app.data_as_of", day=w.day(as_of), refreshed=refreshed),
        source=w("export.source", scope=scope_name, day=w.day(as_of)),
        compared=w("brief.compared", previous=w.period(previous.start, previous.end)),
        alerts=alerts
        if alerts is not None
        else alerts_in_words(
            open_alerts(store, figures_scope),
            w,
            {int(k): v for k, v in w.district_names(registry).items()},
            dict(w.facility_names(facilities)),
        ),
    )
