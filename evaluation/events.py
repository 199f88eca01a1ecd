"""Score an event table against gold events (``conflict-atlas eval events``).

An event is the tuple ``(event_date, admin1, event_type)`` of one article; per article the
predicted and gold tuples are compared as multisets, so two gold events of the same day, type
and governorate need two predictions. Admin-1 names are compared through :func:`admin1_key`
(case, accents, apostrophes, hyphens, a leading Arabic article, words like "governorate", and
common spellings of Iraqi and Syrian governorates all fold away).

Linking predicted events to gold articles (first rule that matches wins):

1. ``source_url`` equals the URL of a gold article (from its ``NAME.meta.json`` sidecar, its
   JSONL record or its HTML ``<link rel="canonical">``), ignoring scheme, ``www.``, case of the
   host, a trailing slash and a fragment;
2. the base name (after the last ``/`` or ``\\``) of ``article_id``, ``source``, ``source_url``
   is a gold article name (``fr01_baghdad_convoy.txt``, or ``batch.jsonl#2`` for the 2nd line of
   a JSONL file; ``batch.jsonl:2`` is accepted too), or its stem when the stem is unique;
3. ``notes`` contains such an article name.

Predicted events that link to no article of the gold corpus are ignored (and counted in
``n_unlinked``, with a warning): the scorer measures the gold corpus only. An article of the
corpus with no gold event still counts: anything predicted for it is a false positive.

Background events (``is_background``) are left out on both sides unless
``--include-background`` is given.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from conflict_atlas_core.errors import ConflictAtlasError
from geodata.names import fold

logger = logging.getLogger(__name__)

DEFAULT_GOLD = Path("examples/gold/events.csv")
GOLD_COLUMNS: tuple[str, ...] = (
    "article", "event_date", "admin1", "country_iso", "event_type", "sub_event_type",
    "location", "actor1", "actor2", "fatalities", "is_background",
)
ARTICLE_SUFFIXES: tuple[str, ...] = (".txt", ".html", ".htm", ".md")

# --------------------------------------------------------------------------------------------
# admin-1 names

# Words that name the kind of unit, not the unit: dropped wherever they occur.
_GENERIC_WORDS = frozenset({
    "governorate", "governorates", "province", "provinces", "muhafazat", "muhafaza",
    "muhafazah", "gouvernorat", "gouvernorats", "wilayat", "wilaya", "region", "mohafazat",
    "mohafaza", "محافظه", "محافظات", "ولايه",
})
# Linking words left behind when a generic word goes ("province of Anbar", "gouvernorat de").
_LINK_WORDS = frozenset({"of", "de", "du", "d", "des", "la", "le", "l"})
_ARTICLES = frozenset({"al", "el", "ar", "as", "ad", "an", "at", "az", "ash", "ath", "adh",
                       "ed", "er", "es", "ez", "ul"})
_DOUBLE = re.compile(r"(.)\1+")
_FINAL_H = re.compile(r"(?<=[aeiou])h$")

# Spellings of Iraqi and Syrian governorates that folding alone does not bring together.
# Each tuple: the GeoNames ASCII name first, then its other spellings (EN/FR/AR/transliterated).
_ADMIN1_SPELLINGS: tuple[tuple[str, ...], ...] = (
    # Iraq
    ("Baghdad", "Bagdad", "بغداد"),
    ("Babil", "Babel", "Babylon", "Babylone", "بابل"),
    ("Al Anbar", "Anbar", "الانبار"),
    ("Nineveh", "Ninawa", "Ninewa", "Ninive", "Niniveh", "Ninawah", "نينوى"),
    ("Salah ad Din", "Salahuddin", "Salah al-Din", "Salaheddine", "Salah el-Din",
     "Salaheddin", "Saladin", "Salah ed-Din", "Salah al Deen", "صلاح الدين"),
    ("Kirkuk", "Kirkouk", "Tamim", "At-Ta'mim", "كركوك"),
    ("Arbil", "Erbil", "Irbil", "Hawler", "Hewler", "اربيل"),
    ("Diyala", "Diala", "ديالى"),
    ("Basra", "Basrah", "Bassora", "Bassorah", "البصره"),
    ("An Najaf", "Najaf", "Nadjaf", "النجف"),
    ("Muhafazat Karbala'", "Karbala", "Kerbala", "Karbala'", "كربلاء"),
    ("Al Qadisiyah", "Qadisiyyah", "Qadisiya", "Diwaniyah", "Al-Qadisiyyah", "القادسيه"),
    ("Al Muthanna", "Muthanna", "المثنى"),
    ("Dhi Qar", "Thi Qar", "Zi Qar", "ذي قار"),
    ("Maysan", "Missan", "Misan", "ميسان"),
    ("Wasit", "Wassit", "واسط"),
    ("Duhok", "Dohuk", "Dahuk", "Dihok", "دهوك"),
    ("Sulaymaniyah", "Sulaimaniya", "Sulaymaniyya", "Souleimaniye", "Slemani", "السليمانيه"),
    ("Halabja Governorate", "Halabja", "حلبجه"),
    # Syria
    ("Dimashq", "Damascus", "Damas", "دمشق"),
    ("Rif-dimashq", "Rif Dimashq", "Rural Damascus", "Damascus Countryside",
     "Reef Damascus", "Rif de Damas", "Campagne de Damas", "ريف دمشق"),
    ("Aleppo", "Alep", "Halab", "حلب"),
    ("Idlib", "Idleb", "ادلب"),
    ("Deir ez-Zor", "Deir ez Zor", "Dayr az Zawr", "Deir al-Zour", "Deir Ezzor", "Deir el-Zor",
     "Deir Ezzor", "Deir al-Zor", "Dair al-Zour", "دير الزور"),
    ("Ar-Raqqah", "Raqqa", "Rakka", "Raqa", "الرقه"),
    ("Al-Hasakah", "Hasakah", "Hasaka", "Hassakeh", "Hasakeh", "Hassaké", "Hassake",
     "Al-Hassakeh", "الحسكه"),
    ("Homs", "Hims", "حمص"),
    ("Hama", "Hamah", "حماه"),
    ("Daraa", "Deraa", "Dar'a", "Deraa", "درعا"),
    ("As-Suwayda", "Suwayda", "Sweida", "Soueida", "السويداء"),
    ("Latakia", "Lattakia", "Lattaquié", "Al-Ladhiqiyah", "اللاذقيه"),
    ("Tartus", "Tartous", "Tartouss", "طرطوس"),
    ("Quneitra", "Kuneitra", "Qunaytirah", "القنيطره"),
)


def _fold_admin1(name: str) -> str:
    """Folding without the spelling table (see :func:`admin1_key`)."""
    words = fold(name).split()
    words = [w for w in words if w not in _GENERIC_WORDS]
    while words and words[0] in _LINK_WORDS:
        words = words[1:]
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    if words and words[0].startswith("\u0627\u0644") and len(words[0]) > 4:  # Arabic "al-"
        words[0] = words[0][2:]
    key = "".join(words)
    key = _DOUBLE.sub(r"\1", key)
    return _FINAL_H.sub("", key)


@lru_cache(maxsize=1)
def _spelling_table() -> Mapping[str, str]:
    table: dict[str, str] = {}
    for spellings in _ADMIN1_SPELLINGS:
        canonical = _fold_admin1(spellings[0])
        for spelling in spellings:
            table.setdefault(_fold_admin1(spelling), canonical)
    return table


def admin1_key(name: str | None) -> str:
    """The comparison key of an admin-1 name.

    Folds case, accents and other marks, apostrophes, hyphens and spaces, a leading Arabic
    article (al/ar/as/ad/... and "ال"), words naming the unit (governorate, province,
    muhafazat, gouvernorat, محافظة) with a following "of/de", doubled letters and a final "h"
    after a vowel; then maps known spellings of Iraqi and Syrian governorates to one key.
    ``admin1_key("Muhafazat Karbala'") == admin1_key("Kerbala") == "karbala"``.
    An empty or missing name gives ``""``.
    """
    if name is None or not isinstance(name, str):
        return ""
    key = _fold_admin1(name)
    return _spelling_table().get(key, key)


# --------------------------------------------------------------------------------------------
# the gold corpus


@dataclass(frozen=True)
class ArticleInfo:
    """One article of the gold corpus."""

    name: str  # "fr01_x.txt" or "batch.jsonl#2"
    url: str = ""
    language: str = ""
    published: str = ""


@dataclass(frozen=True)
class GoldEvent:
    article: str
    event_date: str
    admin1: str
    country_iso: str
    event_type: str
    sub_event_type: str
    location: str
    actor1: str
    actor2: str
    fatalities: int | None
    is_background: bool


class GoldError(ConflictAtlasError, ValueError):
    """The gold file is unreadable or breaks the coding rules; the message says where."""


def _truthy(value: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "1", "yes", "y"):
        return True
    if v in ("false", "0", "no", "n", ""):
        return False
    raise ValueError(f"not a boolean: {value!r}")


def read_gold(path: str | Path) -> list[GoldEvent]:
    """Read and check a gold events CSV (columns :data:`GOLD_COLUMNS`)."""
    import csv
    import datetime as dt

    from extract.schema import SUB_EVENT_PARENT, SubEventType

    path = Path(path)
    if not path.is_file():
        raise GoldError(f"no gold file at {path}")
    parents = {s.value: t.value for s, t in SUB_EVENT_PARENT.items()}
    events: list[GoldEvent] = []
    problems: list[str] = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(line for line in fh if not line.startswith("#"))
        missing = [c for c in GOLD_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise GoldError(f"{path}: missing columns {', '.join(missing)}")
        for lineno, row in enumerate(reader, start=2):
            row = {k: (v or "").strip() for k, v in row.items() if k}
            try:
                if row["event_date"]:
                    dt.date.fromisoformat(row["event_date"])
                if row["sub_event_type"] not in {s.value for s in SubEventType}:
                    raise ValueError(f"unknown sub_event_type {row['sub_event_type']!r}")
                if parents[row["sub_event_type"]] != row["event_type"]:
                    raise ValueError(f"sub_event_type {row['sub_event_type']!r} does not "
                                     f"belong to event_type {row['event_type']!r}")
                fatalities = int(row["fatalities"]) if row["fatalities"] else None
                events.append(GoldEvent(
                    article=row["article"], event_date=row["event_date"],
                    admin1=row["admin1"], country_iso=row["country_iso"],
                    event_type=row["event_type"], sub_event_type=row["sub_event_type"],
                    location=row["location"], actor1=row["actor1"], actor2=row["actor2"],
                    fatalities=fatalities, is_background=_truthy(row["is_background"])))
            except ValueError as exc:
                problems.append(f"row {lineno}: {exc}")
    if problems:
        raise GoldError(f"{path}: " + "; ".join(problems[:10])
                        + (f" (+{len(problems) - 10} more)" if len(problems) > 10 else ""))
    return events


_CANONICAL = re.compile(r"""<link[^>]+rel=["']canonical["'][^>]*>""", re.IGNORECASE)
_HREF = re.compile(r"""href=["']([^"']+)["']""", re.IGNORECASE)
_HTML_LANG = re.compile(r"""<html[^>]*\blang=["']([A-Za-z-]+)["']""", re.IGNORECASE)


def load_corpus(articles_dir: str | Path) -> dict[str, ArticleInfo]:
    """Every article of a sample corpus folder, by gold article name.

    Reads ``NAME.meta.json`` (or ``NAME.txt.meta.json``) sidecars of ``NAME.txt``/``NAME.html``, ``*.jsonl`` files (one
    article per line, named ``FILE.jsonl#N``, 1-based) and, for HTML without a sidecar, the
    canonical link and ``<html lang>``. Unreadable files are skipped with a warning.
    """
    root = Path(articles_dir)
    corpus: dict[str, ArticleInfo] = {}
    if not root.is_dir():
        return corpus
    for path in sorted(root.iterdir()):
        try:
            if path.suffix.lower() in ARTICLE_SUFFIXES:
                corpus[path.name] = _article_info(path)
            elif path.suffix.lower() == ".jsonl":
                for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if not line.strip():
                        continue
                    rec = json.loads(line)
                    name = f"{path.name}#{n}"
                    corpus[name] = ArticleInfo(name, str(rec.get("url") or ""),
                                               str(rec.get("language") or ""),
                                               str(rec.get("published") or ""))
        except (OSError, ValueError) as exc:
            logger.warning("skipping %s: %s", path, exc)
    return corpus


def _article_info(path: Path) -> ArticleInfo:
    meta: dict[str, Any] = {}
    for meta_path in (path.with_name(path.name + ".meta.json"),
                      path.with_name(path.stem + ".meta.json")):
        if meta_path.is_file():
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            break
    url, language = str(meta.get("url") or ""), str(meta.get("language") or "")
    if path.suffix.lower() in (".html", ".htm") and (not url or not language):
        html = path.read_text(encoding="utf-8", errors="replace")
        if not url and (m := _CANONICAL.search(html)) and (h := _HREF.search(m.group(0))):
            url = h.group(1)
        if not language and (m := _HTML_LANG.search(html)):
            language = m.group(1).split("-")[0].lower()
    return ArticleInfo(path.name, url, language, str(meta.get("published") or ""))


# --------------------------------------------------------------------------------------------
# linking predictions to articles

_NAME_IN_TEXT = re.compile(r"[\w.\-]+\.(?:txt|html?|md|jsonl(?:[#:]\d+)?)", re.UNICODE)


def normalize_url(url: str) -> str:
    """``https://www.Example.org/a/b/#x`` -> ``example.org/a/b``."""
    u = url.strip()
    u = re.sub(r"^[a-z][a-z0-9+.-]*://", "", u, flags=re.IGNORECASE)
    u = u.split("#", 1)[0].rstrip("/")
    host, _, rest = u.partition("/")
    host = host.lower()
    host = host.removeprefix("www.")
    return f"{host}/{rest}" if rest else host


@dataclass(frozen=True)
class ArticleLinker:
    """Finds the gold article a predicted event was read from (rules in the module doc)."""

    by_url: Mapping[str, str]
    by_name: Mapping[str, str]

    @classmethod
    def build(cls, articles: Iterable[ArticleInfo]) -> ArticleLinker:
        by_url: dict[str, str] = {}
        by_name: dict[str, str] = {}
        stems: Counter[str] = Counter()
        infos = list(articles)
        for info in infos:
            if info.url:
                by_url[normalize_url(info.url)] = info.name
            by_name[info.name.casefold()] = info.name
            if "#" in info.name:
                base, _, n = info.name.partition("#")
                by_name[f"{base}:{n}".casefold()] = info.name
            else:
                stems[Path(info.name).stem.casefold()] += 1
        for info in infos:
            stem = Path(info.name).stem.casefold()
            if "#" not in info.name and stems[stem] == 1:
                by_name.setdefault(stem, info.name)
        return cls(by_url, by_name)

    def _by_basename(self, value: str) -> str | None:
        value = value.strip()
        if not value:
            return None
        base = re.split(r"[/\\]", value)[-1].casefold()
        return self.by_name.get(base)

    def link(self, record: Mapping[str, Any]) -> str | None:
        source_url = str(record.get("source_url") or "")
        if source_url and (hit := self.by_url.get(normalize_url(source_url))):
            return hit
        for col in ("article_id", "source", "source_url"):
            if hit := self._by_basename(str(record.get(col) or "")):
                return hit
        for name in _NAME_IN_TEXT.findall(str(record.get("notes") or "")):
            if hit := self._by_basename(name):
                return hit
        return None


# --------------------------------------------------------------------------------------------
# scoring

Key = tuple[str, str, str]  # (event_date, admin1 key, event_type)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "n_gold": self.tp + self.fn, "n_pred": self.tp + self.fp}


@dataclass
class Score:
    """The outcome of :func:`score`."""

    overall: Counts = field(default_factory=Counts)
    by_language: dict[str, Counts] = field(default_factory=dict)
    by_event_type: dict[str, Counts] = field(default_factory=dict)
    relaxed: dict[str, Counts] = field(default_factory=dict)
    false_positives: list[tuple[str, Key]] = field(default_factory=list)
    false_negatives: list[tuple[str, Key]] = field(default_factory=list)
    n_unlinked: int = 0

    def as_dict(self) -> dict[str, Any]:
        out = self.overall.as_dict()
        out["n_unlinked"] = self.n_unlinked
        out["by_language"] = {k: v.as_dict() for k, v in sorted(self.by_language.items())}
        out["by_event_type"] = {k: v.as_dict() for k, v in sorted(self.by_event_type.items())}
        out["relaxed"] = {k: v.as_dict() for k, v in self.relaxed.items()}
        out["false_positives"] = [[a, *k] for a, k in self.false_positives]
        out["false_negatives"] = [[a, *k] for a, k in self.false_negatives]
        return out


_RELAXATIONS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("ignore_date", (1, 2)), ("ignore_admin1", (0, 2)), ("ignore_event_type", (0, 1)),
)


