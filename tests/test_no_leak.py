"""No patient-level field leaves the dashboard: no ABHA number, no registration id.

On the full demo, everything the dashboard and its command line hand out is collected and
scanned: every page's elements in Hindi and English under several filter states (text,
tables, chart specs and their data, map data, the files of every download button); the
Press kit's files (SVG text, CSV, the XLSX's XML, headlines, PNG text chunks); the
command line's output and files (the weekly brief's PDF, PNG and HTML among them); the
audit log; everything written to Python logging at DEBUG; and the messages of a wrong
database URL, a missing table and bad filter values.

What counts as a leak (see ``Scanner``): a run of 14 or more digits once spaces and hyphens
between digit groups are removed (an ABHA number however it is written); a registration id
of the demo's shape (``IN2210000101-250501-00042``); and any of a sample of the demo's
actual registration ids and ABHA numbers, read from its database (every dirty row's among
them: the formatted and malformed ABHA numbers, the rows of unknown facilities).
"""

from __future__ import annotations

import io
import json
import logging
import re
import sqlite3
import subprocess
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

pytestmark = pytest.mark.slow

FACILITY = "IN2210000101"  # District Hospital Bastar (demo/reference/facilities.csv)
DISTRICT = "416"  # Dakshin Bastar Dantewada
MAY_JULY = {"period": "custom", "from": "2025-05-01", "to": "2025-07-31"}


# --- the scanner ------------------------------------------------------------------------------
SEPARATORS = "[ \u00a0\u2009\u202f\\-\u2010\u2011]"
"""What may stand between the digit groups of a written ABHA number: a space (also the
no-break and thin ones) or a hyphen. Not commas or dots: Indian-grouped counts (34,56,789)
and decimals are not ABHA numbers however long."""

DATE = re.compile(r"(?<![\d-])(?:\d{4}-\d{2}-\d{2}|\d{2}-\d{2}-\d{4})(?![\d-])")
"""A whole ISO (2025-05-01) or Indian (01-05-2025) date, masked before looking for digit
runs: two dates side by side ('2025-05-01 2025-07-31', a period in a table or a file
name) would otherwise read as a 16-digit run. An ABHA number written 2-4-4-4 or 4-4-4-2
is never a whole date (its groups are 2+4 or 4+4 digits where a date has 4+2 or 2+2)."""

DIGIT_RUN = re.compile(rf"(?<![\d.])\d(?:{SEPARATORS}?\d){{13,}}")
"""Not after a decimal point: an unrounded share (0.5392455658256308, counting rule 7) has
16 digits after it, and a fraction is not an ABHA number."""
REGISTRATION_ID = re.compile(r"[A-Z]{2}\d{10}[-_ ]?\d{6}[-_ ]?\d{5}(?!\d)")
"""The demo's registration ids: facility HFR id, day (YYMMDD), sequence number. A facility
id alone (IN2210000101) is not patient-level and does not match."""

HEX_DIGEST = re.compile(r"(?<![0-9a-f])(?=[0-9]*[a-f])[0-9a-f]{32,64}(?![0-9a-f])")
"""A hexadecimal digest (MD5 to SHA-256), masked before looking for digit runs: Streamlit's
element ids ('$$ID-46290317557665a5bd59029f4a63330f-trends_visits_png') and Altair's dataset
names are MD5s of their content, whose digits can run to 14 and more. Never shown to a
reader; and a digest of a value does not show the value."""

CANDIDATE_ID = re.compile(r"[A-Za-z0-9]+-\d{6}-\d{5}")
ASCII_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
SEPARATOR_RUN = re.compile(f"{SEPARATORS}+")


@dataclass
class Finding:
    where: str
    kind: str
    value: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind} {self.value!r}"


@dataclass
class Scanner:
    registration_ids: frozenset[str]
    abha_numbers: frozenset[str]
    """The sample's ABHA numbers, separators removed (14 digits)."""

    def findings(self, where: str, text: str) -> list[Finding]:
        text = HEX_DIGEST.sub(" digest ", text.translate(ASCII_DIGITS))
        found = [
            Finding(where, "14-digit run", m.group())
            for m in DIGIT_RUN.finditer(DATE.sub(" date ", text))
        ]
        found += [
            Finding(where, "registration id", m.group()) for m in REGISTRATION_ID.finditer(text)
        ]
        found += [
            Finding(where, "demo registration id", m.group())
            for m in CANDIDATE_ID.finditer(text)
            if m.group() in self.registration_ids
        ]
        joined = SEPARATOR_RUN.sub("", text)
        for run in re.finditer(r"\d{14,}", joined):
            digits = run.group()
            for start in range(len(digits) - 13):
                if digits[start : start + 14] in self.abha_numbers:
                    found.append(Finding(where, "demo ABHA number", digits[start : start + 14]))
        return found


