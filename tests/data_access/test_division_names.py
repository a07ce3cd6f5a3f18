"""The source's optional divisions and states tables give the store the Hindi names of each
district's division and state (issue 18); without rows they stay NULL."""

from __future__ import annotations

import sqlalchemy as sa
from conftest import DEMO_NOW

from data_access import queries
from data_access.contract import source_metadata
from data_access.engines import source_engine, store_engine
from data_access.refresh import refresh


def _refreshed(source_url: str, store_url: str) -> dict[int, tuple]:
    refresh(source_engine(source_url), store_engine(store_url), now=DEMO_NOW)
    districts = queries.districts(store_engine(store_url))
    return {int(row.lgd_code): (row.division_hi, row.state_hi) for row in districts.itertuples()}


def test_hindi_names_of_division_and_state_come_from_the_source(
    worked_source_url: str, store_url: str
) -> None:
    md = source_metadata(with_keys=False)
    engine = sa.create_engine(worked_source_url)
    with engine.begin() as conn:
        conn.execute(md.tables["divisions"].insert(), [{"name": " Bastar ", "name_hi": "बस्तर"}])
        conn.execute(
            md.tables["states"].insert(),
            [
                {"name": "Chhattisgarh", "name_hi": "छत्तीसगढ़"},
                {"name": "Odisha", "name_hi": "ओडिशा"},
            ],
        )
    engine.dispose()
    names = _refreshed(worked_source_url, store_url)
    assert names == {code: ("बस्तर", "छत्तीसगढ़") for code in (414, 416, 649)}


def test_without_them_the_names_are_null(worked_source_url: str, store_url: str) -> None:
    names = _refreshed(worked_source_url, store_url)
    assert set(names.values()) == {(None, None)}
