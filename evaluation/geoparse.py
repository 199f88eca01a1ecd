"""Geoparsing evaluation on GeoWebNews, LGL/TR-News, GeoVirus or WikToR files.

Two modes:

``resolve`` (default)
    The gold spans of each document are handed to a :class:`Resolver` in one call, so the
    resolver may use document-level context. Scored over the gold toponyms (those with
    coordinates); a span the resolver cannot place is a miss with the maximum error.
``end2end``
    A :class:`ToponymFinder` finds spans and their coordinates in raw text. Spans are scored
    against the gold toponyms, exactly (same offsets) and by overlap (one-to-one, largest
    overlap first); predictions that overlap no gold toponym but overlap an annotation
    without coordinates (GWN non-toponyms, homonyms, unresolvable names) are left out of the
    precision counts (``ignored``). The geocoding metrics are then computed over the
    overlap-matched pairs; ``accuracy_161km_all`` counts every gold toponym (unfound = miss).

Metrics over ``n`` gold toponyms with errors ``e_i`` in km (haversine on a sphere of radius
6371 km; a miss counts as ``MAX_ERROR_KM`` = 20039 km, following Gritta et al.):

- ``coverage``: share of toponyms given any coordinate;
- ``accuracy_161km``: share with ``e_i <= 161`` (100 miles);
- ``mean_km``, ``median_km`` of ``e_i``;
- ``auc``: area under the curve of scaled log errors, Gritta et al. (2018) "What's missing in
  geographical parsing?": ``AUC = mean_i( ln(1 + e_i) / ln(1 + 20039) )``, in [0, 1], lower
  is better (0 = every toponym placed exactly, 1 = everything missed). The paper divides by
  ``ln(20039)``; dividing by ``ln(1 + 20039)`` instead makes a miss exactly 1 and changes the
  value by a factor 1.000005 (invisible at the 3 decimals reported). The paper's code
  integrates the sorted scaled errors with the trapezoidal rule over ``n - 1`` unit steps;
  that differs from the mean only by the end points' half weights, O(1/n).

Subsets: ``geonameid`` (gold with a GeoNames id); on GeoWebNews also ``literal`` and
``associative`` (see :data:`LITERAL_TYPES`), ``adjective`` (modifierType Adjective, e.g.
"Syrian" placed at Syria) and ``locational`` where any gold toponym is flagged
nonLocational. Breakdowns: by GWN ``type``, by GeoNames feature class, by country (the
corpus's country, else the gazetteer's country of the GeoNames id; with
``--country-nearest`` the country of the nearest city for the rest; "?" when unknown).

Splits: ``--split dev|test`` scores one part of the corpus's committed document split
(:mod:`evaluation.splits`, ``evaluation/data/splits/<corpus>.tsv``): develop on dev, report and
floor test.

Output: a table on stdout and, with ``--json``, one JSON object on the last stdout line.
``--errors FILE.csv`` writes one row per gold toponym (prediction, error, type, feature
class, country) for error analysis.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from geodata.distance import haversine_km

if TYPE_CHECKING:
    import numpy as np

    from evaluation.corpora import Corpus, Document

logger = logging.getLogger(__name__)

MAX_ERROR_KM = 20039.0
ACCURACY_KM = 161.0
METRIC_KEYS = ("n", "coverage", "accuracy_161km", "mean_km", "median_km", "auc")
SPAN_KEYS = ("precision", "recall", "f1", "precision_overlap", "recall_overlap", "f1_overlap")
MIN_BREAKDOWN_N = 1
# GeoWebNews types grouped as in Gritta et al. (2019): a literal mention names the place
# itself; an associative one uses it for something else (a government, a team, a modifier).
LITERAL_TYPES = frozenset({"Literal", "Literal_Modifier", "Embedded_Literal", "Mixed",
                           "Coercion"})
ASSOCIATIVE_TYPES = frozenset({"Metonymic", "Non_Literal_Modifier", "Embedded_Non_Lit",
                               "Demonym", "Language", "Homonym"})


#: What a resolver answers for one span: (lat, lon), or (lat, lon, gazetteer id) so that
#: the ``entity`` metrics can count the right entity as a hit (see :func:`answer_id`).
Answer = tuple[float, float] | tuple[float, float, str]


class Resolver(Protocol):
    """Places the given spans of one document: one :data:`Answer` per span, ``None`` for a
    span it cannot place. ``url`` is the article's address when the corpus gives one ("")."""

    def resolve(self, text: str, spans: Sequence[tuple[int, int, str]], url: str = ""
                ) -> list[Answer | None]: ...


