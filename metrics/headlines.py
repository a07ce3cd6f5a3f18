"""Headline sentences generated from the figures, as a state release words them."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from babel.numbers import format_decimal

from metrics.adoption import adoption_rate

LOCALE = "en_IN"


def period_phrase(start: date, end: date) -> str:
    """'May–July 2025' for whole months, '1–7 May 2025' within a month, else DD-MM-YYYY."""
    whole_months = start.day == 1 and (end + timedelta(days=1)).day == 1
    if whole_months:
        first = calendar.month_name[start.month]
        last = calendar.month_name[end.month]
        if (start.year, start.month) == (end.year, end.month):
            return f"{first} {start.year}"
        if start.year == end.year:
            return f"{first}–{last} {end.year}"
        return f"{first} {start.year}–{last} {end.year}"
    if (start.year, start.month) == (end.year, end.month):
        if start == end:
            return f"{start.day} {calendar.month_name[start.month]} {start.year}"
        return f"{start.day}–{end.day} {calendar.month_name[end.month]} {end.year}"
    return f"{start:%d-%m-%Y} to {end:%d-%m-%Y}"


def registration_headline(
    subject: str, start: date, end: date, registrations: int, abha_linked: int
) -> str:
    """E.g. 'District Hospital Bastar: 60,045 OPD registrations in May–July 2025,
    32,379 (53.9%) ABHA-linked.'"""
    rate = adoption_rate(abha_linked, registrations)
    share = "" if rate is None else f" ({rate * 100:.1f}%)"
    phrase = period_phrase(start, end)
    preposition = "from" if " to " in phrase else "in"
    return (
        f"{subject}: {format_decimal(registrations, locale=LOCALE)} OPD registrations "
        f"{preposition} {phrase}, {format_decimal(abha_linked, locale=LOCALE)}{share} "
        "ABHA-linked."
    )


def leader_headline(kind: str, name: str, rate: float, runner_up: str | None = None) -> str:
    """E.g. 'Highest ABHA adoption among districts: Bastar, 55.2%.'"""
    text = f"Highest ABHA adoption among {kind}: {name}, {rate * 100:.1f}%"
    return text + (f", ahead of {runner_up}." if runner_up else ".")
