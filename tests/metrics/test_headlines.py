from datetime import date

from metrics.headlines import leader_headline, period_phrase, registration_headline


def test_the_state_release_sentence() -> None:
    # 32,379 / 60,045 = 0.53925… -> 53.9%
    assert registration_headline(
        "District Hospital Bastar", date(2025, 5, 1), date(2025, 7, 31), 60045, 32379
    ) == (
        "District Hospital Bastar: 60,045 OPD registrations in May–July 2025, "
        "32,379 (53.9%) ABHA-linked."
    )


def test_indian_grouping_in_headlines() -> None:
    text = registration_headline("Bastar division", date(2025, 4, 1), date(2026, 3, 31), 1234567, 0)
    assert "12,34,567 OPD registrations in April 2025–March 2026" in text
    assert "0 (0.0%)" in text


def test_period_phrases() -> None:
    assert period_phrase(date(2025, 5, 1), date(2025, 5, 31)) == "May 2025"
    assert period_phrase(date(2025, 5, 1), date(2025, 5, 7)) == "1–7 May 2025"
    assert period_phrase(date(2025, 5, 3), date(2025, 6, 2)) == "03-05-2025 to 02-06-2025"


def test_no_share_without_registrations() -> None:
    assert "()" not in registration_headline("CHC X", date(2025, 5, 1), date(2025, 5, 1), 0, 0)
    assert leader_headline("districts", "Bastar", 0.552, "Kanker").endswith("ahead of Kanker.")


def test_an_arbitrary_range_reads_from_to() -> None:
    text = registration_headline("CHC X", date(2026, 8, 3), date(2026, 10, 31), 10, 5)
    assert "10 OPD registrations from 03-08-2026 to 31-10-2026, 5 (50.0%)" in text