class ToponymFinder(Protocol):
    """Finds place names in raw text: (start, end, surface, lat, lon) per mention."""

    def find(self, text: str, url: str = ""
             ) -> list[tuple[int, int, str, float | None, float | None]]: ...


@dataclass(frozen=True, slots=True)
class Row:
    """One gold toponym with its prediction (the ``--errors`` CSV has one per line)."""

    doc_id: str
    start: int
    end: int
    name: str
    gold_lat: float
    gold_lon: float
    geonameid: str
    type: str
    non_locational: bool
    modifier_type: str
    fclass: str
    fcode: str
    country: str
    normalised_name: str
    pred_lat: float | None
    pred_lon: float | None
    error_km: float
    match: str  # resolve mode: "gold"; end2end: "exact" | "overlap" | "none"
    pred_start: int | None = None
    pred_end: int | None = None
    offset_repaired: bool = False
    pred_id: str = ""  # the resolver's gazetteer id for the place ("gn:6251999"), if it says


# ---------------------------------------------------------------- distances and metrics

def coerce_point(p: Any) -> tuple[float, float] | None:
    """A valid (lat, lon) from a resolver's answer, else ``None`` (logged at debug level).

    Accepts a pair, a (lat, lon, place id) triple, or an object with ``latitude``/
    ``longitude`` (geopy Location, Point)."""
    if p is None:
        return None
    try:
        if hasattr(p, "latitude") and hasattr(p, "longitude"):
            lat, lon = float(p.latitude), float(p.longitude)
        else:
            if isinstance(p, (tuple, list)) and len(p) == 3:
                p = p[:2]
            lat, lon = (float(v) for v in p)
    except (TypeError, ValueError):
        logger.debug("not a coordinate pair: %r", p)
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
            and -180 <= lon <= 180):
        logger.debug("coordinates out of range: %r", p)
        return None
    return lat, lon


def answer_id(p: Any) -> str:
    """The gazetteer id a resolver's answer carries: the third item of a triple or a
    Location's ``raw["id"]`` ("" when it says none)."""
    if isinstance(p, (tuple, list)) and len(p) == 3 and p[2] is not None:
        return str(p[2])
    raw = getattr(p, "raw", None)
    return str(raw.get("id") or "") if isinstance(raw, dict) else ""


def errors_km(gold: Sequence[tuple[float, float]],
              pred: Sequence[tuple[float, float] | None]) -> np.ndarray:
    """Error of each prediction in km; ``MAX_ERROR_KM`` for a missing prediction."""
    import numpy as np

    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold points but {len(pred)} predictions")
    out = np.full(len(gold), MAX_ERROR_KM)
    idx = [i for i, p in enumerate(pred) if p is not None]
    if idx:
        g = np.asarray([gold[i] for i in idx], float)
        q = np.asarray([pred[i] for i in idx], float)
        out[idx] = np.minimum(haversine_km(g[:, 0], g[:, 1], q[:, 0], q[:, 1]), MAX_ERROR_KM)
    return out


def auc_of_errors(errors: Sequence[float] | np.ndarray) -> float:
    """Gritta et al.'s AUC: mean of ln(1 + e) / ln(1 + 20039) (0 best, 1 worst)."""
    import numpy as np

    e = np.clip(np.asarray(errors, float), 0.0, MAX_ERROR_KM)
    if e.size == 0:
        return float("nan")
    return float(np.mean(np.log1p(e) / np.log1p(MAX_ERROR_KM)))


