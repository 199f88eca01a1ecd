"""Geocoder benchmark: index load time and RSS, and lookups per second.

10,000 mixed queries: names drawn from the gazetteer itself (cities of every size, countries,
admin units, in the spellings the index holds: Latin, Arabic, Cyrillic, ...), folded and
cased variants, hinted queries (country, near, feature class) and misses. Reported:

- cold: each distinct query's first lookup (the name cache empty);
- warm: the same 10,000 queries again (cached name hits; ranking still runs every time);
- baseline: a plain ``SELECT`` of the folded name in the same index, in the same run, to show
  what the ranking and geopy ``Location`` building add on top of the storage lookup;
- reverse: 1,000 random points over Iraq and Syria (boundaries load, then lookups per second);
- fuzzy: 200 names of the index with one letter changed, ``spelling="fuzzy"``, with their
  country as a hint and without (a scan of the whole index's keys).

The 10,000 queries use the default spelling ("translit": the exact name, else its
transliteration key).

Run: ``.venv/bin/python bench/bench_geocode.py [--queries 10000] [--json]``
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import sys
import time


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def make_queries(index_path: str, n: int, seed: int = 7) -> list[tuple[str, dict]]:
    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{index_path}?mode=ro", uri=True)
    names = [r[0] for r in conn.execute(
        "SELECT n.name FROM names n JOIN places p ON p.rid = n.rid "
        "WHERE n.kind <= 1 AND p.feature_class IN ('city','country','admin1','admin2') "
        "AND (p.population > 1000 OR p.feature_class != 'city') ORDER BY n.key, n.rid")]
    conn.close()
    hints = [{}, {}, {}, {"country_codes": ["IQ"]}, {"near": (33.3, 44.4)},
             {"feature_classes": ["city"]}, {"language": "fr"}]
    queries = []
    for i in range(n):
        if i % 20 == 0:
            queries.append((f"Nowhere{rng.randrange(10**6)}ville", {}))  # miss
            continue
        name = rng.choice(names)
        if i % 7 == 0:
            name = name.upper()
        queries.append((name, rng.choice(hints)))
    return queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    rss_before = rss_mb()
    t0 = time.perf_counter()
    from geodata import GazetteerGeocoder

    geocoder = GazetteerGeocoder(build_if_missing=False)
    geocoder.geocode("Baghdad")
    load_s = time.perf_counter() - t0
    rss_loaded = rss_mb()

    queries = make_queries(str(geocoder.gazetteer.path), args.queries)

    from geodata.names import fold

    conn = sqlite3.connect(f"file:{geocoder.gazetteer.path}?mode=ro&immutable=1", uri=True)
    t0 = time.perf_counter()
    for name, _hints in queries:
        conn.execute("SELECT p.* FROM names n JOIN places p ON p.rid = n.rid WHERE n.key = ?",
                     (fold(name),)).fetchall()
    baseline_s = time.perf_counter() - t0

    timings = {}
    for label in ("cold", "warm"):
        t0 = time.perf_counter()
        found = sum(geocoder.geocode(name, **hints) is not None for name, hints in queries)
        timings[label] = time.perf_counter() - t0
    rng = random.Random(11)
    points = [(rng.uniform(29.0, 37.5), rng.uniform(38.5, 48.5)) for _ in range(1000)]
    t0 = time.perf_counter()
    geocoder.reverse(points[0])  # loads the boundaries
    boundaries_load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    placed = sum(geocoder.reverse(p) is not None for p in points)
    reverse_s = time.perf_counter() - t0

    fuzzy = {}
    misspelt = []
    for name, _hints in queries:
        if len(misspelt) >= 200:
            break
        place = geocoder.geocode(name)
        if place is None or len(name) < 7 or not name.isascii() or not place.raw["country_code"]:
            continue
        i = rng.randrange(1, len(name) - 1)
        misspelt.append((name[:i] + ("x" if name[i] != "x" else "q") + name[i + 1:],
                         place.raw["country_code"]))
    for label, hinted in (("fuzzy_hint", True), ("fuzzy_nohint", False)):
        t0 = time.perf_counter()
        for name, cc in misspelt:
            geocoder.geocode(name, spelling="fuzzy", country_codes=[cc] if hinted else None)
        fuzzy[f"{label}_per_s"] = round(len(misspelt) / (time.perf_counter() - t0), 1)

    n = len(queries)
    result = {
        "queries": n,
        "found": found,
        "load_seconds": round(load_s, 3),
        "rss_mb_after_load": round(rss_loaded, 1),
        "rss_mb_before_import": round(rss_before, 1),
        "rss_mb_end": round(rss_mb(), 1),
        "baseline_sql_per_s": round(n / baseline_s),
        "cold_per_s": round(n / timings["cold"]),
        "warm_per_s": round(n / timings["warm"]),
        "warm_vs_baseline": round(baseline_s / timings["warm"], 2),
        "boundaries_load_seconds": round(boundaries_load_s, 3),
        "reverse_per_s": round(len(points) / reverse_s),
        "reverse_placed": placed,
        "rss_mb_with_boundaries": round(rss_mb(), 1),
        **fuzzy,
        "rss_mb_after_fuzzy": round(rss_mb(), 1),
    }
    for key, value in result.items():
        print(f"{key:>24}: {value}", file=sys.stderr)
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
