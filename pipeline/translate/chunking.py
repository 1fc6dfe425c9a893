"""Fit paragraphs into the model's input limit without ever truncating silently.

A paragraph over the limit is split at sentence boundaries into the fewest
chunks that fit (greedy packing of consecutive sentences is optimal here). A
single sentence over the limit is split at clause punctuation, and cut at word
boundaries only as a last resort, with a warning. Every event is counted.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Callable, Sequence

log = logging.getLogger(__name__)

_CLAUSE = re.compile(r"(?<=[,;:])\s+|\s+(?=[–—-]\s)")


@dataclass
class ChunkStats:
    paragraphs_split: int = 0  # paragraphs sent to the model in several chunks
    sentences_split: int = 0  # single sentences split at clause punctuation
    hard_cuts: int = 0  # sentences cut at word boundaries (last resort)

    def to_dict(self) -> dict:
        return {"paragraphs_split": self.paragraphs_split, "sentences_split": self.sentences_split,
                "hard_cuts": self.hard_cuts}


def _pack(pieces: Sequence[str], fits: Callable[[str], bool]) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    for piece in pieces:
        if current and not fits(" ".join(current + [piece])):
            chunks.append(" ".join(current))
            current = []
        current.append(piece)
    if current:
        chunks.append(" ".join(current))
    return chunks


def _split_sentence(sentence: str, fits: Callable[[str], bool], stats: ChunkStats) -> list[str]:
    stats.sentences_split += 1
    clauses = [c for c in _CLAUSE.split(sentence) if c]
    out: list[str] = []
    for chunk in _pack(clauses, fits):
        if fits(chunk):
            out.append(chunk)
            continue
        stats.hard_cuts += 1
        log.warning("a clause is longer than the model's input limit even alone; cutting it at word boundaries: %.60s…", chunk)
        out.extend(_pack(chunk.split(" "), fits))  # a single over-long word stays whole and the model bounds it
    return out


def chunk_paragraph(
    sentences: Sequence[str], count_tokens: Callable[[Sequence[str]], list[int]], limit: int, stats: ChunkStats
) -> list[str]:
    """The paragraph as one text if it fits, else the fewest chunks that fit."""
    whole = " ".join(sentences)
    if not sentences or count_tokens([whole])[0] <= limit:
        return [whole]
    stats.paragraphs_split += 1

    def fits(text: str) -> bool:
        return count_tokens([text])[0] <= limit

    pieces: list[str] = []
    for sentence, n in zip(sentences, count_tokens(list(sentences))):
        pieces.extend([sentence] if n <= limit else _split_sentence(sentence, fits, stats))
    return _pack(pieces, fits)