def event_key(event_date: Any, admin1: Any, event_type: Any) -> Key:
    """The comparison tuple of one event: ISO date or ``""``, admin-1 key, event type."""
    return (_iso_date(event_date), admin1_key(str(admin1) if admin1 is not None else ""),
            str(event_type or "").strip())


def _iso_date(value: Any) -> str:
    if value is None or value == "":
        return ""
    import math

    import pandas as pd

    if isinstance(value, float) and math.isnan(value):
        return ""

    ts = pd.to_datetime(value, errors="coerce")
    return "" if pd.isna(ts) else ts.strftime("%Y-%m-%d")


def score(gold: Mapping[str, Sequence[Key]], predicted: Mapping[str, Sequence[Key]],
          languages: Mapping[str, str] | None = None) -> Score:
    """Compare per-article multisets of event keys.

    ``gold`` must hold every article that is scored (an empty list for an article without
    events); predicted articles not in ``gold`` are ignored by the caller beforehand.
    """
    languages = languages or {}
    result = Score(relaxed={name: Counts() for name, _ in _RELAXATIONS})
    for article in sorted(set(gold) | set(predicted)):
        g, p = Counter(gold.get(article, ())), Counter(predicted.get(article, ()))
        lang = languages.get(article) or "unknown"
        by_lang = result.by_language.setdefault(lang, Counts())
        for key in sorted(set(g) | set(p)):
            tp = min(g[key], p[key])
            fp, fn = p[key] - tp, g[key] - tp
            result.overall.add(tp, fp, fn)
            by_lang.add(tp, fp, fn)
            result.by_event_type.setdefault(key[2] or "(none)", Counts()).add(tp, fp, fn)
            result.false_positives.extend([(article, key)] * fp)
            result.false_negatives.extend([(article, key)] * fn)
        for name, keep in _RELAXATIONS:
            gr = Counter(tuple(k[i] for i in keep) for k in g.elements())
            pr = Counter(tuple(k[i] for i in keep) for k in p.elements())
            for key in set(gr) | set(pr):
                tp = min(gr[key], pr[key])
                result.relaxed[name].add(tp, pr[key] - tp, gr[key] - tp)
    return result


