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
from collections.abc import Sequence
from dataclasses import dataclass
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


def _gold_id(geonameid: str | None) -> str:
    return f"gn:{geonameid}" if geonameid else ""


def candidate_rows(resolver: Any, docs: Sequence[Document]
                   ) -> tuple[list[list[float]], list[int], list[int], list[float]]:
    """One row per scored reading of every gold span the resolver has readings for, as it
    ranked them in its last round: the feature vectors, the labels (1: within LABEL_KM of
    the gold point or the gold's own GeoNames entity), the group of each row (one per
    gold span: a ranking problem) and the resolver's score of each row. Spans whose readings
    are all right or all wrong teach nothing about ranking and are left out; so are
    readings a rule put in place (a demonym's country, the province of a town)."""
    from extract.geoparse.features import vector
    from extract.geoparse.model import Mention
    from geodata.distance import haversine_km
    from geodata.tld import country_of_url

    x: list[list[float]] = []
    y: list[int] = []
    groups: list[int] = []
    scores: list[float] = []
    group = 0
    for doc in docs:
        gold = gold_toponyms(doc)
        if not gold:
            continue
        mentions = [Mention(t.start, t.end, t.name, "gold") for t in gold]
        _out, decided, keys = resolver.decide(doc.text, mentions, home=country_of_url(doc.url))
        for t, key in zip(gold, keys, strict=True):
            ranked = [c for c in decided[key].ranked if not c.rule] if key in decided else []
            labels = [int(c.place["id"] == _gold_id(t.geonameid) or haversine_km(
                t.lat, t.lon, c.place["lat"], c.place["lon"]) <= LABEL_KM) for c in ranked]
            if not 0 < sum(labels) < len(labels):
                continue
            for c, label in zip(ranked, labels, strict=True):
                x.append(vector(c.features))
                y.append(label)
                groups.append(group)
                scores.append(c.score)
            group += 1
    return x, y, groups, scores


def _pairs(x: Any, y: Any, groups: Any, base: Any, depth: int | None) -> tuple[Any, Any]:
    """The pairwise transform of a ranking problem: for every right and wrong reading of one
    span, the difference of their features (label 1) and its opposite (label 0); with
    ``depth``, only the ``depth`` wrong readings the hand weights score highest (the ones
    a right reading has to beat)."""
    import numpy as np

    diffs = []
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        pos, neg = idx[y[idx] == 1], idx[y[idx] == 0]
        if depth is not None:
            neg = neg[np.argsort(-base[neg], kind="stable")[:depth]]
        if len(pos) and len(neg):
            diffs.append((x[pos][:, None, :] - x[neg][None, :, :]).reshape(-1, x.shape[1]))
    d = np.concatenate(diffs) if diffs else np.zeros((0, x.shape[1]))
    return np.concatenate([d, -d]), np.concatenate([np.ones(len(d)), np.zeros(len(d))])


@dataclass(frozen=True)
class FitOptions:
    """One formulation of the fit. ``model``: "pairwise" (the difference of a right and a
    wrong reading of one span: a ranking model, no intercept) or "pointwise" (each reading
    on its own, right or wrong); ``c``: scikit-learn's inverse regularisation; ``depth``:
    pairwise against the top ``depth`` wrong readings only; ``from_hand``: the hand score is
    one more column, in effect unpenalised (scaled by HAND_COLUMN_SCALE, its coefficient is
    tiny), so that regularisation pulls the weights towards a multiple of the hand weights
    rather than towards 0 (small ``c``: close to the hand weights)."""

    model: str = "pairwise"
    c: float = 1.0
    depth: int | None = None
    from_hand: bool = False

    @property
    def label(self) -> str:
        return (f"{self.model} C={self.c:g}" + (f" depth={self.depth}" if self.depth else "")
                + (" from-hand" if self.from_hand else ""))