def _round(x: float | None, digits: int) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


def geocoding_metrics(errors: Sequence[float] | np.ndarray,
                      resolved: Sequence[bool]) -> dict[str, Any]:
    """The six headline metrics of a set of errors (km) and placed-or-not flags.

    Fractions are rounded to 6 decimals and kilometres to 3, so the output is stable."""
    import numpy as np

    e = np.asarray(errors, float)
    n = int(e.size)
    if n == 0:
        return {"n": 0, "coverage": None, "accuracy_161km": None, "mean_km": None,
                "median_km": None, "auc": None}
    return {
        "n": n,
        "coverage": _round(float(np.mean(np.asarray(resolved, bool))), 6),
        "accuracy_161km": _round(float(np.mean(e <= ACCURACY_KM)), 6),
        "mean_km": _round(float(np.mean(e)), 3),
        "median_km": _round(float(np.median(e)), 3),
        "auc": _round(auc_of_errors(e), 6),
    }


def metrics_of_rows(rows: Sequence[Row]) -> dict[str, Any]:
    return geocoding_metrics([r.error_km for r in rows], [r.pred_lat is not None for r in rows])


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0 where undefined)."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


# ---------------------------------------------------------------- span matching (end2end)

def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match_spans(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]]
                ) -> dict[int, tuple[int, str]]:
    """One-to-one matching of gold to predicted spans: exact matches first, then the largest
    overlaps (ties to the earlier spans). Returns ``{gold index: (pred index, kind)}`` with
    kind ``"exact"`` or ``"overlap"``."""
    out: dict[int, tuple[int, str]] = {}
    used: set[int] = set()
    by_span: dict[tuple[int, int], list[int]] = {}
    for j, p in enumerate(pred):
        by_span.setdefault(tuple(p), []).append(j)  # type: ignore[arg-type]
    for i, g in enumerate(gold):
        free = [j for j in by_span.get(tuple(g), []) if j not in used]  # type: ignore[arg-type]
        if free:
            out[i] = (free[0], "exact")
            used.add(free[0])
    pairs = sorted((-_overlap(g, p), i, j) for i, g in enumerate(gold) if i not in out
                   for j, p in enumerate(pred) if j not in used and _overlap(g, p) > 0)
    for _, i, j in pairs:
        if i not in out and j not in used:
            out[i] = (j, "overlap")
            used.add(j)
    return out


@dataclass(slots=True)
class SpanCounts:
    gold: int = 0
    predicted: int = 0  # distinct predicted spans, less the ignored ones
    ignored: int = 0  # overlap no gold toponym but an annotation without coordinates
    tp_exact: int = 0
    tp_overlap: int = 0

    def metrics(self) -> dict[str, Any]:
        p, r, f = prf(self.tp_exact, self.predicted, self.gold)
        po, ro, fo = prf(self.tp_overlap, self.predicted, self.gold)
        vals = (p, r, f, po, ro, fo)
        return {**{k: round(v, 6) for k, v in zip(SPAN_KEYS, vals, strict=True)},
                "span_counts": asdict(self)}


# ---------------------------------------------------------------- evaluation loops

def _row(doc_id: str, t: Any, pred: tuple[float, float] | None, error: float, match: str,
         pred_span: tuple[int, int] | None = None) -> Row:
    return Row(doc_id=doc_id, start=t.start, end=t.end, name=t.name, gold_lat=t.lat,
               gold_lon=t.lon, geonameid=t.geonameid or "", type=t.type,
               non_locational=t.non_locational, modifier_type=t.modifier_type,
               fclass=t.fclass, fcode=t.fcode, country=t.country,
               normalised_name=t.normalised_name,
               pred_lat=None if pred is None else pred[0],
               pred_lon=None if pred is None else pred[1], error_km=float(error), match=match,
               pred_start=None if pred_span is None else pred_span[0],
               pred_end=None if pred_span is None else pred_span[1],
               offset_repaired=t.repaired)


