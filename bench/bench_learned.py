"""Learned event classifier: our pipeline against a plain TF-IDF + linear SVM, in one run.

Data: the UCDP GED rows of ``../shared/data/ucdp_ged_subset.parquet`` that carry a headline
(real reporting), one per GED id; the label is UCDP's violence type (state-based, non-state,
one-sided), the only coding of these rows that a text can be typed by. Rows are split by
``evaluation.reports.split_of`` (the same fixed 30% test share everywhere): both models are
trained on the development rows and scored on the test rows.

- baseline: ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)`` + ``LinearSVC``;
- learned: ``extract.learned.EventModel`` (word and character TF-IDF beside the codebook's
  reading of each text: cue kinds, party roles, its own type), the model ``conflict-atlas
  train events`` fits;
- codebook: the default classifier with no training, its ACLED coding mapped to a violence
  type (``evaluation.reports``), for reference;
- training time of ``train()`` on 20,000 rows (development rows resampled), and the cost of
  ``--event-model`` in extraction: ``Extractor.extract`` over 300 test headlines and over the
  bundled sample's articles (twice), with the codebook, then with the trained model, in the
  same process (both warmed up first).

Nothing of the data is written to the repository. Run:
``.venv/bin/python bench/bench_learned.py [--json]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GED = REPO.parent / "shared" / "data" / "ucdp_ged_subset.parquet"
VIOLENCE = {1: "state-based", 2: "non-state", 3: "one-sided"}


def scores(gold: list[str], pred: list[str]) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return {"accuracy": round(float(accuracy_score(gold, pred)), 4),
            "macro_f1": round(float(f1_score(gold, pred, average="macro")), 4),
            "weighted_f1": round(float(f1_score(gold, pred, average="weighted")), 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not GED.is_file():
        print(f"skipped: {GED} is absent (../shared beside the checkout)", file=sys.stderr)
        return 0

    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    from evaluation.reports import _violence_type, read_ucdp, split_of
    from extract.learned import EventModel, Featurizer, labelled_texts, train
    from extract.pipeline import Extractor
    from extract.readers import Article, iter_articles

    reports = [r for r in read_ucdp(GED) if r.violence_type in VIOLENCE]
    dev = [r for r in reports if split_of(r.corpus, r.id) == "dev"]
    test = [r for r in reports if split_of(r.corpus, r.id) == "test"]
    y_dev = [VIOLENCE[r.violence_type] for r in dev]
    y_test = [VIOLENCE[r.violence_type] for r in test]
    out: dict[str, object] = {"rows_dev": len(dev), "rows_test": len(test)}

    baseline = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                             LinearSVC())
    t0 = time.perf_counter()
    baseline.fit([r.text for r in dev], y_dev)
    out["baseline_fit_s"] = round(time.perf_counter() - t0, 1)
    out["baseline"] = scores(y_test, list(baseline.predict([r.text for r in test])))

    featurizer = Featurizer()
    t0 = time.perf_counter()
    r_dev = featurizer.readings([r.text for r in dev])
    r_test = featurizer.readings([r.text for r in test])
    out["read_s"] = round(time.perf_counter() - t0, 1)
    learned = EventModel().fit([r.text for r in dev], r_dev, y_dev)
    out["learned"] = scores(y_test, learned.predict([r.text for r in test], r_test))

    extractor = Extractor(language="en")

    def extract_all(rows, ex):
        events = []
        for r in rows:
            article = Article(f"ged#{r.id}", r.text, None, None, r.published, "ged", "en",
                              f"ged#{r.id}", "txt")
            events.append(ex.extract(article))
        return events

    predicted = extract_all(test, extractor)
    codebook = [VIOLENCE.get(_violence_type(max(ev, key=lambda e: e.confidence)), "none")
                if ev else "none" for ev in predicted]
    out["codebook_no_training"] = scores(y_test, codebook)

    # Training time at 20,000 rows labelled with ACLED sub-event types: the development rows,
    # resampled, each with the codebook's own sub-event type (as many classes as real data).
    labels = [_rule_label(tokens) for tokens in r_dev]
    rng = np.random.default_rng(0)
    picks = rng.choice(len(dev), size=20_000, replace=True)
    rows = [(dev[i].text + f" #{n}", labels[i]) for n, i in enumerate(picks)]
    out["train_20k_labels"] = len({labels[i] for i in picks})
    data = labelled_texts(rows, "bench")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        train(data, Path(tmp) / "m.skops", featurizer=featurizer)
        out["train_20k_s"] = round(time.perf_counter() - t0, 1)
        with_model = Extractor(language="en", event_model=Path(tmp) / "m.skops")
        sample = test[:300]
        articles = [a for a in iter_articles([REPO / "examples" / "articles"])
                    if isinstance(a, Article)] * 2
        for name, run in (("headlines_300", lambda ex: extract_all(sample, ex)),
                          ("sample_articles_60", lambda ex: [ex.extract(a) for a in articles])):
            run(extractor), run(with_model)  # warm up both
            t0 = time.perf_counter()
            run(extractor)
            plain = time.perf_counter() - t0
            t0 = time.perf_counter()
            run(with_model)
            model_s = time.perf_counter() - t0
            out[f"extract_{name}_codebook_s"] = round(plain, 2)
            out[f"extract_{name}_model_s"] = round(model_s, 2)
            out[f"model_overhead_{name}"] = round(model_s / plain - 1, 3)
    if args.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key:>24}: {value}")
    return 0


def _rule_label(tokens: str) -> str:
    """The codebook's sub-event type in a reading ("rule:Armed_clash"), "Armed clash" when
    it coded nothing."""
    rule = next((t for t in tokens.split() if t.startswith("rule:")), "rule:none")
    return "Armed clash" if rule == "rule:none" else rule[5:].replace("_", " ")


if __name__ == "__main__":
    raise SystemExit(main())
