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
SET    ?= seed
MODELS ?= $(MODEL)

.PHONY: install translate eval compare test bench clean

install: $(STAMP)

# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(PY) -m pip install -q -e '.[dev,plots,ray,extract]'
	@# compile the aligner's numba kernels once (about 15 s), so no run pays for it
	$(PY) -c "import pipeline.align as a; a.compile_kernels()"
	touch $(STAMP)

translate: install
	$(NLEN) translate $(IN) --out-dir $(OUT) --model $(MODEL) $(ARGS)

# Score MODEL on a reference set (SET=seed|news hand-made, flores|tatoeba standard, or a path);
# report in eval/reports/. On flores/tatoeba it scores as the published leaderboard does.
eval: install
	$(NLEN) eval --set $(SET) --model $(MODEL) $(ARGS)

# Compare models on the same reference: make compare MODELS="A B ..." (each MODEL[@BACKEND][#REVISION]);
# fills the measured columns of models/README.md for models with published scores on SET.
compare: install
	$(NLEN) compare $(MODELS) --set $(SET) --fill-readme models/README.md $(ARGS)

# The review page's browser tests drive Debian's chromium (apt-get install chromium; .ci/run
# installs it); playwright never downloads a browser of its own.
test: install
	@command -v chromium >/dev/null 2>&1 || echo "make test: no browser (Debian's chromium is not installed): the review page's browser tests are skipped"
	$(VENV)/bin/ruff check pipeline
	$(VENV)/bin/mypy
	HF_HUB_OFFLINE=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(PY) -m pytest -q tests

# Throughput: naive baseline vs nlen (transformers, ctranslate2) vs raw CTranslate2, and the
# aligner alone, on opus-mt-nl-en-shaped models (random weights, and a copy model whose output
# keeps its sentences), the ctranslate2 CPU layout × batch size sweep the defaults come from, and
# the Ray executor against the local one; writes eval/reports/bench.md. ARGS=--quick for a smoke test.
bench: install
	HF_HUB_OFFLINE=1 $(PY) bench/bench.py $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