def _progress(items: Sequence[Any], enabled: bool, desc: str) -> Iterable[Any]:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="doc", file=sys.stderr, leave=False)


def evaluate_resolver(docs: Sequence[Document], resolver: Resolver, *,
                      progress: bool = False) -> tuple[list[Row], int]:
    """Rows for every gold toponym, and the number of documents whose resolver call failed
    (their toponyms count as misses; the failure is logged, the run goes on)."""
    from evaluation.corpora import gold_toponyms

    rows: list[Row] = []
    failed = 0
    for doc in _progress(docs, progress, "resolve"):
        gold = gold_toponyms(doc)
        if not gold:
            continue
        spans = [(t.start, t.end, t.name) for t in gold]
        try:
            answer = list(resolver.resolve(doc.text, spans, url=doc.url))
        except Exception as exc:  # noqa: BLE001 - one bad document must not end the run
            logger.warning("resolver failed on document %s: %s: %s", doc.doc_id,
                           type(exc).__name__, exc)
            answer, failed = [None] * len(gold), failed + 1
        if len(answer) != len(gold):
            logger.warning("resolver returned %d answers for %d spans in document %s; "
                           "counting the document as missed", len(answer), len(gold),
                           doc.doc_id)
            answer, failed = [None] * len(gold), failed + 1
        preds = [coerce_point(p) for p in answer]
        errs = errors_km([(t.lat, t.lon) for t in gold], preds)
        rows.extend(replace(_row(doc.doc_id, t, p, e, "gold"), pred_id=answer_id(a))
                    for t, p, e, a in zip(gold, preds, errs, answer, strict=True))
    return rows, failed


def evaluate_finder(docs: Sequence[Document], finder: ToponymFinder, *,
                    progress: bool = False) -> tuple[list[Row], SpanCounts, int]:
    """Rows for every gold toponym (matched or not), span counts, failed documents."""
    from evaluation.corpora import gold_toponyms

    rows: list[Row] = []
    counts = SpanCounts()
    failed = 0
    for doc in _progress(docs, progress, "end2end"):
        gold = gold_toponyms(doc)
        others = [(t.start, t.end) for t in doc.toponyms if not t.has_coordinates]
        try:
            found = list(finder.find(doc.text, url=doc.url))
        except Exception as exc:  # noqa: BLE001 - one bad document must not end the run
            logger.warning("finder failed on document %s: %s: %s", doc.doc_id,
                           type(exc).__name__, exc)
            found, failed = [], failed + 1
        # distinct predicted spans, first answer kept
        pred: dict[tuple[int, int], tuple[float, float] | None] = {}
        for item in found:
            try:
                s, e = int(item[0]), int(item[1])
                lat, lon = item[3], item[4]
            except (TypeError, ValueError, IndexError):
                logger.warning("document %s: malformed finder output %r skipped",
                               doc.doc_id, item)
                continue
            pred.setdefault((s, e), coerce_point((lat, lon)) if lat is not None
                            and lon is not None else None)
        pred_spans = sorted(pred)
        gold_spans = [(t.start, t.end) for t in gold]
        matches = match_spans(gold_spans, pred_spans)
        matched_preds = {j for j, _ in matches.values()}
        ignored = sum(1 for j, p in enumerate(pred_spans) if j not in matched_preds
                      and not any(_overlap(p, g) for g in gold_spans)
                      and any(_overlap(p, o) for o in others))
        counts.gold += len(gold)
        counts.predicted += len(pred_spans) - ignored
        counts.ignored += ignored
        counts.tp_exact += sum(1 for _, kind in matches.values() if kind == "exact")
        counts.tp_overlap += len(matches)
        for i, t in enumerate(gold):
            if i in matches:
                j, kind = matches[i]
                p = pred[pred_spans[j]]
                err = float(errors_km([(t.lat, t.lon)], [p])[0])
                rows.append(_row(doc.doc_id, t, p, err, kind, pred_spans[j]))
            else:
                rows.append(_row(doc.doc_id, t, None, MAX_ERROR_KM, "none"))
    return rows, counts, failed