def gold_keys(events: Iterable[GoldEvent], articles: Iterable[str],
              include_background: bool = False) -> dict[str, list[Key]]:
    """Gold keys per article; every name in ``articles`` is present (maybe with no key)."""
    out: dict[str, list[Key]] = {a: [] for a in articles}
    for e in events:
        out.setdefault(e.article, [])
        if e.is_background and not include_background:
            continue
        out[e.article].append(event_key(e.event_date, e.admin1, e.event_type))
    return out


def predicted_keys(records: Iterable[Mapping[str, Any]], linker: ArticleLinker,
                   include_background: bool = False) -> tuple[dict[str, list[Key]], int]:
    """Predicted keys per gold article, and how many events linked to no gold article."""
    out: dict[str, list[Key]] = {}
    unlinked = 0
    for rec in records:
        if bool(rec.get("is_background")) and not include_background:
            continue
        article = linker.link(rec)
        if article is None:
            unlinked += 1
            continue
        out.setdefault(article, []).append(
            event_key(rec.get("event_date"), rec.get("admin1"), rec.get("event_type")))
    return out, unlinked


def evaluate(events_path: str | Path, gold_path: str | Path,
             articles_dir: str | Path | None = None,
             include_background: bool = False) -> Score:
    """Read an event table and a gold file and score them (see the module doc)."""
    from extract.store import read_events

    gold_path = Path(gold_path)
    gold = read_gold(gold_path)
    if articles_dir is None:
        articles_dir = gold_path.parent.parent / "articles"
    corpus = load_corpus(articles_dir)
    for e in gold:
        corpus.setdefault(e.article, ArticleInfo(e.article))
    missing = sorted({e.article for e in gold} - set(load_corpus(articles_dir)))
    if missing and Path(articles_dir).is_dir():
        logger.warning("gold names %d article(s) absent from %s: %s", len(missing),
                       articles_dir, ", ".join(missing[:5]))
    linker = ArticleLinker.build(corpus.values())
    df = read_events(events_path)
    records = df.to_dict("records")
    pred, unlinked = predicted_keys(records, linker, include_background)
    if unlinked:
        logger.warning("%d of %d predicted events link to no gold article (ignored); set "
                       "source_url to the article URL or article_id to its file name",
                       unlinked, len(records))
    result = score(gold_keys(gold, corpus, include_background), pred,
                   {name: info.language for name, info in corpus.items()})
    result.n_unlinked = unlinked
    return result


