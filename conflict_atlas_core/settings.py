"""Settings from the environment, read once into one frozen :class:`Settings`.

=========================  ====================================================  ==========
variable                   what                                                  default
=========================  ====================================================  ==========
``CONFLICT_ATLAS_DATA``    the data directory (event store, side files)          ``data``
``CONFLICT_ATLAS_GAZETTEER``  the gazetteer index file                           user cache
``CONFLICT_ATLAS_STORE``   the store: a GeoParquet file or a ``postgresql://``   the data
                           URL (``serve STORE`` sets it)                         dir's
``CONFLICT_ATLAS_BASEMAP``  the dashboard's basemap: ``offline`` or ``carto``    offline
``CONFLICT_ATLAS_AUTH``    the auth file of a dashboard behind sign-in (``serve  none
                           --auth FILE`` sets it)
=========================  ====================================================  ==========

:meth:`Settings.from_env` is the one place that reads them. The CLI reads them once per
command and hands the object down (``args.settings``); a library function that takes
``settings=None`` reads them then, once, for that call.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DATA_ENV = "CONFLICT_ATLAS_DATA"
GAZETTEER_ENV = "CONFLICT_ATLAS_GAZETTEER"
STORE_ENV = "CONFLICT_ATLAS_STORE"
BASEMAP_ENV = "CONFLICT_ATLAS_BASEMAP"
AUTH_ENV = "CONFLICT_ATLAS_AUTH"
BASEMAPS = ("offline", "carto")


@dataclass(frozen=True)
class Settings:
    """What the environment says, with the defaults filled in."""

    data_dir: Path = Path("data")
    gazetteer: Path | None = None  # None: the user cache (geodata.paths.default_index_path)
    store: Path | None = None  # None: data_dir / events.parquet
    basemap: str = "offline"
    auth: Path | None = None  # None: no sign-in (the server is bound to 127.0.0.1)
    store_url: str | None = None  # a postgresql:// store (then ``store`` is None)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of ``environ`` (default: this process's environment). Empty values
        count as unset; an unknown basemap is ``offline``."""
        env = os.environ if environ is None else environ
        data = env.get(DATA_ENV) or ""
        gazetteer = env.get(GAZETTEER_ENV) or ""
        store = env.get(STORE_ENV) or ""
        basemap = (env.get(BASEMAP_ENV) or "offline").strip().lower()
        auth = env.get(AUTH_ENV) or ""
        url = store if store.startswith(("postgresql://", "postgres://")) else None
        return cls(data_dir=Path(data) if data else Path("data"),
                   gazetteer=Path(gazetteer) if gazetteer else None,
                   store=Path(store) if store and url is None else None,
                   store_url=url,
                   basemap=basemap if basemap in BASEMAPS else "offline",
                   auth=Path(auth) if auth else None)

    @property
    def store_location(self) -> str | Path:
        """The event store: a ``postgresql://`` URL as given, else :attr:`store_path`."""
        if self.store_url is not None:
            return self.store_url
        return self.store_path

    @property
    def store_path(self) -> Path:
        """The event store: ``store`` when set, else ``data_dir / events.parquet``."""
        return self.store if self.store is not None else self.data_dir / "events.parquet"