# ---------------------------------------------------------------- summaries

def breakdown(rows: Sequence[Row], key: Callable[[Row], str]) -> dict[str, dict[str, Any]]:
    """Metrics per group, groups ordered by size (then name)."""
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(key(r) or "?", []).append(r)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return {k: metrics_of_rows(v) for k, v in ordered if len(v) >= MIN_BREAKDOWN_N}


def summarize(rows: Sequence[Row], *, mode: str, counts: SpanCounts | None = None
              ) -> dict[str, Any]:
    """The headline metrics, subsets and breakdowns of a run."""
    scored = [r for r in rows if r.match != "none"] if mode == "end2end" else list(rows)
    out: dict[str, Any] = dict(metrics_of_rows(scored))
    subsets: dict[str, Any] = {"geonameid": metrics_of_rows([r for r in scored if r.geonameid])}
    if any(r.type for r in rows):
        subsets["literal"] = metrics_of_rows([r for r in scored if r.type in LITERAL_TYPES])
        subsets["associative"] = metrics_of_rows(
            [r for r in scored if r.type in ASSOCIATIVE_TYPES])
    if any(r.non_locational for r in rows):
        subsets["locational"] = metrics_of_rows([r for r in scored if not r.non_locational])
    if any(r.modifier_type for r in rows):
        subsets["adjective"] = metrics_of_rows(
            [r for r in scored if r.modifier_type == "Adjective"])
    out["subsets"] = subsets
    if any(r.pred_id for r in scored):
        # Diagnostic, not the headline: a country or province read as the right GeoNames
        # entity can still lie over 161 km from GeoNames' own point for it.
        with_id = [r for r in scored if r.geonameid]
        same = [r.error_km <= ACCURACY_KM or r.pred_id == f"gn:{r.geonameid}" for r in with_id]
        out["entity_or_161km"] = round(sum(same) / len(same), 6) if same else None
    by: dict[str, Any] = {}
    if any(r.type for r in rows):
        by["type"] = breakdown(scored, lambda r: r.type)
    if any(r.fclass for r in rows):
        by["fclass"] = breakdown(scored, lambda r: r.fclass)
    if any(r.country for r in rows):
        by["country"] = breakdown(scored, lambda r: r.country)
    out["breakdown"] = by
    if mode == "end2end" and counts is not None:
        out.update(counts.metrics())
        correct = sum(1 for r in rows if r.match != "none" and r.error_km <= ACCURACY_KM)
        out["accuracy_161km_all"] = round(correct / len(rows), 6) if rows else None
    return out


ERROR_COLUMNS = tuple(f.name for f in fields(Row))


