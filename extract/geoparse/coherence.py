"""Spatial coherence of a document's readings: places named together lie together.

Every candidate reading of every name gets a *support* from the other names of the
document: for each other name, the best of its readings that lies near the candidate (or
contains it, or is contained by it), weighted by how likely that reading currently is. A
Paris that has a Monroe County around it and a Holliday 15 km away is Paris, Missouri; a
London with Ontario around it is London, Ontario.

Containment counts (fully for a town inside a named county or state, half for a state
holding a named town); otherwise closeness decays as ``1 / (1 + (km / SCALE_KM)²)`` (0.5 at 50 km, 0.06 at
200 km). Countries, continents and
regions, oceans and seas give no support here (the country focus of :mod:`extract.geoparse.resolver` counts them)
and get as much as the best narrower reading of their name.
Computed with NumPy over all candidate pairs of a document at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from geodata.distance import haversine_km

SCALE_KM = 50.0
UNIT_FROM_MEMBER = 0.5
BLOCK = 2048  # readings per block of similarity rows (2048 x 2048 floats: 32 MB)
_NO_SUPPORT = {"country", "continent", "region"}
_WIDE_WATERS = {"OCN", "SEA", "GULF"}


def _codes(rows: Sequence[dict[str, Any]], field: str) -> np.ndarray:
    """Integer ids of a code column ("" -> -1), equal ids for equal codes."""
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(r.get(field) or "", len(ids)) if r.get(field) else -1
                     for r in rows], dtype=np.int64)


def _wide(rows: Sequence[dict[str, Any]]) -> np.ndarray:
    """Readings too wide to say where a document is: countries, continents, regions, seas."""
    return np.array([r.get("feature_class") in _NO_SUPPORT
                     or r.get("feature_code") in _WIDE_WATERS for r in rows], dtype=bool)


class _Features:
    """The columns of a set of readings that similarity needs, as arrays."""

    def __init__(self, rows: Sequence[dict[str, Any]]) -> None:
        self.lat = np.array([r["lat"] for r in rows], dtype=float)
        self.lon = np.array([r["lon"] for r in rows], dtype=float)
        cls = np.array([r.get("feature_class", "") for r in rows])
        self.levels = [(_codes(rows, f"{level}_code"), cls == level)
                       for level in ("admin1", "admin2")]
        self.silent = _wide(rows)

    def block(self, i0: int, i1: int) -> np.ndarray:
        """Rows ``i0:i1`` of the similarity matrix."""
        km = haversine_km(self.lat[i0:i1, None], self.lon[i0:i1, None],
                          self.lat[None, :], self.lon[None, :])
        sim = 1.0 / (1.0 + (km / SCALE_KM) ** 2)
        for code, is_unit in self.levels:
            same = (code[i0:i1, None] == code[None, :]) & (code[i0:i1, None] >= 0)
            # sim[i, j] is the support of reading j to reading i: a unit j named in the
            # text holds town i fully; a town j inside unit i says less about i (a state
            # holds many).
            sim = np.where(same & is_unit[None, :], 1.0, sim)
            sim = np.where(same & is_unit[i0:i1, None] & ~is_unit[None, :],
                           np.maximum(sim, UNIT_FROM_MEMBER), sim)
        sim[self.silent[i0:i1], :] = 0.0
        sim[:, self.silent] = 0.0
        return sim


def similarity(rows: Sequence[dict[str, Any]]) -> np.ndarray:
    """``sim[i, j]``: the support (0..1) that reading ``j`` gives reading ``i``."""
    if not rows:
        return np.zeros((0, 0))
    return _Features(rows).block(0, len(rows))


class Coherence:
    """The support computation of one document's readings, reused over resolution rounds.

    ``groups`` holds the readings of each distinct name. The similarity matrix is kept when
    it is small and computed again by blocks of BLOCK rows when it is not, so that a long
    report naming hundreds of places needs no more than a few tens of MB.
    """

    def __init__(self, groups: Sequence[Sequence[dict[str, Any]]]) -> None:
        self.groups = groups
        flat = [row for group in groups for row in group]
        self.n = len(flat)
        self.sizes = [len(g) for g in groups]
        self.owner = np.repeat(np.arange(len(groups)), self.sizes)
        self.features = _Features(flat) if flat else None
        self.matrix = self.features.block(0, self.n) \
            if self.features is not None and self.n <= BLOCK else None

    def support(self, weights: Sequence[Sequence[float]]) -> list[list[float]]:
        """For each reading of each name, the summed best weighted similarity over the
        *other* names; ``weights[g][i]`` is how likely reading ``i`` of name ``g`` currently
        is (0..1)."""
        if self.features is None:
            return [[] for _ in self.groups]
        w = np.concatenate([np.asarray(ws, dtype=float) for ws in weights])
        starts = np.cumsum([0, *self.sizes[:-1]])
        nonempty = np.array(self.sizes) > 0
        total = np.zeros(self.n)
        for i0 in range(0, self.n, BLOCK):
            i1 = min(self.n, i0 + BLOCK)
            sim = self.matrix if self.matrix is not None else self.features.block(i0, i1)
            weighted = sim * w[None, :]
            # Best reading of each name, per reading: max over that name's columns.
            best = np.zeros((i1 - i0, len(self.groups)))
            best[:, nonempty] = np.maximum.reduceat(weighted, starts[nonempty], axis=1)
            best[np.arange(i1 - i0), self.owner[i0:i1]] = 0.0  # a name does not support itself
            total[i0:i1] = best.sum(axis=1)
        out: list[list[float]] = []
        pos = 0
        for group in self.groups:
            values = total[pos:pos + len(group)].tolist()
            pos += len(group)
            # Countries and other wide readings are neutral: as supported as the best
            # reading of the same name, so that support only orders its narrower readings.
            neutral = max(values, default=0.0)
            out.append([neutral if wide else v
                        for wide, v in zip(_wide(group), values, strict=True)])
        return out


def support(groups: Sequence[Sequence[dict[str, Any]]],
            weights: Sequence[Sequence[float]]) -> list[list[float]]:
    """:meth:`Coherence.support` in one call."""
    return Coherence(groups).support(weights)
