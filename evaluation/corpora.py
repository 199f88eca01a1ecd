"""Readers for the public geoparsing corpora, format detected from the file content.

Formats (all XML, parsed with :mod:`defusedxml`):

``gwn``
    GeoWebNews (Gritta et al. 2019): ``<article file=..>`` with ``<toponym>`` elements holding
    ``extractedName``, ``normalisedName``, ``type`` (Literal, Metonymic, Demonym, ...),
    ``modifierType``, ``nonLocational``, ``start``/``end`` and, for resolvable ones,
    ``geonamesID``/``latitude``/``longitude``.
``lgl``
    LGL and TR-News: ``<article docid=..>`` with ``<toponym><phrase/><start/><end/>`` and an
    optional ``<gaztag geonameid=..>`` holding ``name``, ``fclass``, ``fcode``, ``lat``,
    ``lon``, ``country`` (and admin levels).
``geovirus``
    GeoVirus: ``<article><source/><text/><locations><location>`` with ``name``, ``start``,
    ``end``, ``lat``, ``lon``, ``page``.
``wiktor``
    WikToR: ``<page number=..>`` with ``toponymName``, ``text``, page-level ``lat``/``lon`` and
    ``<toponymIndices><toponym><start/><end/>`` for each occurrence.

Gold toponyms are those that carry coordinates (:func:`gold_toponyms`). Offsets are checked
against the text; a span whose text is not the annotated name is re-anchored to the nearest
occurrence of the name (see :func:`repair_offsets`), and both counts are reported, since the
real files do have such spans (TR-News drifts by a few characters in some articles; a few
GeoWebNews spans have negative offsets).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from conflict_atlas_core.errors import ConflictAtlasError

logger = logging.getLogger(__name__)

FORMATS = ("gwn", "lgl", "geovirus", "wiktor")


class CorpusFormatError(ConflictAtlasError, ValueError):
    """The file is not XML or not one of the supported corpus formats."""


@dataclass(frozen=True, slots=True)
class GoldToponym:
    """One annotated toponym. ``lat``/``lon`` are ``None`` when the corpus gives none."""

    start: int
    end: int
    name: str
    lat: float | None = None
    lon: float | None = None
    geonameid: str | None = None
    type: str = ""  # GWN type (Literal, Metonymic, Demonym, ...); "" elsewhere
    non_locational: bool = False  # GWN nonLocational=Yes
    fclass: str = ""  # GeoNames feature class from an LGL/TR-News gazetteer tag
    fcode: str = ""
    country: str = ""  # country name or code given by the corpus ("" when absent)
    normalised_name: str = ""  # GWN normalisedName / gazetteer name / WikToR page title
    modifier_type: str = ""  # GWN modifierType (Noun, Adjective) for modifiers
    offset_ok: bool = True  # text[start:end] == name as annotated (before any repair)
    repaired: bool = False  # the offsets were moved to the nearest occurrence of the name

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str
    text: str
    toponyms: list[GoldToponym] = field(default_factory=list)
    title: str = ""
    url: str = ""  # the article's address when the corpus gives it (LGL, TR-News)


@dataclass(slots=True)
class OffsetReport:
    """How many annotated spans do not match their text, and what became of them."""

    checked: int = 0
    mismatched: int = 0
    repaired: int = 0
    unrepaired: int = 0
    examples: list[tuple[str, int, int, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"checked": self.checked, "mismatched": self.mismatched,
                "repaired": self.repaired, "unrepaired": self.unrepaired}


@dataclass(slots=True)
class Corpus:
    path: str
    format: str
    documents: list[Document]
    offsets: OffsetReport
    skipped: int = 0  # annotations dropped because they were malformed (logged)


# ---------------------------------------------------------------- small parsing helpers

def _text(el: Element | None, tag: str) -> str:
    """Stripped text of a child element ("" when absent or empty)."""
    if el is None:
        return ""
    found = el.find(tag)
    if found is None or found.text is None:
        return ""
    return found.text.strip()


def _raw_text(el: Element, tag: str) -> str:
    """Unstripped text of a child element: offsets count from its first character."""
    found = el.find(tag)
    return "" if found is None or found.text is None else found.text


def _float(value: str) -> float | None:
    """A finite float, or ``None`` for "" or garbage."""
    if not value:
        return None
    try:
        f = float(value)
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def _coords(lat: str, lon: str) -> tuple[float | None, float | None]:
    la, lo = _float(lat), _float(lon)
    if la is None or lo is None or not (-90 <= la <= 90 and -180 <= lo <= 180):
        return None, None
    return la, lo


def _span(el: Element) -> tuple[int, int]:
    """(start, end) of an annotation; ``ValueError`` when missing or not integers."""
    return int(_text(el, "start")), int(_text(el, "end"))


# ---------------------------------------------------------------- detection

def detect_format(root: Element) -> str:
    """The corpus format of a parsed XML root (one of :data:`FORMATS`)."""
    if root.find("./page/toponymIndices") is not None or root.tag == "pages":
        return "wiktor"
    if root.find("./article/locations") is not None:
        return "geovirus"
    if root.find("./article/toponyms/toponym/extractedName") is not None:
        return "gwn"
    if (root.find("./article/toponyms/toponym/phrase") is not None
            or root.find("./article/toponyms/toponym/gaztag") is not None):
        return "lgl"
    first = root.find("./article")
    if first is not None:  # no annotation at all in the file: fall back on article markers
        if first.get("file") is not None or first.find("link") is not None:
            return "gwn"
        if first.get("docid") is not None or first.find("dltime") is not None:
            return "lgl"
        if first.find("source") is not None:
            return "geovirus"
    raise CorpusFormatError(
        f"unrecognised corpus format (root <{root.tag}>): expected GeoWebNews, LGL/TR-News "
        "(<toponym><phrase>), GeoVirus (<locations>) or WikToR (<page><toponymIndices>)")


def load_root(path: str | Path) -> Element:
    """Parse a corpus file safely; clear errors for missing or malformed files."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"corpus file not found: {p}")
    try:
        return SafeET.parse(str(p)).getroot()
    except SafeET.ParseError as exc:
        raise CorpusFormatError(f"{p}: not well-formed XML ({exc})") from exc
    except DefusedXmlException as exc:
        raise CorpusFormatError(f"{p}: refused unsafe XML construct ({exc!r})") from exc


