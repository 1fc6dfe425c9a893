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

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


@dataclass
class HashedNgrams:
    """Sparse signed-hashed counts; `parts` blocks of entries, each sorted by sentence."""

    sent: np.ndarray  # sentence id of each entry
    bucket: np.ndarray  # hashed bucket
    weight: np.ndarray  # +1 / -1 times count (or sqrt count for anchors)
    row_start: np.ndarray  # (parts, n + 1): entries of sentence s in part p are [row_start[p, s], row_start[p, s+1])
    counts: np.ndarray  # number of n-grams per sentence (all orders together)
    dim: int

    def dense(self, first: int, last: int) -> np.ndarray:
        """Dense float32 vectors for sentences first..last-1 (clipped)."""
        n = self.row_start.shape[1] - 1
        first, last = max(0, first), min(n, last)
        out = np.zeros((max(0, last - first), self.dim), dtype=np.float32)
        if last <= first:
            return out
        flat, w = [], []
        for p in range(self.row_start.shape[0]):
            a, b = self.row_start[p, first], self.row_start[p, last]
            flat.append((self.sent[a:b] - first) * self.dim + self.bucket[a:b])
            w.append(self.weight[a:b])
        out.reshape(-1)[:] = np.bincount(np.concatenate(flat), weights=np.concatenate(w), minlength=out.size)
        return out

    def total(self, first: int, last: int) -> np.ndarray:
        """Sum of the vectors of sentences first..last-1."""
        tot = np.zeros(self.dim)
        for p in range(self.row_start.shape[0]):
            a, b = self.row_start[p, first], self.row_start[p, last]
            tot += np.bincount(self.bucket[a:b], weights=self.weight[a:b], minlength=self.dim)
        return tot

    def dense_rows(self, ids: np.ndarray) -> np.ndarray:
        """Dense float32 vectors for arbitrary sentence ids (one row each)."""
        ids = np.asarray(ids, dtype=np.int64)
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        flat, w = [], []
        for p in range(self.row_start.shape[0]):
            starts, ends = self.row_start[p, ids], self.row_start[p, ids + 1]
            lens = ends - starts
            total = int(lens.sum())
            if total == 0:
                continue
            row = np.repeat(np.arange(len(ids)), lens)
            pos = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
            entry = starts[row] + pos
            flat.append(row * self.dim + self.bucket[entry])
            w.append(self.weight[entry])
        if flat:
            out.reshape(-1)[:] = np.bincount(np.concatenate(flat), weights=np.concatenate(w), minlength=out.size)
        return out


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def hash_ngrams(texts: Sequence[str], orders: Sequence[int] = (3, 4, 5), dim: int = 1024, seed: int = 0) -> HashedNgrams:
    """Signed-hashed character n-gram counts of each text, fully vectorised.

    One rolling polynomial hash over the joined text: the hash of the n-grams
    of order n+1 is computed from those of order n in one pass.
    """
    norm = [_normalise(t) for t in texts]
    joined = "\n".join(norm) + "\n"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    sepcum = np.concatenate([[0], np.cumsum(codes == 10)])
    L = len(codes)
    n_texts = len(texts)
    sents, buckets, signs, starts = [], [], [], []
    counts = np.zeros(n_texts, dtype=np.float64)
    mult = np.uint64(0x9E3779B97F4A7C15)
    prime = np.uint64(1_000_003)
    ids = np.arange(n_texts + 1)
    with np.errstate(over="ignore"):
        h = np.full(L, np.uint64(seed * 7919 + 1))
        for n in range(1, max(orders) + 1):
            if L - n + 1 <= 0:
                break  # text shorter than the order
            # h[k] = hash of codes[k : k + n]
            h = h[: L - n + 1] * prime + codes[n - 1 :]
            if n not in orders:
                continue
            ok = (sepcum[n : L + 1] - sepcum[0 : L - n + 1]) == 0
            hh = h[ok] * mult
            sid = sepcum[0 : L - n + 1][ok]
            sents.append(sid)
            buckets.append(((hh >> np.uint64(20)) % np.uint64(dim)).astype(np.int64))
            signs.append(np.where((hh >> np.uint64(63)) == 1, 1.0, -1.0))
            starts.append(np.searchsorted(sid, ids))
            counts += np.bincount(sid, minlength=n_texts)[:n_texts]
    if not sents:
        z = np.zeros(0, dtype=np.int64)
        return HashedNgrams(z, z, np.zeros(0), np.zeros((1, n_texts + 1), dtype=np.int64), counts, dim)
    offsets = np.cumsum([0] + [len(x) for x in sents[:-1]])
    row_start = np.stack([st + off for st, off in zip(starts, offsets)])
    return HashedNgrams(
        np.concatenate(sents).astype(np.int64), np.concatenate(buckets), np.concatenate(signs), row_start, counts, dim
    )


_QUOTE_CHARS = "\"“”„‟«»〝〞＂"
_NOT_DIGIT = re.compile(r"\D")


@dataclass
class Anchors:
    """sqrt-count anchor vectors (hashed into `dim` buckets) and totals per sentence."""

    src: HashedNgrams
    tgt: HashedNgrams
    cog_src: HashedNgrams  # cognate prefixes, kept apart: weaker evidence
    cog_tgt: HashedNgrams


