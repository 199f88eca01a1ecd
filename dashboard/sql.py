"""Filters pushed down to a PostGIS store: :class:`~dashboard.filters.FilterState` as SQL.

:func:`where_clause` says in SQL what :func:`dashboard.filters.filter_mask` says in pandas
(the equivalence is tested row for row on a real server), with ``%s`` placeholders, never
values pasted into the text; the search word is a ``LIKE`` the store's trigram indexes
answer. :func:`filtered_events` gives the events a filter selects with the review edits
applied: the events no edit touches are selected by the database; the few an edit touches
are read by id, edited, then filtered here, since an edit may move an event into or out of
the selection.

The Explore page's figures and maps (:class:`dashboard.explore_data.DatabaseExplore`) are
aggregated in the database: grouped counts (``GROUPING SETS``: one scan for the figures
and charts), counts on a grid of cells snapped from the coordinates, H3 cells binned from
them, the newest rows through an index and ``LIMIT``; from the store's summary tables
where the filter allows (see below), so a map of ten million events reads a few thousand
rows, not the events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from dashboard.filters import FilterState, apply_filters
from extract.schema import empty_events

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
        cond, box_params = _box_condition(state.bbox)
        parts.append(cond)
        params.extend(box_params)
    needle = state.text.strip()
    if needle:
        # LIKE on lower(...): the trigram indexes of the store answer it (strpos cannot)
        pattern = "%" + _like_escape(needle) + "%"
        parts.append("(lower(notes) LIKE lower(%s) OR lower(sentence) LIKE lower(%s))")
        params.extend([pattern, pattern])
    return (" AND ".join(parts) or "TRUE"), params


def _box_condition(box: tuple[float, float, float, float]) -> tuple[str, tuple[float, ...]]:
    """The rows within ``box`` (west, south, east, north): the GiST index answers the box,
    then the exact bounds (edges included) as in pandas."""
    w, s, e, n = box
    return (("geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) AND longitude BETWEEN %s AND %s "
            "AND latitude BETWEEN %s AND %s"), (w, s, e, n, w, e, s, n))


def _like_escape(text: str) -> str:
    """``text`` matched literally by LIKE (its default escape character is the backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def touched_ids(active: list[dict[str, Any]]) -> list[str]:
    """The ids of the events the ``active`` edit records touch, sorted."""
    return sorted({str(r["event_id"]) for r in active if r.get("event_id")})


def filtered_events(store: Any, state: FilterState, edits: Any = None) -> pd.DataFrame:
    """The events of a PostGIS ``store`` that ``state`` selects, with the active records of
    the edit log ``edits`` applied (None: as stored)."""
    sel = select(store, state, edits.active() if edits is not None else [], cube=False)
    untouched = store.read(sel.where, sel.params)
    if not len(sel.edited):
        return untouched
    return pd.concat([untouched, sel.edited], ignore_index=True)


def count(store: Any, state: FilterState) -> int:
    """How many stored events ``state`` selects (edits not applied)."""
    where, params = where_clause(state)
    return int(store.count(where, params))


# -- the Explore page's aggregates, computed in the database ------------------------------
# Each function gives what its namesake of :mod:`dashboard.aggregate` gives for the rows a
# filter selects with the review edits applied. The database counts the stored rows, the
# few rows an edit touches are counted here, and the partial counts are added up: the
# figures are those of the file store's page on the same events (tested on a real server).
# Where the filter uses only what the summary tables of the store keep (dates, types,
# countries, admin-1, precision, background; :data:`extract.store_postgis.CUBE_TABLES`),
# they answer instead of the events: thousands of rows read instead of millions; the
# touched rows as stored are then taken off and as edited added.

#: the filters the summary tables can answer
CUBE_FIELDS = frozenset({"date_from", "date_to", "include_undated", "include_background",
                         "event_types", "countries", "admin1", "geo_precision"})


def cube_answers(state: FilterState) -> bool:
    """Whether the summary tables hold what ``state`` selects on."""
    default = FilterState()
    return all(getattr(state, f.name) == getattr(default, f.name)
               for f in dataclasses.fields(FilterState) if f.name not in CUBE_FIELDS)


@dataclasses.dataclass(frozen=True)
class Selection:
    """The rows ``state`` selects, edits applied.

    ``where``/``params`` pick the stored rows no edit touches; ``edited`` holds the edited
    rows ``state`` keeps (a handful); ``removed`` the touched rows as stored that ``state``
    keeps. ``cube``: the summary tables answer ``plain``/``plain_params`` (the condition
    without the touched rows taken out: they are in the tables as stored)."""

    state: FilterState
    where: str
    params: tuple[Any, ...]
    edited: pd.DataFrame
    removed: pd.DataFrame
    plain: str
    plain_params: tuple[Any, ...]
    cube: bool


def has_cube(store: Any) -> bool:
    """Whether the store keeps the summary tables (schema 2; an older store is upgraded by
    its next write)."""
    got = _rows(store, "SELECT to_regclass('event_daily') IS NOT NULL", ())
    return bool(got and got[0][0])


def select(store: Any, state: FilterState, active: list[dict[str, Any]] | None = None,
           cube: bool | None = None) -> Selection:
    """The :class:`Selection` of ``state`` over ``store`` with the ``active`` edit records
    (:meth:`dashboard.edits.EditLog.active`; None or empty: as stored). ``cube``: whether
    the store has its summary tables (asked when None)."""
    from dashboard.edits import apply_edits

    where, params = where_clause(state)
    use_cube = cube_answers(state) and (has_cube(store) if cube is None else cube)
    touched = touched_ids(active or [])
    if not touched:
        return Selection(state, where, tuple(params), empty_events(), empty_events(), where,
                         tuple(params), use_cube)
    stored = store.read("event_id = ANY(%s)", (touched,))
    edited, _report = apply_edits(stored, active or [])
    return Selection(state, f"({where}) AND NOT (event_id = ANY(%s))", (*params, touched),
                     apply_filters(edited, state).reset_index(drop=True),
                     apply_filters(stored, state).reset_index(drop=True), where,
                     tuple(params), use_cube)


def _rows(store: Any, sql: str, params: tuple[Any, ...] | list[Any]) -> list[tuple[Any, ...]]:
    with store.connect() as conn:
        if not store.has_tables(conn):
            return []
        return list(conn.execute(sql, params).fetchall())


def _corrections(sel: Selection) -> list[tuple[pd.DataFrame, int]]:
    """The frames to count with their sign: the edited rows (+1) and, where the summary
    tables answered, the touched rows as stored (-1)."""
    out = [(sel.edited, 1)]
    if sel.cube:
        out.append((sel.removed, -1))
    return [(df, sign) for df, sign in out if len(df)]


def _add(parts: list[pd.DataFrame], keys: list[str], values: list[str]) -> pd.DataFrame:
    both = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    if not len(both):
        return both
    out = both.groupby(keys, dropna=False, sort=False)[values].sum().reset_index()
    return out[out[values[0]] != 0].reset_index(drop=True)


def overview(store: Any, sel: Selection) -> dict[str, Any]:
    """The page's figures in one scan: ``days`` (event_date, event_type, n), ``admin1``
    (country, admin1, events), ``actors`` (actor, events: as actor1 plus as actor2),
    ``places`` (country, admin1, location, n), ``events`` and ``fatalities``."""
    if sel.cube:
        sql = ("SELECT GROUPING(event_date, event_type, country, admin1, location), "
               "event_date, event_type, country, admin1, location, sum(n)::bigint, "
               f"sum(fatalities)::bigint FROM event_daily WHERE {sel.plain} "
               "GROUP BY GROUPING SETS "
               "((event_date, event_type), (country, admin1, location), ())")
        rows_ = _rows(store, sql, sel.plain_params)
        day_g, place_g, all_g = 0b00111, 0b11000, 0b11111
        actors = pd.DataFrame(_rows(store, "SELECT actor, sum(n)::bigint FROM event_actor_cube "
                                    f"WHERE {sel.plain} GROUP BY actor", sel.plain_params),
                              columns=["actor", "events"])
    else:  # one scan of the events, the actors as two more grouping sets
        sql = ("SELECT GROUPING(event_date, event_type, country, admin1, location, actor1, "
               "actor2) >> 2, event_date, event_type, country, admin1, location, count(*), "
               "coalesce(sum(fatalities), 0)::bigint, GROUPING(actor1, actor2), actor1, "
               f"actor2 FROM events WHERE {sel.where} "
               "GROUP BY GROUPING SETS ((event_date, event_type), "
               "(country, admin1, location), (actor1), (actor2), ())")
        got = _rows(store, sql, sel.params)
        # the actor sets: GROUPING(actor1, actor2) is 1 grouped by actor1, 2 by actor2
        actors = pd.DataFrame([(r[9] if r[8] == 1 else r[10], r[6]) for r in got
                               if r[8] in (1, 2) and (r[9] if r[8] == 1 else r[10])],
                              columns=["actor", "events"])
        rows_ = [r for r in got if r[8] == 3]
        day_g, place_g, all_g = 0b00111, 0b11000, 0b11111
    days = [pd.DataFrame([(r[1], r[2], r[6]) for r in rows_ if r[0] == day_g],
                         columns=["event_date", "event_type", "n"])]
    places_ = [pd.DataFrame([(r[3], r[4], r[5], r[6]) for r in rows_ if r[0] == place_g],
                            columns=["country", "admin1", "location", "n"])]
    total = next(((r[6], r[7]) for r in rows_ if r[0] == all_g), (0, 0))
    events, fatalities = int(total[0] or 0), int(total[1] or 0)
    acts = [actors]
    for df, sign in _corrections(sel):
        events += sign * len(df)
        fatalities += sign * int(df["fatalities"].fillna(0).sum())
        days.append(df.assign(event_date=df["event_date"].dt.date)
                    .groupby(["event_date", "event_type"], dropna=False).size()
                    .mul(sign).rename("n").reset_index())
        places_.append(df.groupby(["country", "admin1", "location"]).size().mul(sign)
                       .rename("n").reset_index())
        both = pd.concat([df["actor1"], df["actor2"]], ignore_index=True)
        acts.append(both[both != ""].value_counts().mul(sign).rename("events")
                    .rename_axis("actor").reset_index())
    places_df = _add(places_, ["country", "admin1", "location"], ["n"])
    days_df = _add(days, ["event_date", "event_type"], ["n"])
    admin = (places_df.groupby(["country", "admin1"], sort=False)["n"].sum()
             .rename("events").reset_index() if len(places_df)
             else pd.DataFrame(columns=["country", "admin1", "events"]))
    return {"days": days_df, "admin1": admin, "places": places_df,
            "actors": _add(acts, ["actor"], ["events"]),
            "events": events, "fatalities": fatalities}


def summary(over: dict[str, Any]) -> Any:
    """:func:`dashboard.aggregate.summary` from :func:`overview`."""
    from dashboard.aggregate import Summary

    if not over["events"]:
        return Summary(0, 0, 0, None, None)
    dated = over["days"].dropna(subset=["event_date"])
    first = pd.Timestamp(dated["event_date"].min()).date() if len(dated) else None
    last = pd.Timestamp(dated["event_date"].max()).date() if len(dated) else None
    return Summary(over["events"], over["fatalities"], len(over["places"]), first, last)


def time_series(over: dict[str, Any], freq: str = "auto") -> pd.DataFrame:
    """:func:`dashboard.aggregate.time_series` from the per-day counts of :func:`overview`."""
    days = over["days"].dropna(subset=["event_date"])
    if not len(days):
        return pd.DataFrame()
    dates = pd.to_datetime(days["event_date"])
    if freq == "auto":
        span = (dates.max() - dates.min()).days
        freq = "D" if span <= 90 else ("W" if span <= 730 else "M")
    period = dates.dt.to_period({"W": "W-SUN"}.get(freq, freq)).dt.start_time
    table = (days.assign(period=period).groupby(["period", "event_type"])["n"].sum()
             .unstack("event_type", fill_value=0).sort_index())
    table.columns = [str(c) for c in table.columns]
    return table.astype("int64")


def top_actors(over: dict[str, Any], n: int = 10) -> pd.DataFrame:
    """:func:`dashboard.aggregate.top_actors` from :func:`overview` (ties by name)."""
    act = over["actors"]
    act = act[act["actor"].fillna("") != ""]
    act = act.sort_values(["events", "actor"], ascending=[False, True]).head(n)
    return pd.DataFrame({"actor": act["actor"].astype(str).to_numpy(),
                         "events": act["events"].astype("int64").to_numpy()})


def admin1_counts(over: dict[str, Any]) -> pd.DataFrame:
    """:func:`dashboard.aggregate.admin1_counts` from :func:`overview`."""
    out = over["admin1"]
    return (out.sort_values(["events", "country", "admin1"], ascending=[False, True, True])
            .reset_index(drop=True)[["country", "admin1", "events"]])


def event_types(over: dict[str, Any]) -> set[str]:
    return set(over["days"]["event_type"].astype(str)) if len(over["days"]) else set()


def _cube_multiple(cell: float) -> int:
    """``cell`` as a whole number of the summary tables' cells (0: it is not one)."""
    from extract.store_postgis import CUBE_CELL

    k = cell / CUBE_CELL
    return round(k) if k >= 1 - 1e-9 and abs(k - round(k)) < 1e-9 else 0


def _cube_box(box: tuple[float, float, float, float] | None) -> tuple[str, tuple[Any, ...]]:
    """The summary tables' cells touching ``box`` (all when None)."""
    from extract.store_postgis import CUBE_CELL

    if box is None:
        return "TRUE", ()
    w, s, e, n = box
    return (("cell_i BETWEEN floor((%s + 90) / %s) AND floor((%s + 90) / %s) AND "
            "cell_j BETWEEN floor((%s + 180) / %s) AND floor((%s + 180) / %s)"),
            (s, CUBE_CELL, n, CUBE_CELL, w, CUBE_CELL, e, CUBE_CELL))


def grid_places(store: Any, sel: Selection, cell: float,
                box: tuple[float, float, float, float] | None = None) -> pd.DataFrame:
    """:func:`dashboard.aggregate.grid_places` in the database: the same cells (``cell``
    degrees from -90/-180), the events' mean point per cell, counts and fatalities, of the
    events in ``box`` (all when None; from the summary tables, the cells touching it)."""
    k = _cube_multiple(cell) if sel.cube else 0
    if k:
        cond, cparams = _cube_box(box)
        sql = (f"SELECT cell_i / {k}, cell_j / {k}, sum(n)::bigint, sum(lat_sum), sum(lon_sum), "
               f"sum(fatalities)::bigint FROM event_cube WHERE ({sel.plain}) AND {cond} GROUP BY 1, 2")
        params: tuple[Any, ...] = (*sel.plain_params, *cparams)
    else:
        part = within(sel, box) if box is not None else sel
        sql = ("SELECT floor((latitude + 90) / %s)::bigint, "
               "floor((longitude + 180) / %s)::bigint, count(*), sum(latitude), "
               f"sum(longitude), coalesce(sum(fatalities), 0)::bigint FROM events WHERE {part.where} "
               "GROUP BY 1, 2")
        params = (cell, cell, *part.params)
        sel = part
    frames = [pd.DataFrame(_rows(store, sql, params),
                           columns=["i", "j", "count", "lat", "lon", "fatalities"])]
    for df, sign in (_corrections(sel) if k else [(sel.edited, 1)]):
        if not len(df):
            continue
        lat = df["latitude"].to_numpy(dtype=float)
        lon = df["longitude"].to_numpy(dtype=float)
        frames.append(pd.DataFrame({
            "i": np.floor((lat + 90.0) / cell).astype("int64"),
            "j": np.floor((lon + 180.0) / cell).astype("int64"), "count": sign,
            "lat": sign * lat, "lon": sign * lon,
            "fatalities": sign * df["fatalities"].fillna(0).to_numpy(dtype=float)}))
    got = _add(frames, ["i", "j"], ["count", "lat", "lon", "fatalities"])
    cols = ["latitude", "longitude", "count", "fatalities"]
    if not len(got):
        return pd.DataFrame(columns=cols)
    n = got["count"].to_numpy(dtype=float)
    return pd.DataFrame({"latitude": got["lat"].to_numpy(dtype=float) / n,
                         "longitude": got["lon"].to_numpy(dtype=float) / n,
                         "count": got["count"].astype("int64").to_numpy(),
                         "fatalities": got["fatalities"].astype("int64").to_numpy()})[cols]


def by_place(store: Any, sel: Selection, decimals: int) -> pd.DataFrame:
    """Events per coordinate rounded to ``decimals``: latitude, longitude, count,
    fatalities (what H3 binning starts from)."""
    sql = (f"SELECT round(latitude::numeric, {int(decimals)})::float8, "
           f"round(longitude::numeric, {int(decimals)})::float8, count(*), "
           f"coalesce(sum(fatalities), 0)::bigint FROM events WHERE {sel.where} GROUP BY 1, 2")
    frames = [pd.DataFrame(_rows(store, sql, sel.params),
                           columns=["latitude", "longitude", "count", "fatalities"])]
    ed = sel.edited
    if len(ed):
        frames.append(pd.DataFrame({"latitude": ed["latitude"].round(decimals),
                                    "longitude": ed["longitude"].round(decimals), "count": 1,
                                    "fatalities": ed["fatalities"].fillna(0).astype("int64")}))
    got = _add(frames, ["latitude", "longitude"], ["count", "fatalities"])
    return got.astype({"count": "int64", "fatalities": "int64"})


#: the finest H3 resolution the summary tables' cells (about 39 km) are binned at (cells of
#: about 60 km): finer ones are counted from the events
CUBE_H3_RESOLUTION = 3


def h3_bins(store: Any, sel: Selection, resolution: int,
            box: tuple[float, float, float, float] | None = None,
            cells: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`dashboard.aggregate.h3_bins` of the selection's events in ``box`` (all when
    None), the coordinates rounded as :func:`dashboard.layers.h3_input` rounds them.

    Where the summary tables answer, at resolution :data:`CUBE_H3_RESOLUTION` at most: each
    of their cells (``cells``: :func:`grid_places` at their size, when already counted)
    counts in the H3 cell of its events' mean point. Else ``cells`` may give
    :func:`by_place` of the events, already counted to the right decimals.
    """
    from dashboard.aggregate import h3_of_places
    from dashboard.layers import h3_decimals

    if sel.cube:
        from extract.store_postgis import CUBE_CELL

        resolution = min(resolution, CUBE_H3_RESOLUTION)
        places_ = cells if cells is not None else grid_places(store, sel, CUBE_CELL, box)
    elif cells is not None:
        places_ = cells
    else:
        places_ = by_place(store, within(sel, box) if box is not None else sel,
                           h3_decimals(resolution))
    return h3_of_places(places_, resolution)


def rows(store: Any, sel: Selection, columns: list[str], limit: int | None = None
         ) -> pd.DataFrame:
    """The selection's rows (``columns``; all when empty), newest first (undated last, then
    by id), at most ``limit``."""
    stored = store.read(sel.where, sel.params, order="event_date DESC NULLS LAST, event_id",
                        limit=limit)
    if len(sel.edited):
        stored = pd.concat([stored, sel.edited], ignore_index=True)
        stored = (stored.assign(_undated=stored["event_date"].isna())
                  .sort_values(["_undated", "event_date", "event_id"],
                               ascending=[True, False, True])
                  .drop(columns="_undated"))
        if limit:
            stored = stored.head(limit)
    cols = [c for c in columns if c in stored.columns] if columns else list(stored.columns)
    return stored[cols].reset_index(drop=True)


def within(sel: Selection, box: tuple[float, float, float, float]) -> Selection:
    """The events of ``sel`` within ``box`` (west, south, east, north; edges included),
    counted from the events (the summary tables do not hold points)."""
    w, s, e, n = box
    cond, box_params = _box_condition(box)

    def inside(df: pd.DataFrame) -> pd.DataFrame:
        keep = ((df["longitude"] >= w) & (df["longitude"] <= e) & (df["latitude"] >= s)
                & (df["latitude"] <= n)).to_numpy(dtype=bool)
        return df[keep].reset_index(drop=True)

    return Selection(sel.state, f"({sel.where}) AND {cond}", (*sel.params, *box_params),
                     inside(sel.edited), inside(sel.removed), f"({sel.plain}) AND {cond}",
                     (*sel.plain_params, *box_params), False)


def count_in(store: Any, sel: Selection, box: tuple[float, float, float, float]) -> int:
    """How many events of the selection lie within ``box``; where the summary tables
    answer, how many lie in their cells touching ``box`` (at least as many)."""
    if sel.cube:
        cond, cparams = _cube_box(box)
        got = _rows(store, f"SELECT coalesce(sum(n), 0)::bigint FROM event_cube WHERE ({sel.plain}) "
                    f"AND {cond}", (*sel.plain_params, *cparams))
        return max(int(got[0][0]) if got else 0, 0) + len(sel.edited)
    part = within(sel, box)
    got = _rows(store, f"SELECT count(*) FROM events WHERE {part.where}", part.params)
    return (int(got[0][0]) if got else 0) + len(part.edited)


def by_unit(store: Any, sel: Selection) -> pd.DataFrame:
    """Events per coded unit and point: iso, admin1, latitude, longitude, count,
    fatalities; the input of :func:`dashboard.aggregate.choropleth_counts` (the point only
    places events whose unit has no polygon: to ~100 m from the events, to the mean point
    of a summary cell from the summary tables)."""
    cols = ["iso", "admin1", "latitude", "longitude", "count", "fatalities"]
    if sel.cube:
        sql = ("SELECT iso, admin1, sum(lat_sum) / sum(n), sum(lon_sum) / sum(n), "
               f"sum(n)::bigint, sum(fatalities)::bigint FROM event_cube WHERE {sel.plain} "
               "GROUP BY iso, admin1, cell_i, cell_j")
        params = sel.plain_params
    else:
        sql = ("SELECT iso, admin1, round(latitude::numeric, 3)::float8, "
               "round(longitude::numeric, 3)::float8, count(*), coalesce(sum(fatalities), 0)::bigint "
               f"FROM events WHERE {sel.where} GROUP BY 1, 2, 3, 4")
        params = sel.params
    frames = [pd.DataFrame(_rows(store, sql, params), columns=cols)]
    for df, sign in _corrections(sel):
        frames.append(pd.DataFrame({"iso": df["iso"], "admin1": df["admin1"],
                                    "latitude": df["latitude"].round(3),
                                    "longitude": df["longitude"].round(3), "count": sign,
                                    "fatalities": sign * df["fatalities"].fillna(0)}))
    got = _add(frames, cols[:4], ["count", "fatalities"])
    return got.astype({"count": "int64", "fatalities": "int64"})


def undated(store: Any, state: FilterState, active: list[dict[str, Any]] | None) -> int:
    """Undated events that ``state`` without its date range would keep."""
    sel = select(store, dataclasses.replace(state, date_from=None, date_to=None), active,
                 cube=False)
    got = _rows(store, f"SELECT count(*) FROM events WHERE ({sel.where}) "
                "AND event_date IS NULL", sel.params)
    return (int(got[0][0]) if got else 0) + int(sel.edited["event_date"].isna().sum())


def date_bounds(store: Any, include_background: bool, active: list[dict[str, Any]] | None
                ) -> tuple[dt.date, dt.date] | None:
    """First and last date of the events (background ones only if ``include_background``)."""
    sel = select(store, FilterState(include_background=include_background), active,
                 cube=False)
    got = _rows(store, f"SELECT min(event_date), max(event_date) FROM events WHERE {sel.where}",
                sel.params)
    dates = [d for d in (got[0] if got else ()) if d is not None]
    dates += [d.date() for d in sel.edited["event_date"].dropna()]
    return (min(dates), max(dates)) if dates else None


def total(store: Any, active: list[dict[str, Any]] | None) -> int:
    """How many events the store holds, edits applied."""
    return int(overview(store, select(store, FilterState(include_background=True),
                                      active))["events"])


_SAFE_COLUMNS = frozenset({"country", "admin1", "language", "source", "event_type",
                           "sub_event_type", "location"})


def distinct(store: Any, column: str, active: list[dict[str, Any]] | None,
             where: str = "TRUE", params: tuple[Any, ...] = ()) -> list[str]:
    """Sorted distinct non-empty values of ``column`` (``"actor"``: actor1 and actor2, most
    frequent first), edited values included (country, admin-1 and actor from the summary
    tables, where a value an edit removed may remain)."""
    sel = select(store, FilterState(include_background=True), active)
    cube = sel.cube and column in ("actor", "country", "admin1")
    base = sel.plain if cube else sel.where
    cond = f"({base}) AND ({where})"
    args = (*(sel.plain_params if cube else sel.params), *params)
    if column == "actor":
        sql = (f"SELECT actor, sum(n)::bigint FROM event_actor_cube WHERE {cond} GROUP BY actor"
               if cube else
               "SELECT a, count(*) FROM events, LATERAL (VALUES (actor1), (actor2)) v(a) "
               f"WHERE {cond} AND a <> '' GROUP BY a")
        counts = {str(a): int(n) for a, n in _rows(store, sql, args)}
        for a in pd.concat([sel.edited["actor1"], sel.edited["actor2"]]):
            if a:
                counts[a] = counts.get(a, 0) + 1
        return [a for a, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    if column not in _SAFE_COLUMNS:
        raise ValueError(f"not a filter column: {column!r}")
    table = "event_daily" if cube else "events"
    got = {str(r[0]) for r in _rows(store, f"SELECT DISTINCT {column} FROM {table} "
                                    f"WHERE {cond}", args)}
    got |= {str(v) for v in sel.edited[column]}
    return sorted(v for v in got if v)


def place_counts(store: Any, limit: int = 2000) -> pd.DataFrame:
    """The ``limit`` most frequent place names of the stored events, each at its commonest
    point (background events weigh 0.01): name, lat, lon, precision, count; the basemap's
    labels (:func:`dashboard.layers.place_labels`), from the stored rows (points to a
    summary cell's mean point where the store keeps the summary tables)."""
    weight = "CASE WHEN is_background THEN 0.01 ELSE 1.0 END"
    spots = (f"SELECT location AS name, sum(lat_sum) / sum(n) AS lat, "
             f"sum(lon_sum) / sum(n) AS lon, sum(n * {weight})::float8 AS n, "
             "min(geo_precision) AS precision FROM event_cube WHERE location <> '' "
             "GROUP BY location, cell_i, cell_j" if has_cube(store) else
             f"SELECT location AS name, latitude AS lat, longitude AS lon, "
             f"sum({weight})::float8 AS n, min(geo_precision) AS precision FROM events "
             "WHERE location <> '' GROUP BY 1, 2, 3")
    sql = (f"WITH spots AS ({spots}), "
           "best AS (SELECT DISTINCT ON (name) name, lat, lon, precision FROM spots "
           "ORDER BY name, n DESC), "
           "total AS (SELECT name, sum(n) AS count FROM spots GROUP BY name) "
           "SELECT b.name, b.lat, b.lon, b.precision, t.count FROM best b JOIN total t "
           "USING (name) ORDER BY t.count DESC, b.name LIMIT %s")
    return pd.DataFrame(_rows(store, sql, (limit,)),
                        columns=["name", "lat", "lon", "precision", "count"])


def extent(store: Any) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the stored events (of their summary cells where the
    store keeps them), None when there are none."""
    from extract.store_postgis import CUBE_CELL

    if has_cube(store):
        got = _rows(store, "SELECT min(cell_j), min(cell_i), max(cell_j) + 1, max(cell_i) + 1 "
                    "FROM event_cube", ())
        if not got or got[0][0] is None:
            return None
        j0, i0, j1, i1 = (float(v) * CUBE_CELL for v in got[0])
        return (max(j0 - 180, -180), max(i0 - 90, -90), min(j1 - 180, 180), min(i1 - 90, 90))
    got = _rows(store, "SELECT min(longitude), min(latitude), max(longitude), max(latitude) "
                "FROM events", ())
    if not got or got[0][0] is None:
        return None
    w, s, e, n = (float(v) for v in got[0])
    return (w, s, e, n)
