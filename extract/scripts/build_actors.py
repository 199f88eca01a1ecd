"""Derive ``extract/data/actors_ucdp.tsv`` from the UCDP Actor Dataset.

Run: ``python -m extract.scripts.build_actors --ucdp ../shared/data/ucdp_actors.csv``

Source: UCDP Actor Dataset version 22.1, Uppsala Conflict Data Program (CC BY 4.0; see
``extract/data/ATTRIBUTION.md``). What is kept, in the alias table's format
(``canonical, inter_code, language, alias, countries``):

- non-state armed groups (UCDP ``Org`` 1) as rebel groups (ACLED inter code 2), named as ACLED
  names them: ``ACRONYM: Full Name`` where UCDP's short name is an acronym, else the English
  name; aliases are UCDP's short, original and English names (and new names);
- supporters of parties (``Org`` 2) as political militias (3), by their names;
- identity groups (``Org`` 3: ethnic groups, clans) as identity militias (4), named
  ``<Group> Ethnic Militia (<country>)`` or ``<Clan> Clan Militia (<country>)`` as ACLED
  does, and found only as "<group> militia", "<group> fighters" and the like (the bare name
  of a people is no armed group);
- governments (``Org`` 4) are left out: state forces are found by the curated table and by
  demonyms, and named by ``extract/data/state_forces.tsv``.

An alias is dropped when the curated table (``extract/data/actors.tsv``) already has it (the
curated reading wins), when it is shorter than four letters and not an acronym, when it is
one common word (wordfreq Zipf >= 3.0 in English or French), or when two UCDP actors share
it, or when it begins with a number ("16th Division"). Acronyms (matched in capitals only)
are limited to the actor's own countries.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "extract" / "data" / "actors_ucdp.tsv"
COMMON_ZIPF = 3.0
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9-]{1,9}$")
_UCDP_COUNTRY = re.compile(r"\s*\(.*?\)\s*")
_UNSAFE = re.compile(r"[\t\"\\]")
# UCDP's names of countries that differ from ISO's
_COUNTRY_ALIASES = {
    "DR Congo": "CD", "Congo": "CG", "Ivory Coast": "CI", "Russia": "RU", "Myanmar": "MM",
    "Yemen": "YE", "Serbia": "RS", "Cambodia": "KH", "Iran": "IR", "Syria": "SY",
    "Laos": "LA", "Vietnam": "VN", "South Korea": "KR", "North Korea": "KP", "Bolivia": "BO",
    "Venezuela": "VE", "Tanzania": "TZ", "Moldova": "MD", "Macedonia, FYR": "MK",
    "Kingdom of eSwatini": "SZ", "Bosnia-Herzegovina": "BA", "United States of America": "US",
    "United Kingdom": "GB", "Turkey": "TR", "Palestine": "PS", "Czech Republic": "CZ",
}


def iso2(country: str) -> str:
    import pycountry

    name = _UCDP_COUNTRY.sub("", country).strip()
    if name in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[name]
    try:
        return pycountry.countries.lookup(name).alpha_2
    except LookupError:
        return ""


def _names(row: dict[str, str]) -> list[str]:
    out = []
    for key in ("NameData", "NameOrig", "NameOrigFull", "NameOrigFullEng", "NewName",
                "NewNameFullEng", "NewNameFullMotherTongue"):
        for value in (row.get(key) or "").split(","):
            value = " ".join(value.split()).strip(" .")
            if value and value.lower() not in ("n/a", "nan") and value not in out:
                out.append(value)
    return out


def _common(alias: str) -> bool:
    """One or two words that are all common ("Jama'at", "Security Group"): not a name."""
    from wordfreq import zipf_frequency

    words = alias.split()
    return len(words) <= 2 and all(max(zipf_frequency(w.lower(), "en"),
                                       zipf_frequency(w.lower(), "fr")) >= COMMON_ZIPF
                                   for w in words)


def rows_from_ucdp(path: Path, curated: dict[tuple[str, ...], str],
                   homes: dict[str, set[str]] | None = None) -> list[list[str]]:
    """Alias rows for UCDP's actors; ``curated`` maps the curated table's alias keys to
    their canonical names (a UCDP actor the curated table knows takes its name). ``homes``,
    when given, receives each actor's countries of operation (UCDP ``Location``) by
    canonical name, the curated actors' included."""
    from extract.actors import fold_alias

    with path.open(encoding="utf-8-sig", newline="") as fh:
        actors = list(csv.DictReader(fh))
    proposals: list[tuple[str, int, str, str]] = []  # canonical, inter, alias, countries
    home_rows: list[tuple[str, str]] = []  # canonical, countries of operation
    for row in actors:
        org = row.get("Org", "").strip()
        if org not in ("1", "2", "3"):
            continue
        names = _names(row)
        if not names:
            continue
        countries = sorted({c for c in (iso2(x) for x in row.get("Location", "").split(","))
                            if c})
        short = names[0]
        # the current name where the group was renamed ("LRA", not its founding name)
        english = " ".join((row.get("NewNameFullEng") or row.get("NameOrigFullEng") or ""
                            ).split()) or short
        if (row.get("NewName") or "").strip() and _ACRONYM.match(row["NewName"].strip()):
            short = row["NewName"].strip()
        if "government of" in short.lower() or short.lower().endswith(" insurgents"):
            continue
        if org == "3":
            group = re.sub(r"\s*\(.*\)$", "", english).strip()
            if not group or not countries:
                continue
            kind = "Clan" if re.search(r"\bclan\b", group, re.IGNORECASE) else "Ethnic"
            group = re.sub(r"\s+clan$", "", group, flags=re.IGNORECASE)
            canonical = f"{group} {kind} Militia (" + "{country}" + ")"
            nouns = ("clan militia", "clan militiamen", "clan fighters", "militia") \
                if kind == "Clan" else ("militia", "militiamen", "fighters", "ethnic militia")
            for noun in nouns:
                proposals.append((canonical, 4, f"{group} {noun}", ",".join(countries)))
            continue
        inter = 2 if org == "1" else 3
        known = next((curated[k] for k in (fold_alias(n) for n in names) if k in curated),
                     None)
        if known is not None:
            canonical = known
        elif _ACRONYM.match(short) and english != short:
            canonical = f"{short}: {english}"
        else:
            canonical = english
        # an acronym names many groups ("PDF": Sudan's Popular Defence Forces, Myanmar's
        # People's Defense Force): a curated actor takes UCDP's countries only by a full name
        by_full_name = known is None or any(
            curated.get(fold_alias(n)) == known for n in names if not _ACRONYM.match(n))
        if by_full_name:
            home_rows.append((canonical, ",".join(countries)))
        for alias in names:
            acronym = bool(_ACRONYM.match(alias))
            letters = re.sub(r"\W", "", alias)
            if (len(letters) < 4 and not acronym) or _common(alias) or _UNSAFE.search(alias) \
                    or alias[:1].isdigit():  # "16th Division": any army has one
                continue
            proposals.append((canonical, inter, alias, ",".join(countries) if acronym else ""))
    if homes is not None:
        _collect_homes(homes, [(c, w) for c, _i, _a, w in proposals] + home_rows)
    by_key: dict[tuple[str, ...], set[str]] = {}
    for canonical, _inter, alias, _c in proposals:
        by_key.setdefault(fold_alias(alias), set()).add(canonical)
    out = []
    seen: set[tuple[tuple[str, ...], str]] = set()
    for canonical, inter, alias, where in proposals:
        key = fold_alias(alias)
        if not key or key in curated or len(by_key[key]) > 1 or (key, where) in seen:
            continue
        seen.add((key, where))
        if _UNSAFE.search(canonical):
            continue
        out.append([canonical, str(inter), "*", alias, where])
    out.sort(key=lambda r: (r[0].lower(), r[3].lower()))
    return out