def _sparse_pairs(sids: np.ndarray, keys: list[str], n: int, dim: int) -> HashedNgrams:
    counts = np.bincount(sids, minlength=n).astype(np.float64)[:n] if len(sids) else np.zeros(n)
    if not keys:
        z = np.zeros(0, dtype=np.int64)
        return HashedNgrams(z, z, np.zeros(0), np.zeros((1, n + 1), dtype=np.int64), counts, dim)
    vocab: dict[str, int] = {}
    kid = np.array([vocab.setdefault(k, len(vocab)) for k in keys], dtype=np.int64)
    buckets_of_kid = np.array([_hash_cached(k) % dim for k in vocab], dtype=np.int64)
    pair, cnt = np.unique(sids * len(vocab) + kid, return_counts=True)
    sent, kid_u = pair // len(vocab), pair % len(vocab)
    # sqrt counts: the dot of sqrt counts is close to min(count) for small counts
    cell, inv = np.unique(sent * dim + buckets_of_kid[kid_u], return_inverse=True)
    weight = np.bincount(inv, weights=np.sqrt(cnt))
    sent_c, bucket_c = cell // dim, cell % dim
    row_start = np.searchsorted(sent_c, np.arange(n + 1))[None, :]
    return HashedNgrams(sent_c, bucket_c, weight, row_start, counts, dim)


def anchor_tokens(text: str) -> list[str]:
    """One sentence's anchor keys, as the aligner takes them (names are kept per block later)."""
    return _side_tokens([text])[1]


def _side_tokens(texts: Sequence[str]):
    """(sentence ids, anchor keys) and (sentence ids, cognate keys) of one side.

    One regex scan of the joined text, then list comprehensions (no per-token
    branching in a Python loop: this runs over every word of a 50k-line block).
    """
    toks = _TOKENS.findall("\n".join(t.replace("\n", " ") for t in texts))
    sid_of = np.cumsum([t == "\n" for t in toks]).tolist() if toks else []
    nums = [k for k, t in enumerate(toks) if t[0].isdigit()]
    puncts = [k for k, t in enumerate(toks) if len(t) == 1 and t in _PUNCT_SET]
    names = [k for k, t in enumerate(toks) if len(t) >= 3 and t[0].isupper()]
    cogs = [k for k, t in enumerate(toks) if len(t) >= 5 and not t[0].isdigit()]
    a_idx = nums + puncts + names
    a_key = (
        ["#" + _NOT_DIGIT.sub("", toks[k]) for k in nums]
        + ['P"' if toks[k] in _QUOTE_SET else "P" + toks[k] for k in puncts]
        + ["N" + toks[k] for k in names]
    )
    a_sid = [sid_of[k] for k in a_idx]
    c_sid = [sid_of[k] for k in cogs]
    c_key = ["C" + toks[k][:4].lower() for k in cogs]
    return a_sid, a_key, c_sid, c_key


_QUOTE_SET = frozenset(_QUOTE_CHARS)
_PUNCT_SET = frozenset(_QUOTE_CHARS + "?!")
_TOKENS = re.compile(r"\d+(?:[.,\u00a0\u202f]\d+)*|\w+|\n|[" + re.escape(_QUOTE_CHARS) + r"?!]")


_HASHES: dict[str, int] = {}


def _hash_cached(tok: str) -> int:
    h = _HASHES.get(tok)
    if h is None:
        if len(_HASHES) > 200_000:
            _HASHES.clear()
        h = _HASHES[tok] = _stable_hash(tok)
    return h


def _stable_hash(tok: str) -> int:
    h = 1469598103934665603  # FNV-1a; Python's hash() is salted per process
    for ch in tok.encode("utf-8"):
        h = ((h ^ ch) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def anchors(src: Sequence[str], tgt: Sequence[str], dim: int = 512) -> Anchors:
    sa_sid, sa_key, sc_sid, sc_key = _side_tokens(src)
    ta_sid, ta_key, tc_sid, tc_key = _side_tokens(tgt)
    # A capitalised token counts only if the other side has it too (names, acronyms);
    # sentence-initial words of one language then drop out by themselves.
    shared = {k for k in sa_key if k[0] == "N"} & {k for k in ta_key if k[0] == "N"}

    def keep_anchor(sids, keys):
        pairs = [(s, k) for s, k in zip(sids, keys) if k[0] != "N" or k in shared]
        return np.array([s for s, _ in pairs], dtype=np.int64), [k for _, k in pairs]

    # Cognates: prefixes found on both sides, but not in most sentences (those are
    # function words or topic words and say nothing about which sentence is which).
    def doc_freq(sids, keys):
        df: dict[str, int] = {}
        for k in set(zip(sids, keys)):
            df[k[1]] = df.get(k[1], 0) + 1
        return df

    df_s, df_t = doc_freq(sc_sid, sc_key), doc_freq(tc_sid, tc_key)
    cap_s, cap_t = max(2, len(src) // 4), max(2, len(tgt) // 4)
    keep = {w for w in df_s.keys() & df_t.keys() if df_s[w] <= cap_s and df_t[w] <= cap_t}

    def keep_cog(sids, keys):
        # one count per sentence and prefix
        pairs = sorted({(s, k) for s, k in zip(sids, keys) if k in keep})
        return np.array([s for s, _ in pairs], dtype=np.int64), [k for _, k in pairs]

    s_a, t_a = keep_anchor(sa_sid, sa_key), keep_anchor(ta_sid, ta_key)
    s_c, t_c = keep_cog(sc_sid, sc_key), keep_cog(tc_sid, tc_key)
    n, m = len(src), len(tgt)
    return Anchors(
        _sparse_pairs(*s_a, n, dim), _sparse_pairs(*t_a, m, dim), _sparse_pairs(*s_c, n, dim), _sparse_pairs(*t_c, m, dim)
    )
