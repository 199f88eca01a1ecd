# Conflict Atlas — every set-up step lives here. Quickstart: `make run`, `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
STORE  ?= data/events.parquet
PORT   ?= 8501

.PHONY: setup component gazetteer sample run serve test bench screenshots lint clean

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
	$(PY) -m pip install --quiet -e '.[test,dev]'
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

bench: gazetteer
	$(PY) bench/bench_geocode.py
	$(PY) bench/bench_extract.py
	$(PY) bench/bench_dashboard.py

screenshots: sample
	$(PY) docs/make_screenshots.py $(STORE)

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache $(FRONTEND)/node_modules dashboard/deckmap/static