# ---------------------------------------------------------------- per-format readers

def _with_spans(elements: Iterable[Element], where: str,
                name_of: Callable[[Element], str]) -> tuple[list[tuple[Element, int, int]], int]:
    """The annotation elements with valid offsets, and how many were skipped (logged)."""
    found, skipped = [], 0
    for el in elements:
        try:
            start, end = _span(el)
        except ValueError:
            skipped += 1
            logger.warning("%s: annotation %r without valid offsets, skipped", where,
                           name_of(el))
            continue
        found.append((el, start, end))
    return found, skipped


def _read_gwn(root: Element) -> Iterator[tuple[Document, int]]:
    for i, art in enumerate(root.iter("article")):
        doc_id = art.get("file") or str(i)
        spans, skipped = _with_spans(art.iter("toponym"), f"GWN article {doc_id}",
                                     lambda t: _text(t, "extractedName"))
        tops = []
        for t, start, end in spans:
            lat, lon = _coords(_text(t, "latitude"), _text(t, "longitude"))
            tops.append(GoldToponym(
                start=start, end=end, name=_text(t, "extractedName"), lat=lat, lon=lon,
                geonameid=_text(t, "geonamesID") or None, type=_text(t, "type"),
                non_locational=_text(t, "nonLocational").lower() == "yes",
                normalised_name=_text(t, "normalisedName"),
                modifier_type=_text(t, "modifierType")))
        yield Document(doc_id, _raw_text(art, "text"), tops, _text(art, "title"),
                       _text(art, "url")), skipped


def _read_lgl(root: Element) -> Iterator[tuple[Document, int]]:
    for i, art in enumerate(root.iter("article")):
        doc_id = art.get("docid") or str(i)
        spans, skipped = _with_spans(art.iter("toponym"), f"LGL article {doc_id}",
                                     lambda t: _text(t, "phrase"))
        tops = []
        for t, start, end in spans:
            gaz = t.find("gaztag")
            lat = lon = None
            gid = None
            if gaz is not None:
                lat, lon = _coords(_text(gaz, "lat"), _text(gaz, "lon"))
                gid = gaz.get("geonameid") or None
            tops.append(GoldToponym(
                start=start, end=end, name=_text(t, "phrase"), lat=lat, lon=lon, geonameid=gid,
                fclass=_text(gaz, "fclass"), fcode=_text(gaz, "fcode"),
                country=_text(gaz, "country"), normalised_name=_text(gaz, "name")))
        yield Document(doc_id, _raw_text(art, "text"), tops, _text(art, "title"),
                       _text(art, "url")), skipped


def _read_geovirus(root: Element) -> Iterator[tuple[Document, int]]:
    for i, art in enumerate(root.iter("article")):
        doc_id = art.get("id") or art.get("docid") or str(i)
        spans, skipped = _with_spans(art.iter("location"), f"GeoVirus article {doc_id}",
                                     lambda loc: _text(loc, "name"))
        tops = []
        for loc, start, end in spans:
            lat, lon = _coords(_text(loc, "lat"), _text(loc, "lon"))
            tops.append(GoldToponym(start=start, end=end, name=_text(loc, "name"), lat=lat,
                                    lon=lon, normalised_name=_text(loc, "page")))
        yield Document(doc_id, _raw_text(art, "text"), tops, _text(art, "source")), skipped


