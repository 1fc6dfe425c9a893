"""Units of work and of commit, shared by every executor.

A *unit* is what is committed at once (pipeline/corpus/write.py's `commit_files`):

- an article (`<name>.txt` → `<name>.tsv` + `<name>.json`), or
- a shard of a JSONL input: N consecutive records (non-blank lines, bad ones
  included, so shard boundaries depend on the input alone) →
  `<stem>-<index>.<config>.tsv`, `.json` and, when some lines were bad,
  `.rejects.jsonl`. `<config>` is the hash of everything that changes the
  output (pipeline/job/run.py's `config_hash`).

The manifest is written last and is the done-marker: it records the SHA-256 of
its TSV and rejects, and of the input it was made from, so a rerun skips a unit
only when its outputs are whole and belong to this input and configuration.

A *task* is what one executor call translates together: one shard, or a group
of small articles (so that batches fill across them). `process_task` runs a
task — translate, align, repair (pipeline/document/core.py), write — and returns only a
status; the local executor calls it in-process, the Ray executor in its actors.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.corpus.manifest import add_counts, read_manifest, unit_problem
from pipeline.corpus.write import commit_files, json_text, sha256_bytes, sha256_file, tsv_text
from pipeline.document.core import translate_documents
from pipeline.document.inputs import REJECTS_SUFFIX, input_stem, shown_path
from pipeline.document.jsonl import Shard, load_records, record_document
from pipeline.document.output import document_name, place_blocks, render_document
from pipeline.errors import UserError
from pipeline.types import Document

log = logging.getLogger(__name__)


@dataclass
class Unit:
    """One unit of commit: an article (`shard` is None) or a JSONL shard."""

    name: str  # output base name in the out-dir
    documents: list[Document] | None = None  # None: a shard still to be loaded
    shard: Shard | None = None

    def paths(self, out_dir: Path) -> dict[str, Path]:
        """The unit's outputs in `out_dir`: its TSV, manifest and rejects file."""
        return {
            "tsv": out_dir / f"{self.name}.tsv",
            "manifest": out_dir / f"{self.name}.json",
            "rejects": out_dir / f"{self.name}{REJECTS_SUFFIX}",
        }


@dataclass
class Task:
    """Units that one worker runs together, in order."""

    units: list[Unit]


def shard_unit(shard: Shard, config: str) -> Unit:
    """The unit of a JSONL shard, named after its input, shard number and `config`; its
    documents are None until the shard's records are loaded."""
    name = f"{input_stem(shard.input)}-{shard.index:05d}.{config}"
    docs = None if shard.records is None else [record_document(r, shard.input) for r in shard.records]
    return Unit(name, docs, shard)


# --- done-markers ----------------------------------------------------------------
def is_done(unit: Unit, out_dir: Path, config: str, documents_dir: Path | None = None) -> bool:
    """The unit's manifest is there, for this configuration and input, and its
    TSV (and rejects) are the ones it describes. A shard's input is its lines and
    whether it is the input's last shard (an input cut short makes an earlier
    shard the last one). With `documents_dir`, an article's translated document must
    be there too, as its manifest describes it."""

    paths = unit.paths(out_dir)
    manifest = read_manifest(paths["manifest"])
    if not manifest or manifest.get("config") != config or unit_problem(out_dir, manifest):  # edited: redo it
        return False
    output = manifest.get("output") or {}
    if not output.get("sha256") or sha256_file(paths["tsv"]) != output["sha256"]:
        return False
    rejects = output.get("rejects")
    if rejects and sha256_file(paths["rejects"]) != rejects.get("sha256"):
        return False
    if documents_dir is not None and unit.shard is None:
        written = manifest.get("document") or {}
        if not isinstance(written, dict) or not isinstance(written.get("name"), str):
            return False
        if sha256_file(documents_dir / Path(written["name"]).name) != written.get("sha256"):
            return False
    source = manifest.get("input") or {}
    if unit.shard is not None:
        # The same lines, still the input's last shard (or still not), and the input named as
        # now: merge puts an input's shards together by that name, so a shard made from
        # `d.jsonl` is redone when the input is given as `/abs/d.jsonl`.
        return (
            source.get("sha256") == unit.shard.sha256
            and source.get("final") == unit.shard.final
            and source.get("path") == shown_path(unit.shard.input)
        )
    assert unit.documents is not None  # an article's unit is made with its document
    return source.get("sha256") == unit.documents[0].sha256


