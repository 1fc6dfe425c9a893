"""Per-sentence features for the strong aligner, computed once per block.

Everything is language-agnostic: character n-grams, digit sequences,
capitalised tokens that occur on both sides, and a few punctuation marks.

Character n-grams are feature-hashed with random signs into `dim` buckets, so
the dot product of two hashed count vectors is an unbiased estimate of the
number of shared n-grams (Weinberger et al. 2009). Dot products are bilinear,
so the overlap of merged sentences is the sum of the pairwise overlaps; the
DP never builds merged texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f]\d+)*")
_WORD = re.compile(r"\w+")
_QUOTES = str.maketrans({q: '"' for q in "\"“”„‟«»〝〞＂"})
_PUNCT_ANCHORS = ('"', "?", "!")
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


@dataclass
class HashedNgrams:
    """Sparse signed-hashed character n-gram counts, rows sorted by sentence."""

    sent: np.ndarray  # sentence id of each entry
    bucket: np.ndarray  # hashed bucket
    weight: np.ndarray  # +1 / -1 times count
    row_start: np.ndarray  # entries of sentence s are [row_start[s], row_start[s+1])
    counts: np.ndarray  # number of n-grams per sentence (all orders together)
    dim: int

    def dense(self, first: int, last: int) -> np.ndarray:
        """Dense float32 vectors for sentences first..last-1 (clipped)."""
        n = len(self.row_start) - 1
        first, last = max(0, first), min(n, last)
        out = np.zeros((max(0, last - first), self.dim), dtype=np.float32)
        if last <= first:
            return out
        a, b = self.row_start[first], self.row_start[last]
        flat = (self.sent[a:b] - first) * self.dim + self.bucket[a:b]
        out.reshape(-1)[:] = np.bincount(flat, weights=self.weight[a:b], minlength=out.size)
        return out


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def hash_ngrams(texts: Sequence[str], orders: Sequence[int] = (3, 4, 5), dim: int = 1024, seed: int = 0) -> HashedNgrams:
    """Signed-hashed character n-gram counts of each text, fully vectorised."""
    norm = [_normalise(t) for t in texts]
    joined = "\n".join(norm) + "\n"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    is_sep = codes == 10
    sepcum = np.concatenate([[0], np.cumsum(is_sep)])
    L = len(codes)
    sents, buckets, signs = [], [], []
    counts = np.zeros(len(texts), dtype=np.float64)
    mult = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        for n in orders:
            if L < n:
                continue
            h = np.full(L - n + 1, np.uint64(n + seed * 7919))
            for t in range(n):
                h = (h * np.uint64(1_000_003) + codes[t : L - n + 1 + t]) & _MASK64
            ok = (sepcum[n : L + 1] - sepcum[0 : L - n + 1]) == 0
            h = (h[ok] * mult) & _MASK64
            sid = sepcum[0 : L - n + 1][ok]
            sents.append(sid)
            buckets.append(((h >> np.uint64(20)) % np.uint64(dim)).astype(np.int64))
            signs.append(np.where((h >> np.uint64(63)) == 1, 1.0, -1.0))
            counts += np.bincount(sid, minlength=len(texts))[: len(texts)]
    if sents:
        sent = np.concatenate(sents).astype(np.int64)
        bucket = np.concatenate(buckets)
        weight = np.concatenate(signs)
    else:
        sent = bucket = np.zeros(0, dtype=np.int64)
        weight = np.zeros(0)
    order = np.argsort(sent, kind="stable")
    sent, bucket, weight = sent[order], bucket[order], weight[order]
    row_start = np.searchsorted(sent, np.arange(len(texts) + 1))
    return HashedNgrams(sent, bucket, weight, row_start, counts, dim)


def anchor_tokens(text: str) -> list[str]:
    """Raw anchor candidates of one sentence (names are filtered per block later)."""
    out = ["#" + re.sub(r"\D", "", m) for m in _NUMBER.findall(text)]
    out += ["N" + w for w in _WORD.findall(text) if len(w) >= 3 and w[0].isupper() and not w.isdigit()]
    t = text.translate(_QUOTES)
    for p in _PUNCT_ANCHORS:
        out += ["P" + p] * t.count(p)
    return out


@dataclass
class Anchors:
    """sqrt-count anchor vectors (hashed into `dim` buckets) and totals per sentence."""

    src: HashedNgrams
    tgt: HashedNgrams


def _sparse(rows: list[list[str]], dim: int) -> HashedNgrams:
    sent, bucket, weight = [], [], []
    counts = np.zeros(len(rows))
    for s, toks in enumerate(rows):
        bag: dict[str, int] = {}
        for tok in toks:
            bag[tok] = bag.get(tok, 0) + 1
        seen: dict[int, float] = {}
        for tok, c in bag.items():
            k = _stable_hash(tok) % dim
            seen[k] = seen.get(k, 0.0) + c
        for k, c in seen.items():
            sent.append(s)
            bucket.append(k)
            weight.append(float(np.sqrt(c)))  # sqrt: dot of sqrt counts ~ min(count) for pairs
        counts[s] = sum(bag.values())
    sent_a = np.array(sent, dtype=np.int64)
    row_start = np.searchsorted(sent_a, np.arange(len(rows) + 1))
    return HashedNgrams(sent_a, np.array(bucket, dtype=np.int64), np.array(weight), row_start, counts, dim)


def _stable_hash(tok: str) -> int:
    h = 1469598103934665603  # FNV-1a; Python's hash() is salted per process
    for ch in tok.encode("utf-8"):
        h = ((h ^ ch) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def anchors(src: Sequence[str], tgt: Sequence[str], dim: int = 512) -> Anchors:
    s_toks = [anchor_tokens(t) for t in src]
    t_toks = [anchor_tokens(t) for t in tgt]
    # A capitalised token counts only if the other side has it too (names, acronyms);
    # sentence-initial words of one language then drop out by themselves.
    s_names = {w for toks in s_toks for w in toks if w[0] == "N"}
    t_names = {w for toks in t_toks for w in toks if w[0] == "N"}
    shared = s_names & t_names
    s_toks = [[w for w in toks if w[0] != "N" or w in shared] for toks in s_toks]
    t_toks = [[w for w in toks if w[0] != "N" or w in shared] for toks in t_toks]
    return Anchors(_sparse(s_toks, dim), _sparse(t_toks, dim))
