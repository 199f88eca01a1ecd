"""What the Explore page reads of the filtered events, from a table in memory or a database.

The page asks one interface for its figures, map, table, spot lists and exports:
:class:`FrameExplore` answers from the store's table in memory (a GeoParquet store: the
table is loaded once and filtered in pandas), :class:`DatabaseExplore` from a PostGIS
store, where every question is a query (:mod:`dashboard.sql`: the filter as a WHERE clause,
aggregates grouped in the database, rows with ``LIMIT``) and ten million events are never
read at once. Both give the same answers on the same events (tested on a real server).
Pure: the Streamlit caches are passed in (``memo``, ``agg``).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from dashboard import aggregate, mapview, sql
from dashboard.filters import FilterState, filter_indices, take_rows
from dashboard.layers import MapSource, fit_view, frame_source, h3_decimals
from extract.store_postgis import CUBE_CELL

#: the columns of a row of the spot list beside the map
SPOT_COLUMNS = ["event_id", "event_date", "event_type", "location", "actor1"]
#: the columns the map's points need (:func:`dashboard.layers.point_records`)
POINT_COLUMNS = ["event_id", "event_date", "event_type", "sub_event_type", "actor1", "actor2",
                 "location", "admin1", "country", "latitude", "longitude", "fatalities"]

Memo = Callable[[str, Any, Callable[[], Any]], Any]


def _no_memo(_name: str, _arg: Any, fn: Callable[[], Any]) -> Any:
    return fn()


class FrameExplore:
    """The filtered events of a table in memory: ``events`` (all columns), ``view`` (the
    narrow categorical copy the page filters, :func:`dashboard.data.view_frame`), ``agg``
    (``agg(name, rows, arg)``: :func:`dashboard.data.cached_aggregate` bound to the store
    and filter)."""

    database = False

    def __init__(self, events: pd.DataFrame, view: pd.DataFrame, state: FilterState,
                 agg: Callable[..., Any], view_columns: list[str]) -> None:
        self.events, self.view, self.state, self._agg = events, view, state, agg
        self.positions = filter_indices(view, state)
        self.filtered = take_rows(view, self.positions, view_columns)
        self.total = len(events)
        self.count = len(self.filtered)

    def aggregate(self, name: str, arg: Any = None) -> Any:
        """``summary``, ``time_series``, ``top_actors`` (arg: n), ``admin1_counts``,
        ``event_types`` or ``choropleth``."""
        return self._agg(name, self.filtered, arg)

    def table(self, limit: int, columns: list[str]) -> pd.DataFrame:
        order = self._agg("newest", self.filtered, limit) if self.count else self.positions
        return take_rows(self.events, self.positions[order], columns)

    def undated_outside(self) -> int:
        """Undated events the date range leaves out (0 without a range)."""
        st = self.state
        if not (st.date_from or st.date_to) or st.include_undated:
            return 0
        wider = filter_indices(self.view, dataclasses.replace(st, date_from=None, date_to=None))
        return int(self.view["event_date"].iloc[wider].isna().sum()) if len(wider) else 0

    def map_source(self, box: tuple[float, float, float, float] | None) -> MapSource:
        rows = self.filtered
        in_view = mapview.in_bounds(rows, box, margin=0.25) if box is not None else None
        return frame_source(
            rows, in_view,
            # the key tells the rows: all the filtered events, or those in view
            h3_bins=lambda part, res: self._agg("h3", part, (res, box if len(part) < len(rows)
                                                            else None)),
            grid=lambda part, cell: self._agg("grid", part, (cell, box if len(part) < len(rows)
                                                            else None)))

    def fit(self) -> tuple[float, float, float]:
        return fit_view(self.filtered)

    def spot(self, spot: mapview.Spot, limit: int) -> tuple[int, pd.DataFrame]:
        """(how many filtered events are at ``spot``, the first ``limit`` of them)."""
        near = self.positions[mapview.events_at(
            take_rows(self.view, self.positions, ["latitude", "longitude", "event_date"]), spot)]
        return len(near), take_rows(self.events, near[:limit], SPOT_COLUMNS)

    def rows(self) -> pd.DataFrame:
        """Every filtered event, all columns (an export)."""
        return take_rows(self.events, self.positions)

    def selected(self, event_id: str) -> pd.Series | None:
        if not event_id:
            return None
        match = np.flatnonzero(self.events["event_id"].to_numpy() == event_id)
        return self.events.iloc[match[0]] if len(match) else None


class DatabaseExplore:
    """The filtered events of a PostGIS ``store``, the ``active`` review edits applied.

    ``memo(name, arg, fn)`` returns ``fn()``, cached under the store's versions, the filter,
    ``name`` and ``arg`` (:func:`dashboard.data.explore_data` passes a shared cache);
    ``units()`` gives the choropleth's (admin-1 polygons, alpha-3 to alpha-2 codes, name
    keys): :func:`dashboard.aggregate.choropleth_counts`.
    """

    database = True

    def __init__(self, store: Any, state: FilterState, active: list[dict[str, Any]],
                 total: int, memo: Memo = _no_memo,
                 units: Callable[[], tuple[Any, dict[str, str], Any]] | None = None) -> None:
        self.store, self.state, self.active, self.total = store, state, active, total
        self._memo = memo
        self._units = units or (lambda: (None, {}, {}))

    @functools.cached_property
    def sel(self) -> sql.Selection:
        """The filter's :class:`~dashboard.sql.Selection` (cached: it reads the edited rows
        and asks whether the store has its summary tables)."""
        return self._memo("selection", None,
                          lambda: sql.select(self.store, self.state, self.active))

    def _overview(self) -> dict[str, Any]:
        return self._memo("overview", None, lambda: sql.overview(self.store, self.sel))

    @property
    def count(self) -> int:
        return int(self._overview()["events"])

    def aggregate(self, name: str, arg: Any = None) -> Any:
        over = self._overview()
        if name == "summary":
            return sql.summary(over)
        if name == "time_series":
            return sql.time_series(over)
        if name == "top_actors":
            return sql.top_actors(over, int(arg or 10))
        if name == "admin1_counts":
            return sql.admin1_counts(over)
        if name == "event_types":
            return sql.event_types(over)
        if name == "choropleth":
            return self._memo("choropleth", None, self._choropleth)
        raise ValueError(f"unknown aggregate {name!r}")

    def _choropleth(self) -> Any:
        admin1, iso, keys = self._units()
        units = sql.by_unit(self.store, self.sel)
        return aggregate.choropleth_counts(units, admin1, iso, keys, weights="count")

    def table(self, limit: int, columns: list[str]) -> pd.DataFrame:
        return self._memo("table", (limit, tuple(columns)),
                          lambda: sql.rows(self.store, self.sel, columns, limit))

    def undated_outside(self) -> int:
        st = self.state
        if not (st.date_from or st.date_to) or st.include_undated:
            return 0
        return self._memo("undated", None, lambda: sql.undated(self.store, st, self.active))

    def map_source(self, box: tuple[float, float, float, float] | None) -> MapSource:
        grown = mapview.grow(box, 0.25) if box is not None else None
        in_view = (self._memo("in_view", grown, lambda: sql.count_in(self.store, self.sel, grown))
                   if grown is not None else None)

        def scope(view_only: bool) -> tuple[float, float, float, float] | None:
            return grown if view_only else None

        def points(view_only: bool) -> pd.DataFrame:
            part = sql.within(self.sel, grown) if view_only and grown is not None else self.sel
            return self._memo("points", scope(view_only), lambda: sql.rows(
                self.store, part, POINT_COLUMNS))

        def grid(cell: float, view_only: bool) -> pd.DataFrame:
            return self._memo("grid", (cell, scope(view_only)), lambda: sql.grid_places(
                self.store, self.sel, cell, scope(view_only)))

        def h3(res: int, view_only: bool) -> pd.DataFrame:
            # the cells or places the fitted view was computed from
            cells = (grid(CUBE_CELL, view_only) if self.sel.cube else
                     self._places(scope(view_only)) if h3_decimals(res) == 2 else None)
            return self._memo("h3", (res, scope(view_only)), lambda: sql.h3_bins(
                self.store, self.sel, res, scope(view_only), cells))

        return MapSource(self.count, in_view, points, h3, grid)

    def fit(self) -> tuple[float, float, float]:
        """The view of :func:`dashboard.layers.fit_view`, from the events on the summary
        tables' grid (their percentiles to a cell)."""
        if not self.sel.cube:  # the places the H3 cells are binned from
            return fit_view(self._places(None), weights="count")
        cells = self._memo("grid", (CUBE_CELL, None),
                           lambda: sql.grid_places(self.store, self.sel, CUBE_CELL))
        return fit_view(cells, weights="count")

    def _places(self, box: tuple[float, float, float, float] | None) -> pd.DataFrame:
        """The events per point to 0.01 degree (:func:`dashboard.sql.by_place`)."""
        part = sql.within(self.sel, box) if box is not None else self.sel
        return self._memo("places", box, lambda: sql.by_place(self.store, part, 2))

    def spot(self, spot: mapview.Spot, limit: int) -> tuple[int, pd.DataFrame]:
        box = _spot_box(spot)
        near_sel = sql.within(self.sel, box)
        rows = sql.rows(self.store, near_sel, ["latitude", "longitude", *SPOT_COLUMNS])
        order = mapview.events_at(rows, spot)
        return len(order), rows.iloc[order[:limit]][SPOT_COLUMNS].reset_index(drop=True)

    def rows(self) -> pd.DataFrame:
        return sql.rows(self.store, self.sel, [], None)

    def selected(self, event_id: str) -> pd.Series | None:
        if not event_id:
            return None
        from dashboard.edits import apply_edits

        found = self.store.read("event_id = %s", (event_id,))
        found, _report = apply_edits(found, self.active)
        return found.iloc[0] if len(found) else None


def _spot_box(spot: mapview.Spot) -> tuple[float, float, float, float]:
    """A box holding every event :func:`dashboard.mapview.events_at` may find at ``spot``."""
    if spot.hex:
        import h3

        ring = h3.cell_to_boundary(spot.hex)
        lats, lons = [p[0] for p in ring], [p[1] for p in ring]
        return (min(lons), min(lats), max(lons), max(lats))
    tol = mapview.degrees_per_pixel(spot.zoom) * mapview.SPOT_PIXELS * 1.01
    stretch = tol / max(math.cos(math.radians(spot.lat)), 1e-6)
    return (spot.lon - stretch, spot.lat - tol, spot.lon + stretch, spot.lat + tol)


#: what :func:`dashboard.data.explore_data` gives the page
Explore = FrameExplore | DatabaseExplore
