"""Fit paragraphs into the model's input limit without ever truncating silently.

A paragraph over the limit is split at sentence boundaries into the fewest
chunks that fit (greedy packing of consecutive sentences is optimal here). A
single sentence over the limit is split at clause punctuation, and cut at word
boundaries only as a last resort, with a warning. Every event is counted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.translate.base import Translation

log = logging.getLogger(__name__)

_CLAUSE = re.compile(r"(?<=[,;:])\s+|\s+(?=[–—-]\s)")


@dataclass
class ChunkStats:
    """How long inputs were cut to fit the model's input limit, counted for the manifest."""

    translation_units: int = 0  # texts sent to the model (chunks of long paragraphs counted apart)
    paragraphs_split: int = 0  # paragraphs sent to the model in several chunks
    sentences_split: int = 0  # single sentences split at clause punctuation
    hard_cuts: int = 0  # sentences cut at word boundaries (last resort)

    def to_dict(self) -> dict:
        """The counts as a dict, for the manifest."""
        return {
            "translation_units": self.translation_units,
            "paragraphs_split": self.paragraphs_split,
            "sentences_split": self.sentences_split,
            "hard_cuts": self.hard_cuts,
        }


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
        log.warning(
            "a clause is longer than the model's input limit even alone; cutting it at word boundaries: %.60s…", chunk
        )
        words: list[str] = []
        for word in chunk.split(" "):
            words.extend([word] if fits(word) else _cut_word(word, fits))
        out.extend(_pack(words, fits))
    return out


def _cut_word(word: str, fits: Callable[[str], bool]) -> list[str]:
    """A single 'word' over the limit (a URL, a run of symbols): the longest
    prefixes that fit (at least one character each).

    Each prefix is found by galloping (lengths 1, 2, 4, … until one does not fit),
    then bisection between the last two: the text passed to `fits` is a few times
    the piece's length, so a long word costs time linear in its length."""
    pieces: list[str] = []
    start = 0
    while start < len(word):
        rest = len(word) - start
        lo, hi = 1, 1  # word[start:start+lo] is taken; hi is the next length to try
        while hi <= rest and fits(word[start : start + hi]):
            lo, hi = hi, 2 * hi
        hi = min(hi, rest + 1) - 1  # the longest length that may still fit
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(word[start : start + mid]):
                lo = mid
            else:
                hi = mid - 1
        pieces.append(word[start : start + lo])
        start += lo
    return pieces


def chunk_paragraph(
    sentences: Sequence[str],
    count_tokens: Callable[[Sequence[str]], list[int]],
    limit: int,
    stats: ChunkStats,
    n_tokens: int | None = None,
) -> list[str]:
    """The paragraph as one text if it fits, else the fewest chunks that fit.
    `n_tokens`, when known, is the whole paragraph's token count."""
    whole = " ".join(sentences)
    if n_tokens is None:
        n_tokens = count_tokens([whole])[0] if sentences else 0
    if n_tokens <= limit:
        return [whole]
    stats.paragraphs_split += 1

    def fits(text: str) -> bool:
        return count_tokens([text])[0] <= limit

    pieces: list[str] = []
    for sentence, n in zip(sentences, count_tokens(list(sentences))):
        pieces.extend([sentence] if n <= limit else _split_sentence(sentence, fits, stats))
    return _pack(pieces, fits)


def translate_segments(
    translator,
    segments: Sequence[Sequence[str]],
    stats: ChunkStats | Sequence[ChunkStats],
    progress: Callable[[int], None] | None = None,
) -> list[Translation]:
    """Translate each segment (a paragraph's sentences, or one sentence) as one
    text, splitting those over the model's input limit into chunks and joining
    the chunks' translations (`Translation.join`). `progress(n)` counts the
    finished segments' sentences, in steps as each batch of units ends (so a
    long paragraph's progress moves with its chunks).

    `stats` is one ChunkStats for all segments, or one per segment (segments of
    several documents translated in one call, each counted for its document)."""
    limit = translator.max_input_tokens
    whole = [" ".join(s) for s in segments]
    stats_of = [stats] * len(segments) if isinstance(stats, ChunkStats) else list(stats)
    units: list[str] = []
    owner: list[int] = []
    for index, n in enumerate(translator.count_tokens(whole) if whole else []):
        chunks = chunk_paragraph(segments[index], translator.count_tokens, limit, stats_of[index], n_tokens=n)
        stats_of[index].translation_units += len(chunks)
        units.extend(chunks)
        owner.extend([index] * len(chunks))
    translated = translator.translate_detailed(
        units, progress=_scaled(progress, len(units), sum(len(s) for s in segments))
    )
    parts: list[list[Translation]] = [[] for _ in segments]
    for index, result in zip(owner, translated):
        parts[index].append(result)
    return [Translation.join(p) if p else Translation("") for p in parts]


def _scaled(progress, n_units: int, n_segments: int):
    """Turn per-batch unit counts into sentence counts (a long paragraph may be
    several units), so a progress bar ends exactly at the number of sentences."""
    if progress is None:
        return None
    done = shown = 0

    def update(n: int) -> None:
        nonlocal done, shown
        done += n
        target = done * n_segments // max(1, n_units)
        if target > shown:
            progress(target - shown)
            shown = target

    return update
