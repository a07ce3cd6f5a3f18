"""Where the data folder and the settings file are: EHOSPITAL_DATA_DIR, else data/ in the
checkout (run from anywhere), or in the working directory for an installed wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_access import config
from data_access.config import PROJECT_ROOT, load_settings


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The code as an installed wheel sees itself: in a site-packages folder without
    app.py; the working directory is another folder, which is returned."""
    site_packages = tmp_path / "site-packages"
    site_packages.mkdir()
    monkeypatch.setattr(config, "PROJECT_ROOT", site_packages)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def test_in_the_checkout_the_data_folder_is_the_checkouts_wherever_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(secrets_path=tmp_path / "none.toml", environ={})
    assert config.running_from_checkout()
    assert settings.data_dir == PROJECT_ROOT / "data"
    assert settings.demo_path == PROJECT_ROOT / "data" / "demo-registrations.sqlite"


def test_installed_the_data_folder_and_secrets_are_in_the_working_directory(
    installed: Path,
) -> None:
    (installed / ".streamlit").mkdir()
    (installed / ".streamlit" / "secrets.toml").write_text(
        '[dashboard]\nlookback_days = 3\n[access]\nroles_file = "access.toml"\n'
    )
    settings = load_settings(environ={})
    assert not config.running_from_checkout()
    assert settings.data_dir == installed / "data"
    assert settings.store_url == f"sqlite:///{installed / 'data' / 'analytics-demo.sqlite'}"
    assert settings.audit_target == str(installed / "data" / "audit.jsonl")
    assert settings.lookback_days == 3, "the working directory's .streamlit/secrets.toml"
    assert settings.roles_file == str(installed / "access.toml")
    assert not list(config.PROJECT_ROOT.iterdir()), "nothing beside the installed code"


@pytest.mark.parametrize("where", ["checkout", "installed"])
def test_ehospital_data_dir_wins(
    where: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if where == "installed":
        request.getfixturevalue("installed")
    env = {"EHOSPITAL_DATA_DIR": str(tmp_path / "elsewhere")}
    settings = load_settings(secrets_path=tmp_path / "none.toml", environ=env)
    assert settings.data_dir == tmp_path / "elsewhere"
    assert settings.demo_path.parent == tmp_path / "elsewhere"
