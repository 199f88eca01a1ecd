"""Great-circle distance: one haversine for plain numbers and for numpy arrays.

The formula is written once (:func:`_haversine`) and given either :mod:`math`'s functions,
for plain numbers (twenty times faster than numpy on scalars: the resolver and the reverse
geocoder call it one pair at a time), or numpy's, which broadcast (the coherence matrix, the
evaluation's error column).
"""

from __future__ import annotations

import math
from typing import Any

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def _haversine(lat1: Any, lon1: Any, lat2: Any, lon2: Any, radians: Any, sin: Any, cos: Any,
               asin: Any, sqrt: Any, clip: Any) -> Any:
    p1, p2 = radians(lat1), radians(lat2)
    dl = radians(lon2 - lon1)
    a = sin((p2 - p1) / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(clip(a)))


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Distance in km between points in degrees: a float for numbers, an array (broadcast)
    for arrays or sequences."""
    if all(isinstance(v, (int, float)) for v in (lat1, lon1, lat2, lon2)):
        return _haversine(lat1, lon1, lat2, lon2, math.radians, math.sin, math.cos,
                          math.asin, math.sqrt, lambda a: min(1.0, max(0.0, a)))
    import numpy as np

    return _haversine(np.asarray(lat1, float), np.asarray(lon1, float),
                      np.asarray(lat2, float), np.asarray(lon2, float), np.radians, np.sin,
                      np.cos, np.arcsin, np.sqrt, lambda a: np.clip(a, 0.0, 1.0))
