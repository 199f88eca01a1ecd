# Conflict Atlas — every set-up step lives here. Quickstart: `make run`, `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
STORE  ?= data/events.parquet
PORT   ?= 8501

.PHONY: setup component gazetteer sample run serve test fuzz bench screenshots lint clean

# the map component (deck.gl in a Streamlit component): built from the npm packages pinned in
# its package-lock.json; nothing is fetched when the app runs
FRONTEND  := dashboard/deckmap/frontend
COMPONENT := dashboard/deckmap/static/deckmap.js

setup: $(STAMP) $(COMPONENT)

component: $(COMPONENT)

$(COMPONENT): $(FRONTEND)/package.json $(FRONTEND)/package-lock.json $(FRONTEND)/build.mjs $(wildcard $(FRONTEND)/src/*)
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error && npm run build

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

# Two pytest-xdist workers (the 2 cores of the reference machine; work stealing evens out
# the long browser, cluster and database tests). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: sample
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal

# The readers' fuzz targets with FUZZ_SCALE times the examples of `make test` (20: about
# five minutes on 2 cores), each target bounded by FUZZ_SECONDS. Results: docs/reliability.md.
FUZZ_SCALE   ?= 20
FUZZ_SECONDS ?= 600
fuzz: setup
	for target in $$($(PY) -m pytest tests/test_fuzz_readers.py --collect-only -q | grep ::); do \
		CONFLICT_ATLAS_FUZZ_SCALE=$(FUZZ_SCALE) timeout $(FUZZ_SECONDS) $(PY) -m pytest "$$target" \
			-q -p no:cacheprovider --hypothesis-show-statistics || exit 1; \
	done

bench: gazetteer
	$(PY) bench/bench_geocode.py
	$(PY) bench/bench_extract.py
	$(PY) bench/bench_dashboard.py
	$(PY) bench/bench_learned.py

screenshots: sample
	$(PY) docs/make_screenshots.py $(STORE)

# ruff (default rules + bugbear, complexity, pyupgrade, import order) and mypy on extract,
# geodata and dashboard; both configured in pyproject.toml
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache $(FRONTEND)/node_modules dashboard/deckmap/static
