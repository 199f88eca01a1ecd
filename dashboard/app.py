"""Conflict Atlas dashboard: ``streamlit run dashboard/app.py`` (or ``conflict-atlas serve``).

Thin on purpose: page set-up and navigation. Each page is a script in ``dashboard/views/``;
the logic lives in the pure modules (filters, urlstate, layers, aggregate, export, edits).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.text import escape_markdown
from dashboard.ui import is_present_mode, page_access

HERE = Path(__file__).resolve().parent

present = is_present_mode(st.query_params.to_dict())
st.set_page_config(page_title="Conflict Atlas", page_icon="🗺️", layout="wide",
                   initial_sidebar_state="collapsed" if present else "auto")

access = page_access()
pages = [
    st.Page(HERE / "views" / "explore.py", title="Explore", icon=":material/map:", default=True),
]
if access.can("add_articles"):
    pages.append(st.Page(HERE / "views" / "add_articles.py", title="Add articles",
                         icon=":material/upload_file:", url_path="add"))
if access.can("review"):
    pages.append(st.Page(HERE / "views" / "review.py", title="Review",
                         icon=":material/rate_review:", url_path="review"))
pages.append(st.Page(HERE / "views" / "about.py", title="About the data", icon=":material/info:",
                     url_path="about"))
if access.user is not None and not present:
    st.sidebar.caption(f"Signed in as **{escape_markdown(access.user.name)}** "
                       f"({access.user.role})")
    st.sidebar.link_button("Sign out", "/logout", icon=":material/logout:")
st.navigation(pages, position="hidden" if present else "sidebar").run()
