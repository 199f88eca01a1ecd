"""Add articles: upload files, run the extraction with a progress bar, keep the events."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path, PurePath

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.filters import safe_slug
from dashboard.text import escape_markdown
from extract.store import EventStore

logger = logging.getLogger(__name__)

ACCEPTED = ["txt", "html", "htm", "jsonl", "csv", "zip"]


def _save_uploads(files: list, folder: Path) -> list[Path]:
    """Write the uploads under ``folder`` with sanitised, unique names."""
    paths = []
    for n, f in enumerate(files):
        name = PurePath(f.name).name
        stem, _, suffix = name.rpartition(".")
        safe = f"{n:03d}-{safe_slug(stem) or 'upload'}.{safe_slug(suffix).lower() or 'txt'}"
        path = folder / safe
        path.write_bytes(f.getvalue())
        paths.append(path)
    return paths


def render() -> None:
    st.title("Add articles")
    st.write("Upload news articles; the extraction finds events, geocodes them offline and "
             "adds them to the store. Accepted: " + ", ".join(f".{a}" for a in ACCEPTED) + ".")
    path = data.store_path()
    st.caption(f"Store: `{escape_markdown(str(path))}`")
    files = st.file_uploader("Articles", type=ACCEPTED, accept_multiple_files=True,
                             key="a_files")
    c1, c2 = st.columns(2)
    language = c1.selectbox("Language", ["auto", "fr", "en"], key="a_lang")
    published = c2.date_input("Publication date (when the files do not say)", value=None,
                              key="a_published")
    if not st.button("Extract events", type="primary", disabled=not files):
        _last_result()
        return
    try:
        from extract.pipeline import run_pipeline
    except ImportError as exc:
        st.error("The extraction pipeline is not available in this installation: "
                 + escape_markdown(str(exc)))
        return
    bar = st.progress(0.0, text="Reading articles…")

    def progress(done: int, total: int | None, message: str) -> None:
        frac = (done / total) if total else 0.0
        bar.progress(min(max(frac, 0.0), 1.0),
                     text=f"{done}/{total or '?'} articles · {message}"[:200])

    with tempfile.TemporaryDirectory(prefix="conflict-atlas-upload-") as tmp:
        paths = _save_uploads(list(files or []), Path(tmp))
        try:
            result = run_pipeline(paths, published=published if isinstance(published, dt.date)
                                  else None, language=language, progress=progress)
        except (OSError, ValueError, RuntimeError) as exc:
            logger.exception("extraction failed")
            st.error("The extraction failed: " + escape_markdown(str(exc)))
            return
    bar.progress(1.0, text="Done")
    added = EventStore(path).append(result.events) if len(result.events) else None
    names = {p.name: f.name for p, f in zip(paths, files or [], strict=False)}
    rejected = pd.DataFrame(
        [{"file": _display(str(r.path), names), "reason": str(r.reason)}
         for r in result.rejected], columns=["file", "reason"])
    st.session_state["_ca_add_result"] = {
        "articles": result.n_articles, "events": len(result.events),
        "added": added.added if added else 0,
        "duplicates": added.skipped_duplicates if added else 0,
        "total": added.total if added else len(EventStore(path).read()),
        "rejected": rejected,
        "preview": result.events.head(200),
    }
    _last_result()


def _display(path: str, names: dict[str, str]) -> str:
    for saved, original in names.items():
        if saved in path:
            return path.replace(str(Path(path).parent) + "/", "").replace(saved, original)
    return path


def _last_result() -> None:
    res = st.session_state.get("_ca_add_result")
    if not res:
        return
    st.success(f"{res['articles']} articles read, {res['events']} events found: "
               f"{res['added']} added, {res['duplicates']} already in the store "
               f"(the store now holds {res['total']:,}).")
    if len(res["rejected"]):
        st.subheader(f"Rejected ({len(res['rejected'])})")
        st.dataframe(res["rejected"], hide_index=True, width="stretch")
    if len(res["preview"]):
        st.subheader("Events found")
        cols = ["event_date", "event_type", "actor1", "actor2", "location", "country",
                "fatalities", "confidence", "sentence"]
        st.dataframe(res["preview"][cols], hide_index=True, width="stretch")
        st.page_link("views/explore.py", label="See them on the map", icon=":material/map:")


render()
