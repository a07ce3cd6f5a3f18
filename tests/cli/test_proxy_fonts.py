"""``ehospital-dashboard proxy-fonts``: the installed Streamlit's fonts cut for nginx keep
every icon the app and Streamlit's front end draw, and the letters and signs the pages
print, under Streamlit's own file names; the icons nobody draws are gone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from cli.main import main
from cli.proxy_fonts import (
    ICON_FONT,
    MEDIA,
    TEXT_FONTS,
    TEXT_UNICODES,
    CutFont,
    app_sources,
    cut_fonts,
    icons_named_in,
    ligature_names,
    streamlit_static,
)
from data_access.config import PROJECT_ROOT

pytestmark = pytest.mark.usefixtures("isolated_config")

STREAMLIT_ICONS = (
    "keyboard_double_arrow_left",
    "keyboard_double_arrow_right",
    "expand_more",
    "expand_less",
    "close",
    "check",
    "menu",
    "search",
    "download",
    "error",
    "info",
)
"""Icons of Streamlit's own front end: the sidebar's collapse and expand, the navigation's
"show more", dialogs, st.status, the data frames' toolbar, alerts."""
NOBODYS_ICON = "android_cell_dual_4_bar_alert"


def app_icons_in_checkout() -> set[str]:
    """Every ``:material/<name>:`` in the checkout's app.py, views/ and ui/, read here
    without the module's help."""
    files = [PROJECT_ROOT / "app.py", *PROJECT_ROOT.glob("views/*.py")]
    files += PROJECT_ROOT.glob("ui/*.py")
    return {name for f in files for name in re.findall(r":material/(\w+):", f.read_text())}


def icons(font_file: Path) -> set[str]:
    return {name for _, _, _, name in ligature_names(TTFont(font_file))}


def only(folder: Path, pattern: str) -> Path:
    [found] = folder.glob(pattern)
    return found


@pytest.fixture(scope="module")
def cut(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[CutFont]]:
    out = tmp_path_factory.mktemp("proxy-static")
    app_icons = icons_named_in(app_sources(PROJECT_ROOT))
    return out, cut_fonts(streamlit_static(), out, app_icons)


def test_the_icon_font_keeps_the_icons_drawn_and_drops_the_rest(cut) -> None:
    out, written = cut
    original = only(streamlit_static() / MEDIA, ICON_FONT)
    assert {*STREAMLIT_ICONS, NOBODYS_ICON} <= icons(original), "the names are read right"
    app = app_icons_in_checkout()
    assert {"dashboard", "download", "local_hospital"} <= app
    kept = icons(out / MEDIA / original.name)
    assert app <= kept, f"the app's icons missing: {sorted(app - kept)}"
    assert set(STREAMLIT_ICONS) <= kept, sorted(set(STREAMLIT_ICONS) - kept)
    assert NOBODYS_ICON not in kept
    assert 300 < len(kept) < len(icons(original)) / 4
    [entry] = [font for font in written if font.name == original.name]
    assert entry.icons == len(kept)
    assert entry.bytes_before == original.stat().st_size
    assert entry.bytes_after == (out / MEDIA / original.name).stat().st_size
    assert entry.bytes_after < entry.bytes_before / 4, entry


def test_the_text_fonts_keep_latin_the_rupee_and_the_signs(cut) -> None:
    out, _ = cut
    for pattern in TEXT_FONTS:
        original = only(streamlit_static() / MEDIA, pattern)
        font = TTFont(out / MEDIA / original.name)
        characters = set(font.getBestCmap())
        wanted = "₹€–—·×…−≤≥▲▼→" + "AZaz09%,.ÄéĀāŚś"
        assert {ord(c) for c in wanted} <= characters, original.name
        dropped = set(TTFont(original).getBestCmap()) - TEXT_UNICODES
        assert dropped, f"{original.name} had more (Greek, Vietnamese …)"
        assert not characters & dropped, original.name
        if original.name.startswith("SourceSans"):
            assert ord("Ж") in dropped, "Cyrillic was there"
        assert "fvar" in font, "the weights stay variable"
        assert (out / MEDIA / original.name).stat().st_size < original.stat().st_size * 0.6


def test_the_cut_fonts_carry_streamlits_names(cut) -> None:
    out, written = cut
    media = streamlit_static() / MEDIA
    originals = {f.name for p in (ICON_FONT, *TEXT_FONTS) for f in media.glob(p)}
    assert len(originals) == 5
    assert {font.name for font in written} == originals
    assert {f.name for f in (out / MEDIA).iterdir()} == originals, "nothing else, no partials"


def test_the_app_icons_are_found_where_the_wheel_puts_the_app(tmp_path: Path) -> None:
    """An installed wheel: app.py and views/ in ehospital_app, ui a package of its own."""
    app = tmp_path / "ehospital_app"
    (app / "views").mkdir(parents=True)
    (app / "app.py").write_text('st.set_page_config(page_icon=":material/rocket_launch:")\n')
    (app / "views" / "page.py").write_text('st.button("go", icon=":material/flight:")\n')
    found = icons_named_in(app_sources(app))
    assert {"rocket_launch", "flight"} <= found
    assert {"dashboard", "admin_panel_settings"} <= found, "ui/pages.py's navigation"


def test_the_command_writes_to_the_data_folder_where_nginx_looks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["proxy-fonts"]) == 0
    out, err = capsys.readouterr()
    media = tmp_path / "data" / "proxy-static" / MEDIA
    lines = out.splitlines()
    assert len(lines) == 5, out
    for line in lines:
        name = line.split()[0]
        assert (media / name).is_file(), line
        assert re.search(r"\d+ kB → +\d+ kB", line), line
    assert "icons" in next(line for line in lines if line.startswith("MaterialSymbols"))
    assert str(media) in err
    site = (PROJECT_ROOT / "deploy" / "nginx" / "ehospital-dashboard.conf").read_text()
    assert "root /opt/ehospital-dashboard/data/proxy-static;" in site, "the default's folder"


def test_no_streamlit_fonts_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cli.proxy_fonts.streamlit_static", lambda: tmp_path / "nowhere")
    assert main(["proxy-fonts", "--out", str(tmp_path / "out")]) == 2
    _, err = capsys.readouterr()
    assert "Traceback" not in err
    assert "no Streamlit fonts" in err and str(tmp_path / "nowhere") in err, err
    assert not (tmp_path / "out" / MEDIA).exists() or not any((tmp_path / "out" / MEDIA).iterdir())


def test_an_unwritable_folder_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("not a folder")
    assert main(["proxy-fonts", "--out", str(taken / "fonts")]) == 2
    _, err = capsys.readouterr()
    assert "Traceback" not in err
    last = err.splitlines()[-1]
    assert last.startswith("ehospital-dashboard: cannot write to ") and str(taken) in last, err
