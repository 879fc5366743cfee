# The two README commands: `make demo` and `make test`. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-hostile lint typecheck unit docs bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dynaguard demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

# The slow part of the hostile-input suite (tests/hostile, marker hostile_slow): CI runs it after
# `make test`, except the scan of every generated spec and server one by one in a child process
# (20 minutes on 2 cores), which bench/hostile.py runs with the rest of the campaign.
test-hostile: $(STAMP)
	$(BIN)/pytest -q -m hostile_slow tests/hostile \
		-k "not test_every_spec_case and not test_every_server_case"

docs: $(STAMP)
	$(BIN)/python -m dynaguard.docgen docs/rules

bench: $(STAMP)
	$(BIN)/python bench/static_speed.py

# Headless Chromium for tests/browser (Debian package, needs root). CI runs it before `make test`;
# without chromium those tests skip locally and fail when CI is set.
.PHONY: browser-deps
browser-deps:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# redis-server for tests/monitor's Redis queue (Debian package, needs root), like browser-deps.
# CI runs it before `make test`; without it those tests skip locally and fail when CI is set.
.PHONY: redis-deps
redis-deps:
	command -v redis-server >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server)

clean:
	rm -rf $(VENV) build dist *.egg-info
