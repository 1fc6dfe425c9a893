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
from dataclasses import dataclass
from typing import Sequence

import numpy as np

STEM = 4
_QUOTES = "\"“”„‟«»〝〞＂"
# numbers (with their separators), runs of letters, the marks ? ! and double quotes
# (they survive translation in most languages), and the line break between texts
_TOKEN = re.compile(r"\d+(?:[.,\u00a0\u202f']\d+)*|[^\W\d_]+|[?!" + _QUOTES + r"]|\n")
_NOT_DIGIT = re.compile(r"\D")


def _fold(text: str) -> str:
    """Lower case without accents (NFKD, combining marks dropped)."""
    text = unicodedata.normalize("NFKD", text.lower())
    if text.isascii():
        return text
    marks = {ord(ch): None for ch in set(text) if unicodedata.combining(ch)}
    return text.translate(marks)


def unit_strings(text: str) -> list[str]:
    """The units of one text, in order."""
    return [_unit(t) for t in _TOKEN.findall(_fold(text).replace("\n", " "))]


def _unit(token: str) -> str:
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

    def encode(self, texts: Sequence[str]) -> "Units":
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
        return np.diff(self.start)

    def sentence(self, s: int) -> np.ndarray:
        return self.ids[self.start[s] : self.start[s + 1]]

    def rows(self) -> np.ndarray:
        """Sentence index of every entry of `ids`."""
        return np.repeat(np.arange(len(self)), self.lengths)

    def slice(self, first: int, last: int) -> "Units":
        a, b = self.start[first], self.start[last]
        return Units(self.ids[a:b], self.start[first : last + 1] - a)

    def counts(self, size: int) -> np.ndarray:
        """How often each unit id occurs, over all sentences."""
        return np.bincount(self.ids, minlength=size).astype(np.float64)
