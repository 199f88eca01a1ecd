"""The extraction run around the extractor: one article's failure, the rejects file, side
files when the output cannot be written."""

from __future__ import annotations

import csv
import os
import threading
from pathlib import Path

import pandas as pd
import pytest

from extract import run_extract
from extract.pipeline import ArticleEvents, run_pipeline
from extract.readers import Article, Rejected
from extract.store import EventStore, read_events
from tests.test_store import frame

# `conflict-atlas extract` here codes with the session's extractor (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("one_extractor")


class FailsOn:
    """An extractor whose ``extract`` raises ``error`` for articles whose text has ``word``
    (a bug of a kind no one listed), and codes nothing otherwise."""

    def __init__(self, word: str, error: Exception) -> None:
        self.word, self.error = word, error

    def extract_all(self, article: Article) -> ArticleEvents:
        if self.word in article.text:
            raise self.error
        return ArticleEvents([])


@pytest.mark.parametrize("error", [ZeroDivisionError("division by zero"),
                                   AttributeError("'NoneType' object has no attribute 'x'"),
                                   AssertionError("place is None"), LookupError("x"),
                                   RecursionError("deep")])
@pytest.mark.parametrize("jobs", [1, 2])
def test_one_articles_unexpected_error_is_a_reject_and_the_run_goes_on(
        tmp_path: Path, error: Exception, jobs: int) -> None:
    for i in range(4):
        (tmp_path / f"a{i}.txt").write_text(f"Article {i} {'BROKEN' if i == 2 else ''}.",
                                            encoding="utf-8")
    result = run_pipeline([tmp_path], extractor=FailsOn("BROKEN", error), jobs=jobs)
    assert result.n_articles == 4
    assert [Path(r.path).name for r in result.rejected] == ["a2.txt"]
    assert result.rejected[0].reason.startswith(f"extraction failed: {type(error).__name__}")


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_runs_on_one_output_keep_each_others_rejects(tmp_path: Path) -> None:
    out = tmp_path / "events.parquet"
    barrier = threading.Barrier(4)

    def run(i: int) -> None:
        barrier.wait()
        run_extract._report_rejects([Rejected(f"run{i}/bad{j}.txt", "empty file")
                                     for j in range(50)], out)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run_extract._report_rejects([], out)  # a run without rejects deletes nothing
    rows = _rows(out.with_name("events.parquet.rejects.csv"))
    assert rows[0] == run_extract.REJECTS_HEADER
    assert sorted(r[2] for r in rows[1:]) == sorted(f"run{i}/bad{j}.txt" for i in range(4)
                                                    for j in range(50))


def test_rejected_file_names_are_spreadsheet_safe(tmp_path: Path) -> None:
    out = tmp_path / "events.parquet"
    run_extract._report_rejects([Rejected("report\r=cmd|' /C calc'!A0.txt", "binary")], out)
    rows = _rows(out.with_name("events.parquet.rejects.csv"))
    assert len(rows) == 2 and rows[1][2] == "report\r=cmd|' /C calc'!A0.txt"


def test_events_that_cannot_be_stored_go_to_a_side_file(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be", encoding="utf-8")
    out = blocker / "events.parquet"
    events = frame(3)
    run_extract._keep_aside(events, out, NotADirectoryError(20, "Not a directory"))
    err = capsys.readouterr().err
    assert "could not be written" in err and "--pending" in err
    side = Path(err.split("kept in ")[1].split(";")[0])
    assert side.parent == Path(os.environ["XDG_DATA_HOME"]) / "conflict-atlas" / "pending"
    try:
        pd.testing.assert_frame_equal(read_events(side), events)
        store = tmp_path / "store" / "events.parquet"
        from conflict_atlas.cli import main

        assert main(["store", "repair", str(store), "--pending", str(side)]) == 0
        assert len(EventStore(store).read()) == 3 and not side.exists()
    finally:
        side.unlink(missing_ok=True)
