"""The access file: which verified e-mail or OIDC subject has which role and districts.

Format (TOML; path from ``[access] roles_file``)::

    # optional, before the first [[user]]: providers whose e-mails count without
    # email_verified, named by their issuer (the token's "iss")
    trust_emails_from = ["https://login.microsoftonline.com/<tenant-id>/v2.0"]

    [[user]]
    email = "collector.dantewada@cg.gov.in"   # or: subject = "…" (the provider's sub)
    role = "collector"
    districts = [416]                          # LGD codes; collectors only

    [[user]]
    email = "commissioner.bastar@cg.gov.in"
    role = "commissioner"
    divisions = ["Bastar"]                     # as districts.division writes them

    [[subscription]]                           # the weekly brief (brief --send)
    email = "collector.dantewada@cg.gov.in"    # a [[user]] above: the brief is of their
    lang = "hi"                                # ceiling (or the district/division given
    day = "monday"                             # here, inside it); en or hi; the weekday

Roles: ``ministry`` sees every district and every page but Data quality and System;
``commissioner`` (a divisional commissioner) the same pages for the districts of their
divisions, found in the registry at sign-in (:meth:`Grant.within`);
``collector`` sees the pages for their districts only; ``press`` sees the aggregates and
the Press kit (no Alerts, no Data quality: an alert is for those who act on it);
``admin`` sees everything, Data quality and System too.
E-mails are compared case-insensitively. A user not in the file has no grant.

An e-mail identifies a user only when it can be relied on: the provider says it verified
it (``email_verified: true``), or the file trusts that provider's e-mails. Many providers
let a user type any e-mail into their profile and send it without ``email_verified``
(Microsoft Entra ID never sends the claim), so an e-mail nobody vouches for would let
anyone who writes a collector's address into their profile sign in as the collector.
Such a user is known by their subject alone, in the grant and in the audit log.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from data_access.errors import ConfigurationError

ROLES = ("ministry", "commissioner", "collector", "press", "admin")

_VIEWER_PAGES = frozenset(
    {
        "overview",
        "map",
        "trends",
        "comparison",
        "rollout",
        "scorecard",
        "facility",
        "press_kit",
        "about",
    }
)
PAGES_OF_ROLE: Mapping[str, frozenset[str]] = {
    "ministry": _VIEWER_PAGES | {"alerts"},
    "commissioner": _VIEWER_PAGES | {"alerts"},
    "collector": _VIEWER_PAGES | {"alerts"},
    "press": _VIEWER_PAGES,
    "admin": _VIEWER_PAGES | {"alerts", "data_quality", "system"},
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
    divisions: frozenset[str] | None = None
    """A commissioner's divisions, as ``districts.division`` names them (compared trimmed
    and case-insensitively); None for every other role. Until :meth:`within` has found
    their districts, ``districts`` is empty: a commissioner sees nothing rather than all."""

    def within(self, districts_by_division: Mapping[str, Iterable[int]]) -> Grant:
        """This grant with a commissioner's districts found in the registry (division name →
        LGD codes); other grants as they are. A division the registry does not name adds
        no district."""
        if self.divisions is None:
            return self
        wanted = {name.strip().casefold() for name in self.divisions}
        found = frozenset(
            int(code)
            for division, codes in districts_by_division.items()
            if str(division).strip().casefold() in wanted
            for code in codes
        )
        return replace(self, districts=found)

    @property
    def pages(self) -> frozenset[str]:
        return PAGES_OF_ROLE[self.role]

    def may_open(self, page: str) -> bool:
        return page in self.pages


@dataclass(frozen=True)
class Identity:
    """Who signed in, as far as the dashboard may rely on the identity token."""

    subject: str | None
    """The provider's ``sub``: unique and never reassigned, always relied on."""
    email: str | None
    """The e-mail, only when it can be relied on (verified, or its provider trusted)."""
    unverified_email: str | None = None
    """An e-mail the token names but nobody vouches for: shown and logged, never matched."""
    issuer: str | None = None
    issued_at: float | None = None
    """The token's ``iat``: a new sign-in is a new token (Streamlit keeps the token's
    claims in its auth cookie, so every page load of one sign-in has the same)."""

    @property
    def who(self) -> str:
        """The name for the audit log and the screen: the trusted e-mail, else the subject."""
        return self.email or self.subject or "?"

    @property
    def sign_in(self) -> tuple[str, str, float] | None:
        """What tells one sign-in from another (issuer, subject, issue time); None when the
        token says no issue time."""
        if self.subject is None or self.issued_at is None:
            return None
        return (self.issuer or "", self.subject, self.issued_at)


def email_is_verified(claims: Mapping[str, object]) -> bool:
    """Whether the provider asserts the e-mail verified. The claim is a boolean in OpenID
    Connect; the text "true" is accepted too, as some providers (Amazon Cognito) send it."""
    verified = claims.get("email_verified")
    return verified is True or (isinstance(verified, str) and verified.lower() == "true")


