"""Extraction: articles in, geocoded ACLED-style events out. Never imports streamlit."""
