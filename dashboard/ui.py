"""Streamlit glue shared by the pages: URL <-> widget state, notices, legend, event detail.

Widget values live in ``st.session_state`` under the keys in :data:`WIDGET_KEYS`; the URL is
the source of truth when it changes from outside (first load, a pasted link), the widgets are
the source of truth otherwise, and every run writes the resulting state back to the URL.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from conflict_atlas_core.settings import Settings
from dashboard.auth import COOKIE, Access, AuthFile, Sessions
from dashboard.filters import FilterState
from dashboard.layers import legend
from dashboard.text import escape_markdown, highlight, safe_url
from dashboard.urlstate import AppState, ViewState, params_to_state, state_to_params

LAST_PARAMS = "_ca_last_params"
SAVED_STATE = "_ca_state"
SELECTED = "_ca_selected_event"
PRECISION_LABELS = {1: "1 · named place", 2: "2 · near a place", 3: "3 · region only"}

# widget key -> (object, field) of AppState
FIELD_KEYS: dict[str, tuple[str, str]] = {
    "f_actors": ("filters", "actors"),
    "f_role": ("filters", "actor_role"),
    "f_types": ("filters", "event_types"),
    "f_subs": ("filters", "sub_event_types"),
    "f_countries": ("filters", "countries"),
    "f_admin1": ("filters", "admin1"),
    "f_text": ("filters", "text"),
    "f_prec": ("filters", "geo_precision"),
    "f_conf": ("filters", "min_confidence"),
    "f_bg": ("filters", "include_background"),
    "f_undated": ("filters", "include_undated"),
    "f_langs": ("filters", "languages"),
    "f_sources": ("filters", "sources"),
    "v_layer": ("view", "layer"),
    "v_basemap": ("view", "basemap"),
    "p_step": ("view", "step"),
    "p_window": ("view", "window"),
}
LIST_FIELDS = {"actors", "event_types", "sub_event_types", "countries", "admin1",
               "geo_precision", "languages", "sources"}


def is_present_mode(params: Mapping[str, Any]) -> bool:
    state, _ = params_to_state({k: v for k, v in params.items() if k == "present"})
    return state.view.present


@st.cache_resource(show_spinner=False)
def _sessions(auth_path: str) -> Sessions:
    """One reader of the auth file per server (it re-reads the file when it changes)."""
    return Sessions(AuthFile(auth_path))


def page_access() -> Access:
    """Who uses this page and what their role allows (:mod:`dashboard.auth`).

    Without sign-in (``serve`` without ``--auth``) everything is allowed. Behind sign-in the
    gate (:mod:`dashboard.auth_server`) has already refused anyone without a valid cookie;
    a session that ends while the page is open (expired, password changed, user removed)
    stops the page here with a link to sign in again.
    """
    auth = Settings.from_env().auth
    if auth is None:
        return Access(None)
    user = _sessions(str(auth)).user_for(st.context.cookies.get(COOKIE))
    if user is None:
        st.warning("Your session has ended. Sign in again.", icon=":material/lock:")
        st.link_button("Sign in", "/login")
        st.stop()
    return Access(user)


def require(access: Access, action: str, what: str) -> None:
    """Stop the page unless ``access`` allows ``action`` (checked on the server)."""
    if not access.can(action):
        role = access.user.role if access.user else ""
        st.error(f"{what} needs a role your account ({role}) does not have.",
                 icon=":material/block:")
        st.stop()


def current_params() -> dict[str, str]:
    return {k: str(v) for k, v in st.query_params.to_dict().items()}


def resolve_state(default_basemap: str = "offline") -> tuple[AppState, list[str], bool]:
    """(state, notices, from_url): the state this run starts from.

    ``from_url`` is True when the URL changed from outside (first load, pasted link) and
    widgets must be re-seeded from it.
    """
    params = current_params()
    last = st.session_state.get(LAST_PARAMS)
    saved = st.session_state.get(SAVED_STATE)
    if last is None or (params and params != last) or saved is None:
        if "basemap" not in params and default_basemap != "offline":
            params = {**params, "basemap": default_basemap}
        state, notices = params_to_state(params)
        return state, notices, True
    return saved, [], False


def seed_widgets(state: AppState, *, overwrite: bool) -> None:
    """Put the state's values into the widget keys (all of them, or only missing ones)."""
    for key, (obj, field) in FIELD_KEYS.items():
        if overwrite or key not in st.session_state:
            value = getattr(getattr(state, obj), field)
            st.session_state[key] = list(value) if field in LIST_FIELDS else value
    if overwrite:
        st.session_state[SELECTED] = state.view.event


