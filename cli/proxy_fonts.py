"""Streamlit's fonts cut to what the dashboard draws, for nginx to serve in their place.

Every page makes the browser download Streamlit's icon font, Material Symbols (375 kB:
about 4,300 icons, each drawn from its name by a ligature), and its text fonts, Source
Sans and Source Code (75–170 kB each: Greek, Cyrillic, Vietnamese …): about 0.4 MB of a
first visit that the pages never draw. Cut here, the icon font keeps the icons
Streamlit's front end names in its JavaScript (and its Python: ``st.status``) and the
``:material/…:`` icons of the app's own sources; the text fonts keep Latin, the Indian
rupee and the punctuation, arrows and signs the figures use. A character a text font no
longer has is drawn by the browser from a system font, as Devanagari always is (these
fonts have none).

The cut fonts are written under ``<out>/static/media/`` with exactly the names Streamlit
gives its own, which carry a hash of their content; nginx serves them in their place
(``deploy/nginx/ehospital-dashboard-proxy.conf``, ``location /static/media/``), falling
back to the dashboard for any other file. After a Streamlit upgrade its fonts have new
names: nginx finds none of them here and serves Streamlit's full fonts (correct, only
heavier) until ``ehospital-dashboard proxy-fonts`` is run again. A stale cut can never
be served for a new Streamlit.
"""

from __future__ import annotations

import importlib.util
import io
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

MEDIA = Path("static") / "media"
"""Where Streamlit's fonts are, in its static folder and at its URL (``/static/media/``),
and where the cut ones go in the output folder."""
ICON_FONT = "MaterialSymbols-Rounded.*.woff2"
TEXT_FONTS = (
    "SourceSansVF-Upright.ttf.*.woff2",
    "SourceSansVF-Italic.ttf.*.woff2",
    "SourceCodeVF-Upright.ttf.*.woff2",
    "SourceCodeVF-Italic.ttf.*.woff2",
)
TEXT_UNICODES = frozenset(
    [
        *range(0x20, 0x180),  # Basic Latin, Latin-1 (× · ² NBSP), Latin Extended-A
        *range(0x2000, 0x2070),  # spaces (thin, narrow no-break), – — ‘ ’ “ ” • … ‰
        0x20AC,  # €
        0x20B9,  # ₹
        *range(0x2190, 0x2300),  # arrows, mathematical operators (− ≤ ≥ ≈ ∞)
        *range(0x25A0, 0x2600),  # geometric shapes (▲ ▼ ● ■)
    ]
)
"""What the text fonts keep: the Latin text, figures and signs the pages print (the app's
sources and catalogues have no other character but Devanagari and the 🏥 of the tab). A
character left out, in a registry's name, is drawn from a system font instead."""
TEXT_EXTRA_FEATURES = ("tnum", "pnum", "lnum", "onum", "case", "zero", "sups", "subs", "ordn")
"""Kept in the text fonts besides fontTools' default layout features (kerning, ligatures,
marks, local forms, fractions): the figure styles a stylesheet may ask for. The stylistic
sets, small capitals and alternates that no page asks for go: 20 kB of Source Sans's 70."""
ICON_TEXT = string.printable
"""The letters, digits and underscore the icon names are written in, kept in the icon
font (a name is drawn as its icon only while its letters are in the font)."""
APP_PACKAGES = ("ui", "i18n")
"""Packages of the app besides app.py and views/ that may name icons: the frame and the
navigation (ui), translated words (i18n's catalogues)."""
_APP_ICON = re.compile(r":material/([a-z0-9_]+):")
_JS_WORD = re.compile(rb"[a-z0-9_]+")


@dataclass(frozen=True)
class CutFont:
    name: str
    bytes_before: int
    bytes_after: int
    icons: int | None = None
    """How many icons the icon font keeps; None for a text font."""


def streamlit_static() -> Path:
    """The folder Streamlit serves at its root (``index.html``, ``static/js``,
    ``static/media``), found without importing Streamlit."""
    spec = importlib.util.find_spec("streamlit")
    if spec is None or spec.origin is None:
        raise click.ClickException("Streamlit is not installed beside the command")
    return Path(spec.origin).parent / "static"


