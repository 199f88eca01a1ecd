"""Derive the gazetteer's committed extension files from the reference data in ``../shared``.

A fresh clone has no ``../shared``, so what the index needs from it is written into compact
files under ``geodata/data`` (sources, licences and attribution: ``ATTRIBUTION.md``):

- ``wof_places.parquet``: Who's On First localities, neighbourhoods, counties and campuses of
  32 countries where conflict is reported (villages below GeoNames' cities500 threshold
  included), with their GeoNames id where WOF has one (the join key the index build merges
  on), GeoNames admin-1 and admin-2 codes, and names in the languages conflict reporting
  uses;
- ``admin2.parquet``: every GeoNames admin-2 unit (code, id, name), with a point where one is
  known (the matching WOF county's point);
- ``natural.parquet``: physical features and regions from Natural Earth (islands, seas,
  gulfs, straits, lakes, rivers with a representative point, mountains and ranges, deserts,
  plateaus, deltas, ...) and GeoNames' features without a country (seas, gulfs, straits,
  reefs, world regions), with a scale rank (0 = most prominent) for their prior;
- ``country_points.csv``: GeoNames' point for each country (the standard point geoparsing
  corpora and Wikipedia use).

Run from the repository root::

    .venv/bin/python -m geodata.scripts.derive_shared --shared ../shared --out geodata/data
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import re
import sys
from collections import defaultdict
from pathlib import Path

from geodata.names import fold, translit_key

logger = logging.getLogger(__name__)

# WOF name languages kept (ISO 639-3 -> the index's 639-1 code, "" for none): the press
# languages (fr, en, ar, de, es) and the languages of the places themselves (Persian, Pashto,
# Kurdish, Amharic, Tigrinya, Russian, Ukrainian, Turkish, Hebrew, Urdu, Somali, Hausa).
WOF_LANGS = {"eng": "en", "fra": "fr", "ara": "ar", "deu": "de", "spa": "es", "fas": "fa",
             "pus": "ps", "ckb": "ckb", "kmr": "ku", "kur": "ku", "amh": "am", "tir": "ti",
             "rus": "ru", "ukr": "uk", "tur": "tr", "heb": "he", "urd": "ur", "som": "so",
             "hau": "ha", "und": ""}
WOF_PLACETYPES = {"locality": ("city", "PPL"), "neighbourhood": ("city", "PPLX"),
                  "localadmin": ("city", "PPL"), "county": ("admin2", "ADM2"),
                  "campus": ("airport", "AIRP")}
_BASE = re.compile(r"\b(air ?base|air force|airfield|base a[ée]rienne|military|camp)\b",
                   re.IGNORECASE)
_ICAO = re.compile(r"^[A-Z]{4}$")
_UNIT_WORDS = re.compile(r"\b(district|county|municipality|raion|rayon|province|region|"
                         r"department|prefecture|sub-?district|mudiriyah|qadaa?|nahiya|"
                         r"council|governorate|woreda|zone|local government area|lga)\b",
                         re.IGNORECASE)

# Natural Earth layers kept, with the GeoNames-style feature code of each feature class.
NE_CODES = {
    "Island": "ISL", "Island group": "ISLS", "island": "ISL", "island group": "ISLS",
    "Range/mtn": "MTS", "mountain": "MT", "Desert": "DSRT", "Plateau": "PLAT",
    "plateau": "PLAT", "Delta": "DLTA", "Pen/cape": "PEN", "Peninsula": "PEN", "cape": "CAPE",
    "Plain": "PLN", "plain": "PLN", "Basin": "BSN", "Valley": "VAL", "Depression": "DPR",
    "depression": "DPR", "Gorge": "GRGE", "Coast": "CST", "Geoarea": "RGN", "Isthmus": "ISTH",
    "Lowland": "LOW", "Foothills": "HLLS", "Wetlands": "WTLD", "Tundra": "TUND",
    "Lake": "LK", "Alkaline Lake": "LKSL", "Reservoir": "RSV", "Playa": "PLYA",
    "River": "STM", "Lake Centerline": "STM", "waterfall": "FLLS", "pass": "PASS",
    "sea": "SEA", "gulf": "GULF", "bay": "BAY", "strait": "STRT", "channel": "CHN",
    "sound": "SD", "lagoon": "LGN", "fjord": "FJD", "inlet": "INLT", "ocean": "OCN",
    "river": "STM", "reef": "RF", "Glaciated areas": "GLCR",
}
NE_SKIP_LAYERS = {"ne_10m_populated_places", "ne_10m_admin_1_label_points",
                  "ne_10m_lakes_historic", "ne_10m_lakes_pluvial"}
# Abbreviations of Natural Earth labels, expanded into a second name ("Marrah Mts.").
_NE_ABBREV = ((r"\bMts\.?$", "Mountains"), (r"\bMt\.?\s", "Mount "), (r"\bPk\.?$", "Peak"),
              (r"\bPen\.?$", "Peninsula"), (r"\bI\.$", "Island"), (r"\bIs\.$", "Islands"),
              (r"\bL\.$", "Lake"), (r"\bR\.$", "River"), (r"\bG\.$", "Gulf"),
              (r"\bC\.$", "Cape"), (r"\bDes\.$", "Desert"), (r"\bPlat\.$", "Plateau"))
# Kind words that news leaves out ("the Zagros", "the Tibesti"); the bare name is a variant.
_NE_KIND = re.compile(r"\s+(mountains|mts\.?|range|desert|plateau|hills|highlands|massif|"
                      r"peninsula|pen\.?)$", re.IGNORECASE)
# GeoNames features without a country: the classes kept (seas, straits, reefs: H; islands,
# mountains: T; regions: L; not the undersea features, class U).
GN_CLASSES = {"H", "T", "L"}
GN_SKIP_CODES = {"WLL", "SPNG", "RSVT", "WAD", "OILF", "GASF", "AREA", "LCTY", "PRK", "AMUS",
                 "PRT", "RES", "RESN", "ZNB", "CONT"}
GN_REGION_CODES = {"RGN", "RGNE", "RGNH"}


def _title(name: str) -> str:
    """Natural Earth writes large features in capitals ("TIBESTI MTS."): title case them."""
    return name.title().replace("'S ", "'s ") if name.isupper() else name


def _names_field(items: list[tuple[str, str]]) -> str:
    return "|".join(f"{lang}:{name}" if lang else name for lang, name in items)


def _extra_names(main: str, row: dict, seen: set[str] | None = None
                 ) -> list[tuple[str, str]]:
    """Names of a WOF record in the kept languages, one per folded spelling, without the
    main name."""
    seen = set(seen or ()) | {fold(main)}
    out = []
    raw = row.get("names_json")
    try:
        names = json.loads(raw) if isinstance(raw, str) and raw else {}
    except json.JSONDecodeError:
        logger.warning("WOF %s: unreadable names_json", row.get("wof_id"))
        names = {}
    for key in sorted(names):
        lang3, _sep, kind = key.partition("_x_")
        if lang3 not in WOF_LANGS or kind not in ("preferred", "variant", "colloquial"):
            continue
        for name in names[key] or ():
            if not isinstance(name, str) or not name.strip() or "|" in name:
                continue
            if lang3 in ("eng", "und") and _ICAO.match(name.strip()):
                continue  # "OAIX": codes live on the airport, not as names
            k = fold(name)
            if k and k not in seen and len(k) >= 2:
                seen.add(k)
                out.append((WOF_LANGS[lang3], name.strip()))
    return out


def _read_codes(path: Path, levels: int) -> list[tuple[str, str, str, int]]:
    """GeoNames admin code tables: (code, name, ascii name, geonameid)."""
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) >= 4 and row[0].count(".") == levels and row[3].isdigit():
                out.append((row[0], row[1], row[2], int(row[3])))
    return out


def _unit_key(name: str) -> str:
    return translit_key(_UNIT_WORDS.sub(" ", name))


def derive_wof(shared: Path) -> tuple[list[dict], list[dict]]:  # noqa: C901 (one pass per table)
    """WOF places and the GeoNames admin-2 table with points; see the module docstring."""
    import pandas as pd

    df = pd.read_parquet(shared / "data" / "wof_localities.parquet")
    df = df[df["placetype"].isin(list(WOF_PLACETYPES) + ["region"])]
    current = (df["mz_is_current"].fillna(-1) != 0) & df["edtf_deprecated"].isna() \
        & df["superseded_by"].isna()
    logger.info("WOF: %d records, %d not current, deprecated or superseded (dropped)",
                len(df), int((~current).sum()))
    df = df[current]
    admin1 = _read_codes(shared / "geonames" / "admin1CodesASCII.txt", 1)
    admin2 = _read_codes(shared / "geonames" / "admin2Codes.txt", 2)
    a1_by_gid = {gid: code for code, _n, _a, gid in admin1}
    a1_by_name: dict[tuple[str, str], str] = {}
    code: str | None
    for code, name, ascii_name, _gid in admin1:
        for n in (name, ascii_name):
            a1_by_name.setdefault((code.split(".")[0], _unit_key(n)), code)
    a2_by_gid = {gid: code for code, _n, _a, gid in admin2}
    a2_by_name: dict[tuple[str, str], str] = {}
    for code, name, ascii_name, _gid in admin2:
        for n in (name, ascii_name):
            a2_by_name.setdefault((".".join(code.split(".")[:2]), _unit_key(n)), code)

    rows = df.to_dict("records")
    region_code: dict[int, str] = {}
    for r in rows:
        if r["placetype"] != "region":
            continue
        gid = r["geonames_id"]
        code = a1_by_gid.get(int(gid)) if pd.notna(gid) else None
        code = code or a1_by_name.get((r["country"], _unit_key(r["name"])))
        if code:
            region_code[int(r["wof_id"])] = code
    county_code: dict[int, str] = {}
    county_point: dict[str, tuple[float, float, int]] = {}
    for r in rows:
        if r["placetype"] != "county":
            continue
        gid = r["geonames_id"]
        a1 = region_code.get(int(r["region_id"])) if pd.notna(r["region_id"]) else None
        code = a2_by_gid.get(int(gid)) if pd.notna(gid) else None
        if code is None and a1:
            code = a2_by_name.get((a1, _unit_key(r["name"])))
        if code:
            county_code[int(r["wof_id"])] = code
            county_point.setdefault(code, (round(r["latitude"], 5), round(r["longitude"], 5),
                                           int(r["wof_id"])))
    places = []
    for r in rows:
        if r["placetype"] == "region":
            continue
        fclass, fcode = WOF_PLACETYPES[r["placetype"]]
        labels = " ".join(str(r.get(c) or "") for c in
                          ("name", "name_eng_x_preferred", "name_fra_x_preferred"))
        if r["placetype"] == "campus" and _BASE.search(labels):
            fclass, fcode = "military_base", "AIRB"
        # WOF writes -1 for "no GeoNames record": no id, not a shared one.
        gid = int(r["geonames_id"]) if pd.notna(r["geonames_id"]) else 0
        gid = max(gid, 0)
        a1 = region_code.get(int(r["region_id"]), "") if pd.notna(r["region_id"]) else ""
        a2 = ""
        if r["placetype"] == "county":
            a2 = county_code.get(int(r["wof_id"]), "")
        elif pd.notna(r["county_id"]):
            a2 = county_code.get(int(r["county_id"]), "")
        if a2 and not a1:
            a1 = ".".join(a2.split(".")[:2])
        icao = ""
        for code in str(r.get("name_eng_x_variant") or "").split("|"):
            if _ICAO.match(code):
                icao = code
        pop = r["population"]
        places.append({
            "wof_id": int(r["wof_id"]), "gn_id": gid, "icao": icao, "name": r["name"],
            "feature_class": fclass, "feature_code": fcode, "country_code": r["country"] or "",
            "admin1_code": a1, "admin2_code": a2,
            "population": int(pop) if pd.notna(pop) else 0,
            "lat": round(float(r["latitude"]), 5), "lon": round(float(r["longitude"]), 5),
            "names": _names_field(_extra_names(r["name"], r)),
        })
    admin2_rows = []
    for code, name, ascii_name, gid in admin2:
        point = county_point.get(code)
        admin2_rows.append({
            "code": code, "gn_id": gid, "name": name,
            "ascii_name": ascii_name if ascii_name != name else "",
            "lat": point[0] if point else None, "lon": point[1] if point else None,
            "point_source": f"wof:{point[2]}" if point else "",
        })
    logger.info("WOF: %d places kept; %d of %d GeoNames admin-2 units matched to a WOF county",
                len(places), len(county_point), len(admin2))
    return places, admin2_rows


def derive_natural(shared: Path) -> list[dict]:
    """Natural Earth physical features and GeoNames' features without a country."""
    import pandas as pd

    ne = pd.read_parquet(shared / "data" / "naturalearth_features.parquet")
    ne = ne[~ne["layer"].isin(NE_SKIP_LAYERS) & ne["name"].notna()
            & ne["featurecla"].isin(list(NE_CODES))]
    # One place per name and code: rivers and lakes come in several pieces; the piece with
    # the largest extent carries the representative point, the best scale rank counts.
    best: dict[tuple[str, str], dict] = {}
    for r in ne.to_dict("records"):
        name = _title(" ".join(str(r["name"]).split()))
        code = NE_CODES[r["featurecla"]]
        key = (fold(name), "STM" if code == "STM" else code)
        extent = (r["bbox_maxx"] - r["bbox_minx"]) * (r["bbox_maxy"] - r["bbox_miny"])
        rank = float(r["scalerank"]) if pd.notna(r["scalerank"]) else 10.0
        old = best.get(key)
        if old is None or extent > old["_extent"]:
            keep_rank = min(rank, old["rank"]) if old else rank
            best[key] = {"_extent": extent, "name": name, "code": code, "rank": keep_rank,
                         "lat": round(float(r["latitude"]), 5),
                         "lon": round(float(r["longitude"]), 5),
                         "country_code": r["iso_a2"] if isinstance(r["iso_a2"], str)
                         and len(r["iso_a2"]) == 2 else "",
                         "_row": r}
        else:
            old["rank"] = min(old["rank"], rank)
    out = []
    for (_key, _code), b in sorted(best.items()):
        r = b["_row"]
        names: list[tuple[str, str]] = []
        seen = {fold(b["name"])}

        def add(name: object, lang: str = "", seen: set[str] = seen,
                names: list[tuple[str, str]] = names) -> None:
            if isinstance(name, str) and name.strip() and "|" not in name \
                    and fold(name) not in seen:
                seen.add(fold(name))
                names.append((lang, " ".join(name.split())))

        for pattern, word in _NE_ABBREV:
            add(re.sub(pattern, word, b["name"]), "en")
        for alt in str(r.get("name_alt") or "").split(","):
            add(_title(alt.strip()) if alt.strip() != "nan" else None)
        for col, lang in (("name_en", "en"), ("name_fr", "fr"), ("name_de", "de"),
                          ("name_es", "es"), ("name_ar", "ar"), ("name_ru", "ru")):
            add(r.get(col), lang)
        bare = _NE_KIND.sub("", b["name"]).strip()
        variants = [bare] if bare != b["name"] and len(bare) >= 4 else []
        out.append({"id": f"ne:{b['code'].lower()}:{fold(b['name']).replace(' ', '-')}",
                    "gn_id": 0, "name": b["name"], "feature_code": b["code"],
                    "country_code": b["country_code"], "lat": b["lat"], "lon": b["lon"],
                    "rank": b["rank"], "names": _names_field(names),
                    "variants": "|".join(variants), "source": "naturalearth"})
    n_ne = len(out)
    with (shared / "data" / "geonames_no_country.txt").open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) < 15 or row[6] not in GN_CLASSES or row[7] in GN_SKIP_CODES:
                continue
            names = []
            seen = {fold(row[1])}
            for alt in [row[2], *row[3].split(",")]:
                if alt and fold(alt) not in seen and "|" not in alt:
                    seen.add(fold(alt))
                    names.append(("", alt))
            population = int(row[14]) if row[14].isdigit() else 0
            out.append({"id": f"gn:{row[0]}", "gn_id": int(row[0]), "name": row[1],
                        "feature_code": row[7], "country_code": "",
                        "lat": round(float(row[4]), 5), "lon": round(float(row[5]), 5),
                        # GeoNames gives no scale: the world regions it names are prominent,
                        # the rest (reefs, shoals, small islands) are not.
                        "rank": 2.0 if row[7] in GN_REGION_CODES else 8.0,
                        "names": _names_field(names), "variants": "",
                        "source": "geonames", "population": population})
    logger.info("natural features: %d from Natural Earth, %d from GeoNames", n_ne,
                len(out) - n_ne)
    for feature in out:
        feature.setdefault("population", 0)
    return out


