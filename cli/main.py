"""``ehospital-dashboard``: the command line.

Every figure the dashboard shows can be had here and checked. The commands read the
same configuration as the app (see :mod:`data_access.config`). A problem the user can act
on ends the command with one line on stderr and exit status 2, never a traceback.

The command line is the administrator's tool on the server: its queries read every
district (``EVERYWHERE``, no ceiling); sign-in and district scopes (issue 5) are the
dashboard's.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import click
import pandas as pd
import sqlalchemy as sa

from access.audit import IST, FileAuditLog, StoreAuditLog
from cli.alerts import after_refresh
from data_access import queries, source_profile
from data_access.alerts import Evaluation
from data_access.config import (
    PROJECT_ROOT,
    Settings,
    as_url,
    instance_dir,
    load_settings,
    running_from_checkout,
)
from data_access.contract import REQUIRED_TABLES, check_contract
from data_access.engines import describe, source_engine, store_engine
from data_access.errors import (
    BadFilter,
    ConfigurationError,
    DashboardError,
    DatabaseUnavailable,
)
from data_access.queries import EVERYWHERE
from data_access.refresh import RefreshReport, refresh, store_is_stale
from data_access.spark_refresh import PARTITIONINGS
from data_access.store import store_is_built
from i18n import LANGUAGES
from metrics.adoption import with_adoption_rate
from metrics.periods import data_window, within_data

PROG = "ehospital-dashboard"
BY_CHOICES = ("facility", "district", "facility_type", "channel", "month")
FORMATS = ("table", "csv", "json")


# --- shared plumbing ---------------------------------------------------------------------------
@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A progress callback drawing a bar on stderr (stdout stays clean for data)."""
    state: dict[str, object] = {}

    def update(done: int, total: int, item: str) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(
                length=total, label=label, file=sys.stderr, show_pos=True, width=30
            )
            bar.__enter__()
            state["bar"] = bar
            state["done"] = 0
        step = done - int(state["done"])  # type: ignore[arg-type]
        if step > 0:
            bar.update(step, current_item=item)  # type: ignore[attr-defined]
            state["done"] = done

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)  # type: ignore[attr-defined]


def _settings(db: str | None, store: str | None = None) -> Settings:
    return load_settings(db=db, store=store)


def _say(message: str) -> None:
    click.echo(message, err=True)


MAX_SHOWN = 80
"""The most characters of a typed value a message repeats (a --db of 5,000 is cut)."""


def shown(value: object) -> str:
    """A typed value as a message names it: cut to ``MAX_SHOWN`` characters, with control
    and invisible characters written as escapes (``repr``), so it stays one plain line."""
    text = str(value)
    cut = text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"
    return repr(cut)