@dataclass
class Collected:
    """Texts to scan, each with where it came from."""

    texts: list[tuple[str, str]] = field(default_factory=list)

    def add(self, where: str, text: str) -> None:
        self.texts.append((where, text))

    def add_file(self, where: str, content: bytes) -> None:
        self.texts += [(where, text) for text in file_texts(where, content)]

    def leaks(self, scanner: Scanner) -> list[str]:
        return [str(f) for where, text in self.texts for f in scanner.findings(where, text)]


def assert_no_leak(collected: Collected, scanner: Scanner) -> None:
    leaks = collected.leaks(scanner)
    assert not leaks, f"{len(leaks)} patient-level values shown:\n" + "\n".join(leaks[:40])


# --- reading files ----------------------------------------------------------------------------
GEOMETRY_ATTRIBUTES = {"d", "points", "transform", "viewBox", "x", "y", "x1", "x2", "y1", "y2"}


def svg_texts(content: bytes) -> Iterator[str]:
    """An SVG's text and its attributes but the geometry: path data ('M 120 340 L …') is
    numbers separated by spaces, not text anyone reads; the embedded font is skipped."""
    root = ElementTree.fromstring(content)
    for element in root.iter():
        if element.tag.endswith("style"):
            continue  # the embedded Noto Sans Devanagari (base64)
        yield element.text or ""
        yield element.tail or ""
        yield "\n".join(
            value
            for name, value in element.attrib.items()
            if name not in GEOMETRY_ATTRIBUTES and not value.startswith("data:font")
        )


def png_texts(content: bytes) -> Iterator[str]:
    """The text chunks of a PNG (tEXt, zTXt, iTXt): its only place for words."""
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    position = 8
    while position < len(content):
        length = int.from_bytes(content[position : position + 4], "big")
        kind = content[position + 4 : position + 8]
        body = content[position + 8 : position + 8 + length]
        if kind == b"tEXt":
            yield body.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            yield key.decode("latin-1") + "\n" + zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            yield body.decode("utf-8", "replace")
        position += 12 + length


