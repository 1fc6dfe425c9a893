"""Lexical units: what the aligner's translation model counts in a sentence.

A unit is a word, lower-cased, with accents removed and cut to its first
`STEM` characters (a crude stem that works across European languages and
survives much OCR noise and inflection), a number with its separators
removed (3,5 = 3.5 → "35"; 1.000 = 1,000), or one of the marks ? ! and double
quotes (all quote styles are one unit). Nothing here knows a language.

All sides of an alignment job share one `Vocabulary`, so a unit that is
spelled the same on both sides (a name, a number, a cognate, or a word of the
machine translation) has the same id on both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

STEM = 4
_QUOTES = '"“”„‟«»〝〞＂'
# runs of letters, the marks ? ! and double quotes (they survive translation in most
# languages), the line break between texts, and numbers with their separators (letters first:
# the commonest, and the alternatives cannot overlap)
_TOKEN = re.compile(r"[^\W\d_]+|[?!\n" + _QUOTES + r"]|\d+(?:[.,\u00a0\u202f']\d+)*")
_NOT_DIGIT = re.compile(r"\D")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold(text: str) -> str:
    """Lower case without accents (NFKD, combining marks dropped)."""
    text = unicodedata.normalize("NFKD", text.lower())
    if text.isascii():
        return text
    # str.replace per mark present: far faster than str.translate over a long text
    for ch in set(_NON_ASCII.findall(text)):
        if unicodedata.combining(ch):
            text = text.replace(ch, "")
    return text


def unit_strings(text: str) -> list[str]:
    """The units of one text, in order."""
    return [_unit(t) for t in _TOKEN.findall(_fold(text).replace("\n", " "))]


def _unit(token: str) -> str:
    unit = _UNITS.get(token)
    if unit is None:
        if len(_UNITS) >= _UNITS_MAX:
            _UNITS.clear()
        unit = _UNITS[token] = _unit_of(token)
    return unit


_UNITS: dict[str, str] = {}  # token → unit, across calls (documents share most of their words)
_UNITS_MAX = 1_000_000


def _unit_of(token: str) -> str:
    if token[0].isdigit():
        return "#" + _NOT_DIGIT.sub("", token)
    if token in _QUOTES:
        return '"'
    return token[:STEM]


class Vocabulary:
    """Unit string → id, shared by every side of one alignment job."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self._raw: dict[str, int] = {}  # token as found → id (most tokens repeat)

    def __len__(self) -> int:
        return len(self.ids)

    def encode(self, texts: Sequence[str]) -> Units:
        """Units of each text as one flat id array with offsets (one regex pass over all texts)."""
        folded = _fold("\n".join(t.replace("\n", " ") for t in texts))
        toks = _TOKEN.findall(folded)
        ids, raw = self.ids, self._raw
        raw.setdefault("\n", -1)  # the break between texts
        for tok in dict.fromkeys(toks):  # each distinct token once, in order of first occurrence
            if tok not in raw:
                u = _unit(tok)
                k = ids.get(u)
                if k is None:
                    k = ids[u] = len(ids)
                raw[tok] = k
        codes = np.fromiter(map(raw.__getitem__, toks), dtype=np.int64, count=len(toks))
        breaks = np.flatnonzero(codes < 0)
        flat = codes[codes >= 0]
        starts = np.concatenate([[0], breaks - np.arange(len(breaks)), [len(flat)]])
        # texts that end in nothing still get their (empty) row
        if len(starts) < len(texts) + 1:
            starts = np.concatenate([starts, np.full(len(texts) + 1 - len(starts), len(flat))])
        return Units(flat, starts[: len(texts) + 1].astype(np.int64))


@dataclass
class Units:
    """Unit ids of n sentences: sentence s holds ids[start[s]:start[s + 1]]."""

    ids: np.ndarray
    start: np.ndarray

    def __len__(self) -> int:
        return len(self.start) - 1

    @property
    def lengths(self) -> np.ndarray:
        """The number of units of each sentence."""
        return np.diff(self.start)

    def slice(self, first: int, last: int) -> Units:
        """The units of sentences first..last - 1, with `start` rebased to 0."""
        a, b = self.start[first], self.start[last]
        return Units(self.ids[a:b], self.start[first : last + 1] - a)

    def take(self, sentences: np.ndarray) -> Units:
        """The units of the given sentences, in that order."""
        lens = self.lengths[sentences]
        out_start = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
        at = np.repeat(self.start[sentences] - out_start[:-1], lens) + np.arange(int(out_start[-1]))
        return Units(self.ids[at], out_start)

    def counts(self, size: int) -> np.ndarray:
        """How often each unit id occurs, over all sentences."""
        return np.bincount(self.ids, minlength=size).astype(np.float64)
