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
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from pipeline.corpus.write import atomic_write_bytes, check_writable
from pipeline.document.checks import flag_rows
from pipeline.document.sentences import split_sentences
from pipeline.errors import UserError
from pipeline.evaluation.hypotheses import Hypothesis, translate_hypothesis
from pipeline.evaluation.report import fault_line, fmt_score, model_slug, provenance
from pipeline.evaluation.score import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_SEED,
    DOCUMENT_METRICS,
    evaluate,
    make_metrics,
    sacrebleu_seed,
)
from pipeline.evaluation.sets import Reference
from pipeline.textio import read_text
from pipeline.translate import load_translator
from pipeline.translate.base import BACKEND_MODULES, backend_names
from pipeline.types import AlignedRow

if TYPE_CHECKING:
    from sacrebleu.significance import Result

log = logging.getLogger(__name__)
SIGNIFICANCE_METRICS = ("BLEU", "chrF2", "TER")
DEFAULT_AR_TRIALS = 10000


# --------------------------------------------------------------------------
# model specs


@dataclass(frozen=True)
class ModelSpec:
    spec: str  # as given on the command line
    model: str  # hub id or local directory
    backend: str
    revision: str | None = None


def display_name(spec: ModelSpec, others: Sequence[ModelSpec] = ()) -> str:
    """The spec as reports and plots show it: a local model by its folder's name, never by the
    absolute path of the machine that ran it (a hub id is shown as given), unless another
    model of the run has a folder of the same name."""
    if not Path(spec.model).is_absolute():
        return spec.spec
    name = Path(spec.model).name
    if any(o.model != spec.model and Path(o.model).name == name for o in others):
        return spec.spec
    return spec.spec.replace(spec.model, name, 1)


def parse_spec(spec: str, default_backend: str = "transformers") -> ModelSpec:
    """`MODEL[@BACKEND][#REVISION]`, the suffixes in either order: e.g.
    `Helsinki-NLP/opus-mt-nl-en`, `models/opus-ct2@ctranslate2`,
    `facebook/nllb-200-distilled-600M#main`, `m@ctranslate2#abc` = `m#abc@ctranslate2`.
    A local path that exists is taken whole, '@' and '#' included."""

    if Path(spec).exists():
        return ModelSpec(spec, spec, default_backend, None)

    # MODEL, then up to one '@BACKEND' and one '#REVISION' in either order. The first
    # '#' ends the model (outside an existing path); after it, an '@' starts the backend
    # and must name a known one; a revision never holds '@', so a second '@' after the
    # '#' ('m#a@ctranslate2@transformers') is refused rather than read as revision 'a@ctranslate2'.
    def known(tail: str) -> str:
        if tail not in backend_names():
            raise UserError(
                f"model {spec!r}: unknown backend {tail!r} after '@' (choose from {', '.join(backend_names())})"
            )
        return tail

    rest, revision, backend = spec, None, None
    if "#" in rest:
        rest, revision = rest.split("#", 1)
        if revision.count("@") > 1:
            raise UserError(
                f"model {spec!r}: more than one '@' after '#' (a revision holds no '@'); "
                "give one backend: MODEL[@BACKEND][#REVISION]"
            )
        if "@" in revision:
            revision, tail = revision.split("@")
            backend = known(tail)
        if "#" in revision or not revision:
            raise UserError(f"model {spec!r}: give one revision after '#': MODEL[@BACKEND][#REVISION]")
    if "@" in rest and not Path(rest).exists():
        head, tail = rest.rsplit("@", 1)
        if backend is not None:
            raise UserError(f"model {spec!r}: two backends; give one: MODEL[@BACKEND][#REVISION]")
        rest, backend = head, known(tail)
    if not rest:
        raise UserError(f"model {spec!r}: no model before '@' / '#'")
    return ModelSpec(spec, rest, backend or default_backend, revision)


# --------------------------------------------------------------------------
# measurements


def _proc_status() -> dict[str, int]:
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return {}
    return {k: int(v) * 1024 for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.M)}