def derive_country_points(shared: Path) -> list[dict]:
    out = []
    with (shared / "data" / "country_points_geonames.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.append({"country_code": row["COUNTRY_CODE"],
                        "lat": float(row["LATITUDE"]), "lon": float(row["LONGITUDE"])})
    return sorted(out, key=lambda r: r["country_code"])


def write_parquet(rows: list[dict], path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame(rows)
    frame = frame[[c for c in frame.columns if not c.startswith("_")]]
    frame.to_parquet(path, index=False, compression="zstd", compression_level=19)
    logger.info("wrote %s: %d rows, %.1f MB", path, len(frame), path.stat().st_size / 1e6)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, required=True, help="the ../shared directory")
    parser.add_argument("--out", type=Path, default=Path("geodata/data"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not (args.shared / "data" / "wof_localities.parquet").is_file():
        print(f"error: {args.shared} has no data/wof_localities.parquet", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    places, admin2 = derive_wof(args.shared)
    write_parquet(places, args.out / "wof_places.parquet")
    write_parquet(admin2, args.out / "admin2.parquet")
    write_parquet(derive_natural(args.shared), args.out / "natural.parquet")
    points = derive_country_points(args.shared)
    with (args.out / "country_points.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["country_code", "lat", "lon"])
        writer.writeheader()
        writer.writerows(points)
    logger.info("wrote %s: %d countries", args.out / "country_points.csv", len(points))
    counts: defaultdict[str, int] = defaultdict(int)
    for p in places:
        counts[p["feature_class"]] += 1
    logger.info("WOF places by class: %s", dict(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
