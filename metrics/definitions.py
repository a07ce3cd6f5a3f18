"""Every figure the dashboard shows, defined once: its key and the column it comes from.

Its name and definition, in Hindi and English, are in the catalogue under the same key:
``figure.<key>`` and ``figure.<key>.definition`` for the figures, ``quality.<key>`` and
``quality.<key>.definition`` for the problems the counting rules find. The About page,
tooltips and export footnotes are generated from these entries, so the words and the
numbers cannot drift apart. The SQL behind each is in ``data_access/rules.py``;
``source`` names the column of the analytics tables.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    key: str
    source: str


FIGURES: tuple[Figure, ...] = (
    Figure("opd_registrations", "summary_registrations_daily.registrations"),
    Figure("abha_linked", "summary_registrations_daily.abha_linked"),
    Figure("abha_share", "abha_linked / registrations"),
    Figure("facilities_reporting", "summary_registrations_daily"),
    Figure("scan_share", "summary_registrations_detail.channel"),
    Figure("enrolments", "enrolments_daily.enrolments"),
)
"""Catalogue keys ``figure.<key>`` and ``figure.<key>.definition``."""

QUALITY_KINDS: tuple[Figure, ...] = (
    Figure("duplicate", "quality_excluded_rows"),
    Figure("unknown_facility", "quality_excluded_rows"),
    Figure("invalid_timestamp", "quality_excluded_rows"),
    Figure("before_go_live", "summary_registrations_daily.before_go_live"),
    Figure("malformed_abha", "summary_registrations_daily.malformed_abha"),
    Figure("nonstandard_channel", "summary_registrations_daily.nonstandard_channel"),
    Figure("nonstandard_visit_type", "summary_registrations_daily.nonstandard_visit_type"),
    Figure("nonstandard_gender", "summary_registrations_daily.nonstandard_gender"),
)
"""Catalogue keys ``quality.<key>`` and ``quality.<key>.definition``; the keys are the
``kind`` values of ``data_access.queries.data_quality``."""
