"""Distributed extraction benchmark (issue #13): ``--jobs 1``, ``--jobs 2`` and dask, in one run.

Input: the bundled sample (``examples/articles``, 30 articles) copied ``--repeat`` times
into a temporary directory. Every mode codes that same corpus, in the same run, through the
function the CLI calls:

- ``jobs1``: ``extract.pipeline.run_pipeline(paths, jobs=1)`` (``extract``);
- ``jobs2``: ``run_pipeline(paths, jobs=2)`` (``extract --jobs 2``: a process pool);
- ``dask2``: ``extract.distributed.run_distributed(paths, scheduler="local:2")``
  (``extract --scheduler local:2``: a ``LocalCluster`` of 2 single-threaded worker
  processes on 127.0.0.1, started and stopped by the call, each worker loading its models).

Reported, per mode: wall time and articles/s over the whole run; the seconds to the first
result; the steady-state rate, from the run's own progress callback (articles done between
the first mark past 20% of the input and the last mark, over the time between them); the
fixed overhead, wall - articles / steady rate (starting the pool or the cluster, loading
the models and the gazetteer, which the extractor does lazily on its first article, listing
the files); and the speed-ups against ``jobs1`` measured in the same run (wall and steady).
Also: a ``LocalCluster`` of 2 started and stopped on its own
(``extract.distributed.connect("local:2")``), the load average at start and end.

Check: the three modes must give the same articles count and the same event ids (printed;
the exit status is 1 if not). The copies share article ids, so the events are those of one
copy (``run_pipeline`` codes every copy and keeps the first copy's events).

Extrapolation: the time a 1,000,000-article corpus would take on N dask workers,
overhead + 1e6 / (N * per-worker rate), with the per-worker rate the dask steady-state rate
divided by its 2 workers and the overhead the dask fixed overhead. It ASSUMES the per-worker
rate stays flat as N grows (a core per worker, the input readable by every worker, the
scheduler and the client not a bottleneck): not measured beyond 2 workers on one machine.

Run: ``.venv/bin/python bench/bench_distributed.py [--repeat 24] [--json]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "articles"
CORPUS_SIZES = (1_000_000,)
WORKERS = (1, 2, 8, 32)
START = 0.2  # steady state: from the first progress mark past 20% of the input


def corpus(root: Path, copies: int) -> Path:
    """``copies`` copies of the bundled sample under ``root``."""
    root.mkdir(parents=True)
    for i in range(copies):
        shutil.copytree(SAMPLE, root / f"copy{i:03d}")
    return root


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = run()
    return time.perf_counter() - t0, result


class Clock:
    """A progress callback that keeps (seconds since start, fraction of the input done)."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.marks: list[tuple[float, float]] = []

    def __call__(self, done: int, total: int | None, label: str) -> None:
        if total and done:
            self.marks.append((time.perf_counter() - self.t0, done / total))


def steady(clock: Clock, wall: float, n: int, start: float) -> tuple[float, float, float]:
    """Steady-state rate (articles/s) from the first progress mark at or past ``start`` of
    the input to the end, the fixed overhead ``wall - n / rate``, and the seconds to the
    first result."""
    t_mark, f_mark = next((t, f) for t, f in clock.marks if f >= start)
    t_end, f_end = clock.marks[-1]
    rate = (f_end - f_mark) * n / (t_end - t_mark)
    return rate, wall - n / rate, clock.marks[0][0]


def start_stop_cluster(connect: Callable[[str], Any]) -> None:
    """Start a ``LocalCluster`` of 2 the way ``--scheduler local:2`` does, and stop it."""
    with connect("local:2"):
        pass