def one_line(message: str, limit: int = 400) -> str:
    """A problem as the one line the command ends with: line breaks gone, cut to ``limit``."""
    flat = " ".join(message.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def ensure_store(settings: Settings, *, quiet: bool = False) -> sa.Engine:
    """The analytics store, refreshed first when it is missing or behind the source."""
    source = source_engine(settings.source_url)
    store = store_engine(settings.store_url)
    if store_is_stale(source, store):
        if not quiet:
            _say(f"Refreshing the analytics tables from {describe(source.url)} …")
        with progress_bar("refresh") as bar:
            refresh(
                source,
                store,
                lookback_days=settings.lookback_days,
                progress=bar,
                after_refresh=after_refresh(settings),
            )
    source.dispose()
    return store


def _print_frame(frame: pd.DataFrame, fmt: str) -> None:
    if fmt == "json":
        # Built by hand, not with DataFrame.to_json, which rounds floats to 10 digits:
        # shares are printed unrounded (counting rule 7).
        records = [
            {key: _json_value(value) for key, value in row.items()}
            for row in frame.to_dict(orient="records")
        ]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    else:
        click.echo(frame.to_string(index=False) if not frame.empty else "(no rows)")


def _json_value(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()  # type: ignore[attr-defined]
    return value


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilter(f"{option} {shown(value)} is not a date; write it as YYYY-MM-DD") from None


# --- commands ------------------------------------------------------------------------------------
@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ehospital-dashboard", prog_name=PROG)
def cli() -> None:
    """OPD registrations and ABHA adoption at e-Hospital facilities, from the command line."""


db_option = click.option(
    "--db",
    metavar="URL",
    help="Registration database: a SQLAlchemy URL or a SQLite file path "
    "(default: REGISTRATIONS_DB_URL, then .streamlit/secrets.toml, then the demo).",
)
store_option = click.option(
    "--store", metavar="URL", help="Analytics store URL (default: a SQLite file under data/)."
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
)


@cli.command()
@click.option(
    "--out",
    default=None,
    metavar="PATH|URL",
    help="Where to write it: a SQLite file (default data/demo-registrations.sqlite, "
    "for --region state data/demo-registrations-state.sqlite), "
    "or an empty database's URL (PostgreSQL) to load the demo into.",
)
@click.option(
    "--region",
    type=click.Choice(("bastar", "state")),
    default="bastar",
    show_default=True,
    help="Bastar division (7 districts, 49 facilities) or all of Chhattisgarh "
    "(33 districts in 5 divisions; Bastar's facilities as in the Bastar demo).",
)
@click.option("--seed", type=int, default=2025, show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def demo(out: str | None, region: str, seed: int, force: bool) -> None:
    """Write the calibrated demo registration database."""
    import tempfile

    from demo.generator import DEMO_FILE_NAMES, generate_demo
    from demo.load import copy_registration_database

    settings = _settings(None)
    if out and "://" in out and not out.startswith("sqlite"):
        target_url = as_url(out)
        probe = sa.create_engine(target_url)
        try:
            existing = set(sa.inspect(probe).get_table_names()) & set(REQUIRED_TABLES)
        except sa.exc.SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise DashboardError(f"cannot open {describe(target_url)}: {reason}") from None
        finally:
            probe.dispose()
        if existing:
            raise DashboardError(
                f"{describe(target_url)} already has {', '.join(sorted(existing))}; "
                "load the demo into an empty database"
            )
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=settings.data_dir) as tmp:
            staging = Path(tmp) / "demo.sqlite"
            with progress_bar("demo") as bar:
                summary = generate_demo(staging, seed=seed, progress=bar, region=region)
            with progress_bar("load") as bar:
                copy_registration_database(staging, target_url, progress=bar)
        _say(f"Loaded the demo into {describe(target_url)}: {summary.registration_rows:,} rows.")
        return
    default = settings.data_dir / DEMO_FILE_NAMES[region]
    target = Path(out).expanduser() if out else default
    if target.exists() and not force:
        raise DashboardError(f"{target} exists; pass --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    with progress_bar("demo") as bar:
        summary = generate_demo(target, seed=seed, force=force, progress=bar, region=region)
    _say(
        f"Wrote {target}: {summary.registration_rows:,} registration rows, "
        f"{summary.facilities} facilities, in {summary.seconds:.0f} s."
    )


@cli.command(name="refresh")
@db_option
@store_option
@click.option("--full", is_flag=True, help="Rebuild every analytics table from scratch.")
@click.option("--lookback-days", type=click.IntRange(min=0), default=None)
@click.option(
    "--check-every-day",
    is_flag=True,
    help="Compare every day's row count with the source now (by default done once a day; "
    "the refreshes in between check the recent days only).",
)
@click.option(
    "--engine",
    type=click.Choice(["sql", "spark"]),
    default="sql",
    show_default=True,
    help="Where the registrations are aggregated: in the source database (sql), or on "
    "Apache Spark, reading the source over JDBC (needs the [spark] extra; docs/scaling.md).",
)
@click.option(
    "--master",
    metavar="URL",
    default=None,
    help="Spark master for --engine spark: spark://host:7077, yarn, k8s://…; "
    "default local[2] (this machine).",
)
@click.option(
    "--partition-by",
    type=click.Choice(PARTITIONINGS),
    default="day",
    show_default=True,
    help="For --engine spark: read each window of the source in a partition per day, or "
    "per district's facilities (for a source partitioned by facility).",
)
def refresh_command(
    db: str | None,
    store: str | None,
    full: bool,
    lookback_days: int | None,
    check_every_day: bool,
    engine: str,
    master: str | None,
    partition_by: str,
) -> None:
    """Bring the analytics tables up to date (incremental unless --full)."""
    if engine != "spark" and (master or partition_by != "day"):
        raise click.UsageError("--master and --partition-by are for --engine spark")
    settings = _settings(db, store)
    source, store_db = source_engine(settings.source_url), store_engine(settings.store_url)
    lookback = settings.lookback_days if lookback_days is None else lookback_days
    with ExitStack() as stack:
        stack.callback(source.dispose)  # no session left open on the registration database
        aggregator = None
        if engine == "spark":
            from data_access.spark_refresh import SparkAggregator, spark_for_refresh

            _say(f"Starting Spark ({master or 'local[2]'}) …")
            spark = stack.enter_context(spark_for_refresh(master))
            aggregator = SparkAggregator(spark, source, partition_by)
        with progress_bar("refresh") as bar:
            report: RefreshReport = refresh(
                source,
                store_db,
                full=full,
                lookback_days=lookback,
                progress=bar,
                aggregator=aggregator,
                after_refresh=after_refresh(settings),
                **({"complete_check_hours": 0} if check_every_day else {}),
            )
    kind = "full" if report.full else "incremental"
    on = " on Spark" if engine == "spark" else ""
    _say(
        f"{kind} refresh{on} of {report.days} day(s): {report.registrations:,} registrations "
        f"counted, {report.excluded_rows:,} rows excluded, in {report.seconds:.1f} s "
        f"→ {describe(store_db.url)}"
    )
    if report.after_failed:  # the refresh stands; the alerts keep their last state
        _say(f"alerts not evaluated: {report.after_failed}")
    elif isinstance(report.after, Evaluation):
        open_now = report.after.opened + report.after.kept
        _say(
            f"alerts: {open_now:,} open ({report.after.opened:,} new), "
            f"{report.after.closed:,} closed"
        )


@cli.command()
@db_option
def check(db: str | None) -> None:
    """Check a database against the contract and summarise it."""
    settings = _settings(db)
    source = source_engine(settings.source_url)
    problems = check_contract(source)
    blocking = [p for p in problems if p.required]
    if blocking:
        click.echo(f"{describe(source.url)} does not follow the registration database contract:")
        for problem in blocking:
            click.echo(f"  - {problem}")
        click.echo("See docs/contract.md for the tables and columns the dashboard reads.")
        sys.exit(1)
    store = ensure_store(settings)
    state = queries.store_state(store)
    first, last = queries.data_span(store, EVERYWHERE)
    dq = queries.data_quality_counts(store, None, EVERYWHERE)
    totals = (
        queries.registration_counts(store, queries.Period(first, last), EVERYWHERE)
        if first
        else None
    )
    click.echo(f"Registration database: {describe(source.url)}")
    click.echo(f"  districts:      {len(queries.districts(store, EVERYWHERE))}")
    click.echo(f"  facilities:     {len(queries.facilities(store, EVERYWHERE))}")
    click.echo(f"  raw rows:       {int(state.get('source_rows', 0)):,}")
    if totals is not None:
        click.echo(f"  registrations:  {int(totals['opd_registrations'].iloc[0]):,} counted")
        click.echo(f"  ABHA-linked:    {int(totals['abha_linked'].iloc[0]):,}")
        click.echo(f"  date range:     {first:%d-%m-%Y} to {last:%d-%m-%Y}")
    for problem in problems:
        click.echo(f"  note: {problem}")
    click.echo("Data quality (rows):")
    for kind, rows in dq.itertuples(index=False):
        click.echo(f"  {kind:<24}{rows:>10,}")
    # The source itself: the indexes the refresh relies on (a missing one is a note, not a
    # failure) and the forms of registered_at (one grouped query, counts only).
    try:
        forms = source_profile.timestamp_forms(source)
        indexes = source_profile.recommended_indexes(source)
    finally:
        source.dispose()
    for line in source_profile.describe_indexes(indexes, rows=sum(f.rows for f in forms)):
        click.echo(line)
    for line in source_profile.describe_forms(forms):
        click.echo(line)


@cli.command()
@db_option
@store_option
@click.option("--from", "from_", metavar="YYYY-MM-DD", help="First day (default: first in data).")
@click.option("--to", "to", metavar="YYYY-MM-DD", help="Last day, included (default: last).")
@click.option("--district", "districts", multiple=True, type=int, metavar="LGD")
@click.option("--facility", "facilities", multiple=True, metavar="HFR_ID")
@click.option("--by", type=click.Choice(BY_CHOICES), default=None, help="Group the figures.")
@format_option
@click.option(
    "--source", "from_source", is_flag=True, help="Compute straight from the registration table."
)
def figures(
    db: str | None,
    store: str | None,
    from_: str | None,
    to: str | None,
    districts: Sequence[int],
    facilities: Sequence[str],
    by: str | None,
    fmt: str,
    from_source: bool,
) -> None:
    """OPD registrations, ABHA-linked and the ABHA share, per group."""
    settings = _settings(db, store)
    start, end = _parse_day(from_, "--from"), _parse_day(to, "--to")
    if start and end and start > end:
        raise BadFilter(f"--from {start} is after --to {end}; swap them")
    store_db = ensure_store(settings)
    scope = queries.Scope.of(districts, facilities)
    queries.check_scope(store_db, scope)
    first, last = queries.data_span(store_db, EVERYWHERE)
    period = queries.Period(start or first or date.today(), end or last or date.today())
    grain = "month" if by == "month" else None
    breakdown = [by] if by and by != "month" else []
    if from_source:
        source = source_engine(settings.source_url)
        try:
            frame = queries.source_registration_counts(source, period, scope, breakdown, grain)
        finally:
            source.dispose()
    else:
        frame = queries.registration_counts(store_db, period, scope, breakdown, grain)
    if grain:
        frame = frame.rename(columns={"period_start": "month"})
        frame["month"] = [d.strftime("%Y-%m") for d in frame["month"]]
    frame = with_adoption_rate(frame)
    if fmt == "table":
        frame = _readable(frame, store_db)
    _print_frame(frame, fmt)


def _readable(frame: pd.DataFrame, store: sa.Engine) -> pd.DataFrame:
    """Names beside codes, and the share as a percentage, for reading on a terminal."""
    out = frame.copy()
    if "facility_id" in out:
        names = queries.facilities(store, EVERYWHERE).set_index("facility_id")["name_en"]
        out.insert(1, "facility", out["facility_id"].map(names))
    if "district_lgd" in out:
        names = queries.districts(store, EVERYWHERE).set_index("lgd_code")["name_en"]
        out.insert(1, "district", out["district_lgd"].map(names))
    out["abha_share"] = out["abha_share"].map(lambda s: "–" if pd.isna(s) else f"{s:.1%}")
    return out


@cli.command(name="data-quality")
@db_option
@store_option
@click.option("--by-facility", is_flag=True, help="One row per facility and kind.")
@format_option
def data_quality(db: str | None, store: str | None, by_facility: bool, fmt: str) -> None:
    """Counts of each kind of problem in the counting rules."""
    settings = _settings(db, store)
    store_db = ensure_store(settings)
    frame = queries.data_quality_counts(store_db, None, EVERYWHERE, by_facility=by_facility)
    _print_frame(frame, fmt)


EXPORT_FORMATS = ("png", "svg", "csv", "xlsx", "txt")  # press.kit.FORMATS and the headlines


@cli.command()
@db_option
@store_option
@click.option("--list", "list_charts", is_flag=True, help="Print the chart names, one a line.")
@click.option("--chart", metavar="NAME", help="The ready-made figure (see --list).")
@click.option("--from", "from_", metavar="YYYY-MM-DD", help="First day (default: first in data).")
@click.option("--to", "to", metavar="YYYY-MM-DD", help="Last day, included (default: last).")
@click.option(
    "--district", "districts", multiple=True, metavar="LGD|NAME", help="Repeat for several."
)
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="png",
    show_default=True,
    help="png (2x, for print), svg, csv or xlsx of the data drawn, txt of the headlines.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=True, writable=True),
    default=".",
    show_default=True,
    help="The file to write, or a folder to write it in under its standard name.",
)
def export(
    db: str | None,
    store: str | None,
    list_charts: bool,
    chart: str | None,
    from_: str | None,
    to: str | None,
    districts: Sequence[str],
    lang: str,
    fmt: str,
    out: str,
) -> None:
    """Press-ready files of a ready-made figure, as the Press kit page makes them.

    E.g. `export --chart abha-adoption-by-district --from 2025-05-01 --to 2025-07-31
    --lang hi --format png --out releases/` writes
    releases/abha-adoption-by-district_bastar-division_2025-05-01_2025-07-31_hi.png.
    """
    from press import kit  # altair and the renderers load only for this command

    if list_charts:
        click.echo("\n".join(kit.chart_names()))
        return
    if chart is None:
        raise click.UsageError("name the figure with --chart (see --list)")
    if chart not in kit.chart_names():
        raise click.UsageError(f"no chart '{chart}'; choose from {', '.join(kit.chart_names())}")
    settings = _settings(db, store)
    start, end = _parse_day(from_, "--from"), _parse_day(to, "--to")
    if start and end and start > end:
        raise BadFilter(f"--from {start} is after --to {end}; swap them")
    store_db = ensure_store(settings, quiet=True)
    first, last = queries.data_span(store_db, EVERYWHERE)
    period = _period_in_data(start, end, first, last)
    lgd_codes = [_district_code(text, store_db) for text in districts]
    figure = kit.build(
        store_db, chart, period, lgd_codes, lang, boundary_file=settings.boundary_file
    )
    content = figure.headlines_text().encode("utf-8") if fmt == "txt" else figure.file(fmt)
    target = Path(out)
    try:
        if target.is_dir() or out.endswith(("/", os.sep)):
            target.mkdir(parents=True, exist_ok=True)
            target = target / figure.file_name(fmt)
        target.write_bytes(content)
    except OSError as exc:  # a name too long, a folder not there or not writable
        raise click.ClickException(
            f"cannot write --out {shown(out)}: {exc.strerror or exc}"
        ) from None
    click.echo(str(target))


BRIEF_FORMATS = ("pdf", "png", "html")


@cli.command()
@db_option
@store_option
@click.option(
    "--district", "districts", multiple=True, metavar="LGD|NAME", help="Repeat for several."
)
@click.option("--division", metavar="NAME", help="A division, as the registry names it.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True)
@click.option(
    "--period",
    type=click.Choice(("last-week", "this-month", "last-month")),
    default=None,
    help="Counted back from the data's last day (default: last-week, the last whole "
    "Monday-to-Sunday week); or give --from and --to.",
)
@click.option("--from", "from_", metavar="YYYY-MM-DD", help="First day (with --to).")
@click.option("--to", "to", metavar="YYYY-MM-DD", help="Last day, included (with --from).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(BRIEF_FORMATS),
    default="pdf",
    show_default=True,
    help="pdf (A4, to print or mail), png (the page for messaging apps), or html "
    "(one self-contained file that opens offline).",
)
@click.option("--out", metavar="FILE", help="The file to write, or - for standard output.")
@click.option(
    "--send",
    is_flag=True,
    help="Mail each subscriber of the access file whose day is today the brief of last week "
    "(their ceiling, their language), through [mail]; once a week.",
)
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    help="With --send: the day to send as (default: today in IST), e.g. to catch up.",
)
@click.option(
    "--every-day", is_flag=True, help="With --send: every subscriber, whatever their day."
)
def brief(
    db: str | None,
    store: str | None,
    districts: Sequence[str],
    division: str | None,
    lang: str,
    period: str | None,
    from_: str | None,
    to: str | None,
    fmt: str,
    out: str | None,
    send: bool,
    today: str | None,
    every_day: bool,
) -> None:
    """A one-page A4 brief of a district, a division or the state: headline sentences,
    the figures with their change, the adoption trend, the units ranked against the
    target, the open alerts, the data's freshness and the source.

    E.g. `brief --district 416 --lang hi --period last-week --format pdf --out brief.pdf`;
    `brief --send` mails the subscribers of the access file (README, "The weekly brief").
    """
    from press.brief import BriefScope, make_brief, named_period
    from press.brief_page import render_html, render_pdf, render_png

    if send:
        if districts or division or period or from_ or to or out:
            raise click.UsageError(
                "--send mails each subscriber their own brief: give no --district, "
                "--division, --period, --from/--to or --out"
            )
        _send_briefs(db, store, _parse_day(today, "--today"), every_day)
        return
    if today or every_day:
        raise click.UsageError("--today and --every-day go with --send")
    if out is None:
        raise click.UsageError("give --out FILE (or - for standard output), or --send")
    if districts and division:
        raise click.UsageError("give --district or --division, not both")
    if period and (from_ or to):
        raise click.UsageError("give --period or --from/--to, not both")
    if bool(from_) != bool(to):
        raise click.UsageError("give both --from and --to")
    start, end = _parse_day(from_, "--from"), _parse_day(to, "--to")
    if start and end and start > end:
        raise BadFilter(f"--from {start} is after --to {end}; swap them")
    if division is not None and not division.strip():
        raise click.UsageError("--division needs a name")
    settings = _settings(db, store)
    store_db = ensure_store(settings, quiet=True)
    first, last = queries.data_span(store_db, EVERYWHERE)
    if last is None:
        raise DashboardError("the analytics store holds no registrations yet: nothing to brief")
    codes = tuple(_district_code(text, store_db) for text in districts)
    if start and end:
        chosen = _period_in_data(start, end, first, last)
    else:
        chosen = named_period(period or "last-week", last)
    the_brief = make_brief(
        store_db,
        BriefScope(districts=codes, division=division),
        chosen,
        lang,
        target_percent=settings.adoption_target_percent,
        period_name=None if start else (period or "last-week"),
    )
    html = render_html(the_brief)
    if fmt == "html":
        content = html.encode("utf-8")
    else:
        pdf = render_pdf(html)
        content = pdf if fmt == "pdf" else render_png(pdf)
    if out == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    try:
        Path(out).write_bytes(content)
    except OSError as exc:
        raise click.ClickException(
            f"cannot write --out {shown(out)}: {exc.strerror or exc}"
        ) from None
    click.echo(out)


def _send_briefs(db: str | None, store: str | None, today: date | None, every_day: bool) -> None:
    from access.roles import load_access
    from cli.brief_mail import send_briefs

    settings = _settings(db, store)
    if settings.mail is None:
        raise ConfigurationError(
            "brief --send needs [mail] in the settings file (host, sender; README, "
            '"The weekly brief")'
        )
    if not settings.roles_file:
        raise ConfigurationError(
            "brief --send mails the [[subscription]]s of the access file: set [access] roles_file"
        )
    access = load_access(settings.roles_file)
    store_db = ensure_store(settings, quiet=True)
    day = today or datetime.now(IST).date()
    results = send_briefs(
        store_db,
        access,
        settings.mail,
        today=day,
        log=_audit_log(settings),
        target_percent=settings.adoption_target_percent,
        every_day=every_day,
    )
    for result in results:
        detail = f" ({shown(result.detail)})" if result.detail else ""
        click.echo(f"{result.subscription.email}: {result.status}{detail}")
    failed = [r for r in results if r.status == "failed"]
    if not results:
        click.echo(f"no subscriber's day is {day:%A %d-%m-%Y}")
    if failed:
        raise SystemExit(1)


def _audit_log(settings: Settings) -> FileAuditLog | StoreAuditLog:
    """The audit log ``[access] audit_log`` names, as the app writes it."""
    if settings.audit_target == "store":
        return StoreAuditLog(store_engine(settings.store_url))
    return FileAuditLog(settings.audit_target)


def _period_in_data(
    start: date | None, end: date | None, first: date | None, last: date | None
) -> queries.Period:
    """The period asked for (default: the data's), cut as the dashboard cuts a link's
    (``metrics.periods.within_data``): --to 9999-12-31 means "to the last day", and no
    later arithmetic on the period meets the calendar's ends. A period that holds no day
    the data could is refused."""
    if first is None or last is None:
        today = date.today()
        return queries.Period(start or today, end or today)
    asked = (start or first, end or last)
    cut = within_data(*asked, first, last)
    if cut is None:
        earliest, latest = data_window(first, last)
        raise BadFilter(
            f"--from {asked[0]} --to {asked[1]} holds no day of the data's years, "
            f"{earliest} to {latest}"
        )
    return queries.Period(*cut)


def _district_code(text: str, store: sa.Engine) -> int:
    """A district given by LGD code or by name (English or Hindi, any case)."""
    registry = queries.districts(store, EVERYWHERE)
    # ASCII digits, as many as a code can have: "²".isdigit() is true and int("²") fails,
    # and a number of 20 digits overflows SQLite's integers. Anything else is a name.
    if re.fullmatch(r"[0-9]{1,9}", text.strip(), re.ASCII):
        return int(text)
    wanted = text.strip().casefold()
    for row in registry.itertuples():
        if wanted in {str(row.name_en).casefold(), str(row.name_hi).casefold()}:
            return int(row.lgd_code)
    known = ", ".join(f"{row.name_en} ({row.lgd_code})" for row in registry.itertuples())
    raise BadFilter(f"no district {shown(text)}; known: {known}")


@cli.command()
@db_option
@store_option
@click.option(
    "--max-age-hours",
    type=click.FloatRange(min=0, min_open=True),
    default=24.0,
    show_default=True,
    help="A last refresh older than this is a WARNING.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of lines.")
def health(db: str | None, store: str | None, max_age_hours: float, as_json: bool) -> int:
    """For a service monitor: the store answers and is built, the last refresh is recent,
    the source answers. Exit status 0 OK, 1 WARNING, 2 CRITICAL (as Nagios plugins)."""
    from data_access.health import STATUS_NAMES, check_health, overall
    from data_access.refresh import ist_now

    checks = check_health(
        _settings(db, store), now=ist_now(), max_age=timedelta(hours=max_age_hours)
    )
    status = overall(checks)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "status": STATUS_NAMES[status],
                    "checks": [
                        {"name": c.name, "status": STATUS_NAMES[c.status], "message": c.message}
                        for c in checks
                    ],
                },
                ensure_ascii=False,
            )
        )
    else:
        worst = [c for c in checks if c.status == status]
        click.echo(f"EHOSPITAL DASHBOARD {STATUS_NAMES[status]} - {worst[0].message}")
        for check in checks:
            click.echo(check.line())
    return status