class MemoryProbe:
    """Peak RSS while one model is loaded (see the module docstring)."""

    def __init__(self, device: str | None = None):
        self.device = device
        self.reset = False
        self.before = 0

    def start(self) -> None:
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # resets VmHWM to the current RSS
            self.reset = "VmHWM" in _proc_status()
        except OSError:
            self.reset = False
        self.before = _proc_status().get("VmRSS", 0)
        if self._cuda():
            import torch

            torch.cuda.reset_peak_memory_stats()

    def _cuda(self) -> bool:
        if "torch" not in sys.modules:
            return False
        torch = sys.modules["torch"]
        return bool(torch.cuda.is_available() and torch.cuda.is_initialized())

    def stop(self) -> dict:
        mb = 1024 * 1024
        if self.reset:
            peak, how = _proc_status()["VmHWM"], "VmHWM, reset before this model"
        else:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            how = "ru_maxrss of the whole process so far (could not reset the peak)"
        out = {
            "peak_rss_mb": round(peak / mb, 1),
            "rss_before_mb": round(self.before / mb, 1),
            "peak_rss_delta_mb": round((peak - self.before) / mb, 1),
            "measured": how,
        }
        if self._cuda():
            import torch

            out["cuda_peak_allocated_mb"] = round(torch.cuda.max_memory_allocated() / mb, 1)
        return out


def disk_size(model: str, revision: str | None) -> tuple[int | None, str | None]:
    """Bytes of the model's files: a local directory, or the hub cache snapshot."""
    path = Path(model)
    if not path.is_dir():
        try:
            from huggingface_hub import snapshot_download

            path = Path(snapshot_download(model, revision=revision, local_files_only=True))
        except Exception:  # noqa: BLE001 - unknown size is reported as such
            return None, None
    total = sum(f.resolve().stat().st_size for f in path.rglob("*") if f.is_file())
    return total, str(path)


def parameter_count(translator) -> int | None:
    model = getattr(translator, "model", None)
    if model is None:
        return None
    try:
        return int(sum(p.numel() for p in model.parameters()))
    except Exception:  # noqa: BLE001 - not a torch model (e.g. ctranslate2)
        return None


# --------------------------------------------------------------------------
# one model


WARM_NL = ["De minister sprak op vrijdag in Den Haag met de pers.", "Daarna vertrok hij naar Brussel."]
WARM_EN = ["The minister spoke to the press in The Hague on Friday.", "Then he left for Brussels."]


def warm_core() -> None:
    """Run once what every model's translation runs after the model: the
    sentence splitter (Dutch and English), the aligner, the repair's chrF, and
    the reference-free checks with py3langid's model, so that their imports and
    one-time set-up are not charged to the first model measured."""
    from sacrebleu.metrics import CHRF

    from pipeline.align import align

    split_sentences(" ".join(WARM_NL), "nl")
    en = split_sentences(" ".join(WARM_EN), "en")
    align(WARM_NL, en, src_mt=WARM_EN)
    CHRF().sentence_score(WARM_EN[0], [WARM_EN[1]])
    rows = [
        AlignedRow(nl=nl, en=en, doc="warm-up", paragraph=0, nl_ids=(i,), en_ids=(i,), score=1.0)
        for i, (nl, en) in enumerate(zip(WARM_NL, WARM_EN))
    ]
    flag_rows(rows, {0: " ".join(WARM_NL)})


def warm_libraries(spec: ModelSpec) -> None:
    """Import what loading the model will import (the backend's libraries and,
    for transformers, the model's architecture module), run one tensor op, and
    run the core's own libraries once (`warm_core`), before the peak-memory
    counter is reset, so one-time library memory is not charged to whichever
    model happens to come first. Failures are left to the loader, which reports
    them."""
    import importlib

    warm_core()
    try:
        importlib.import_module(BACKEND_MODULES.get(spec.backend, "pipeline.translate.base"))
        if spec.backend != "transformers":
            return
        import torch
        from transformers import AutoConfig, AutoModelForSeq2SeqLM

        (torch.ones(8, 8) @ torch.ones(8, 8)).sum().item()
        config = AutoConfig.from_pretrained(spec.model, revision=spec.revision)
        AutoModelForSeq2SeqLM._model_mapping[type(config)]  # imports the modeling module
    except Exception:  # noqa: BLE001 - the loader reports real problems
        log.debug("library warm-up for %s failed", spec.spec, exc_info=True)


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


