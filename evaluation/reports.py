"""Score the event coder on coded reports: one text per row, with how it was coded.

Two public formats are read as gold (``conflict-atlas eval events --gold FILE``):

- an **ACLED export** (CSV): ``notes`` is the text; ``event_type``, ``sub_event_type``,
  ``event_date``, ``actor1``, ``actor2``, ``latitude``/``longitude``, ``geo_precision`` and
  ``fatalities`` are the coding (``event_id_cnty`` or ``data_id`` names the row);
- a **UCDP GED** table (CSV or Parquet): ``source_headline`` is the text (the first report
  when several are joined by ``;``) and ``source_article`` gives its publication date;
  ``type_of_violence``, ``side_a``/``side_b``, ``date_start``/``date_end``,
  ``latitude``/``longitude``, ``where_prec`` and ``best`` are the coding.

Each row's text is extracted as one article; its events are compared with the row:

- coverage: rows for which any event is coded;
- event type and sub-event type of the *primary* event (the most confident), over all rows
  (a row without an event counts as wrong), with macro and weighted F1 and a confusion table;
  for UCDP, the violence type the primary event implies (1 state-based, 2 non-state,
  3 one-sided);
- distance: the primary event, and the nearest of all events, within 25 km of the gold point;
- date: the primary event's date is the gold date (inside ``date_start..date_end``);
- fatalities: exact, on rows where people died;
- actors: actor 1 (exact, and after folding periods, acronyms and "Government of" /
  "Military Forces of" to one key); for UCDP, actor 1 is either side.

Corpora are split into a development part and a test part by a fixed rule on the row id
(:func:`split_of`), so the split is the same everywhere without committing the rows: measure
on ``--split dev`` while developing, report ``--split test``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import logging
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conflict_atlas_core.errors import ConflictAtlasError

logger = logging.getLogger(__name__)

TEST_SHARE = 3  # tenths of each corpus held out as its test split
NEAR_KM = 25.0


@dataclass(frozen=True)
class CodedReport:
    """One gold row: a text and how it was coded."""

    id: str
    text: str
    published: dt.date | None = None
    event_type: str = ""
    sub_event_type: str = ""
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    fatalities: int | None = None
    actor1: str = ""
    actor2: str = ""
    violence_type: int | None = None  # UCDP: 1 state-based, 2 non-state, 3 one-sided
    country: str = ""
    corpus: str = ""


def split_of(corpus: str, row_id: str) -> str:
    """``"test"`` for a fixed 30% of a corpus's rows, ``"dev"`` for the rest."""
    digest = hashlib.sha256(f"{corpus}:{row_id}".encode()).hexdigest()
    return "test" if int(digest, 16) % 10 < TEST_SHARE else "dev"


# --------------------------------------------------------------------------------------------
# reading gold


class ReportFormatError(ConflictAtlasError, ValueError):
    """A gold file is not an ACLED or UCDP export; the message says what is missing."""


def _date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(text[:19] if "T" in text else text, fmt).date()
        except ValueError:
            continue
    return None


