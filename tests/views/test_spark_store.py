"""The dashboard on the analytics store that the Spark refresh filled shows the same
pages and figures as on the store the SQL refresh filled (dirty rows of every kind)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import DEMO_NOW, two_refreshes
from views_helpers import FILTER_STATES, open_page

SHOWN = ("views/overview.py", "views/map.py", "views/trends.py", "views/comparison.py",
         "views/facility.py", "views/data_quality.py")  # fmt: skip
"""The pages that show figures (the Press kit's are its charts' data, checked by the
store's identity; About and System show none)."""


def what_the_page_shows(page: str, params: dict[str, str]) -> dict[str, object]:
    at = open_page(page, params)
    assert not at.exception, at.exception
    frames = [el.value for el in at.dataframe]
    return {
        "metrics": [(m.label, m.value, m.proto.delta) for m in at.metric],
        "tables": [f.reset_index(drop=True) for f in frames if isinstance(f, pd.DataFrame)],
        "warnings": [w.value for w in at.warning],
        "errors": [e.value for e in at.error],
    }


STATES = ("whole division", "one district", "one facility")


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_pages_on_the_spark_store_show_the_same_figures(
    dirty_source_url: str, tmp_path: Path, spark, monkeypatch: pytest.MonkeyPatch
) -> None:
    (sql_store, spark_store), _, _ = two_refreshes(dirty_source_url, tmp_path, spark, DEMO_NOW)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("EHOSPITAL_DATA_DIR", str(tmp_path / "data"))
    tables_compared = 0
    for state, page in ((state, page) for state in STATES for page in SHOWN):
        params = FILTER_STATES[state]
        monkeypatch.setenv("ANALYTICS_DB_URL", sql_store)
        by_sql = what_the_page_shows(page, params)
        monkeypatch.setenv("ANALYTICS_DB_URL", spark_store)
        by_spark = what_the_page_shows(page, params)
        assert by_spark["metrics"] == by_sql["metrics"], page
        assert len(by_spark["tables"]) == len(by_sql["tables"]), page
        for got, expected in zip(by_spark["tables"], by_sql["tables"], strict=True):
            pd.testing.assert_frame_equal(got, expected, obj=page)
            tables_compared += 1
        assert (by_spark["warnings"], by_spark["errors"]) == (by_sql["warnings"], by_sql["errors"])
        if page == "views/overview.py":
            # figures were compared, not two empty pages
            assert any(value != "0" for _, value, _ in by_sql["metrics"]), by_sql["metrics"]
    assert tables_compared >= len(STATES) * 3, "the pages' tables were compared"
