"""Committed development / test splits of the geoparsing corpora, by document id.

Every public corpus the resolver is measured on is split once, by document, into a part we
develop on (``dev``) and a part we only test on (``test``); the splits are committed under
``evaluation/data/splits/<corpus>.tsv`` (document ids only, never text) so that every run, here
and in CI, scores the same documents. Floors in ``tests/`` read the test split; error
analysis and tuning read the dev split.

A split is made by hashing each document id with a fixed salt and sending the first half of
the ids in hash order to ``dev``: reproducible, independent of the file's order, and blind to
the documents' content. ``python -m evaluation.splits make CORPUS.xml`` writes the file; it never
changes an existing one unless asked (``--force``), because a split that moves is no split.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

from conflict_atlas_core.errors import ConflictAtlasError

SPLITS_DIR = Path(__file__).resolve().parent / "data" / "splits"
SPLIT_NAMES = ("dev", "test")
SALT = "conflict-atlas-split-1"
DEV_SHARE = 0.5


class SplitError(ConflictAtlasError, ValueError):
    """No committed split for a corpus, or one that does not fit its documents."""


def corpus_key(path: str | Path) -> str:
    """The split file's name for a corpus file: its stem, lower-cased ("GWN.xml" -> "gwn")."""
    return Path(path).stem.lower()


def split_path(corpus: str | Path) -> Path:
    return SPLITS_DIR / f"{corpus_key(corpus)}.tsv"


def make_split(doc_ids: Sequence[str], dev_share: float = DEV_SHARE) -> dict[str, str]:
    """``{doc_id: "dev" | "test"}``: the first ``dev_share`` of the ids in salted-hash order
    go to dev."""
    unique = sorted(set(doc_ids))
    if len(unique) != len(doc_ids):
        raise SplitError("document ids repeat: a split by id needs unique ids")
    ordered = sorted(unique, key=lambda d: hashlib.sha256(f"{SALT}:{d}".encode()).hexdigest())
    n_dev = round(dev_share * len(ordered))
    return {d: ("dev" if i < n_dev else "test") for i, d in enumerate(ordered)}


def read_split(path: str | Path) -> dict[str, str]:
    """A split file: ``doc_id<TAB>dev|test`` lines, ``#`` comments."""
    out: dict[str, str] = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        doc_id, sep, part = line.rstrip("\n").partition("\t")
        if not sep or part not in SPLIT_NAMES:
            raise SplitError(f"{path}:{n}: expected 'doc_id<TAB>dev|test', got {line!r}")
        out[doc_id] = part
    return out


def write_split(path: str | Path, split: dict[str, str], corpus_name: str) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    counts = {s: sum(v == s for v in split.values()) for s in SPLIT_NAMES}
    lines = [(f"# {corpus_name}: development / test split by document id "
              f"(extract/splits.py, salt {SALT!r}); dev {counts['dev']}, test {counts['test']}"),
             *(f"{d}\t{s}" for d, s in sorted(split.items()))]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")


def select(doc_ids: Sequence[str], corpus: str | Path, part: str,
           split_file: str | Path | None = None) -> set[str]:
    """The ids of ``part`` of the corpus. Raises :class:`SplitError` when the corpus has no
    committed split, or when its documents and the split's disagree (another version of
    the file: scoring it would silently mix the parts)."""
    if part not in SPLIT_NAMES:
        raise SplitError(f"unknown split {part!r}; use {' or '.join(SPLIT_NAMES)}")
    path = Path(split_file) if split_file else split_path(corpus)
    if not path.is_file():
        raise SplitError(f"no committed split for {corpus} (looked for {path}); make one with "
                         "`python -m evaluation.splits make CORPUS.xml`")
    split = read_split(path)
    missing = set(doc_ids) - set(split)
    if missing:
        raise SplitError(f"{len(missing)} documents of {corpus} are in no part of {path} "
                         f"(e.g. {sorted(missing)[:3]}): not the corpus the split was made for")
    return {d for d in doc_ids if split[d] == part}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.splits", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make", help="write the split file of a corpus")
    make.add_argument("corpus", help="corpus XML (any format evaluation.corpora reads)")
    make.add_argument("--out", default=None, help="default: evaluation/data/splits/<stem>.tsv")
    make.add_argument("--force", action="store_true", help="replace an existing split")
    args = parser.parse_args(argv)
    from evaluation.corpora import read_corpus

    corpus = read_corpus(args.corpus)
    out = Path(args.out) if args.out else split_path(args.corpus)
    if out.exists() and not args.force:
        print(f"error: {out} exists; a committed split must not move (use --force)",
              file=sys.stderr)
        return 2
    split = make_split([d.doc_id for d in corpus.documents])
    write_split(out, split, Path(args.corpus).name)
    print(f"wrote {out}: {sum(v == 'dev' for v in split.values())} dev, "
          f"{sum(v == 'test' for v in split.values())} test documents")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
