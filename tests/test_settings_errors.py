"""The one root error and the settings read once from the environment (issue #14)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from geopy.exc import GeocoderQueryError

from conflict_atlas_core.errors import ConflictAtlasError
from conflict_atlas_core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_settings_from_an_environment():
    s = Settings.from_env({"CONFLICT_ATLAS_DATA": "/d", "CONFLICT_ATLAS_GAZETTEER": "/g.sqlite",
                           "CONFLICT_ATLAS_BASEMAP": " Carto "})
    assert s == Settings(Path("/d"), Path("/g.sqlite"), None, "carto")
    assert s.store_path == Path("/d/events.parquet")
    assert Settings.from_env({"CONFLICT_ATLAS_STORE": "/s.parquet"}).store_path == \
        Path("/s.parquet")
    # unset and empty mean the defaults; an unknown basemap is the offline one
    assert Settings.from_env({}) == Settings.from_env({"CONFLICT_ATLAS_DATA": "",
                                                       "CONFLICT_ATLAS_BASEMAP": "osm"})
    assert Settings.from_env({}) == Settings(Path("data"), None, None, "offline")
    with pytest.raises(AttributeError):
        s.data_dir = Path("/x")  # type: ignore[misc]  # frozen


def test_the_functions_of_the_packages_take_the_settings(monkeypatch, tmp_path):
    from dashboard import data
    from extract.store import default_store_path
    from geodata.paths import default_index_path

    monkeypatch.setenv("CONFLICT_ATLAS_DATA", str(tmp_path / "env"))
    given = Settings(data_dir=tmp_path / "given", gazetteer=tmp_path / "g.sqlite")
    assert default_store_path(given) == tmp_path / "given" / "events.parquet"
    assert default_store_path() == tmp_path / "env" / "events.parquet"
    assert default_index_path(given) == tmp_path / "g.sqlite"
    assert data.store_path(given) == tmp_path / "given" / "events.parquet"
    assert data.default_basemap(Settings(basemap="carto")) == "carto"


def test_the_environment_is_read_only_by_the_settings():
    """No module but conflict_atlas_core/settings.py reads os.environ or os.getenv (the
    dashboard's serve may set variables for the Streamlit script it runs)."""
    readers = []
    for pkg in ("conflict_atlas", "conflict_atlas_core", "dashboard", "evaluation", "extract",
                "geodata"):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if path == ROOT / "conflict_atlas_core" / "settings.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                reads = isinstance(node, ast.Attribute) and node.attr in ("getenv", "environ")
                if reads and not _is_store(path, node):
                    readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not readers, readers


def _is_store(path: Path, node: ast.AST) -> bool:
    """``os.environ[NAME] = value`` (setting a variable, not reading one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(a, ast.Assign) and any(
        isinstance(t, ast.Subscript) and t.value is not None
        and getattr(t.value, "lineno", None) == node.lineno
        and getattr(t.value, "col_offset", None) == node.col_offset for t in a.targets)
        for a in ast.walk(tree))


def test_every_error_class_of_the_project_derives_from_the_root():
    """Each class the project defines that is an exception derives from ConflictAtlasError."""
    import importlib
    import inspect

    modules = ["extract.schema", "extract.store", "extract.learned", "geodata.gazetteer",
               "geodata.geocoder", "dashboard.edits", "evaluation.corpora", "evaluation.splits",
               "evaluation.reports", "evaluation.events"]
    found = []
    for name in modules:
        module = importlib.import_module(name)
        for _n, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == name:
                found.append(cls)
                assert issubclass(cls, ConflictAtlasError), cls
    assert len(found) >= len(modules)


def test_the_geocoder_raises_geopys_query_error_also_a_value_error():
    from geodata.geocoder import GeocoderInputError, parse_point

    for bad in ("north, south", "91, 0", "1 2 3", float("nan")):
        with pytest.raises(GeocoderInputError) as info:
            parse_point(bad)
        assert isinstance(info.value, GeocoderQueryError)
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, ConflictAtlasError)


def test_the_cli_prints_a_refused_input_as_one_line(capsys, monkeypatch):
    """An error the project raised on purpose that no handler caught is one line and exit
    status 2, not a traceback; the handler got the settings main() read."""
    import argparse

    from conflict_atlas import cli

    seen = {}

    def handler(args: argparse.Namespace) -> int:
        seen["settings"] = args.settings
        raise ConflictAtlasError("the store is not a table")

    def build_parser() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser()
        parser.add_argument("-v", "--verbose", action="count", default=0)
        parser.set_defaults(handler=handler, settings=None)
        return parser

    monkeypatch.setattr(cli, "build_parser", build_parser)
    monkeypatch.setenv("CONFLICT_ATLAS_BASEMAP", "carto")
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert err == "error: the store is not a table\n"
    assert seen["settings"].basemap == "carto"