# --- running a task ----------------------------------------------------------------
@dataclass
class RunContext:
    """What every unit's manifest shares, computed once per process."""

    out_dir: Path
    config: str
    manifest: dict  # nlen, model, aligner, request, packages, git commit
    unit: str = "paragraph"  # what the model translates at once (pipeline/document/core.py)
    aligner: str = "default"
    repair_threshold: float = 0.5
    cache: bool = True  # the translator reads and writes the translation cache
    translate_all: bool = False  # also translate sentences that are English already
    documents_dir: Path | None = None  # where translated documents go (--documents)


def process_task(task: Task, translator, ctx: RunContext, progress=None) -> dict:
    """Translate a task's documents in one core call, then commit each unit.
    Returns a status: counts, and the warnings for the driver to print."""
    started = time.perf_counter()
    unit_docs = [load_documents(unit) for unit in task.units]
    docs = [d for documents in unit_docs for d in documents]
    before = translator.counters.snapshot()
    results = translate_documents(
        docs,
        translator,
        ctx.aligner,
        progress=progress,
        repair_threshold=ctx.repair_threshold,
        unit=ctx.unit,
        translate_all=ctx.translate_all,
    )
    measures = task_measures(translator.counters.since(before), len(docs), started, ctx.cache)
    status: dict = {"units": len(task.units), "documents": len(docs), "warnings": [], "errors": []}
    status.update(dict.fromkeys(("sentences", "rows", "rejects", "untranslated"), 0))
    k, failed = 0, []
    for unit, documents in zip(task.units, unit_docs):
        try:  # one unit that cannot be written does not take the others of its task with it
            commit_unit(unit, results[k : k + len(documents)], ctx, measures, status)
        except UserError as exc:
            failed.append((unit, exc))
        k += len(documents)
    if failed:
        commit_failures(task, failed, status)
    return status


def commit_failures(task: Task, failed: list[tuple[Unit, UserError]], status: dict) -> None:
    """Units of `task` that could not be written. When others of the task were, each failure
    is an error of the status (the driver prints it, and the run goes on); when none was (a
    full disk, a read-only out-dir), the first failure stops the run, naming every input of
    the task that was not written."""
    if len(failed) < len(task.units):
        status["units"] -= len(failed)
        status["documents"] -= sum(len(unit.documents or ()) for unit, _ in failed)
        status["errors"] += [f"{exc}; not written: {unit_inputs(unit)}" for unit, exc in failed]
        return
    inputs = ", ".join(unit_inputs(unit) for unit, _ in failed)
    what = "not written" if len(failed) == 1 else "none of its group was written"
    raise UserError(f"{failed[0][1]}; {what}: {inputs}") from None


def unit_inputs(unit: Unit) -> str:
    """What a unit was made from, as its errors name it: an article's file, or a shard's
    input and line range."""
    if unit.shard is not None:
        shard = unit.shard
        return f"{shown_path(shard.input)} lines {shard.first_line}-{shard.last_line} (shard {shard.index})"
    assert unit.documents is not None  # an article's unit is made with its document
    return shown_path(unit.documents[0].path)


def load_documents(unit: Unit) -> list[Document]:
    """A unit's documents: an article's are read already; a shard's are read here, in the
    process that translates them (the Ray executor ships only the shard's byte range)."""
    if unit.documents is None:
        shard = unit.shard
        assert shard is not None  # only a shard's unit is made without its documents
        records = shard.records = load_records(shard)
        unit.documents = [record_document(r, shard.input) for r in records]
    return unit.documents


def task_measures(done: dict, n_docs: int, started: float, cache: bool) -> dict:
    """What the engine did for the task (its documents share batches): the group's measures."""
    measures = {
        "documents": n_docs,
        "wall_time_s": round(time.perf_counter() - started, 3),
        "target_tokens": done["target_tokens"],
        "oom_splits": done["oom_splits"],
    }
    if cache:
        measures["cache"] = {
            "hits": done["cache_hits"],
            "misses": done["cache_misses"],
            **({"damaged": done["cache_damaged"]} if done["cache_damaged"] else {}),
        }
    return measures


