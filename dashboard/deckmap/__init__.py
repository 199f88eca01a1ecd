"""The map as a bidirectional Streamlit component: deck.gl that reports its view and clicks.

Streamlit's ``st.pydeck_chart`` (1.67) reports selections only, never the view, so the map
view could not be part of the URL. This component draws the same pydeck layers (their JSON,
converted in the browser by ``@deck.gl/json``) and sends back, as its value, the view once a
pan or zoom settles and each click (see ``frontend/src/index.js``). It is built from npm
packages by ``make`` (``npm ci && npm run build`` in ``frontend/``) into ``static/``, with
the licences of everything bundled in ``static/THIRD-PARTY-LICENSES.txt``; nothing is
fetched at run time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parent / "static"
KEY = "map"


def is_built() -> bool:
    """True when the bundle exists (``make`` builds it)."""
    return (STATIC / "index.html").exists() and (STATIC / "deckmap.js").exists()


def _component() -> Any:
    import streamlit.components.v1 as components

    return components.declare_component("deckmap", path=str(STATIC))


def deck_map(*, layers: str, base: str, labels: str, view: dict[str, Any],
             legend: dict[str, Any] | None,
             height: int, theme: str, basemap: str, ocean: str, title: str, subtitle: str,
             attribution: str, png_name: str, key: str = KEY) -> Any:
    """Draw the map; returns the component's last report (a dict) or None.

    ``layers``, ``base`` and ``labels`` are JSON arrays of pydeck layers (data layers, the
    basemap's outlines, its labels), converted again in the browser only when they change;
    ``view`` holds ``rev`` (the map moves to the view only when ``rev`` changes) and either
    ``lat``/``lon``/``zoom``/``pitch``/``bearing`` or ``fit`` (``[w, s, e, n]``).
    """
    return _component()(layers=layers, base=base, labels=labels, view=view, legend=legend, height=height,
                        theme=theme, basemap=basemap, ocean=ocean, title=title, subtitle=subtitle,
                        attribution=attribution, png_name=png_name, key=key, default=None)
