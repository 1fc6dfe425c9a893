"""The core: documents → aligned rows, given a translator.

segment (done by the reader) → translate paragraphs → align → repair → rows.
Every executor (`pipeline/run.py`'s local loop, and the commands that score
models) calls this and nothing below it, so all of them produce the same rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from pipeline.checks import flag_rows
from pipeline.repair import DEFAULT_THRESHOLD
from pipeline.translate.base import Translation, Translator
from pipeline.types import AlignedRow, Document


@dataclass
class DocumentResult:
    rows: list[AlignedRow]
    counts: dict
    # Rows whose Dutch came back with no English even after repair (the model
    # returned nothing): scored 0, never high. {"doc", "paragraph", "nl_ids"} each.
    untranslated: list[dict] = field(default_factory=list)
    # the model's translation of each paragraph (AlignedRow.paragraph indexes it), before
    # repair: text, tokens, truncated, mean log-probability (pipeline/translate/base.py)
    paragraphs: list[Translation] = field(default_factory=list)


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
    `progress(n)` counts Dutch sentences as their paragraphs are translated.

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
    translated = translate_segments(translator, sentences, stats_of, progress)
    english = [t.text for t in translated]
    en_sentences = [split_sentences(text, "en") if text else [] for text in english]
    first = [align(nl, en, method=aligner) for nl, en in zip(sentences, en_sentences)]
    blocks, repair_stats = repair_coverage(sentences, en_sentences, first, translator, method=aligner,
                                           threshold=repair_threshold, chunk_stats=stats_of)
    results, k = [], 0
    for doc, chunk_stats in zip(docs, stats):
        end = k + len(doc.paragraphs)
        result = _document_result(doc, sentences[k:end], en_sentences[k:end], blocks[k:end], chunk_stats,
                                  sum(repair_stats[k:end], RepairStats()), translated[k:end])
        results.append(result)
        k = end
    return results


def _document_result(doc: Document, sentences, en_sentences, blocks, stats, repair_stats,
                     translations: Sequence[Translation]) -> DocumentResult:
    rows: list[AlignedRow] = []
    untranslated: list[dict] = []
    kinds: Counter[str] = Counter()
    cut: list[int] = []  # rows holding English cut at the output bound
    en_offset = 0
    for paragraph, nl, en, block, translation in zip(doc.paragraphs, sentences, en_sentences, blocks, translations):
        for bead in block.beads:
            kinds[bead.kind] += 1
            filled = not bead.tgt and all(i in block.fills for i in bead.src) and bool(bead.src)
            english = " ".join(block.fills[i] for i in bead.src) if filled else " ".join(en[j] for j in bead.tgt)
            nl_ids = tuple(paragraph.sentences[i].id for i in bead.src)
            score = bead.score
            if bead.src and not english.strip():  # Dutch with no English must never look aligned
                score = 0.0
                untranslated.append({"doc": doc.name, "paragraph": paragraph.index, "nl_ids": list(nl_ids)})
            source = _source_translation(bead, block, translation) if filled else translation
            # a cut paragraph translation loses its end: the bead with its last sentence holds the cut
            if source.truncated and (filled or len(en) - 1 in bead.tgt):
                cut.append(len(rows))
            rows.append(AlignedRow(
                nl=" ".join(nl[i] for i in bead.src),
                en=english,
                doc=doc.name,
                paragraph=paragraph.index,
                nl_ids=nl_ids,
                en_ids=tuple(en_offset + j for j in bead.tgt),
                score=score,
                repaired=filled,
                logprob=source.logprob,
            ))
        en_offset += len(en)
    rows = flag_rows(rows, {p.index: p.text for p in doc.paragraphs}, truncated=cut)
    counts = {
        "paragraphs": len(doc.paragraphs),
        "sentences_nl": sum(len(s) for s in sentences),
        "sentences_en": en_offset,
        **stats.to_dict(),
        "beads": dict(sorted(kinds.items())),
        "repair": repair_stats.to_dict(),
        "untranslated": len(untranslated),
    }
    return DocumentResult(rows, counts, untranslated=untranslated, paragraphs=list(translations))


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
