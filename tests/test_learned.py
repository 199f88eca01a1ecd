"""The learned event classifier: training, the model file, extraction with it, and training
from a store with its review corrections."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conflict_atlas.cli import main
from extract.learned import LearnedClassifier, ModelError, labelled_texts, read_labelled, train

from .test_codebook import CASES


@pytest.fixture(scope="module")
def labelled_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("labelled") / "acled.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["event_date", "event_type", "sub_event_type", "notes"])
        for n in range(3):  # a few spellings of each row
            for text, _lang, event_type, sub in CASES:
                writer.writerow(["2023-01-01", event_type, sub, f"{text} ({n})"])
        writer.writerow(["2023-01-01", "Battles", "Not a sub-event type", "dropped"])
    return path


@pytest.fixture(scope="module")
def model(labelled_csv, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("model") / "events.skops"
    assert main(["train", "events", str(labelled_csv), "--out", str(out)]) == 0
    return out


def test_read_labelled_keeps_known_types(labelled_csv):
    data = read_labelled(labelled_csv)
    assert len(data.texts) == 3 * len(CASES)  # the unknown sub-event type is dropped
    assert len(data.digest) == 64


def test_model_file_records_its_training_data(model, labelled_csv):
    classifier = LearnedClassifier.load(model)
    data = read_labelled(labelled_csv)
    assert classifier.meta["sha256"] == data.digest
    assert classifier.meta["rows"] == len(data.texts)
    assert set(classifier.meta["labels"]) == set(data.labels)
    assert classifier.meta["format"] == 1 and classifier.meta["scikit_learn"]


def test_model_types_what_the_codebook_reads(model):
    from extract.events import SentenceCoder

    coder = SentenceCoder(LearnedClassifier.load(model))
    event = coder.code("Unidentified gunmen abducted 12 farmers in Birnin Gwari.", None, (),
                       "en")
    assert event.sub_event_type.value == "Abduction/forced disappearance"
    # whether a sentence is an event stays the codebook's decision
    assert coder.code("The cyclone hit the coast.", None, (), "en") is None


def test_learned_classifier_overrides_the_rules_where_trained_to(tmp_path):
    """A team that codes every drone attack on a base as an armed clash gets that."""
    from extract.events import SentenceCoder

    rows = [(f"A drone struck an army base in Town{n}.", "Armed clash") for n in range(30)]
    rows += [(f"Protesters marched in Town{n}.", "Peaceful protest") for n in range(30)]
    out = tmp_path / "m.skops"
    train(labelled_texts(rows, "team"), out)
    event = SentenceCoder(LearnedClassifier.load(out)).code(
        "A drone struck an army base in Kidal.", None, (), "en")
    assert (event.event_type.value, event.sub_event_type.value) == ("Battles", "Armed clash")


@pytest.mark.usefixtures("one_extractor")  # the session's extractor (tests/conftest.py)
def test_extract_with_event_model(model, tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text("On 3 May 2023, Russian forces shelled Kherson, killing two civilians.\n",
                       encoding="utf-8")
    out = tmp_path / "events.csv"
    assert main(["extract", str(article), "--out", str(out), "--event-model", str(model),
                 "--no-progress"]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and rows[0]["sub_event_type"] == "Shelling/artillery/missile attack"


def test_bad_model_files_are_refused(tmp_path, capsys):
    bad = tmp_path / "bad.skops"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelError):
        LearnedClassifier.load(bad)
    article = tmp_path / "a.txt"
    article.write_text("Gunmen killed three villagers in Bokkos.\n", encoding="utf-8")
    assert main(["extract", str(article), "--out", str(tmp_path / "e.csv"), "--event-model",
                 str(bad), "--no-progress"]) == 2
    assert "not an event model" in capsys.readouterr().err
    assert main(["extract", str(article), "--out", str(tmp_path / "e.csv"), "--event-model",
                 str(tmp_path / "missing.skops"), "--no-progress"]) == 2


def test_training_needs_two_labels(tmp_path):
    with pytest.raises(ModelError):
        train(labelled_texts([("Protesters marched.", "Peaceful protest")] * 5, "x"),
              tmp_path / "m.skops")
    with pytest.raises(ModelError):
        labelled_texts([("text", "not a type")], "x")


@pytest.mark.usefixtures("one_extractor")
def test_train_from_a_store_with_its_corrections(tmp_path, capsys):
    from dashboard.edits import EditLog
    from extract.store import read_events, write_events

    articles = tmp_path / "articles"
    articles.mkdir()
    for n, (text, _lang, _t, _s) in enumerate(CASES[:20]):
        (articles / f"a{n}.txt").write_text(text.replace("in ", "in Baghdad, near ") + "\n",
                                            encoding="utf-8")
    store = tmp_path / "events.parquet"
    assert main(["extract", str(articles), "--out", str(store), "--no-progress"]) == 0
    events = read_events(store)
    assert len(events) >= 5
    target = events.iloc[0]
    log = EditLog.for_store(store)
    new_sub = "Mob violence" if target["sub_event_type"] != "Mob violence" else "Arrests"
    new_type = "Riots" if new_sub == "Mob violence" else "Strategic developments"
    log.set_fields(target, {"event_type": new_type, "sub_event_type": new_sub}, who="t")
    log.discard(events.iloc[1]["event_id"], reason="not an event", who="t")
    model = tmp_path / "m.skops"
    assert main(["train", "events", str(store), "--out", str(model)]) == 0
    meta = LearnedClassifier.load(model).meta
    assert meta["rows"] == len(events) - 1  # the discarded event is no training row
    assert new_sub in meta["labels"]
    write_events(events, tmp_path / "copy.csv")  # the store itself is untouched
    assert json.loads(json.dumps(meta))["source"].endswith("events.parquet")
