"""Store benchmark: the PostGIS store at 10M events against the GeoParquet store at 1M.

    .venv/bin/python bench/bench_store.py [--db-size 10000000] [--file-size 1000000] [--json]

One run, one machine: a PostgreSQL + PostGIS server is started in a temporary directory
(``tests/postgres.py``: Debian's binaries, 127.0.0.1 only) and filled with ``--db-size``
seeded synthetic events (``dashboard.synthetic``, 1M per append); a GeoParquet store holds
``--file-size`` of them. Measured, each the median of 3 runs:

- first view: the default filter's count and its 0.5-degree grid of the map;
- filter change: a date range, two event types and a search word: count, grid, the newest
  100 rows of the table (the page's work for one filter change);

for the file store as the dashboard does it (the validated table through its cache file,
``apply_filters``, ``aggregate.grid_places``; the one-off load is reported apart) and for
the database as :mod:`dashboard.sql` does it (the filter in SQL, ``ST_SnapToGrid`` on the
GiST-indexed geometry, ``LIMIT``). Also: bulk load rate, and 4 processes appending
overlapping inputs at once (the time, and that the store ends with exactly the union).

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
CELL = 0.5


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
                                         event_types=("Battles", "Explosions/Remote violence"),
                                         text="kirkuk")}


def _file_view(events, state):
    from dashboard import aggregate
    from dashboard.filters import apply_filters

    rows = apply_filters(events, state)
    grid = aggregate.grid_places(rows, CELL)
    newest = rows.take(aggregate.newest(rows, 100)) if len(rows) else rows
    return len(rows), len(grid), len(newest)


def _db_view(store, state):
    from dashboard import sql

    n = sql.count(store, state)
    grid = sql.grid_counts(store, state, CELL)
    where, params = sql.where_clause(state)
    with store.connect() as conn:
        newest = conn.execute(f"SELECT event_id FROM events WHERE {where} "
                              "ORDER BY event_date DESC NULLS LAST LIMIT 100", params).fetchall()
    return n, len(grid), len(newest)


def _append(url: str, path: str, start: int, stop: int) -> int:
    import pandas as pd

    from extract.store_postgis import PostgisStore

    return PostgisStore(url).append(pd.read_parquet(path).iloc[start:stop]).added


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-size", type=int, default=10_000_000)
    parser.add_argument("--file-size", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from dashboard.data import read_store
    from dashboard.synthetic import synthetic_events
    from extract.store import write_events
    from extract.store_postgis import PostgisStore
    from tests.postgres import new_database, skip_reason, start_postgres

    reason = skip_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    out: dict[str, object] = {"db_size": args.db_size, "file_size": args.file_size,
                              "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp, start_postgres() as admin:
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
            conn.execute("ANALYZE events")
        out["db_load_s"] = round(load_s, 1)
        out["db_load_rate"] = round(args.db_size / load_s)

        path = Path(tmp) / "events.parquet"
        file_events = synthetic_events(args.file_size, seed=0, jitter=0.4)
        write_events(file_events, path)
        t = time.perf_counter()
        read_store(path)  # builds the dashboard's cache file
        out["file_first_load_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        events = read_store(path)
        out["file_cached_load_s"] = round(time.perf_counter() - t, 2)

        for name, state in _states().items():
            file_s, file_out = _median(lambda s=state: _file_view(events, s))
            db_s, db_out = _median(lambda s=state: _db_view(store, s))
            out[name] = {"file_s": round(file_s, 3), "db_s": round(db_s, 3),
                         "ratio_db_over_file": round(db_s / file_s, 2),
                         "file_rows_cells_newest": file_out, "db_rows_cells_newest": db_out}

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