APP_PACKAGE = "ehospital_app"
"""The name under which the wheel ships app.py, views/ and .streamlit/config.toml (see
pyproject.toml): the checkout's files as they are, in a folder of site-packages."""


def app_script() -> Path:
    """The dashboard's app.py: the checkout's when the command runs from one, else the
    copy installed with the package."""
    if running_from_checkout():
        return PROJECT_ROOT / "app.py"
    try:
        spec = importlib.util.find_spec(f"{APP_PACKAGE}.app")
    except ModuleNotFoundError:
        spec = None
    if spec is None or spec.origin is None:
        raise DashboardError(
            f"the dashboard itself ({APP_PACKAGE}/app.py) is not installed beside the "
            "command; reinstall the ehospital-dashboard package"
        )
    return Path(spec.origin)


def streamlit_secrets_args(settings: Settings, environ: Mapping[str, str]) -> list[str]:
    """The flags that make Streamlit read sign-in (``[auth]``) from the settings file.

    Streamlit reads its secrets from its own files only (``.streamlit/secrets.toml`` of the
    folder it runs in), never from the one ``EHOSPITAL_SECRETS_FILE`` names: ``[auth]``
    there alone would leave sign-in off and the app open. So that file is passed as
    Streamlit's only secrets file, the one the dashboard's other settings come from too.
    Nothing is passed when it has no ``[auth]``: Streamlit's own files stay in force."""
    if settings.auth_file is None or not environ.get("EHOSPITAL_SECRETS_FILE"):
        return []
    if not settings.auth_file.endswith(".toml"):
        raise ConfigurationError(
            f"{settings.auth_file} holds [auth], but Streamlit reads sign-in only from a "
            "file whose name ends in .toml: rename it (and EHOSPITAL_SECRETS_FILE)"
        )
    return ["--secrets.files", settings.auth_file]