def identify(claims: Mapping[str, object], trusted_issuers: Iterable[str] = ()) -> Identity:
    """The identity in a token's claims (``st.user``): the e-mail counts only when the
    provider says it verified it, or when its issuer is one whose e-mails are trusted."""
    subject = claims.get("sub")
    email = claims.get("email")
    issuer = claims.get("iss")
    issued_at = claims.get("iat")
    email_text = str(email).strip() if email else None
    trusted = email_is_verified(claims) or (
        isinstance(issuer, str) and issuer in frozenset(trusted_issuers)
    )
    return Identity(
        subject=str(subject) if subject else None,
        email=email_text if trusted else None,
        unverified_email=None if trusted else email_text,
        issuer=str(issuer) if issuer else None,
        issued_at=(
            float(issued_at)
            if isinstance(issued_at, int | float) and not isinstance(issued_at, bool)
            else None
        ),
    )


@dataclass(frozen=True)
class Subscription:
    """One ``[[subscription]]``: who is mailed the weekly brief, of what, in which
    language, on which weekday. ``email`` is the address and the ``[[user]]`` whose ceiling
    the brief stays under; ``district`` or ``division`` narrows it (inside the ceiling)."""

    email: str
    lang: str = "en"
    day: str = "monday"
    district: int | None = None
    division: str | None = None

    @property
    def weekday(self) -> int:
        return WEEKDAYS.index(self.day)


@dataclass(frozen=True)
class AccessFile:
    by_email: Mapping[str, Grant]
    by_subject: Mapping[str, Grant]
    trusted_issuers: frozenset[str] = frozenset()
    """``trust_emails_from``: issuers whose e-mails count without ``email_verified``."""
    subscriptions: tuple[Subscription, ...] = ()
    """``[[subscription]]``: the weekly brief's subscribers, in the file's order."""

    def identify(self, claims: Mapping[str, object]) -> Identity:
        return identify(claims, self.trusted_issuers)

    def grant_for(self, email: str | None, subject: str | None) -> Grant | None:
        """The grant of a signed-in user, by verified e-mail first, then by subject; its
        ``who`` is what matched (a user found by subject is logged by subject).

        ``email`` must be one that can be relied on (``Identity.email``), never the
        token's e-mail as sent."""
        if email and email.strip().casefold() in self.by_email:
            return replace(self.by_email[email.strip().casefold()], who=email.strip())
        if subject and subject in self.by_subject:
            return replace(self.by_subject[subject], who=subject)
        return None


FILE_KEYS = ("trust_emails_from", "user", "subscription")
SUBSCRIPTION_KEYS = ("email", "lang", "day", "district", "division")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
USER_KEYS = ("email", "subject", "role", "districts", "divisions")


def _refuse_unknown(where: str, keys: Iterable[str], known: tuple[str, ...]) -> None:
    """A misspelt key is named, not ignored: ignoring it would change who gets in."""
    for key in keys:
        if key not in known:
            nearest = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {nearest[0]}?" if nearest else ""
            raise ConfigurationError(f"{where} has no setting {key!r}{hint}")


def _trusted_issuers(value: object, origin: str) -> frozenset[str]:
    """``trust_emails_from``: a list of issuer URLs, exactly as the tokens' ``iss``."""
    wrong = (
        f"{origin}: trust_emails_from must be a list of issuer URLs, exactly as the "
        'provider\'s tokens name it in "iss", e.g. '
        '["https://login.microsoftonline.com/<tenant-id>/v2.0"]'
    )
    if not isinstance(value, list):
        raise ConfigurationError(wrong)
    for issuer in value:
        if not isinstance(issuer, str):
            raise ConfigurationError(f"{wrong}; not {issuer!r}")
        parts = urlsplit(issuer)
        if parts.scheme not in ("https", "http") or not parts.netloc or issuer != issuer.strip():
            raise ConfigurationError(f"{wrong}; {issuer!r} is not a URL")
    return frozenset(value)


