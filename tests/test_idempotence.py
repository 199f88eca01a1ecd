"""Re-reading a story adds nothing: under another file name without a URL, or with a line
break inserted mid-sentence (the real extractor, the bundled sample)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from extract.pipeline import Extractor, run_pipeline
from extract.store import EventStore

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "articles"
# sample stories where a line break in the middle of a sentence changed the coding (the
# sentence is cut in two, so its date moves): event ids alone could not tell it is the same
ARTICLES = ("en06_kirkuk_roadside_bomb", "en12_jurf_al_nasr_drone", "fr07_arrestations_ninive")


# the session's extractor (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("one_extractor")


def _bare_copy(name: str, folder: Path, new_name: str) -> Path:
    """The article's text alone (no sidecar: no URL, no title), under another name."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / new_name
    shutil.copyfile(SAMPLE / f"{name}.txt", path)
    return path


def _rewrapped(text: str) -> list[str]:
    """The text with a line break in place of the middle space of each sentence."""
    out = []
    for m in re.finditer(r"[^.!?\n]{40,}[.!?]", text):
        spaces = [i for i, ch in enumerate(m.group()) if ch == " "]
        if len(spaces) > 4:
            pos = m.start() + spaces[len(spaces) // 2]
            out.append(text[:pos] + "\n" + text[pos + 1:])
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", ARTICLES)
def test_another_name_or_a_new_line_break_adds_nothing(name: str, extractor: Extractor,
                                                      tmp_path: Path) -> None:
    store = EventStore(tmp_path / "events.parquet")
    day = dt.date(2024, 3, 10)
    first = _bare_copy(name, tmp_path / "a", f"{name}.txt")
    added = store.append(run_pipeline([first], published=day, extractor=extractor).events)
    assert added.added > 0
    renamed = _bare_copy(name, tmp_path / "b", "same story, another name.txt")
    assert store.append(run_pipeline([renamed], published=day,
                                     extractor=extractor).events).added == 0
    variants = _rewrapped(first.read_text(encoding="utf-8"))
    assert variants
    for i, text in enumerate(variants):
        path = tmp_path / "c" / f"wrapped{i}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result = run_pipeline([path], published=day, extractor=extractor)
        assert store.append(result.events).added == 0, text
    # both copies in one run: coded once
    both = run_pipeline([first, renamed], published=day, extractor=extractor)
    assert len(both.events) == added.added
    assert store.read()["event_id"].is_unique and len(store.read()) == added.added