def commit_unit(unit: Unit, results, ctx: RunContext, measures: dict, status: dict) -> None:
    """Write a unit's TSV (and a shard's rejects), then its manifest, the done-marker, and
    add what it did to `status`."""
    paths = unit.paths(ctx.out_dir)
    document = _document_output(unit, results, ctx)
    rows = [row for r in results for row in r.rows]
    tsv = tsv_text(rows).encode("utf-8")
    counts: dict = {}
    for r in results:
        counts = add_counts(counts, r.counts)
    untranslated = [u for r in results for u in r.untranslated]
    output = {"tsv": paths["tsv"].name, "rows": len(rows), "sha256": sha256_bytes(tsv)}
    files = [(paths["tsv"], tsv)]
    manifest = {"nlen": ctx.manifest["nlen"], "config": ctx.config}
    assert unit.documents is not None  # process_task loaded them
    if unit.shard is None:
        doc = unit.documents[0]
        manifest["input"] = {"path": shown_path(doc.path), "sha256": doc.sha256}
        if doc.meta:
            manifest["meta"] = doc.meta
        if document is not None:
            files.append(document)
            manifest["document"] = {"name": document[0].name, "sha256": sha256_bytes(document[1])}
        status["warnings"] += (
            [f"{shown_path(doc.path)}: no text; wrote a header-only TSV"] if not doc.paragraphs else []
        )
    else:
        files += _shard_manifest(unit, results, paths, manifest, output)
        status["rejects"] += len(unit.shard.rejects)
    manifest.update(
        {
            "output": output,
            "counts": counts,
            "untranslated": untranslated,
            **{k: v for k, v in ctx.manifest.items() if k != "nlen"},
            "group": measures,
        }
    )
    files.append((paths["manifest"], json_text(manifest).encode("utf-8")))
    commit_files(files)  # the manifest last: the done-marker
    status["sentences"] += counts.get("sentences_nl", 0)
    status["rows"] += len(rows)
    status["untranslated"] += len(untranslated)
    status["warnings"] += [_untranslated_warning(u) for u in untranslated]


def _document_output(unit: Unit, results, ctx: RunContext) -> tuple[Path, bytes] | None:
    """An article's markup placed (its rows flagged `markup` where unsure), and with
    --documents its translated document to write, as (path, bytes)."""
    if unit.shard is not None or not results:
        return None
    assert unit.documents is not None  # process_task loaded them
    doc = unit.documents[0]
    blocks, results[0].rows = place_blocks(doc, results[0].rows)
    if ctx.documents_dir is None:
        return None
    return ctx.documents_dir / document_name(doc), render_document(doc, results[0].rows, blocks)


def _shard_manifest(unit: Unit, results, paths: dict, manifest: dict, output: dict) -> list[tuple[Path, bytes]]:
    """A shard's input, rejects and documents, into its manifest; returns the rejects file to write."""
    shard = unit.shard
    assert shard is not None and shard.records is not None and unit.documents is not None  # process_task loaded them
    manifest["input"] = {
        "path": shown_path(shard.input),
        "shard": shard.index,
        "final": shard.final,
        "lines": [shard.first_line, shard.last_line],
        "sha256": shard.sha256,
    }
    output["rejects"] = None
    files = []
    if shard.rejects:
        data = "".join(
            json.dumps(r.to_dict(), ensure_ascii=False, allow_nan=False) + "\n" for r in shard.rejects
        ).encode("utf-8")
        files.append((paths["rejects"], data))
        output["rejects"] = {"path": paths["rejects"].name, "count": len(shard.rejects), "sha256": sha256_bytes(data)}
    manifest["documents"] = [
        {
            "id": rec.id,
            "line": rec.line,
            "sha256": doc.sha256,
            "sentences": r.counts["sentences_nl"],
            "rows": len(r.rows),
            **({"extra": rec.extra} if rec.extra else {}),
        }
        for rec, doc, r in zip(shard.records, unit.documents, results)
    ]
    return files


def _untranslated_warning(u: dict) -> str:
    return (
        f"{u['doc']}: sentence{'s' * (len(u['nl_ids']) > 1)} "
        f"{','.join(map(str, u['nl_ids']))} (paragraph {u['paragraph']}) came back with no "
        "English; scored 0 and listed as untranslated in the manifest"
    )
