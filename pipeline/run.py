"""The `translate` job: check what can be checked before any model loads, find
the inputs, plan the tasks (pipeline/shards.py) while skipping what is done,
and hand them to an executor: the local one below, or Ray's
(pipeline/ray_executor.py). Both run `shards.process_task`, so both write the
same bytes."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pipeline import __version__
from pipeline.errors import InputError, UserError
from pipeline.provenance import git_commit, local_model_fingerprint, package_versions
from pipeline.repair import DEFAULT_THRESHOLD
from pipeline.segment import check_name, find_inputs, input_stem, is_jsonl, read_document, shown_path
from pipeline.shards import DEFAULT_SHARD_SIZE, RunContext, Task, Unit, is_done, process_task, scan_jsonl, shard_unit
from pipeline.translate.base import GenerationSettings

log = logging.getLogger(__name__)

# Packages whose version can change the output bytes (with nlen's own: splitter
# rules, aligner, repair): part of the configuration hash.
# py3langid (with numpy, which it and the aligner compute with) decides the flags column.
OUTPUT_PACKAGES = ("torch", "transformers", "tokenizers", "sentencepiece", "ctranslate2", "sentence-splitter", "sacrebleu",
                   "py3langid", "numpy")
# Settings that lay the work out without changing a byte of it (as the translation
# cache holds: pipeline/cache.py); left out of the request, so of the config hash.
LAYOUT_SETTINGS = ("inter_threads", "intra_threads")


@dataclass
class TranslateJob:
    out_dir: Path
    model: str
    backend: str = "ctranslate2"
    revision: str | None = None
    family: str | None = None
    settings: GenerationSettings = field(default_factory=GenerationSettings)
    unit: str = "paragraph"  # what the model translates at once: paragraph or sentence (pipeline/core.py)
    aligner: str = "default"
    repair_threshold: float = DEFAULT_THRESHOLD  # bead confidence below which sentences are re-translated alone
    force: bool = False  # redo units whose outputs are up to date
    progress: bool = True
    cache: bool = True  # translation cache (pipeline/cache.py)
    cache_dir: Path | None = None  # default: $NLEN_CACHE_DIR or ~/.cache/nlen
    shard_size: int = DEFAULT_SHARD_SIZE  # JSONL records per shard
    executor: str = "local"  # local | ray
    ray_address: str | None = None  # None: $RAY_ADDRESS, else a Ray started on this machine
    workers: int | None = None  # Ray actors; None: as many as the cluster's CPUs (or GPUs) hold
    cpus_per_worker: float = 1.0
    gpus_per_worker: float = 0.0

    def request(self) -> dict:
        """What the user asked for; equal requests on equal input give equal output.
        The shard size is in it: shards of another size are other units."""
        settings = {k: v for k, v in self.settings.to_dict().items() if k not in LAYOUT_SETTINGS}
        return {
            "model": self.model, "backend": self.backend, "revision": self.revision, "family": self.family,
            "model_fingerprint": local_model_fingerprint(self.model),
            "settings": settings, "unit": self.unit, "aligner": self.aligner,
            "repair_threshold": self.repair_threshold, "shard_size": self.shard_size, "nlen": __version__,
        }


def resolved_device(job: TranslateJob) -> str:
    """The device the translators will use; it changes the output, so it is part of the config."""
    device = job.settings.device
    if job.executor == "ray":  # one GPU per actor, or none
        if device.startswith("cuda") and not job.gpus_per_worker:
            raise UserError(f"--device {device} with --executor ray needs --gpus-per-worker (e.g. 1)")
        if device not in ("auto", "cpu", "cuda"):
            raise UserError(f"--device {device}: on Ray each actor gets its own GPU (--gpus-per-worker); use --device auto")
        if device == "cpu" and job.gpus_per_worker:
            raise UserError("--gpus-per-worker was given with --device cpu; drop one of them")
        return "cuda" if job.gpus_per_worker else "cpu"
    if device != "auto":
        return device
    if job.backend == "ctranslate2":
        import ctranslate2

        count = ctranslate2.get_cuda_device_count()
        return f"cuda:{','.join(map(str, range(count)))}" if count else "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def config_hash(job: TranslateJob) -> str:
    """12 hex digits of the SHA-256 of everything that changes the output: the
    request (model, revision or local fingerprint, backend, compute type, beam and
    the other generation settings but the thread counts, aligner, repair
    threshold, JSONL shard size, nlen version), the device it resolves to, and the
    versions of the packages that compute it."""
    data = {"request": job.request(), "device": resolved_device(job), "packages": package_versions(OUTPUT_PACKAGES)}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:12]


# --- checks before any model loads ------------------------------------------------
def preflight(job: TranslateJob) -> None:
    """What can be refused without loading a model is refused first."""
    from pipeline.align import get_aligner
    from pipeline.translate.stack import check_request
    from pipeline.write import check_writable_folder

    get_aligner(job.aligner)
    check_request(job.model, job.settings, job.family)
    if job.executor == "ray":
        try:
            import ray  # noqa: F401
            import ray.data  # noqa: F401
        except ImportError:
            raise UserError("--executor ray needs Ray Data: pip install 'nlen[ray]'") from None
    else:  # the device is this machine's: a GPU it lacks is refused now (Ray's are checked on the cluster)
        from pipeline.translate.base import backend_class

        backend_class(job.backend).check_options(job.model, job.settings, job.revision)
    check_writable_folder(job.out_dir, "--out-dir")


# --- planning -----------------------------------------------------------------
@dataclass
class Summary:
    """What a run did, printed at its end."""

    tasks: int = 0
    units: int = 0
    documents: int = 0
    sentences: int = 0
    rows: int = 0
    rejects: int = 0
    untranslated: int = 0
    skipped: int = 0  # units already done
    started: float = field(default_factory=time.perf_counter)

    def add(self, status: dict) -> None:
        self.tasks += 1
        for key in ("units", "documents", "sentences", "rows", "rejects", "untranslated"):
            setattr(self, key, getattr(self, key) + status.get(key, 0))

    def line(self) -> str:
        seconds = time.perf_counter() - self.started
        parts = [f"{self.documents} documents in {self.units} unit{'s' * (self.units != 1)}",
                 f"{self.sentences} sentences → {self.rows} rows"]
        if self.skipped:
            parts.append(f"{self.skipped} unit{'s' * (self.skipped != 1)} already done, skipped")
        if self.rejects:
            parts.append(f"{self.rejects} bad JSONL line{'s' * (self.rejects != 1)} rejected (see *.rejects.jsonl)")
        if self.untranslated:
            parts.append(f"{self.untranslated} row{'s' * (self.untranslated != 1)} with no English (scored 0)")
        rate = f"{seconds:.1f} s"
        if self.documents and seconds > 0:
            rate += f", {self.documents / seconds:.2f} documents/s, {self.sentences / seconds:.1f} sentences/s"
        return "done: " + "; ".join(parts) + f"; {rate}"


class Plan:
    """The inputs, read lazily: tasks still to do, in input order."""

    def __init__(self, paths: list[Path], job: TranslateJob, config: str, summary: Summary):
        self.job, self.config, self.summary = job, config, summary
        self.articles = [p for p in paths if not is_jsonl(p)]
        self.failed = False
        self.jsonl = self._check_jsonl([p for p in paths if is_jsonl(p)])
        self.article_docs = self._read_articles()

    def _error(self, exc: InputError) -> None:
        print(f"nlen: error: {exc}", file=sys.stderr)
        self.failed = True

    def _check_jsonl(self, paths: list[Path]) -> list[Path]:
        """JSONL inputs whose names can name their shards: text, and a stem no
        other input has (shards are named <stem>-<index>.<config>)."""
        kept, seen = [], {}
        for path in paths:
            try:
                check_name(path)
            except InputError as exc:
                self._error(exc)
                continue
            stem = input_stem(path)
            if stem in seen:
                self._error(InputError(shown_path(path), f"same output names as {shown_path(seen[stem])} "
                                                         f"({stem}-NNNNN.*.tsv); skipped"))
                continue
            seen[stem] = path
            kept.append(path)
        return kept

    def _read_articles(self) -> list:
        docs, seen = [], {}
        for path in self.articles:
            try:
                doc = read_document(path, "nl")
            except InputError as exc:
                self._error(exc)
                continue
            if doc.name in seen:
                self._error(InputError(shown_path(doc.path), f"same output name as {shown_path(seen[doc.name])} "
                                                             f"({doc.name}.tsv); skipped"))
                continue
            seen[doc.name] = doc.path
            if not self.job.force and is_done(Unit(doc.name, [doc]), self.job.out_dir, self.config):
                log.info("%s: up to date, skipped (use --force to redo)", shown_path(doc.path))
                self.summary.skipped += 1
                continue
            docs.append(doc)
        return docs

    @property
    def article_sentences(self) -> int:
        return sum(len(d.sentences) for d in self.article_docs)

    def tasks(self, warn=None) -> Iterator[Task]:
        """Article groups first, then each JSONL input's shards, streamed."""
        from pipeline.core import document_groups

        warn = warn or (lambda message: log.warning("%s", message))
        for group in document_groups(self.article_docs, self.group_paragraphs()):
            yield Task([Unit(doc.name, [doc]) for doc in group])
        for path in self.jsonl:
            shards = 0
            try:
                for shard in scan_jsonl(path, self.job.shard_size):
                    shards += 1
                    unit = shard_unit(shard, self.config)
                    if not self.job.force and is_done(unit, self.job.out_dir, self.config):
                        self.summary.skipped += 1
                        continue
                    for r in shard.rejects:
                        warn(f"{shown_path(path)}:{r.line}: {r.reason}; line skipped, kept in {unit.name}.rejects.jsonl")
                    yield Task([unit])
            except InputError as exc:
                self._error(exc)
                continue
            if not shards:
                self._error(InputError(shown_path(path), "no documents (the file is empty or only blank lines): "
                                                         "nothing to translate"))

    def group_paragraphs(self) -> int:
        """Articles are translated together until they hold about 8 batches."""
        from pipeline.core import GROUP_PARAGRAPHS

        s = self.job.settings
        return max(GROUP_PARAGRAPHS, 8 * (s.batch_tokens // 64 if s.batch_tokens else s.batch_size))


def run_translate(inputs: list[str], job: TranslateJob) -> int:
    """Translate every input; bad inputs are reported and skipped. Returns the exit code."""
    from pipeline.write import remove_stale_temps

    preflight(job)
    paths, failed = [], False
    for item in inputs:
        try:
            paths += find_inputs([item])
        except InputError as exc:
            print(f"nlen: error: {exc}", file=sys.stderr)
            failed = True
    if not paths:
        return 2  # every input was refused above, one line each
    config = config_hash(job)
    removed = remove_stale_temps(job.out_dir)
    if removed:
        log.info("removed %d temporary file%s left by an interrupted run", removed, "s" * (removed != 1))
    summary = Summary()
    plan = Plan(paths, job, config, summary)
    if job.executor == "ray":
        from pipeline.ray_executor import run_ray

        run_ray(plan, job, config, summary)
    else:
        run_local(plan, job, config, summary)
    if summary.tasks or summary.skipped:
        log.info("%s", summary.line())
    return 2 if failed or plan.failed else 0


# --- shared by the executors ----------------------------------------------------
def open_translator(job: TranslateJob, device: str | None = None):
    """The job's translator stack: its backend (on `device` instead of the
    requested one, if given), behind the translation cache unless it is off."""
    from pipeline.translate import open_translator as open_stack

    settings = dataclasses.replace(job.settings, device=device) if device else job.settings
    return open_stack(job.backend, job.model, settings, revision=job.revision, family=job.family,
                      cache=job.cache, cache_dir=job.cache_dir)


def run_context(job: TranslateJob, translator, config: str) -> RunContext:
    from pipeline.align import get_aligner
    from pipeline.repair import repair_settings

    return RunContext(
        out_dir=job.out_dir, config=config, unit=job.unit, aligner=job.aligner, repair_threshold=job.repair_threshold,
        cache=job.cache,
        manifest={
            "nlen": __version__,
            "model": translator.describe(),
            "aligner": {"method": get_aligner(job.aligner).name, "repair_threshold": job.repair_threshold,
                        "repair": repair_settings()},
            "request": job.request(),
            "packages": package_versions(),
            "nlen_git_commit": git_commit(Path(__file__).resolve().parent),
        })


# --- the local executor ---------------------------------------------------------
def run_local(plan: Plan, job: TranslateJob, config: str, summary: Summary) -> None:
    """Run the tasks one after another in this process, the model loaded once
    (and the progress bar shown) only when there is something to do."""
    from contextlib import ExitStack

    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    with ExitStack() as stack:
        translator = ctx = bar = None
        for task in plan.tasks():
            if translator is None:
                translator = stack.enter_context(open_translator(job))
                ctx = run_context(job, translator, config)
                stack.enter_context(logging_redirect_tqdm())
                bar = stack.enter_context(tqdm(total=None if plan.jsonl else plan.article_sentences, unit="sent",
                                               desc="translate", file=sys.stderr, disable=not job.progress,
                                               dynamic_ncols=True))
            status = process_task(task, translator, ctx, progress=bar.update)
            summary.add(status)
            for message in status["warnings"]:
                log.warning("%s", message)
            bar.set_postfix_str(f"{summary.documents} docs", refresh=False)
