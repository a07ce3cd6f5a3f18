"""Every figure the dashboard shows, defined once: its label and what it counts.

The About page, tooltips and (with the next issue) export footnotes are generated from
these entries, so the words and the numbers cannot drift apart. The SQL behind each is
in ``data_access/rules.py``; ``source`` names the column of the analytics tables.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    definition: str
    source: str


FIGURES: tuple[Figure, ...] = (
    Figure(
        "opd_registrations",
        "OPD registrations",
        "Outpatient registrations recorded by NextGen e-Hospital, each distinct registration "
        "number counted once, at a facility of the registry, with a valid timestamp.",
        "summary_registrations_daily.registrations",
    ),
    Figure(
        "abha_linked",
        "ABHA-linked",
        "OPD registrations whose ABHA number, with spaces and hyphens removed, is exactly 14 "
        "digits. Any other non-empty value is counted as not linked (and as malformed).",
        "summary_registrations_daily.abha_linked",
    ),
    Figure(
        "abha_share",
        "ABHA adoption",
        "ABHA-linked registrations divided by all OPD registrations, from unrounded counts; "
        "rounded only for display.",
        "abha_linked / registrations",
    ),
    Figure(
        "facilities_reporting",
        "Facilities reporting",
        "Facilities in scope with at least one OPD registration in the period.",
        "summary_registrations_daily",
    ),
    Figure(
        "scan_share",
        "Scan & Share tokens",
        "OPD registrations made through the ABHA Scan & Share QR token (channel "
        "'scan_share', compared trimmed and case-insensitively).",
        "summary_registrations_detail.channel",
    ),
    Figure(
        "enrolments",
        "ABHA enrolments",
        "ABHA numbers created at the facility's kiosk or desk (optional table abha_enrolments).",
        "enrolments_daily.enrolments",
    ),
)

QUALITY_KINDS: tuple[Figure, ...] = (
    Figure(
        "duplicate",
        "Duplicate rows",
        "Extra rows with a registration number already seen; the copy kept is the one with "
        "a valid timestamp, earliest first. Never in a figure.",
        "quality_excluded_rows",
    ),
    Figure(
        "unknown_facility",
        "Unknown facility",
        "Rows whose facility is missing or not in the facility registry. Never in a figure.",
        "quality_excluded_rows",
    ),
    Figure(
        "invalid_timestamp",
        "Invalid timestamp",
        "Rows whose registration time is missing, unreadable or in the future. Never in a figure.",
        "quality_excluded_rows",
    ),
    Figure(
        "before_go_live",
        "Before go-live",
        "Registrations dated before the facility's e-Hospital go-live. Counted, and flagged.",
        "summary_registrations_daily.before_go_live",
    ),
    Figure(
        "malformed_abha",
        "Malformed ABHA number",
        "A non-empty ABHA number that is not 14 digits once spaces and hyphens are removed. "
        "Counted as not linked.",
        "summary_registrations_daily.malformed_abha",
    ),
    Figure(
        "nonstandard_channel",
        "Unknown channel",
        "A channel other than counter, scan_share, abha_kiosk or online. Counted under 'other'.",
        "summary_registrations_daily.nonstandard_channel",
    ),
    Figure(
        "nonstandard_visit_type",
        "Unknown visit type",
        "A visit type other than new or follow_up. Counted under 'other'.",
        "summary_registrations_daily.nonstandard_visit_type",
    ),
    Figure(
        "nonstandard_gender",
        "Unknown gender value",
        "A gender other than M, F or O (a missing gender is allowed). Counted under 'unknown'.",
        "summary_registrations_daily.nonstandard_gender",
    ),
)


def label(key: str) -> str:
    for figure in (*FIGURES, *QUALITY_KINDS):
        if figure.key == key:
            return figure.label
    raise KeyError(key)
