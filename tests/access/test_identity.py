"""Who signed in, as far as the token can be relied on: an e-mail counts only when the
provider vouches for it (issue 17, item 1), and a sign-in is one token (item 8)."""

from __future__ import annotations

import pytest

from access.audit import FirstSeen
from access.roles import email_is_verified, identify, parse_access
from data_access.errors import ConfigurationError

COLLECTOR = "collector.dantewada@cg.gov.in"
ENTRA = "https://login.microsoftonline.com/4f1c0b4e-8d2a-4c55-9a57-0b6f1e2d7c11/v2.0"
ACCESS = f"""
trust_emails_from = ["{ENTRA}"]

[[user]]
email = "{COLLECTOR}"
role = "collector"
districts = [416]

[[user]]
email = "ministry@cg.gov.in"
subject = "sub-ministry"
role = "ministry"
"""


@pytest.mark.parametrize(
    ("claims", "verified"),
    [
        ({"email_verified": True}, True),
        ({"email_verified": "true"}, True),  # Amazon Cognito sends it as text
        ({"email_verified": "True"}, True),
        ({}, False),  # Microsoft Entra ID, and many others: no claim at all
        ({"email_verified": False}, False),
        ({"email_verified": "false"}, False),
        ({"email_verified": 1}, False),
        ({"email_verified": None}, False),
    ],
)
def test_only_an_asserted_verification_counts(claims: dict, verified: bool) -> None:
    assert email_is_verified(claims) is verified


def test_an_email_without_email_verified_does_not_identify_the_user() -> None:
    """The impostor: a token with the collector's e-mail and no email_verified."""
    access = parse_access(ACCESS)
    impostor = access.identify(
        {"iss": "https://idp.example.org", "sub": "sub-impostor", "email": COLLECTOR}
    )
    assert impostor.email is None and impostor.unverified_email == COLLECTOR
    assert impostor.who == "sub-impostor"  # the audit log's user: not the collector
    assert access.grant_for(impostor.email, impostor.subject) is None


def test_a_verified_email_identifies_the_user() -> None:
    access = parse_access(ACCESS)
    collector = access.identify(
        {"sub": "sub-c", "email": f" {COLLECTOR.upper()} ", "email_verified": True}
    )
    grant = access.grant_for(collector.email, collector.subject)
    assert grant is not None and grant.districts == {416} and grant.role == "collector"
    assert collector.unverified_email is None


def test_a_trusted_provider_s_email_counts_without_the_claim() -> None:
    access = parse_access(ACCESS)
    assert access.trusted_issuers == {ENTRA}
    from_entra = access.identify({"iss": ENTRA, "sub": "x", "email": COLLECTOR})
    assert from_entra.email == COLLECTOR
    assert access.grant_for(from_entra.email, from_entra.subject).role == "collector"
    # the same e-mail from any other issuer (another tenant too) is not trusted
    other_tenant = ENTRA.replace("4f1c", "0000")
    for issuer in (other_tenant, ENTRA + "/", None):
        claims = {"sub": "x", "email": COLLECTOR} | ({"iss": issuer} if issuer else {})
        assert access.identify(claims).email is None, issuer
    # without the setting, nobody's e-mails are trusted without the claim
    assert identify({"iss": ENTRA, "sub": "x", "email": COLLECTOR}).email is None


def test_a_user_found_by_subject_is_logged_by_subject() -> None:
    """The entry names both: the one whose e-mail is not verified is still let in by the
    subject, and the grant says so (the audit log's ``who``)."""
    access = parse_access(ACCESS)
    user = access.identify({"sub": "sub-ministry", "email": "ministry@cg.gov.in"})
    grant = access.grant_for(user.email, user.subject)
    assert grant is not None and grant.role == "ministry" and grant.who == "sub-ministry"
    verified = access.identify(
        {"sub": "sub-ministry", "email": "ministry@cg.gov.in", "email_verified": True}
    )
    assert access.grant_for(verified.email, verified.subject).who == "ministry@cg.gov.in"


def test_a_sign_in_is_told_apart_by_its_token() -> None:
    first = identify({"iss": "https://idp", "sub": "s", "iat": 1_767_000_000})
    again = identify({"iss": "https://idp", "sub": "s", "iat": 1_767_000_000, "exp": 1})
    later = identify({"iss": "https://idp", "sub": "s", "iat": 1_767_003_600})
    assert first.sign_in == again.sign_in != later.sign_in
    assert identify({"sub": "s"}).sign_in is None  # no issue time: nothing to key on
    assert identify({"sub": "s", "iat": "yesterday"}).issued_at is None
    assert identify({"sub": "s", "iat": True}).issued_at is None


def test_first_seen_says_yes_once_per_key() -> None:
    seen = FirstSeen()
    assert seen.first(("sign_in", "https://idp", "s", 1.0))
    assert not seen.first(("sign_in", "https://idp", "s", 1.0))
    assert seen.first(("sign_in", "https://idp", "s", 2.0))
    assert seen.first(("refused", "https://idp", "s", 1.0))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("trust_emails_from = 'https://idp.example'", "must be a list of issuer URLs"),
        ("trust_emails_from = [1]", "must be a list of issuer URLs"),
        ("trust_emails_from = ['idp.example.org']", "'idp.example.org' is not a URL"),
        ("trust_emails_from = ['https:///v2.0']", "is not a URL"),
        ("trust_emails_from = [' https://idp.example']", "is not a URL"),
        (
            "[[user]]\nemail = 'a@b'\nrole = 'press'\ntrust_emails_from = ['https://idp']",
            "user 1: trust_emails_from belongs at the top, before the first [[user]]",
        ),
        ("trust_email_from = ['https://idp']", "did you mean trust_emails_from?"),
        ("[[user]]\nemial = 'a@b'\nrole = 'press'", "user 1 has no setting 'emial'; did you mean"),
        ("[[user]]\nemail = 'a@b'\nrole = 'press'\nverified = true", "no setting 'verified'"),
    ],
)
def test_mistakes_in_the_trust_setting_are_named(text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("[", r"\[")):
        parse_access(text)


def test_no_trust_setting_trusts_nobody() -> None:
    assert parse_access("[[user]]\nemail = 'a@b'\nrole = 'press'").trusted_issuers == set()