def parse_access(text: str, origin: str = "the access file") -> AccessFile:
    """Read the access file's TOML; every entry checked, problems named with their entry."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{origin} is not valid TOML: {exc}") from None
    _refuse_unknown(origin, document, FILE_KEYS)
    trusted = _trusted_issuers(document.get("trust_emails_from", []), origin)
    users = document.get("user", [])
    if not isinstance(users, list):
        raise ConfigurationError(f"{origin}: write each user as a [[user]] table")
    by_email: dict[str, Grant] = {}
    by_subject: dict[str, Grant] = {}
    for number, entry in enumerate(users, start=1):
        where = f"{origin}, user {number}"
        if not isinstance(entry, dict):
            raise ConfigurationError(f"{where}: not a table")
        if "trust_emails_from" in entry:  # TOML puts a key after [[user]] into that user
            raise ConfigurationError(
                f"{where}: trust_emails_from belongs at the top, before the first [[user]]"
            )
        _refuse_unknown(where, entry, USER_KEYS)
        email, subject = entry.get("email"), entry.get("subject")
        if not email and not subject:
            raise ConfigurationError(f"{where}: give an email or a subject")
        role = entry.get("role")
        if role not in ROLES:
            raise ConfigurationError(f"{where}: role {role!r} is not one of {', '.join(ROLES)}")
        districts, divisions = entry.get("districts"), entry.get("divisions")
        if divisions is not None and role != "commissioner":
            raise ConfigurationError(
                f"{where}: only a commissioner is limited to divisions; role {role} "
                + ("is limited by districts" if role == "collector" else "sees all")
            )
        named: frozenset[str] | None = None
        if role == "commissioner":
            if (
                not isinstance(divisions, list)
                or not divisions
                or not all(isinstance(d, str) and d.strip() for d in divisions)
            ):
                raise ConfigurationError(
                    f'{where}: a commissioner needs divisions = [names], e.g. ["Bastar"]'
                )
            if districts is not None:
                raise ConfigurationError(
                    f"{where}: a commissioner is limited by divisions, not districts"
                )
            named = frozenset(d.strip() for d in divisions)
            allowed: frozenset[int] | None = frozenset()  # found at sign-in (Grant.within)
        elif role == "collector":
            if (
                not isinstance(districts, list)
                or not districts
                or not all(isinstance(d, int) and not isinstance(d, bool) for d in districts)
            ):
                raise ConfigurationError(
                    f"{where}: a collector needs districts = [LGD codes], e.g. [416]"
                )
            allowed = frozenset(districts)
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
            table[value] = Grant(role, allowed, str(email or subject), named)
    subscriptions = _subscriptions(document.get("subscription", []), by_email, origin)
    return AccessFile(by_email, by_subject, trusted, subscriptions)


def _subscriptions(
    entries: object, by_email: Mapping[str, Grant], origin: str
) -> tuple[Subscription, ...]:
    """``[[subscription]]`` tables, each checked against the users of the file."""
    if not isinstance(entries, list):
        raise ConfigurationError(f"{origin}: write each subscription as a [[subscription]] table")
    found: list[Subscription] = []
    seen: set[tuple[str, str, int | None, str | None]] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{origin}, subscription {number}"
        if not isinstance(entry, dict):
            raise ConfigurationError(f"{where}: not a table")
        _refuse_unknown(where, entry, SUBSCRIPTION_KEYS)
        email = entry.get("email")
        if not isinstance(email, str) or email.strip().casefold() not in by_email:
            raise ConfigurationError(
                f"{where}: email must be the e-mail of a [[user]] of this file (the brief "
                f"stays within that user's districts), not {email!r}"
            )
        grant = by_email[email.strip().casefold()]
        lang = entry.get("lang", "en")
        if lang not in ("en", "hi"):
            raise ConfigurationError(f"{where}: lang must be en or hi, not {lang!r}")
        day = entry.get("day", "monday")
        if not isinstance(day, str) or day.strip().casefold() not in WEEKDAYS:
            raise ConfigurationError(
                f"{where}: day must be a weekday ({', '.join(WEEKDAYS)}), not {day!r}"
            )
        district, division = entry.get("district"), entry.get("division")
        if district is not None and division is not None:
            raise ConfigurationError(f"{where}: give a district or a division, not both")
        if district is not None:
            if isinstance(district, bool) or not isinstance(district, int):
                raise ConfigurationError(f"{where}: district must be an LGD code, e.g. 416")
            if grant.role == "collector" and district not in (grant.districts or ()):
                raise ConfigurationError(
                    f"{where}: district {district} is outside the districts of {email.strip()}"
                )
        if division is not None:
            if not isinstance(division, str) or not division.strip():
                raise ConfigurationError(f'{where}: division must be a name, e.g. "Bastar"')
            division = division.strip()
            if grant.role == "collector":
                raise ConfigurationError(
                    f"{where}: a collector's brief is of their districts, not a division"
                )
            if grant.divisions is not None and division.casefold() not in {
                d.casefold() for d in grant.divisions
            }:
                raise ConfigurationError(
                    f"{where}: division {division} is not one of {email.strip()}'s divisions"
                )
        key = (email.strip().casefold(), lang, district, division)
        if key in seen:
            raise ConfigurationError(f"{where}: the same brief is subscribed twice")
        seen.add(key)
        found.append(Subscription(email.strip(), lang, day.strip().casefold(), district, division))
    return tuple(found)


def load_access(path: str | Path) -> AccessFile:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"the access file {file} does not exist") from None
    return parse_access(text, origin=str(file))
