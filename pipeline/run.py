"""The `translate` job's local executor: find inputs, skip what is up to date,
run the core (pipeline/core.py) group by group, write each document's outputs."""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.errors import InputError, UserError
from pipeline.provenance import git_commit, local_model_fingerprint, package_versions
from pipeline.repair import DEFAULT_THRESHOLD
from pipeline.segment import find_inputs, read_document
from pipeline.translate.base import GenerationSettings
from pipeline.core import GROUP_PARAGRAPHS, document_groups, translate_documents
from pipeline.types import AlignedRow, Document
from pipeline.write import write_json, write_tsv

log = logging.getLogger(__name__)


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
    force: bool = False  # redo documents whose outputs are up to date
    progress: bool = True
    cache: bool = True  # translation cache (pipeline/cache.py); makes runs resumable
    cache_dir: Path | None = None  # default: $NLEN_CACHE_DIR or ~/.cache/nlen

    def request(self) -> dict:
        """What the user asked for; equal requests on equal input give equal output."""
        return {
            "model": self.model, "backend": self.backend, "revision": self.revision, "family": self.family,
            "model_fingerprint": local_model_fingerprint(self.model),
            "settings": self.settings.to_dict(), "unit": self.unit, "aligner": self.aligner,
            "repair_threshold": self.repair_threshold, "nlen": __version__,
        }


def _up_to_date(manifest_path: Path, tsv_path: Path, doc: Document, job: TranslateJob, request: dict) -> bool:
    if job.force or not (manifest_path.is_file() and tsv_path.is_file()):
        return False
    try:
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return old.get("input", {}).get("sha256") == doc.sha256 and old.get("request") == request


def run_translate(inputs: list[str], job: TranslateJob) -> int:
    """Translate every input; bad inputs are reported and skipped. Returns the exit code."""
    from pipeline.align import get_aligner

    get_aligner(job.aligner)  # an unknown name fails now, not after the first document
    if job.out_dir.exists() and not job.out_dir.is_dir():
        raise UserError(f"{job.out_dir}: --out-dir is a file, not a folder")
    failed = False
    docs: list[Document] = []
    for item in inputs:
        try:
            paths = find_inputs([item])
        except InputError as exc:
            print(f"nlen: error: {exc}", file=sys.stderr)
            failed = True
            continue
        if not paths:
            log.warning("%s: no .txt files in this folder", item)
        for path in paths:
            try:
                docs.append(read_document(path, "nl"))
            except InputError as exc:
                print(f"nlen: error: {exc}", file=sys.stderr)
                failed = True
    seen: dict[str, Path] = {}
    request = job.request()
    todo: list[Document] = []
    for doc in docs:
        if doc.name in seen:
            print(f"nlen: error: {doc.path}: same output name as {seen[doc.name]} ({doc.name}.tsv); skipped", file=sys.stderr)
            failed = True
            continue
        seen[doc.name] = doc.path
        if _up_to_date(job.out_dir / f"{doc.name}.json", job.out_dir / f"{doc.name}.tsv", doc, job, request):
            log.info("%s: up to date, skipped (use --force to redo)", doc.path)
            continue
        if not doc.paragraphs:
            log.warning("%s: no text; writing a header-only TSV", doc.path)
        todo.append(doc)

    if todo:
        _translate_all(todo, job)
    return 2 if failed else 0


def _translate_all(docs: list[Document], job: TranslateJob) -> None:
    from tqdm import tqdm

    from pipeline.align import get_aligner
    from pipeline.translate import open_translator

    translator = open_translator(job.backend, job.model, job.settings, revision=job.revision, family=job.family,
                                 cache=job.cache, cache_dir=job.cache_dir)
    # about 8 batches at least (a paragraph is ~64 source tokens when batches are sized by tokens)
    s = job.settings
    group_size = max(GROUP_PARAGRAPHS, 8 * (s.batch_tokens // 64 if s.batch_tokens else s.batch_size))
    with translator:
        described = translator.describe()
        aligner_name = get_aligner(job.aligner).name
        commit = git_commit(Path(__file__).resolve().parent)
        request, packages = job.request(), package_versions()  # once per run, not per document
        total = sum(len(d.paragraphs) for d in docs)
        with tqdm(total=total, unit="par", desc="translate", file=sys.stderr, disable=not job.progress) as bar:
            for group in document_groups(docs, group_size):
                started = time.perf_counter()
                before = translator.counters.snapshot()
                results = translate_documents(group, translator, job.aligner, progress=bar.update,
                                              repair_threshold=job.repair_threshold, unit=job.unit)
                # Engine measures belong to the group, which shares batches.
                done = translator.counters.since(before)
                measures = {"documents": len(group), "wall_time_s": round(time.perf_counter() - started, 3),
                            "target_tokens": done["target_tokens"], "oom_splits": done["oom_splits"]}
                if job.cache:
                    measures["cache"] = {"hits": done["cache_hits"], "misses": done["cache_misses"],
                                         **({"damaged": done["cache_damaged"]} if done["cache_damaged"] else {})}
                for doc, result in zip(group, results):
                    tsv_path = job.out_dir / f"{doc.name}.tsv"
                    _write_outputs(tsv_path, result.rows, job.out_dir / f"{doc.name}.json", {
                        "nlen": __version__,
                        "input": {"path": str(doc.path), "sha256": doc.sha256},
                        "output": {"tsv": str(tsv_path), "rows": len(result.rows)},
                        "model": described,
                        "aligner": {"method": aligner_name, "repair_threshold": job.repair_threshold},
                        "request": request,
                        "counts": result.counts,
                        "group": measures,
                        "packages": packages,
                        "nlen_git_commit": commit,
                    })
                    log.debug("%s → %s (%d rows)", doc.path, tsv_path, len(result.rows))


def _write_outputs(tsv_path: Path, rows: list[AlignedRow], manifest_path: Path, manifest: dict) -> None:
    """TSV first, manifest last: a manifest on disk means its TSV is complete."""
    try:
        write_tsv(tsv_path, rows)
        write_json(manifest_path, manifest)
    except OSError as exc:
        raise UserError(f"{exc.filename or tsv_path}: cannot write output: {exc.strerror or exc}") from None
