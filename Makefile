# Two commands matter (see README): `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup setup-test run test test-python test-extension browsers node-deps bench pack rules-bundle clean

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
	$(VENV)/bin/himaya serve

## Install everything (Python, Node and browser packages) and run every test.
test: setup-test browsers node-deps test-python test-extension

test-python: setup-test
	$(PY) -m pytest

test-extension: node-deps
	node --test tests/extension/

browsers:
	bash scripts/install-browsers.sh

node-deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

bench: setup-test browsers node-deps
	$(VENV)/bin/himaya bench
	$(PY) bench/bench_http.py
	$(PY) bench/bench_feed.py

## The extension packages for parents: dist/himaya-chromium.zip and dist/himaya-firefox.xpi.
pack: node-deps
	node scripts/pack-extension.js

## Rebuild the shipped default list after changing rules/ (a test fails while it is stale).
rules-bundle: setup
	$(VENV)/bin/himaya rules build rules --out server/himaya/data/default-bundle

clean:
	rm -rf $(VENV) node_modules build *.egg-info server/*.egg-info
