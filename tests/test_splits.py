"""The committed dev/test splits of the geoparsing corpora and the harness's --split."""

from __future__ import annotations

import json

import pytest

from conflict_atlas.cli import main
from evaluation.corpora import read_corpus
from evaluation.splits import SPLITS_DIR, SplitError, make_split, read_split, select, write_split


def test_make_split_is_reproducible_and_blind_to_order():
    ids = [str(i) for i in range(101)]
    split = make_split(ids)
    assert split == make_split(list(reversed(ids)))
    assert sum(v == "dev" for v in split.values()) == 50
    assert set(split.values()) == {"dev", "test"}
    # Not the file order: a hash order mixes early and late documents into both parts.
    assert {split[str(i)] for i in range(10)} == {"dev", "test"}


def test_make_split_refuses_repeated_ids():
    with pytest.raises(SplitError, match="repeat"):
        make_split(["a", "b", "a"])


def test_select_checks_the_split_fits_the_corpus(tmp_path):
    path = tmp_path / "c.tsv"
    write_split(path, {"a": "dev", "b": "test"}, "c.xml")
    assert read_split(path) == {"a": "dev", "b": "test"}
    assert select(["a", "b"], "c.xml", "dev", path) == {"a"}
    with pytest.raises(SplitError, match="in no part"):
        select(["a", "b", "z"], "c.xml", "test", path)
    with pytest.raises(SplitError, match="no committed split"):
        select(["a"], tmp_path / "other.xml", "dev")
    with pytest.raises(SplitError, match="unknown split"):
        select(["a"], "c.xml", "train", path)


@pytest.mark.parametrize("name", ["GWN.xml", "TR-News.xml"])
def test_committed_split_covers_the_corpus(shared_dir, name):
    corpus = read_corpus(shared_dir / "eval" / name)
    ids = [d.doc_id for d in corpus.documents]
    split = read_split(SPLITS_DIR / f"{name[:-4].lower()}.tsv")
    assert set(split) == set(ids)
    assert split == make_split(ids)  # the committed file is what the script makes
    dev = select(ids, name, "dev")
    test = select(ids, name, "test")
    assert dev and test and not dev & test and len(dev) + len(test) == len(ids)


def test_eval_split_scores_only_that_part(tmp_path, capsys):
    corpus = tmp_path / "tiny.xml"
    corpus.write_text(
        "<articles>"
        "<article docid='1'><text>Mosul is in Iraq.</text><toponyms><toponym><phrase>Mosul"
        "</phrase><start>0</start><end>5</end><gaztag geonameid='99072'><lat>36.335</lat>"
        "<lon>43.119</lon></gaztag></toponym></toponyms></article>"
        "<article docid='2'><text>Erbil is in Iraq.</text><toponyms><toponym><phrase>Erbil"
        "</phrase><start>0</start><end>5</end><gaztag geonameid='95446'><lat>36.19</lat>"
        "<lon>44.01</lon></gaztag></toponym></toponyms></article></articles>",
        encoding="utf-8")
    split = tmp_path / "tiny.tsv"
    write_split(split, {"1": "dev", "2": "test"}, "tiny.xml")
    assert main(["eval", "geoparse", str(corpus), "--resolver", "baseline", "--json",
                 "--no-progress", "--no-country-lookup", "--split", "test",
                 "--split-file", str(split)]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["split"] == "test" and out["n"] == 1 and out["corpus"]["documents"] == 1
    assert main(["eval", "geoparse", str(corpus), "--split", "dev", "--no-progress"]) == 2
    assert "no committed split" in capsys.readouterr().err
