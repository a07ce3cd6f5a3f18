"""Headline sentences generated from the figures, worded as the state's own release.

English: 'District Hospital Bastar: 60,045 OPD registrations in May–July 2025, 32,379
(53.9%) ABHA-linked.' Hindi: 'जिला चिकित्सालय बस्तर में मई–जुलाई 2025 के दौरान 60,045
ओपीडी पंजीयन हुए, जिनमें से 32,379 (53.9%) आभा से लिंक थे।' The templates are in the
catalogue (``headline.*``); the share is computed from unrounded counts (rule 7).
"""

from __future__ import annotations

from datetime import date

from i18n.words import Words
from metrics.adoption import adoption_rate


def registration_headline(
    words: Words, subject: str, start: date, end: date, registrations: int, abha_linked: int
) -> str:
    rate = adoption_rate(abha_linked, registrations)
    share = "" if rate is None else words("headline.share", share=words.percent(rate))
    return words(
        "headline.registrations",
        subject=subject,
        period=words.period_phrase(start, end),
        registrations=words.count(registrations),
        linked=words.count(abha_linked),
        share=share,
    )


def leader_headline(
    words: Words, kind: str, name: str, rate: float, runner_up: str | None = None
) -> str:
    """'Highest ABHA adoption among districts: Bastar, 55.2%, ahead of Kondagaon.'

    ``kind``: ``districts`` or ``facilities``.
    """
    values = {"kind": words(f"headline.kind.{kind}"), "name": name, "rate": words.percent(rate)}
    if runner_up:
        return words("headline.leader_ahead", runner_up=runner_up, **values)
    return words("headline.leader", **values)
