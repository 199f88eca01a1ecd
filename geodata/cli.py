"""Subcommands of the gazetteer: ``geodata build``, ``geocode`` and ``reverse``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_NO_RESULT = 1
EXIT_BAD_INPUT = 2


def register(sub: argparse._SubParsersAction) -> None:
    geodata = sub.add_parser("geodata", help="build and inspect the offline gazetteer")
    geodata_sub = geodata.add_subparsers(dest="geodata_command", required=True, metavar="WHAT")
    build = geodata_sub.add_parser("build", help="build the gazetteer index from the installed "
                                                 "data packages (once; about 30 s)")
    build.add_argument("--out", type=Path, help="index file (default: the user cache)")
    group = build.add_mutually_exclusive_group()
    group.add_argument("--if-missing", action="store_true",
                       help="do nothing when the index already exists")
    group.add_argument("--force", action="store_true", help="rebuild even if it exists")
    build.set_defaults(handler=_build)

    geocode = sub.add_parser("geocode", help="look a place name up in the gazetteer")
    geocode.add_argument("query", help='a place name, e.g. "Bagdad" or "Tripoli, Lebanon"')
    geocode.add_argument("--lang", help="ISO 639-1 language of the name (e.g. fr)")
    geocode.add_argument("--country", action="append", dest="countries", metavar="CC",
                         help="restrict to a country (ISO alpha-2 or alpha-3; repeatable)")
    geocode.add_argument("--class", action="append", dest="classes", metavar="CLASS",
                         help="restrict to a feature class (country, admin1, admin2, city, "
                              "airport, military_base, landmark; repeatable)")
    geocode.add_argument("--near", metavar="LAT,LON", help="prefer places near this point")
    geocode.add_argument("--limit", type=int, default=5, help="candidates to show (default 5)")
    geocode.add_argument("--json", action="store_true", help="print JSON")
    geocode.add_argument("--index", type=Path, help="gazetteer index file")
    geocode.add_argument("--online-fallback", metavar="USER_AGENT",
                         help="ask Nominatim (rate-limited, cached on disk) when the offline "
                              "gazetteer knows no such place; USER_AGENT identifies you to "
                              "the service (off by default: no network)")
    geocode.set_defaults(handler=_geocode)

    reverse = sub.add_parser("reverse", help="country, admin-1 and nearest place of a point")
    reverse.add_argument("lat", help="latitude in degrees (-90..90)")
    reverse.add_argument("lon", help="longitude in degrees (-180..180)")
    reverse.add_argument("--json", action="store_true", help="print JSON")
    reverse.add_argument("--index", type=Path, help="gazetteer index file")
    reverse.set_defaults(handler=_reverse)


def _build(args: argparse.Namespace) -> int:
    from geodata.build import build_index
    from geodata.gazetteer import missing_sources
    from geodata.paths import default_index_path

    out = args.out or default_index_path(args.settings)
    if out.exists() and args.if_missing:
        print(f"gazetteer index present: {out}")
        return 0
    if out.exists() and not args.force and not args.out:
        print(f"gazetteer index present: {out} (use --force to rebuild)")
        return 0
    missing = missing_sources()
    if missing:
        print(f"error: building the gazetteer needs {', '.join(missing)}: "
              "pip install 'conflict-atlas[build]'", file=sys.stderr)
        return 2
    print(f"building the gazetteer index at {out} ...", file=sys.stderr)
    report = build_index(out)
    classes = ", ".join(f"{k} {v:,}" for k, v in sorted(report.by_class.items()))
    print(f"built {out}: {report.places:,} places, {report.names:,} names "
          f"({classes}); {report.size_bytes / 1e6:.0f} MB in {report.seconds:.0f} s")
    return 0


def _geocoder(args: argparse.Namespace) -> Any:
    from geodata.geocoder import GazetteerGeocoder

    online = None
    if getattr(args, "online_fallback", None):
        from geodata.online import CachedOnlineGeocoder

        online = CachedOnlineGeocoder.nominatim(user_agent=args.online_fallback)
    return GazetteerGeocoder(args.index, online_fallback=online)


def _geocode(args: argparse.Namespace) -> int:
    if not args.query.strip():
        print("error: empty place name: nothing to look up", file=sys.stderr)
        return EXIT_NO_RESULT
    try:
        found = _geocoder(args).geocode(
            args.query, exactly_one=False, country_codes=args.countries, language=args.lang,
            feature_classes=args.classes, near=args.near, limit=max(args.limit, 1))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not found:
        print(f"no place named {args.query!r} in the gazetteer", file=sys.stderr)
        if args.json:
            print("[]")
        return EXIT_NO_RESULT
    rows = [dict(loc.raw, address=loc.address, lat=loc.latitude, lon=loc.longitude)
            for loc in found]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for rank, row in enumerate(rows, start=1):
        if "feature_class" not in row:  # an answer of the online service
            print(f"{rank}. {row['address']}  {row['lat']:.5f}, {row['lon']:.5f}  (online)")
            continue
        print(f"{rank}. {row['address']}  [{row['feature_class']}, {row['id']}]  "
              f"{row['lat']:.5f}, {row['lon']:.5f}  pop {row['population']:,}  "
              f"score {row['score']:.2f}")
    return 0


def _reverse(args: argparse.Namespace) -> int:
    from geodata.geocoder import parse_point

    try:
        point = parse_point((args.lat, args.lon))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    found = _geocoder(args).reverse(point)
    if found is None:
        print(f"no country or place at {point[0]}, {point[1]}", file=sys.stderr)
        if args.json:
            print("null")
        return EXIT_NO_RESULT
    raw = dict(found.raw)
    if args.json:
        print(json.dumps(raw, ensure_ascii=False))
        return 0
    print(found.address)
    for key in ("country", "country_code", "admin1", "admin1_code", "admin2"):
        if raw.get(key):
            print(f"  {key}: {raw[key]}")
    if "place" in raw:
        print(f"  nearest place: {raw['place']['name']} ({raw['distance_km']:.1f} km)")
    return 0
