"""Documents out: a translated document in its own format, from its rows.

Each block's English is its rows' English joined (rows are in block order), with the
block's inline markup put back on the English words aligned to its Dutch words
(pipeline/document/markup.py); a block whose markup could not be placed for sure is
flagged `markup` on its rows, and its placeholders go back into its rows' Dutch and
English too. A text document's English keeps its metadata header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from pipeline.document.formats import Block, ParsedDocument, format_for
from pipeline.document.inputs import TRANSLATED_MARK, input_stem
from pipeline.document.markup import learn_lexicon, place_markup
from pipeline.types import AlignedRow, Document

MARKUP_FLAG = "markup"
_ONE_SPACE = re.compile(" {2,}")


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
        if not block.spans:
            out.append(Block(block.path, english[index]))
            continue
        out.append(
            place_markup(block, english[index], lexicon, row_segments([r for r in rows if r.paragraph == index]))
        )
    unsure = {i for i, b in enumerate(out) if MARKUP_FLAG in b.flags}
    rows = [
        replace(r, flags=(*r.flags, MARKUP_FLAG)) if r.paragraph in unsure and MARKUP_FLAG not in r.flags else r
        for r in rows
    ]
    return out, with_placeholders(rows, parsed.blocks, out)


def row_segments(rows: Sequence[AlignedRow]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Each row's (Dutch, English) character range in its block's texts (the rows' Dutch and
    English joined by single spaces), for the rows that have both."""
    nl = iter(_pieces([r.nl for r in rows if r.nl]))
    en = iter(_pieces([r.en for r in rows if r.en]))
    out = []
    for row in rows:
        a = next(nl) if row.nl else None
        b = next(en) if row.en else None
        if a is not None and b is not None:
            out.append((a, b))
    return out


def _pieces(texts: Sequence[str]) -> list[tuple[int, int]]:
    """The [start, end) of each text in the texts joined by single spaces."""
    out, pos = [], 0
    for text in texts:
        out.append((pos, pos + len(text)))
        pos += len(text) + 1
    return out


def _row_at(ranges: Sequence[tuple[int, int]], at: int, forward: bool) -> tuple[int, int] | None:
    """(row, offset in it) holding position `at` of the joined text; at a boundary between
    two rows, the later one when `forward`, else the earlier."""
    best = None
    for k, (a, b) in enumerate(ranges):
        if a <= at <= b:
            best = (k, at - a)
            if not forward or at < b:
                return best
    return best


def _insert(texts: list[str], ranges, spans: Sequence[tuple[int, str, bool]]) -> list[str]:
    """`texts` with each (position, literal, forward) inserted, the last first."""
    texts = list(texts)
    # the last first; of two at one place, the later first, so the earlier ends up before it
    order = sorted(range(len(spans)), key=lambda k: (spans[k][0], k), reverse=True)
    for at, literal, forward in (spans[k] for k in order):
        found = _row_at(ranges, at, forward)
        if found is not None:
            k, offset = found
            texts[k] = texts[k][:offset] + literal + texts[k][offset:]
    return [_ONE_SPACE.sub(" ", t).strip() for t in texts]


def with_placeholders(rows: list[AlignedRow], dutch: Sequence[Block], english: Sequence[Block]) -> list[AlignedRow]:
    """`rows` with each block's placeholders back in its rows' Dutch (where they stood) and
    English (where markup placement put them), so the corpus keeps them too. A row's text is
    its block's text cut where the rows meet (rows join with single spaces)."""
    by_block: dict[int, list[int]] = {}
    for k, row in enumerate(rows):
        by_block.setdefault(row.paragraph, []).append(k)
    out = list(rows)
    for index, members in by_block.items():
        if index >= len(dutch) or not any(s.kind == "placeholder" for s in dutch[index].spans):
            continue
        nl_rows = [k for k in members if rows[k].nl]
        en_rows = [k for k in members if rows[k].en]
        nl_pieces = [
            (s.start, _dutch_literal(s), s.attr("space") in ("after", "both"))
            for s in dutch[index].spans
            if s.kind == "placeholder"
        ]
        en_pieces = [
            (s.start, s.literal, not s.literal.startswith(" ")) for s in english[index].spans if s.kind == "placeholder"
        ]
        nl = _insert([rows[k].nl for k in nl_rows], _pieces([rows[k].nl for k in nl_rows]), nl_pieces)
        en = _insert([rows[k].en for k in en_rows], _pieces([rows[k].en for k in en_rows]), en_pieces)
        for k, text in zip(nl_rows, nl):
            out[k] = replace(out[k], nl=text)
        for k, text in zip(en_rows, en):
            out[k] = replace(out[k], en=text)
    return out


def _dutch_literal(span) -> str:
    """A placeholder as it stood in the Dutch: with the space it had towards its words."""
    space = span.attr("space")
    return (" " if space == "before" else "") + span.literal + (" " if space in ("after", "both") else "")


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
