# Two commands matter (see README): `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install-parent setup setup-test run test test-python test-extension mutation-check browsers postgres node-check node-deps bench bench-hub pack rules-bundle model clean

setup: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

setup-test: $(VENV)/.installed-test

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test]'
	touch $@

## Install and run the companion with the bundled default rules.
run: setup
	@echo "The himaya command of this setup is $(CURDIR)/$(VENV)/bin/himaya (for example: $(VENV)/bin/himaya pair,"
	@echo "$(VENV)/bin/himaya status). For a family computer, install it for the account instead, with"
	@echo "'himaya' on PATH and a start at login: sh scripts/install-parent.sh (docs/INSTALL.md)."
	$(VENV)/bin/himaya serve

## Install everything (Python, Node and browser packages, PostgreSQL) and run every test, then
## check that every documented refusal is caught by a test (scripts/mutation_check.py).
test: setup-test browsers postgres node-deps test-python test-extension mutation-check

## pytest beside a throw-away PostgreSQL cluster (HIMAYA_TEST_PG), so the hub is tested on both databases.
test-python: setup-test
	bash scripts/with-postgres.sh $(PY) -m pytest

test-extension: node-deps
	node --test tests/extension/

## Remove each documented refusal in turn; fails if the tests still pass without it.
mutation-check: setup-test
	$(PY) scripts/mutation_check.py --no-baseline

browsers:
	bash scripts/install-browsers.sh

## The test tools (jsdom, web-ext) need Node.js 20.19+, 22.13+ or 24+; say so plainly otherwise.
NODE_MIN_TEXT := Node.js 20.19 or newer (20.19+, 22.13+ or 24+)
node-check:
	@node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit((a === 20 && b >= 19) || (a === 22 && b >= 13) || a >= 24 ? 0 : 1)' 2>/dev/null || { \
	  echo "make test needs $(NODE_MIN_TEXT) and npm; found: $$(node --version 2>/dev/null || echo no node)."; \
	  echo "  Debian 13 (trixie) or later:  sudo apt-get install nodejs npm"; \
	  echo "  Debian 12, Ubuntu 24.04 (they ship Node 18): install Node.js 22 LTS from https://nodejs.org/en/download"; \
	  echo "  (make run and make pack work without it; make pack needs Node 18 or newer)"; \
	  exit 1; }

node-deps: node-check node_modules/.installed

postgres:
	bash scripts/install-postgres.sh

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

bench: setup-test browsers node-deps
	$(VENV)/bin/himaya bench
	$(PY) bench/bench_http.py
	$(PY) bench/bench_feed.py
	$(PY) bench/cold_scan_bench.py
	$(PY) bench/message_floor.py

## The hub's figures (intake with a SIGKILL, queue and network pages) on SQLite and PostgreSQL.
bench-hub: setup-test postgres
	bash scripts/with-postgres.sh $(PY) bench/bench_hub.py --json

## The extension packages for parents: dist/himaya-chromium.zip and dist/himaya-firefox.xpi
## (Node.js 18 or newer, no npm packages).
pack:
	node scripts/pack-extension.js

## Rebuild the shipped default list after changing rules/ (a test fails while it is stale).
rules-bundle: setup
	$(VENV)/bin/himaya rules build rules --out server/himaya/data/default-bundle

## Train the shipped model (docs/MODEL.md): the training corpora, the blind probes it may learn
## from (probe1 to probe80; the newer ones only measure it) and the rules' own tests. ~20 minutes.
TRAIN_PROBES := $(foreach i,$(shell seq 1 80),tests/fixtures/eval/probe$(i).jsonl)
model: setup-test
	$(VENV)/bin/himaya model train rules/training/*.jsonl $(TRAIN_PROBES) --rule-tests rules --out rules/model

clean:
	rm -rf $(VENV) node_modules build *.egg-info server/*.egg-info

## The parent install (Linux, macOS): a private environment, `himaya` on PATH, start at login.
install-parent:
	sh scripts/install-parent.sh
