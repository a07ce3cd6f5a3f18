from datetime import date

import pytest

from i18n import Words
from i18n.headlines import leader_headline, registration_headline

EN, HI = Words("en"), Words("hi")


def test_the_state_release_sentence_in_english() -> None:
    # 32,379 / 60,045 = 0.53925… -> 53.9%
    assert registration_headline(
        EN, "District Hospital Bastar", date(2025, 5, 1), date(2025, 7, 31), 60045, 32379
    ) == (
        "District Hospital Bastar: 60,045 OPD registrations in May–July 2025, "
        "32,379 (53.9%) ABHA-linked."
    )


def test_the_state_release_sentence_in_hindi() -> None:
    assert registration_headline(
        HI, "जिला चिकित्सालय बस्तर", date(2025, 5, 1), date(2025, 7, 31), 60045, 32379
    ) == (
        "जिला चिकित्सालय बस्तर में मई–जुलाई 2025 के दौरान 60,045 ओपीडी पंजीयन हुए, "
        "जिनमें से 32,379 (53.9%) आभा से लिंक थे।"
    )


@pytest.mark.parametrize(("words", "expected"), [(EN, "12,34,567"), (HI, "12,34,567")])
def test_indian_grouping_in_headlines(words: Words, expected: str) -> None:
    text = registration_headline(words, "X", date(2025, 4, 1), date(2026, 3, 31), 1234567, 0)
    assert expected in text
    assert "0 (0.0%)" in text


def test_a_whole_financial_year_reads_as_months() -> None:
    text = registration_headline(EN, "X", date(2025, 4, 1), date(2026, 3, 31), 10, 0)
    assert "in April 2025–March 2026" in text
    text = registration_headline(HI, "X", date(2025, 4, 1), date(2026, 3, 31), 10, 0)
    assert "अप्रैल 2025–मार्च 2026 के दौरान" in text


def test_no_share_without_registrations() -> None:
    assert "()" not in registration_headline(EN, "CHC X", date(2025, 5, 1), date(2025, 5, 1), 0, 0)
    assert "()" not in registration_headline(HI, "CHC X", date(2025, 5, 1), date(2025, 5, 1), 0, 0)


def test_leader_sentences() -> None:
    assert leader_headline(EN, "districts", "Bastar", 0.552, "Kanker") == (
        "Highest ABHA adoption among districts: Bastar, 55.2%, ahead of Kanker."
    )
    assert leader_headline(HI, "districts", "बस्तर", 0.552) == (
        "जिलों में सबसे अधिक आभा लिंकिंग दर: बस्तर, 55.2%।"
    )


def test_an_arbitrary_range_reads_from_to() -> None:
    text = registration_headline(EN, "CHC X", date(2026, 8, 3), date(2026, 10, 31), 10, 5)
    assert "10 OPD registrations from 03-08-2026 to 31-10-2026, 5 (50.0%)" in text
    text = registration_headline(HI, "CHC X", date(2026, 8, 3), date(2026, 10, 31), 10, 5)
    assert "CHC X में 03-08-2026 से 31-10-2026 तक 10 ओपीडी पंजीयन हुए" in text
