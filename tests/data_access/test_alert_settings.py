"""``[alerts]``: defaults, values read, a misspelt key or a wrong value refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_access.config import AlertSettings, Settings, load_settings
from data_access.errors import ConfigurationError


def _settings_with(tmp_path: Path, text: str) -> Settings:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(text, encoding="utf-8")
    return load_settings(secrets_path=secrets, environ={"EHOSPITAL_DATA_DIR": str(tmp_path)})


def test_the_defaults(tmp_path: Path) -> None:
    alerts = _settings_with(tmp_path, "").alerts
    assert alerts == AlertSettings()
    assert (alerts.silent_days, alerts.recent_days, alerts.baseline_days) == (3, 7, 56)
    assert (alerts.below_usual_fraction, alerts.adoption_drop_points) == (0.5, 10.0)


def test_values_are_read(tmp_path: Path) -> None:
    alerts = _settings_with(
        tmp_path,
        "[alerts]\nsilent_days = 7\nbelow_usual_fraction = 0.4\nbaseline_weeks = 4\n"
        "adoption_drop_points = 5\nmin_registrations = 0\nquality_share_rise_points = 1.5\n",
    ).alerts
    assert alerts.silent_days == 7 and alerts.baseline_days == 28
    assert alerts.below_usual_fraction == 0.4 and alerts.adoption_drop_points == 5.0
    assert alerts.min_registrations == 0 and alerts.quality_share_rise_points == 1.5


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[alerts]\nsilent_day = 7\n", "no setting 'silent_day'; did you mean silent_days?"),
        ("[alerts]\nsilent_days = 0\n", "silent_days must be a whole number of days ≥ 1, not 0"),
        ("[alerts]\nsilent_days = 2.5\n", "silent_days must be a whole number"),
        ("[alerts]\nbelow_usual_fraction = 1.5\n", "below_usual_fraction must be a fraction"),
        ("[alerts]\nadoption_drop_points = 0\n", "adoption_drop_points must be a number of"),
        ("[alerts]\nadoption_drop_points = true\n", "not True"),
        ("[alerts]\ntrend_months = 1\n", "trend_months must be a whole number of months ≥ 2"),
        ("[alerts]\nmin_registrations = '100'\n", "min_registrations must be a whole number"),
    ],
)  # fmt: skip
def test_a_wrong_key_or_value_is_refused_by_name(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        _settings_with(tmp_path, text)
    assert needle in str(error.value)