def _float(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _int(value: Any) -> int | None:
    f = _float(value)
    return None if f is None else int(f)


def _rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() in (".parquet", ".geoparquet"):
        import pandas as pd

        return pd.read_parquet(path).to_dict("records")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def detect_format(path: str | Path) -> str:
    """``"acled"``, ``"ucdp"`` or ``"sample"`` (the bundled gold file), from the columns."""
    path = Path(path)
    if path.suffix.lower() in (".parquet", ".geoparquet"):
        import pyarrow.parquet as pq

        columns = set(pq.read_schema(path).names)
    else:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            columns = set(next(csv.reader(line for line in fh if not line.startswith("#")),
                               []))
    if {"notes", "event_type"} <= columns:
        return "acled"
    if {"type_of_violence", "source_headline"} <= columns:
        return "ucdp"
    if "article" in columns:
        return "sample"
    raise ReportFormatError(f"{path}: neither an ACLED export (notes, event_type), a UCDP "
                            f"GED table (type_of_violence, source_headline) nor a gold "
                            f"events file (article)")


def read_acled(path: str | Path, corpus: str | None = None) -> list[CodedReport]:
    """Rows of an ACLED export with a text (``notes``)."""
    path = Path(path)
    corpus = corpus or path.stem
    out = []
    for n, row in enumerate(_rows(path), start=1):
        text = str(row.get("notes") or "").strip()
        if not text:
            continue
        row_id = str(row.get("event_id_cnty") or row.get("data_id") or n)
        date = _date(row.get("event_date"))
        out.append(CodedReport(
            id=row_id, text=text, published=None, event_type=str(row.get("event_type") or ""),
            sub_event_type=str(row.get("sub_event_type") or ""), date_start=date,
            date_end=date, latitude=_float(row.get("latitude")),
            longitude=_float(row.get("longitude")), geo_precision=_int(row.get("geo_precision")),
            fatalities=_int(row.get("fatalities")), actor1=str(row.get("actor1") or ""),
            actor2=str(row.get("actor2") or ""), country=str(row.get("country") or ""),
            corpus=corpus))
    return out


_SOURCE_DATE = re.compile(r",(\d{4}-\d{2}-\d{2}),")


def read_ucdp(path: str | Path, corpus: str = "ucdp-ged") -> list[CodedReport]:
    """Rows of a UCDP GED table with a headline, one per GED id."""
    seen: set[str] = set()
    out = []
    for row in _rows(Path(path)):
        headline = str(row.get("source_headline") or "").strip()
        row_id = str(row.get("id") or "")
        if not headline or headline.lower() == "nan" or row_id in seen:
            continue
        seen.add(row_id)
        text = headline.split(";")[0].strip()
        m = _SOURCE_DATE.search(str(row.get("source_article") or ""))
        out.append(CodedReport(
            id=row_id, text=text, published=_date(m.group(1)) if m else None,
            date_start=_date(row.get("date_start")), date_end=_date(row.get("date_end")),
            latitude=_float(row.get("latitude")), longitude=_float(row.get("longitude")),
            geo_precision=_int(row.get("where_prec")), fatalities=_int(row.get("best")),
            actor1=str(row.get("side_a") or ""), actor2=str(row.get("side_b") or ""),
            violence_type=_int(row.get("type_of_violence")),
            country=str(row.get("country") or ""), corpus=corpus))
    return out


def read_reports(path: str | Path, fmt: str = "auto") -> list[CodedReport]:
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt in ("acled", "ucdp"):
        reports = read_acled(path) if fmt == "acled" else read_ucdp(path)
        logger.info("%s: %d coded reports (%s)", path, len(reports), fmt)
        return reports
    raise ReportFormatError(f"{path}: not a table of coded reports (format {fmt!r})")


# --------------------------------------------------------------------------------------------
# actors


_PERIOD = re.compile(r"\s*\((?:\d{4})?-?(?:\d{4})?\)\s*")
_STATE = re.compile(r"^(?:military|police) forces of (?:the )?(.+?)(?:\s+\(.*)?$|"
                    r"^government of (?:the )?(.+)$", re.IGNORECASE)
_ALIASES = {"is": "islamic state", "isis": "islamic state", "isil": "islamic state",
            "taleban": "taliban"}


def actor_key(name: str) -> str:
    """One key for the names ACLED and UCDP give one actor: "Military Forces of Nigeria
    (2015-2023)", "Government of Nigeria" -> ``state:nigeria``; "SDF: Syrian Democratic
    Forces", "SDF" -> ``sdf``; "Protesters (Kenya)" -> ``protesters``; "IS" -> ``islamic
    state``."""
    from geodata.names import fold

    text = name.strip()
    if not text:
        return ""
    if m := _STATE.match(text):
        country = fold(m.group(1) or m.group(2) or "")
        country = re.sub(r"\b(?:the|of|democratic republic|republic)\b", "", country)
        return "state:" + " ".join(country.split()[:1])
    text = _PERIOD.sub(" ", text)
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text)
    key = fold(text.split(":")[0] if ":" in text else text)
    if "civilian" in key:
        return "civilians"
    if key.startswith(("unidentified armed group", "unidentified gang")) or key.endswith(
            "insurgents"):
        return "armed"
    return _ALIASES.get(key, key)


# --------------------------------------------------------------------------------------------
# scoring


