"""The alerts the rules of ``metrics.alerts`` raised, kept in the analytics store.

An alert is one rule on one facility, district or the whole data (``scope_kind``,
``scope_code``): open from the first as-of day its condition held (``opened_on``) until
the first evaluation where it no longer holds (``closed_on``); ``last_seen_on`` and
``figures`` (JSON: the numbers that raised it) are those of the latest evaluation that
found it. The same condition raised again after it closed is a new alert.

The table is not one of the analytics tables (``data_access.store.STORE``): it is a
history of evaluations, not a function of the source, so a rebuild of the store keeps it
and the comparisons of two stores leave it out. It is made by the first evaluation, in
any store, an older one included; a store without it has no open alert.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from data_access import store as st
from data_access.queries import EVERYWHERE, Scope

ALERTS = sa.MetaData()
alerts = sa.Table(
    "alerts",
    ALERTS,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("scope_kind", sa.Text, nullable=False),
    sa.Column("scope_code", sa.Text, nullable=False),
    sa.Column("district_lgd", sa.Integer),
    sa.Column("opened_on", sa.Date, nullable=False),
    sa.Column("last_seen_on", sa.Date, nullable=False),
    sa.Column("closed_on", sa.Date),
    sa.Column("figures", sa.Text, nullable=False),
    sa.Index("ix_alerts_open", "closed_on", "district_lgd"),
)
EVALUATED_KEY = "alerts_evaluated_at"
"""The ``refresh_state`` key holding when alerts were last recorded (the pages' cache key)."""
OPEN_COLUMNS = [
    "id",
    "rule",
    "scope_kind",
    "scope_code",
    "district_lgd",
    "opened_on",
    "last_seen_on",
    "figures",
]


@dataclass(frozen=True)
class Evaluation:
    """What one evaluation did: as of which day, how many alerts it opened, kept open
    (their figures brought up to date) and closed."""

    as_of: date | None
    opened: int = 0
    kept: int = 0
    closed: int = 0


def ensure_alerts_table(engine: sa.Engine) -> None:
    ALERTS.create_all(engine, checkfirst=True)


def _json(figures: Any) -> str:
    return json.dumps(figures, sort_keys=True, ensure_ascii=False, allow_nan=False)


def _key(rule: object, kind: object, code: object) -> tuple[str, str, str]:
    return str(rule), str(kind), str(code)


def record_alerts(store: sa.Engine, found: pd.DataFrame, as_of: date) -> Evaluation:
    """Record the alerts ``found`` (columns rule, scope_kind, scope_code, district_lgd,
    figures) as of ``as_of``, in one transaction: each one not open yet is opened on
    ``as_of``; each one open already keeps its ``opened_on`` and gets ``as_of`` as its
    ``last_seen_on`` and the new figures; each open one not found is closed on ``as_of``."""
    ensure_alerts_table(store)
    t = alerts
    wanted = {
        _key(r["rule"], r["scope_kind"], r["scope_code"]): r for r in found.to_dict("records")
    }
    opened = kept = closed = 0
    with store.begin() as conn:
        open_now = {
            _key(rule, kind, code): alert_id
            for alert_id, rule, kind, code in conn.execute(
                sa.select(t.c.id, t.c.rule, t.c.scope_kind, t.c.scope_code).where(
                    t.c.closed_on.is_(None)
                )
            )
        }
        for key, alert_id in open_now.items():
            if key not in wanted:
                conn.execute(t.update().where(t.c.id == alert_id).values(closed_on=as_of))
                closed += 1
        for key, row in wanted.items():
            district = row["district_lgd"]
            values = {
                "district_lgd": None if district is None or pd.isna(district) else int(district),
                "last_seen_on": as_of,
                "figures": _json(row["figures"]),
            }
            if key in open_now:
                conn.execute(t.update().where(t.c.id == open_now[key]).values(**values))
                kept += 1
            else:
                rule, kind, code = key
                conn.execute(
                    t.insert().values(
                        rule=rule, scope_kind=kind, scope_code=code, opened_on=as_of, **values
                    )
                )
                opened += 1
        state = st.refresh_state
        if sa.inspect(conn).has_table(state.name):
            conn.execute(state.delete().where(state.c.key == EVALUATED_KEY))
            stamp = datetime.now().isoformat(timespec="microseconds")
            conn.execute(state.insert().values(key=EVALUATED_KEY, value=f"{as_of}|{stamp}"))
    return Evaluation(as_of=as_of, opened=opened, kept=kept, closed=closed)


def _visible(scope: Scope) -> list[sa.ColumnElement[bool]]:
    """Which alerts a scope sees: a facility's when the facility is in it (through the
    registry, under the ceiling), a district's when the district is (and, with facilities
    or types chosen, holds one of them), the whole data's only without any restriction."""
    t = alerts
    if scope.unrestricted:
        return []
    in_scope = scope.facility_ids()
    of_facility = sa.and_(t.c.scope_kind == "facility", t.c.scope_code.in_(in_scope))
    district = [t.c.scope_kind == "district", *scope.district_conditions(t.c.district_lgd)]
    if not scope.by_district_only:
        f = st.dim_facilities
        district.append(
            t.c.district_lgd.in_(
                sa.select(f.c.district_lgd).where(f.c.facility_id.in_(scope.facility_ids()))
            )
        )
    return [sa.or_(of_facility, sa.and_(*district))]


def open_alerts(store: sa.Engine, scope: Scope = EVERYWHERE) -> pd.DataFrame:
    """The open alerts the scope sees (its filters and its ceiling, in the SQL), newest
    first: columns :data:`OPEN_COLUMNS`, ``figures`` as a dict. None recorded yet (no
    table): no rows."""
    if not sa.inspect(store).has_table(alerts.name):
        return pd.DataFrame(columns=OPEN_COLUMNS)
    t = alerts
    stmt = (
        sa.select(*(t.c[name] for name in OPEN_COLUMNS))
        .where(t.c.closed_on.is_(None), *_visible(scope))
        .order_by(t.c.opened_on.desc(), t.c.id.desc())
    )
    with store.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=OPEN_COLUMNS)
    frame["figures"] = [json.loads(text) for text in frame["figures"]]
    frame["district_lgd"] = frame["district_lgd"].astype("Int64")
    return frame


def alert_history(store: sa.Engine) -> pd.DataFrame:
    """Every alert recorded, open and closed, oldest first (for the tests and the System
    page): the table's columns, ``figures`` as JSON text."""
    if not sa.inspect(store).has_table(alerts.name):
        return pd.DataFrame(columns=[c.name for c in alerts.c])
    with store.connect() as conn:
        rows = conn.execute(sa.select(alerts).order_by(alerts.c.id)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in alerts.c])


def evaluated_at(store: sa.Engine) -> str:
    """When alerts were last recorded ("" never): changes with every evaluation."""
    t = st.refresh_state
    if not sa.inspect(store).has_table(t.name):
        return ""
    with store.connect() as conn:
        value = conn.execute(sa.select(t.c.value).where(t.c.key == EVALUATED_KEY)).scalar()
    return value or ""
