"""Every figure and every data-quality kind is named and defined in both languages."""

from __future__ import annotations

import pytest

from data_access.rules import EXCLUDED_STATUSES, FLAG_COLUMNS
from i18n import LANGUAGES, catalogue
from metrics.definitions import FIGURES, QUALITY_KINDS

MESSAGES = [
    *(f"figure.{figure.key}{part}" for figure in FIGURES for part in ("", ".definition")),
    *(f"quality.{kind.key}{part}" for kind in QUALITY_KINDS for part in ("", ".definition")),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", MESSAGES)
def test_each_figure_has_a_name_and_a_definition(lang: str, key: str) -> None:
    assert catalogue(lang).get(key, "").strip(), f"{key} is missing in {lang}"


def test_the_quality_kinds_are_those_the_counting_rules_report() -> None:
    assert [kind.key for kind in QUALITY_KINDS] == [*EXCLUDED_STATUSES, *FLAG_COLUMNS]


def test_keys_are_unique() -> None:
    keys = [figure.key for figure in (*FIGURES, *QUALITY_KINDS)]
    assert len(keys) == len(set(keys))