@dataclass
class ReportScore:
    """The outcome of :func:`score_reports`."""

    n: int = 0
    covered: int = 0
    type_right: int = 0
    subtype_right: int = 0
    n_located: int = 0
    near_primary: int = 0
    near_any: int = 0
    n_dated: int = 0
    date_right: int = 0
    n_deadly: int = 0
    fatalities_exact: int = 0
    n_actor: int = 0
    actor1_exact: int = 0
    actor1_key: int = 0
    n_violence: int = 0
    violence_right: int = 0
    macro_f1: float = 0.0
    weighted_f1: float = 0.0
    sub_macro_f1: float = 0.0
    sub_weighted_f1: float = 0.0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def _rate(a: int, b: int) -> float:
        return round(a / b, 4) if b else 0.0

    def as_dict(self) -> dict[str, Any]:
        r = self._rate
        return {
            "rows": self.n, "coverage": r(self.covered, self.n),
            "event_type_accuracy": r(self.type_right, self.n),
            "sub_event_type_accuracy": r(self.subtype_right, self.n),
            "event_type_macro_f1": round(self.macro_f1, 4),
            "event_type_weighted_f1": round(self.weighted_f1, 4),
            "sub_event_type_macro_f1": round(self.sub_macro_f1, 4),
            "sub_event_type_weighted_f1": round(self.sub_weighted_f1, 4),
            "within_25km_primary": r(self.near_primary, self.n_located),
            "within_25km_any": r(self.near_any, self.n_located),
            "date_accuracy": r(self.date_right, self.n_dated),
            "fatalities_exact_where_deaths": r(self.fatalities_exact, self.n_deadly),
            "actor1_exact": r(self.actor1_exact, self.n_actor),
            "actor1_agreement": r(self.actor1_key, self.n_actor),
            "violence_type_accuracy": r(self.violence_right, self.n_violence),
            "n_located": self.n_located, "n_deadly": self.n_deadly, "n_actor": self.n_actor,
            "confusion": {f"{g} -> {p}": c for (g, p), c in self.confusion.most_common()},
        }


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from geodata.boundaries import haversine_km

    return float(haversine_km(lat1, lon1, lat2, lon2))


def _violence_type(event: Any) -> int:
    """The UCDP violence type an ACLED-coded event implies."""
    from extract.schema import EventType as E

    if event.event_type in (E.PROTESTS, E.RIOTS, E.STRATEGIC_DEVELOPMENTS):
        return 0
    civilians = "civilians" in (event.actor2 or "").lower()
    if event.event_type is E.VIOLENCE_AGAINST_CIVILIANS or (
            civilians and event.event_type is not E.BATTLES):
        return 3
    state = any(a.startswith(("Military Forces", "Police Forces"))
                for a in (event.actor1, event.actor2) if a)
    return 1 if state or not event.actor2 else 2


def score_reports(reports: Sequence[CodedReport],
                  predictions: Sequence[Sequence[Any]]) -> ReportScore:
    """Compare each report with the events extracted from it (same order)."""
    from sklearn.metrics import f1_score

    s = ReportScore()
    gold_types, pred_types, gold_subs, pred_subs = [], [], [], []
    for report, events in zip(reports, predictions, strict=True):
        s.n += 1
        events = list(events)
        primary = max(events, key=lambda e: (not e.is_background, e.confidence),
                      default=None)
        if events:
            s.covered += 1
        pt = primary.event_type.value if primary else "(none)"
        ps = primary.sub_event_type.value if primary else "(none)"
        row = {"id": report.id, "text": report.text[:300], "n_events": len(events),
               "gold_type": report.event_type, "pred_type": pt,
               "gold_sub": report.sub_event_type, "pred_sub": ps}
        if report.event_type:
            gold_types.append(report.event_type)
            pred_types.append(pt)
            gold_subs.append(report.sub_event_type)
            pred_subs.append(ps)
            s.type_right += pt == report.event_type
            s.subtype_right += ps == report.sub_event_type
            s.confusion[(report.event_type, pt)] += 1
        if report.violence_type:
            s.n_violence += 1
            vt = _violence_type(primary) if primary else 0
            s.violence_right += vt == report.violence_type
            row.update(gold_violence=report.violence_type, pred_violence=vt)
        if report.latitude is not None and report.longitude is not None:
            s.n_located += 1
            distances = [_km(report.latitude, report.longitude, e.latitude, e.longitude)
                         for e in events]
            if primary is not None:
                d = _km(report.latitude, report.longitude, primary.latitude,
                        primary.longitude)
                s.near_primary += d <= NEAR_KM
                row["km_primary"] = round(d, 1)
            s.near_any += bool(distances) and min(distances) <= NEAR_KM
        if report.date_start is not None:
            s.n_dated += 1
            end = report.date_end or report.date_start
            s.date_right += bool(primary and primary.event_date
                                 and report.date_start <= primary.event_date <= end)
        if report.fatalities:
            s.n_deadly += 1
            s.fatalities_exact += bool(primary and primary.fatalities == report.fatalities)
            row.update(gold_fatalities=report.fatalities,
                       pred_fatalities=primary.fatalities if primary else None)
        if report.actor1:
            s.n_actor += 1
            a1 = primary.actor1 if primary else ""
            s.actor1_exact += a1 == report.actor1
            gold_keys = {actor_key(report.actor1)}
            if report.violence_type:  # UCDP sides carry no direction
                gold_keys.add(actor_key(report.actor2))
            s.actor1_key += bool(a1) and actor_key(a1) in gold_keys
            row.update(gold_actor1=report.actor1, pred_actor1=a1,
                       pred_actor2=primary.actor2 if primary else "")
        if primary is not None:
            row.update(location=primary.location, country=primary.country,
                       fatalities=primary.fatalities)
        s.errors.append(row)
    if gold_types:
        s.macro_f1 = float(f1_score(gold_types, pred_types, average="macro", zero_division=0))
        s.weighted_f1 = float(f1_score(gold_types, pred_types, average="weighted",
                                       zero_division=0))
        s.sub_macro_f1 = float(f1_score(gold_subs, pred_subs, average="macro",
                                        zero_division=0))
        s.sub_weighted_f1 = float(f1_score(gold_subs, pred_subs, average="weighted",
                                           zero_division=0))
    return s