def write_errors_csv(rows: Sequence[Row], path: str | Path) -> None:
    """One line per gold toponym, in document and text order."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(ERROR_COLUMNS)
        for r in rows:
            d = asdict(r)
            d["error_km"] = round(r.error_km, 3)
            w.writerow(["" if d[c] is None else d[c] for c in ERROR_COLUMNS])


def _fmt(v: Any, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def _metric_line(label: str, m: dict[str, Any], width: int) -> str:
    return (f"{label[:width]:<{width}} {m['n']:>6} {_fmt(m['coverage'], '.3f'):>8} "
            f"{_fmt(m['accuracy_161km'], '.3f'):>8} {_fmt(m['mean_km'], '.1f'):>9} "
            f"{_fmt(m['median_km'], '.1f'):>9} {_fmt(m['auc'], '.3f'):>6}")


def format_report(summary: dict[str, Any], *, top: int = 15) -> str:
    """The human-readable table."""
    c = summary["corpus"]
    off = c["offsets"]
    failed = summary.get("failed_documents")
    lines = [
        (f"corpus   {c['path']} ({c['format']}): {c['documents']} documents, "
         f"{c['annotations']} annotations, {c['gold']} gold toponyms with coordinates, "
         f"{c['gold_geonameid']} with a GeoNames id"),
        (f"offsets  {off['mismatched']} of {off['checked']} spans do not match their text "
         f"({off['repaired']} re-anchored to the nearest occurrence, {off['unrepaired']} left)"),
        (f"mode     {summary['mode']}   resolver: {summary['resolver']}"
         + (f"   split: {summary['split']}" if summary.get("split", "all") != "all" else "")
         + (f"   failed documents: {failed}" if failed else "")),
    ]
    if summary["mode"] == "end2end":
        sc = summary["span_counts"]
        lines.append(
            f"spans    exact P/R/F1 {summary['precision']:.3f} / {summary['recall']:.3f} / "
            f"{summary['f1']:.3f}   overlap P/R/F1 {summary['precision_overlap']:.3f} / "
            f"{summary['recall_overlap']:.3f} / {summary['f1_overlap']:.3f}   "
            f"({sc['gold']} gold, {sc['predicted']} predicted, {sc['ignored']} ignored)")
        lines.append("geocoding below: over overlap-matched spans; acc@161 over all gold: "
                     f"{_fmt(summary['accuracy_161km_all'], '.3f')}")
    width = 26
    header = (f"{'':<{width}} {'n':>6} {'coverage':>8} {'acc@161':>8} {'mean_km':>9} "
              f"{'median_km':>9} {'AUC':>6}")
    lines += ["", header, "-" * len(header), _metric_line("all", summary, width)]
    for name, m in summary["subsets"].items():
        lines.append(_metric_line(f"{name} subset", m, width))
    if summary.get("entity_or_161km") is not None:
        lines.append(f"(diagnostic) geonameid subset within 161 km or the same GeoNames "
                     f"entity: {summary['entity_or_161km']:.3f}")
    for key, groups in summary["breakdown"].items():
        lines += ["", f"by {key}" + (f" (largest {top})" if len(groups) > top else "")]
        for name, m in list(groups.items())[:top]:
            lines.append(_metric_line(f"  {name}", m, width))
    return "\n".join(lines)


# ---------------------------------------------------------------- baselines

class GeocoderBaseline:
    """Context-free baseline: each span's name through the gazetteer geocoder's top hit."""

    def __init__(self, geocoder: Any = None) -> None:
        if geocoder is None:
            from geodata import GazetteerGeocoder

            geocoder = GazetteerGeocoder()
        self.geocoder = geocoder
        self._cache: dict[str, tuple[float, float] | None] = {}

    def _geocode(self, name: str) -> tuple[float, float] | None:
        if name not in self._cache:
            try:
                loc = self.geocoder.geocode(name, exactly_one=True)
            except (ValueError, LookupError, OSError) as exc:
                logger.debug("geocoder failed on %r: %s", name, exc)
                loc = None
            self._cache[name] = coerce_point(loc)
        return self._cache[name]

    def resolve(self, text: str, spans: Sequence[tuple[int, int, str]], url: str = ""
                ) -> list[tuple[float, float] | None]:
        return [self._geocode(name.strip()) for _, _, name in spans]


_CAPITALISED = re.compile(r"\b[A-Z][\w'’.-]*(?:[ -](?:of |de |al-)?[A-Z][\w'’.-]*)*")
_NOT_PLACES = frozenset((
    "A", "An", "The", "This", "That", "These", "Those", "It", "He", "She", "We", "They", "I",
    "You", "His", "Her", "Our", "Their", "Its", "In", "On", "At", "For", "From", "By", "With",
    "And", "But", "Or", "If", "As", "When", "While", "After", "Before", "Mr", "Mrs", "Ms",
    "Dr", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"))


class CapitalisedFinder:
    """Crude end-to-end baseline: runs of capitalised words that the resolver can place."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def find(self, text: str, url: str = ""
             ) -> list[tuple[int, int, str, float | None, float | None]]:
        spans = []
        for m in _CAPITALISED.finditer(text):
            surface = m.group(0).rstrip(".")
            if surface and surface not in _NOT_PLACES:
                spans.append((m.start(), m.start() + len(surface), surface))
        points = self.resolver.resolve(text, spans, url=url) if spans else []
        return [(s, e, name, p[0], p[1]) for (s, e, name), p in zip(spans, points, strict=True)
                if p is not None]


