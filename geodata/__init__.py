"""Offline multilingual gazetteer, geopy-compatible geocoder and boundaries."""

from geodata.geocoder import GazetteerGeocoder

__all__ = ["GazetteerGeocoder"]
