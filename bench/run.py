"""The performance benchmark of issue 6, in one command (see docs/performance.md).

    .venv/bin/python -m bench.run [--scales 0.2m,2m,20m] [--engines sqlite,postgresql]
                                  [--runs 5] [--regenerate] [--skip-…]

Generates the demo at each scale (registrations grow, the 49 facilities stay; a scale
written ``20m-state`` is the statewide demo's 175 facilities at 20 M rows, measured beside
the Bastar-shaped ``20m``), loads it into PostgreSQL, refreshes the analytics store from
each engine, and prints side by side: data sizes, refresh times (full and one new day), the
same refresh from a copy of the source without the recommended indexes, the key queries from
the store and from the source, every page's server-side render time cold and warm, the naive
pandas baseline for the Overview's figures with its peak memory, the server's resident
memory with browser sessions open, and every page's weight in bytes on the wire (first and
repeat visit, straight from the server and behind the documented nginx) — with the ratios
the issues set as targets. Generated data is kept under data/bench/ and in the PostgreSQL
databases bench_<scale>[_unindexed][_store], and reused by later runs. The figures are also
written to data/bench/results-<time>.json.

Only counts and timings are printed, never a row.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a file: python bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench import (  # noqa: E402
    data,
    key_queries,
    overview_figures,
    page_weight,
    report,
    server_memory,
)
from bench.data import ENGINES, Scale  # noqa: E402
from bench.report import count, megabytes, ratio, seconds, table, verdict  # noqa: E402
from data_access.config import PROJECT_ROOT  # noqa: E402

SHORT = {"sqlite": "SQLite", "postgresql": "PG"}
TARGETS = {
    "page_warm": 0.5,
    "page_cold": 2.0,
    "page_growth": 1.5,
    "naive_speed": 100,
    "naive_memory": 5,
    "new_day": 2.0,
    "full_refresh_20m": {"sqlite": 180.0, "postgresql": 60.0},
    "state_full_refresh": 1.5,
    "unindexed_full": 3.0,
    "server_rss": 500 * report.MB,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument(
        "--scales",
        default="0.2m,2m,20m",
        help="registration rows per scale; '-state' after one (20m-state) makes it the "
        "statewide demo's facilities instead of Bastar's",
    )
    parser.add_argument("--engines", default=",".join(ENGINES), help="sqlite and/or postgresql")
    parser.add_argument("--runs", type=int, default=5, help="warm runs per page and query")
    parser.add_argument(
        "--source-runs", type=int, default=1, help="runs of each query on the source"
    )
    parser.add_argument("--regenerate", action="store_true", help="make the data anew")
    parser.add_argument(
        "--naive-scales",
        help="scales of the naive baseline (default: the chosen ones up to 2m)",
    )
    parser.add_argument(
        "--server-scale", help="scale of the server memory test (default: the largest)"
    )
    parser.add_argument("--sessions", type=int, default=5, help="browser sessions on the server")
    parser.add_argument(
        "--skip-refresh",
        action="store_true",
        help="reuse stores already built from the same data; no refresh timings",
    )
    parser.add_argument(
        "--unindexed-scales",
        help="scales of the refresh without the recommended indexes (default: the chosen "
        "ones up to 2m)",
    )
    parser.add_argument(
        "--skip-unindexed",
        action="store_true",
        help="leave out the refresh without the recommended indexes",
    )
    for part in ("queries", "pages", "naive", "server"):
        parser.add_argument(f"--skip-{part}", action="store_true", help=f"leave out the {part}")
    parser.add_argument(
        "--skip-page-weight", action="store_true", help="leave out the pages' bytes on the wire"
    )
    args = parser.parse_args(argv)
    try:
        args.scales = sorted(
            {Scale.parse(s) for s in args.scales.split(",") if s.strip()},
            key=lambda s: s.sort_key,
        )
    except ValueError as exc:
        parser.error(str(exc))
    if not args.scales:
        parser.error("no scale given")
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(args.engines) - set(ENGINES)
    if unknown:
        parser.error(
            f"unknown engine(s) {', '.join(sorted(unknown))}; choose from sqlite,postgresql"
        )
    if args.naive_scales is None:
        args.naive_scales = [s for s in args.scales if s.rows <= 2_000_000]
    else:
        args.naive_scales = [Scale.parse(s) for s in args.naive_scales.split(",")]
    if args.unindexed_scales is None:
        args.unindexed_scales = [s for s in args.scales if s.rows <= 2_000_000]
    else:
        args.unindexed_scales = [Scale.parse(s) for s in args.unindexed_scales.split(",")]
    args.server_scale = Scale.parse(args.server_scale) if args.server_scale else args.scales[-1]
    return args


def ratio_pair(scales: list[Scale]) -> tuple[Scale, Scale] | None:
    """The two scales the tables' ratio columns compare, (numerator, denominator): a
    statewide scale and the Bastar-shaped one of the same rows when the run has both (the
    first such pair), else the largest scale and the smallest; None with one scale."""
    if len(scales) < 2:
        return None
    for state in scales:
        if state.shape == "state":
            same = [s for s in scales if s.shape == "bastar" and s.rows == state.rows]
            if same:
                return state, same[0]
    return scales[-1], scales[0]


def state_baselines(scales: list[Scale]) -> list[tuple[Scale, Scale]]:
    """Each statewide scale with the Bastar-shaped scale of the same rows, when the run
    has it: the pairs of the statewide targets."""
    bastar = {s.rows: s for s in scales if s.shape == "bastar"}
    return [(s, bastar[s.rows]) for s in scales if s.shape == "state" and s.rows in bastar]


class Bench:
    """One run: what it measured so far (``results``), printed section by section."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.scales: list[Scale] = args.scales
        self.engines: list[str] = args.engines
        self.results: dict = {
            "started": datetime.now().isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "scales": {s.name: {"rows_target": s.rows, "shape": s.shape} for s in self.scales},
            "engines": self.engines,
            "runs": args.runs,
            "code": code_version(),
        }
        data.BENCH_DIR.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.out = data.BENCH_DIR / f"results-{stamp}.json"

    # --- helpers ----------------------------------------------------------------------------------
    def save(self) -> None:
        self.out.write_text(json.dumps(self.results, indent=1, default=str))

    def section(self, name: str) -> dict:
        self.results.setdefault(name, {})
        self.results[name]["load_average_at_start"] = os.getloadavg()
        return self.results[name]

    def columns(self) -> list[tuple[Scale, str]]:
        return [(s, e) for s in self.scales for e in self.engines]

    def header(self, first: str, growth: bool = True) -> list[str]:
        cells = [first, *(f"{s.label} {SHORT[e]}" for s, e in self.columns())]
        pair = ratio_pair(self.scales)
        if growth and pair:
            big, small = pair[0].label, pair[1].label
            cells += [f"{big}/{small} {SHORT[e]}" for e in self.engines]
        return cells

    def growth(self, values: dict[tuple[str, str], float | None]) -> list[str]:
        pair = ratio_pair(self.scales)
        if not pair:
            return []
        big, small = pair[0].name, pair[1].name
        return [ratio(values.get((big, e)), values.get((small, e))) for e in self.engines]

    def row(self, label: str, values: dict, show=seconds, growth: bool = True) -> list[str]:
        cells = [label, *(show(values.get((s.name, e))) for s, e in self.columns())]
        return cells + (self.growth(values) if growth else [])

    # --- data -------------------------------------------------------------------------------------
    def prepare_data(self) -> None:
        part = self.section("data")
        print(f"Preparing data under {data.BENCH_DIR} …", flush=True)
        for scale in self.scales:
            print(f"  {scale.label}: the registrations (SQLite) …", flush=True)
            generated = data.ensure_generated(scale, self.args.regenerate)
            entry = {"generated": generated}
            if "postgresql" in self.engines:
                print(f"  {scale.label}: the registrations in PostgreSQL …", flush=True)
                entry["postgresql_load"] = data.ensure_loaded(scale, generated["reused"] is False)
            entry["source_bytes"] = {e: data.source_size(scale, e) for e in self.engines}
            part[scale.name] = entry
            self.results["scales"][scale.name]["rows"] = generated["rows"]
            self.results["scales"][scale.name]["volume_scale"] = scale.volume_scale
            self.results["scales"][scale.name]["facilities"] = generated.get("facilities")
        self.save()

    def refresh(self) -> None:
        part = self.section("refresh")
        for scale in self.scales:
            for engine in self.engines:
                key = f"{scale.name} {engine}"
                current = data.store_is_current(scale, engine)
                entry: dict = {}
                if not (self.args.skip_refresh and current):
                    print(f"Full refresh {key} …", flush=True)
                    refreshed = data.full_refresh(scale.source_url(engine), scale.store_url(engine))
                    entry["full"] = {
                        "seconds": refreshed.seconds,
                        "registrations": refreshed.registrations,
                        "windows": len(refreshed.ranges) + 1,
                    }
                if not self.args.skip_refresh:
                    print(f"One new day {key} …", flush=True)
                    entry["new_day"] = data.one_new_day(
                        scale.source_url(engine), scale.store_url(engine)
                    )
                entry["store"] = data.store_size(scale.store_url(engine))
                part[key] = entry
                self.save()
        self.print_data()
        self.print_refresh()

    def print_data(self) -> None:
        part, refreshed = self.results["data"], self.results["refresh"]
        rows_by_scale = {s.name: self.results["scales"][s.name]["rows"] for s in self.scales}

        def per_scale(label: str, value, show=seconds) -> list[str]:  # type: ignore[no-untyped-def]
            return self.row(label, {(s.name, e): value(s, e) for s, e in self.columns()}, show)

        def store(s: Scale, e: str) -> dict:
            return refreshed[f"{s.name} {e}"]["store"]

        def load(s: Scale, e: str) -> float | None:
            entry = part[s.name].get("postgresql_load", {})
            return entry.get("seconds") if e == "postgresql" else None

        def facilities(s: Scale, e: str) -> int | None:
            generated = part[s.name]["generated"]
            if generated.get("facilities") is None:
                return None
            return generated["facilities"] - generated.get("facilities_not_live", 0)

        rows = [
            per_scale("registration rows", lambda s, e: rows_by_scale[s.name], count),
            per_scale("facilities with registrations", facilities, count),
            per_scale(
                "generated in, s (SQLite file)", lambda s, e: part[s.name]["generated"]["seconds"]
            ),
            per_scale("loaded into PostgreSQL in, s", load),
            per_scale(
                "registration database size",
                lambda s, e: part[s.name].get("source_bytes", {}).get(e),
                megabytes,
            ),
            per_scale("analytics store size", lambda s, e: store(s, e)["bytes"], megabytes),
        ]
        for table_name in data.SUMMARY_TABLES:
            rows.append(
                per_scale(
                    f"{table_name.name} rows",
                    lambda s, e, t=table_name.name: store(s, e)["rows"][t],
                    count,
                )
            )
        reused = [s.name for s in self.scales if part[s.name]["generated"]["reused"]]
        title = "data" + (f" (reused from an earlier run: {', '.join(reused)})" if reused else "")
        print(table(title, self.header("figure"), rows))

    def print_refresh(self) -> None:
        part = self.results["refresh"]
        biggest = max(
            (s for s in self.scales if s.shape == "bastar"), key=lambda s: s.rows, default=None
        )

        def value(path: tuple[str, str]):  # type: ignore[no-untyped-def]
            return {
                (s.name, e): part[f"{s.name} {e}"].get(path[0], {}).get(path[1])
                for s, e in self.columns()
            }

        full, new_day = value(("full", "seconds")), value(("new_day", "seconds"))
        rates = {
            k: (self.results["scales"][k[0]]["rows"] / v if v else None) for k, v in full.items()
        }
        rows = [
            self.row("full refresh, s", full),
            self.row("  raw rows a second", rates, count_or_dash, growth=False),
            self.row("one new day, incremental, s", new_day),
            self.row(
                "  days re-aggregated",
                value(("new_day", "days_refreshed")),
                count_or_dash,
                growth=False,
            ),
            self.row(
                "  rows of the new day", value(("new_day", "rows")), count_or_dash, growth=False
            ),
            self.row("  taking the day out again, s", value(("new_day", "restore_seconds"))),
        ]
        print(table("refresh (source and store on the same engine)", self.header("step"), rows))
        for engine in self.engines:
            target = TARGETS["full_refresh_20m"][engine]
            if biggest is None or biggest.rows < 20_000_000:
                break
            got = full.get((biggest.name, engine))
            if got is not None:
                print(
                    f"  target: full refresh of 20M from {SHORT[engine]} ≤ {target:.0f} s: "
                    f"{seconds(got)} s, {ratio(got, target)} the target "
                    f"{verdict(got <= target)}"
                )
        limit = TARGETS["state_full_refresh"]
        for state, bastar in state_baselines(self.scales):
            for engine in self.engines:
                got, base = full.get((state.name, engine)), full.get((bastar.name, engine))
                if got is None or not base:
                    continue
                print(
                    f"  target: full refresh of {state.label} from {SHORT[engine]} ≤ ×{limit} "
                    f"the {bastar.label} (Bastar) one: {seconds(got)} s against "
                    f"{seconds(base)} s, ×{got / base:.2f} {verdict(got <= limit * base)}"
                )
        worst = max((v for v in new_day.values() if v is not None), default=None)
        if worst is not None:
            print(
                f"  target: one new day ≤ {TARGETS['new_day']:.0f} s: slowest {seconds(worst)} s "
                f"{verdict(worst <= TARGETS['new_day'])}"
            )

    # --- the refresh without the recommended indexes ----------------------------------------------
    def unindexed(self) -> None:
        """For each scale of ``--unindexed-scales`` and engine: a copy of the source without
        the indexes, a full refresh from it into a store of its own and one new day, timed
        beside the same on the indexed source; then the two stores compared row for row."""
        part = self.section("unindexed")
        refreshed = self.results.get("refresh", {})
        for scale in self.args.unindexed_scales:
            if scale.name not in self.results["scales"]:
                continue
            prepared = self.results["data"][scale.name]
            for engine in self.engines:
                key = f"{scale.name} {engine}"
                made_anew = not prepared["generated"]["reused"] or (
                    engine == "postgresql" and not prepared["postgresql_load"]["reused"]
                )
                print(f"Source without the indexes {key} …", flush=True)
                entry: dict = {"copy": data.ensure_unindexed(scale, engine, made_anew)}
                indexed = refreshed.get(key, {})
                if "full" in indexed and "new_day" in indexed:
                    entry["indexed"] = {
                        "full": indexed["full"],
                        "new_day": indexed["new_day"],
                        "measured": "refresh section",
                    }
                else:
                    print(f"Full refresh {key} (with the indexes) …", flush=True)
                    entry["indexed"] = {
                        **self._full_and_new_day(scale.source_url(engine), scale.store_url(engine)),
                        "measured": "this section",
                    }
                    entry["indexed"]["store"] = data.store_size(scale.store_url(engine))
                print(f"Full refresh {key} without the indexes …", flush=True)
                source = scale.source_url(engine, unindexed=True)
                store = scale.store_url(engine, unindexed=True)
                entry["unindexed"] = self._full_and_new_day(source, store)
                entry["unindexed"]["store"] = data.store_size(store)
                print(f"Comparing the stores {key} …", flush=True)
                started = time.perf_counter()
                entry["tables"] = data.compare_stores(scale.store_url(engine), store)
                entry["compare_seconds"] = time.perf_counter() - started
                entry["same_tables"] = data.stores_identical(entry["tables"])
                for name, found in entry["tables"].items():
                    if "only_first" in found:
                        print(
                            f"  {name} differs: {found['only_first']:,} rows only with the "
                            f"indexes, {found['only_second']:,} only without",
                            flush=True,
                        )
                with_, without = entry["indexed"]["full"], entry["unindexed"]["full"]
                entry["full_ratio"] = without["seconds"] / with_["seconds"]
                entry["new_day_ratio"] = (
                    entry["unindexed"]["new_day"]["seconds"]
                    / entry["indexed"]["new_day"]["seconds"]
                )
                part[key] = entry
                self.save()
        self.print_unindexed()

    @staticmethod
    def _full_and_new_day(source_url: str, store_url: str) -> dict:
        report = data.full_refresh(source_url, store_url)
        return {
            "full": {
                "seconds": report.seconds,
                "registrations": report.registrations,
                "windows": len(report.ranges) + 1,
            },
            "new_day": data.one_new_day(source_url, store_url),
        }

    def print_unindexed(self) -> None:
        part = self.results["unindexed"]
        keys = [
            (s, e)
            for s in self.args.unindexed_scales
            for e in self.engines
            if f"{s.name} {e}" in part
        ]
        if not keys:
            return
        entries = [part[f"{s.name} {e}"] for s, e in keys]

        def cells(label: str, value, show=seconds) -> list[str]:  # type: ignore[no-untyped-def]
            return [label, *(show(value(entry)) for entry in entries)]

        def full_ratio(entry: dict) -> str:
            with_, without = entry["indexed"]["full"], entry["unindexed"]["full"]
            ok = entry["full_ratio"] <= TARGETS["unindexed_full"]
            return f"{ratio(without['seconds'], with_['seconds'])} {verdict(ok)}"

        rows = [
            cells("full refresh, indexed, s", lambda e: e["indexed"]["full"]["seconds"]),
            cells("full refresh, unindexed, s", lambda e: e["unindexed"]["full"]["seconds"]),
            cells(f"  unindexed/indexed (≤ ×{TARGETS['unindexed_full']:.0f})", full_ratio, str),
            cells(
                "  windows read, indexed / unindexed",
                lambda e: (
                    f"{e['indexed']['full'].get('windows', '–')} / "
                    f"{e['unindexed']['full']['windows']}"
                ),
                str,
            ),
            cells("one new day, indexed, s", lambda e: e["indexed"]["new_day"]["seconds"]),
            cells("one new day, unindexed, s", lambda e: e["unindexed"]["new_day"]["seconds"]),
            cells(
                "  unindexed/indexed",
                lambda e: ratio(
                    e["unindexed"]["new_day"]["seconds"], e["indexed"]["new_day"]["seconds"]
                ),
                str,
            ),
            cells(
                "  days re-aggregated, indexed / unindexed",
                lambda e: (
                    f"{e['indexed']['new_day']['days_refreshed']} / "
                    f"{e['unindexed']['new_day']['days_refreshed']}"
                ),
                str,
            ),
            cells(
                "  taking the day out again, unindexed, s",
                lambda e: e["unindexed"]["new_day"]["restore_seconds"],
            ),
            cells("same tables", lambda e: "yes" if e["same_tables"] else "NO", str),
            cells(
                "unindexed copy made in, s",
                lambda e: "reused" if e["copy"]["reused"] else seconds(e["copy"]["seconds"]),
                str,
            ),
        ]
        measured = {entry["indexed"]["measured"] for entry in entries}
        where = (
            "the refresh section above"
            if measured == {"refresh section"}
            else "refreshed again in this section"
            if measured == {"this section"}
            else "from the refresh section above or refreshed again here"
        )
        header = ["step", *(f"{s.label} {SHORT[e]}" for s, e in keys)]
        print(
            table(
                f"refresh without the recommended indexes (indexed figures: {where})",
                header,
                rows,
            )
        )
        worst = max(entries, key=lambda entry: entry["full_ratio"])
        print(
            f"  target: full refresh without the indexes ≤ ×{TARGETS['unindexed_full']:.0f} "
            f"the indexed time: at most ×{worst['full_ratio']:.2f} "
            f"{verdict(worst['full_ratio'] <= TARGETS['unindexed_full'])}; stores identical: "
            f"{'yes' if all(entry['same_tables'] for entry in entries) else 'NO'}"
        )

    # --- key queries ------------------------------------------------------------------------------
    def queries(self) -> None:
        part = self.section("queries")
        for scale in self.scales:
            for engine in self.engines:
                print(f"Key queries {scale.name} {engine} …", flush=True)
                part[f"{scale.name} {engine}"] = key_queries.measure(
                    scale.source_url(engine),
                    scale.store_url(engine),
                    self.args.runs,
                    self.args.source_runs,
                )
                self.save()
        names = list(part[f"{self.scales[0].name} {self.engines[0]}"])
        rows = []
        for name in names:
            medians = {
                (s.name, e): part[f"{s.name} {e}"][name]["median"] for s, e in self.columns()
            }
            firsts = {(s.name, e): part[f"{s.name} {e}"][name]["first"] for s, e in self.columns()}
            rows.append(self.row(name + ", median s", medians))
            rows.append(self.row("  first (new connection), s", firsts, growth=False))
        print(table("key queries (data_access.queries)", self.header("query"), rows))
        for s, e in self.columns():
            for name, timing in part[f"{s.name} {e}"].items():
                if timing.get("error"):
                    print(f"  {name} on {s.label} {SHORT[e]}: cancelled ({timing['error']})")

    # --- pages ------------------------------------------------------------------------------------
    def pages(self) -> None:
        part = self.section("pages")
        log = data.BENCH_DIR / "pages.log"
        for scale in self.scales:
            for engine in self.engines:
                print(f"Pages {scale.name} {engine} …", flush=True)
                store_url = scale.store_url(engine)
                with log.open("ab") as errors:
                    done = subprocess.run(
                        [
                            *(sys.executable, "-m", "bench.page_render"),
                            *("--runs", str(self.args.runs), "--store", store_url, "--json"),
                        ],
                        cwd=PROJECT_ROOT,
                        env=data.app_environment(store_url),
                        stdout=subprocess.PIPE,
                        stderr=errors,
                        check=False,
                    )
                if done.returncode != 0:
                    raise SystemExit(
                        f"bench.page_render failed on {scale.name} {engine}; see {log}"
                    )
                part[f"{scale.name} {engine}"] = json.loads(done.stdout)
                self.save()
        self.print_pages()

    def print_pages(self) -> None:
        part = self.results["pages"]
        first = part[f"{self.scales[0].name} {self.engines[0]}"]["pages"]
        keys = [(p["page"], p["state"]) for p in first]

        def lookup(s: Scale, e: str) -> dict:
            return {(p["page"], p["state"]): p for p in part[f"{s.name} {e}"]["pages"]}

        found = {(s.name, e): lookup(s, e) for s, e in self.columns()}
        rows = []
        for key in keys:
            cold = {k: v[key]["cold"] for k, v in found.items()}
            warm = {k: v[key]["warm"] for k, v in found.items()}
            cells = [f"{key[0]}, {key[1]}"]
            cells += [f"{seconds(cold[k])} / {seconds(warm[k])}" for k in cold]
            if len(self.scales) > 1:
                cells += [
                    f"{c} / {w}" for c, w in zip(self.growth(cold), self.growth(warm), strict=True)
                ]
            rows.append(cells)
        first_render = {k: part[f"{k[0]} {k[1]}"]["process_first_render"] for k in found}
        rows.append(self.row("first render in the process", first_render))
        print(
            table(
                "pages, server-side (AppTest): cold / warm, s", self.header("page, filters"), rows
            )
        )
        self.print_page_targets(found)

    def print_page_targets(self, found: dict) -> None:
        """Warm and cold at the largest Bastar-shaped scale (and its growth from the smallest
        one) and at every statewide scale (and, for information, its warm time against the
        Bastar-shaped scale of the same rows)."""
        bastar = [s for s in self.scales if s.shape == "bastar"]
        targets: list[tuple[Scale, Scale | None, bool]] = []
        if bastar:
            big, small = bastar[-1], bastar[0]
            targets.append((big, small if small is not big else None, True))
        same_rows = dict(state_baselines(self.scales))
        targets += [(s, same_rows.get(s), False) for s in self.scales if s.shape == "state"]
        for engine in self.engines:
            for big, base_scale, growth_target in targets:
                print(self._page_target_line(found, engine, big, base_scale, growth_target))

    @staticmethod
    def _page_target_line(
        found: dict, engine: str, big: Scale, small: Scale | None, growth_target: bool
    ) -> str:
        pages = found[(big.name, engine)]
        warm = max(pages.values(), key=lambda p: p["warm"])
        cold = max(pages.values(), key=lambda p: p["cold"])
        line = (
            f"  targets at {big.label} {SHORT[engine]}: slowest warm {seconds(warm['warm'])} s "
            f"({warm['page']}, {warm['state']}; ≤ {TARGETS['page_warm']}) "
            f"{verdict(warm['warm'] <= TARGETS['page_warm'])}; slowest cold "
            f"{seconds(cold['cold'])} s ({cold['page']}, {cold['state']}; "
            f"≤ {TARGETS['page_cold']:.0f}) {verdict(cold['cold'] <= TARGETS['page_cold'])}"
        )
        if small is not None:
            base = found[(small.name, engine)]
            growth = {
                k: p["warm"] / base[k]["warm"]
                for k, p in pages.items()
                if k in base and base[k]["warm"]
            }
            if growth:
                worst = max(growth, key=growth.__getitem__)
                line += (
                    f"; warm {big.label}/{small.label} at most ×{growth[worst]:.1f} "
                    f"({worst[0]}, {worst[1]}"
                )
                if growth_target:
                    line += (
                        f"; ≤ ×{TARGETS['page_growth']}) "
                        f"{verdict(growth[worst] <= TARGETS['page_growth'])}"
                    )
                else:
                    line += "; no target)"
        return line

    # --- the naive baseline -----------------------------------------------------------------------
    def naive(self) -> None:
        part = self.section("naive")
        for scale in self.args.naive_scales:
            if scale.name not in self.results["scales"]:
                continue
            for engine in self.engines:
                print(f"Naive baseline {scale.name} {engine} …", flush=True)
                first, last = _default_period(scale.store_url(engine))
                part[f"{scale.name} {engine}"] = {
                    "period": [str(first), str(last)],
                    "naive": overview_figures.measure(
                        "naive", scale.source_url(engine), first, last
                    ),
                    "ours": overview_figures.measure("ours", scale.store_url(engine), first, last),
                }
                self.save()
        rows = []
        for key, entry in part.items():
            if key == "load_average_at_start":
                continue
            naive, ours = entry["naive"], entry["ours"]
            rows.append(
                [
                    key,
                    seconds(naive["seconds"]),
                    megabytes(naive["peak_rss_bytes"]),
                    seconds(ours["seconds"]),
                    megabytes(ours["peak_rss_bytes"]),
                    ratio(naive["seconds"], ours["seconds"]),
                    ratio(naive["peak_rss_bytes"], ours["peak_rss_bytes"]),
                    ratio(
                        naive["peak_rss_bytes"] - naive["rss_after_imports_bytes"],
                        ours["peak_rss_bytes"] - ours["rss_after_imports_bytes"],
                    ),
                    count(naive["registrations"] - ours["registrations"]),
                    verdict(
                        naive["seconds"] >= TARGETS["naive_speed"] * ours["seconds"]
                        and naive["peak_rss_bytes"]
                        >= TARGETS["naive_memory"] * ours["peak_rss_bytes"]
                    )
                    if key.startswith("2m ")
                    else "",
                ]
            )
        header = [
            "scale, engine",
            "naive s",
            "naive peak RSS",
            "ours s",
            "ours peak RSS",
            "naive/ours time",
            "naive/ours memory",
            "same, above imports",
            "naive − ours rows",
            "",
        ]
        print(
            table("the Overview's figures by district, default period: naive vs ours", header, rows)
        )
        print(
            f"  targets at 2M: naive/ours time ≥ ×{TARGETS['naive_speed']}, "
            f"memory ≥ ×{TARGETS['naive_memory']} (ours ≤ 1/{TARGETS['naive_memory']} of naive)"
        )

    # --- the server -------------------------------------------------------------------------------
    def server(self) -> None:
        part = self.section("server")
        scale = self.args.server_scale
        rows = []
        for engine in self.engines:
            print(
                f"Server memory {scale.name} {engine}, {self.args.sessions} sessions …", flush=True
            )
            measured = server_memory.measure(
                data.app_environment(scale.store_url(engine)),
                self.args.sessions,
                data.BENCH_DIR / "server.log",
            )
            part[f"{scale.name} {engine}"] = measured
            self.save()
            rows.append(
                [
                    f"{scale.label} {SHORT[engine]}",
                    measured["sessions"],
                    megabytes(measured["rss_at_start_bytes"]),
                    megabytes(measured["peak_rss_bytes"]),
                    megabytes(measured["rss_bytes"]),
                    seconds(measured["seconds"]),
                    ratio(measured["peak_rss_bytes"], TARGETS["server_rss"]),
                    verdict(measured["peak_rss_bytes"] <= TARGETS["server_rss"]),
                ]
            )
        header = [
            "store",
            "sessions",
            "RSS at start",
            "peak RSS",
            "RSS at end",
            "visits took, s",
            "peak/500 MB",
            "",
        ]
        print(
            table(
                "dashboard server memory (streamlit run app.py, every page in every session)",
                header,
                rows,
            )
        )

    # --- page weight ------------------------------------------------------------------------------
    def page_weight(self) -> None:
        """Every page's bytes on the wire, first and repeat visit, direct and behind nginx
        (bench/page_weight.py), on the server memory test's store."""
        part = self.section("page_weight")
        scale, engine = self.args.server_scale, self.engines[0]
        print(f"Page weight {scale.name} {engine} …", flush=True)
        with tempfile.TemporaryDirectory(prefix="page-weight-") as folder:
            measured = page_weight.measure(
                data.app_environment(scale.store_url(engine)),
                Path(folder),
                data.BENCH_DIR / "server.log",
            )
        part[f"{scale.name} {engine}"] = measured
        self.save()
        print(page_weight.tables(measured))


