# nlen — Dutch→English translation and alignment.
# `make translate` and `make test` do all set-up themselves on a fresh machine.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
NLEN   := $(VENV)/bin/nlen
STAMP  := $(VENV)/.installed

MODEL  ?= Helsinki-NLP/opus-mt-nl-en
IN     ?= corpus/nl
OUT    ?= corpus/parallel
ARGS   ?=

.PHONY: install translate test clean

install: $(STAMP)

# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

translate: install
	$(NLEN) translate $(IN) --out-dir $(OUT) --model $(MODEL) $(ARGS)

test: install
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q tests

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
