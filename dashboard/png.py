"""The map as a PNG for slides, drawn on the server with Pillow (no browser, no network).

Web-Mercator projection of the filtered events' extent; country outlines when the bundled
boundaries are available; points coloured by event type; a title and a legend.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw, ImageFont

from dashboard.layers import EVENT_COLORS, LAND, OCEAN, OTHER_COLOR, fit_view


def _merc_y(lat: np.ndarray | float) -> np.ndarray | float:
    lat = np.clip(lat, -85.0, 85.0)
    return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def map_png(df: pd.DataFrame, countries: Any = None, *, width: int = 1600, height: int = 900,
            title: str = "Conflict Atlas") -> bytes:
    """A PNG of the events of ``df`` (see module docstring)."""
    img = Image.new("RGB", (width, height), OCEAN)
    draw = ImageDraw.Draw(img)
    lat_c, lon_c, zoom = fit_view(df)
    # degrees of longitude visible at this zoom across the image
    lon_span = 360.0 / (2 ** zoom) * (width / 512.0)
    x0, x1 = lon_c - lon_span / 2, lon_c + lon_span / 2
    scale = width / math.radians(x1 - x0)
    yc = float(_merc_y(lat_c))

    def project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        px = (np.radians(lon) - math.radians(x0)) * scale
        py = height / 2 - (_merc_y(lat) - yc) * scale
        return px, py

    if countries is not None:
        minx, maxx = x0 - 5, x1 + 5
        try:
            part = countries.cx[minx:maxx, -85:85]
        except (AttributeError, ValueError, TypeError):
            part = countries
        for geom in part.geometry:
            if geom is None or geom.is_empty:
                continue
            polys = getattr(geom, "geoms", [geom])
            for poly in polys:
                ext = getattr(poly, "exterior", None)
                if ext is None:
                    continue
                xs, ys = np.asarray(ext.xy[0]), np.asarray(ext.xy[1])
                px, py = project(xs, ys)
                pts = list(zip(px.tolist(), py.tolist(), strict=True))
                if len(pts) >= 3:
                    draw.polygon(pts, fill=LAND, outline=(120, 120, 120))
    if len(df):
        px, py = project(df["longitude"].to_numpy(), df["latitude"].to_numpy())
        fat = df["fatalities"].fillna(0).astype("float64").to_numpy()
        radius = 3 + 2 * np.sqrt(np.minimum(fat, 400))
        colors = df["event_type"].map(lambda t: EVENT_COLORS.get(t, OTHER_COLOR)).tolist()
        order = np.argsort(-radius)[:200_000]
        for i in order:
            r = radius[i]
            draw.ellipse((px[i] - r, py[i] - r, px[i] + r, py[i] + r), fill=colors[i],
                         outline=(255, 255, 255))
    font = ImageFont.load_default(size=28)
    small = ImageFont.load_default(size=18)
    draw.rectangle((0, 0, width, 50), fill=(255, 255, 255))
    draw.text((16, 10), title[:120], fill=(30, 30, 30), font=font)
    shown = set(pd.unique(df["event_type"])) if len(df) else set()
    present = [t for t in EVENT_COLORS if t in shown]
    box_h = 12 + 26 * len(present)
    draw.rectangle((width - 330, height - box_h - 10, width - 10, height - 10),
                   fill=(255, 255, 255), outline=(180, 180, 180))
    for k, name in enumerate(present):
        y = height - box_h + 26 * k
        draw.ellipse((width - 318, y, width - 302, y + 16), fill=EVENT_COLORS[name])
        draw.text((width - 294, y - 2), name, fill=(30, 30, 30), font=small)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
