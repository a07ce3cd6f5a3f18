"""``ehospital-dashboard brief``: the file asked for, and one line with exit status 2 for a
value it cannot use."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import DEMO_NOW, write_worked_example
from PIL import Image

from cli.main import main
from data_access.config import sqlite_url
from data_access.contract import source_metadata
from data_access.engines import source_engine, store_engine
from data_access.refresh import refresh

pytestmark = pytest.mark.usefixtures("isolated_config")


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    """The worked example (January 2025, districts 414, 416 and 649) on SQLite, its
    analytics store built (so that no refresh's progress comes before a message)."""
    import sqlalchemy as sa

    url = sqlite_url(tmp_path / "source.sqlite")
    engine = sa.create_engine(url)
    source_metadata(with_keys=False).create_all(engine)
    engine.dispose()
    write_worked_example(url)
    store = sqlite_url(tmp_path / "store.sqlite")
    refresh(source_engine(url), store_engine(store), now=DEMO_NOW)
    return ["--db", url, "--store", store]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_png_html_and_pdf(db: list[str], tmp_path: Path, capsys) -> None:
    png, html, pdf = tmp_path / "b.png", tmp_path / "b.html", tmp_path / "b.pdf"
    code, out, err = run(
        capsys, "brief", *db, "--district", "416", "--format", "png", "--out", str(png)
    )
    assert code == 0, err
    assert out.strip() == str(png)
    image = Image.open(io.BytesIO(png.read_bytes()))
    assert image.format == "PNG" and image.size[1] > image.size[0]
    args = ["--district", "Dakshin Bastar Dantewada", "--lang", "hi", "--from", "2025-01-01"]
    code, _, err = run(
        capsys, "brief", *db, *args, "--to", "2025-01-31", "--format", "html", "--out", str(html)
    )
    assert code == 0, err
    assert "दक्षिण बस्तर दंतेवाड़ा" in html.read_text(encoding="utf-8")
    code, _, err = run(capsys, "brief", *db, "--division", "Bastar", "--out", str(pdf))
    assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF")


def test_out_dash_writes_the_bytes_to_standard_output(db: list[str], capfdbinary) -> None:
    code = main(["brief", *db, "--format", "html", "--out", "-"])
    out, _ = capfdbinary.readouterr()
    assert code == 0
    assert out.startswith(b"<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--district", "999"], ["999", "known"]),
        (["--district", "Nowhere"], ["Nowhere"]),
        (["--division", "Raipur"], ["Raipur", "Bastar"]),
        (["--district", "416", "--division", "Bastar"], ["not both"]),
        (["--period", "yesterday"], ["--period", "yesterday"]),
        (["--period", "last-week", "--from", "2025-01-01", "--to", "2025-01-31"], ["not both"]),
        (["--from", "2025-01-01"], ["--from", "--to"]),
        (["--from", "01/01/2025", "--to", "2025-01-31"], ["not a date"]),
        (["--from", "2025-02-01", "--to", "2025-01-01"], ["swap"]),
        (["--format", "doc"], ["--format", "doc"]),
        (["--lang", "fr"], ["--lang"]),
    ],
)
def test_a_bad_value_is_one_line_and_exit_2(
    db: list[str], tmp_path: Path, capsys, args: list[str], needles: list[str]
) -> None:
    code, out, err = run(capsys, "brief", *db, *args, "--out", str(tmp_path / "b.pdf"))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0]
    assert not (tmp_path / "b.pdf").exists()


def test_out_is_required(db: list[str], capsys) -> None:
    code, _, err = run(capsys, "brief", *db, "--district", "416")
    assert code == 2 and "--out" in err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--send", "--district", "416"], "--send mails each subscriber"),
        (["--send", "--out", "b.pdf"], "--send mails each subscriber"),
        (["--every-day", "--out", "b.pdf"], "go with --send"),
        (["--send"], "[mail]"),  # no [mail] in this test's settings
    ],
)
def test_send_is_refused_in_one_line(db: list[str], capsys, args: list[str], needle: str) -> None:
    code, _, err = run(capsys, "brief", *db, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and needle in err, err


def test_send_needs_the_access_file(
    db: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    settings = tmp_path / "secrets.toml"
    settings.write_text('[mail]\nhost = "smtp.cg.gov.in"\nsender = "d@cg.gov.in"\n')
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(settings))
    code, _, err = run(capsys, "brief", *db, "--send")
    assert code == 2 and "roles_file" in err, err