def _read_wiktor(root: Element) -> Iterator[tuple[Document, int]]:
    for i, page in enumerate(root.iter("page")):
        doc_id = page.get("number") or str(i)
        name = _text(page, "toponymName")
        title = _text(page, "pageTitle")
        lat, lon = _coords(_text(page, "lat"), _text(page, "lon"))
        spans, skipped = _with_spans(page.iter("toponym"), f"WikToR page {doc_id}",
                                     lambda _t, name=name: name)
        tops = [GoldToponym(start=start, end=end, name=name, lat=lat, lon=lon,
                            fclass=_text(page, "feature"), country=_text(page, "country"),
                            normalised_name=title)
                for _t, start, end in spans]
        yield Document(doc_id, _raw_text(page, "text"), tops, title), skipped


_READERS = {"gwn": _read_gwn, "lgl": _read_lgl, "geovirus": _read_geovirus,
            "wiktor": _read_wiktor}


# ---------------------------------------------------------------- offsets

def _occurrences(text: str, name: str, *, fold: bool) -> list[int]:
    hay, needle = (text.casefold(), name.casefold()) if fold else (text, name)
    if not needle or len(hay) != len(text):  # casefold changed lengths: offsets unusable
        return []
    out, i = [], hay.find(needle)
    while i >= 0:
        out.append(i)
        i = hay.find(needle, i + 1)
    return out


def repair_offsets(text: str, top: GoldToponym) -> GoldToponym:
    """``top`` with ``offset_ok`` set, and moved to the nearest occurrence of its name when
    ``text[start:end]`` is not the name (exact case first, then case-insensitive; ties go to
    the earlier occurrence, as the drift seen in real files is towards the start).
    Unrepairable spans keep their offsets, clamped into the text."""
    if 0 <= top.start <= top.end <= len(text) and text[top.start:top.end] == top.name:
        return top
    for fold in (False, True):
        hits = _occurrences(text, top.name, fold=fold)
        if hits:
            best = min(hits, key=lambda s: (abs(s - top.start), s))
            return replace(top, start=best, end=best + len(top.name), offset_ok=False,
                           repaired=True)
    start = min(max(top.start, 0), len(text))
    end = min(max(top.end, start), len(text))
    return replace(top, start=start, end=end, offset_ok=False, repaired=False)


def check_offsets(doc: Document, report: OffsetReport, *, repair: bool = True) -> Document:
    """Check every span of ``doc`` against its text, count into ``report``, return the doc
    (with repaired spans when ``repair``)."""
    out = []
    for top in doc.toponyms:
        report.checked += 1
        fixed = repair_offsets(doc.text, top)
        if not fixed.offset_ok:
            report.mismatched += 1
            if fixed.repaired:
                report.repaired += 1
            else:
                report.unrepaired += 1
            if len(report.examples) < 20:
                seen = doc.text[max(top.start, 0):max(top.end, 0)]
                report.examples.append((doc.doc_id, top.start, top.end, top.name, seen))
        if repair:
            out.append(fixed)
        else:
            out.append(replace(top, offset_ok=fixed.offset_ok))
    return replace(doc, toponyms=out)


# ---------------------------------------------------------------- public entry points

def read_corpus(path: str | Path, *, fmt: str = "auto", repair: bool = True,
                limit: int | None = None) -> Corpus:
    """Read a corpus file. ``fmt`` is ``auto`` (detected) or one of :data:`FORMATS`;
    ``limit`` keeps the first N documents."""
    root = load_root(path)
    detected = detect_format(root) if fmt == "auto" else fmt
    if detected not in _READERS:
        raise CorpusFormatError(f"unknown corpus format {fmt!r}; choose from {FORMATS}")
    report = OffsetReport()
    docs: list[Document] = []
    skipped = 0
    for doc, n_skipped in _READERS[detected](root):
        if limit is not None and len(docs) >= limit:
            break
        skipped += n_skipped
        docs.append(check_offsets(doc, report, repair=repair))
    if report.mismatched:
        logger.info("%s: %d of %d spans do not match their text (%d re-anchored)",
                    path, report.mismatched, report.checked, report.repaired)
    return Corpus(str(path), detected, docs, report, skipped)


def gold_toponyms(doc: Document) -> list[GoldToponym]:
    """The toponyms scored for resolution: those with coordinates, in text order."""
    return sorted((t for t in doc.toponyms if t.has_coordinates),
                  key=lambda t: (t.start, t.end, t.name))


def count_gold(docs: Iterable[Document]) -> dict[str, int]:
    """Annotations, gold toponyms (with coordinates) and gold with a GeoNames id."""
    annotations = gold = with_id = 0
    for d in docs:
        annotations += len(d.toponyms)
        for t in d.toponyms:
            if t.has_coordinates:
                gold += 1
                with_id += bool(t.geonameid)
    return {"annotations": annotations, "gold": gold, "gold_geonameid": with_id}


def describe(corpus: Corpus) -> dict[str, Any]:
    """Summary of a corpus for reports."""
    return {"path": corpus.path, "format": corpus.format, "documents": len(corpus.documents),
            **count_gold(corpus.documents), "offsets": corpus.offsets.as_dict(),
            "skipped": corpus.skipped}
