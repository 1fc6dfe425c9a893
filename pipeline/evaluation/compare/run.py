"""Model comparison: every model on the same input, scored, tested against the first.

Models are loaded one at a time and freed (close(), then garbage collection)
before the next is loaded. For each model this measures, in the same run:

* speed: Dutch sentences/s and target tokens/s over the translation calls only
  (model loading and one warm-up call on the shortest paragraph excluded);
  target tokens are those the backend counts as it generates (`counters.target_tokens`:
  the generated ids, end token included, padding excluded), not a re-tokenisation
  of the English;
* memory: peak resident set size (RSS) of this process while the model was
  loaded and translating. Set up beforehand, so that no model pays for them
  because it came first: the backend's libraries and the core's (sentence
  splitter, aligner, py3langid; see warm_libraries); the first model of each
  backend is loaded and translates one paragraph once, unmeasured (the
  backend's thread pools and allocator); a CTranslate2 model is loaded once
  before, so a first conversion is not counted. Measured
  with the peak counter reset before each model through
  /proc/self/clear_refs (Linux); where that is impossible the process-wide
  ru_maxrss is reported and marked as not reset. On CUDA also
  torch.cuda.max_memory_allocated. RSS freed by one model is not always handed
  back to the OS, so `rss_before_mb` is reported beside the peak;
* size on disk: the files of the local directory or of the hub cache snapshot;
  with CTranslate2, of the converted model it runs (the checkpoint's size is
  kept beside it as `checkpoint_size_mb`).

Significance: sacrebleu.significance.PairedTest, paired bootstrap resampling
and approximate randomisation, each model against the first that loaded,
seeded through SACREBLEU_SEED.
"""

from __future__ import annotations

import gc
import logging
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from pipeline.errors import UserError
from pipeline.evaluation.compare.measure import (
    MemoryProbe,
    ModelSpec,
    disk_size,
    display_name,
    parameter_count,
    warm_libraries,
)
from pipeline.evaluation.hypotheses import Hypothesis, translate_hypothesis
from pipeline.evaluation.report import provenance
from pipeline.evaluation.score import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_SEED,
    DOCUMENT_METRICS,
    evaluate,
    make_metrics,
    sacrebleu_seed,
)
from pipeline.evaluation.sets import Reference
from pipeline.translate import load_translator

if TYPE_CHECKING:
    from sacrebleu.significance import Result

log = logging.getLogger(__name__)
SIGNIFICANCE_METRICS = ("BLEU", "chrF2", "TER")

DEFAULT_AR_TRIALS = 10000


def run_model(
    spec: ModelSpec,
    ref: Reference,
    settings,
    *,
    unit: str = "paragraph",
    family: str | None = None,
    aligner: str = "default",
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int | None = DEFAULT_SEED,
    warmed: set[str] | None = None,
) -> dict:
    """Load, warm up, translate, measure, free, score. A failure gives a row with the reason.
    `warmed`: the backends that already translated once in this run (updated here)."""

    row: dict = {
        "spec": display_name(spec),
        "label": display_name(spec),  # the run's label replaces it (compare)
        "model": spec.model,  # provenance: where this machine found it
        "backend": spec.backend,
        "revision": spec.revision,
        "unit": unit,
    }
    _add_disk_size(row, spec.model, spec.revision)
    warm_libraries(spec)
    shortest = min(ref.nl_paragraphs, key=len)
    warm_backend(spec, settings, family, shortest, set() if warmed is None else warmed)
    measured = _measured_translation(row, spec, ref, settings, family, aligner, unit, shortest)
    if not isinstance(measured, _Translation):
        return measured
    counts = measured.hypothesis.source["counts"]
    row["speed"] = _speed(ref, measured, counts)
    row["counts"] = counts
    if not any(p.strip() for p in measured.hypothesis.paragraphs):
        return {
            **row,
            "status": "failed",
            "stage": "score",
            "error": "empty hypothesis: every paragraph translated to nothing",
        }
    _add_scores(row, measured.hypothesis, ref, aligner, n_bootstrap, seed)
    return row


