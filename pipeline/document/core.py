"""The core: documents → aligned rows, given a translator.

segment (done by the reader) → translate paragraphs → align → repair → rows;
or, with unit "sentence", translate each sentence alone → rows (no alignment,
nothing to repair).
Every executor (`pipeline/job/run.py`'s local loop, and the commands that score
models) calls this and nothing below it, so all of them produce the same rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from pipeline.document.checks import flag_rows
from pipeline.document.evidence import BeadEvidence
from pipeline.document.language import english_sentences
from pipeline.document.passthrough import FLAG, Copy, paragraph_translations, split_english, with_copies
from pipeline.document.repair import DEFAULT_THRESHOLD, RepairStats, repair_coverage
from pipeline.document.rowscore import BAD_CAP, KNOWN_BAD, row_score
from pipeline.document.sentences import split_sentences
from pipeline.translate.base import Translation, Translator
from pipeline.translate.chunking import ChunkStats, translate_segments
from pipeline.types import AlignedRow, Document

UNITS = ("paragraph", "sentence")


@dataclass
class DocumentResult:
    """What translating and aligning one document gives: its corpus rows and counts, with what
    the manifest and the evaluations need besides."""

    rows: list[AlignedRow]
    counts: dict
    # the model's translation of each paragraph (AlignedRow.paragraph indexes it), before
    # repair: text, tokens, truncated, mean log-probability (pipeline/translate/base.py);
    # with unit "sentence", its sentences' translations joined
    paragraphs: list[Translation] = field(default_factory=list)
    # Rows whose Dutch came back with no English (the model returned nothing):
    # scored 0, never high, and listed here as {"doc", "paragraph", "nl_ids"}.
    untranslated: list[dict] = field(default_factory=list)
    # per row, what its score was computed from: (kind, aligner posterior, BeadEvidence or
    # None), pipeline/document/rowscore.py; eval/faults fits the score's calibration on these
    score_inputs: list[tuple] = field(default_factory=list)


def translate_document(
    doc: Document,
    translator: Translator,
    aligner: str = "default",
    progress=None,
    repair_threshold: float = DEFAULT_THRESHOLD,
    unit: str = "paragraph",
    translate_all: bool = False,
) -> DocumentResult:
    """Translate one document (see `translate_documents`)."""
    return translate_documents([doc], translator, aligner, progress, repair_threshold, unit, translate_all)[0]


# The score of a row copied through as English: about the share of sentences passed through that
# are English on the mixed-language set's test half (eval/mixed/report.md).
SOURCE_ENGLISH_SCORE = 0.999


def translate_documents(
    docs: Sequence[Document],
    translator: Translator,
    aligner: str = "default",
    progress=None,
    repair_threshold: float = DEFAULT_THRESHOLD,
    unit: str = "paragraph",
    translate_all: bool = False,
) -> list[DocumentResult]:
    """Translate `docs` (`_translate`), each sentence identified as English copied through as
    its own row flagged `source_english` (pipeline/document/passthrough.py), unless
    `translate_all`."""
    if translate_all:
        return _translate(docs, translator, aligner, progress, repair_threshold, unit)
    split = [split_english(doc, english_sentences) for doc in docs]
    results = _translate([d for d, _ in split], translator, aligner, progress, repair_threshold, unit)
    for doc, (runs, copies), result in zip(docs, split, results):
        if copies:
            _put_back(doc, runs, copies, result)
    return results


def _put_back(doc: Document, runs: Document, copies: list[Copy], result: DocumentResult) -> None:
    """The copied English sentences back into `result`, in place."""
    result.rows = with_copies(result.rows, copies, doc.name, SOURCE_ENGLISH_SCORE)
    if result.score_inputs:
        result.score_inputs = _merge_inputs(result.rows, result.score_inputs)
    result.paragraphs = paragraph_translations(doc, runs, result.paragraphs, copies)
    counts = result.counts
    counts["paragraphs"] = len(doc.paragraphs)
    counts["sentences_nl"] += len(copies)
    counts["sentences_en"] += len(copies)
    counts["source_english"] = len(copies)


def _merge_inputs(rows: list[AlignedRow], inputs: list[tuple]) -> list[tuple]:
    """Score inputs in step with `rows` again; a copied row's score is fixed, not computed."""
    it = iter(inputs)
    return [(FLAG, 1.0, None) if FLAG in r.flags else next(it) for r in rows]