def extract_reports(reports: Sequence[CodedReport], extractor: Any,
                    progress: Callable[[int], None] | None = None) -> list[list[Any]]:
    """The events of each report's text (language detected as in any run)."""
    from extract.readers import Article

    out: list[list[Any]] = []
    for n, report in enumerate(reports, start=1):
        article = Article(article_id=f"{report.corpus}#{report.id}", text=report.text,
                          title=None, url=None, published=report.published,
                          source=report.corpus, language=None,
                          path=f"{report.corpus}#{report.id}", format="txt")
        out.append(extractor.extract(article))
        if progress:
            progress(n)
    return out


def select(reports: Iterable[CodedReport], split: str = "all",
           sample: int | None = None) -> list[CodedReport]:
    """The reports of one split (``dev``, ``test`` or ``all``), optionally a fixed sample."""
    chosen = [r for r in reports if split == "all" or split_of(r.corpus, r.id) == split]
    if sample is not None and sample < len(chosen):
        chosen = sorted(chosen, key=lambda r: hashlib.sha256(
            f"sample:{r.corpus}:{r.id}".encode()).hexdigest())[:sample]
    return chosen


# --------------------------------------------------------------------------------------------
# command line


def report(score: ReportScore) -> str:
    d = score.as_dict()
    lines = [f"Coded reports: {d['rows']} rows"]
    for key in ("coverage", "event_type_accuracy", "sub_event_type_accuracy",
                "event_type_macro_f1", "event_type_weighted_f1", "sub_event_type_macro_f1",
                "sub_event_type_weighted_f1", "within_25km_primary", "within_25km_any",
                "date_accuracy", "fatalities_exact_where_deaths", "actor1_exact",
                "actor1_agreement", "violence_type_accuracy"):
        lines.append(f"  {key:<32} {d[key]:.3f}")
    if d["confusion"]:
        lines.append("Confusion (gold -> predicted), most frequent first:")
        lines += [f"  {k}: {v}" for k, v in list(d["confusion"].items())[:25]]
    return "\n".join(lines)


def run(args: argparse.Namespace, fmt: str) -> int:
    """``conflict-atlas eval events --gold REPORTS`` (ACLED or UCDP rows)."""
    from tqdm import tqdm

    from extract.pipeline import Extractor

    try:
        reports = select(read_reports(args.gold, fmt), args.split, args.sample)
    except (ReportFormatError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    extractor = Extractor(language=args.lang, event_model=args.event_model)
    with tqdm(total=len(reports), desc="extracting", unit="row", disable=None) as bar:
        predictions = extract_reports(reports, extractor, lambda n: bar.update(1))
    score = score_reports(reports, predictions)
    print(report(score))
    if args.errors:
        with open(args.errors, "w", newline="", encoding="utf-8") as fh:
            keys = sorted({k for row in score.errors for k in row})
            writer = csv.DictWriter(fh, fieldnames=keys)
            writer.writeheader()
            writer.writerows(score.errors)
    if args.json:
        print(json.dumps(score.as_dict(), ensure_ascii=False))
    return 0