def write_url(state: AppState) -> dict[str, str]:
    """Write ``state`` to the URL (only when it differs) and remember it."""
    params = state_to_params(state)
    if params != current_params():
        st.query_params.from_dict(params)
    st.session_state[LAST_PARAMS] = params
    st.session_state[SAVED_STATE] = state
    return params


def share_link(params: Mapping[str, str]) -> str:
    base = ""
    try:
        base = st.context.url or ""
    except (AttributeError, RuntimeError):
        base = ""
    base = (base.split("?")[0] if base else "http://127.0.0.1:8501/")
    return base + ("?" + urlencode(dict(params)) if params else "")


def show_notices(notices: list[str]) -> None:
    for notice in notices:
        st.warning(escape_markdown(notice), icon=":material/warning:")


def legend_html(types: list[str] | None = None) -> str:
    items = "".join(
        f'<span style="display:inline-flex;align-items:center;margin-right:14px">'
        f'<span style="width:12px;height:12px;border-radius:6px;background:{color};'
        f'display:inline-block;margin-right:5px"></span>{html.escape(name)}</span>'
        for name, color in legend(types))
    return f'<div style="font-size:0.85rem;line-height:1.8">{items}</div>'


HIDE_SIDEBAR_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"] {display: none !important;}
.block-container {padding-top: 1rem; max-width: 100%;}
</style>
"""


def theme_type() -> str:
    """``"dark"`` or ``"light"``: the theme the browser shows (it follows the system's)."""
    try:
        kind = st.context.theme.type
    except (AttributeError, RuntimeError):
        kind = None
    return "dark" if kind == "dark" else "light"


def event_detail(row: pd.Series, compact: bool = False) -> None:
    """An event's detail: the highlighted sentence and its fields, all shown as text
    (``compact``: the main fields only, for the panel beside the map)."""
    date = row["event_date"].date().isoformat() if pd.notna(row["event_date"]) else "undated"
    terms = {"place": [row["location"], row["admin1"]],
             "actor": [row["actor1"], row["actor2"], row["assoc_actor_1"], row["assoc_actor_2"]],
             "date": []}
    st.markdown(
        '<div class="ca-sentence" style="font-size:1.05rem;line-height:1.6">'
        f"{highlight(str(row['sentence']), terms)}</div>",
        unsafe_allow_html=True,  # every piece of article text is html.escape'd in highlight()
    )
    fields = {
        "Date": date, "Event type": row["event_type"], "Sub-type": row["sub_event_type"],
        "Actor 1": row["actor1"], "Actor 2": row["actor2"], "Location": row["location"],
        "Admin-1": row["admin1"], "Country": row["country"],
        "Coordinates": f"{row['latitude']:.4f}, {row['longitude']:.4f}",
        "Geo precision": PRECISION_LABELS.get(int(row["geo_precision"]), str(row["geo_precision"])),
        "Fatalities": "" if pd.isna(row["fatalities"]) else str(int(row["fatalities"])),
        "Confidence": f"{row['confidence']:.2f}", "Source": row["source"],
        "Language": row["language"], "Notes": row["notes"], "Event id": row["event_id"],
    }
    if compact:
        fields = {k: v for k, v in fields.items()
                  if k in ("Date", "Event type", "Sub-type", "Actor 1", "Actor 2", "Location",
                           "Admin-1", "Fatalities", "Source", "Event id")}
    st.dataframe(pd.DataFrame({"field": list(fields), "value": [str(v) for v in fields.values()]}),
                 hide_index=True, width="stretch")
    url = safe_url(str(row["source_url"]))
    if url:
        st.link_button("Open the source article", url)
    elif row["source_url"]:
        st.caption("Source link (not a web address): " + escape_markdown(str(row["source_url"])))


__all__ = ["AppState", "FilterState", "ViewState"]
