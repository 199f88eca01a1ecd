"""Filters pushed down to a PostGIS store: :class:`~dashboard.filters.FilterState` as SQL.

:func:`where_clause` says in SQL what :func:`dashboard.filters.filter_mask` says in pandas
(the equivalence is tested row for row on a real server), with ``%s`` placeholders, never
values pasted into the text. :func:`filtered_events` gives the events a filter selects with
the review edits applied: the events no edit touches are selected by the database; the few
an edit touches are read by id, edited, then filtered here, since an edit may move an event
into or out of the selection. :func:`grid_counts` aggregates in the database
(``ST_SnapToGrid`` on the GiST-indexed ``geom``), so a map of ten million events reads a few
thousand cells, not the events.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from dashboard.filters import FilterState, apply_filters

# FilterState field -> the column it selects on (the tuple filters)
_IN_COLUMNS = {"event_types": "event_type", "sub_event_types": "sub_event_type",
               "countries": "country", "admin1": "admin1", "languages": "language",
               "sources": "source", "geo_precision": "geo_precision"}


def where_clause(state: FilterState) -> tuple[str, list[Any]]:
    """``(condition, params)`` selecting the rows ``state`` keeps ("TRUE" when all)."""
    parts: list[str] = []
    params: list[Any] = []
    if not state.include_background:
        parts.append("NOT is_background")
    if state.date_from or state.date_to:
        dated = ["event_date IS NOT NULL"]
        if state.date_from:
            dated.append("event_date >= %s")
            params.append(state.date_from)
        if state.date_to:
            dated.append("event_date < %s")  # the whole "to" day is included
            params.append(state.date_to + dt.timedelta(days=1))
        clause = " AND ".join(dated)
        parts.append(f"(({clause}) OR event_date IS NULL)" if state.include_undated
                     else f"({clause})")
    for field, column in _IN_COLUMNS.items():
        values = getattr(state, field)
        if values:
            parts.append(f"{column} = ANY(%s)")
            params.append(list(values))
    if state.actors:
        role = {"actor1": "actor1 = ANY(%s)", "actor2": "actor2 = ANY(%s)"}.get(
            state.actor_role, "(actor1 = ANY(%s) OR actor2 = ANY(%s))")
        parts.append(role)
        params.extend([list(state.actors)] * role.count("%s"))
    if state.min_confidence > 0:
        parts.append("confidence >= %s")
        params.append(state.min_confidence)
    if state.bbox is not None:
        # the GiST index answers the box; the exact bounds (edges included) as in pandas
        parts.append("geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) "
                     "AND longitude BETWEEN %s AND %s AND latitude BETWEEN %s AND %s")
        min_lon, min_lat, max_lon, max_lat = state.bbox
        params.extend([min_lon, min_lat, max_lon, max_lat, min_lon, max_lon, min_lat, max_lat])
    needle = state.text.strip()
    if needle:
        parts.append("(strpos(lower(notes), lower(%s)) > 0 "
                     "OR strpos(lower(sentence), lower(%s)) > 0)")
        params.extend([needle, needle])
    return (" AND ".join(parts) or "TRUE"), params


def _touched(active: list[dict[str, Any]]) -> list[str]:
    return sorted({str(r["event_id"]) for r in active if r.get("event_id")})


def filtered_events(store: Any, state: FilterState, edits: Any = None) -> pd.DataFrame:
    """The events of a PostGIS ``store`` that ``state`` selects, with the active records of
    the edit log ``edits`` applied (None: as stored)."""
    from dashboard.edits import apply_edits

    where, params = where_clause(state)
    active = edits.active() if edits is not None else []
    touched = _touched(active)
    if not touched:
        return store.read(where, tuple(params))
    untouched = store.read(f"({where}) AND NOT (event_id = ANY(%s))", (*params, touched))
    edited, _report = apply_edits(store.read("event_id = ANY(%s)", (touched,)), active)
    chosen = apply_filters(edited, state)
    if not len(chosen):
        return untouched
    return pd.concat([untouched, chosen], ignore_index=True)


def grid_counts(store: Any, state: FilterState, cell_degrees: float) -> pd.DataFrame:
    """Events per grid cell (``lon``, ``lat`` of the cell's corner, ``count``), counted in
    the database over the rows ``state`` selects as stored (edits not applied: a map layer
    of millions of events, where a handful of edits does not show)."""
    where, params = where_clause(state)
    sql = ("SELECT ST_X(cell) AS lon, ST_Y(cell) AS lat, n AS count FROM ("
           "SELECT ST_SnapToGrid(geom, %s) AS cell, count(*) AS n FROM events "
           f"WHERE {where} GROUP BY 1) g ORDER BY n DESC")
    with store.connect() as conn:
        if not store.has_tables(conn):
            return pd.DataFrame({"lon": [], "lat": [], "count": []})
        rows = conn.execute(sql, [cell_degrees, *params]).fetchall()
    return pd.DataFrame(rows, columns=["lon", "lat", "count"])


def count(store: Any, state: FilterState) -> int:
    """How many stored events ``state`` selects (edits not applied)."""
    where, params = where_clause(state)
    return int(store.count(where, params))
