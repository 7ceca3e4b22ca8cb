# The two set-up commands of the README are `make demo` (the main job, offline) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-slow test-faults lint bench services train ocr browser

$(BIN)/miner: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

services:
	scripts/services.sh

lint: $(BIN)/miner
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(BIN)/miner services lint
	$(BIN)/pytest -q

test-slow: $(BIN)/miner services
	$(BIN)/pytest -q -m slow

# Outages mid-run (private PostgreSQL and Redis servers, stopped and killed): docs/reliability.md.
test-faults: $(BIN)/miner services
	$(BIN)/pytest -q -s -m faults tests/crawl/test_faults_slow.py

demo: $(BIN)/miner
	scripts/demo.sh

bench: $(BIN)/miner
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

train: $(BIN)/miner
	$(BIN)/python -m miner.analyse.train

# Optional: Tesseract for scanned PDF pages (without it, scans are reported as "needs OCR").
ocr:
	command -v tesseract >/dev/null || (apt-get update -qq && apt-get install -y -qq tesseract-ocr tesseract-ocr-nld tesseract-ocr-fra)

# Optional: headless Chromium and its driver for the web app's browser tests (without them those tests
# are skipped with the reason). Debian's packages: no browser is downloaded by the tests.
browser:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver)