@cli.command()
@click.option("--port", type=int, default=8501, show_default=True)
@db_option
def serve(port: int, db: str | None) -> None:
    """Start the dashboard; creates the demo database and analytics tables on first use."""
    app = app_script()
    settings = _settings(db)
    secrets_args = streamlit_secrets_args(settings, os.environ)  # before the long steps
    if settings.uses_demo and not settings.demo_path.exists():
        from demo.generator import generate_demo

        _say(f"First run: creating the demo registration database at {settings.demo_path}")
        settings.demo_path.parent.mkdir(parents=True, exist_ok=True)
        with progress_bar("demo") as bar:
            generate_demo(settings.demo_path, progress=bar)
    try:
        ensure_store(settings)
    except DatabaseUnavailable as exc:
        # The pages read the store only: with a built store they can serve its figures
        # while the registration database is away (the next refresh catches up).
        store = store_engine(settings.store_url)
        if not store_is_built(store):
            raise
        refreshed = queries.store_state(store).get("refreshed_at", "?").replace("T", " ")
        _say(f"{exc}; serving the analytics tables as last refreshed at {refreshed} IST")
    env = dict(os.environ)
    if db:
        env["REGISTRATIONS_DB_URL"] = settings.source_url
    # The app runs in the settings' folder (below): paths given relative to here stay right.
    env["EHOSPITAL_DATA_DIR"] = str(settings.data_dir)
    if env.get("EHOSPITAL_SECRETS_FILE"):
        env["EHOSPITAL_SECRETS_FILE"] = str(Path(env["EHOSPITAL_SECRETS_FILE"]).resolve())
    # Streamlit reads .streamlit/config.toml beside app.py (in the checkout, or the copy the
    # wheel ships), and secrets.toml from the folder it runs in: the settings' own folder;
    # or, when EHOSPITAL_SECRETS_FILE holds [auth], that file (streamlit_secrets_args).
    args = [sys.executable, "-m", "streamlit", "run", str(app)]
    args += ["--server.port", str(port)]
    args += secrets_args
    _say(f"Dashboard on http://localhost:{port}  (Ctrl-C stops it)")
    sys.stdout.flush()
    os.chdir(instance_dir())
    os.execve(sys.executable, args, env)