def _translate(
    docs: Sequence[Document],
    translator: Translator,
    aligner: str = "default",
    progress=None,
    repair_threshold: float = DEFAULT_THRESHOLD,
    unit: str = "paragraph",
) -> list[DocumentResult]:
    """Translate paragraph by paragraph, align sentences inside each paragraph,
    then repair what the paragraph translation lost (pipeline/document/repair.py).
    With unit "sentence", translate every sentence alone instead (see `_by_sentence`).
    `progress(n)` counts Dutch sentences as they are translated.

    The paragraphs of all `docs` go to the translator in one call, and so do
    their sentence-level repairs, so batches fill across small documents. A
    text's translation does not depend on its batch-mates (per-text output
    bounds), so each document gets what it would get alone."""
    from pipeline.align import align_by_group

    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r} (choose from {', '.join(UNITS)})")
    if unit == "sentence":
        return _by_sentence(docs, translator, progress)
    stats = [ChunkStats() for _ in docs]
    sentences = [[s.text for s in p.sentences] for doc in docs for p in doc.paragraphs]
    stats_of = [st for doc, st in zip(docs, stats) for _ in doc.paragraphs]
    translated = translate_segments(translator, sentences, stats_of, progress)
    en_sentences = [split_sentences(t.text, "en") if t.text else [] for t in translated]
    # The aligner estimates its statistics over all paragraphs of a document (a paragraph
    # alone is too small), and over nothing else, so batch-mates cannot change a document.
    doc_of = [d for d, doc in enumerate(docs) for _ in doc.paragraphs]
    first = align_by_group(sentences, en_sentences, groups=doc_of, method=aligner)
    blocks, repair_stats = repair_coverage(
        sentences,
        en_sentences,
        first,
        translator,
        method=aligner,
        threshold=repair_threshold,
        chunk_stats=stats_of,
        groups=doc_of,
        paragraph_translations=translated,
    )
    results, k = [], 0
    for doc, chunk_stats in zip(docs, stats):
        end = k + len(doc.paragraphs)
        parts = (sentences[k:end], en_sentences[k:end], blocks[k:end], translated[k:end])
        results.append(
            _document_result(doc, *parts[:3], chunk_stats, sum(repair_stats[k:end], RepairStats()), parts[3])
        )
        results[-1].counts["model_faults"] = _model_faults(blocks[k:end])
        k = end
    return results


def _model_faults(blocks) -> dict:
    """The model's own faults as the alignment sees them, before the repair fills anything in
    (a suspicious paragraph realigned against its sentence-level MT, which tells a drop from a
    merge better than lengths alone): Dutch sentences with no English (1-0 beads), and beads
    of several Dutch sentences."""
    beads = [b for block in blocks for b in block.beads]
    return {
        "dropped": sum(len(b.src) for b in beads if not b.tgt),
        "merged": sum(1 for b in beads if len(b.src) > 1 and b.tgt),
    }


def _by_sentence(docs: Sequence[Document], translator: Translator, progress=None) -> list[DocumentResult]:
    """Every sentence translated alone (batched across all `docs`): one row per
    sentence, paired by construction, so nothing is aligned or repaired: the rows are
    the model's own output (what `nlen eval` scores as the published leaderboards do).
    A row's score is 1, under 0.5 when its English is known to be bad (a loop, a copy,
    cut at the bound), 0 when it is empty."""

    stats = [ChunkStats() for _ in docs]
    units = [[s.text] for doc in docs for p in doc.paragraphs for s in p.sentences]
    stats_of = [st for doc, st in zip(docs, stats) for p in doc.paragraphs for _ in p.sentences]
    translated = iter(translate_segments(translator, units, stats_of, progress))
    results = []
    for doc, chunk_stats in zip(docs, stats):
        rows: list[AlignedRow] = []
        paragraphs: list[Translation] = []
        cut: list[int] = []  # rows whose English was cut at the output bound
        n_en = 0
        for paragraph in doc.paragraphs:
            outputs = [next(translated) for _ in paragraph.sentences]
            for sentence, t in zip(paragraph.sentences, outputs):
                if t.truncated:
                    cut.append(len(rows))
                rows.append(
                    AlignedRow(
                        nl=sentence.text,
                        en=t.text,
                        doc=doc.name,
                        paragraph=paragraph.index,
                        block=paragraph.block,
                        nl_ids=(sentence.id,),
                        en_ids=(n_en,) if t.text else (),
                        score=1.0 if t.text else 0.0,
                        logprob=t.logprob,
                    )
                )
                n_en += bool(t.text)
            paragraphs.append(Translation.join(outputs))
        rows = flag_rows(rows, {p.index: p.text for p in doc.paragraphs}, truncated=cut)
        rows = [replace(r, score=min(r.score, BAD_CAP)) if set(r.flags) & set(KNOWN_BAD) else r for r in rows]
        kinds = Counter("1-1" if row.en else "1-0" for row in rows)
        rows, untranslated = _untranslated(rows)
        counts = _counts(doc, len(rows), n_en, chunk_stats, kinds, RepairStats(), untranslated)
        results.append(DocumentResult(rows, counts, paragraphs, untranslated))
    return results


