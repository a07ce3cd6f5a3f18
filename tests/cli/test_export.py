"""``ehospital-dashboard export``: the Press kit's files from the command line."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import WORKED_JANUARY
from PIL import Image

from cli.main import main
from data_access.config import load_settings
from data_access.engines import store_engine
from data_access.queries import Period, Scope, registration_counts
from i18n import Words
from press import kit
from press.files import COUNT_FORMAT, PERCENT_FORMAT

pytestmark = pytest.mark.usefixtures("isolated_config")

JANUARY = ["--from", "2025-01-01", "--to", "2025-01-31"]
JANUARY_PERIOD = Period(date(2025, 1, 1), date(2025, 1, 31))


def export(capsys, url: str, *args: str) -> tuple[int, str, str]:
    code = main(["export", "--db", url, *args])
    out, err = capsys.readouterr()
    return code, out.strip(), err


def test_list_prints_the_chart_names_one_a_line(capsys) -> None:
    assert main(["export", "--list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == list(kit.chart_names())
    assert "abha-adoption-by-district" in out.splitlines()


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_csv_is_the_figures_of_data_access(
    worked_source_url: str, tmp_path: Path, capsys
) -> None:
    code, out, err = export(
        capsys,
        worked_source_url,
        "--chart",
        "abha-adoption-by-district",
        *JANUARY,
        "--lang",
        "hi",
        "--format",
        "csv",
        "--out",
        str(tmp_path) + "/",
    )
    assert code == 0, err
    written = Path(out)
    assert written.name == "abha-adoption-by-district_bastar-division_2025-01-01_2025-01-31_hi.csv"
    table = pd.read_csv(written, encoding="utf-8-sig")
    w = Words("hi")
    assert list(table.columns) == [
        w("common.district"),
        w("figure.opd_registrations"),
        w("figure.abha_linked"),
        w("export.percent_column", name=w("figure.abha_share")),
    ]
    store = store_engine(load_settings(db=worked_source_url).store_url)
    expected = registration_counts(store, JANUARY_PERIOD, Scope(), by=["district"])
    names = {414: "बस्तर", 416: "दक्षिण बस्तर दंतेवाड़ा"}
    for row in expected.itertuples():
        shown = table[table[w("common.district")] == names[row.district_lgd]].iloc[0]
        assert shown[w("figure.opd_registrations")] == row.opd_registrations
        assert shown[w("figure.abha_linked")] == row.abha_linked
        # a percentage with one decimal, as the page and the headlines show it
        share = shown[w("export.percent_column", name=w("figure.abha_share"))]
        assert f"{share:.1f}%" == w.percent(row.abha_linked / row.opd_registrations)
    # the worked example, counted by hand (tests/conftest.py)
    bastar = table[table[w("common.district")] == "बस्तर"].iloc[0]
    assert bastar[w("figure.opd_registrations")] == WORKED_JANUARY["F1"]["opd_registrations"]


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("chart", kit.chart_names())
def test_every_chart_exports_as_png_and_matches_the_page_files(
    worked_source_url: str, tmp_path: Path, capsys, chart: str
) -> None:
    code, out, err = export(
        capsys,
        worked_source_url,
        "--chart",
        chart,
        *JANUARY,
        "--lang",
        "hi",
        "--format",
        "png",
        "--out",
        str(tmp_path / "figure.png"),
    )
    assert code == 0, err
    png = Path(out).read_bytes()
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.width >= 2 * 500  # 2x scale of a figure at least 500 px wide
    # The page makes its files with press.kit, from the same store: the same bytes.
    store = store_engine(load_settings(db=worked_source_url).store_url)
    same = kit.build(store, chart, JANUARY_PERIOD, (), "hi")
    assert same.file("png") == png
    code, out, err = export(
        capsys,
        worked_source_url,
        "--chart",
        chart,
        *JANUARY,
        "--lang",
        "hi",
        "--format",
        "svg",
        "--out",
        str(tmp_path),
    )
    assert code == 0, err
    assert Path(out).read_bytes() == same.file("svg")
    assert Path(out).name == same.file_name("svg")


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_xlsx_and_headlines(worked_source_url: str, tmp_path: Path, capsys) -> None:
    code, out, err = export(
        capsys,
        worked_source_url,
        "--chart",
        "facility-league-table",
        *JANUARY,
        "--district",
        "Bastar",
        "--format",
        "xlsx",
        "--out",
        str(tmp_path),
    )
    assert code == 0, err
    assert Path(out).name == "facility-league-table_bastar_2025-01-01_2025-01-31_en.xlsx"
    sheet = pd.read_excel(out, header=None)
    assert sheet.iloc[0, 0] == Words("en")("press_kit.chart.facility-league-table")
    assert "Source: NextGen e-Hospital OPD registrations, Bastar" in str(sheet.iloc[2, 0])
    cells = openpyxl.load_workbook(out).active
    header = [c.value for c in cells[5]]
    adoption = cells.cell(row=6, column=header.index("ABHA adoption (%)") + 1)
    registrations = cells.cell(row=6, column=header.index("OPD registrations") + 1)
    assert adoption.number_format == PERCENT_FORMAT and isinstance(adoption.value, float)
    assert adoption.value == round(adoption.value, 3)
    assert registrations.number_format == COUNT_FORMAT and isinstance(registrations.value, int)
    notes = [row[0].value for row in cells.iter_rows(min_row=7) if row[0].value]
    assert Words("en")("press_kit.league_note", n=kit.LEAGUE_SIZE) in notes
    code, out, err = export(
        capsys,
        worked_source_url,
        "--chart",
        "opd-trend",
        *JANUARY,
        "--district",
        "414",
        "--lang",
        "hi",
        "--format",
        "txt",
        "--out",
        str(tmp_path),
    )
    assert code == 0, err
    text = Path(out).read_text(encoding="utf-8")
    assert text.startswith("बस्तर में जनवरी 2025 के दौरान 5 ओपीडी पंजीयन हुए, जिनमें से 2 (40.0%)")


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--chart", "pie"], "no chart 'pie'"),
        (["--chart", "opd-trend", "--district", "Raipur"], "no district 'Raipur'"),
        (["--chart", "opd-trend", "--district", "999"], "no district with LGD code 999"),
        (["--chart", "opd-trend", "--from", "2025-13-01"], "is not a date"),
        (["--chart", "opd-trend", "--lang", "fr"], "'fr' is not one of"),
        ([], "name the figure with --chart"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    worked_source_url: str, tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    out_dir = tmp_path / "releases"
    code, out, err = export(capsys, worked_source_url, *args, "--out", str(out_dir) + "/")
    assert code == 2
    problems = [line for line in err.splitlines() if line.startswith("ehospital-dashboard:")]
    assert len(problems) == 1 and message in problems[0], err
    assert "Traceback" not in err
    assert not out_dir.exists() or list(out_dir.iterdir()) == []  # nothing half-written
