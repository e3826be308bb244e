# goodwill: every command a developer or CI needs. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO := demo-workspace

.PHONY: install demo test test-fast lint bench bench-scale fuzz docs clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' Makefile | sed 's/:.*## /\t/'

install: $(STAMP)  ## create .venv with goodwill, its pinned dependencies and the dev tools

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install  ## import, enrich and review the bundled fictional sample, then serve the care desk
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	cp examples/sample/goodwill.toml $(DEMO)/goodwill.toml
	cd $(DEMO) && ../$(BIN)/goodwill import ../examples/sample/posts.jsonl
	cd $(DEMO) && ../$(BIN)/goodwill enrich --stored
	cd $(DEMO) && ../$(BIN)/goodwill stats
	cd $(DEMO) && ../$(BIN)/goodwill queue --limit 15
	bash scripts/demo-desk.sh $(DEMO)

lint: install  ## ruff (lint and format) and mypy --strict on the package
	$(BIN)/ruff check src tests bench train examples
	$(BIN)/ruff format --check src tests bench train examples
	$(BIN)/mypy src/goodwill

test: install lint  ## lint, then the whole test suite (slow tests included), on SQLite and PostgreSQL
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -n 2 -q

test-fast: install  ## the tests without the slow ones
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

bench: install  ## accuracy and speed against baselines measured in the same run
	$(BIN)/python bench/run.py

bench-scale: install  ## SQLite vs PostgreSQL, Dask 1 vs 2 workers, peak RSS (POSTS=1000000 for the full run), Jetstream replay
	bash scripts/ensure-postgres.sh
	$(BIN)/python bench/bench_scale.py --posts $(or $(POSTS),100000)
	$(BIN)/python bench/bench_firehose.py

fuzz: install  ## mutate every source's recorded payloads and fuzz the enrich contract (EXAMPLES=100000 each)
	nice -n 10 $(BIN)/python tests/fuzz/harness.py --examples $(or $(EXAMPLES),100000) --jobs 2 --json build/fuzz/summary.json

docs: install  ## regenerate docs/cli.md from the commands' --help
	$(BIN)/python -m goodwill.cli.reference > docs/cli.md

clean:  ## remove the virtualenv, caches and the demo workspace
	rm -rf $(VENV) $(DEMO) .mypy_cache .ruff_cache .pytest_cache .hypothesis
