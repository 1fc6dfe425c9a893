"""The `translate` job: check what can be checked before any model loads, find
the inputs, plan the tasks (pipeline/job/tasks.py) while skipping what is done,
and hand them to an executor: the local one below, or Ray's
(pipeline/job/ray_executor.py). Both run `tasks.process_task`, so both write the
same bytes."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.corpus.write import check_writable_folder, remove_stale_temps
from pipeline.document.core import GROUP_PARAGRAPHS, document_groups
from pipeline.document.inputs import check_name, find_inputs, input_stem, is_jsonl, read_document, shown_path
from pipeline.document.jsonl import scan_jsonl
from pipeline.errors import InputError, UserError
from pipeline.job.ray_executor import run_ray
from pipeline.job.spec import TranslateJob, config_hash
from pipeline.job.tasks import Task, Unit, is_done, process_task, shard_unit
from pipeline.job.worker import open_translator, run_context
from pipeline.translate.base import backend_class
from pipeline.translate.stack import check_request

log = logging.getLogger(__name__)


# --- checks before any model loads ------------------------------------------------
def preflight(job: TranslateJob) -> None:
    """What can be refused without loading a model is refused first."""
    from pipeline.align import get_aligner

    get_aligner(job.aligner)
    check_request(job.model, job.settings, job.family)
    if job.executor == "ray":
        try:
            import ray  # noqa: F401
            import ray.data  # noqa: F401
        except ImportError:
            raise UserError("--executor ray needs Ray Data: pip install 'nlen[ray]'") from None
    else:  # the device is this machine's: a GPU it lacks is refused now (Ray's are checked on the cluster)
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
        """Count one finished task's status."""
        self.tasks += 1
        for key in ("units", "documents", "sentences", "rows", "rejects", "untranslated"):
            setattr(self, key, getattr(self, key) + status.get(key, 0))

    def line(self) -> str:
        """The summary as the one line printed at the end, with the time taken."""
        seconds = time.perf_counter() - self.started
        parts = [
            f"{self.documents} documents in {self.units} unit{'s' * (self.units != 1)}",
            f"{self.sentences} sentences → {self.rows} rows",
        ]
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
        kept: list[Path] = []
        seen: dict[str, Path] = {}  # output stem → the input that has it
        for path in paths:
            try:
                check_name(path)
            except InputError as exc:
                self._error(exc)
                continue
            stem = input_stem(path)
            if stem in seen:
                self._error(
                    InputError(
                        shown_path(path), f"same output names as {shown_path(seen[stem])} ({stem}-NNNNN.*.tsv); skipped"
                    )
                )
                continue
            seen[stem] = path
            kept.append(path)
        return kept

    def _read_articles(self) -> list:
        docs = []
        seen: dict[str, Path] = {}  # output name → the input that has it
        for path in self.articles:
            try:
                doc = read_document(path, "nl")
            except InputError as exc:
                self._error(exc)
                continue
            if doc.name in seen:
                self._error(
                    InputError(
                        shown_path(doc.path),
                        f"same output name as {shown_path(seen[doc.name])} ({doc.name}.tsv); skipped",
                    )
                )
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
        """The sentences of the article inputs still to run (those up to date are skipped)."""
        return sum(len(d.sentences) for d in self.article_docs)

    def tasks(self, warn=None) -> Iterator[Task]:
        """Article groups first, then each JSONL input's shards, streamed."""

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
                        warn(
                            f"{shown_path(path)}:{r.line}: {r.reason}; line skipped, kept in {unit.name}.rejects.jsonl"
                        )
                    yield Task([unit])
            except InputError as exc:
                self._error(exc)
                continue
            if not shards:
                self._error(
                    InputError(
                        shown_path(path), "no documents (the file is empty or only blank lines): nothing to translate"
                    )
                )

    def group_paragraphs(self) -> int:
        """Articles are translated together until they hold about 8 batches."""

        s = self.job.settings
        return max(GROUP_PARAGRAPHS, 8 * (s.batch_tokens // 64 if s.batch_tokens else s.batch_size))


def run_translate(inputs: list[str], job: TranslateJob) -> int:
    """Translate every input; bad inputs are reported and skipped. Returns the exit code."""

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
        run_ray(plan, job, config, summary)
    else:
        run_local(plan, job, config, summary)
    if summary.tasks or summary.skipped:
        log.info("%s", summary.line())
    return 2 if failed or plan.failed else 0


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
                bar = stack.enter_context(
                    tqdm(
                        total=None if plan.jsonl else plan.article_sentences,
                        unit="sent",
                        desc="translate",
                        file=sys.stderr,
                        disable=not job.progress,
                        dynamic_ncols=True,
                    )
                )
            assert ctx is not None and bar is not None  # made with the translator, for the first task
            status = process_task(task, translator, ctx, progress=bar.update)
            summary.add(status)
            for message in status["warnings"]:
                log.warning("%s", message)
            bar.set_postfix_str(f"{summary.documents} docs", refresh=False)
