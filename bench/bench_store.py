"""Store benchmark: the PostGIS store at 10M events against the GeoParquet store at 1M.

    .venv/bin/python bench/bench_store.py [--db-size 10000000] [--file-size 1000000] [--json]
        [--server postgresql://postgres@127.0.0.1:PORT/postgres]

One run, one machine: a PostgreSQL + PostGIS server is started in a temporary directory
(``tests/postgres.py``: Debian's binaries, 127.0.0.1 only; or ``--server``, whose database
``bench`` is reused when it holds ``--db-size`` events from an earlier run) and filled with
``--db-size`` seeded synthetic events (``dashboard.synthetic``, 1M per append, through
``PostgisStore.append``: the summary tables are kept as extraction keeps them); a
GeoParquet store holds ``--file-size`` of them.

Measured, each the median of 3 uncached runs: the Explore page's work for one filter state
(the figures, the charts, the map's layer at the fitted view, the newest 5,000 rows of the
table), for four states: the first view (default filter), a filter change (a date range and
two event types), an actor filter, and the same filter change with a search word. The file
store as the page does it (:class:`dashboard.explore_data.FrameExplore` on the validated
table read through its cache file; the one-off load reported apart), the database as
:class:`dashboard.explore_data.DatabaseExplore` does it (:mod:`dashboard.sql`: the summary
tables where the filter allows, else the events with their indexes). Also: bulk load rate,
and 4 processes appending overlapping inputs at once (the time, and that the store ends with
exactly the union).

The ratio reported is database time at ``--db-size`` / file time at ``--file-size``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHUNK = 1_000_000
TABLE_ROWS = 5_000


def _median(fn, runs: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def _states():
    from dashboard.filters import FilterState

    return {"first view": FilterState(),
            "filter change": FilterState(date_from=dt.date(2024, 3, 1),
                                         date_to=dt.date(2024, 6, 30),
                                         event_types=("Battles", "Explosions/Remote violence")),
            "actor filter": FilterState(actors=("Islamic State (Iraq)",)),
            "search word": FilterState(date_from=dt.date(2024, 3, 1),
                                       date_to=dt.date(2024, 6, 30),
                                       event_types=("Battles", "Explosions/Remote violence"),
                                       text="kirkuk")}


def _page(ex):
    """The Explore page's work for one filter state, uncached: the figures, the charts,
    the map's layer at the fitted view (points, or H3 cells above 20k events), the table."""
    from dashboard.layers import source_layers

    for name, arg in (("summary", None), ("event_types", None), ("time_series", None),
                      ("top_actors", 10), ("admin1_counts", None)):
        ex.aggregate(name, arg)
    _lat, _lon, zoom = ex.fit()
    layer = source_layers(ex.map_source(None), "points", zoom)
    table = ex.table(TABLE_ROWS, ["event_id", "event_date", "event_type", "notes"])
    return ex.count, layer.objects_sent, len(table)


def _file_view(events, view, state):
    from dashboard.data import VIEW_COLUMNS, compute_aggregate
    from dashboard.explore_data import FrameExplore

    return _page(FrameExplore(events, view, state, compute_aggregate, VIEW_COLUMNS))


def _db_view(store, state):
    from dashboard.explore_data import DatabaseExplore

    cache: dict = {}  # what one page run shares between its own questions

    def memo(name, arg, fn):
        if (name, arg) not in cache:
            cache[name, arg] = fn()
        return cache[name, arg]

    return _page(DatabaseExplore(store, state, [], 0, memo=memo))


