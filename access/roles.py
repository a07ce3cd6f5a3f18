"""The access file: which verified e-mail or OIDC subject has which role and districts.

Format (TOML; path from ``[access] roles_file``)::

    [[user]]
    email = "collector.dantewada@cg.gov.in"   # or: subject = "…" (the provider's sub)
    role = "collector"
    districts = [416]                          # LGD codes; collectors only

Roles: ``ministry`` sees every district and every page but Data quality and System;
``collector`` sees the pages for their districts only; ``press`` sees the aggregates and
the Press kit (no Data quality); ``admin`` sees everything, Data quality and System too.
E-mails are compared case-insensitively. A user not in the file has no grant.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from data_access.errors import ConfigurationError

ROLES = ("ministry", "collector", "press", "admin")

_VIEWER_PAGES = frozenset(
    {"overview", "map", "trends", "comparison", "facility", "press_kit", "about"}
)
PAGES_OF_ROLE: Mapping[str, frozenset[str]] = {
    "ministry": _VIEWER_PAGES,
    "collector": _VIEWER_PAGES,
    "press": _VIEWER_PAGES,
    "admin": _VIEWER_PAGES | {"data_quality", "system"},
}
"""The pages (their file stems in views/) each role may open."""
DEMO_PAGES = PAGES_OF_ROLE["admin"]
"""Without sign-in configured (demo mode) every page is open."""


@dataclass(frozen=True)
class Grant:
    """What one user may see."""

    role: str
    districts: frozenset[int] | None
    """The LGD codes the user may see; None for every district."""
    who: str
    """The e-mail or subject the grant was found under (for the audit log)."""

    @property
    def pages(self) -> frozenset[str]:
        return PAGES_OF_ROLE[self.role]

    def may_open(self, page: str) -> bool:
        return page in self.pages


@dataclass(frozen=True)
class AccessFile:
    by_email: Mapping[str, Grant]
    by_subject: Mapping[str, Grant]

    def grant_for(self, email: str | None, subject: str | None) -> Grant | None:
        """The grant of a signed-in user, by verified e-mail first, then by subject."""
        if email and email.strip().casefold() in self.by_email:
            return self.by_email[email.strip().casefold()]
        if subject and subject in self.by_subject:
            return self.by_subject[subject]
        return None


def parse_access(text: str, origin: str = "the access file") -> AccessFile:
    """Read the access file's TOML; every entry checked, problems named with their entry."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{origin} is not valid TOML: {exc}") from None
    users = document.get("user", [])
    if not isinstance(users, list):
        raise ConfigurationError(f"{origin}: write each user as a [[user]] table")
    by_email: dict[str, Grant] = {}
    by_subject: dict[str, Grant] = {}
    for number, entry in enumerate(users, start=1):
        where = f"{origin}, user {number}"
        if not isinstance(entry, dict):
            raise ConfigurationError(f"{where}: not a table")
        email, subject = entry.get("email"), entry.get("subject")
        if not email and not subject:
            raise ConfigurationError(f"{where}: give an email or a subject")
        role = entry.get("role")
        if role not in ROLES:
            raise ConfigurationError(f"{where}: role {role!r} is not one of {', '.join(ROLES)}")
        districts = entry.get("districts")
        if role == "collector":
            if (
                not isinstance(districts, list)
                or not districts
                or not all(isinstance(d, int) and not isinstance(d, bool) for d in districts)
            ):
                raise ConfigurationError(
                    f"{where}: a collector needs districts = [LGD codes], e.g. [416]"
                )
            allowed: frozenset[int] | None = frozenset(districts)
        else:
            if districts is not None:
                raise ConfigurationError(
                    f"{where}: only a collector is limited to districts; role {role} sees all"
                )
            allowed = None
        for key, table, value in (
            ("email", by_email, str(email).strip().casefold() if email else None),
            ("subject", by_subject, str(subject) if subject else None),
        ):
            if value is None:
                continue
            if value in table:
                raise ConfigurationError(f"{where}: {key} {value} is listed twice")
            table[value] = Grant(role, allowed, str(email or subject))
    return AccessFile(by_email, by_subject)


def load_access(path: str | Path) -> AccessFile:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"the access file {file} does not exist") from None
    return parse_access(text, origin=str(file))
