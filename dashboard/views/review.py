"""Review: an event's detail, its geocoding candidates, and analyst edits (with undo).

Each reviewer's form is based on the event as it was when they opened it (its edit-log
version, kept in the session): the form's widgets are keyed by that base, so a rerun caused by
another reviewer's save does not reset what this reviewer typed, and a save that would
overwrite a field someone changed since is refused with their change shown
(:class:`dashboard.edits.EditConflict`).
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, ui
from dashboard.edits import EditConflict, EditLog, current_user, describe_record
from dashboard.text import escape_markdown
from extract.schema import SUB_EVENT_PARENT, EventType, SchemaError, validate_events

logger = logging.getLogger(__name__)

QUEUE_SIZE = 200


def _label(row: pd.Series) -> str:
    date = row["event_date"].date().isoformat() if pd.notna(row["event_date"]) else "undated"
    return (f"{date} · {row['event_type']} · {row['location']} · conf {row['confidence']:.2f}"
            f" · {row['event_id']}")


@st.cache_resource(show_spinner=False)
def _geocoder() -> Any:
    from geodata import GazetteerGeocoder

    return GazetteerGeocoder()


def candidates(row: pd.Series) -> tuple[pd.DataFrame, str]:
    """Gazetteer candidates for the event's place name: (table, error message)."""
    name = str(row["location"]).strip()
    if not name:
        return pd.DataFrame(), "The event has no place name."
    try:
        geocoder = _geocoder()
        codes = [row["iso"]] if row["iso"] else None
        found = geocoder.geocode(name, exactly_one=False, country_codes=codes,
                                 language=row["language"] or None, limit=10)
        if not found and codes:
            found = geocoder.geocode(name, exactly_one=False, limit=10)
    except (ImportError, OSError, ValueError, RuntimeError) as exc:
        return pd.DataFrame(), f"The gazetteer is not available: {exc}"
    rows = []
    for loc in found or []:
        raw = dict(loc.raw)
        rows.append({"name": str(raw.get("name", "")),
                     "feature_class": str(raw.get("feature_class", "")),
                     "country_code": str(raw.get("country_code", "")),
                     "admin1": str(raw.get("admin1", "")),
                     "population": raw.get("population"),
                     "lat": float(loc.latitude), "lon": float(loc.longitude),
                     "score": raw.get("score"), "id": str(raw.get("id", ""))})
    return pd.DataFrame(rows), ""


def _pick_event(events: pd.DataFrame) -> str:
    wanted = str(st.query_params.get("event", "") or st.session_state.get(ui.SELECTED, ""))
    queue = events.nsmallest(QUEUE_SIZE, "confidence")
    ids = list(queue["event_id"])
    if wanted and wanted not in ids and wanted in set(events["event_id"]):
        ids = [wanted] + ids
    labels = {r["event_id"]: _label(r) for _, r in
              events[events["event_id"].isin(ids)].iterrows()}
    if wanted and wanted not in labels:
        st.warning(f"Event {escape_markdown(wanted)} is not in the store (it may have been "
                   "discarded: see the edit history below).")
    index = ids.index(wanted) if wanted in ids else 0
    st.caption(f"Review queue: the {min(QUEUE_SIZE, len(events))} least confident events "
               "(or open one from the Explore page).")
    chosen = st.selectbox("Event", ids, index=index, format_func=lambda i: labels.get(i, i),
                          key="r_event")
    if chosen and chosen != wanted:
        st.query_params["event"] = chosen
        st.session_state[ui.SELECTED] = chosen
    return chosen or ""


def _base(row: pd.Series, log: EditLog) -> tuple[str, dict[str, Any]]:
    """(version, values) of the event this session's form is based on: taken when the
    reviewer first opens the event, kept until they save, discard or reload."""
    key = f"r_base_{row['event_id']}"
    if key not in st.session_state:
        st.session_state[key] = (log.version_of(str(row["event_id"])), row.to_dict())
    return st.session_state[key]


