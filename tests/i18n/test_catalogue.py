"""The message catalogue: every key in both languages, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import i18n
from i18n import LANGUAGES, LOCALE_DIR, MissingMessage, Words, catalogue, text

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_every_key_is_in_both_languages() -> None:
    english, hindi = set(catalogue("en")), set(catalogue("hi"))
    assert english, "the English catalogue is empty"
    assert sorted(english - hindi) == [], "keys missing in Hindi"
    assert sorted(hindi - english) == [], "keys missing in English"


def test_both_languages_have_the_same_domains() -> None:
    def domains(lang: str) -> set[str]:
        return {p.name for p in (LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")}

    assert domains("en") == domains("hi")


@pytest.mark.parametrize("key", sorted(catalogue("en")))
def test_placeholders_agree(key: str) -> None:
    assert _fields(catalogue("en")[key]) == _fields(catalogue("hi")[key]), key


def test_hindi_is_in_devanagari_and_english_is_not() -> None:
    english_with_devanagari = [k for k, v in catalogue("en").items() if DEVANAGARI.search(v)]
    assert english_with_devanagari == []
    # Hindi messages are written in Devanagari, bar the few that are only figures or codes.
    latin_only = [
        k
        for k, v in catalogue("hi").items()
        if re.search("[A-Za-z]{4,}", PLACEHOLDER.sub("", v)) and not DEVANAGARI.search(v)
    ]
    assert latin_only == [], latin_only


def test_a_missing_key_is_an_error_not_a_blank() -> None:
    with pytest.raises(MissingMessage, match="no message 'no.such.key'"):
        text("hi", "no.such.key")
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        Words("fr")


def test_a_key_defined_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    for name in ("a.po", "b.po"):
        (folder / name).write_text('msgid "same.key"\nmsgstr "Same"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match="defined twice"):
            i18n.catalogue("en")
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_coded_value_has_words(lang: str) -> None:
    from data_access.rules import AGE_BAND_LABELS, CHANNELS, GENDERS, OTHER, UNKNOWN, VISIT_TYPES

    w = Words(lang)
    for group, codes in {
        "channel": (*CHANNELS, OTHER),
        "visit_type": (*VISIT_TYPES, OTHER),
        "gender": (*GENDERS, UNKNOWN),
        "age_band": AGE_BAND_LABELS,
        "facility_type": ("DH", "CH", "CHC"),
    }.items():
        for code in codes:
            assert w.label(group, code) != code, f"{group}.{code} has no words in {lang}"
    assert w.label("facility_type", "PHC") == "PHC"  # unknown codes are shown as they are
