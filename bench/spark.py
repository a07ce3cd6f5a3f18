"""The refresh on Spark beside the SQL refresh, at a benchmark scale (docs/performance.md).

    python -m bench.spark --scale 20m [--workers 2] [--skip-sql]

On the scale's PostgreSQL source (``bench.data``): a full refresh by SQL into
``bench_<scale>_store`` and one by Spark, on a standalone cluster of a master and
``--workers`` workers on loopback, into ``bench_<scale>_spark_store``; then every row of
every analytics table of the two stores compared; then one new day added to the source,
refreshed incrementally by both, compared again, and taken out. Prints the times and
their ratios, and writes them to ``data/bench/spark-<time>.json``. Only counts and times
are printed, never a row.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from datetime import datetime
from itertools import zip_longest

import sqlalchemy as sa

from bench.data import (
    BENCH_DIR,
    REFRESH_NOW,
    Scale,
    _pg_url,
    add_new_day,
    create_database,
    ensure_generated,
    ensure_loaded,
    remove_new_day,
)
from bench.spark_cluster import standalone_cluster
from data_access import store as st
from data_access.engines import source_engine, store_engine
from data_access.refresh import RefreshReport, refresh
from data_access.spark_refresh import SparkAggregator, spark_session

ENGINE = "postgresql"


def _rows(conn: sa.Connection, table: sa.Table) -> Iterator[tuple]:
    query = sa.select(table)
    if table is st.refresh_state:
        query = query.where(table.c.key != "refreshed_at")
    ordered = query.order_by(*(sa.nulls_first(c) for c in table.columns))
    yield from conn.execution_options(stream_results=True, yield_per=50_000).execute(ordered)


def compare_stores(a_url: str, b_url: str) -> dict[str, int]:
    """Every row of every table, in order, streamed from both stores: the rows per table
    when all are equal; raises AssertionError at the first difference (its table only)."""
    a, b = store_engine(a_url), store_engine(b_url)
    counts: dict[str, int] = {}
    try:
        with a.connect() as ca, b.connect() as cb:
            for table in st.STORE.sorted_tables:
                n = 0
                for left, right in zip_longest(_rows(ca, table), _rows(cb, table)):
                    if left != right:
                        raise AssertionError(f"{table.name} differs at row {n + 1}")
                    n += 1
                counts[table.name] = n
    finally:
        a.dispose()
        b.dispose()
    return counts


def _refresh(
    source_url: str, store_url: str, now: datetime, aggregator_of=None, full: bool = False
) -> RefreshReport:  # type: ignore[no-untyped-def]
    source, store = source_engine(source_url), store_engine(store_url)
    try:
        aggregator = aggregator_of(source) if aggregator_of else None
        return refresh(source, store, now=now, full=full, aggregator=aggregator)
    finally:
        source.dispose()
        store.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="20m")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-sql", action="store_true", help="reuse the SQL-built store")
    args = parser.parse_args(argv)
    scale = Scale.parse(args.scale)
    generated = ensure_generated(scale)
    ensure_loaded(scale, regenerated=not generated.get("reused"))
    source_url = scale.source_url(ENGINE)
    sql_store, spark_store = scale.store_url(ENGINE), _pg_url(f"bench_{scale.slug}_spark_store")
    create_database(sql_store)
    create_database(spark_store, drop=True)
    result: dict = {"scale": scale.label, "rows": generated["rows"], "workers": args.workers}

    if not args.skip_sql:
        report = _refresh(source_url, sql_store, REFRESH_NOW, full=True)
        result["sql_full_seconds"] = report.seconds
        print(f"SQL full refresh: {report.seconds:.1f} s", flush=True)

    started = time.perf_counter()
    with standalone_cluster(workers=args.workers, cores=1, memory="2g") as cluster:
        spark = spark_session(cluster.master_url)
        result["cluster_start_seconds"] = time.perf_counter() - started

        def on_spark(source: sa.Engine) -> SparkAggregator:
            return SparkAggregator(spark, source)

        try:
            report = _refresh(source_url, spark_store, REFRESH_NOW, on_spark, full=True)
            result["spark_full_seconds"] = report.seconds
            result["windows"] = len(report.ranges) + 1
            print(f"Spark full refresh: {report.seconds:.1f} s", flush=True)
            t = time.perf_counter()
            result["tables"] = compare_stores(sql_store, spark_store)
            result["compare_seconds"] = time.perf_counter() - t
            print(f"identical: {result['tables']}", flush=True)

            new_day, added = add_new_day(source_url)
            try:
                end = datetime.combine(new_day, datetime.max.time()).replace(microsecond=0)
                by_sql = _refresh(source_url, sql_store, end)
                by_spark = _refresh(source_url, spark_store, end, on_spark)
                compare_stores(sql_store, spark_store)
                result["new_day"] = {
                    "rows": added,
                    "days_refreshed": by_spark.days,
                    "sql_seconds": by_sql.seconds,
                    "spark_seconds": by_spark.seconds,
                }
                print(f"one new day: {result['new_day']}", flush=True)
            finally:
                remove_new_day(source_url, new_day)
                _refresh(source_url, sql_store, REFRESH_NOW)
                _refresh(source_url, spark_store, REFRESH_NOW, on_spark)
        finally:
            spark.stop()
    if "sql_full_seconds" in result:
        result["full_ratio_spark_to_sql"] = (
            result["spark_full_seconds"] / result["sql_full_seconds"]
        )
    out = BENCH_DIR / f"spark-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
