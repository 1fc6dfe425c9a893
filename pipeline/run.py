"""The `translate` job: segment → translate → align → write, per input file."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from pipeline import __version__
from pipeline.errors import InputError, UserError
from pipeline.provenance import git_commit, local_model_fingerprint, package_versions
from pipeline.repair import DEFAULT_THRESHOLD
from pipeline.segment import find_inputs, read_document
from pipeline.translate.base import GenerationSettings, Translator
from pipeline.types import AlignedRow, Document
from pipeline.write import write_json, write_tsv

log = logging.getLogger(__name__)


@dataclass
class TranslateJob:
    out_dir: Path
    model: str
    backend: str = "transformers"
    revision: str | None = None
    family: str | None = None
    settings: GenerationSettings = field(default_factory=GenerationSettings)
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
            "settings": self.settings.to_dict(), "aligner": self.aligner,
            "repair_threshold": self.repair_threshold, "nlen": __version__,
        }


@dataclass
class DocumentResult:
    rows: list[AlignedRow]
    counts: dict


def translate_document(
    doc: Document, translator: Translator, aligner: str = "default", progress=None,
    repair_threshold: float = DEFAULT_THRESHOLD,
) -> DocumentResult:
    """Translate one document (see `translate_documents`)."""
    return translate_documents([doc], translator, aligner, progress, repair_threshold)[0]


def translate_documents(
    docs: Sequence[Document], translator: Translator, aligner: str = "default", progress=None,
    repair_threshold: float = DEFAULT_THRESHOLD,
) -> list[DocumentResult]:
    """Translate paragraph by paragraph, align sentences inside each paragraph,
    then repair what the paragraph translation lost (pipeline/repair.py).

    The paragraphs of all `docs` go to the translator in one call, and so do
    their sentence-level repairs, so batches fill across small documents. A
    text's translation does not depend on its batch-mates (per-text output
    bounds), so each document gets what it would get alone."""
    from pipeline.align import align
    from pipeline.repair import RepairStats, repair_coverage
    from pipeline.sentences import split_sentences
    from pipeline.translate.chunking import ChunkStats, translate_segments

    stats = [ChunkStats() for _ in docs]
    sentences = [[s.text for s in p.sentences] for doc in docs for p in doc.paragraphs]
    stats_of = [st for doc, st in zip(docs, stats) for _ in doc.paragraphs]
    english = translate_segments(translator, sentences, stats_of, progress)
    en_sentences = [split_sentences(text, "en") if text else [] for text in english]
    first = [align(nl, en, method=aligner) for nl, en in zip(sentences, en_sentences)]
    blocks, repair_stats = repair_coverage(sentences, en_sentences, first, translator, method=aligner,
                                           threshold=repair_threshold, chunk_stats=stats_of)
    results, k = [], 0
    for doc, chunk_stats in zip(docs, stats):
        end = k + len(doc.paragraphs)
        results.append(_document_result(doc, sentences[k:end], en_sentences[k:end], blocks[k:end], chunk_stats,
                                        sum(repair_stats[k:end], RepairStats())))
        k = end
    return results


def _document_result(doc: Document, sentences, en_sentences, blocks, stats, repair_stats) -> DocumentResult:
    rows: list[AlignedRow] = []
    kinds: Counter[str] = Counter()
    en_offset = 0
    for paragraph, nl, en, block in zip(doc.paragraphs, sentences, en_sentences, blocks):
        for bead in block.beads:
            kinds[bead.kind] += 1
            filled = not bead.tgt and all(i in block.fills for i in bead.src) and bool(bead.src)
            rows.append(AlignedRow(
                nl=" ".join(nl[i] for i in bead.src),
                en=" ".join(block.fills[i] for i in bead.src) if filled else " ".join(en[j] for j in bead.tgt),
                doc=doc.name,
                paragraph=paragraph.index,
                nl_ids=tuple(paragraph.sentences[i].id for i in bead.src),
                en_ids=tuple(en_offset + j for j in bead.tgt),
                score=bead.score,
                repaired=filled,
            ))
        en_offset += len(en)
    counts = {
        "paragraphs": len(doc.paragraphs),
        "sentences_nl": sum(len(s) for s in sentences),
        "sentences_en": en_offset,
        **stats.to_dict(),
        "beads": dict(sorted(kinds.items())),
        "repair": repair_stats.to_dict(),
    }
    return DocumentResult(rows, counts)


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


# Documents are translated together until they hold this many paragraphs, so
# that batches fill across small documents. Outputs are written per group, so
# an interrupt loses at most one group's work (none with the cache on).
GROUP_PARAGRAPHS = 256


def document_groups(docs: Sequence[Document], min_paragraphs: int) -> Iterator[list[Document]]:
    """Consecutive documents, in order, in groups of at least `min_paragraphs`
    paragraphs (the last group may hold fewer)."""
    group: list[Document] = []
    size = 0
    for doc in docs:
        group.append(doc)
        size += len(doc.paragraphs)
        if size >= min_paragraphs:
            yield group
            group, size = [], 0
    if group:
        yield group


def _translate_all(docs: list[Document], job: TranslateJob) -> None:
    from tqdm import tqdm

    from pipeline.align import get_aligner
    from pipeline.translate import load_translator

    translator = load_translator(job.backend, job.model, job.settings, revision=job.revision, family=job.family)
    backend = translator
    if job.cache:
        from pipeline.cache import CachedTranslator, TranslationCache

        translator = CachedTranslator(backend, TranslationCache(job.cache_dir))
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
                before = translator.cache_counts() if job.cache else None
                oom_before, tokens_before = backend.oom_splits, backend.target_tokens
                results = translate_documents(group, translator, job.aligner, progress=bar.update,
                                              repair_threshold=job.repair_threshold)
                # Engine measures belong to the group, which shares batches.
                measures = {"documents": len(group), "wall_time_s": round(time.perf_counter() - started, 3),
                            "target_tokens": backend.target_tokens - tokens_before,
                            "oom_splits": backend.oom_splits - oom_before}
                if before:
                    after = translator.cache_counts()
                    measures["cache"] = {k: after[k] - before[k] for k in ("hits", "misses")}
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