def _collect_homes(homes: dict[str, set[str]], rows: list[tuple[str, str]]) -> None:
    """Each canonical name's countries, from (canonical, "CC,CC") rows."""
    for canonical, where in rows:
        if where:
            homes.setdefault(canonical, set()).update(where.split(","))


def _write_homes(path: Path, homes: dict[str, set[str]]) -> None:
    header = [
        "# Countries where each actor operates (UCDP Actor Dataset 22.1 `Location`), by the",
        "# canonical names of actors.tsv and actors_ucdp.tsv; a hint of where a text that",
        "# names the actor and no country is (extract.actors.ActorTable.home_countries).",
        "# Source: Uppsala Conflict Data Program, CC BY 4.0 (see extract/data/ATTRIBUTION.md).",
        "# Rebuilt by: python -m extract.scripts.build_actors --ucdp ../shared/data/ucdp_actors.csv",
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(header) + "\n")
        writer = csv.writer(fh, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None,
                            lineterminator="\n")
        writer.writerow(["canonical", "countries"])
        for canonical in sorted(homes, key=str.lower):
            if not _UNSAFE.search(canonical) and "{country}" not in canonical:
                writer.writerow([canonical, ",".join(sorted(homes[canonical]))])
    print(f"wrote {path}: {len(homes)} actors' countries", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ucdp", type=Path, required=True, help="ucdp_actors.csv")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    from extract.actors import DEFAULT_TABLE, ActorTable, fold_alias

    curated = {fold_alias(e.alias): e.canonical for e in ActorTable.load(DEFAULT_TABLE).entries
               if not e.countries}
    homes: dict[str, set[str]] = {}
    rows = rows_from_ucdp(args.ucdp, curated, homes)
    _write_homes(args.out.with_name("actor_homes.tsv"), homes)
    header = [
        "# Conflict Atlas actor aliases derived from the UCDP Actor Dataset 22.1",
        "# version: 1 (2026-12); source: Uppsala Conflict Data Program, CC BY 4.0 (see",
        "# extract/data/ATTRIBUTION.md). Rebuilt by: python -m extract.scripts.build_actors",
        "#   --ucdp ../shared/data/ucdp_actors.csv",
        "# Same columns as actors.tsv; the curated table wins where both have an alias.",
    ]
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(header) + "\n")
        writer = csv.writer(fh, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None,
                            lineterminator="\n")
        writer.writerow(["canonical", "inter_code", "language", "alias", "countries"])
        writer.writerows(rows)
    print(f"wrote {args.out}: {len(rows)} aliases of "
          f"{len({r[0] for r in rows})} actors", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
