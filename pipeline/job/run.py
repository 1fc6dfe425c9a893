"""The `translate` job: check what can be checked before any model loads, find
the inputs, plan the tasks (pipeline/job/tasks.py) while skipping what is done,
and hand them to an executor: the local one below, or Ray's
(pipeline/job/ray_executor.py). Both run `tasks.process_task`, so both write the
same bytes."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.corpus.manifest import read_manifest
from pipeline.corpus.write import check_not_input, check_writable_folder, remove_stale_temps
from pipeline.document.core import GROUP_PARAGRAPHS, document_groups
from pipeline.document.inputs import (
    REJECTS_SUFFIX,
    SHARD_NAME,
    check_name,
    find_inputs,
    input_stem,
    is_jsonl,
    name_key,
    read_document,
    shown_path,
)
from pipeline.document.jsonl import Record, name_digest, scan_jsonl
from pipeline.document.output import document_name
from pipeline.errors import InputError, PathError, UserError
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
    if job.documents is not None:
        check_writable_folder(job.documents, "--documents")


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
    failed: bool = False  # a unit could not be written (said in its own line)
    started: float = field(default_factory=time.perf_counter)

    def add(self, status: dict) -> None:
        """Count one finished task's status, and print the errors of its units that could
        not be written (the others of its task were)."""
        self.tasks += 1
        for key in ("units", "documents", "sentences", "rows", "rejects", "untranslated"):
            setattr(self, key, getattr(self, key) + status.get(key, 0))
        for message in status.get("errors", ()):
            print(f"nlen: error: {message}", file=sys.stderr)
            self.failed = True

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
    """The inputs, read lazily: tasks still to do, in input order.

    Every document of a run has a name of its own (`name_key`: not one that differs only
    in case or spacing), and every input outputs of its own; an input that breaks this is
    refused, in one line naming both, before anything is written."""

    def __init__(self, paths: list[Path], job: TranslateJob, config: str, summary: Summary):
        self.job, self.config, self.summary = job, config, summary
        self.failed = False
        self.name_max = name_max(job.out_dir)
        self.article_names: dict[bytes, Path] = {}  # name digest → the article that has it
        self.jsonl = self._check_jsonl([p for p in paths if is_jsonl(p)])
        self.article_docs = self._read_articles([p for p in paths if not is_jsonl(p)])
        self.jsonl = self._check_ids(self.jsonl)
        if self.jsonl and job.documents is not None:
            log.warning("--documents: JSONL documents are not written back, only articles and documents")

    def _error(self, exc: InputError) -> None:
        print(f"nlen: error: {exc}", file=sys.stderr)
        self.failed = True

    def _check_jsonl(self, paths: list[Path]) -> list[Path]:
        """JSONL inputs whose names can name their shards: text, not too long, and a stem no
        other input has (shards are named <stem>-<index>.<config>)."""
        kept: list[Path] = []
        seen: dict[str, Path] = {}  # output stem (by name_key) → the input that has it
        for path in paths:
            try:
                check_name(path)
                stem = input_stem(path)
                self._check_length(path, f"{stem}-00000.{self.config}{REJECTS_SUFFIX}")
            except InputError as exc:
                self._error(exc)
                continue
            if name_key(stem) in seen:
                earlier = shown_path(seen[name_key(stem)])
                problem = f"same output names as {earlier} ({shown_path(stem)}-NNNNN.*.tsv); skipped"
                self._error(InputError(shown_path(path), problem))
                continue
            seen[name_key(stem)] = path
            kept.append(path)
        return kept

    def _check_length(self, path: Path, output: str) -> None:
        size = len(os.fsencode(output))
        if size > self.name_max:
            raise InputError(
                shown_path(path),
                f"name too long: its output {shown_path(output)} would be {size} bytes, over the {self.name_max} "
                "a file name may have in the out-dir; rename the input (shorter)",
            )

    def _read_articles(self, paths: list[Path]) -> list:
        docs = []
        for path in paths:
            try:
                doc = read_document(path, "nl", extract=self.job.extract)
                self._check_length(path, f"{doc.name}.json")
                self._check_article_name(doc)
                self._check_document_output(doc, paths)
            except InputError as exc:
                self._error(exc)
                continue
            self.article_names[name_digest(doc.name)] = doc.path
            if not self.job.force and is_done(Unit(doc.name, [doc]), self.job.out_dir, self.config, self.job.documents):
                log.info("%s: up to date, skipped (use --force to redo)", shown_path(doc.path))
                self.summary.skipped += 1
                continue
            docs.append(doc)
        return docs

    def _check_document_output(self, doc, inputs: list[Path]) -> None:
        """With --documents, the translated document may replace neither an input nor a file
        nlen did not write there for this input (its unit's manifest names what it wrote)."""
        if self.job.documents is None:
            return
        target = self.job.documents / document_name(doc)
        try:
            check_not_input(target, inputs, "its translated document")
        except PathError as exc:
            raise InputError(shown_path(doc.path), str(exc)) from None
        if not target.exists() or self.job.force:
            return
        written = (read_manifest(self.job.out_dir / f"{doc.name}.json") or {}).get("document")
        if not isinstance(written, dict) or written.get("name") != target.name:
            problem = (
                f"its translated document {shown_path(target)} is there already, and nlen did not write it; "
                "remove it, choose another --documents folder, or rerun with --force"
            )
            raise InputError(shown_path(doc.path), problem)

    def _check_article_name(self, doc) -> None:
        """An article's name is no other article's (its outputs would be the same files, its
        doc column the same), and not a JSONL input's shard name (`good-00000.<config>.txt`
        beside `good.jsonl`)."""
        name = shown_path(doc.name)
        earlier = self.article_names.get(name_digest(doc.name))
        if earlier is not None:
            problem = f"same output name as {shown_path(earlier)} ({name}.tsv; case and spacing are ignored); skipped"
            raise InputError(shown_path(doc.path), problem)
        shard = SHARD_NAME.match(doc.name)
        stem = name_key(shard["stem"]) if shard else None
        for path in self.jsonl:
            if name_key(input_stem(path)) == stem:
                problem = f"same output names as a shard of {shown_path(path)} ({name}.tsv, .json); skipped"
                raise InputError(shown_path(doc.path), problem)

    def _check_ids(self, paths: list[Path]) -> list[Path]:
        """JSONL inputs none of whose ids is the name of a document of an input before it
        (an article, or a line of an earlier JSONL input); read once more for that only when
        the run has more than one input. Duplicates inside one input are its rejects."""
        if len(paths) + len(self.article_names) < 2:
            return paths
        kept: list[Path] = []
        names: set[bytes] = set()  # the ids of the JSONL inputs kept so far
        for path in paths:
            mine: set[bytes] = set()
            clash = None
            try:
                for shard in scan_jsonl(path, self.job.shard_size):
                    clash = next((r for r in shard.records or () if not self._new(r, names, mine)), None)
                    if clash:
                        break
            except InputError:
                pass  # a damaged input: said when its shards are read
            if clash:
                where = self._where(name_digest(clash.id), kept)
                problem = f"line {clash.line}: id {clash.id!r} is the same document name as {where}"
                self._error(InputError(shown_path(path), f"{problem} (case and spacing are ignored); skipped"))
                continue
            names |= mine
            kept.append(path)
        return kept

    def _new(self, record: Record, names: set[bytes], mine: set[bytes]) -> bool:
        """Whether the record's name is no earlier input's; it is added to `mine`."""
        digest = name_digest(record.id)
        mine.add(digest)
        return digest not in names and digest not in self.article_names

    def _where(self, digest: bytes, jsonl: list[Path]) -> str:
        """The article, or the line of a JSONL input, whose document has the name `digest`."""
        if digest in self.article_names:
            return f"the article {shown_path(self.article_names[digest])}"
        for path in jsonl:
            record = _find_record(path, digest, self.job.shard_size)
            if record is not None:
                return f"{shown_path(path)} line {record.line} (id {record.id!r})"
        return "an earlier input"  # pragma: no cover - the digest came from one of them

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
                    if not self.job.force and is_done(unit, self.job.out_dir, self.config, self.job.documents):
                        self.summary.skipped += 1
                        continue
                    kept_in = shown_path(unit.name) + REJECTS_SUFFIX
                    for r in shard.rejects:
                        warn(f"{shown_path(path)}:{r.line}: {r.reason}; line skipped, kept in {kept_in}")
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
    return 2 if failed or plan.failed or summary.failed else 0


def name_max(folder: Path) -> int:
    """The longest file name (in bytes) the file system of `folder` (or of the nearest
    folder above it that exists) allows."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        return os.pathconf(existing, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _find_record(path: Path, digest: bytes, shard_size: int) -> Record | None:
    """The first record of a JSONL input whose name is `digest` (a rare read: once per refused input)."""
    try:
        for shard in scan_jsonl(path, shard_size):
            for record in shard.records or ():
                if name_digest(record.id) == digest:
                    return record
    except InputError:
        pass
    return None


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