def _counts(doc: Document, n_nl: int, n_en: int, stats, kinds: Counter, repair_stats, untranslated) -> dict:
    return {
        "paragraphs": len(doc.paragraphs),
        "sentences_nl": n_nl,
        "sentences_en": n_en,
        **stats.to_dict(),
        "beads": dict(sorted(kinds.items())),
        "repair": repair_stats.to_dict(),
        "untranslated": len(untranslated),
    }


def _untranslated(rows: list[AlignedRow]) -> tuple[list[AlignedRow], list[dict]]:
    """A row with Dutch but no English must never look well aligned: its score
    becomes 0, and it is listed (for a warning and the manifest)."""
    listed = [
        {"doc": r.doc, "paragraph": r.paragraph, "nl_ids": list(r.nl_ids)} for r in rows if r.nl and not r.en.strip()
    ]
    return [replace(r, score=0.0) if r.nl and not r.en.strip() else r for r in rows], listed


def _document_result(
    doc: Document, sentences, en_sentences, blocks, stats, repair_stats, translations: Sequence[Translation]
) -> DocumentResult:

    rows: list[AlignedRow] = []
    inputs: list[tuple[str, float, BeadEvidence | None]] = []  # per row: what its score is computed from
    kinds: Counter[str] = Counter()
    cut: list[int] = []  # rows holding English cut at the output bound
    en_offset = 0
    for paragraph, nl, en, block, translation in zip(doc.paragraphs, sentences, en_sentences, blocks, translations):
        for k, bead in enumerate(block.beads):
            kinds[bead.kind] += 1
            filled = block.uses_fills(k)
            source = _source_translation(bead, block, translation) if filled else translation
            # a cut paragraph translation loses its end: the bead with its last sentence holds the
            # cut; cut inside (a chunk before the last), any of its beads may
            if source.truncated and (filled or len(en) - 1 in bead.tgt or source.cut_inside):
                cut.append(len(rows))
            kind = "repaired" if filled else "checked" if k in block.evidence else "aligned"
            inputs.append((kind, bead.score, block.evidence.get(k)))
            rows.append(
                AlignedRow(
                    nl=" ".join(nl[i] for i in bead.src),
                    en=" ".join(block.fills[i] for i in bead.src) if filled else " ".join(en[j] for j in bead.tgt),
                    doc=doc.name,
                    paragraph=paragraph.index,
                    block=paragraph.block,
                    nl_ids=tuple(paragraph.sentences[i].id for i in bead.src),
                    # for a repaired row: the paragraph output's sentences its English replaced
                    en_ids=tuple(en_offset + j for j in bead.tgt),
                    score=bead.score,
                    repaired=filled,
                    logprob=source.logprob,
                )
            )
        en_offset += len(en)
    rows = flag_rows(rows, {p.index: p.text for p in doc.paragraphs}, truncated=cut)
    rows = [
        replace(r, score=row_score(kind, posterior, evidence, r.flags, bool(r.nl.strip()), bool(r.en.strip())))
        for r, (kind, posterior, evidence) in zip(rows, inputs)
    ]
    rows, untranslated = _untranslated(rows)
    counts = _counts(doc, sum(len(s) for s in sentences), en_offset, stats, kinds, repair_stats, untranslated)
    return DocumentResult(rows, counts, list(translations), untranslated, inputs)


def _source_translation(bead, block, paragraph_translation: Translation) -> Translation:
    """The translation a repaired bead's English comes from: its sentences'
    sentence-level translations joined (a one-sentence paragraph's is the paragraph's)."""
    parts = [block.fill_translations.get(i) for i in bead.src]
    return Translation.join(parts) if all(parts) else paragraph_translation


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
