# Conflict Atlas — every set-up step lives here. Quickstart: `make run`, `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
STORE  ?= data/events.parquet
PORT   ?= 8501

.PHONY: setup gazetteer sample run serve test fuzz bench screenshots lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dashboard,build,eval,test,dev]'
	touch $@

# Builds the gazetteer index once (kept in the user cache, see README); a no-op when present.
gazetteer: setup
	$(BIN)/conflict-atlas geodata build --if-missing

sample: gazetteer
	$(BIN)/conflict-atlas extract examples/articles --out $(STORE)

run: sample
	$(BIN)/conflict-atlas serve $(STORE) --port $(PORT)

serve: setup
	$(BIN)/conflict-atlas serve $(STORE) --port $(PORT)

test: sample
	$(PY) -m pytest

# The readers' fuzz targets with a hundred times the examples of `make test` (about ten
# minutes on 2 cores; the timeout bounds it). Results: docs/reliability.md.
fuzz: setup
	CONFLICT_ATLAS_FUZZ_SCALE=100 timeout 1800 $(PY) -m pytest tests/test_fuzz_readers.py -q \
		-p no:cacheprovider --hypothesis-show-statistics

bench: gazetteer
	$(PY) bench/bench_geocode.py
	$(PY) bench/bench_extract.py
	$(PY) bench/bench_dashboard.py

screenshots: sample
	$(PY) docs/make_screenshots.py $(STORE)

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