def _append(url: str, path: str, start: int, stop: int) -> int:
    import pandas as pd

    from extract.store_postgis import PostgisStore

    return PostgisStore(url).append(pd.read_parquet(path).iloc[start:stop]).added


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-size", type=int, default=10_000_000)
    parser.add_argument("--file-size", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--server", help="postgresql:// URL of a server's admin database to "
                        "use instead of starting one; its database 'bench' is reused when it "
                        "holds --db-size events (this script's own, from an earlier run)")
    args = parser.parse_args()

    from contextlib import nullcontext

    from dashboard.data import read_store, view_frame
    from dashboard.synthetic import synthetic_events
    from extract.store import write_events
    from extract.store_postgis import PostgisStore
    from tests.postgres import new_database, skip_reason, start_postgres

    reason = None if args.server else skip_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    out: dict[str, object] = {"db_size": args.db_size, "file_size": args.file_size,
                              "load_before": os.getloadavg()[0]}
    server = nullcontext(args.server) if args.server else start_postgres()
    with tempfile.TemporaryDirectory() as tmp, server as admin:
        url = admin.rsplit("/", 1)[0] + "/bench"
        store = PostgisStore(url)
        try:
            reuse = args.server and store.count() == args.db_size
        except OSError:
            reuse = False
        if not reuse:
            url = new_database(admin, "bench")
            store = PostgisStore(url)
            loaded, t0 = 0, time.perf_counter()
            seed = 0
            while loaded < args.db_size:
                n = min(CHUNK, args.db_size - loaded)
                chunk = synthetic_events(n, seed=seed, jitter=0.4)
                chunk["event_id"] = [f"s{seed:03d}{i:09d}" for i in range(n)]
                chunk["article_id"] = [f"a{seed:03d}{i:09d}" for i in range(n)]
                store.append(chunk)
                loaded += n
                seed += 1
                print(f"  loaded {loaded:,} events into PostGIS "
                      f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
            load_s = time.perf_counter() - t0
            with store.connect() as conn:
                conn.execute("ANALYZE")
            out["db_load_s"] = round(load_s, 1)
            out["db_load_rate"] = round(args.db_size / load_s)
        else:
            out["db_load_s"] = "reused"
        with store.connect() as conn:
            out["summary_rows"] = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                                   for t in ("event_daily", "event_cube", "event_actor_cube")}

        path = Path(tmp) / "events.parquet"
        file_events = synthetic_events(args.file_size, seed=0, jitter=0.4)
        write_events(file_events, path)
        t = time.perf_counter()
        read_store(path)  # builds the dashboard's cache file
        out["file_first_load_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        events = read_store(path)
        view = view_frame(events)
        out["file_cached_load_s"] = round(time.perf_counter() - t, 2)

        for name, state in _states().items():
            file_s, file_out = _median(lambda s=state: _file_view(events, view, s))
            db_s, db_out = _median(lambda s=state: _db_view(store, s))
            out[name] = {"file_s": round(file_s, 3), "db_s": round(db_s, 3),
                         "ratio_db_over_file": round(db_s / file_s, 2),
                         "file_rows_objects_table": file_out, "db_rows_objects_table": db_out}
            print(f"  {name}: {out[name]}", file=sys.stderr)

        # 4 writers, overlapping inputs, at once, into a fresh database
        url4 = new_database(admin, "writers")
        source = Path(tmp) / "writers.parquet"
        writers = synthetic_events(200_000, seed=99)
        # one article per event: the union is then the same whatever order the writers
        # commit in (an article coded again by the same pipeline adds nothing)
        writers["article_id"] = [f"w{i:09d}" for i in range(len(writers))]
        writers.to_parquet(source)
        slices = [(0, 80_000), (40_000, 120_000), (80_000, 160_000), (0, 200_000)]
        t = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(4) as pool:
            added = pool.starmap(_append, [(url4, str(source), a, b) for a, b in slices])
        writers_s = time.perf_counter() - t
        final = PostgisStore(url4).read()
        import pandas as pd

        expected = PostgisStore(new_database(admin, "single"))
        expected.append(pd.read_parquet(source))
        out["concurrent_writers"] = {
            "seconds": round(writers_s, 1), "added_per_writer": added,
            "stored": len(final), "unique_ids": bool(final["event_id"].is_unique),
            "same_as_one_writer": set(final["event_id"]) == set(expected.read()["event_id"])}
    out["load_after"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(out, indent=2, default=str))
    else:
        for key, value in out.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