def app_sources(app_folder: Path) -> Iterator[Path]:
    """The app's files that may name a ``:material/…:`` icon: ``app.py`` and ``views/``
    in ``app_folder`` (the checkout, or the wheel's ``ehospital_app``) and the packages of
    ``APP_PACKAGES`` wherever they are installed."""
    folders = [app_folder / "views"]
    for package in APP_PACKAGES:
        spec = importlib.util.find_spec(package)
        folders += [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    yield app_folder / "app.py"
    for folder in folders:
        yield from sorted(folder.rglob("*.py"))
        yield from sorted(folder.rglob("*.po"))


def icons_named_in(files: Iterable[Path]) -> set[str]:
    """The icon names of every ``:material/<name>:`` in ``files``."""
    return {
        name
        for file in files
        if file.is_file()
        for name in _APP_ICON.findall(file.read_text(encoding="utf-8", errors="replace"))
    }


def streamlit_words(static: Path) -> set[str]:
    """Every word (``[a-z0-9_]+``) of Streamlit's JavaScript, where its front end names
    the icons it draws (``expand_more``, ``keyboard_double_arrow_left``, …), and the icons
    its Python names (``st.status``'s ``check`` and ``error``)."""
    words = {
        word.decode()
        for js in (static / "static" / "js").glob("*.js")
        for word in _JS_WORD.findall(js.read_bytes())
    }
    package = static.parent  # streamlit/
    python = package.rglob("*.py") if (package / "__init__.py").is_file() else ()
    return words | icons_named_in(python)


def ligature_names(font: TTFont) -> Iterator[tuple[Any, str, Any, str]]:
    """Each ligature of ``font``'s GSUB as (subtable, first glyph, ligature, the text it
    replaces), the text spelled from the cmap: for Material Symbols, the icon's name."""
    char = {glyph: chr(code) for code, glyph in font.getBestCmap().items()}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for subtable in lookup.SubTable:
            table = subtable.ExtSubTable if lookup.LookupType == 7 else subtable
            if type(table).__name__ != "LigatureSubst":
                continue
            for first, ligatures in table.ligatures.items():
                for ligature in ligatures:
                    glyphs = [first, *ligature.Component]
                    if all(glyph in char for glyph in glyphs):
                        yield table, first, ligature, "".join(char[g] for g in glyphs)


def cut_fonts(static: Path, out: Path, app_icons: Iterable[str]) -> list[CutFont]:
    """Write Streamlit's icon and text fonts from ``static`` (see ``streamlit_static``),
    cut, to ``out/static/media/`` under their own names; what was written."""
    media = static / MEDIA
    icon_fonts = sorted(media.glob(ICON_FONT))
    text_fonts = sorted(font for pattern in TEXT_FONTS for font in media.glob(pattern))
    if not icon_fonts or not text_fonts:
        raise click.ClickException(
            f"no Streamlit fonts ({ICON_FONT}, {TEXT_FONTS[0]}) in {media}: "
            "is that Streamlit's static folder?"
        )
    (out / MEDIA).mkdir(parents=True, exist_ok=True)
    wanted = streamlit_words(static) | set(app_icons)
    written = []
    for source in icon_fonts:
        data, icons = _cut_icon_font(source, wanted)
        written.append(_write(source, out / MEDIA, data, icons))
    for source in text_fonts:
        cut = _subset(_open(source), TEXT_UNICODES, features=TEXT_EXTRA_FEATURES)
        written.append(_write(source, out / MEDIA, cut))
    return written


def _cut_icon_font(source: Path, wanted: set[str]) -> tuple[bytes, int]:
    """The icon font with only the ligatures of ``wanted`` names, and how many. They are
    pruned from GSUB first: else the subsetter, keeping the letters, keeps every ligature."""
    font = _open(source)
    pruned: dict[int, tuple[Any, dict[str, list[Any]]]] = {}
    icons: list[str] = []
    for table, first, ligature, name in list(ligature_names(font)):
        _, ligatures = pruned.setdefault(id(table), (table, {}))
        if name in wanted:
            ligatures.setdefault(first, []).append(ligature)
            icons.append(ligature.LigGlyph)
    for table, ligatures in pruned.values():
        table.ligatures = ligatures
    return _subset(font, text=ICON_TEXT, glyphs=icons), len(icons)


def _open(source: Path) -> TTFont:
    """The font, keeping its own date when saved: the same cut, byte for byte, each run."""
    from fontTools.ttLib import TTFont

    return TTFont(source, recalcTimestamp=False)


def _subset(
    font: TTFont,
    unicodes: Iterable[int] = (),
    text: str = "",
    glyphs: Iterable[str] = (),
    features: Iterable[str] | None = None,
) -> bytes:
    """``font`` with only these characters and glyphs (and what its substitutions reach
    from them), every name and variation axis kept, as WOFF2. Its layout features: every
    one, or with ``features`` fontTools' defaults and those."""
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"] if features is None else [*options.layout_features, *features]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.flavor = "woff2"
    subsetter = subset.Subsetter(options)
    subsetter.populate(glyphs=list(glyphs), unicodes=list(unicodes), text=text)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _write(source: Path, folder: Path, data: bytes, icons: int | None = None) -> CutFont:
    """Written whole, then renamed: nginx, serving the folder meanwhile, never sends half."""
    partial = folder / f".{source.name}.partial"
    partial.write_bytes(data)
    partial.replace(folder / source.name)
    return CutFont(source.name, source.stat().st_size, len(data), icons)