# --------------------------------------------------------------------------------------------
# command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``conflict-atlas eval events``."""
    parser.add_argument("events", metavar="EVENTS", nargs="?",
                        help="event table (parquet, csv, geojson or gpkg) to score against "
                             "a gold events file; not needed with coded reports, whose "
                             "texts are extracted")
    parser.add_argument("--gold", default=str(DEFAULT_GOLD),
                        help="gold events CSV, or coded reports: an ACLED export (notes + "
                             "coding) or a UCDP GED table (default: %(default)s)")
    parser.add_argument("--format", default="auto", choices=("auto", "sample", "acled", "ucdp"),
                        help="the gold file's format (default: from its columns)")
    parser.add_argument("--split", default="all", choices=("all", "dev", "test"),
                        help="coded reports: the development or test part (fixed by row "
                             "id, see evaluation.reports.split_of)")
    parser.add_argument("--sample", type=int, default=None, metavar="N",
                        help="coded reports: score a fixed sample of N rows of the split")
    parser.add_argument("--lang", default="auto",
                        help="coded reports: language of the texts (default: detected)")
    parser.add_argument("--event-model", default=None, metavar="MODEL",
                        help="coded reports: type events with a trained classifier")
    parser.add_argument("--errors", default=None, metavar="CSV",
                        help="coded reports: write one row per report (gold, predicted)")
    parser.add_argument("--articles", default=None, metavar="DIR",
                        help="the gold corpus folder, for article URLs and languages "
                             "(default: ../articles beside the gold file's folder)")
    parser.add_argument("--include-background", action="store_true",
                        help="also score background events (recalled past events)")
    parser.add_argument("--limit", type=int, default=20,
                        help="how many false positives/negatives to list (default: 20)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object with the scores on the last line")


