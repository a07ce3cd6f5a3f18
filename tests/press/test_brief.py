"""The weekly brief (press.brief, press.brief_page): one A4 page of a district's figures,
the same as the pages show, as PDF (Devanagari shaped), PNG and self-contained HTML.

The PDFs converted to PNG with pdftoppm go to artifacts/screenshots/brief_<lang>.png
(ignored by git): look at them."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import IN_CI
from PIL import Image, ImageFont

from data_access import queries
from data_access.config import PROJECT_ROOT
from data_access.engines import store_engine
from data_access.errors import BadFilter
from data_access.queries import Period, Scope
from i18n import Words
from i18n.headlines import registration_headline
from metrics.adoption import adoption_rate
from metrics.scorecard import scorecard
from press import render
from press.brief import BriefScope, last_full_week, make_brief, named_period
from press.brief_page import page_count, render_html, render_pdf, render_png

SHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
DISTRICT = 416  # Dakshin Bastar Dantewada
MAX_BYTES = 300_000


@pytest.fixture
def poppler() -> None:
    """pdftotext and pdftoppm (Debian's poppler-utils): skipped without them, except under
    CI=true, whose .ci/run installs them."""
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        reason = "poppler-utils (pdftotext, pdftoppm) not installed"
        if IN_CI:
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(reason)


needs_poppler = pytest.mark.usefixtures("poppler")


@pytest.fixture(scope="module")
def store(small_bastar_store):  # type: ignore[no-untyped-def]
    """The Bastar demo at a twentieth of its volume (tests/conftest.py)."""
    return small_bastar_store


@pytest.fixture(scope="module")
def last_day(store) -> date:
    return queries.data_span(store)[1]


@pytest.fixture(scope="module")
def briefs(store, last_day):
    """The brief of district 416 for the last week, in each language: (brief, html, pdf)."""
    made = {}
    for lang in ("en", "hi"):
        brief = make_brief(
            store,
            BriefScope(districts=(DISTRICT,)),
            named_period("last-week", last_day),
            lang,
            period_name="last-week",
        )
        html = render_html(brief)
        made[lang] = (brief, html, render_pdf(html))
    return made


def pdf_text(pdf: bytes, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")


def squeezed(text: str) -> str:
    """Text without white space: pdftotext breaks a Devanagari word where a vowel sign is
    drawn before its consonant ("द क्षिण"); the letters stay in order."""
    return re.sub(r"\s+", "", text)


# --- the periods -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("as_of", "week"),
    [
        (date(2026, 10, 31), (date(2026, 10, 19), date(2026, 10, 25))),  # a Saturday
        (date(2026, 10, 25), (date(2026, 10, 19), date(2026, 10, 25))),  # a Sunday: its week
        (date(2026, 10, 26), (date(2026, 10, 19), date(2026, 10, 25))),  # a Monday
    ],
)
def test_last_week_is_the_last_whole_monday_to_sunday_week(as_of, week) -> None:
    assert last_full_week(as_of) == week
    assert named_period("last-week", as_of) == Period(*week)


def test_the_months_count_back_from_the_data() -> None:
    assert named_period("this-month", date(2026, 10, 31)) == Period(
        date(2026, 10, 1), date(2026, 10, 31)
    )
    assert named_period("last-month", date(2026, 10, 15)) == Period(
        date(2026, 9, 1), date(2026, 9, 30)
    )
    with pytest.raises(BadFilter, match="yesterday"):
        named_period("yesterday", date(2026, 10, 31))


# --- the figures are the pages' ----------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_the_brief_has_the_overview_figures_of_its_district(store, briefs, lang) -> None:
    brief, _, _ = briefs[lang]
    w = Words(lang)
    scope = Scope.of([DISTRICT])
    total = queries.registration_counts(store, brief.period, scope)
    registrations = int(total["opd_registrations"].iloc[0])
    linked = int(total["abha_linked"].iloc[0])
    name = w.district_names(queries.districts(store))[DISTRICT]
    assert brief.scope_name == name
    assert brief.headlines[0] == registration_headline(
        w, name, brief.period.start, brief.period.end, registrations, linked
    )
    tiles = {tile.key: tile for tile in brief.tiles}
    assert tiles["opd_registrations"].value == w.count(registrations)
    assert tiles["abha_linked"].value == w.count(linked)
    assert tiles["abha_share"].value == w.percent(adoption_rate(linked, registrations))
    assert brief.level == "facility"


def test_the_ranking_is_the_scorecards(store, briefs) -> None:
    brief, _, _ = briefs["en"]
    scope = Scope.of([DISTRICT])
    facilities = queries.facilities(store, scope)
    card = scorecard(
        facilities[["facility_id"]],
        "facility_id",
        queries.registration_counts(store, brief.period, scope, ["facility"]),
        queries.registration_counts(store, brief.previous, scope, ["facility"]),
        brief.target,
    )
    names = Words("en").facility_names(facilities)
    ranked = brief.ranking.iloc[1:]  # the district's own row first
    assert list(ranked["name"]) == [names[f] for f in card["facility_id"]]
    assert list(ranked["band"]) == list(card["band"])
    assert brief.ranking.iloc[0]["name"] == "All of Dakshin Bastar Dantewada"


BASTAR = frozenset({413, 414, 415, 416, 417, 648, 649})


@pytest.mark.parametrize(
    ("role", "allowed", "scope", "expected"),
    [
        ("ministry", None, BriefScope(), [None]),
        ("commissioner", BASTAR, BriefScope(division="Bastar"), sorted(BASTAR)),
        ("collector", frozenset({DISTRICT}), BriefScope(), [DISTRICT]),
        ("collector", frozenset({DISTRICT, 417}), BriefScope(districts=(417,)), [417]),
    ],
)
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_under_every_roles_ceiling_the_figures_are_the_pages(
    store, last_day, role, allowed, scope, expected, lang
) -> None:
    """What the pages show the role for the same scope: the same query under the ceiling."""
    from dataclasses import replace

    week = named_period("last-week", last_day)
    brief = make_brief(store, replace(scope, allowed=allowed), week, lang)
    codes = [] if expected == [None] else expected
    pages = queries.registration_counts(store, week, Scope.of(codes).limited_to(allowed))
    w = Words(lang)
    tiles = {tile.key: tile.value for tile in brief.tiles}
    assert tiles["opd_registrations"] == w.count(int(pages["opd_registrations"].iloc[0]))
    assert tiles["abha_linked"] == w.count(int(pages["abha_linked"].iloc[0]))
    names = w.district_names(queries.districts(store))
    if role == "collector":
        assert brief.scope_name == ", ".join(names[c] for c in expected)
        assert brief.level == "facility"
        allowed_names = set(queries.facilities(store, Scope.of(expected))["facility_id"])
        assert len(brief.ranking) - 1 == len(allowed_names)
    else:
        assert brief.scope_name == ("बस्तर संभाग" if lang == "hi" else "Bastar division")


def test_a_ceiling_refuses_a_district_outside_it(store, last_day) -> None:
    with pytest.raises(BadFilter, match="416"):
        make_brief(
            store,
            BriefScope(districts=(DISTRICT,), allowed=frozenset({414})),
            named_period("last-week", last_day),
            "en",
        )


def test_a_division_and_the_whole_registry_are_named_as_the_app_names_them(store, last_day) -> None:
    week = named_period("last-week", last_day)
    division = make_brief(store, BriefScope(division="bastar"), week, "hi")
    assert division.scope_name == "बस्तर संभाग"
    assert division.level == "district"
    everything = make_brief(store, BriefScope(), week, "en")
    assert everything.scope_name == "Bastar division"
    with pytest.raises(BadFilter, match="Raipur"):
        make_brief(store, BriefScope(division="Raipur"), week, "en")


# --- the PDF -----------------------------------------------------------------------------------
@needs_poppler
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_the_pdf_has_the_districts_figures_and_no_other_district(store, briefs, lang) -> None:
    brief, html, pdf = briefs[lang]
    assert page_count(pdf) == 1
    text = squeezed(pdf_text(pdf))
    w = Words(lang)
    names = w.district_names(queries.districts(store))
    own = squeezed(names[DISTRICT])
    assert own in text
    opd = next(tile.value for tile in brief.tiles if tile.key == "opd_registrations")
    assert opd in text
    if lang == "en":  # a Hindi line's vowel signs come out of pdftotext out of order
        assert squeezed(brief.source) in text
    assert squeezed(brief.freshness.split("·")[0]).split("(")[0][-10:] in text  # its day
    rest = text.replace(own, "")
    html_rest = squeezed(re.sub(r"<[^>]+>", " ", html)).replace(own, "")
    for code, name in names.items():
        if code != DISTRICT:
            assert squeezed(name) not in rest, name
            assert squeezed(name) not in html_rest, name


@needs_poppler
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_the_pdf_as_png_for_a_look(briefs, lang) -> None:
    _, _, pdf = briefs[lang]
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = SHOTS / f"brief_{lang}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-singlefile", "-", str(target)], input=pdf, check=True
    )
    image = Image.open(f"{target}.png")
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.01  # one A4 page


@needs_poppler
def test_devanagari_is_shaped_in_the_pdf(briefs) -> None:
    """The width of a word in the PDF is the shaped width (HarfBuzz, by Pillow with
    libraqm), not the sum of its characters' glyphs: "स्वास्थ्य" is a quarter narrower
    shaped, its half-forms joined."""
    _, _, pdf = briefs["hi"]
    word, size = "स्वास्थ्य", 8.5  # in the facilities' names, in the table (8.5 pt)
    found = re.findall(
        rf'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">{word}</word>',
        pdf_text(pdf, "-bbox"),
    )
    assert found, f"{word} not in the PDF"
    drawn = float(found[0][1]) - float(found[0][0])

    def width(layout: ImageFont.Layout) -> float:
        font = ImageFont.truetype(str(render.font_path()), 100, layout_engine=layout)
        return font.getlength(word) * size / 100

    shaped, unshaped = width(ImageFont.Layout.RAQM), width(ImageFont.Layout.BASIC)
    assert abs(unshaped / shaped - 1) > 0.1  # the check tells the two apart
    assert abs(drawn / shaped - 1) < 0.02, (drawn, shaped, unshaped)


# --- size, and nothing fetched ---------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_the_pdf_and_the_html_are_small(briefs, lang) -> None:
    _, html, pdf = briefs[lang]
    assert len(pdf) < MAX_BYTES
    assert len(html.encode("utf-8")) < MAX_BYTES


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_the_html_fetches_nothing(briefs, lang) -> None:
    _, html, _ = briefs[lang]
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"<script\b", html, re.I)
    assert not re.search(r"<(img|iframe|object|embed)\b", html, re.I)
    assert not re.search(r"url\(\s*(?!['\"]?(?:data:|#))", html, re.I)
    assert not re.search(r"\b(src|href)\s*=\s*(?!['\"]?(?:data:|#))", html, re.I)
    assert not re.search(r"https?://(?!www\.w3\.org/)", html)  # only XML namespaces
    assert "@font-face" in html and "data:font/woff2;base64," in html
    assert "<svg" in html  # the trend, inline


def test_the_embedded_font_is_a_subset_that_still_shapes(briefs) -> None:
    """The page's font holds the glyphs its text needs, and the shaping rules: the word is
    as wide in the subset as in the whole font."""
    import base64

    _, html, _ = briefs["hi"]
    data = re.search(r"data:font/woff2;base64,([A-Za-z0-9+/=]+)", html).group(1)
    subset = base64.b64decode(data)
    assert len(subset) < render.font_path().stat().st_size / 4
    from fontTools.ttLib import TTFont

    plain = io.BytesIO()
    font = TTFont(io.BytesIO(subset))
    font.flavor = None
    font.save(plain)
    plain.seek(0)
    word = "स्वास्थ्य"
    ours = ImageFont.truetype(plain, 100, layout_engine=ImageFont.Layout.RAQM).getlength(word)
    whole = ImageFont.truetype(str(render.font_path()), 100, layout_engine=ImageFont.Layout.RAQM)
    assert abs(ours / whole.getlength(word) - 1) < 0.02


def test_registry_names_are_escaped(store, last_day) -> None:
    week = named_period("last-week", last_day)
    brief = make_brief(store, BriefScope(districts=(DISTRICT,)), week, "en")
    hostile = '<script>alert("x")</script> CHC & <b>Co</b>'
    ranking = brief.ranking.copy()
    ranking.loc[1, "name"] = hostile
    alerts = pd.DataFrame(
        {"Facility": [hostile], "Alert": ["silent for 9 days"], "Since": [date(2026, 10, 3)]}
    )
    from dataclasses import replace

    html = render_html(replace(brief, ranking=ranking, alerts=alerts))
    assert "<script>" not in html and "<b>Co</b>" not in html
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; CHC &amp; &lt;b&gt;Co&lt;/b&gt;" in html
    )
    assert "silent for 9 days" in html and "03-10-2026" in html


def test_without_alerts_the_brief_says_so(briefs) -> None:
    _, html, _ = briefs["en"]
    assert "Open alerts" in html and "No open alerts." in html


# --- the PNG -----------------------------------------------------------------------------------
def test_the_png_is_the_page_for_a_phone(briefs) -> None:
    _, _, pdf = briefs["hi"]
    image = Image.open(io.BytesIO(render_png(pdf)))
    assert image.format == "PNG"
    assert image.size == (1240, 1754) or abs(image.size[0] - 1240) <= 1


def test_the_pages_text_goes_into_the_html(briefs, tmp_path: Path) -> None:
    brief, html, _ = briefs["hi"]
    for line in brief.headlines:
        assert line in html.replace("&#x27;", "'")
    assert brief.freshness in html and brief.source in html


def test_the_state_ranks_its_divisions(two_division_store: str) -> None:
    """Several divisions in the registry: the brief is the state's, its divisions ranked."""
    engine = store_engine(two_division_store)
    january = Period(date(2025, 1, 1), date(2025, 1, 31))
    brief = make_brief(engine, BriefScope(), january, "en")
    assert brief.scope_name == "Chhattisgarh"
    assert brief.level == "division"
    assert set(brief.ranking["name"][1:]) == {"Bastar division", "Raipur division"}
    html = render_html(brief)
    assert "Raipur division" in html and "Divisions ranked" in html
    raipur = make_brief(engine, BriefScope(division="raipur"), january, "hi")
    assert raipur.level == "facility"  # one district: its facilities
    assert list(raipur.ranking["name"][1:]) == ["CHC Test"]


def test_a_full_page_still_fits_on_one_a4_page(briefs) -> None:
    """The most the page lists — the ranking's rows with long names (cut with an ellipsis),
    the first alerts of many — on one page, the rest counted."""
    from dataclasses import replace

    from press.brief import RANKED_ROWS
    from press.brief_page import ALERT_ROWS

    brief, _, _ = briefs["hi"]
    long_name = "सामुदायिक स्वास्थ्य केंद्र बहुत लंबे नाम वाला गाँव जिसका नाम आगे चलता जाता है"
    first = brief.ranking.iloc[[0]]
    others = [
        brief.ranking.iloc[[1]].assign(name=f"{long_name} {n}", rank=n)
        for n in range(1, RANKED_ROWS + 1)
    ]
    alert = (
        "सामुदायिक स्वास्थ्य केंद्र गीदम में 9 दिन से कोई पंजीयन नहीं हुआ है "
        "(अंतिम पंजीयन 22-10-2026; गो-लाइव 01-04-2026)।"
    )
    alerts = pd.DataFrame(
        {
            "क्या": [alert] * (ALERT_ROWS + 3),
            "कहाँ": ["दक्षिण बस्तर दंतेवाड़ा"] * (ALERT_ROWS + 3),
            "कब से": [date(2026, 10, 23)] * (ALERT_ROWS + 3),
        }
    )
    full = replace(
        brief, ranking=pd.concat([first, *others], ignore_index=True), more=30, alerts=alerts
    )
    html = render_html(full)
    assert page_count(render_pdf(html)) == 1
    assert html.count(alert) == ALERT_ROWS
