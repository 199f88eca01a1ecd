"""A learned event classifier: a team trains it on the events it has coded.

``conflict-atlas train events LABELLED --out MODEL`` fits it on labelled texts: an ACLED
export (``notes``, ``event_type``, ``sub_event_type``), a JSONL or CSV file with ``text`` (or
``notes``) and ``sub_event_type``, or an event store with its review corrections; then
``conflict-atlas extract ... --event-model MODEL`` types events with it.

The model (scikit-learn, CPU) reads each text twice: its words (TF-IDF of word 1-2-grams and
character 2-5-grams) and what the codebook read in it (:mod:`extract.codebook`: the kinds of
cues, the parties' roles, and the codebook's own sub-event type), so it learns where a team's
coding departs from the codebook's rules without forgetting them; a linear SVM scores the
sub-event types. :class:`LearnedClassifier` keeps the codebook's
decision of *whether* a sentence reports an event (training data holds events only, so a model
cannot learn that) and its parties, and replaces the type where the model is clearly for
another one (a margin of its linear scores).

A model file is a skops archive (no pickle: loading runs no code from the file) holding the
fitted pipeline and what it was trained on: the labels, the number of rows, the SHA-256 of
the training data and the library versions.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conflict_atlas_core.errors import ConflictAtlasError
from extract.codebook import CodebookClassifier, Coding, Reading, read_sentence
from extract.cues import CueLexicon
from extract.schema import SUB_EVENT_PARENT, SubEventType

logger = logging.getLogger(__name__)

MODEL_FORMAT = 1
MIN_MARGIN = 0.2  # the model's best class must lead its second by this, or the rules stand


class ModelError(ConflictAtlasError, ValueError):
    """A model file or training set that cannot be used; the message says why."""


@dataclass(frozen=True)
class LabelledTexts:
    """Texts and their sub-event types, with a digest of where they came from."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    digest: str
    source: str


def _digest(rows: Iterable[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for text, label in rows:
        h.update(text.encode("utf-8"))
        h.update(b"\x1f")
        h.update(label.encode("utf-8"))
        h.update(b"\x1e")
    return h.hexdigest()


def labelled_texts(rows: Iterable[tuple[str, str]], source: str) -> LabelledTexts:
    """Keep rows with a text and a known sub-event type; raise when none is left."""
    known = {s.value for s in SubEventType}
    kept = [(" ".join(t.split()), lab.strip()) for t, lab in rows
            if t and t.strip() and lab and lab.strip() in known]
    if not kept:
        raise ModelError(f"{source}: no row has a text and an ACLED sub_event_type")
    return LabelledTexts(tuple(t for t, _ in kept), tuple(lab for _, lab in kept),
                         _digest(kept), source)


def read_labelled(path: str | Path) -> LabelledTexts:
    """Labelled texts from an ACLED export or a CSV/JSONL file (see the module doc)."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"no labelled file at {path}")
    rows: list[dict[str, Any]]
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        rows = []
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise ModelError(f"{path}:{n}: not JSON ({exc.msg})") from None
    else:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    if not rows:
        raise ModelError(f"{path}: no rows")
    text_key = next((k for k in ("notes", "text", "sentence") if k in rows[0]), None)
    if text_key is None or "sub_event_type" not in rows[0]:
        raise ModelError(f"{path}: needs a text column (notes, text or sentence) and "
                         f"sub_event_type")
    return labelled_texts(((str(r.get(text_key) or ""), str(r.get("sub_event_type") or ""))
                           for r in rows), str(path))


def reading_tokens(reading: Reading, coding: Coding | None) -> str:
    """What the codebook read, as tokens: cue kinds, party roles, its sub-event type."""
    tokens = {f"cue:{c.kind}" + ("" if c.strong else ":weak") for c in reading.cues}
    tokens |= {f"party:{p.role}:{p.inter}" for p in reading.parties}
    if coding is not None:
        tokens.add("rule:" + coding.sub_event_type.value.replace(" ", "_"))
        tokens.add("rule_type:" + coding.event_type.value.replace(" ", "_"))
    else:
        tokens.add("rule:none")
    return " ".join(sorted(tokens))


class Featurizer:
    """Reads texts as the model needs them (the codebook's reading beside the words)."""

    def __init__(self, lexicon: CueLexicon | None = None,
                 rules: CodebookClassifier | None = None) -> None:
        self.lexicon = lexicon or CueLexicon.load()
        self.rules = rules or CodebookClassifier()

    def language(self, text: str) -> str:
        return self.lexicon.vote(text) or "en"

    def readings(self, texts: Sequence[str]) -> list[str]:
        """Each text's reading as tokens (:func:`reading_tokens`)."""
        out = []
        for text in texts:
            reading = read_sentence(text, self.language(text), self.lexicon)
            out.append(reading_tokens(reading, self.rules.classify(reading)))
        return out


class EventModel:
    """The fitted parts of the model: three vectorizers and a linear classifier. Kept as
    plain scikit-learn objects (no pipeline over a data frame) so that typing one sentence
    costs a fraction of a millisecond."""

    def __init__(self, parts: dict[str, Any] | None = None, seed: int = 0) -> None:
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
        from sklearn.svm import LinearSVC

        self.parts = parts or {
            "words": TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                                     strip_accents="unicode"),
            "chars": TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=3,
                                     sublinear_tf=True, max_features=150_000),
            "reading": CountVectorizer(token_pattern=r"\S+", binary=True, lowercase=False),
            "classifier": LinearSVC(C=0.5, random_state=seed),
        }

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.parts["classifier"].classes_]

    def _matrix(self, texts: Sequence[str], readings: Sequence[str], fit: bool) -> Any:
        from scipy.sparse import hstack

        columns = []
        for name, values in (("words", texts), ("chars", texts), ("reading", readings)):
            vectorizer = self.parts[name]
            columns.append(vectorizer.fit_transform(values) if fit
                           else vectorizer.transform(values))
        # the reading's tokens weigh as much as the words: scaled to unit length per row
        columns[2] = _unit_rows(columns[2])
        return hstack(columns).tocsr()

    def fit(self, texts: Sequence[str], readings: Sequence[str],
            labels: Sequence[str]) -> EventModel:
        self.parts["classifier"].fit(self._matrix(texts, readings, fit=True), list(labels))
        return self

    def decision(self, texts: Sequence[str], readings: Sequence[str]) -> Any:
        """Per-class scores (rows: texts; columns: :attr:`classes`)."""
        import sklearn

        # the inputs are the model's own matrices: scikit-learn's checks of them would cost
        # more than the scoring itself, one sentence at a time
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            scores = self.parts["classifier"].decision_function(
                self._matrix(texts, readings, fit=False))
        if scores.ndim == 1:  # two classes: one margin
            import numpy as np

            scores = np.column_stack([-scores, scores])
        return scores

    def predict(self, texts: Sequence[str], readings: Sequence[str]) -> list[str]:
        classes = self.classes
        return [classes[i] for i in self.decision(texts, readings).argmax(axis=1)]


