"""Configuration: secrets.toml, overridden by the environment, overridden by flags."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from data_access.config import Settings, load_settings, sqlite_url
from data_access.errors import ConfigurationError


def test_default_is_the_demo_file(tmp_path: Path) -> None:
    env = {"EHOSPITAL_DATA_DIR": str(tmp_path)}
    settings = load_settings(secrets_path=tmp_path / "none.toml", environ=env)
    assert settings.source_url == sqlite_url(tmp_path / "demo-registrations.sqlite")
    assert settings.uses_demo
    assert settings.store_url.startswith("sqlite:///") and "analytics" in settings.store_url


def test_precedence_secrets_then_environment_then_flag(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[connections.registrations]\nurl = "postgresql+psycopg://reader@replica/ehospital"\n'
        "[dashboard]\nlookback_days = 3\n"
    )
    env = {"EHOSPITAL_DATA_DIR": str(tmp_path)}
    from_secrets = load_settings(secrets_path=secrets, environ=env)
    assert from_secrets.source_url == "postgresql+psycopg://reader@replica/ehospital"
    assert from_secrets.lookback_days == 3
    assert not from_secrets.uses_demo

    env["REGISTRATIONS_DB_URL"] = "postgresql+psycopg://reader@other/ehospital"
    from_env = load_settings(secrets_path=secrets, environ=env)
    assert from_env.source_url == "postgresql+psycopg://reader@other/ehospital"
    assert from_env.store_url != from_secrets.store_url, "each source gets its own store"

    from_flag = load_settings(db=str(tmp_path / "x.sqlite"), secrets_path=secrets, environ=env)
    assert from_flag.source_url == sqlite_url(tmp_path / "x.sqlite")


def test_store_can_be_configured(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connections.analytics]\nurl = "postgresql+psycopg://dash@db/analytics"\n')
    settings = load_settings(secrets_path=secrets, environ={"EHOSPITAL_DATA_DIR": str(tmp_path)})
    assert settings.store_url == "postgresql+psycopg://dash@db/analytics"
    # a source given on the command line keeps the configured store
    assert settings.with_source("postgresql+psycopg://r@h/d").store_url == settings.store_url


@pytest.mark.parametrize(
    "content, needle",
    [
        ("[dashboard\nlookback_days = 3", "not valid TOML"),
        ("[dashboard]\nlookback_days = -1", "lookback_days"),
        ("[dashboard]\ndownload_lifetime_seconds = 0", "download_lifetime_seconds"),
        ('[dashboard]\ndownload_lifetime_seconds = "1m"', "download_lifetime_seconds"),
        ("[dashboard]\nadoption_target_percent = 0", "adoption_target_percent"),
        ("[dashboard]\nadoption_target_percent = 160", "adoption_target_percent"),
        ('[dashboard]\nadoption_target_percent = "60%"', "adoption_target_percent"),
        (
            '[connections.registrations]\nurl = "postgresql+psycopg://a@b:notaport/c"',
            "not a database URL",
        ),
    ],
)
def test_bad_configuration_is_named(tmp_path: Path, content: str, needle: str) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(content)
    with pytest.raises(ConfigurationError, match=needle):
        load_settings(secrets_path=secrets, environ={"EHOSPITAL_DATA_DIR": str(tmp_path)})


def test_download_lifetime_is_a_minute_unless_set(tmp_path: Path) -> None:
    env = {"EHOSPITAL_DATA_DIR": str(tmp_path)}
    default = load_settings(secrets_path=tmp_path / "none.toml", environ=env)
    assert default.download_lifetime_seconds == 60
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[dashboard]\ndownload_lifetime_seconds = 20\n")
    assert load_settings(secrets_path=secrets, environ=env).download_lifetime_seconds == 20


def test_the_adoption_target_is_60_percent_unless_set(tmp_path: Path) -> None:
    env = {"EHOSPITAL_DATA_DIR": str(tmp_path)}
    assert (
        load_settings(secrets_path=tmp_path / "none.toml", environ=env).adoption_target_percent
        == 60
    )
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[dashboard]\nadoption_target_percent = 52.5\n")
    assert load_settings(secrets_path=secrets, environ=env).adoption_target_percent == 52.5


def test_a_boundary_file_can_be_named(tmp_path: Path) -> None:
    boundaries = tmp_path / "districts.fgb"
    boundaries.write_bytes(b"")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[dashboard]\nboundary_file = "{boundaries}"\n')
    env = {"EHOSPITAL_DATA_DIR": str(tmp_path)}
    assert load_settings(secrets_path=secrets, environ=env).boundary_file == str(boundaries)
    secrets.write_text(f'[dashboard]\nboundary_file = "{tmp_path / "absent.fgb"}"\n')
    with pytest.raises(ConfigurationError, match="boundary_file"):
        load_settings(secrets_path=secrets, environ=env)


@pytest.mark.parametrize(
    ("text", "named", "nearest"),
    [
        ("[dashboard]\nlookback_day = 3\n", "'lookback_day'", "lookback_days"),
        ("[dashboard]\ndefault_lang = 'hi'\n", "'default_lang'", "default_language"),
        ("[access]\nrequire_logins = true\n", "'require_logins'", "require_login"),
        ("[dashboard]\ncolour = 'blue'\n", "'colour'", None),
    ],
)
def test_a_misspelt_setting_is_refused_by_name(
    tmp_path: Path, text: str, named: str, nearest: str | None
) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(text)
    with pytest.raises(ConfigurationError, match=named) as error:
        load_settings(secrets_path=secrets, environ={"EHOSPITAL_DATA_DIR": str(tmp_path)})
    if nearest:
        assert f"did you mean {nearest}?" in str(error.value)
    else:
        assert "did you mean" not in str(error.value)


def test_every_known_setting_is_in_the_readme() -> None:
    from data_access.config import KNOWN_KEYS, PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for section, keys in KNOWN_KEYS.items():
        for key in keys:
            assert key in readme, f"[{section}] {key} is not documented in the README"


# --- the Digital Health Incentive rule: dated periods -------------------------------------
def _settings_with(tmp_path: Path, text: str) -> Settings:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(text, encoding="utf-8")
    return load_settings(secrets_path=secrets, environ={"EHOSPITAL_DATA_DIR": str(tmp_path)})


def test_the_incentive_rule_is_the_public_one_by_default(tmp_path: Path) -> None:
    from data_access.config import PUBLIC_INCENTIVE_RULE, IncentivePeriod

    assert _settings_with(tmp_path, "[dashboard]\n").incentive == PUBLIC_INCENTIVE_RULE
    (public,) = PUBLIC_INCENTIVE_RULE
    assert public == IncentivePeriod(20.0, 100, date(2023, 4, 1), date(2025, 6, 30))


def test_incentive_periods_are_read_in_date_order(tmp_path: Path) -> None:
    from data_access.config import IncentivePeriod

    settings = _settings_with(
        tmp_path,
        "[[dashboard.incentive]]\n"
        "rupees_per_transaction = 25\nmonthly_base = 150\nvalid_from = 2025-09-01\n"
        "[[dashboard.incentive]]\n"
        "rupees_per_transaction = 20.0\nmonthly_base = 100\n"
        'valid_from = 2023-04-01\nvalid_until = "2025-06-30"\n',
    )
    assert settings.incentive == (
        IncentivePeriod(20.0, 100, date(2023, 4, 1), date(2025, 6, 30)),
        IncentivePeriod(25.0, 150, date(2025, 9, 1), None),
    )


def test_an_empty_list_of_periods_is_no_scheme(tmp_path: Path) -> None:
    assert _settings_with(tmp_path, "[dashboard]\nincentive = []\n").incentive == ()


PERIOD = "[[dashboard.incentive]]\nrupees_per_transaction = 20\nmonthly_base = 100\n"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (PERIOD + "valid_from = 2023-04-01\nvalid_until = 2023-03-31\n", "before valid_from"),
        (
            "[[dashboard.incentive]]\nrupees_per_transaction = -20\nmonthly_base = 100\n"
            "valid_from = 2023-04-01\n",
            "number 1 rupees_per_transaction must be a number of rupees ≥ 0, not -20",
        ),
        (
            "[[dashboard.incentive]]\nrupees_per_transaction = 20\nmonthly_base = -1\n"
            "valid_from = 2023-04-01\n",
            "monthly_base must be a whole number",
        ),
        (
            "[[dashboard.incentive]]\nrupees_per_transaction = 20\nmonthly_base = 99.5\n"
            "valid_from = 2023-04-01\n",
            "monthly_base must be a whole number",
        ),
        (
            "[[dashboard.incentive]]\nrupees_per_transaction = true\nmonthly_base = 100\n"
            "valid_from = 2023-04-01\n",
            "rupees_per_transaction must be a number",
        ),
        (PERIOD + 'valid_from = "2023-13-01"\n', "valid_from must be a day such as 2023-04-01"),
        (PERIOD + "valid_from = 2023-04-01T10:00:00\n", "valid_from must be a day"),
        (PERIOD + "valid_from = 2023-04-01\nvalid_until = 30\n", "valid_until must be a day"),
        (PERIOD, r"number 1 has no valid_from"),
        (
            PERIOD + "valid_from = 2023-04-01\nvalid_untill = 2025-06-30\n",
            "did you mean valid_until",
        ),
        ("[dashboard.incentive]\nrupees_per_transaction = 20\n", "must be a list of periods"),
        (
            PERIOD
            + "valid_from = 2023-04-01\nvalid_until = 2025-06-15\n"
            + PERIOD
            + "valid_from = 2025-06-16\n",
            r"2023-04-01 – 2025-06-15 and 2025-06-16 – open-ended both apply to June 2025",
        ),
        (
            PERIOD + "valid_from = 2023-04-01\n" + PERIOD + "valid_from = 2025-07-01\n",
            "overlap|both apply",
        ),
    ],
)
def test_a_bad_incentive_period_is_refused_by_name(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle) as error:
        _settings_with(tmp_path, text)
    assert "dashboard.incentive" in str(error.value) or "[dashboard] incentive" in str(error.value)


def test_every_key_of_an_incentive_period_is_in_the_readme() -> None:
    from data_access.config import INCENTIVE_KEYS, PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "[[dashboard.incentive]]" in readme
    for key in INCENTIVE_KEYS:
        assert key in readme, f"[[dashboard.incentive]] {key} is not documented in the README"
