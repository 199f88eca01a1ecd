"""Explore: the map, filters, timeline, summary figures and the event table."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import aggregate, data, timeline, ui
from dashboard.export import FORMATS, export_bytes, export_filename, sidecar, sidecar_bytes
from dashboard.filters import FilterState, actor_options, filter_indices, options, take_rows
from dashboard.layers import EVENT_COLORS, build_deck, hex_color, offline_basemap_layers
from dashboard.text import escape_markdown
from dashboard.urlstate import AppState, ViewState
from extract.schema import SUB_EVENT_PARENT, EventType

logger = logging.getLogger(__name__)

TABLE_LIMIT = 5_000
PLAY_DELAY_S = 0.8
TABLE_COLUMNS = ["event_date", "event_type", "sub_event_type", "actor1", "actor2", "location",
                 "admin1", "country", "fatalities", "confidence", "source", "notes", "event_id"]


def _date_bounds(df: pd.DataFrame) -> tuple[dt.date, dt.date] | None:
    dates = df["event_date"].dropna()
    if not len(dates):
        return None
    return dates.min().date(), dates.max().date()


def _merge(opts: list, selected: list) -> list:
    """Options plus any selected value missing from them (e.g. from a shared link)."""
    extra = [v for v in selected if v not in opts]
    return list(opts) + extra


def _on_slider() -> None:
    st.session_state["f_from"], st.session_state["f_to"] = st.session_state["f_dates"]


def _on_date_input() -> None:
    lo, hi = st.session_state["f_from"], st.session_state["f_to"]
    if lo and hi:
        st.session_state["f_dates"] = (min(lo, hi), max(lo, hi))


def _seed_dates(state: AppState, bounds: tuple[dt.date, dt.date], overwrite: bool) -> None:
    if overwrite or "f_dates" not in st.session_state:
        lo, hi = timeline.clamp_range(state.filters.date_from, state.filters.date_to, bounds)
        st.session_state["f_dates"] = (lo, hi)
        st.session_state["f_from"], st.session_state["f_to"] = lo, hi
    else:
        # the span can change under the widgets (another store, the background switch)
        lo, hi = timeline.clamp_range(*st.session_state["f_dates"], bounds)
        if (lo, hi) != tuple(st.session_state["f_dates"]):
            st.session_state["f_dates"] = (lo, hi)
            st.session_state["f_from"], st.session_state["f_to"] = lo, hi
    if overwrite or "p_on" not in st.session_state:
        st.session_state["p_on"] = state.view.cursor is not None
        cursor = state.view.cursor or hi
        st.session_state["p_cursor"] = min(max(cursor, lo), hi)
    if overwrite or "v_fit" not in st.session_state:
        st.session_state["v_fit"] = state.view.lat is None or state.view.zoom is None
        fit_lat, fit_lon, fit_zoom = 33.0, 40.0, 4.0
        st.session_state["v_lat"] = state.view.lat if state.view.lat is not None else fit_lat
        st.session_state["v_lon"] = state.view.lon if state.view.lon is not None else fit_lon
        st.session_state["v_zoom"] = state.view.zoom if state.view.zoom is not None else fit_zoom


def _apply_pending_play() -> None:
    """Play-button steps scheduled by the previous run (widgets cannot change mid-run)."""
    if "_ca_next_cursor" in st.session_state:
        st.session_state["p_cursor"] = st.session_state.pop("_ca_next_cursor")
    if st.session_state.pop("_ca_stop_play", False):
        st.session_state["p_play"] = False


def _sidebar(events: pd.DataFrame, state: AppState,
             bounds: tuple[dt.date, dt.date] | None) -> AppState:
    """Draw the filters; return the state they describe."""
    sb = st.sidebar
    sb.header("Filters")
    date_from = date_to = None
    span = bounds
    if bounds:
        span = bounds
        sb.slider("Date range", min_value=span[0], max_value=span[1], key="f_dates",
                  on_change=_on_slider, format="YYYY-MM-DD")
        c1, c2 = sb.columns(2)
        c1.date_input("From", key="f_from", min_value=span[0], max_value=span[1],
                      on_change=_on_date_input)
        c2.date_input("To", key="f_to", min_value=span[0], max_value=span[1],
                      on_change=_on_date_input)
        lo, hi = st.session_state["f_dates"]
        date_from = lo if lo != span[0] else None
        date_to = hi if hi != span[1] else None
        with sb.expander("Play through time", expanded=bool(st.session_state.get("p_on"))):
            st.checkbox("Show one time frame", key="p_on")
            st.selectbox("Step", timeline.STEPS, key="p_step")
            st.radio("Window", timeline.WINDOWS, key="p_window", horizontal=True,
                     help="cumulative: everything up to the frame; moving: only the last step")
            cursor = st.session_state.get("p_cursor") or hi
            st.session_state["p_cursor"] = min(max(cursor, lo), hi)
            st.slider("Frame", min_value=lo, max_value=max(hi, lo + dt.timedelta(days=1)),
                      key="p_cursor", format="YYYY-MM-DD", disabled=not st.session_state["p_on"])
            st.toggle("Play", key="p_play", disabled=not st.session_state["p_on"])
    else:
        sb.caption("No dated events: the date filter is not available.")

    actors = list(st.session_state.get("f_actors", []))
    sb.multiselect("Actor", _merge(actor_options(events), actors), key="f_actors",
                   placeholder="Search actors")
    sb.radio("Actor role", ("either", "actor1", "actor2"), key="f_role", horizontal=True)
    types = list(st.session_state.get("f_types", []))
    sb.multiselect("Event type", _merge([t.value for t in EventType], types), key="f_types")
    chosen = set(st.session_state.get("f_types", []))
    sub_opts = [s.value for s, t in SUB_EVENT_PARENT.items() if not chosen or t.value in chosen]
    sb.multiselect("Sub-event type", _merge(sub_opts, list(st.session_state.get("f_subs", []))),
                   key="f_subs")
    sb.multiselect("Country", _merge(options(events, "country"),
                                     list(st.session_state.get("f_countries", []))),
                   key="f_countries")
    countries = set(st.session_state.get("f_countries", []))
    scope = events[events["country"].isin(countries)] if countries else events
    sb.multiselect("Admin-1", _merge(options(scope, "admin1"),
                                     list(st.session_state.get("f_admin1", []))), key="f_admin1")
    sb.text_input("Search notes and sentences", key="f_text", max_chars=500)
    with sb.expander("More filters"):
        st.multiselect("Geo precision", [1, 2, 3], key="f_prec",
                       format_func=lambda p: ui.PRECISION_LABELS.get(p, str(p)))
        st.slider("Minimum confidence", 0.0, 1.0, step=0.05, key="f_conf")
        st.checkbox("Include background events", key="f_bg",
                    help="events the article mentions as context, not as news")
        st.multiselect("Language", _merge(options(events, "language"),
                                          list(st.session_state.get("f_langs", []))),
                       key="f_langs")
        st.multiselect("Source", _merge(options(events, "source"),
                                        list(st.session_state.get("f_sources", []))),
                       key="f_sources")
    sb.header("Map")
    sb.radio("Layer", ("points", "heatmap", "hexagon", "choropleth"), key="v_layer",
             format_func={"points": "Points", "heatmap": "Heatmap", "hexagon": "Hexagons",
                          "choropleth": "Admin-1 choropleth"}.get)
    sb.radio("Basemap", ("offline", "carto"), key="v_basemap", horizontal=True,
             format_func={"offline": "Offline", "carto": "Carto (online)"}.get)
    with sb.expander("Map view"):
        st.checkbox("Fit to the filtered events", key="v_fit")
        fit = st.session_state["v_fit"]
        st.number_input("Latitude", -90.0, 90.0, key="v_lat", disabled=fit, format="%.4f")
        st.number_input("Longitude", -180.0, 180.0, key="v_lon", disabled=fit, format="%.4f")
        st.number_input("Zoom", 0.0, 22.0, step=0.5, key="v_zoom", disabled=fit)
        st.number_input("Pitch", 0.0, 85.0, step=5.0, key="v_pitch")
        st.number_input("Bearing", -360.0, 360.0, step=5.0, key="v_bearing")

    values = {field: (tuple(st.session_state[key]) if field in ui.LIST_FIELDS
                      else st.session_state[key])
              for key, (obj, field) in ui.FIELD_KEYS.items() if obj == "filters"}
    try:
        filters = FilterState(date_from=date_from, date_to=date_to, **values)
    except ValueError as exc:
        st.sidebar.warning(escape_markdown(f"Filter ignored: {exc}"))
        filters = FilterState()
    fit = st.session_state["v_fit"]
    view = ViewState(
        layer=st.session_state["v_layer"], basemap=st.session_state["v_basemap"],
        lat=None if fit else round(float(st.session_state["v_lat"]), 5),
        lon=None if fit else round(float(st.session_state["v_lon"]), 5),
        zoom=None if fit else round(float(st.session_state["v_zoom"]), 2),
        pitch=float(st.session_state["v_pitch"]), bearing=float(st.session_state["v_bearing"]),
        event=st.session_state.get(ui.SELECTED, ""), present=state.view.present,
        step=st.session_state["p_step"], window=st.session_state["p_window"],
        cursor=st.session_state["p_cursor"] if bounds and st.session_state.get("p_on") else None,
    )
    return AppState(filters=filters, view=view)


def effective_filters(state: AppState, bounds: tuple[dt.date, dt.date] | None) -> FilterState:
    """The filters actually applied: the date range narrowed to the play frame, if any."""
    f = state.filters
    if state.view.cursor is None or bounds is None:
        return f
    start = f.date_from or bounds[0]
    end = f.date_to or bounds[1]
    cursor = min(max(state.view.cursor, start), end)
    lo, hi = timeline.window(cursor, state.view.step, state.view.window, start)
    return dataclasses.replace(f, date_from=lo, date_to=hi)


def _select_from(result: object, table_sel: object, shown: pd.DataFrame) -> None:
    """Take a new selection from the map or the table into the selected-event state."""
    for source, value in (("map", result), ("table", table_sel)):
        picked = ""
        try:
            if source == "map":
                objs = value.selection.objects if value is not None else {}  # type: ignore[attr-defined]
                for layer_objs in (objs or {}).values():
                    if layer_objs and "event_id" in layer_objs[0]:
                        picked = str(layer_objs[0]["event_id"])
            else:
                rows = value.selection.rows if value is not None else []  # type: ignore[attr-defined]
                if rows:
                    picked = str(shown.iloc[rows[0]]["event_id"])
        except (AttributeError, KeyError, IndexError, TypeError):
            picked = ""
        seen_key = f"_ca_seen_{source}"
        if picked != st.session_state.get(seen_key, ""):
            st.session_state[seen_key] = picked
            if picked:
                st.session_state[ui.SELECTED] = picked
                st.rerun()


def render() -> None:
    started = time.perf_counter()
    loaded = data.load_events()
    events = loaded.events
    state, notices, from_url = ui.resolve_state(data.default_basemap())
    present = state.view.present
    bounds = _date_bounds(events)
    _apply_pending_play()
    ui.seed_widgets(state, overwrite=from_url)
    if bounds:
        _seed_dates(state, bounds, overwrite=from_url)
        f = state.filters
        if from_url and ((f.date_from and f.date_from > bounds[1])
                         or (f.date_to and f.date_to < bounds[0])):
            notices.append(f"The link's dates ({f.date_from or 'start'} to {f.date_to or 'end'}) "
                           f"lie outside the events of this store ({bounds[0]} to {bounds[1]}): "
                           "the date range was moved onto them.")
    elif from_url or "v_fit" not in st.session_state:
        st.session_state["v_fit"] = True
        st.session_state["p_on"] = False
        st.session_state.setdefault("p_cursor", None)
        for key in ("v_lat", "v_lon", "v_zoom"):
            st.session_state.setdefault(key, 0.0)

    state = _sidebar(events, state, bounds)
    params = ui.write_url(state)

    if present:
        st.markdown(ui.HIDE_SIDEBAR_CSS, unsafe_allow_html=True)  # static CSS, no data
    else:
        st.title("Conflict Atlas")
    ui.show_notices(notices)
    if loaded.error:
        st.error(escape_markdown(loaded.error))
    if loaded.report.skipped:
        st.warning(f"{len(loaded.report.skipped)} review edits could not be applied "
                   "(see the Review page).")
    if not len(events):
        st.info("The event store is empty. Add articles on the **Add articles** page, or run "
                "`conflict-atlas extract ARTICLES --out STORE`.")
        st.caption(f"Store: `{escape_markdown(str(data.store_path()))}`")
        return

    eff = effective_filters(state, bounds)
    t0 = time.perf_counter()
    positions = filter_indices(events, eff)
    # the map, figures and charts read a narrow (categorical) copy of the filtered rows; the
    # long text columns are taken only for the table's first rows and for exports
    view = loaded.view if loaded.view is not None else events
    filtered = take_rows(view, positions, data.VIEW_COLUMNS)
    filter_ms = (time.perf_counter() - t0) * 1000
    agg = functools.partial(data.cached_aggregate, loaded, eff)
    summ = agg("summary", filtered)

    if present:
        st.markdown(f"## Conflict Atlas · {summ.events:,} events")
    cols = st.columns(4)
    cols[0].metric("Events", f"{summ.events:,}", help=f"of {len(events):,} in the store")
    cols[1].metric("Fatalities", f"{summ.fatalities:,}")
    cols[2].metric("Places", f"{summ.places:,}")
    cols[3].metric("Date span", f"{summ.span_days:,} days" if summ.first else "—",
                   help=f"{summ.first} to {summ.last}" if summ.first else None)
    st.caption(f"<span id='ca-count'>{summ.events}</span> events match the filters "
               f"(of {len(events):,}); filtered in {filter_ms:.0f} ms."
               + (f" Time frame: {eff.date_from} to {eff.date_to}." if state.view.cursor else ""),
               unsafe_allow_html=True)  # numbers and dates only

    map_event = _map(filtered, state, present, agg, events)

    if present:
        return
    shown = take_rows(events, positions[:TABLE_LIMIT], TABLE_COLUMNS)
    table_sel = _table(shown, len(filtered))
    _select_from(map_event, table_sel, shown)
    _detail(events, state)
    _charts(filtered, agg)
    _share_and_export(events, positions, filtered, eff, params)
    logger.info("explore: %d of %d events, filtered in %.0f ms, page script %.0f ms",
                len(filtered), len(events), filter_ms, (time.perf_counter() - started) * 1000)
    _play_tick(state, bounds)


def _map(filtered: pd.DataFrame, state: AppState, present: bool,
         agg: Callable[..., Any], events: pd.DataFrame) -> object:
    v = state.view
    countries_gj = (data.countries_geojson(focus=data.data_bbox(events, margin=10))
                    if v.basemap == "offline" else None)
    admin1_gj = (data.admin1_geojson(data.data_bbox(filtered))
                 if v.basemap == "offline" and len(filtered) else None)
    base = offline_basemap_layers(countries_gj, admin1_gj, data.city_labels())
    choropleth = None
    if v.layer == "choropleth":
        _countries, admin1, err = data.boundaries()
        if admin1 is None:
            st.warning("Admin-1 boundaries are not available: " + escape_markdown(err))
        else:
            choropleth = aggregate.choropleth_counts(filtered, admin1)
    result = build_deck(filtered, layer=v.layer, basemap=v.basemap, lat=v.lat, lon=v.lon,
                        zoom=v.zoom, pitch=v.pitch, bearing=v.bearing, basemap_layers=base,
                        choropleth=choropleth, height=780 if present else 560,
                        h3_bins=lambda rows, res: agg("h3", rows, res))
    if result.note:
        st.info(result.note, icon=":material/info:")
    if v.basemap == "offline" and countries_gj is None:
        st.caption("Offline basemap without country outlines (boundaries not installed).")
    event = st.pydeck_chart(result.deck, on_select="rerun", selection_mode="single-object", key="map",
                    height=780 if present else 560)
    shown_types = agg("event_types", filtered)
    present_types = [t for t in EVENT_COLORS if t in shown_types]
    if v.layer == "points" and not result.aggregated:
        st.markdown(ui.legend_html(present_types), unsafe_allow_html=True)  # fixed names
    elif v.layer != "points":
        st.caption({"heatmap": "Heat: events per area.", "hexagon": "Hexagons: events per bin "
                    "(aggregated in the browser from per-place counts).",
                    "choropleth": "Admin-1 areas shaded by event count."}[v.layer])
    else:
        st.caption("H3 cells shaded by event count (darker = more).")
    if v.basemap == "carto":
        st.caption("Basemap © CARTO, © OpenStreetMap contributors (needs a network).")
    return event


def _table(shown: pd.DataFrame, total: int) -> object:
    st.subheader("Events")
    if total > len(shown):
        st.caption(f"Showing the first {len(shown):,} of {total:,} events; the "
                   "exports below hold all of them.")
    return st.dataframe(
        shown[TABLE_COLUMNS], hide_index=True, key="table", on_select="rerun",
        selection_mode="single-row", width="stretch", height=320,
        column_config={"event_date": st.column_config.DateColumn("date"),
                       "confidence": st.column_config.NumberColumn(format="%.2f")},
    )


def _detail(events: pd.DataFrame, state: AppState) -> None:
    event_id = st.session_state.get(ui.SELECTED, "")
    if not event_id:
        st.caption("Click a point on the map or a row of the table to see the event.")
        return
    match = events[events["event_id"] == event_id]
    if not len(match):
        st.warning(f"Event {escape_markdown(event_id)} is not in the store (discarded or "
                   "from another store).")
        return
    with st.container(border=True):
        st.subheader("Selected event")
        ui.event_detail(match.iloc[0])
        c1, c2 = st.columns(2)
        c1.page_link("views/review.py", label="Review or edit this event", icon=":material/rate_review:",
                     query_params={"event": event_id})
        if c2.button("Clear selection"):
            st.session_state[ui.SELECTED] = ""
            st.rerun()


def _charts(filtered: pd.DataFrame, agg: Callable[..., Any]) -> None:
    st.subheader("Over time")
    series = agg("time_series", filtered)
    if len(series):
        colors = [hex_color(EVENT_COLORS.get(c, (110, 110, 110))) for c in series.columns]
        st.bar_chart(series, color=colors, height=260)
    else:
        st.caption("No dated events.")
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("Top actors")
        top = agg("top_actors", filtered, 10)
        if len(top):
            st.bar_chart(top, x="actor", y="events", horizontal=True, height=300)
    with c2:
        st.subheader("By admin-1")
        st.dataframe(agg("admin1_counts", filtered).head(50), hide_index=True, height=300,
                     width="stretch")


def _share_and_export(events: pd.DataFrame, positions: np.ndarray, filtered: pd.DataFrame,
                      eff: FilterState, params: dict[str, str]) -> None:
    """Share links and downloads; the files take the filtered rows (all columns) on click."""
    st.subheader("Share")
    link = ui.share_link(params)
    st.code(link, language=None)
    st.caption("Copy link: the button at the right of the box copies it. This link reproduces "
               "the filters, layer, basemap, map view and selected event.")
    present_params = {**params, "present": "1"}
    st.code(ui.share_link(present_params), language=None)
    st.caption("Presentation mode: no sidebar, a large map, the title and the legend.")

    st.subheader("Export")
    st.caption(f"Exactly the {len(filtered):,} filtered events.")
    cols = st.columns(len(FORMATS) + 1)
    labels = {"csv": "CSV (ACLED columns)", "geojson": "GeoJSON", "geoparquet": "GeoParquet",
              "gpkg": "GeoPackage", "xlsx": "Excel"}
    for col, fmt in zip(cols, FORMATS, strict=False):
        col.download_button(labels[fmt],
                            data=lambda f=fmt: export_bytes(take_rows(events, positions), f),
                            file_name=export_filename(eff, fmt), mime=FORMATS[fmt][1],
                            key=f"dl_{fmt}", on_click="ignore")
    meta = sidecar(eff, len(filtered), "any", store=str(data.store_path()))
    cols[-1].download_button("Sidecar (JSON)", data=sidecar_bytes(meta),
                             file_name=export_filename(eff, "csv").rsplit(".", 1)[0] + ".json",
                             mime="application/json", key="dl_sidecar", on_click="ignore")
    try:
        from dashboard.png import map_png

        countries, _admin1, _err = data.boundaries()
        st.download_button("Map as PNG (for slides)",
                           data=lambda: map_png(filtered, countries, title=_png_title(eff)),
                           file_name=export_filename(eff, "csv").rsplit(".", 1)[0] + ".png",
                           mime="image/png", key="dl_png", on_click="ignore")
    except ImportError as exc:
        st.caption(f"PNG export unavailable: {escape_markdown(str(exc))}")


def _png_title(eff: FilterState) -> str:
    return f"Conflict Atlas · {eff.summary()}"


def _play_tick(state: AppState, bounds: tuple[dt.date, dt.date] | None) -> None:
    if not (bounds and st.session_state.get("p_on") and st.session_state.get("p_play")):
        return
    end = state.filters.date_to or bounds[1]
    cursor = state.view.cursor or (state.filters.date_from or bounds[0])
    nxt = timeline.next_cursor(cursor, state.view.step)
    time.sleep(PLAY_DELAY_S)
    if nxt > end:
        st.session_state["_ca_stop_play"] = True
    else:
        st.session_state["_ca_next_cursor"] = nxt
    st.rerun()


render()
