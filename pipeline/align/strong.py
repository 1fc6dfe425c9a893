"""The default aligner, `nlen`: length + anchors (+ lexical similarity with MT).

Bead cost (in nats, lower is better) for a bead of a source and b target
sentences, a, b >= 1:

    prior(a, b)
    + (a + b) / 2 * ( w_len * GC(len_src, len_tgt; c, s2)   # Gale-Church, c and s2 from the data
                    + w_lex * (1 - chrF_like) )                 # only when src_mt is given
    - w_match * shared_anchors + w_miss * unshared_anchors

and for 1-0 / 0-1 beads `null + w_miss * anchors`. The per-sentence factor
(a + b) / 2 keeps a merged bead comparable with the 1-1 beads it replaces.

* c and s2 are first taken from the block's totals and a prior, then
  re-estimated robustly from the 1-1 beads of a first pass (median-based,
  shrunk towards the prior when the block is small), and the DP runs again.
* chrF_like is a character 3-5-gram F-score (beta = 2, micro-averaged over
  the orders) between the MT of the merged source sentences and the merged
  target sentences; shared n-grams are estimated by the dot product of
  signed-hashed count vectors (see features.py), so merged beads cost nothing
  extra to score.
* Anchors: digit sequences (3,5 = 3.5, 1.000 = 1,000), capitalised tokens of
  length >= 3 found on both sides of the block, double quotes, ? and !.
* Confidence: a squashed margin, 1 - exp(-margin / temperature), where the
  margin is the cost gap between the chosen bead and the best other bead type
  into the same DP cell.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from pipeline.align import dp
from pipeline.align.base import Aligner, register
from pipeline.align.features import anchors, hash_ngrams
from pipeline.align.lengths import gc_cost, prefix, span
from pipeline.types import Bead


@dataclass(frozen=True)
class Params:
    w_len: float = 1.0
    w_lex: float = 0.0
    beta: float = 2.0
    w_match: float = 1.0
    w_miss: float = 0.5
    null: float = 4.6
    merge: float = 2.3  # extra cost per sentence beyond 1-1 (so a 2-1 bead pays it once)
    s2_prior: float = 6.8
    prior_pairs: float = 20.0  # weight of the prior when estimating c and s2
    temperature: float = 1.0
    chance: float = 1.0  # scale of the chance-overlap correction
    width: int = 64


PARAMS_NO_MT = Params()
PARAMS_MT = Params(w_len=0.5, w_lex=6.0, beta=2.0, w_match=0.4, w_miss=0.2, null=6.6, merge=4.9, chance=0.8)


class _Scorer:
    """Bead costs for one block; all per-sentence features precomputed."""

    def __init__(self, src, tgt, src_mt, p: Params, max_size: int):
        self.p = p
        self.n, self.m = len(src), len(tgt)
        self.l1 = np.array([len(s) for s in src], dtype=np.float64)
        self.l2 = np.array([len(t) for t in tgt], dtype=np.float64)
        self.p1, self.p2 = prefix(self.l1), prefix(self.l2)
        self.c = (self.p2[-1] + 1.0) / (self.p1[-1] + 1.0)
        self.s2 = p.s2_prior
        anc = anchors(src, tgt)
        self.anc_s, self.anc_t = anc.src, anc.tgt
        self.pa1, self.pa2 = prefix(anc.src.counts), prefix(anc.tgt.counts)
        self.lex = src_mt is not None and p.w_lex > 0
        if self.lex:
            self.hs = hash_ngrams(src_mt)
            self.ht = hash_ngrams(tgt)
            self.pn1, self.pn2 = prefix(self.hs.counts), prefix(self.ht.counts)
            # Chance overlap per (n-gram x n-gram): shared n-grams between unrelated
            # sentences grow with hyp * ref; without this, merged beads collect the
            # spurious overlap of their cross pairs and merging always looks good.
            tx = np.bincount(self.hs.bucket, weights=self.hs.weight, minlength=self.hs.dim)
            ty = np.bincount(self.ht.bucket, weights=self.ht.weight, minlength=self.ht.dim)
            self._dot_total = float(tx @ ty)
            self._cnt_total = float(self.hs.counts.sum() * self.ht.counts.sum())
            self.mu = p.chance * self._dot_total / max(self._cnt_total, 1.0)
        self.max_size = max_size
        self._block_key = None

    # -- pairwise dot products for a compact group of cells ------------------
    def _blocks(self, I: np.ndarray, J: np.ndarray):
        key = (int(I.min()), int(I.max()), int(J.min()), int(J.max()))
        if key != self._block_key:
            k = self.max_size
            i0, i1 = key[0] - k, key[1]
            j0, j1 = key[2] - k, key[3]
            self._origin = (i0, j0)
            A = self.anc_s.dense(i0, i1)
            B = self.anc_t.dense(j0, j1)
            self._anc = _pad(A, i0, i1) @ _pad(B, j0, j1).T
            if self.lex:
                X = _pad(self.hs.dense(i0, i1), i0, i1)
                Y = _pad(self.ht.dense(j0, j1), j0, j1)
                self._lex = X @ Y.T
            self._block_key = key
        return self._origin

    def _span_dot(self, G: np.ndarray, origin, a: int, b: int, I, J) -> np.ndarray:
        i0, j0 = origin
        total = np.zeros(np.broadcast_shapes(I.shape, J.shape), dtype=np.float64)
        for da in range(a):
            ri = np.clip(I - 1 - da - i0, 0, G.shape[0] - 1)
            for db in range(b):
                cj = np.clip(J - 1 - db - j0, 0, G.shape[1] - 1)
                total += G[ri, cj]
        return total

    def cost(self, a: int, b: int, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        p = self.p
        if a == 0 or b == 0:  # null bead: its anchors stay unmatched
            cnt = span(self.pa1, I, a) if a else span(self.pa2, J, b)
            return np.broadcast_to(p.null + p.w_miss * cnt, np.broadcast_shapes(I.shape, J.shape))
        # Groups of <= 512 rows keep the dense blocks small for scattered calls too.
        out = np.empty(np.broadcast_shapes(I.shape, J.shape))
        Ib = np.broadcast_to(I, out.shape)
        Jb = np.broadcast_to(J, out.shape)
        step = 512
        for g0 in range(0, out.shape[0], step):
            sl = slice(g0, g0 + step)
            out[sl] = self._cost_group(a, b, Ib[sl], Jb[sl])
        return out

    def _cost_group(self, a, b, I, J):
        p = self.p
        origin = self._blocks(I, J)
        size = (a + b) / 2.0
        l1, l2 = span(self.p1, I, a), span(self.p2, J, b)
        c = p.w_len * gc_cost(l1, l2, self.c, self.s2)
        match = self._span_dot(self._anc, origin, a, b, I, J)
        total = span(self.pa1, I, a) + span(self.pa2, J, b)
        miss = np.maximum(total - 2 * match, 0.0)
        if self.lex:
            hyp = np.maximum(span(self.pn1, I, a), 1.0)
            ref = np.maximum(span(self.pn2, J, b), 1.0)
            ov = self._span_dot(self._lex, origin, a, b, I, J) - self.mu * hyp * ref
            ov = np.maximum(ov, 0.0)
            prec = np.minimum(ov / hyp, 1.0)
            rec = np.minimum(ov / ref, 1.0)
            b2 = p.beta * p.beta
            f = (1 + b2) * prec * rec / np.maximum(b2 * prec + rec, 1e-9)
            c = c + p.w_lex * (1.0 - f)
        return p.merge * (a + b - 2) + size * c - p.w_match * match + p.w_miss * miss

    def reestimate(self, path: list[dp.PathBead]) -> None:
        """Robust c and s2 from the 1-1 beads of a first pass, shrunk to the prior;
        the chance n-gram overlap from all pairs except those 1-1 beads."""
        ones = [(q.i - 1, q.j - 1) for q in path if q.a == 1 and q.b == 1]
        if not ones:
            return
        ii, jj = np.array(ones).T
        if self.lex:
            ov = 0.0
            for g in range(0, len(ii), 512):
                X = np.stack([self.hs.dense(i, i + 1)[0] for i in ii[g : g + 512]])
                Y = np.stack([self.ht.dense(j, j + 1)[0] for j in jj[g : g + 512]])
                ov += float((X * Y).sum())
            prod = float((self.hs.counts[ii] * self.ht.counts[jj]).sum())
            rest = self._cnt_total - prod
            if rest > 0:
                self.mu = self.p.chance * max(0.0, self._dot_total - ov) / rest
        l1, l2 = self.l1[ii], self.l2[jj]
        keep = (l1 > 0) & (l2 > 0)
        l1, l2 = l1[keep], l2[keep]
        k, k0 = len(l1), self.p.prior_pairs
        if k == 0:
            return
        c_hat = float(np.median(l2 / l1))
        c = (k * c_hat + k0 * self.c) / (k + k0)
        mean = (l1 + l2 / c) / 2
        # median of chi-square(1) is 0.4549, so this is a robust variance estimate.
        s2_hat = float(np.median((c * l1 - l2) ** 2 / mean) / 0.4549)
        self.c = c
        self.s2 = (k * max(s2_hat, 0.5) + k0 * self.p.s2_prior) / (k + k0)


def _pad(X: np.ndarray, first: int, last: int) -> np.ndarray:
    """Rows for first..last-1 where ids outside the block are zero rows."""
    want = max(0, last - first)
    if X.shape[0] == want:
        return X
    out = np.zeros((want, X.shape[1]), dtype=X.dtype)
    off = max(0, -first)
    out[off : off + X.shape[0]] = X
    return out


def bead_types(max_size: int) -> list[tuple[int, int]]:
    """1-0, 0-1, 1-1, and 1-k, k-1 up to max_size, plus 2-2 when max_size >= 2."""
    types = [(1, 0), (0, 1), (1, 1)]
    for k in range(2, max_size + 1):
        types += [(1, k), (k, 1)]
    if max_size >= 2:
        types.append((2, 2))
    return types


@register
class NlenAligner(Aligner):
    name = "nlen"

    def __init__(self, max_size: int = 3, params: Params | None = None, params_mt: Params | None = None):
        super().__init__(max_size)
        self.params = params or PARAMS_NO_MT
        self.params_mt = params_mt or PARAMS_MT

    def align(self, src: Sequence[str], tgt: Sequence[str], src_mt: Sequence[str] | None = None) -> list[Bead]:
        p = self.params_mt if src_mt is not None else self.params
        sc = _Scorer(src, tgt, src_mt, p, self.max_size)
        types = bead_types(self.max_size)
        centre = dp.diagonal(sc.l1, sc.l2)
        path = dp.viterbi(sc.n, sc.m, types, sc.cost, centre, width=p.width)
        sc.reestimate(path)
        path = dp.viterbi(sc.n, sc.m, types, sc.cost, centre, width=p.width)
        t = max(p.temperature, 1e-6)
        return [
            Bead(
                tuple(range(q.i - q.a, q.i)),
                tuple(range(q.j - q.b, q.j)),
                float(min(1.0, max(0.0, 1.0 - np.exp(-q.margin / t)))),
            )
            for q in path
        ]


def with_params(**changes) -> tuple[Params, Params]:
    """Copies of the default parameter sets with changes (for tuning scripts)."""
    return replace(PARAMS_NO_MT, **changes), replace(PARAMS_MT, **changes)