def code_version() -> dict[str, object]:
    """The commit measured, and which of the data layer's files differ from it."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted": git(
            "diff", "--name-only", "HEAD", "--", "data_access", "ui", "views"
        ).splitlines(),
    }


def count_or_dash(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _default_period(store_url: str) -> tuple:
    """The pages' default period: the last 90 days of data."""
    from datetime import timedelta

    last = key_queries.last_day(store_url)
    return last - timedelta(days=89), last


def _check_postgres(engines: list[str]) -> None:
    if "postgresql" not in engines:
        return
    engine = sa.create_engine(data.PG_ADMIN_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise SystemExit(
            f"PostgreSQL at {data.PG_ADMIN_URL} does not answer ({reason}); set "
            "BENCH_POSTGRES_URL or run with --engines sqlite"
        ) from None
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    _check_postgres(args.engines)
    bench = Bench(args)
    started = time.perf_counter()
    print(
        f"Benchmark: scales {', '.join(s.label for s in args.scales)}; engines "
        f"{', '.join(args.engines)}; {os.cpu_count()} CPUs; load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}",
        flush=True,
    )
    code = bench.results["code"]
    changed = f"; uncommitted: {', '.join(code['uncommitted'])}" if code["uncommitted"] else ""
    print(f"Code: commit {code['commit'] or '?'}{changed}", flush=True)
    bench.prepare_data()
    bench.refresh()
    if not args.skip_unindexed and args.unindexed_scales:
        bench.unindexed()
    if not args.skip_queries:
        bench.queries()
    if not args.skip_pages:
        bench.pages()
    if not args.skip_naive and args.naive_scales:
        bench.naive()
    if not args.skip_server:
        bench.server()
    if not args.skip_page_weight:
        bench.page_weight()
    bench.results["seconds"] = time.perf_counter() - started
    bench.save()
    print(f"\nDone in {bench.results['seconds'] / 60:.1f} min; figures in {bench.out}")


if __name__ == "__main__":
    main()