@cli.command(name="proxy-fonts")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Where to write them, under DIR/static/media/ (default: proxy-static in the data "
    "folder): the root that deploy/nginx/ehospital-dashboard.conf gives nginx for them.",
)
def proxy_fonts(out: Path | None) -> None:
    """Cut Streamlit's fonts to what the pages draw, for nginx to serve in their place
    (about 0.4 MB less on every first visit); run again after every upgrade."""
    from cli.proxy_fonts import app_sources, cut_fonts, icons_named_in, streamlit_static

    target = out or _settings(None).data_dir / "proxy-static"
    app_icons = icons_named_in(app_sources(app_script().parent))
    _say("Cutting Streamlit's fonts (about 15 s) …")
    try:
        written = cut_fonts(streamlit_static(), target, app_icons)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {target}: {exc.strerror or exc}") from None
    for font in written:
        icons = f"  ({font.icons} icons)" if font.icons is not None else ""
        click.echo(
            f"{font.name:<42}{font.bytes_before / 1000:>5.0f} kB → "
            f"{font.bytes_after / 1000:>3.0f} kB{icons}"
        )
    _say(f"in {target / 'static' / 'media'}")


# --- entry point ---------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; problems end in one line on stderr and exit status 2."""
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None, prog_name=PROG, standalone_mode=False
        )
    except click.exceptions.Abort:
        _say(f"{PROG}: interrupted")
        return 130
    except click.exceptions.UsageError as exc:
        _say(one_line(f"{PROG}: {exc.format_message()} (see '{PROG} --help')"))
        return 2
    except click.exceptions.ClickException as exc:
        _say(one_line(f"{PROG}: {exc.format_message()}"))
        return 2
    except DashboardError as exc:
        _say(one_line(f"{PROG}: {exc}"))
        return 2
    except FileExistsError as exc:
        _say(one_line(f"{PROG}: {exc}"))
        return 2
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        _say(one_line(f"{PROG}: database error: {reason}"))
        return 2
    except OSError as exc:  # a path the system refuses: too long, not there, not allowed
        where = f" {shown(exc.filename)}" if exc.filename else ""
        _say(one_line(f"{PROG}: cannot use{where}: {exc.strerror or exc}"))
        return 2
    except KeyboardInterrupt:
        _say(f"{PROG}: interrupted")
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