def _fmt_row(label: str, c: Counts) -> str:
    return (f"  {label:<30} P={c.precision:6.3f} R={c.recall:6.3f} F1={c.f1:6.3f}  "
            f"tp={c.tp:<4} fp={c.fp:<4} fn={c.fn:<4}")


def report(result: Score, limit: int = 20) -> str:
    """A human-readable report of ``result``."""
    lines = ["Events (date, admin1, event_type) per article:", _fmt_row("overall", result.overall)]
    lines.append("By language:")
    lines += [_fmt_row(k, v) for k, v in sorted(result.by_language.items())]
    lines.append("By event type:")
    lines += [_fmt_row(k, v) for k, v in sorted(result.by_event_type.items())]
    lines.append("Relaxed matches (diagnostic):")
    lines += [_fmt_row(k, v) for k, v in result.relaxed.items()]
    if result.n_unlinked:
        lines.append(f"Ignored: {result.n_unlinked} predicted events linked to no gold article")
    for title, items in (("False positives", result.false_positives),
                         ("False negatives", result.false_negatives)):
        lines.append(f"{title} ({len(items)}):")
        for article, (date, admin1, etype) in items[:limit]:
            lines.append(f"  {article}: {date or '?'} | {admin1 or '?'} | {etype}")
        if len(items) > limit:
            lines.append(f"  ... {len(items) - limit} more")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Handler of ``conflict-atlas eval events``."""
    from evaluation import reports as eval_reports
    from extract.schema import SchemaError

    try:
        fmt = args.format if args.format != "auto" else eval_reports.detect_format(args.gold)
    except (eval_reports.ReportFormatError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if fmt in ("acled", "ucdp"):
        return eval_reports.run(args, fmt)
    if not args.events:
        print("error: give the EVENTS table to score against a gold events file",
              file=sys.stderr)
        return 2
    try:
        result = evaluate(args.events, args.gold, args.articles, args.include_background)
    except (GoldError, SchemaError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report(result, args.limit))
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, sort_keys=False))
    return 0
