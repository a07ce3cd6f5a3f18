"""The command line's arguments are anyone's to type (issue 17, item 4): a district in
digits that ``isdigit()`` accepts and ``int()`` refuses, an ``--out`` or ``--db`` longer
than the system allows, dates at and beyond the calendar's ends, control characters. Each
ends in one plain line on stderr and exit status 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cli.main import main

pytestmark = pytest.mark.usefixtures("isolated_config")
PROG = "ehospital-dashboard: "
CHART = ["export", "--chart", "abha-adoption-by-district", "--format", "csv"]


def _one_plain_line(capsys, args: list[str]) -> str:  # type: ignore[no-untyped-def]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 2, (code, err[-2000:])
    assert "Traceback" not in err
    # Progress bars may come first (the store is built on first use); the problem is the
    # last line, the only one that names the command.
    lines = err.strip().splitlines()
    assert [line for line in lines if line.startswith(PROG)] == lines[-1:], err[-2000:]
    assert len(lines[-1]) < 1000, "the line names a long value cut short"
    return lines[-1]


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize(
    "extra",
    [
        ["--district", "²"],
        ["--district", "①"],
        ["--district", "٣"],
        ["--district", "99999999999999999999999"],
        ["--from", "0001-01-01", "--to", "0001-12-31"],
        ["--from", "9999-12-31", "--to", "9999-12-31"],
        ["--from", "2025-01-01\x00"],
        ["--out", "x" * 300],
        ["--out", "/".join(["y" * 255] * 20)],
    ],
    ids=[
        "superscript",
        "circled",
        "arabic-indic",
        "huge",
        "calendar-ends",
        "9999",
        "nul",
        "out-300",
        "out-deep",
    ],
)
def test_export_arguments_end_in_one_line(
    worked_source_url: str,
    tmp_path: Path,
    capsys,
    extra: list[str],  # type: ignore[no-untyped-def]
) -> None:
    args = [*CHART, "--db", worked_source_url, "--from", "2025-01-01", "--to", "2025-01-31"]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        line = _one_plain_line(capsys, [*args, *extra])
    assert line.startswith(PROG)


@pytest.mark.parametrize("command", ["export", "refresh", "health"])
def test_a_db_path_of_5000_characters(capsys, command: str) -> None:  # type: ignore[no-untyped-def]
    args = [command, "--db", "d" * 5000]
    if command == "export":
        args += ["--chart", "opd-trend"]
    line = _one_plain_line(capsys, args) if command != "health" else None
    if command == "health":  # a monitor's check: CRITICAL (2), in its own format
        assert main(args) == 2
        assert "Traceback" not in capsys.readouterr().err
    else:
        assert line is not None and "d" * 500 not in line, "a long value is cut short"


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(district=st.text(st.characters(categories=["Nd", "No", "Nl", "Zs", "Cc", "Pd"]), min_size=1))
@example(district="²")
def test_any_district_argument(tmp_path: Path, capsys, district: str) -> None:  # type: ignore[no-untyped-def]
    """No registry is needed to refuse these: the refusal comes before any database."""
    code = main([*CHART, "--db", str(tmp_path / "none.sqlite"), "--district", district])
    _, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err, err
    assert [line for line in err.strip().splitlines() if line.startswith(PROG)] == [
        err.strip().splitlines()[-1]
    ], err


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_calendars_ends_mean_the_datas(  # type: ignore[no-untyped-def]
    worked_source_url: str, tmp_path: Path, capsys
) -> None:
    """--from 0001-01-01 --to 9999-12-31: the period is cut to the data's years."""
    code = main(
        [
            *CHART,
            "--db",
            worked_source_url,
            "--from",
            "0001-01-01",
            "--to",
            "9999-12-31",
            "--out",
            str(tmp_path) + "/",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert Path(out.strip()).name.endswith("_2024-04-01_2025-02-03_en.csv"), out
