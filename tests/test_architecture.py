"""The layering of pyproject.toml's import-linter contracts, ruff and mypy, run with the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from data_access.config import PROJECT_ROOT


def test_import_layers_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([lint_imports], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing_in_data_access_metrics_and_geo() -> None:
    # [tool.mypy] in pyproject.toml names the packages and the cache (.mypy_cache), so a
    # second run only re-reads what changed; an unused "type: ignore" is an error too.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "-p", "data_access", "-p", "metrics", "-p", "geo"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
