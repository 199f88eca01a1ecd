"""What geoparsing hands on: a place name found in a text (:class:`Mention`) and the place
it was resolved to (:class:`Resolution`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Mention:
    """A place name found in a text: character offsets and how it was found."""

    start: int
    end: int
    text: str
    source: str = "gazetteer"  # gazetteer | ner | both | gold
    ner_label: str = ""


@dataclass(frozen=True)
class Resolution:
    """A mention with the place it most likely names (``None`` when nothing fits)."""

    mention: Mention
    place: dict[str, Any] | None
    score: float = 0.0
    confidence: float = 0.0
    cue_classes: tuple[str, ...] = ()
    is_metonym: bool = False
    candidates: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    # How the place was reached: "" (the name itself), "part" (a place named inside the
    # name: "Manila Cathedral" -> Manila) or "document" (no place of that name: the nearest
    # place the document names, for a street or a building).
    basis: str = ""

    @property
    def latlon(self) -> tuple[float, float] | None:
        return None if self.place is None else (self.place["lat"], self.place["lon"])