def hms(seconds: float) -> str:
    h, rest = divmod(round(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=24,
                        help="copies of the sample in the corpus (default 24)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.repeat < 5:  # the 20% mark must fall after the first copy: every language loaded
        parser.error("--repeat must be at least 5")

    from extract.distributed import ClusterError, connect, run_distributed
    from extract.pipeline import run_pipeline

    modes: dict[str, Callable[[Path, Clock], Any]] = {
        "jobs1": lambda p, c: run_pipeline([p], jobs=1, progress=c),
        "jobs2": lambda p, c: run_pipeline([p], jobs=2, progress=c),
        "dask2": lambda p, c: run_distributed([p], scheduler="local:2", progress=c),
    }
    load_start = os.getloadavg()[0]
    try:
        cluster_s, _ = timed(lambda: start_stop_cluster(connect))
    except ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    per_mode: dict[str, dict[str, float]] = {}
    ids: dict[str, frozenset[str]] = {}
    articles: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = corpus(Path(tmp) / "corpus", args.repeat)
        for mode, run in modes.items():
            clock = Clock()
            seconds, result = timed(partial(run, path, clock))
            n = result.n_articles
            rate, overhead, first = steady(clock, seconds, n, START)
            articles[mode] = n
            ids[mode] = frozenset(result.events["event_id"])
            per_mode[mode] = {"wall_s": round(seconds, 2),
                              "articles_per_s": round(n / seconds, 1),
                              "first_result_s": round(first, 2),
                              "steady_articles_per_s": round(rate, 1),
                              "overhead_s": round(overhead, 2)}
            print(f"{mode}: {n} articles, {len(result.events)} events, {seconds:.1f} s",
                  file=sys.stderr)
    for r in per_mode.values():
        r["speedup_wall"] = round(per_mode["jobs1"]["wall_s"] / r["wall_s"], 2)
        r["speedup_steady"] = round(
            r["steady_articles_per_s"] / per_mode["jobs1"]["steady_articles_per_s"], 2)
    same = all(articles[m] == articles["jobs1"] and ids[m] == ids["jobs1"] for m in modes)

    per_worker = per_mode["dask2"]["steady_articles_per_s"] / 2
    overhead = per_mode["dask2"]["overhead_s"]
    extrapolation = {str(n): {str(w): round(overhead + n / (w * per_worker)) for w in WORKERS}
                     for n in CORPUS_SIZES}
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "cpus": os.cpu_count(),
        "load_avg_1min_start_end": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "repeat": args.repeat,
        "articles": articles["jobs1"],
        "events": len(ids["jobs1"]),
        "same_articles_and_event_ids": same,
        "localcluster2_start_stop_s": round(cluster_s, 2),
        "modes": per_mode,
        "dask_per_worker_articles_per_s": round(per_worker, 1),
        "extrapolation_assumption": "the per-worker rate stays flat as workers are added "
                                    "(measured on 2 workers only); time = dask overhead "
                                    "+ articles / (N * per-worker rate)",
        "extrapolation_s": extrapolation,
    }

    print(f"\n{articles['jobs1']} articles (sample x{args.repeat}); LocalCluster(2) "
          f"start+stop {cluster_s:.1f} s; load average (1 min) at start / end "
          f"{result['load_avg_1min_start_end']}", file=sys.stderr)
    print(f"{'mode':>6} {'wall s':>7} {'art/s':>6} {'1st result s':>12} {'steady art/s':>12} "
          f"{'overhead s':>10} {'x jobs1 wall':>12} {'x jobs1 steady':>14}", file=sys.stderr)
    for mode, r in per_mode.items():
        print(f"{mode:>6} {r['wall_s']:>7} {r['articles_per_s']:>6} {r['first_result_s']:>12} "
              f"{r['steady_articles_per_s']:>12} {r['overhead_s']:>10} "
              f"{r['speedup_wall']:>12} {r['speedup_steady']:>14}", file=sys.stderr)
    print(f"check: same articles and event ids in jobs1, jobs2, dask2: "
          f"{'yes' if same else 'NO'} ({articles['jobs1']} articles, {len(ids['jobs1'])} "
          f"distinct events)", file=sys.stderr)
    print(f"\n1M articles on N dask workers, ASSUMING the per-worker rate stays flat "
          f"({per_worker:.1f} articles/s, measured with 2 workers on 2 shared cores) "
          f"and the fixed overhead is {overhead:.1f} s:", file=sys.stderr)
    for n, row in extrapolation.items():
        print(f"  {int(n):,} articles: " + ", ".join(f"N={w}: {hms(s)}" for w, s in row.items()), file=sys.stderr)
    if args.json:
        print(json.dumps(result))
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