# --------------------------------------------------------------------------
# report


def _p_values(row: dict, metric: str) -> str:
    """'bootstrap / randomisation' p-values of `row` for `metric`, 'baseline', or –."""
    p = row.get("p_values", {}).get(metric)
    if not p:
        return "baseline" if row.get("baseline") else "–"
    return f"{p['bs']:.4f} / {p['ar']:.4f}"


def _megabytes(value) -> str:
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _published_bleu_chrf(entry: dict | None) -> str:
    return f"{entry['BLEU']} / {entry['chrF2']}" if entry else "–"


def _bleu_chrf(scores: dict | None) -> str:
    """'BLEU / chrF2' of a scores dict, or –."""
    return f"{scores['BLEU']['score']:.2f} / {scores['chrF2']['score']:.2f}" if scores else "–"


# what each kind of `segments` is, in the scores table
SEGMENT_NAMES = {
    "paragraph": "paragraph segments",
    "sentence": "the set's lines (as published)",
    "sentence (aligned)": "the set's lines through the alignment (one segment per bead)",
}


def markdown_table(report: dict, plot: str | None = None) -> str:
    """The report in Markdown: what was measured and how, the scores, the model against
    the pipeline, the cost, the metrics' signatures and the plot (if any)."""

    lines = _report_header(report)
    lines += _scores_section(report["models"])
    lines += _model_and_pipeline_section(report["models"])
    lines += _cost_section(report)
    lines += _signature_lines(report["models"])
    if plot:
        per = "document" if report["reference"].get("paragraphs_are_documents") else "paragraph"
        lines += ["", f"![chrF2 per {per} and paired differences]({plot})"]
    return "\n".join(lines) + "\n"


def _report_header(report: dict) -> list[str]:
    """The title, the reference, and how the CIs and p-values were computed."""
    ref, sig = report["reference"], report["significance"]
    return [
        f"# nlen compare ({report['created']})",
        "",
        f"Reference `{ref['name']}`: {ref['paragraphs']} paragraphs, {ref['sentences_nl']} Dutch sentences. "
        "± is sacrebleu's 95% bootstrap CI half-width "
        f"({report['bootstrap']} resamples, seed {report['seed']}). *pipeline*: what `nlen translate` delivers "
        "(after repair); *model*: the model's own translations, before repair.",
        f"p-values of the pipeline output against the baseline `{sig.get('baseline')}` on "
        f"{sig.get('segments', '–')} segments: paired bootstrap ({report['bootstrap']}) / approximate "
        f"randomisation ({report['ar_trials']}) from sacrebleu.significance.PairedTest.",
    ]