def _rebase(event_id: str) -> None:
    st.session_state.pop(f"r_base_{event_id}", None)


def _stale_notice(row: pd.Series, log: EditLog, base: str) -> None:
    """Say so when the event changed since this reviewer opened it."""
    event_id = str(row["event_id"])
    since = log.changes_since(event_id, base)
    if not since:
        return
    st.warning("This event changed since you opened it: "
               + escape_markdown("; ".join(describe_record(r) for r in since[-3:])))
    if st.button("Reload the event", key=f"r_reload_{event_id}"):
        _rebase(event_id)
        st.rerun()


def _edit_form(row: pd.Series, log: EditLog, who: str) -> None:
    event_id = str(row["event_id"])
    base, seen = _base(row, log)
    _stale_notice(row, log, base)
    types = [t.value for t in EventType]
    k = f"{event_id}_{base}"  # widgets keep what was typed until the base changes
    with st.form(f"edit_{k}"):
        st.markdown("**Edit fields**")
        c1, c2 = st.columns(2)
        etype = c1.selectbox("Event type", types, index=types.index(seen["event_type"]),
                             key=f"r_type_{k}")
        subs = [s.value for s in SUB_EVENT_PARENT]
        sub = c2.selectbox("Sub-event type", subs, index=subs.index(seen["sub_event_type"]),
                           help="must belong to the event type", key=f"r_sub_{k}")
        actor1 = c1.text_input("Actor 1", seen["actor1"], key=f"r_actor1_{k}")
        actor2 = c2.text_input("Actor 2", seen["actor2"], key=f"r_actor2_{k}")
        location = c1.text_input("Location", seen["location"], key=f"r_location_{k}")
        admin1 = c2.text_input("Admin-1", seen["admin1"], key=f"r_admin1_{k}")
        date = c1.date_input("Date", seen["event_date"].date()
                             if pd.notna(seen["event_date"]) else None, key=f"r_date_{k}")
        fat_value = None if pd.isna(seen["fatalities"]) else int(seen["fatalities"])
        fatalities = c2.number_input("Fatalities", min_value=0, value=fat_value, step=1,
                                     key=f"r_fatalities_{k}")
        prec = c1.selectbox("Geo precision", [1, 2, 3], index=int(seen["geo_precision"]) - 1,
                            format_func=lambda p: ui.PRECISION_LABELS[p], key=f"r_prec_{k}")
        background = c2.checkbox("Background event", bool(seen["is_background"]),
                                 key=f"r_bg_{k}")
        notes = st.text_area("Notes", seen["notes"], key=f"r_notes_{k}")
        submitted = st.form_submit_button("Save edit", type="primary")
    if not submitted:
        return
    new = {"event_type": etype, "sub_event_type": sub, "actor1": actor1, "actor2": actor2,
           "location": location, "admin1": admin1,
           "event_date": pd.Timestamp(date) if date else None,
           "fatalities": None if fatalities is None else int(fatalities),
           "geo_precision": int(prec), "is_background": bool(background), "notes": notes}
    changes = {k: v for k, v in new.items() if _differs(seen[k], v)}
    if not changes:
        st.info("Nothing changed.")
        return
    try:
        validate_events(pd.DataFrame([{**row.to_dict(), **changes}]))
    except SchemaError as exc:
        st.error("Not saved: " + escape_markdown(str(exc)))
        return
    if _save(lambda: log.set_fields(seen, changes, who=who, base=base)):
        _rebase(event_id)
        st.success(f"Saved {len(changes)} change(s).")
        st.rerun()


def _save(write: Any) -> bool:
    """Run one edit-log write; a conflict or a failed write is shown, never raised."""
    try:
        write()
    except EditConflict as exc:
        st.error("Not saved: " + escape_markdown(str(exc)))
        return False
    except OSError as exc:
        logger.warning("edit not saved: %s", exc)
        st.error("Not saved: the edit log cannot be written ("
                 + escape_markdown(exc.strerror or str(exc)) + "). Nothing was recorded.")
        return False
    return True


