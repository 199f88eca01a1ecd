"""Actor search by alias: the sidebar finds "Islamic State" when the user types "Daech".

The aliases come from the extraction's alias table (``extract/data/actors.tsv``, columns
canonical, inter_code, language, alias), read here as plain data. An actor of the store
matches a canonical name of the table when it is that name, optionally followed by a
parenthesised qualifier ("Islamic State (Iraq)"), as ACLED names actors.
"""

from __future__ import annotations

import csv
import logging
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

logger = logging.getLogger(__name__)

TABLE = Path(__file__).resolve().parents[1] / "extract" / "data" / "actors.tsv"


def read_aliases(path: str | Path = TABLE) -> dict[str, list[str]]:
    """canonical name -> its aliases in table order (without the name itself, no repeats).

    A missing or unreadable table gives an empty mapping (search by name still works).
    """
    out: dict[str, list[str]] = {}
    try:
        with Path(path).open(encoding="utf-8", newline="") as fh:
            rows = csv.reader((line for line in fh if not line.startswith("#")),
                              delimiter="\t")
            header = next(rows, None)
            if header is None or header[:1] != ["canonical"]:
                return {}
            at = header.index("alias")
            for row in rows:
                if len(row) <= at or not row[0].strip():
                    continue
                canonical, alias = row[0].strip(), row[at].strip()
                seen = out.setdefault(canonical, [])
                if alias and alias != canonical and alias not in seen:
                    seen.append(alias)
    except (OSError, ValueError, csv.Error) as exc:
        logger.warning("actor aliases unavailable (%s): %s", path, exc)
        return {}
    return out


def fold(text: str) -> str:
    """Lower case without accents (what a user may type for "État islamique")."""
    norm = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in norm if not unicodedata.combining(ch)).casefold()


def canonical_of(actor: str, aliases: Mapping[str, list[str]]) -> str | None:
    """The table's canonical name for a store's actor name, or None."""
    if actor in aliases:
        return actor
    base = actor.split(" (", 1)[0].strip()
    return base if base in aliases else None


def actor_label(actor: str, aliases: Mapping[str, list[str]]) -> str:
    """The option label: the name, then its aliases (the select box searches the label).

    Accent-free spellings of aliases are added when they differ, so "Etat islamique" finds
    "État islamique".
    """
    canonical = canonical_of(actor, aliases)
    if canonical is None:
        return actor
    names: list[str] = []
    for alias in aliases[canonical]:
        plain = fold(alias)
        for variant in (alias, plain) if plain != alias.casefold() else (alias,):
            if variant not in names:
                names.append(variant)
    return f"{actor} · also: {', '.join(names)}" if names else actor


def search(query: str, actors: Iterable[str], aliases: Mapping[str, list[str]]) -> list[str]:
    """The actors whose name or any alias contains ``query`` (accents and case ignored)."""
    q = fold(query.strip())
    if not q:
        return []
    return [a for a in actors if q in fold(actor_label(a, aliases))]