def _scores_section(rows: list[dict]) -> list[str]:
    """One line per row: the pipeline's scores and p-values, or why the row failed."""
    lines = [
        "",
        "## Scores",
        "",
        "| # | model | unit | segments | BLEU ± CI | chrF2 ± CI | TER | document BLEU / chrF2 | published BLEU / chrF2 "
        "| p BLEU (bs / ar) | p chrF2 (bs / ar) | status |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(rows, 1):
        model = r["label"].replace("|", "\\|")
        if r["status"] != "ok":
            error = r["error"].replace("|", "\\|")
            lines.append(
                f"| {i} | `{model}` | {r['unit']} | – | – | – | – | – | – | – | – | failed ({r['stage']}): {error} |"
            )
            continue
        s = r["scores"]
        lines.append(
            f"| {i} | `{model}` | {r['unit']} | {SEGMENT_NAMES.get(r['segments'], r['segments'])} "
            f"| {_score_with_ci(s['BLEU'])} | {_score_with_ci(s['chrF2'])} | {s['TER']['score']:.2f} "
            f"| {_bleu_chrf(r.get('document_scores'))} | {_published_bleu_chrf(r.get('published'))} "
            f"| {_p_values(r, 'BLEU')} | {_p_values(r, 'chrF2')} | ok |"
        )
    return lines


def _model_and_pipeline_section(rows: list[dict]) -> list[str]:
    """One line per ok row: the model's own scores beside the pipeline's, and its faults."""
    lines = [
        "",
        "## Model and pipeline",
        "",
        "BLEU / chrF2 of the model's own translations and of the pipeline's output; the model's faults over the "
        "texts it translated (reference-free checks, pipeline/document/checks.py; dropped = Dutch sentences aligned to "
        "nothing and merged = beads of several Dutch sentences, both as the alignment sees them before the repair "
        "fills anything in; – where a count does not apply or is not known); sentences the repair filled in, and "
        "Dutch sentences the pipeline's output still leaves with no English.",
        "",
        "| # | model | unit | pipeline | model | document: pipeline | document: model | faults | repaired "
        "| left without English |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(rows, 1):
        if r["status"] != "ok":
            continue
        mo, f = r.get("model_output") or {}, r.get("faults") or {}
        lines.append(
            f"| {i} | `{r['label']}` | {r['unit']} | {_bleu_chrf(r['scores'])} | {_bleu_chrf(mo.get('scores'))} "
            f"| {_bleu_chrf(r.get('document_scores'))} | {_bleu_chrf(mo.get('document_scores'))} "
            f"| {f.get('texts', '–')} {f.get('unit', '')}s: {fault_line(f)} | {f.get('repaired', '–')} "
            f"| {f.get('no_english', '–')} |"
        )
    return lines


def _cost_section(report: dict) -> list[str]:
    """One line per row: speed, memory, size and parameters."""
    lines = [
        "",
        "## Cost",
        "",
        "Speed: translation calls only (load and one warm-up excluded), device "
        f"{report['device']}; memory: peak RSS of this process while the model was loaded (Δ over RSS before loading).",
        "",
        "| # | model | backend (compute type) | unit | sent/s | tgt tok/s | peak RSS MB (Δ) | size MB | parameters |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(report["models"], 1):
        sp = r.get("speed") or {}
        params = r.get("parameters")
        compute = (r.get("described") or {}).get("compute_type")
        lines.append(
            f"| {i} | `{r['label']}` | {r['backend']}{f' ({compute})' if compute else ''} | {r['unit']} "
            f"| {sp.get('sentences_per_s') or '–'} "
            f"| {sp.get('target_tokens_per_s') or '–'} | {_memory(r)} | {_megabytes(r.get('size_mb'))} "
            f"| {f'{params:,}' if params else '–'} |"
        )
    return lines


def _signature_lines(rows: list[dict]) -> list[str]:
    """The metrics' sacrebleu signatures (those of the last ok row), if any row is ok."""
    sigs = {
        name: r["scores"][name]["signature"] for r in rows if r["status"] == "ok" for name in ("BLEU", "chrF2", "TER")
    }
    if not sigs:
        return []
    return ["", "Signatures:", ""] + [f"- {name}: `{sig}`" for name, sig in sigs.items()]


def _score_with_ci(entry: dict) -> str:
    """'score ± CI half-width', or the score alone without a CI."""
    ci = entry.get("ci")
    return f"{entry['score']:.2f} ± {ci['half_width']:.2f}" if ci else f"{entry['score']:.2f}"


def _memory(row: dict) -> str:
    """'peak RSS (+ its rise while the model was loaded)' in MB, or –."""
    m = row.get("memory")
    return f"{_megabytes(m['peak_rss_mb'])} (+{_megabytes(m['peak_rss_delta_mb'])})" if m else "–"


def write_plot(report: dict, path: Path) -> bool:
    """One PNG: left, each model's chrF2 per document (per paragraph on sets
    without documents), documents ordered by the baseline's chrF2; right, the
    distribution of the paired differences (model − baseline) per document.
    False (and nothing written) when matplotlib, the optional `plots` extra, is
    not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False

    ok = [r for r in report["models"] if r["status"] == "ok"]
    if not ok:
        return False
    unit = "document" if report["reference"].get("paragraphs_are_documents") else "paragraph"
    base = ok[0]["paragraph_chrF2"]
    order = sorted(range(len(base)), key=lambda k: base[k])
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for r in ok:
        left.plot(
            range(len(order)),
            [r["paragraph_chrF2"][k] for k in order],
            marker=".",
            linestyle="-" if r is ok[0] else "",
            markersize=4,
            label=r["label"],
        )
    left.set(xlabel=f"{unit}s, ordered by the baseline's chrF2", ylabel="chrF2", title=f"chrF2 per {unit}")
    left.legend(fontsize=7)
    diffs = [[a - b for a, b in zip(r["paragraph_chrF2"], base)] for r in ok[1:]]
    if diffs:
        right.hist(diffs, bins=30, label=[r["label"] for r in ok[1:]], alpha=0.8)
        right.axvline(0, color="black", linewidth=0.8)
        right.legend(fontsize=7)
    else:
        right.text(0.5, 0.5, "one model: no paired differences", ha="center", va="center", transform=right.transAxes)
    right.set(
        xlabel=f"chrF2 − baseline's, per {unit}", ylabel=f"{unit}s", title=f"paired differences vs {ok[0]['label']}"
    )
    fig.suptitle(f"nlen compare on {report['reference']['name']} ({report['created']})", fontsize=9)
    fig.tight_layout()
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return True


README_START = "<!-- nlen compare --fill-readme"
README_END = "<!-- /nlen compare --fill-readme -->"


def readme_table(text: str, path: Path | str, ref: Reference) -> tuple[list[str], int | None]:
    """The lines of the fill-readme table of `text` (the file `path`) and the
    column of `ref`'s measured scores in it (None when it has none); a UserError
    naming the file when there is no table between the markers."""
    if README_START not in text or README_END not in text:
        raise UserError(f"{path}: no table between {README_START} … {README_END} markers to fill")
    lines = text.split(README_START, 1)[1].split(README_END, 1)[0].split("\n")
    header_at = next((i for i, line in enumerate(lines) if line.startswith("| model |")), None)
    header = [c.strip() for c in lines[header_at].strip().strip("|").split("|")] if header_at is not None else []
    column_name = f"{ref.name}: measured"
    return lines, (header.index(column_name) if column_name in header else None)


def check_readme(path: Path, ref: Reference) -> bool:
    """Before a long run: `path` can be read, holds the table and can be written
    (a UserError naming it otherwise). False when its table has no column for
    `ref` (nothing will be filled)."""

    _, column = readme_table(read_text(path, "README"), path, ref)
    check_writable(path, "README")
    return column is not None


def fill_readme(text: str, report: dict, ref: Reference) -> tuple[str, list[str]]:
    """Write the measured BLEU / chrF2 of the report's models into the table
    between the README_START / README_END markers: the cell in column
    "<set>: measured" of the row whose linked model id has published scores
    that a row of the report matched. Only runs made as the published scores
    were (sentence by sentence) count. Returns the new text and the models filled."""
    lines, column = readme_table(text, "README", ref)
    if column is None:
        return text, []  # this set has no column there
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    header_at = next(i for i, line in enumerate(lines) if line.startswith("| model |"))
    measured = {}
    for row in report["models"]:
        published = row.get("published")
        if row["status"] == "ok" and row["unit"] == "sentence" and published and published["model"] not in measured:
            s, d = row["scores"], row.get("described") or {}
            how = (
                f"{report['created'][:10]}, {row['backend']} {d.get('compute_type', '?')}, "
                f"beam {(d.get('generation') or {}).get('num_beams', '?')}"
            )
            measured[published["model"]] = f"{s['BLEU']['score']:.1f} / {s['chrF2']['score']:.1f} ({how})"
    filled = []
    for i in range(header_at + 2, len(lines)):
        cells = lines[i].strip().strip("|").split("|")
        model = re.search(r"\[([^\]]+)\]", cells[0]) if cells else None
        if model and model.group(1) in measured and len(cells) > column:
            cells[column] = f" {measured[model.group(1)]} "
            lines[i] = "|" + "|".join(cells) + "|"
            filled.append(model.group(1))
    return head + README_START + "\n".join(lines) + README_END + tail, filled


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
    from datetime import datetime, timezone

    created = datetime.now(timezone.utc)
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
    return "compare-" + re.sub(r"[^0-9TZ]", "", created_iso.replace("+00:00", "Z"))


__all__ = [
    "ModelSpec",
    "compare",
    "expand_runs",
    "fill_readme",
    "markdown_table",
    "model_slug",
    "parse_spec",
    "report_stem",
    "run_model",
    "significance",
    "fmt_score",
    "write_plot",
]