def _unit_rows(matrix: Any) -> Any:
    """``matrix`` with each row scaled to unit Euclidean length (empty rows stay empty)."""
    from sklearn.preprocessing import normalize

    return normalize(matrix.astype(float), norm="l2", axis=1)


@dataclass(frozen=True)
class TrainReport:
    rows: int
    labels: tuple[str, ...]
    seconds: float
    digest: str
    path: str


def train(data: LabelledTexts, out: str | Path,
          featurizer: Featurizer | None = None,
          progress: Callable[[str], None] | None = None) -> TrainReport:
    """Fit a model on ``data`` and write it to ``out`` (a skops file)."""
    import time

    import sklearn
    import skops.io as sio

    if len(set(data.labels)) < 2:
        raise ModelError(f"{data.source}: a model needs at least two sub-event types, "
                         f"found {sorted(set(data.labels))}")
    featurizer = featurizer or Featurizer()
    start = time.perf_counter()
    if progress:
        progress(f"reading {len(data.texts)} texts")
    readings = featurizer.readings(data.texts)
    if progress:
        progress("fitting")
    model = EventModel().fit(data.texts, readings, data.labels)
    seconds = time.perf_counter() - start
    logger.info("trained on %d texts, %d labels, in %.1f s", len(data.texts),
                len(set(data.labels)), seconds)
    meta = {"format": MODEL_FORMAT, "labels": sorted(set(data.labels)),
            "rows": len(data.texts), "sha256": data.digest, "source": data.source,
            "trained": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "scikit_learn": sklearn.__version__, "lexicon": featurizer.lexicon.version}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    sio.dump({"meta": meta, "parts": model.parts}, tmp)
    tmp.replace(out)
    return TrainReport(len(data.texts), tuple(meta["labels"]), seconds, data.digest,
                       str(out))


class LearnedClassifier:
    """Types events with a trained model (see the module doc)."""

    def __init__(self, model: EventModel, meta: dict[str, Any],
                 rules: CodebookClassifier | None = None,
                 min_margin: float = MIN_MARGIN) -> None:
        self.model = model
        self.meta = meta
        self.rules = rules or CodebookClassifier()
        self.min_margin = min_margin
        self.labels = [SubEventType(lab) for lab in model.classes]

    @classmethod
    def load(cls, path: str | Path) -> LearnedClassifier:
        """Read a model written by :func:`train`; only the scikit-learn, NumPy and SciPy
        types it is made of are trusted."""
        import skops.io as sio

        path = Path(path)
        if not path.is_file():
            raise ModelError(f"no event model at {path}")
        try:
            untrusted = sio.get_untrusted_types(file=path)
            allowed = [t for t in untrusted if t.startswith(_TRUSTED_PREFIXES)]
            if len(allowed) != len(untrusted):
                bad = sorted(set(untrusted) - set(allowed))
                raise ModelError(f"{path}: holds types this project does not load: {bad}")
            payload = sio.load(path, trusted=allowed)
        except ModelError:
            raise
        except (OSError, ValueError, KeyError, TypeError, AttributeError,
                zipfile.BadZipFile) as exc:
            raise ModelError(f"{path}: not an event model ({exc})") from None
        meta = payload.get("meta") if isinstance(payload, dict) else None
        if not meta or meta.get("format") != MODEL_FORMAT or "parts" not in payload:
            raise ModelError(f"{path}: not an event model of format {MODEL_FORMAT}")
        try:
            model = EventModel(payload["parts"])
            labels = [SubEventType(c) for c in model.classes]
        except (KeyError, ValueError, AttributeError) as exc:
            raise ModelError(f"{path}: its labels are not ACLED sub-event types ({exc})"
                             ) from None
        del labels
        return cls(model, meta)

    def classify(self, reading: Reading) -> Coding | None:
        coding = self.rules.classify(reading)
        if coding is None:
            return None
        scores = self.model.decision([" ".join(reading.text.split())],
                                     [reading_tokens(reading, coding)])[0]
        order = scores.argsort()[::-1]
        best = int(order[0])
        margin = float(scores[best] - scores[order[1]]) if len(order) > 1 else 1.0
        sub = self.labels[best]
        if sub is coding.sub_event_type or margin < self.min_margin:
            return coding
        return dataclasses.replace(coding, event_type=SUB_EVENT_PARENT[sub],
                                   sub_event_type=sub, reasons=(*coding.reasons, "model"))


# Types a model file may hold: scikit-learn's and the numeric ones it is built on.
_TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.")
