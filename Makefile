# backstride: the two commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint setup clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

## The main job: the whole journey on the synthetic demo runner (import, check, plan, reports).
demo: $(STAMP)
	$(BIN)/backstride demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

## Every test: lint, types, then pytest on SQLite and (when it can be started) PostgreSQL.
test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	BACKSTRIDE_TEST_POSTGRES_URL="$${BACKSTRIDE_TEST_POSTGRES_URL:-$$(bash scripts/pg-test-server.sh 2>/dev/null)}" \
	BACKSTRIDE_CHROMIUM="$${BACKSTRIDE_CHROMIUM:-$$(bash scripts/ensure-chromium.sh 2>/dev/null)}" \
		$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