def load_resolver(kind: str) -> tuple[Resolver, str]:
    """The resolver to evaluate and a label saying which one it is."""
    if kind == "default":
        try:
            from evaluation.adapters import default_resolver
        except ImportError as exc:
            logger.warning("the default resolver is not available (%s); "
                           "falling back to the geocoder baseline", exc)
        else:
            return default_resolver(), "default (extract.geoparse)"
    return GeocoderBaseline(), "baseline (GazetteerGeocoder top hit)"


def load_finder(kind: str) -> tuple[ToponymFinder, str]:
    if kind == "default":
        try:
            from evaluation.adapters import default_finder
        except ImportError as exc:
            logger.warning("the default finder is not available (%s); "
                           "falling back to the capitalised-words baseline", exc)
        else:
            return default_finder(), "default (extract.geoparse)"
    return (CapitalisedFinder(GeocoderBaseline()),
            "baseline (capitalised words + GazetteerGeocoder)")


def country_lookup(*, nearest: bool = False) -> Callable[[Row], str] | None:
    """A function giving the ISO country code of a gold toponym from the gazetteer, or
    ``None`` when the gazetteer index is not available. In order: the corpus's country name
    (LGL/TR-News gazetteer tags), the GeoNames id, and with ``nearest`` the nearest city
    within 100 km of the gold point (slow: a spatial query per distinct point). A corpus
    country name that does not map to a code is kept as it is; otherwise "" (unknown)."""
    try:
        from geodata.gazetteer import Gazetteer

        gaz = Gazetteer(build_if_missing=False)
        by_name = {p.name.casefold(): p.country_code for p in gaz.countries()}
    except (ImportError, OSError, ValueError) as exc:
        logger.info("no gazetteer for country breakdowns (%s)", exc)
        return None
    near_cache: dict[tuple[float, float], str] = {}

    def lookup(row: Row) -> str:
        if row.country:
            return by_name.get(row.country.casefold(), row.country)
        if row.geonameid:
            place = gaz.get(f"gn:{row.geonameid}")
            if place is not None and place.country_code:
                return place.country_code
        if not nearest:
            return ""
        key = (round(row.gold_lat, 3), round(row.gold_lon, 3))
        if key not in near_cache:
            found = gaz.nearest(key[0], key[1], max_km=100.0)
            near_cache[key] = found[0].country_code if found is not None else ""
        return near_cache[key]

    return lookup


