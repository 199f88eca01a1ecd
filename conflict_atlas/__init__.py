"""Command-line entry point that composes extract, geodata and dashboard."""
