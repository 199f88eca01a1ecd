"""The map view in the session: seeded from the URL, moved by the map component's reports.

Thin Streamlit glue around :mod:`dashboard.mapview`. The view only changes when the user
moves the map or asks for a fit (or a link is opened): filter changes and playback frames
keep it. ``rev`` counts the views the server asks the map to show; the component moves only
when it changes.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.deckmap import KEY
from dashboard.mapview import MapView, Spot, read_report, view_bounds
from dashboard.urlstate import AppState

VIEW = "_ca_view"            # MapView | None (None: fit the events)
REV = "_ca_view_rev"         # int
FIT_BBOX = "_ca_fit_bbox"    # bbox to fit (a link with bbox= and no lat/lon) | None
BOUNDS = "_ca_bounds"        # (w, s, e, n) the map shows | None
SIZE = "_ca_size"            # (width, height) px of the map | None
SEQ = "_ca_map_seq"          # the last report handled
SPOT = "_ca_spot"            # Spot | None: the last click
INVIEW = "f_inview"          # the "within view" switch (a widget key)
DEFAULT_SIZE = (1000, 560)


def seed(state: AppState, *, overwrite: bool) -> None:
    """Take the view from ``state`` (a link) when ``overwrite`` or on first use."""
    ss = st.session_state
    if not overwrite and REV in ss:
        return
    v, bbox = state.view, state.filters.bbox
    has_view = v.lat is not None and v.lon is not None and v.zoom is not None
    ss[VIEW] = MapView(v.lat, v.lon, v.zoom, v.pitch, v.bearing) if has_view else None  # type: ignore[arg-type]
    ss[REV] = ss.get(REV, 0) + 1
    ss[FIT_BBOX] = bbox if bbox is not None and not has_view else None
    ss[BOUNDS] = bbox
    ss[INVIEW] = bbox is not None
    ss[SPOT] = None
    value = ss.get(KEY)
    # a report left over from before the link was opened is not a move of this view
    ss[SEQ] = value.get("seq") if isinstance(value, dict) else None


def take_report() -> None:
    """Apply the component's latest report, if new."""
    ss = st.session_state
    view = ss.get(VIEW)
    report = read_report(ss.get(KEY), zoom=view.zoom if view else None)
    if report is None or report.seq == ss.get(SEQ):
        return
    ss[SEQ] = report.seq
    if report.size:
        ss[SIZE] = report.size
    if report.spot is not None:
        ss[SPOT] = report.spot
        if report.spot.event_id:
            ss["_ca_selected_event"] = report.spot.event_id
        return
    if report.view is None:
        return
    if not report.auto:  # the user moved the map
        ss[VIEW] = report.view
        ss[FIT_BBOX] = None
        ss[BOUNDS] = report.bounds
    elif ss.get(FIT_BBOX) is None:
        # the view the map was asked for (a fit), as shown at its real size: kept as the view
        # from now on, so the link holds it and a filter change does not move the map
        ss[VIEW] = report.view
        ss[BOUNDS] = report.bounds


def fit() -> None:
    """Ask the map to fit the filtered events (the "Fit" button)."""
    ss = st.session_state
    ss[VIEW] = None
    ss[FIT_BBOX] = None
    ss[REV] = ss.get(REV, 0) + 1


def current() -> MapView | None:
    return st.session_state.get(VIEW)


def bounds() -> tuple[float, float, float, float] | None:
    """What the map shows: as reported, else computed from the view at the last known size."""
    ss = st.session_state
    if ss.get(FIT_BBOX) is not None:
        return ss[FIT_BBOX]
    if ss.get(BOUNDS) is not None:
        return ss[BOUNDS]
    view = ss.get(VIEW)
    if view is None:
        return None
    return view_bounds(view, *(ss.get(SIZE) or DEFAULT_SIZE))


def spot() -> Spot | None:
    return st.session_state.get(SPOT)


def clear_spot() -> None:
    st.session_state[SPOT] = None


def wire(view: MapView | None, fitted: tuple[float, float, float] | None) -> dict[str, object]:
    """The ``view`` argument of the component: the view, a bbox to fit, or the fit of the
    events (``fitted``: lat, lon, zoom), with the revision."""
    ss = st.session_state
    # seq: the last report taken, so the map knows whether this view has seen its latest move
    out: dict[str, object] = {"rev": ss.get(REV, 0), "seq": ss.get(SEQ) or 0}
    if view is not None:
        out.update(lat=view.lat, lon=view.lon, zoom=view.zoom, pitch=view.pitch,
                   bearing=view.bearing)
    elif ss.get(FIT_BBOX) is not None:
        out["fit"] = list(ss[FIT_BBOX])
    elif fitted is not None:
        out.update(lat=fitted[0], lon=fitted[1], zoom=fitted[2], pitch=0.0, bearing=0.0)
    return out


def zoom_of(view: MapView | None, fitted: tuple[float, float, float]) -> float:
    """The zoom the map is at (or will be once it shows the fit)."""
    if view is not None:
        return view.zoom
    bbox = st.session_state.get(FIT_BBOX)
    if bbox is not None:
        from dashboard.layers import fit_view

        w, s, e, n = bbox
        return fit_view(pd.DataFrame({"latitude": [s, n], "longitude": [w, e]}))[2]
    return fitted[2]
