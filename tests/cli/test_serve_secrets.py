"""``[auth]`` in the file ``EHOSPITAL_SECRETS_FILE`` names reaches Streamlit (issue 17, item
6): ``serve`` hands that file to Streamlit as its secrets, and Streamlit reads sign-in from
it; a name Streamlit would not read is refused before anything starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from data_access.config import load_settings

pytestmark = pytest.mark.usefixtures("isolated_config")

AUTH = (
    "[auth]\n"
    'redirect_uri = "http://localhost:8501/oauth2callback"\n'
    'cookie_secret = "a-cookie-secret"\n'
    'client_id = "dashboard"\n'
    'client_secret = "secret"\n'
    'server_metadata_url = "https://sso.example.gov.in/.well-known/openid-configuration"\n'
)


def _serve(monkeypatch: pytest.MonkeyPatch, source_url: str, tmp_path: Path) -> list[list[str]]:
    started: list[list[str]] = []
    monkeypatch.setattr("os.execve", lambda path, args, env: started.append(args))
    monkeypatch.setattr("os.chdir", lambda path: None)
    monkeypatch.setenv("ANALYTICS_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    main(["serve", "--db", source_url, "--port", "8999"])
    return started


def test_the_settings_file_says_whether_it_holds_sign_in(tmp_path: Path) -> None:
    with_auth, without = tmp_path / "with.toml", tmp_path / "without.toml"
    with_auth.write_text(AUTH, encoding="utf-8")
    without.write_text("[access]\ncontact = 'x'\n", encoding="utf-8")
    assert load_settings(secrets_path=with_auth).auth_file == str(with_auth.resolve())
    assert load_settings(secrets_path=without).auth_file is None


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_serve_hands_the_file_with_auth_to_streamlit(
    worked_source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tmp_path / "dashboard.toml"
    settings.write_text(AUTH, encoding="utf-8")
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(settings))
    (args,) = _serve(monkeypatch, worked_source_url, tmp_path)
    at = args.index("--secrets.files")
    assert args[at + 1] == str(settings.resolve())


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_serve_leaves_streamlit_s_own_secrets_without_auth_in_the_file(
    worked_source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No [auth] in the file: Streamlit keeps reading its own .streamlit/secrets.toml (which
    may hold it); passing the file would take that sign-in away."""
    settings = tmp_path / "dashboard.toml"
    settings.write_text("[access]\ncontact = 'x'\n", encoding="utf-8")
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(settings))
    (args,) = _serve(monkeypatch, worked_source_url, tmp_path)
    assert "--secrets.files" not in args


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_file_streamlit_would_not_read_is_refused_before_starting(
    worked_source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    settings = tmp_path / "dashboard.conf"
    settings.write_text(AUTH, encoding="utf-8")
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(settings))
    started: list[list[str]] = []
    monkeypatch.setattr("os.execve", lambda path, args, env: started.append(args))
    assert main(["serve", "--db", worked_source_url]) == 2
    err = capsys.readouterr().err
    assert "dashboard.conf holds [auth]" in err and "ends in .toml" in err
    assert len(err.strip().splitlines()) == 1 and not started


def test_streamlit_reads_sign_in_from_the_file_it_is_given(tmp_path: Path) -> None:
    """The flag serve passes is Streamlit's own (``secrets.files``): with it, Streamlit's
    secrets hold the file's [auth]. In a child process: Streamlit's config is global."""
    settings = tmp_path / "dashboard.toml"
    settings.write_text(AUTH + "\n[access]\ncontact = 'x'\n", encoding="utf-8")
    probe = (
        "import sys\n"
        "from streamlit import config\n"
        "from streamlit.runtime.secrets import Secrets\n"
        "config.get_config_options(options_from_flags={'secrets.files': [sys.argv[1]]})\n"
        "print(Secrets()['auth']['client_id'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(settings)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "dashboard"
