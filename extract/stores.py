"""Which event store a location names: a ``postgresql://`` URL opens the PostGIS store
(:mod:`extract.store_postgis`), anything else the GeoParquet file (:mod:`extract.store`).
Both answer the same methods (``exists``, ``read``, ``version``, ``append``, ``replace``,
``save_pending``, ``path``)."""

from __future__ import annotations

import os
from typing import Any

from conflict_atlas_core.settings import Settings
from extract.store import EventStore
from extract.store_postgis import PostgisStore, is_url


def open_store(location: str | os.PathLike[str] | None = None,
               settings: Settings | None = None) -> Any:
    """The event store at ``location``: a ``postgresql://`` URL opens the PostGIS store
    (:class:`extract.store_postgis.PostgisStore`), anything else the GeoParquet file
    (:class:`EventStore`); None: the configured default (``$CONFLICT_ATLAS_STORE``)."""
    if location is None:
        location = (settings or Settings.from_env()).store_location
    if is_url(location):
        return PostgisStore(str(location))
    return EventStore(location)
