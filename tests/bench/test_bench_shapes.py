"""The benchmark's scales and their shape (``bench.data.Scale``): ``20m`` is the Bastar
demo at 20 M rows, ``20m-state`` the statewide demo's facilities at 20 M rows, kept apart
on disk and in PostgreSQL, ordered Bastar first, and compared with each other in the
tables' ratio columns and the statewide targets; and a query on the source cancelled by
its statement timeout, recorded without stopping the run. Nothing is generated or timed."""

from __future__ import annotations

import pytest

from bench.data import DEMO_ROWS, STATE_DEMO_ROWS, Scale
from bench.run import parse_args, ratio_pair, state_baselines


def test_a_bare_size_is_the_bastar_shape_as_before() -> None:
    scale = Scale.parse("20m")
    assert (scale.name, scale.rows, scale.shape) == ("20m", 20_000_000, "bastar")
    assert scale.label == "20M"
    assert scale.slug == "20m"
    assert scale.volume_scale == pytest.approx(20_000_000 / DEMO_ROWS)
    assert Scale.parse("0.2m").slug == "0_2m"
    assert Scale.parse("20m-bastar") == scale


def test_the_state_shape_has_its_own_name_data_and_volume_scale() -> None:
    scale = Scale.parse(" 20M-State ")
    assert (scale.name, scale.rows, scale.shape) == ("20m-state", 20_000_000, "state")
    assert scale.label == "20M state"
    assert scale.size == "20m"
    assert scale.slug == "20m_state"
    assert scale.folder.name == "20m-state"
    assert scale.folder != Scale.parse("20m").folder
    assert scale.source_url("postgresql").endswith("/bench_20m_state")
    assert scale.store_url("postgresql").endswith("/bench_20m_state_store")
    assert scale.volume_scale == pytest.approx(20_000_000 / STATE_DEMO_ROWS)
    assert 3.0 < scale.volume_scale < 3.5  # the state demo is about 6.2 M rows at scale 1


@pytest.mark.parametrize("text", ["20m-country", "20m-", "state", "-state", "0m-state"])
def test_unknown_shapes_and_sizes_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Scale.parse(text)


def test_a_run_of_both_shapes_puts_bastar_first_and_compares_state_with_it() -> None:
    args = parse_args(["--scales", "20m-state,20m,20m", "--skip-naive"])
    assert [s.name for s in args.scales] == ["20m", "20m-state"]
    assert ratio_pair(args.scales) == (Scale.parse("20m-state"), Scale.parse("20m"))
    assert state_baselines(args.scales) == [(Scale.parse("20m-state"), Scale.parse("20m"))]
    assert args.naive_scales == [] and args.unindexed_scales == []


def test_without_a_state_scale_the_ratio_is_largest_over_smallest() -> None:
    scales = parse_args(["--scales", "20m,0.2m,2m"]).scales
    assert [s.name for s in scales] == ["0.2m", "2m", "20m"]
    assert ratio_pair(scales) == (Scale.parse("20m"), Scale.parse("0.2m"))
    assert state_baselines(scales) == []
    assert ratio_pair(scales[:1]) is None
    # A statewide scale with no Bastar scale of its rows has no baseline.
    assert state_baselines([Scale.parse("2m"), Scale.parse("20m-state")]) == []


def test_a_bad_scale_is_a_usage_error() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--scales", "20m-country"])


def test_a_source_query_cancelled_by_its_timeout_is_recorded_not_fatal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The statewide PostgreSQL source's raw-row query passed the source connection's
    # statement timeout on a loaded machine and stopped the whole run before its pages.
    import sqlalchemy as sa

    from bench import key_queries

    def cancelled(engine: sa.Engine) -> None:
        raise sa.exc.OperationalError("SELECT", {}, Exception("canceling statement due to …"))

    monkeypatch.setattr(key_queries, "last_day", lambda url: None)
    monkeypatch.setattr(key_queries, "store_queries", lambda last: {})
    monkeypatch.setattr(key_queries, "source_queries", lambda last: {"by district": cancelled})
    timings = key_queries.measure("sqlite://", "sqlite://", runs=1, source_runs=1)
    assert timings == {
        "source: by district": {
            "first": None,
            "median": None,
            "error": "canceling statement due to …",
        }
    }
