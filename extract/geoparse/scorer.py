"""The resolver's score of a reading: a weighted sum of its features (:class:`Scorer`).

The weight table (:class:`Weights`) has one weight per column of
:data:`extract.geoparse.features.FEATURE_NAMES`. Two tables ship:

- ``hand`` (:func:`hand_weights`): the constants the resolver was tuned with, by measured
  changes on the corpora's development split (bench/RESULTS.md). The geocoder's score
  counts once (it already holds population, name kind and language, spelling, class and
  the geocoder's own re-ranking rules: those columns weigh 0 here); a reading of the class
  a cue asks for gains ``CUE_BONUS / (1 + rank)``; a unit asked without its kind
  ("Karak district" -> Karak) loses ``UNIT_SUFFIX_PENALTY``; the focus share counts
  ``FOCUS_WEIGHT`` and the (capped) spatial support ``COHERENCE_WEIGHT``. With these weights
  the resolver gives exactly the results it gave before it was written as a model.
- ``fitted`` (``data/resolver_weights.json``): a logistic regression over every column,
  fitted on the development split only by ``python -m evaluation.fit_resolver fit``, which
  records its provenance (corpora, split, date, scikit-learn version) in the file.

:class:`~extract.geoparse.resolver.ResolverConfig` chooses the table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from extract.geoparse.features import FEATURE_NAMES, CandidateFeatures, vector

FITTED_WEIGHTS = Path(__file__).resolve().parent / "data" / "resolver_weights.json"

# The hand weights (today's constants, each settled by a measured change, bench/RESULTS.md).
GEOCODER_WEIGHT = 1.0  # the geocoder's score, as it ranks names on its own
CUE_BONUS = 3.0  # a reading of the class the cue asks for ("la province de" -> admin-1)
UNIT_SUFFIX_PENALTY = 0.6  # "Karak district" read as "Karak": what asking the bare name costs
FOCUS_WEIGHT = 4.0  # a reading in the country all the other names point to
COHERENCE_WEIGHT = 1.5  # per fully supporting other name (support capped, see ResolverConfig)

#: The columns the score of a reading has before the document's context is known.
CONTEXT_COLUMNS = frozenset({"focus_share", "coherence", "contained", "isolated", "stray",
                             "log_near_km", "near_unknown"})


class WeightsError(ValueError):
    """A weights file that does not fit the resolver's features."""


@dataclass(frozen=True)
class Weights:
    """One weight per feature column, an intercept, and where the numbers come from."""

    name: str
    table: Mapping[str, float]
    intercept: float = 0.0
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.table) - set(FEATURE_NAMES)
        if unknown:
            raise WeightsError(f"weights {self.name!r}: unknown features {sorted(unknown)}")
        object.__setattr__(self, "table", MappingProxyType(
            {n: float(self.table.get(n, 0.0)) for n in FEATURE_NAMES}))
        object.__setattr__(self, "provenance", MappingProxyType(dict(self.provenance)))

    @classmethod
    def load(cls, path: str | Path) -> Weights:
        """A weights file written by ``evaluation.fit_resolver``."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(str(data.get("name", Path(path).stem)), data["weights"],
                       float(data.get("intercept", 0.0)), data.get("provenance", {}))
        except (OSError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise WeightsError(f"cannot read resolver weights {path}: {exc}") from exc

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "weights": dict(self.table), "intercept": self.intercept,
                "provenance": dict(self.provenance)}


def hand_weights() -> Weights:
    """Today's constants as a weight table (every other column weighs 0)."""
    return Weights("hand", {"geocoder_score": GEOCODER_WEIGHT, "cue": CUE_BONUS,
                            "unit_suffix": -UNIT_SUFFIX_PENALTY, "focus_share": FOCUS_WEIGHT,
                            "coherence": COHERENCE_WEIGHT},
                   provenance={"source": "hand-set constants, bench/RESULTS.md"})


def load_weights(which: str | Path) -> Weights:
    """``"hand"``, ``"fitted"`` (the committed file) or the path of a weights file."""
    if which == "hand":
        return hand_weights()
    if which == "fitted":
        return Weights.load(FITTED_WEIGHTS)
    return Weights.load(which)


class Scorer:
    """Scores readings with a weight table, in two steps: :meth:`lexical` before the
    document's context is known, :meth:`contextual` in each resolution round.

    The named terms are added first and in a fixed order (geocoder score, then the unit and
    cue terms; then focus, then coherence), so that the hand table reproduces the
    resolver's former arithmetic to the last bit; every other column follows."""

    _LEAD = ("geocoder_score", "unit_suffix", "cue", "focus_share", "coherence")

    def __init__(self, weights: Weights) -> None:
        self.weights = weights
        w = weights.table
        self._w = [w[n] for n in FEATURE_NAMES]
        col = {n: i for i, n in enumerate(FEATURE_NAMES)}
        self._col = col
        self._lexical_rest = [(col[n], w[n]) for n in FEATURE_NAMES
                              if n not in CONTEXT_COLUMNS and n not in self._LEAD and w[n]]
        self._context_rest = [(col[n], w[n]) for n in FEATURE_NAMES
                              if n in CONTEXT_COLUMNS and n not in self._LEAD and w[n]]

    def lexical(self, f: CandidateFeatures) -> float:
        """The score of a reading from its lexical features alone."""
        w = self.weights.table
        score = w["geocoder_score"] * f.geocoder_score
        score = score + (w["unit_suffix"] * f.unit_suffix + w["cue"] * f.cue)
        if self._lexical_rest:
            x = vector(f)
            score += sum(wi * x[i] for i, wi in self._lexical_rest)
        return score

    def contextual(self, lexical: float, f: CandidateFeatures) -> float:
        """The score of a reading in a round: ``lexical`` plus its context's terms."""
        w = self.weights.table
        score = lexical + w["focus_share"] * f.focus_share
        score += w["coherence"] * f.coherence
        if self._context_rest:
            x = vector(f)
            score += sum(wi * x[i] for i, wi in self._context_rest)
        return score + self.weights.intercept if self.weights.intercept else score

    def score(self, f: CandidateFeatures) -> float:
        return self.contextual(self.lexical(f), f)

    def terms(self, f: CandidateFeatures) -> dict[str, float]:
        """What each column adds to the score of a reading (for explaining a decision)."""
        return {n: wi * xi for n, wi, xi in zip(FEATURE_NAMES, self._w, vector(f), strict=True)
                if wi and xi}
