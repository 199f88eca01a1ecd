"""Fit the resolver's weights on the development split, compare them with the hand weights.

The resolver (:mod:`extract.geoparse.resolver`) scores every reading of a mention as a
weighted sum of its :class:`~extract.geoparse.features.CandidateFeatures`
(:mod:`extract.geoparse.scorer`). This script

- ``fit``: resolves the gold spans of the DEV part of each corpus with the hand weights,
  collects one row per candidate reading (its features as the resolver saw them in its last
  round; label 1 for the readings within 161 km of the gold point, or the gold's own
  GeoNames entity), fits a logistic regression (scikit-learn) over them and writes the
  weights with their provenance to a small JSON file;
- ``compare``: scores a split (dev or test) with the hand and the fitted weights
  (resolve mode: accuracy@161 km, AUC, mean / median km, coverage);
- ``snapshot``: writes every resolution of a split (place id, score, confidence, candidates,
  basis) to a JSON file, resolve and end-to-end, so that two versions of the resolver can be
  proved to give identical results (``cmp`` the two files).

Only the dev split is ever fitted on; the test split is only scored.

    python -m evaluation.fit_resolver fit --shared ../shared \\
        --out extract/geoparse/data/resolver_weights.json
    python -m evaluation.fit_resolver compare --shared ../shared --split test
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evaluation.corpora import Document, gold_toponyms, read_corpus
from evaluation.splits import select

logger = logging.getLogger(__name__)

CORPORA = ("GWN.xml", "TR-News.xml")
LABEL_KM = 161.0  # a reading this close to the gold point is a right reading


def load_docs(shared: Path, corpus: str, split: str | None,
              split_file: str | Path | None = None) -> list[Document]:
    """The documents of one part of a corpus under ``shared/eval``."""
    path = shared / "eval" / corpus
    docs = read_corpus(path).documents
    if split is None:
        return docs
    wanted = select([d.doc_id for d in docs], path, split, split_file)
    return [d for d in docs if d.doc_id in wanted]


def _place_summary(place: dict[str, Any] | None) -> Any:
    return None if place is None else [place["id"], place["lat"], place["lon"]]


def snapshot(resolver: Any, docs: Sequence[Document], *, finder: Any = None
             ) -> list[dict[str, Any]]:
    """Every resolution of the documents' gold spans (and, with ``finder``, of the spans
    it finds), as plain data."""
    from evaluation.adapters import SpanResolver  # noqa: F401 - same protocol as the harness
    from extract.geoparse.model import Mention
    from geodata.tld import country_of_url

    out = []
    for doc in docs:
        gold = gold_toponyms(doc)
        mentions = [Mention(t.start, t.end, t.name, "gold") for t in gold]
        rows = resolver.resolve(doc.text, mentions, home=country_of_url(doc.url)) \
            if mentions else []
        out.append({"doc": doc.doc_id, "mode": "resolve", "r": [
            [r.mention.start, r.mention.end, _place_summary(r.place), r.score, r.confidence,
             list(r.cue_classes), r.is_metonym, [c["id"] for c in r.candidates], r.basis]
            for r in rows]})
        if finder is not None:
            out.append({"doc": doc.doc_id, "mode": "end2end",
                        "r": [list(x) for x in finder.find(doc.text, url=doc.url)]})
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.fit_resolver",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot", help="every resolution of a split, as JSON")
    snap.add_argument("--shared", type=Path, default=Path("../shared"))
    snap.add_argument("--split", choices=("dev", "test"), required=True)
    snap.add_argument("--end2end", action="store_true", help="also find the spans (spaCy)")
    snap.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.command == "snapshot":
        from evaluation.adapters import Finder
        from extract.geoparse.nlp import NlpRegistry
        from extract.geoparse.resolver import ToponymResolver

        resolver = ToponymResolver()
        finder = Finder(resolver, NlpRegistry().get("en"), "en") if args.end2end else None
        data = {c: snapshot(resolver, load_docs(args.shared, c, args.split), finder=finder)
                for c in CORPORA}
        args.out.write_text(json.dumps(data, sort_keys=True, indent=0))
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
