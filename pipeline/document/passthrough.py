"""English passages left alone: a sentence of a Dutch document that is English already is
copied through, not sent to the nl→en model (which would paraphrase or garble it).

Before translation, such sentences are taken out of their paragraphs: a paragraph
[D D E D] is translated as two runs, [D D] and [D], so no bead can straddle the English
sentence and the rows stay in input order. After translation, each English sentence is
put back as its own row, in place, with English = Dutch = the sentence and the flag
`source_english`. Which sentences are English: pipeline/document/language.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from pipeline.translate.base import Translation
from pipeline.types import AlignedRow, Document, Paragraph, Sentence

FLAG = "source_english"


@dataclass(frozen=True)
class Copy:
    """An English sentence of the source, copied through as its own row."""

    paragraph: Paragraph
    sentence: Sentence


def split_english(doc: Document, is_english: Callable[[Sequence[str]], list[bool]]) -> tuple[Document, list[Copy]]:
    """`doc` with its English sentences taken out (each paragraph split into runs of Dutch
    sentences around them, the runs keeping the paragraph's index and block), and the
    sentences taken out, in order."""
    sentences = doc.sentences
    english = is_english([s.text for s in sentences]) if sentences else []
    if not any(english):
        return doc, []
    which = {s.id for s, e in zip(sentences, english) if e}
    paragraphs: list[Paragraph] = []
    copies: list[Copy] = []
    for p in doc.paragraphs:
        run: list[Sentence] = []
        for s in p.sentences:
            if s.id in which:
                copies.append(Copy(p, s))
                paragraphs += _run(p, run)
                run = []
            else:
                run.append(s)
        paragraphs += _run(p, run)
    return replace(doc, paragraphs=paragraphs), copies


def _run(paragraph: Paragraph, run: list[Sentence]) -> list[Paragraph]:
    if not run:
        return []
    return [Paragraph(paragraph.index, " ".join(s.text for s in run), list(run), paragraph.block)]


def copy_row(copy: Copy, doc_name: str, score: float) -> AlignedRow:
    """The row of an English sentence: the sentence on both sides, flagged."""
    s = copy.sentence
    return AlignedRow(
        nl=s.text,
        en=s.text,
        doc=doc_name,
        paragraph=copy.paragraph.index,
        nl_ids=(s.id,),
        en_ids=(),
        score=score,
        flags=(FLAG,),
        block=copy.paragraph.block,
    )


def with_copies(rows: list[AlignedRow], copies: list[Copy], doc_name: str, score: float) -> list[AlignedRow]:
    """`rows` with the copies' rows put back in input order (before the first row holding a
    later Dutch sentence), and the English sentence ids renumbered to count the copies."""
    pending = list(copies)
    out: list[AlignedRow] = []
    for row in rows:
        while pending and row.nl_ids and min(row.nl_ids) > pending[0].sentence.id:
            out.append(copy_row(pending.pop(0), doc_name, score))
        out.append(row)
    out += [copy_row(c, doc_name, score) for c in pending]
    renumbered, shift, next_id = [], 0, 0
    for row in out:
        if FLAG in row.flags and not row.en_ids:
            row = replace(row, en_ids=(next_id,))
            shift += 1
        elif row.en_ids:
            row = replace(row, en_ids=tuple(j + shift for j in row.en_ids))
        next_id = max(row.en_ids, default=next_id - 1) + 1
        renumbered.append(row)
    return renumbered


def paragraph_translations(
    doc: Document, runs: Document, translations: Sequence[Translation], copies: list[Copy]
) -> list[Translation]:
    """One translation per paragraph of `doc` (as AlignedRow.paragraph indexes them): its
    runs' translations and its English sentences, joined in order."""
    parts: dict[int, list[tuple[int, Translation]]] = {p.index: [] for p in doc.paragraphs}
    for run, t in zip(runs.paragraphs, translations):
        parts[run.index].append((run.sentences[0].id, t))
    for c in copies:
        parts[c.paragraph.index].append((c.sentence.id, Translation(c.sentence.text)))
    return [
        Translation.join([t for _, t in sorted(parts[p.index], key=lambda x: x[0])] or [Translation("")])
        for p in doc.paragraphs
    ]
