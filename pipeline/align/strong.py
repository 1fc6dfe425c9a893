"""The default aligner, `nlen`: length + anchors (+ lexical similarity with MT).

Bead cost (in nats, lower is better) for a bead of a source and b target
sentences, a, b >= 1:

    merge * (a + b - 2)
    + (a + b) / 2 * ( w_len * GC(len_src, len_tgt; c, s2)   # Gale-Church, c and s2 from the data
                    + w_lex * (1 - chrF_like) )                 # only when src_mt is given
    - w_match * shared_anchors + w_miss * unshared_anchors - w_cog * shared_cognates

and for 1-0 / 0-1 beads `null + w_miss * anchors + null_len * len / mean_len`.
The per-sentence factor (a + b) / 2 keeps a merged bead comparable with the
1-1 beads it replaces. Weights: `PARAMS_NO_MT` / `PARAMS_MT`, fitted with
eval/align/tune.py on the dev sets (not on the held-out sets).

* c and s2 start from the block's totals and the classic prior, then are
  re-estimated robustly from the 1-1 beads of a first pass (medians, shrunk
  towards the prior when the block is small), and the DP runs again. On a
  long block the first pass only sees the first ESTIMATE_PREFIX sentences.
* chrF_like is a character 3-5-gram F-score (micro-averaged over the orders)
  between the MT of the merged source sentences and the merged target
  sentences. Shared n-grams are estimated by dot products of signed-hashed
  count vectors (features.py), minus the overlap expected by chance, which is
  estimated from the sentence pairs off the first pass's path. Dot products
  are bilinear, so merged beads cost no extra feature work.
* Anchors: digit sequences (3,5 = 3.5, 1.000 = 1,000), capitalised tokens of
  length >= 3 found on both sides of the block, double quotes, ? and !.
  Cognates: 4-letter prefixes of words of 5+ letters found on both sides and
  in at most a quarter of the sentences. All language-agnostic. A bead's
  matches (summed over its sentence pairs) are capped at the anchors or
  cognates its smaller side holds, so a name that recurs in the sentences of
  a merged bead is not counted once per pair.
* Confidence: a squashed margin, 1 - exp(-margin / temperature), where the
  margin is the cost gap between the chosen bead and the best other bead type
  into the same DP cell (0 = a tie).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from pipeline.align import dp
from pipeline.align.base import Aligner, register
from pipeline.align.blas import single_thread
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
    w_cog: float = 0.0  # reward per shared cognate prefix (per sentence of the bead)
    null_len: float = 0.0  # extra 1-0 / 0-1 cost per (sentence length / mean length)
    merge: float = 2.3  # extra cost per sentence beyond 1-1 (so a 2-1 bead pays it once)
    s2_prior: float = 6.8
    prior_pairs: float = 20.0  # weight of the prior when estimating c and s2
    temperature: float = 1.0
    chance: float = 1.0  # scale of the chance-overlap correction
    width: int = 64


SMALL_BLOCK = 16  # below this many source sentences the estimates come from totals and priors only
ESTIMATE_PREFIX = 2000  # source sentences the first (estimating) pass sees in a long block

PARAMS_NO_MT = Params(w_len=1.0, w_match=0.11, w_miss=0.95, null=1.21, merge=1.38, w_cog=0.5)
PARAMS_MT = Params(w_len=1.95, w_lex=9.13, beta=0.54, w_match=1.12, w_miss=1.93, null=7.27, merge=4.19, chance=0.2)


class _Scorer:
    """Bead costs for one block; all per-sentence features precomputed."""

    def __init__(self, src, tgt, src_mt, p: Params, max_size: int):
        self.p = p
        self.n, self.m = len(src), len(tgt)
        self.l1 = np.array([len(s) for s in src], dtype=np.float64)
        self.l2 = np.array([len(t) for t in tgt], dtype=np.float64)
        self.p1, self.p2 = prefix(self.l1), prefix(self.l2)
        self.c = (self.p2[-1] + 1.0) / (self.p1[-1] + 1.0)
        self.mean1 = max(1.0, float(self.l1.mean())) if self.n else 1.0
        self.mean2 = max(1.0, float(self.l2.mean())) if self.m else 1.0
        self.s2 = p.s2_prior
        anc = anchors(src, tgt)
        self.anc_s, self.anc_t = anc.src, anc.tgt
        self.pa1, self.pa2 = prefix(anc.src.counts), prefix(anc.tgt.counts)
        self._has_anc_s, self._has_anc_t = anc.src.counts > 0, anc.tgt.counts > 0
        self.cog_s, self.cog_t = anc.cog_src, anc.cog_tgt
        self.cog = p.w_cog > 0 and anc.cog_src.counts.any() and anc.cog_tgt.counts.any()
        self.pc1, self.pc2 = prefix(anc.cog_src.counts), prefix(anc.cog_tgt.counts)
        self.lex = src_mt is not None and p.w_lex > 0
        if self.lex:
            self.hs = hash_ngrams(src_mt)
            self.ht = hash_ngrams(tgt)
            self.pn1, self.pn2 = prefix(self.hs.counts), prefix(self.ht.counts)
            # Chance overlap per (n-gram x n-gram): shared n-grams between unrelated
            # sentences grow with hyp * ref; without this, merged beads collect the
            # spurious overlap of their cross pairs and merging always looks good.
            dot_total = float(self.hs.total(0, self.n) @ self.ht.total(0, self.m))
            self.mu = p.chance * dot_total / max(float(self.hs.counts.sum() * self.ht.counts.sum()), 1.0)
        self.max_size = max_size
        self._block_key = None

    # -- pairwise dot products for a compact group of cells ------------------
    def _blocks(self, I: np.ndarray, J: np.ndarray):
        """Pairwise dot products (anchors, n-grams) for the cells of one group.

        Only pairs near the cells are computed, in sub-blocks of SUB source
        rows: the dense block is (rows x columns of the group) but the matmuls
        cover little more than the band, so the cost is O(rows * band * dim).
        """
        key = (int(I.min()), int(I.max()), int(J.min()), int(J.max()), I.shape, J.shape)
        if key == self._block_key:
            return self._origin
        k = self.max_size
        i0, i1 = key[0] - k, key[1]
        j0, j1 = key[2] - k, key[3]
        self._origin = (i0, j0)
        rows_i = I[:, 0] if I.ndim == 2 else I
        order = np.argsort(rows_i, kind="stable")
        ri = rows_i[order]
        jmin = J.min(axis=1)[order] if J.ndim == 2 else J[order]
        jmax = J.max(axis=1)[order] if J.ndim == 2 else J[order]
        shape = (i1 - i0, j1 - j0)
        self._anc = np.zeros(shape, dtype=np.float32)
        if self.cog:
            self._cog = np.zeros(shape, dtype=np.float32)
        if self.lex:
            self._lex = np.zeros(shape, dtype=np.float32)
        SUB = 64
        for s0 in range(i0, i1, SUB):
            s1 = min(i1, s0 + SUB)
            # cells whose beads can read source rows s0..s1-1
            a, b = np.searchsorted(ri, s0 + 1), np.searchsorted(ri, s1 + k, side="right")
            if a >= b:
                continue
            c0 = max(j0, int(jmin[a:b].min()) - k)
            c1 = min(j1, int(jmax[a:b].max()))
            if c1 <= c0:
                continue
            if self._has_anc_s[max(s0, 0) : max(s1, 0)].any() and self._has_anc_t[max(c0, 0) : max(c1, 0)].any():
                A = _pad(self.anc_s.dense(s0, s1), s0, s1)
                B = _pad(self.anc_t.dense(c0, c1), c0, c1)
                self._anc[s0 - i0 : s1 - i0, c0 - j0 : c1 - j0] = A @ B.T
            if self.cog:
                A = _pad(self.cog_s.dense(s0, s1), s0, s1)
                B = _pad(self.cog_t.dense(c0, c1), c0, c1)
                self._cog[s0 - i0 : s1 - i0, c0 - j0 : c1 - j0] = A @ B.T
            if self.lex:
                X = _pad(self.hs.dense(s0, s1), s0, s1)
                Y = _pad(self.ht.dense(c0, c1), c0, c1)
                self._lex[s0 - i0 : s1 - i0, c0 - j0 : c1 - j0] = X @ Y.T
        self._merged = {}
        self._block_key = key
        return self._origin

    def _span_dot(self, name: str, origin, types, I, J) -> np.ndarray:
        """Sum of pairwise dots over each bead type's a x b sentence pairs.

        The merged block M[x, y] = sum of G[x - da, y - db] is built by shifted
        adds of the whole block (cheap slices), stacked over the types and
        cached per block; then one gather serves all types.
        """
        key = (name, types)
        M = self._merged.get(key)
        if M is None:
            G = {"anc": self._anc, "lex": getattr(self, "_lex", None), "cog": getattr(self, "_cog", None)}[name]
            M = np.empty((len(types),) + G.shape, dtype=G.dtype)
            rows: dict[int, np.ndarray] = {}
            for t, (a, b) in enumerate(types):
                R = rows.get(a)
                if R is None:
                    R = G.copy()
                    for da in range(1, a):
                        R[da:] += G[:-da]
                    rows[a] = R
                M[t] = R
                for db in range(1, b):
                    M[t, :, db:] += R[:, :-db]
            self._merged[key] = M
        i0, j0 = origin
        ri = np.minimum(np.maximum(I - 1 - i0, 0), M.shape[1] - 1)
        cj = np.minimum(np.maximum(J - 1 - j0, 0), M.shape[2] - 1)
        t = np.arange(len(types))[:, None, None]
        return M[t, ri[None], cj[None]].astype(np.float64)

    def cost(self, types, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        """Costs of all bead types at cells (I, J): shape (len(types), *cells)."""
        shape = np.broadcast_shapes(I.shape, J.shape)
        out = np.empty((len(types),) + shape)
        pairs = [t for t, (a, b) in enumerate(types) if a and b]
        p = self.p
        for t, (a, b) in enumerate(types):
            if a == 0 or b == 0:  # null bead: its anchors stay unmatched; long sentences are rarely left out
                cnt = span(self.pa1, I, a) if a else span(self.pa2, J, b)
                rel = span(self.p1, I, a) / self.mean1 if a else span(self.p2, J, b) / self.mean2
                out[t] = p.null + p.w_miss * cnt + p.null_len * rel
        if pairs:
            ptypes = tuple(types[t] for t in pairs)
            Ib, Jb = np.broadcast_to(I, shape), np.broadcast_to(J, shape)
            # Groups of <= 512 rows keep the dense blocks small for scattered calls too.
            for g0 in range(0, shape[0], 512):
                sl = slice(g0, g0 + 512)
                out[pairs, sl] = self._cost_group(ptypes, Ib[sl], Jb[sl])
        return out

    def _cost_group(self, types, I, J):
        p = self.p
        origin = self._blocks(I, J)
        A = np.array([a for a, _ in types])[:, None, None]
        B = np.array([b for _, b in types])[:, None, None]
        I3, J3 = I[None], J[None]
        size = (A + B) / 2.0
        c = p.w_len * gc_cost(span(self.p1, I3, A), span(self.p2, J3, B), self.c, self.s2)
        # Sums of pairwise dots count an anchor that recurs within a merged bead once per
        # pair (a name in both sentences of a 2-2 bead: 4 matches, not 2), so merging
        # identical sentences would pay; a bead cannot match more anchors than its
        # smaller side holds.
        n_src, n_tgt = span(self.pa1, I3, A), span(self.pa2, J3, B)
        match = np.minimum(self._span_dot("anc", origin, types, I, J), np.minimum(n_src, n_tgt))
        miss = np.maximum(n_src + n_tgt - 2 * match, 0.0)
        if self.cog:
            cog = np.minimum(self._span_dot("cog", origin, types, I, J),
                             np.minimum(span(self.pc1, I3, A), span(self.pc2, J3, B)))
            c = c - p.w_cog * cog / size
        if self.lex:
            hyp = np.maximum(span(self.pn1, I3, A), 1.0)
            ref = np.maximum(span(self.pn2, J3, B), 1.0)
            ov = self._span_dot("lex", origin, types, I, J) - self.mu * hyp * ref
            ov = np.maximum(ov, 0.0)
            prec = np.minimum(ov / hyp, 1.0)
            rec = np.minimum(ov / ref, 1.0)
            b2 = p.beta * p.beta
            f = (1 + b2) * prec * rec / np.maximum(b2 * prec + rec, 1e-9)
            c = c + p.w_lex * (1.0 - f)
        return p.merge * (A + B - 2) + size * c - p.w_match * match + p.w_miss * miss

    def reestimate(self, path: list[dp.PathBead], k: int, mk: int) -> None:
        """Robust c and s2 from the 1-1 beads of a first pass, shrunk to the prior;
        the chance n-gram overlap from all pairs except those 1-1 beads."""
        ones = [(q.i - 1, q.j - 1) for q in path if q.a == 1 and q.b == 1]
        if not ones:
            return
        ii, jj = np.array(ones).T
        if self.lex:
            ov = 0.0
            for g in range(0, len(ii), 512):
                X = self.hs.dense_rows(ii[g : g + 512])
                Y = self.ht.dense_rows(jj[g : g + 512])
                ov += float((X * Y).sum())
            prod = float((self.hs.counts[ii] * self.ht.counts[jj]).sum())
            # totals over the part of the block the first pass saw
            dot_total = float(self.hs.total(0, k) @ self.ht.total(0, mk))
            rest = float(self.hs.counts[:k].sum() * self.ht.counts[:mk].sum()) - prod
            if rest > 0:
                self.mu = self.p.chance * max(0.0, dot_total - ov) / rest
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
        with single_thread():
            return self._align(src, tgt, src_mt)

    def _align(self, src, tgt, src_mt) -> list[Bead]:
        p = self.params_mt if src_mt is not None else self.params
        sc = _Scorer(src, tgt, src_mt, p, self.max_size)
        types = bead_types(self.max_size)
        centre = dp.diagonal(sc.l1, sc.l2)
        # First pass (for the estimates only): on a long block a prefix is enough.
        if sc.n >= SMALL_BLOCK:
            k = sc.n if sc.n <= 2 * ESTIMATE_PREFIX else ESTIMATE_PREFIX
            mk = int(centre[k])
            path = dp.viterbi(k, mk, types, sc.cost, np.minimum(centre[: k + 1], mk), width=p.width)
            sc.reestimate(path, k, mk)
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