class _HtmlTexts(HTMLParser):
    """An HTML file's text and attribute values, read as ``svg_texts`` reads an SVG: its
    styles (the embedded font subsets) and the geometry of its inline SVG charts skipped,
    ``data:`` URIs (base64 fonts and images) left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._in_style = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style":
            self._in_style += 1
        self.texts += [
            value
            for name, value in attrs
            if value and name not in GEOMETRY_ATTRIBUTES and not value.startswith("data:")
        ]

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = max(0, self._in_style - 1)

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.texts.append(data)


def html_texts(content: bytes) -> Iterator[str]:
    parser = _HtmlTexts()
    parser.feed(content.decode("utf-8"))
    parser.close()
    yield from parser.texts


def pdf_texts(content: bytes) -> Iterator[str]:
    """A PDF's text as poppler's pdftotext reads it (the words a reader could copy), and its
    document information (title, author, subject, keywords)."""
    assert content.startswith(b"%PDF")
    for args in (["pdftotext", "-layout", "-", "-"], ["pdfinfo", "-"]):
        done = subprocess.run(args, input=content, capture_output=True, check=True, timeout=60)
        yield done.stdout.decode("utf-8", "replace")


def file_texts(name: str, content: bytes) -> Iterator[str]:
    if name.endswith(".png"):
        yield from png_texts(content)
    elif name.endswith(".svg"):
        yield from svg_texts(content)
    elif name.endswith(".html"):
        yield from html_texts(content)
    elif name.endswith(".pdf"):
        yield from pdf_texts(content)
    elif name.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.namelist():
                yield archive.read(member).decode("utf-8")
    else:
        yield content.decode("utf-8-sig")


# --- reading the pages (AppTest) --------------------------------------------------------------
INTEGER_TYPES = {3, 4, 5, 6, 7, 13, 15, 16, 17, 18}  # FieldDescriptor.TYPE_INT64 … TYPE_SINT64


def proto_texts(message) -> Iterator[str]:  # noqa: ANN001 - any protobuf message
    """Every string in an element's protobuf, and the rows of every Arrow table in it
    (dataframes, tables, a chart's datasets, a styler's display values)."""
    for descriptor, value in message.ListFields():
        if descriptor.type == descriptor.TYPE_MESSAGE:
            if descriptor.message_type.GetOptions().map_entry:
                for key, item in value.items():
                    yield str(key)
                    yield from proto_texts(item) if hasattr(item, "ListFields") else [str(item)]
            elif descriptor.is_repeated:
                for item in value:
                    yield from proto_texts(item)
            else:
                yield from proto_texts(value)
        elif descriptor.type == descriptor.TYPE_STRING:
            yield from value if descriptor.is_repeated else [value]
        elif descriptor.type in INTEGER_TYPES:
            yield " ".join(map(str, value)) if descriptor.is_repeated else str(value)
        elif descriptor.type == descriptor.TYPE_BYTES:
            for data in value if descriptor.is_repeated else [value]:
                yield arrow_text(data)


def arrow_text(data: bytes) -> str:
    import pyarrow as pa

    try:
        table = pa.ipc.open_stream(pa.BufferReader(data)).read_all()
    except pa.ArrowInvalid:
        return ""  # not a table (an image, a file): nothing to read as text
    schema = json.dumps({k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()})
    return schema + "\n" + table.to_pandas().to_csv(index=True)


def page_texts(at) -> str:  # noqa: ANN001 - an AppTest
    parts = [str(dict(at.query_params))]
    for node in at._tree:  # every block and element, main and sidebar
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            parts += proto_texts(proto)
    return "\n".join(parts)


# --- the demo's patient-level values ----------------------------------------------------------
def demo_sample(path: Path, size: int = 5000) -> tuple[frozenset[str], frozenset[str]]:
    """Registration ids and ABHA numbers (separators removed) of random rows and of every
    dirty row (appended last by demo.dirty_rows)."""
    from demo.dirty_rows import DIRTY_ROW_COUNTS

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        last = conn.execute("SELECT max(rowid) FROM opd_registrations").fetchone()[0]
        rowids = np.random.default_rng(7).integers(1, last + 1, size=size).tolist()
        rowids += range(last - sum(DIRTY_ROW_COUNTS.values()), last + 1)
        rows = []
        for chunk in range(0, len(rowids), 500):
            batch = rowids[chunk : chunk + 500]
            rows += conn.execute(
                "SELECT registration_id, abha_number FROM opd_registrations"
                f" WHERE rowid IN ({','.join('?' * len(batch))})",
                batch,
            ).fetchall()
    ids = frozenset(r for r, _ in rows if r)
    numbers = {re.sub(r"[\s-]", "", a) for _, a in rows if a}
    return ids, frozenset(n for n in numbers if re.fullmatch(r"\d{14}", n))


@pytest.fixture(scope="module")
def scanner(full_demo) -> Scanner:
    path, _ = full_demo
    ids, numbers = demo_sample(path)
    assert len(ids) > 4000 and len(numbers) > 1000, "the sample reads the demo's rows"
    assert all(REGISTRATION_ID.fullmatch(i) for i in ids), "the id shape is the demo's"
    return Scanner(ids, numbers)


def test_the_scanner_flags_a_planted_abha_number_or_registration_id(scanner: Scanner) -> None:
    some_id = sorted(scanner.registration_ids)[0]
    number = sorted(scanner.abha_numbers)[0]
    planted = [
        number,
        f"{number[:2]}-{number[2:6]}-{number[6:10]}-{number[10:]}",
        f"{number[:4]} {number[4:8]} {number[8:12]} {number[12:]}",
        number.translate(str.maketrans("0123456789", "०१२३४५६७८९")),
        "91-5437-3083-1234",  # not the demo's, but shaped like an ABHA number
        some_id,
        "IN2299999901-250101-90001",  # the shape of the demo's ids
    ]
    for value in planted:
        for text in (
            f"District Hospital Bastar,{value},60045",
            f'<svg xmlns="http://www.w3.org/2000/svg"><text>{value}</text></svg>',
            f"जिला चिकित्सालय बस्तर में {value} पंजीयन",
        ):
            assert scanner.findings("planted", text), f"{value} in {text!r} is not flagged"
    svg = f'<svg xmlns="http://www.w3.org/2000/svg"><text>{planted[1]}</text></svg>'.encode()
    assert Collected([("x.svg", t) for t in file_texts("x.svg", svg)]).leaks(scanner)
    # The brief's HTML and PDF are read as a reader sees them: the text, not the geometry.
    from press.brief_page import render_pdf

    chart = '<svg viewBox="0 0 100 100"><polyline points="120 340 560 780 910 112"/></svg>'
    clean = f"<html><body><p>Bastar</p>{chart}</body></html>"
    leaky = clean.replace("Bastar", f"Bastar {planted[2]}")
    for name, content in (("x.html", str.encode), ("x.pdf", render_pdf)):
        read = [(name, t) for t in file_texts(name, content(clean))]
        assert any("Bastar" in t for _, t in read) and not Collected(read).leaks(scanner)
        assert Collected([(name, t) for t in file_texts(name, content(leaky))]).leaks(scanner)


def test_the_scanner_passes_what_may_be_shown(scanner: Scanner) -> None:
    legitimate = [
        "34,56,789 OPD registrations, 32,379 (53.9%) ABHA-linked; 34.3L",
        "IN2210000101 District Hospital Bastar 60045 32379 0.5392455658256308 0.12345678901234",
        "abha-adoption-by-district_bastar-division_2025-05-01_2025-07-31_hi.png",
        "2025-05-01 2025-07-31 2026-11-26 12:00:00",
        "01-05-2025 – 31-07-2025 · 01-05-2025 31-07-2025",
        "LGD 414 416 413, FY 2025-26, Q1, 1746057600000",
        "$$ID-46290317557665a5bd59029f4a63330f-trends_visits_png",
        '{"data": {"name": "64320315062355ea712e7140dfe66383"}}',
    ]
    assert [f for text in legitimate for f in scanner.findings("legitimate", text)] == []


# --- the pages ----------------------------------------------------------------------------------
STATES = {
    "en, division, May–July 2025": ({**MAY_JULY, "lang": "en"}, True),
    "hi, division, May–July 2025": ({**MAY_JULY, "lang": "hi"}, False),
    "en, one facility": ({**MAY_JULY, "facility": FACILITY, "lang": "en"}, False),
    "hi, one facility": ({**MAY_JULY, "facility": FACILITY, "lang": "hi"}, True),
    "hi, one district, FY 2025-26": (
        {"period": "fy", "fy": "2025", "district": DISTRICT, "lang": "hi"},
        False,
    ),
    "en, default period": ({"lang": "en"}, False),
}
"""Filter states every page is rendered under; True: its chart images (SVG, PNG) are made
too (slow), besides the CSV and XLSX of every download made in every state."""


class LogRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))  # with the traceback of an exception


@pytest.fixture(scope="module")
def logged() -> Iterator[LogRecords]:
    """Everything written to Python logging during this module, at DEBUG."""
    handler = LogRecords()
    loggers = [logging.getLogger(), logging.getLogger("streamlit")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture(scope="module")
def app_env(demo_on_sqlite, tmp_path_factory, logged) -> Iterator[Path]:
    """The dashboard on the demo's store, in demo mode (every page open); returns the data
    folder, where the audit log is written."""
    _, store_url = demo_on_sqlite
    data_dir = tmp_path_factory.mktemp("leak-data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANALYTICS_DB_URL", store_url)
        mp.setenv("EHOSPITAL_DATA_DIR", str(data_dir))
        mp.setenv("EHOSPITAL_SECRETS_FILE", str(data_dir / "none.toml"))
        mp.delenv("REGISTRATIONS_DB_URL", raising=False)
        yield data_dir


def open_page(page: str, params: dict[str, str]):  # noqa: ANN201 - an AppTest
    from streamlit.testing.v1 import AppTest

    from data_access.config import PROJECT_ROOT

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "views/overview.py" and not at.exception:
        at.switch_page(page).run()
    return at


@pytest.fixture(scope="module")
def rendered(app_env: Path) -> Collected:
    """Every page under every state, and the file of every download button on it."""
    import ui.auth
    import ui.exports
    from ui.pages import PAGE_FILES

    collected = Collected()
    downloads: list[tuple[str, Callable[[], bytes]]] = []
    original = ui.auth.recorded_export

    def capture(make: Callable[[], bytes], file_name: str) -> Callable[[], bytes]:
        made = original(make, file_name)
        downloads.append((file_name, made))
        return made

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ui.auth, "recorded_export", capture)  # the Press kit page's buttons
        mp.setattr(ui.exports, "recorded_export", capture)  # every chart's and table's
        for state, (params, with_images) in STATES.items():
            for page in PAGE_FILES:
                downloads.clear()
                at = open_page(page, params)
                assert not at.exception, f"{page} ({state}): {at.exception}"
                where = f"page {page} ({state})"
                collected.add(where, page_texts(at))
                made: set[str] = set()
                for name, make in downloads:
                    if name in made or (name.endswith((".png", ".svg")) and not with_images):
                        continue
                    made.add(name)
                    collected.add_file(f"{where}, download {name}", make())
    return collected


def test_no_page_and_no_download_shows_a_patient_field(rendered: Collected, scanner) -> None:
    pages = {where.split(",")[0] for where, _ in rendered.texts}
    files = {where.rsplit(" ", 1)[-1] for where, _ in rendered.texts if "download" in where}
    assert len(pages) >= 9, pages
    assert any(f.endswith(".svg") for f in files) and any(f.endswith(".xlsx") for f in files)
    assert_no_leak(rendered, scanner)


# --- the command line ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cli_env(demo_on_sqlite, full_demo, tmp_path_factory, logged) -> Iterator[tuple[str, str, Path]]:
    """The demo source, a copy of its store (the commands may refresh it), a folder."""
    path, _ = full_demo
    _, store_url = demo_on_sqlite
    folder = tmp_path_factory.mktemp("leak-cli")
    copy = folder / "analytics.sqlite"
    with sqlite3.connect(store_url.removeprefix("sqlite:///")) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EHOSPITAL_DATA_DIR", str(folder / "data"))
        mp.setenv("EHOSPITAL_SECRETS_FILE", str(folder / "none.toml"))
        mp.setenv("ANALYTICS_DB_URL", f"sqlite:///{copy}")
        mp.delenv("REGISTRATIONS_DB_URL", raising=False)
        yield str(path), f"sqlite:///{copy}", folder


def run_cli(capsys, collected: Collected, *args: str, expect: int | None = 0) -> str:  # noqa: ANN001
    from cli.main import main

    code = main(list(args))
    out, err = capsys.readouterr()
    where = f"ehospital-dashboard {' '.join(args)}"
    collected.add(f"{where} (stdout)", out)
    collected.add(f"{where} (stderr)", err)
    if expect is not None:
        assert code == expect, f"{where}: exit {code}\n{err}"
    return out


def test_no_command_prints_or_writes_a_patient_field(cli_env, capsys, scanner) -> None:
    from press import kit

    source, store, folder = cli_env
    db, st = ["--db", source], ["--store", store]
    collected = Collected()
    period = ["--from", "2025-05-01", "--to", "2025-07-31"]
    for by in ("facility", "district", "facility_type", "channel", "month"):
        for fmt in ("table", "csv", "json"):
            run_cli(capsys, collected, "figures", *db, *st, *period, "--by", by, "--format", fmt)
    run_cli(capsys, collected, "figures", *db, *st, "--facility", FACILITY, "--format", "json")
    run_cli(capsys, collected, "figures", *db, *st, "--district", DISTRICT, "--by", "month")
    for by in ("facility", "channel"):
        run_cli(capsys, collected, "figures", *db, *st, *period, "--by", by, "--source")
    for fmt in ("table", "csv", "json"):
        run_cli(capsys, collected, "data-quality", *db, *st, "--format", fmt)
        run_cli(capsys, collected, "data-quality", *db, *st, "--by-facility", "--format", fmt)
    run_cli(capsys, collected, "check", *db)
    run_cli(capsys, collected, "refresh", *db, *st)
    run_cli(capsys, collected, "export", *db, *st, "--list")
    out_dir = folder / "exports"
    for chart in kit.chart_names():
        for lang, where in (("en", []), ("hi", ["--district", DISTRICT])):
            for fmt in ("png", "svg", "csv", "xlsx", "txt"):
                args = ["--chart", chart, *period, *where, "--lang", lang, "--format", fmt]
                run_cli(capsys, collected, "export", *db, *st, *args, "--out", f"{out_dir}/")
    files = sorted(out_dir.iterdir())
    assert len(files) == len(kit.chart_names()) * 2 * 5
    # The weekly brief: one district in Hindi, the whole demo in English, in each format.
    brief_dir = folder / "briefs"
    brief_dir.mkdir()
    for lang, where in (("hi", ["--district", DISTRICT]), ("en", [])):
        for fmt in ("pdf", "png", "html"):
            out = brief_dir / f"brief-{lang}.{fmt}"
            args = [*period, *where, "--lang", lang, "--format", fmt, "--out", str(out)]
            run_cli(capsys, collected, "brief", *db, *st, *args)
    briefs = sorted(brief_dir.iterdir())
    assert len(briefs) == 6
    for file in [*files, *briefs]:
        collected.add_file(f"export file {file.name}", file.read_bytes())
    assert_no_leak(collected, scanner)


# --- error messages -----------------------------------------------------------------------------
def test_no_error_message_names_a_patient_field(
    cli_env, app_env, capsys, scanner, tmp_path
) -> None:
    source, store, _ = cli_env
    st = ["--store", store]
    collected = Collected()
    partial = tmp_path / "partial.sqlite"
    with sqlite3.connect(partial) as conn:
        conn.execute("CREATE TABLE districts (lgd_code INTEGER, name_en TEXT)")
    no_abha = tmp_path / "no-abha.sqlite"
    with (
        sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src,
        sqlite3.connect(no_abha) as dst,
    ):
        for table in ("districts", "facilities"):
            dst.execute(
                src.execute(f"SELECT sql FROM sqlite_master WHERE name = '{table}'").fetchone()[0]
            )
        dst.execute("CREATE TABLE opd_registrations (registration_id TEXT, facility_id TEXT)")
        dst.executemany(
            "INSERT INTO opd_registrations VALUES (?, ?)",
            src.execute("SELECT registration_id, facility_id FROM opd_registrations LIMIT 50"),
        )
    failing = [
        ("figures", "--db", "postgresql+psycopg://reader:s3cret@127.0.0.1:1/ehospital"),
        ("figures", "--db", "nosuchdriver://x"),
        ("figures", "--db", str(tmp_path / "nowhere.sqlite")),
        ("figures", "--db", str(partial), "--store", f"sqlite:///{tmp_path / 'p.sqlite'}"),
        ("refresh", "--db", str(no_abha), "--store", f"sqlite:///{tmp_path / 'n.sqlite'}"),
        ("figures", "--db", source, *st, "--district", "999"),
        ("figures", "--db", source, *st, "--facility", "IN2200000000"),
        ("figures", "--db", source, *st, "--from", "01/02/2025"),
        ("figures", "--db", source, *st, "--from", "2025-02-01", "--to", "2025-01-01"),
        ("figures", "--db", source, *st, "--by", "ward"),
        ("export", "--db", source, *st, "--chart", "opd-trend", "--district", "Nowhere"),
        ("export", "--db", source, *st, "--chart", "no-such-chart"),
    ]
    for args in failing:
        run_cli(capsys, collected, *args, expect=2)
    for db in (partial, no_abha):
        run_cli(capsys, collected, "check", "--db", str(db), expect=1)
    assert any("required table is missing" in text for _, text in collected.texts)
    assert any("s3cret" not in t and "cannot open" in t for _, t in collected.texts)

    from i18n import Words

    bad_link = {"period": "forever", "district": "999", "facility": "IN22x", "type": "ZZ"}
    for lang in ("en", "hi"):
        at = open_page("views/overview.py", {**bad_link, "lang": lang})
        assert not at.exception
        collected.add(f"app with a bad link ({lang})", page_texts(at))
        assert Words(lang)("filters.problem.period", value="forever") in page_texts(at)
    with pytest.MonkeyPatch.context() as mp:
        for name, url in (
            ("an unreachable store", "postgresql+psycopg://reader:s3cret@127.0.0.1:1/x"),
            ("a store without tables", f"sqlite:///{tmp_path / 'empty-store.sqlite'}"),
        ):
            mp.setenv("ANALYTICS_DB_URL", url)
            at = open_page("views/overview.py", {"lang": "en"})
            assert not at.exception
            collected.add(f"app with {name}", page_texts(at))
        mp.setenv("REGISTRATIONS_DB_URL", f"sqlite:///{source}")  # not the demo: sign-in needed
        collected.add(
            "app refusing without sign-in", page_texts(open_page("views/overview.py", {}))
        )
    assert_no_leak(collected, scanner)


# --- logs ---------------------------------------------------------------------------------------
def test_no_log_records_a_patient_field(
    rendered: Collected, app_env: Path, logged, scanner
) -> None:
    audit = app_env / "audit.jsonl"
    events = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    assert {e["event"] for e in events} >= {"page_view", "export"}
    collected = Collected([("audit log", audit.read_text(encoding="utf-8"))])
    collected.texts += [("Python logging", record) for record in logged.records]
    assert_no_leak(collected, scanner)