@dataclass
class _Translation:
    """The reference translated by one model, and what that took."""

    hypothesis: Hypothesis
    seconds: float  # in the translation calls
    target_tokens: int | None  # None: a backend that does not count them


def _add_disk_size(row: dict, model: str, revision: str | None) -> None:
    """The model's size on disk (MB) and where its files are, into `row`."""
    size, where = disk_size(model, revision)
    row["size_mb"] = round(size / 1024 / 1024, 1) if size is not None else None
    row["size_path"] = where


def warm_backend(spec: ModelSpec, settings, family: str | None, shortest: str, warmed: set[str]) -> None:
    """Load the model and translate `shortest` once, unmeasured, when it is a CTranslate2
    model or the first of its backend (adding the backend to `warmed`)."""
    first_of_backend = spec.backend not in warmed
    if spec.backend != "ctranslate2" and not first_of_backend:
        return
    # Not measured: a CTranslate2 model's first load converts it (with torch and transformers),
    # and a backend's first translation in this process sets up its thread pools and allocator;
    # one-time costs, not this model's.
    try:
        warm = load_translator(spec.backend, spec.model, settings, revision=spec.revision, family=family)
        try:
            if first_of_backend:
                warm.translate([shortest])
                warmed.add(spec.backend)
        finally:
            warm.close()
            del warm
    except Exception:  # noqa: BLE001 - the measured load below reports it
        pass
    gc.collect()