def _differs(a: Any, b: Any) -> bool:
    if (a is None or a is pd.NaT or (not isinstance(a, str) and pd.isna(a))) and b is None:
        return False
    if isinstance(a, pd.Timestamp) and isinstance(b, pd.Timestamp):
        return a.normalize() != b.normalize()
    return a != b


def _candidates_section(row: pd.Series, log: EditLog, who: str) -> None:
    st.subheader("Geocoding candidates")
    table, err = candidates(row)
    if err:
        st.info(escape_markdown(err))
        return
    if not len(table):
        st.caption("No gazetteer candidates for this place name.")
        return
    sel = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row",
                       key="r_cands", width="stretch")
    rows = sel.selection.rows if sel is not None else []
    if rows:
        cand = table.iloc[rows[0]]
        if st.button(f"Use {cand['name']} ({cand['lat']:.4f}, {cand['lon']:.4f})",
                     type="primary"):
            changes = {"location": cand["name"], "latitude": float(cand["lat"]),
                       "longitude": float(cand["lon"]), "gazetteer_id": cand["id"]}
            base, seen = _base(row, log)
            if not any(_differs(seen[f], v) for f, v in changes.items()):
                st.info("Nothing changed: the event is already at this place.")
                return
            if _save(lambda: log.set_fields(seen, changes, who=who, base=base)):
                _rebase(str(row["event_id"]))
                st.rerun()


def _history(event_id: str, log: EditLog, who: str) -> None:
    st.subheader("Edit history")
    records = [r for r in log.active() if r.get("event_id") == event_id]
    if not records:
        st.caption("No edits of this event.")
    for rec in records:
        with st.container(border=True):
            st.text(describe_record(rec))
            if (st.button("Undo", key=f"undo_{rec['id']}")
                    and _save(lambda r=rec: log.undo(r["id"], who=who))):
                _rebase(event_id)
                st.rerun()


def render() -> None:
    st.title("Review")
    access = ui.page_access()
    ui.require(access, "review", "Editing events")
    path = data.store_path()
    loaded = data.load_events(path)
    events = loaded.events
    log = EditLog.for_store(path)
    if access.name is not None:
        who = access.name  # the signed-in user: not something the page lets them type
    else:
        who = st.sidebar.text_input("Your name (recorded with edits)", current_user(),
                                    key="r_who")
    if loaded.report.skipped:
        with st.expander(f"{len(loaded.report.skipped)} edits could not be applied"):
            for line in loaded.report.skipped:
                st.text(line)
    if not len(events):
        st.info("The store is empty: nothing to review.")
        _discarded(log, who)
        return
    event_id = _pick_event(events)
    match = events[events["event_id"] == event_id]
    if len(match):
        row = match.iloc[0]
        ui.event_detail(row)
        _candidates_section(row, log, who)
        _edit_form(row, log, who)
        with st.expander("Discard this event"):
            reason = st.text_input("Reason", key="r_reason")
            if st.button("Discard", type="primary"):
                base, _seen = _base(row, log)
                if _save(lambda: log.discard(event_id, reason=reason, who=who, base=base)):
                    _rebase(event_id)
                    st.rerun()
        _history(event_id, log, who)
    _discarded(log, who)


def _discarded(log: EditLog, who: str) -> None:
    gone = [r for r in log.active() if r["op"] == "discard"]
    if not gone:
        return
    with st.expander(f"Discarded events ({len(gone)})"):
        for rec in gone[-50:]:
            c1, c2 = st.columns([5, 1])
            c1.text(f"{rec['event_id']} · {rec['when']} · {rec['who']} · {rec.get('reason', '')}")
            if (c2.button("Restore", key=f"restore_{rec['id']}")
                    and _save(lambda r=rec: log.undo(r["id"], who=who))):
                _rebase(str(rec["event_id"]))
                st.rerun()


render()