def fit_weights(x: Any, y: Any, groups: Any, base: Any, options: FitOptions
                ) -> tuple[Any, float]:
    """Weights over the raw feature columns (and an intercept) of a logistic regression,
    fitted on standardised columns. ``base``: the hand scores of the rows (the hand weights
    times the columns: see :class:`FitOptions`)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from extract.geoparse.features import FEATURE_NAMES
    from extract.geoparse.scorer import hand_weights

    x, base = np.asarray(x, float), np.asarray(base, float)
    y, groups = np.asarray(y), np.asarray(groups)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = (x - mean) / std
    if options.from_hand:
        z = np.column_stack([z, base * HAND_COLUMN_SCALE])
    if options.model == "pairwise":
        xp, yp = _pairs(z, y, groups, base, options.depth)
        lr = LogisticRegression(C=options.c, fit_intercept=False, max_iter=1000).fit(xp, yp)
        intercept = 0.0
    elif options.model == "pointwise":
        lr = LogisticRegression(C=options.c, max_iter=1000).fit(z, y)
    else:
        raise ValueError(f"unknown model {options.model!r}; use pairwise or pointwise")
    coef = lr.coef_[0]
    w = coef[:x.shape[1]] / std
    if options.model == "pointwise":
        intercept = float(lr.intercept_[0] - np.dot(w, mean))
    if options.from_hand:  # the hand score is the hand weights times the columns
        hand = hand_weights().table
        w = w + coef[-1] * HAND_COLUMN_SCALE * np.array([hand[n] for n in FEATURE_NAMES])
    return w, intercept


def top_is_right(scores: Any, y: Any, groups: Any) -> float:
    """Share of spans whose best-scored reading is a right one (ties: the first)."""
    import numpy as np

    scores, y, groups = np.asarray(scores, float), np.asarray(y), np.asarray(groups)
    hits = [y[idx][np.argmax(scores[idx])] for idx in (np.flatnonzero(groups == g)
                                                       for g in np.unique(groups))]
    return float(np.mean(hits)) if hits else float("nan")


def ranking_accuracy(w: Any, b: float, x: Any, y: Any, groups: Any) -> float:
    """:func:`top_is_right` for the scores of weights ``w`` and intercept ``b``."""
    import numpy as np

    return top_is_right(np.asarray(x, float) @ w + b, y, groups)


def _within_spread(scores: Any, groups: Any) -> float:
    """Pooled standard deviation of the scores of each span's readings around their mean."""
    import numpy as np

    scores, groups = np.asarray(scores, float), np.asarray(groups)
    dev = [scores[groups == g] - scores[groups == g].mean() for g in np.unique(groups)]
    return float(np.sqrt(np.mean(np.concatenate(dev) ** 2))) if dev else 1.0


HAND_COLUMN_SCALE = 100.0
GRID = (*(FitOptions("pairwise", c) for c in (1e-2, 1e-1, 1.0)),
        *(FitOptions("pairwise", c, from_hand=True) for c in (1e-4, 1e-3)),
        FitOptions("pointwise", 1.0))


def choose_and_fit(x: Any, y: Any, groups: Any, hand_scores: Any, *, folds: int = 5,
                   grid: Sequence[FitOptions] = GRID) -> tuple[Any, float, dict[str, Any]]:
    """Choose the formulation by cross-validation over the spans (GroupKFold by span: a
    span's readings never straddle folds; the score is the share of held-out spans whose
    best reading is right), fit the chosen one on every row, and scale the weights so that
    the scores of a span's readings spread as the hand scores do (the resolver's margins,
    vote and confidence thresholds are in those units; a positive scale changes no
    ranking)."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    x, y, groups = np.asarray(x, float), np.asarray(y), np.asarray(groups)
    base = np.asarray(hand_scores, float)
    cv: dict[str, float] = {}
    splitter = GroupKFold(n_splits=min(folds, len(np.unique(groups))))
    for options in grid:
        accs = []
        for tr, te in splitter.split(x, y, groups):
            w, b = fit_weights(x[tr], y[tr], groups[tr], base[tr], options)
            accs.append(ranking_accuracy(w, b, x[te], y[te], groups[te]))
        cv[options.label] = round(float(np.mean(accs)), 4)
    cv["hand weights"] = round(top_is_right(base, y, groups), 4)
    best = max(grid, key=lambda o: cv[o.label])  # first of equals: the simpler one
    w, b = fit_weights(x, y, groups, base, best)
    scale = _within_spread(base, groups) / max(_within_spread(x @ w + b, groups), 1e-9)
    info = {"model": best.label, "cv_top_right": cv, "scale": round(scale, 6)}
    return w * scale, b * scale, info


def fit(shared: Path, corpora: Sequence[str] = CORPORA, split: str = "dev",
        split_files: dict[str, Path] | None = None) -> dict[str, Any]:
    """The fitted weights file's content (see the module docstring)."""
    import numpy as np
    import sklearn

    from extract.geoparse.features import FEATURE_NAMES
    from extract.geoparse.resolver import ResolverConfig, ToponymResolver

    resolver = ToponymResolver(config=ResolverConfig(weights="hand"))
    x: list[list[float]] = []
    y: list[int] = []
    groups: list[int] = []
    scores: list[float] = []
    n_docs = {}
    for corpus in corpora:
        docs = load_docs(shared, corpus, split, (split_files or {}).get(corpus))
        n_docs[corpus] = len(docs)
        logger.info("%s, %s split: %d documents", corpus, split, len(docs))
        cx, cy, cg, cs = candidate_rows(resolver, docs)
        offset = (max(groups) + 1) if groups else 0
        x += cx
        y += cy
        groups += [g + offset for g in cg]
        scores += cs
    if not groups:
        raise ValueError("no span with both right and wrong readings to fit on")
    logger.info("fitting on %d readings of %d spans", len(y), len(set(groups)))
    w, b, info = choose_and_fit(x, y, groups, scores)
    xa, ya, ga = np.asarray(x), np.asarray(y), np.asarray(groups)
    info["hand_ranking_accuracy"] = round(top_is_right(scores, ya, ga), 4)
    info["fitted_ranking_accuracy"] = round(ranking_accuracy(w, b, xa, ya, ga), 4)
    return {
        "name": "fitted",
        "weights": {n: round(float(v), 6) for n, v in zip(FEATURE_NAMES, w, strict=True)},
        "intercept": round(float(b), 6),
        "provenance": {
            "script": "python -m evaluation.fit_resolver fit",
            "corpora": list(corpora), "split": split, "documents": n_docs,
            "spans": len(np.unique(ga)), "rows": len(y),
            "label": f"within {LABEL_KM:g} km of the gold point or the gold's GeoNames entity",
            "features_from": "the hand-weighted resolver's last round",
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
            "sklearn": sklearn.__version__,
            **info,
        },
    }