def _measured_translation(
    row: dict, spec: ModelSpec, ref: Reference, settings, family: str | None, aligner: str, unit: str, shortest: str
) -> _Translation | dict:
    """Load the model and translate the reference under the memory probe, then free the
    model; the load time, model description and memory go into `row`. A failure gives the
    row to return instead."""
    probe = MemoryProbe()
    probe.start()
    started = time.perf_counter()
    try:
        translator = load_translator(spec.backend, spec.model, settings, revision=spec.revision, family=family)
    except UserError as exc:
        return {**row, "status": "failed", "stage": "load", "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - any load failure becomes a row, the others still run
        return {**row, "status": "failed", "stage": "load", "error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
    row["load_s"] = round(time.perf_counter() - started, 3)
    try:
        _describe_model(row, translator)
        translator.translate([shortest])  # warm-up, not timed
        before = translator.counters.snapshot()
        hyp = translate_hypothesis(translator, ref, aligner, unit=unit)
        done = translator.counters.since(before)
        tokens = done["target_tokens"] or None  # None: a backend that does not count
    except Exception as exc:  # noqa: BLE001
        msg = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        row.update(status="failed", stage="translate", error=msg.splitlines()[0] if msg else type(exc).__name__)
        return row  # the finally block still adds the memory measurement
    finally:
        translator.close()
        del translator
        gc.collect()
        row["memory"] = probe.stop()
    return _Translation(hyp, done["seconds"], tokens)


def _describe_model(row: dict, translator) -> None:
    """The loaded model's description and parameter count into `row`, and the size of
    the files that run."""
    row["described"] = translator.describe()
    converted = row["described"].get("converted_model")
    if converted:  # what runs is the CTranslate2 conversion, not the checkpoint it came from
        row["checkpoint_size_mb"], row["checkpoint_path"] = row["size_mb"], row["size_path"]
        _add_disk_size(row, converted, None)
    row["parameters"] = parameter_count(translator)


def _speed(ref: Reference, measured: _Translation, counts: dict) -> dict:
    """Sentences and target tokens per second of the translation calls."""
    n_sent = sum(map(len, ref.nl))
    secs, tokens = measured.seconds, measured.target_tokens
    return {
        "translate_s": round(secs, 3),
        "sentences": n_sent,
        "paragraphs": len(ref.nl),
        "translation_units": counts.get("translation_units"),
        "target_tokens": tokens,
        "sentences_per_s": round(n_sent / secs, 2) if secs > 0 else None,
        "target_tokens_per_s": round(tokens / secs, 1) if tokens and secs > 0 else None,
    }


def _add_scores(row: dict, hyp: Hypothesis, ref: Reference, aligner: str, n_bootstrap: int, seed: int | None) -> None:
    """Score the hypothesis against the reference, into `row` (now ok)."""
    hyp.model = row["described"]
    report = evaluate(hyp, ref, aligner=aligner, n_bootstrap=n_bootstrap, seed=seed)
    row.update(
        {
            key: report.get(key)
            for key in ("segments", "scores", "document_scores", "model_output", "faults", "published")
        }
    )
    row["empty_paragraphs"] = report["hypothesis"]["empty_paragraphs"]
    row["sentence_level"] = {k: report["sentence_level"][k] for k in ("mean_chrF2", "pairs")}
    row["hypotheses"] = hyp.paragraphs
    row["sentences"] = hyp.sentences
    row["model_hypotheses"] = hyp.model_paragraphs
    row["paragraph_chrF2"] = paragraph_chrf(hyp.paragraphs, ref.en_paragraphs)
    row["status"] = "ok"


def paragraph_chrf(hyps: Sequence[str], refs: Sequence[str]) -> list[float]:
    """chrF2 of each paragraph (each document, on FLORES), for the plots."""
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    return [round(chrf.sentence_score(h, [r]).score, 3) for h, r in zip(hyps, refs)]


# --------------------------------------------------------------------------
# significance


def paired_segments(rows: list[dict], ref: Reference) -> tuple[str, str, list[str]]:
    """The segments every row can be scored on, for paired tests: the set's lines
    when every row translated sentence by sentence on a line-aligned set;
    otherwise paragraphs (FLORES: documents). Returns (name, row key, references)."""
    if ref.line_aligned and all(r.get("sentences") is not None for r in rows):
        return "sentence", "sentences", [s for p in ref.en for s in p]
    return ("document" if ref.documents else "paragraph"), "hypotheses", ref.en_paragraphs


def significance(
    rows: list[dict],
    ref: Reference,
    *,
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    ar_trials: int = DEFAULT_AR_TRIALS,
    seed: int | None = DEFAULT_SEED,
) -> dict:
    """Paired bootstrap and approximate randomisation of every ok row's pipeline
    output against the first ok row's; p-values are written into the rows."""
    from sacrebleu.significance import PairedTest

    ok = [r for r in rows if r.get("status") == "ok"]
    if len(ok) < 2:
        return {"baseline": ok[0]["label"] if ok else None, "note": "fewer than two models scored; no test"}
    segments, key, refs = paired_segments(ok, ref)
    names, seen = [], set()
    for r in ok:
        name = r["label"]
        while name in seen:
            name += "'"
        seen.add(name)
        names.append(name)
    named = [(n, r[key]) for n, r in zip(names, ok)]
    tested = [m for m in SIGNIFICANCE_METRICS if segments != "document" or m in DOCUMENT_METRICS]
    signatures = {}
    sacrelog = logging.getLogger("sacrebleu")
    if not log.isEnabledFor(logging.DEBUG):
        sacrelog.setLevel(logging.WARNING)  # its per-test INFO lines are noise here
    with sacrebleu_seed(seed):
        for test, n in (("bs", n_bootstrap), ("ar", ar_trials)):
            metrics = {name: metric for name, metric in make_metrics().items() if name in tested}
            sigs, results = PairedTest(named, metrics, [list(refs)], test_type=test, n_samples=n)()
            signatures[test] = {k: v.format() for k, v in sigs.items()}
            for metric in tested:
                # a metric's column holds Results (only PairedTest's "System" column holds names)
                _record_p_values(ok, cast("list[Result]", results[metric]), metric, test)
    return {
        "baseline": ok[0]["label"],
        "segments": segments,
        "metrics": tested,
        "tests": {"bs": n_bootstrap, "ar": ar_trials},
        "seed": seed,
        "signatures": signatures,
    }


def _record_p_values(ok: list[dict], results: list[Result], metric: str, test: str) -> None:
    """Each row's p-value of `metric` under `test` against the baseline (the first row and
    result), into the row's "p_values"."""
    base = results[0].score
    for r, res in zip(ok, results):
        if r is ok[0]:
            continue
        # sacrebleu (after multeval) gives an equal score its smallest p-value: "a zero
        # difference should not be attributed to chance". Equal scores show no difference: p = 1.
        if abs(res.score - base) < 1e-9:
            p = 1.0
        else:
            assert res.p_value is not None, "a paired test gives every system but the baseline a p-value"
            p = float(res.p_value)
        r.setdefault("p_values", {}).setdefault(metric, {})[test] = p


def expand_runs(specs: list[ModelSpec], units: Sequence[str]) -> list[tuple[ModelSpec, str]]:
    """One unit per model, one unit for every model, or one model under every unit."""
    if len(units) == len(specs):
        return list(zip(specs, units))
    if len(units) == 1:
        return [(spec, units[0]) for spec in specs]
    if len(specs) == 1:
        return [(specs[0], unit) for unit in units]
    raise UserError(
        f"--units has {len(units)} entries for {len(specs)} models: give one per model, one for all, "
        "or several for one model"
    )


def _run_all(specs, ref, settings, units, family, aligner, n_bootstrap, seed, progress) -> list[dict]:
    """Every model in every unit, one after another: their rows, labelled (by unit where there
    are several)."""
    runs = expand_runs(specs, units)
    labelled = len({unit for _, unit in runs}) > 1
    rows: list[dict] = []
    warmed: set[str] = set()
    for index, (spec, unit) in enumerate(runs, 1):
        shown = display_name(spec, specs)
        label = f"{shown} [{unit}]" if labelled else shown
        if progress:
            print(f"nlen compare: [{index}/{len(runs)}] {label}", file=sys.stderr)
        row = run_model(
            spec,
            ref,
            settings,
            unit=unit,
            family=family,
            aligner=aligner,
            n_bootstrap=n_bootstrap,
            seed=seed,
            warmed=warmed,
        )
        row["label"] = label
        if row["status"] != "ok":
            print(f"nlen: error: {label}: {row['error']}", file=sys.stderr)
        rows.append(row)
    return rows


def compare(
    specs: list[ModelSpec],
    ref: Reference,
    settings,
    *,
    units: Sequence[str] = ("paragraph",),
    family: str | None = None,
    aligner: str = "default",
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    ar_trials: int = DEFAULT_AR_TRIALS,
    seed: int | None = DEFAULT_SEED,
    progress: bool = True,
) -> dict:
    """Translate and score `ref` with every model and unit of the run, one at a time, and return
    the report (compare.json): a row per run (a failed one says why), the first that worked
    as the baseline of the significance tests, and the provenance."""
    from datetime import datetime, timezone

    created = datetime.now(timezone.utc)
    rows = _run_all(specs, ref, settings, units, family, aligner, n_bootstrap, seed, progress)
    ok = [r for r in rows if r["status"] == "ok"]
    if ok:
        ok[0]["baseline"] = True
    sig = significance(rows, ref, n_bootstrap=n_bootstrap, ar_trials=ar_trials, seed=seed)
    devices = sorted({r["described"].get("device", "?") for r in ok if "described" in r}) or ["–"]
    report = {
        "created": created.isoformat(timespec="seconds"),
        "reference": ref.summary(),
        "settings": settings.to_dict(),
        "family": family,
        "aligner": aligner,
        "bootstrap": n_bootstrap,
        "ar_trials": ar_trials,
        "seed": seed,
        "device": ", ".join(devices),
        "significance": sig,
        "models": rows,
    }
    report.update({k: v for k, v in provenance().items() if k != "created"})
    return report


def report_stem(created_iso: str) -> str:
    """The report's file stem from its creation time: 'compare-' and the time's digits, T and Z."""
    return "compare-" + re.sub(r"[^0-9TZ]", "", created_iso.replace("+00:00", "Z"))
