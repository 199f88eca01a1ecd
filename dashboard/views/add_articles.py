"""Add articles: upload files, run the extraction with a progress bar, keep the events.

Provenance is kept: each upload is saved under a safe temporary name with a sidecar
(``NAME.meta.json``, read by :mod:`extract.readers` below the article's own metadata) that
gives the original file name as ``source`` and, when the user enters one, the publication
date; the temporary path never becomes a ``source_url``. Articles whose metadata gives no
date are listed before extraction so that the user can give one (else the pipeline reads
the dateline, "BAGDAD, 12 mars 2024 (AFP)"); events that stay undated are said, never
hidden.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import tempfile
from pathlib import Path, PurePath

import pandas as pd
import streamlit as st

from dashboard import data, ui
from dashboard.filters import safe_slug
from dashboard.text import escape_markdown
from extract.schema import SchemaError
from extract.store import AppendResult, StoreError
from extract.stores import open_store

logger = logging.getLogger(__name__)

ACCEPTED = ["txt", "html", "htm", "jsonl", "csv", "zip"]
LANGUAGE_NAMES = {"fr": "French", "en": "English", "ar": "Arabic"}


def _save_uploads(files: list, folder: Path,
                  dates: dict[str, dt.date | None] | None = None) -> dict[Path, str]:
    """Write the uploads under ``folder`` with sanitised, unique names, each with a sidecar
    naming its original file (and its publication date, if given); saved path -> original
    name."""
    saved: dict[Path, str] = {}
    for n, f in enumerate(files):
        name = PurePath(f.name).name
        stem, _, suffix = name.rpartition(".")
        safe = f"{n:03d}-{safe_slug(stem) or 'upload'}.{safe_slug(suffix).lower() or 'txt'}"
        path = folder / safe
        path.write_bytes(f.getvalue())
        meta: dict[str, str] = {"source": name}
        date = (dates or {}).get(_file_key(f))
        if date:
            meta["published"] = date.isoformat()
        if suffix.lower() != "zip":  # a zip's members are articles with their own names
            (folder / (safe + ".meta.json")).write_text(json.dumps(meta), encoding="utf-8")
        saved[path] = name
    return saved


def _file_key(f: object) -> str:
    return f"{getattr(f, 'file_id', '')}:{getattr(f, 'name', '')}:{getattr(f, 'size', '')}"


def undated_files(files: list) -> list[tuple[str, str, int]]:
    """(key, file name, articles without a date in their metadata) for each upload that has
    any: the files the user is asked a publication date for."""
    from extract.readers import Article, iter_articles

    out = []
    with tempfile.TemporaryDirectory(prefix="conflict-atlas-check-") as tmp:
        saved = _save_uploads(files, Path(tmp))
        for (path, name), f in zip(saved.items(), files, strict=True):
            n = sum(1 for a in iter_articles(path) if isinstance(a, Article) and not a.published)
            if n:
                out.append((_file_key(f), name, n))
    return out


def _ask_dates(files: list) -> dict[str, dt.date | None]:
    """Date inputs for the uploads whose articles give no publication date."""
    cache = st.session_state.setdefault("_ca_undated", {})
    key = tuple(_file_key(f) for f in files)
    if key not in cache:
        cache.clear()
        cache[key] = undated_files(files)
    missing = cache[key]
    if not missing:
        return {}
    st.subheader("Publication dates")
    st.caption("These files do not say when they were published. Event dates are read "
               "relative to it (\"mardi\", \"yesterday\"). Leave a date empty to use the "
               "article's dateline (\"BAGDAD, 12 mars 2024 (AFP)\") when it has one; events "
               "that stay undated are added and shown with a notice.")
    dates: dict[str, dt.date | None] = {}
    for i, (fkey, name, n) in enumerate(missing):
        label = f"{name}" + (f" ({n} articles)" if n > 1 else "")
        value = st.date_input(label, value=None, key=f"a_date_{i}_{fkey}",
                              max_value=dt.date.today() + dt.timedelta(days=1))
        dates[fkey] = value if isinstance(value, dt.date) else None
    return dates


def render() -> None:
    st.title("Add articles")
    ui.require(ui.page_access(), "add_articles", "Adding articles to the store")
    st.write("Upload news articles; the extraction finds events, geocodes them offline and "
             "adds them to the store. Accepted: " + ", ".join(f".{a}" for a in ACCEPTED) + ".")
    path = data.store_path()
    st.caption(f"Store: `{escape_markdown(data.store_label(path))}`")
    files = list(st.file_uploader("Articles", type=ACCEPTED, accept_multiple_files=True,
                                  key="a_files") or [])
    language = st.selectbox("Language", ["auto", "fr", "en", "ar"], key="a_lang",
                            format_func=lambda c: LANGUAGE_NAMES.get(c, "detect per article"))
    dates = _ask_dates(files) if files else {}
    if not st.button("Extract events", type="primary", disabled=not files):
        _last_result()
        return
    try:
        from extract.pipeline import Extractor, run_pipeline
        from extract.readers import Article, iter_articles
    except ImportError as exc:
        st.error("The extraction pipeline is not available in this installation: "
                 + escape_markdown(str(exc)))
        return
    bar = st.progress(0.0, text="Step 1 of 3 · saving and reading the files…")
    with tempfile.TemporaryDirectory(prefix="conflict-atlas-upload-") as tmp:
        saved = _save_uploads(files, Path(tmp), dates)
        try:
            articles = [a for a in iter_articles(list(saved)) if isinstance(a, Article)]
            bar.progress(0.05, text="Step 2 of 3 · loading the gazetteer and the language "
                                    "models (about 20 s the first time)…")
            extractor = Extractor(language=language)
            langs = sorted({extractor.article_language(a) for a in articles})
            for k, lang in enumerate(langs):
                bar.progress(0.1 + 0.2 * k / max(len(langs), 1),
                             text=f"Step 2 of 3 · loading the "
                                  f"{LANGUAGE_NAMES.get(lang, lang)} pipeline…")
                extractor.nlp.get(lang)

            def progress(done: int, total: int | None, message: str) -> None:
                frac = 0.3 + 0.7 * ((done / total) if total else 0.0)
                bar.progress(min(max(frac, 0.0), 1.0),
                             text=f"Step 3 of 3 · {done}/{total or '?'} articles coded"[:200])

            result = run_pipeline(list(saved), language=language, progress=progress,
                                  extractor=extractor)
        except (OSError, ValueError, RuntimeError) as exc:
            logger.exception("extraction failed")
            st.error("The extraction failed: " + escape_markdown(str(exc)))
            return
        events = provenance(result.events, tmp)
        rejected = pd.DataFrame(
            [{"file": _display(str(r.path), tmp, saved), "reason": str(r.reason)}
             for r in result.rejected], columns=["file", "reason"])
    bar.progress(1.0, text="Done")
    stored = store_upload(path, events)
    if stored.error:
        st.error("The events could not be added to the store: "
                 + escape_markdown(stored.error))
        if stored.side is not None:
            st.warning(f"The {len(events)} events found are kept in "
                       f"{escape_markdown(str(stored.side))}; once the cause is fixed, "
                       "`conflict-atlas store repair` adds them.")
        else:
            st.error(f"No side file could be written either: the {len(events)} events "
                     "found were not kept; free some space and upload again.")
        return
    added = stored.result
    st.session_state["_ca_add_result"] = {
        "articles": result.n_articles, "events": len(events),
        "added": added.added if added else 0,
        "duplicates": added.skipped_duplicates if added else 0,
        "total": added.total if added else len(open_store(path).read()),
        "undated": int(events["event_date"].isna().sum()) if len(events) else 0,
        "rejected": rejected,
        "preview": events.head(200),
    }
    _last_result()


@dataclasses.dataclass(frozen=True)
class Stored:
    """What became of an upload's events: appended (``result``), or kept in a side file
    (``side``) because the store could not take them (``error``), or lost (neither)."""

    result: AppendResult | None = None
    error: str = ""
    side: Path | None = None


def store_upload(path: str | Path, events: pd.DataFrame) -> Stored:
    """Append an upload's events; when the store cannot take them (its schema drifted, the
    disk is full) keep them in a side file beside it, as ``extract`` does."""
    if not len(events):
        return Stored()
    store = open_store(path)
    try:
        return Stored(result=store.append(events))
    except (StoreError, SchemaError, OSError) as exc:
        logger.exception("the upload's events could not be stored")
        error = str(exc)
    try:
        return Stored(error=error, side=store.save_pending(events))
    except OSError:
        logger.exception("no side file either")
        return Stored(error=error)


def provenance(events: pd.DataFrame, folder: str) -> pd.DataFrame:
    """The events without the temporary upload folder in ``source_url`` (an upload without a
    web address has none; ``source`` already names the original file)."""
    if not len(events):
        return events
    temp = events["source_url"].astype(str).str.startswith(str(folder))
    if not temp.any():
        return events
    out = events.copy()
    out.loc[temp, "source_url"] = ""
    return out


def _display(path: str, folder: str, saved: dict[Path, str]) -> str:
    """A rejected path as the user knows it: the original file name (and zip member)."""
    for saved_path, original in saved.items():
        if path == str(saved_path) or path.startswith((str(saved_path) + "!",
                                                       str(saved_path) + "/")):
            return original + path[len(str(saved_path)):]
    return path.replace(str(folder) + "/", "")


def _last_result() -> None:
    res = st.session_state.get("_ca_add_result")
    if not res:
        return
    st.success(f"{res['articles']} articles read, {res['events']} events found: "
               f"{res['added']} added, {res['duplicates']} already in the store "
               f"(the store now holds {res['total']:,}).")
    if res.get("undated"):
        st.warning(f"{res['undated']} events have no date (their article gave no publication "
                   "date and no dateline). They are in the store and on the map while no date "
                   "range is set; with a range, switch on “Include undated events” (Explore, "
                   "More filters). The Review page can give each one its date.",
                   icon=":material/event_busy:")
    if len(res["rejected"]):
        st.subheader(f"Rejected ({len(res['rejected'])})")
        st.dataframe(res["rejected"], hide_index=True, width="stretch")
    if len(res["preview"]):
        st.subheader("Events found")
        cols = ["event_date", "event_type", "actor1", "actor2", "location", "country",
                "fatalities", "confidence", "source", "sentence"]
        st.dataframe(res["preview"][cols], hide_index=True, width="stretch",
                     column_config={"event_date": st.column_config.DateColumn("date")})
        st.page_link("views/explore.py", label="See them on the map", icon=":material/map:")


render()