def compare(shared: Path, split: str, weights: Sequence[str] = ("hand", "fitted"),
            corpora: Sequence[str] = CORPORA, end2end: bool = False) -> dict[str, Any]:
    """The geoparse harness's summary (resolve mode, and end-to-end with ``end2end``) of each
    weight table on one split of each corpus."""
    from evaluation.adapters import Finder, SpanResolver
    from evaluation.corpora import read_corpus
    from evaluation.geoparse import evaluate
    from extract.geoparse.resolver import ResolverConfig, ToponymResolver

    base = ToponymResolver()
    nlp = None
    if end2end:
        from extract.geoparse.nlp import NlpRegistry

        nlp = NlpRegistry().get("en")
    keep = ("n", "accuracy_161km", "auc", "mean_km", "median_km", "coverage",
            "entity_or_161km", "f1_overlap", "precision_overlap", "recall_overlap")
    out: dict[str, Any] = {}
    for corpus in corpora:
        path = shared / "eval" / corpus
        full = read_corpus(path)
        wanted = select([d.doc_id for d in full.documents], path, split)
        full.documents = [d for d in full.documents if d.doc_id in wanted]
        for which in weights:
            resolver = ToponymResolver(base.geocoder, base.demonyms,
                                       config=ResolverConfig(weights=which))
            modes = ["resolve", *(["end2end"] if end2end else [])]
            for mode in modes:
                summary, _rows = evaluate(full, mode=mode, resolver=SpanResolver(resolver),
                                          finder=Finder(resolver, nlp, "en") if nlp else None)
                out[f"{corpus} {split} {mode} {which}"] = {
                    k: summary.get(k) for k in keep if summary.get(k) is not None}
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
    fitp = sub.add_parser("fit", help="fit the weights on the dev split, write them")
    fitp.add_argument("--shared", type=Path, default=Path("../shared"))
    fitp.add_argument("--corpus", action="append", default=None,
                      help=f"corpus file under SHARED/eval (repeatable; default {CORPORA})")
    fitp.add_argument("--split-file", action="append", default=[], metavar="CORPUS=FILE.tsv",
                      help="another split of a corpus than the committed one (tests)")
    fitp.add_argument("--out", type=Path, required=True)
    comp = sub.add_parser("compare", help="hand and fitted weights on one split")
    comp.add_argument("--shared", type=Path, default=Path("../shared"))
    comp.add_argument("--split", choices=("dev", "test"), required=True)
    comp.add_argument("--weights", action="append", default=None,
                      help="hand | fitted | a weights file (repeatable; default both)")
    comp.add_argument("--end2end", action="store_true", help="also find the spans (spaCy)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.command == "fit":
        split_files = {}
        for item in args.split_file:
            corpus, _, path = item.partition("=")
            split_files[corpus] = Path(path)
        data = fit(args.shared, tuple(args.corpus or CORPORA), "dev", split_files)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n",
                            encoding="utf-8")
        prov = data["provenance"]
        print(f"wrote {args.out}: {prov['model']}, {prov['rows']} readings of "
              f"{prov['spans']} spans; ranking accuracy on them: hand "
              f"{prov['hand_ranking_accuracy']}, fitted {prov['fitted_ranking_accuracy']}")
        return 0
    if args.command == "compare":
        result = compare(args.shared, args.split, tuple(args.weights or ("hand", "fitted")),
                         end2end=args.end2end)
        for name, summary in result.items():
            print(name, json.dumps(summary, sort_keys=True))
        return 0
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
