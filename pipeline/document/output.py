"""Documents out: a translated document in its own format, from its rows.

Each block's English is its rows' English joined (rows are in block order), with the
block's inline markup put back on the English words aligned to its Dutch words
(pipeline/document/markup.py); a block whose markup could not be placed for sure is
flagged `markup` on its rows. A text document's English keeps its metadata header.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pipeline.document.formats import Block, ParsedDocument, format_for
from pipeline.document.inputs import TRANSLATED_MARK, input_stem
from pipeline.document.markup import learn_lexicon, place_markup
from pipeline.types import AlignedRow, Document

MARKUP_FLAG = "markup"


def block_english(rows: Sequence[AlignedRow]) -> dict[int, str]:
    """Each paragraph's (block's) English: its rows' English joined, in order."""
    parts: dict[int, list[str]] = {}
    for row in rows:
        if row.en:
            parts.setdefault(row.paragraph, []).append(row.en)
    return {k: " ".join(v) for k, v in parts.items()}


def _parsed(doc: Document) -> ParsedDocument | None:
    if doc.layout is None:
        return None
    fmt = format_for(doc.path)
    assert fmt is not None  # a layout is only kept for a document format
    return fmt.parse(doc.layout.data, doc.path)


def place_blocks(doc: Document, rows: list[AlignedRow]) -> tuple[list[Block] | None, list[AlignedRow]]:
    """The English blocks of a format document (None for text), and `rows` with the flag
    `markup` on the rows of blocks whose markup was not placed for sure."""
    parsed = _parsed(doc)
    if parsed is None:
        return None, rows
    english = block_english(rows)
    needs = any(b.spans for b in parsed.blocks)
    lexicon = learn_lexicon([(r.nl, r.en) for r in rows if r.nl and r.en]) if needs else None
    out: list[Block] = []
    for index, block in enumerate(parsed.blocks):
        if index not in english:
            out.append(block)  # no translation (no text, or nothing came back): kept as it was
            continue
        out.append(place_markup(block, english[index], lexicon) if block.spans else Block(block.path, english[index]))
    unsure = {i for i, b in enumerate(out) if MARKUP_FLAG in b.flags}
    rows = [
        replace(r, flags=(*r.flags, MARKUP_FLAG)) if r.paragraph in unsure and MARKUP_FLAG not in r.flags else r
        for r in rows
    ]
    return out, rows


def document_name(doc: Document) -> str:
    """The translated document's file name: `<stem>.en<suffix>` (`.txt` for stdin)."""
    suffix = doc.path.suffix if doc.path.suffix and str(doc.path) != "-" else ".txt"
    return f"{input_stem(doc.path) if str(doc.path) != '-' else doc.name}{TRANSLATED_MARK}{suffix}"


def render_document(doc: Document, rows: Sequence[AlignedRow], blocks: list[Block] | None) -> bytes:
    """The translated document's bytes: the format's own rendering of `blocks`, or for text
    the metadata header then the English paragraphs, a blank line between."""
    if blocks is not None:
        fmt = format_for(doc.path)
        parsed = _parsed(doc)
        assert fmt is not None and parsed is not None
        return fmt.render(parsed, blocks)
    english = block_english(rows)
    header = " ".join(f"{k} {v}" for k, v in doc.meta.items())
    paragraphs = [english[p.index] for p in doc.paragraphs if p.index in english]
    return ("\n\n".join(([header] if header else []) + paragraphs) + "\n").encode("utf-8")