# ---------------------------------------------------------------- CLI

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``conflict-atlas eval geoparse``."""
    parser.add_argument("corpus", help="corpus XML file (GeoWebNews, LGL/TR-News, GeoVirus "
                                       "or WikToR; detected from the content)")
    parser.add_argument("--format", dest="corpus_format", default="auto",
                        choices=("auto", "gwn", "lgl", "geovirus", "wiktor"),
                        help="corpus format (default: detected)")
    parser.add_argument("--mode", choices=("resolve", "end2end"), default="resolve",
                        help="resolve gold spans (default) or find and resolve from raw text")
    parser.add_argument("--resolver", choices=("default", "baseline"), default="default",
                        help="default: extract.geoparse (falls back to the baseline when it "
                             "cannot be imported); baseline: the geocoder's top hit per name")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="evaluate the first N documents only")
    parser.add_argument("--errors", metavar="FILE.csv", default=None,
                        help="write one row per gold toponym with prediction and error")
    parser.add_argument("--json", action="store_true",
                        help="print the summary as one JSON object on the last stdout line")
    parser.add_argument("--no-repair-offsets", action="store_true",
                        help="keep annotated offsets that do not match the text as they are")
    parser.add_argument("--no-country-lookup", action="store_true",
                        help="do not look up countries in the gazetteer for the breakdown")
    parser.add_argument("--country-nearest", action="store_true",
                        help="for gold toponyms without a known GeoNames id, take the country "
                             "of the nearest city (slow: one spatial query per point)")
    parser.add_argument("--split", choices=("dev", "test"), default=None,
                        help="score only this part of the corpus's committed document split "
                             "(evaluation/data/splits/<corpus>.tsv): develop on dev, report test")
    parser.add_argument("--split-file", metavar="FILE.tsv", default=None,
                        help="the split to use instead of the committed one of the corpus")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def evaluate(corpus: Corpus, *, mode: str, resolver: Resolver | None = None,
             finder: ToponymFinder | None = None, progress: bool = False,
             countries: Callable[[Row], str] | None = None) -> tuple[dict[str, Any], list[Row]]:
    """Run one evaluation; returns the summary (JSON-ready) and the per-toponym rows."""
    from evaluation.corpora import describe

    counts = None
    if mode == "resolve":
        if resolver is None:
            raise ValueError("resolve mode needs a resolver")
        rows, failed = evaluate_resolver(corpus.documents, resolver, progress=progress)
    elif mode == "end2end":
        if finder is None:
            raise ValueError("end2end mode needs a finder")
        rows, counts, failed = evaluate_finder(corpus.documents, finder, progress=progress)
    else:
        raise ValueError(f"unknown mode {mode!r}")
    if countries is not None:
        rows = [replace(r, country=countries(r)) for r in rows]
    summary = summarize(rows, mode=mode, counts=counts)
    summary.update(mode=mode, corpus=describe(corpus), failed_documents=failed)
    return summary, rows


def run(args: argparse.Namespace) -> int:
    """``conflict-atlas eval geoparse``: 0 on success, 2 on bad input, 1 on other failures."""
    from evaluation.corpora import CorpusFormatError, read_corpus

    if args.limit is not None and args.limit < 0:
        print("error: --limit must be >= 0", file=sys.stderr)
        return 2
    try:
        corpus = read_corpus(args.corpus, fmt=args.corpus_format,
                             repair=not args.no_repair_offsets, limit=args.limit)
    except (FileNotFoundError, CorpusFormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.split:
        from evaluation.splits import SplitError, select

        try:
            wanted = select([d.doc_id for d in corpus.documents], args.corpus, args.split,
                            args.split_file)
        except (SplitError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        corpus.documents = [d for d in corpus.documents if d.doc_id in wanted]
    resolver = finder = None
    try:
        if args.mode == "resolve":
            resolver, label = load_resolver(args.resolver)
        else:
            finder, label = load_finder(args.resolver)
    except (ImportError, OSError, ValueError) as exc:
        print(f"error: could not set up the {args.resolver} resolver: {exc}", file=sys.stderr)
        return 1
    countries = (None if args.no_country_lookup
                 else country_lookup(nearest=args.country_nearest))
    summary, rows = evaluate(corpus, mode=args.mode, resolver=resolver, finder=finder,
                             progress=not args.no_progress, countries=countries)
    summary["resolver"] = label
    summary["split"] = args.split or "all"
    if args.errors:
        try:
            write_errors_csv(rows, args.errors)
        except OSError as exc:
            print(f"error: cannot write {args.errors}: {exc}", file=sys.stderr)
            return 1
    print(format_report(summary))
    if args.json:
        print(json.dumps(summary, sort_keys=True, ensure_ascii=False))
    return 0
