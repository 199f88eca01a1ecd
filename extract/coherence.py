"""Spatial coherence of a document's readings: places named together lie together.

Every candidate reading of every name gets a *support* from the other names of the
document: for each other name, the best of its readings that lies near the candidate (or
contains it, or is contained by it), weighted by how likely that reading currently is. A
Paris that has a Monroe County around it and a Holliday 15 km away is Paris, Missouri; a
London with Ontario around it is London, Ontario.

Containment counts (fully for a town inside a named county or state, half for a state
holding a named town); otherwise closeness decays as ``1 / (1 + (km / SCALE_KM)²)`` (0.5 at 50 km, 0.06 at
200 km). Countries, continents and
regions, oceans and seas give no support here (the country focus of :mod:`extract.toponyms` counts them)
and get as much as the best narrower reading of their name.
Computed with NumPy over all candidate pairs of a document at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

SCALE_KM = 50.0
UNIT_FROM_MEMBER = 0.5
EARTH_RADIUS_KM = 6371.0088
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


def similarity(rows: Sequence[dict[str, Any]]) -> np.ndarray:
    """``sim[i, j]``: the support (0..1) that reading ``j`` gives reading ``i``."""
    n = len(rows)
    if n == 0:
        return np.zeros((0, 0))
    lat = np.radians(np.array([r["lat"] for r in rows], dtype=float))
    lon = np.radians(np.array([r["lon"] for r in rows], dtype=float))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    sim = 1.0 / (1.0 + (km / SCALE_KM) ** 2)
    cls = np.array([r.get("feature_class", "") for r in rows])
    for level in ("admin1", "admin2"):
        code = _codes(rows, f"{level}_code")
        is_unit = cls == level
        same = (code[:, None] == code[None, :]) & (code[:, None] >= 0)
        # sim[i, j] is the support of reading j to reading i: a unit j named in the text
        # holds town i fully; a town j inside unit i says less about i (a state holds many).
        sim = np.where(same & is_unit[None, :], 1.0, sim)
        sim = np.where(same & is_unit[:, None] & ~is_unit[None, :],
                       np.maximum(sim, UNIT_FROM_MEMBER), sim)
    silent = _wide(rows)
    sim[silent, :] = 0.0
    sim[:, silent] = 0.0
    return sim


def support(groups: Sequence[Sequence[dict[str, Any]]],
            weights: Sequence[Sequence[float]]) -> list[list[float]]:
    """For each candidate of each group (one group per distinct name), the summed best
    weighted similarity over the *other* groups.

    ``weights[g][i]`` is how likely candidate ``i`` of group ``g`` currently is (0..1).
    """
    flat = [row for group in groups for row in group]
    if not flat:
        return [[] for _ in groups]
    sizes = [len(g) for g in groups]
    owner = np.repeat(np.arange(len(groups)), sizes)
    w = np.concatenate([np.asarray(ws, dtype=float) for ws in weights if len(ws)]) \
        if any(len(ws) for ws in weights) else np.zeros(0)
    weighted = similarity(flat) * w[None, :]
    # Best reading of each group, per candidate: max over that group's columns.
    starts = np.cumsum([0, *sizes[:-1]])
    nonempty = np.array(sizes) > 0
    best = np.zeros((len(flat), len(groups)))
    best[:, nonempty] = np.maximum.reduceat(weighted, starts[nonempty], axis=1)
    best[np.arange(len(flat)), owner] = 0.0  # a name does not support itself
    total = best.sum(axis=1)
    out: list[list[float]] = []
    pos = 0
    for group in groups:
        values = total[pos:pos + len(group)].tolist()
        pos += len(group)
        # Countries and other wide readings are neutral: as supported as the best reading
        # of the same name, so that support only orders the name's narrower readings.
        neutral = max(values, default=0.0)
        wide = _wide(group)
        out.append([neutral if w else v for w, v in zip(wide, values, strict=True)])
    return out
