"""The bead model of the `nlen` aligner: log-likelihood ratios, not similarities.

A bead pairs a window S of a source sentences with a window T of b target
sentences (a, b <= max_size; 1-0 and 0-1 beads leave a sentence out). Its
score is how much more likely the bead's text is if S and T are translations
of each other than if they are unrelated:

    score(S, T) = log prior(a, b) + w_lex * LLR_lex(S, T) + LLR_len(S, T)

and a 1-0 / 0-1 bead scores log prior(1, 0): under "unrelated" every sentence
is generated alone, so the scores of different paths are comparable and the
best path is the one the model finds most likely.

LLR_lex is a translation likelihood in the spirit of IBM Model 1, averaged over
both directions. Each unit f of T is either a translation of a unit of S
(probability lam) or drawn from the background (the unit frequencies of the
whole input):

    log P(T | S) / P(T) = sum over f in T of log(1 + lam/(1 - lam) * p_S(f) / P(f)) + |T| log(1 - lam)

with p_S(f) = sum over e in S of p(f | e) / |S| (pipeline/align/lexicon.py). A
rare unit found on both sides is strong evidence, a frequent one is nearly
none, and every unit of T that S does not explain costs log(1 - lam): so a
window that holds an unrelated sentence, on either side, pays for it, and a
merge wins only when the extra sentence's content is really there.
LLR_len is Gale & Church's length term -z^2/2 on character lengths.

lam, the length ratio and variance and the bead priors are estimated from the
input (pipeline/align/nlen.py); nothing here knows a language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from pipeline.align.lengths import prefix, span
from pipeline.align.units import Units

# Bead priors before any data is seen: Gale & Church's counts, extended to the
# larger windows (each extra sentence about 10x less likely).
DEFAULT_PRIORS = {(1, 1): 0.89, (1, 0): 0.01, (0, 1): 0.01, (1, 2): 0.045, (2, 1): 0.045, (2, 2): 0.011}
SUB = 64  # source rows scored together: dense blocks stay near the DP band


def default_log_priors(max_size: int) -> dict[tuple[int, int], float]:
    out = {}
    for ab in bead_types(max_size):
        p = DEFAULT_PRIORS.get(ab)
        if p is None:
            p = DEFAULT_PRIORS[(1, 2)] * 0.1 ** (sum(ab) - 3)
        out[ab] = math.log(p)
    return out


def bead_types(max_size: int) -> list[tuple[int, int]]:
    """1-0, 0-1 and every a-b with 1 <= a, b <= max_size."""
    return [(1, 0), (0, 1)] + [(a, b) for a in range(1, max_size + 1) for b in range(1, max_size + 1)]


@dataclass
class ModelParams:
    lam_fwd: float = 0.2  # share of target units that translate a source unit
    lam_bwd: float = 0.2  # the same, target → source
    c: float = 1.0  # target / source length in characters
    s2: float = 6.8  # variance of the length difference per character (Gale & Church)
    log_prior: dict[tuple[int, int], float] = field(default_factory=dict)
    w_lex: float = 0.7  # units are not independent (repeated stems, names of several words): discount them


@dataclass
class Side:
    """One side of one block as the scorer needs it."""

    units: Units  # the units the lexical model reads (for the source: the MT's, when given)
    chars: np.ndarray  # character length of every sentence
    exp_row: np.ndarray  # expected translation units of each sentence (pipeline/align/lexicon.py):
    exp_unit: np.ndarray  # entry k is (sentence exp_row[k], unit exp_unit[k], weight exp_w[k]),
    exp_w: np.ndarray  # sorted by sentence; exp_ptr[s] is the first entry of sentence s
    exp_ptr: np.ndarray = field(init=False)

    def __post_init__(self):
        self.exp_ptr = np.searchsorted(self.exp_row, np.arange(len(self.units) + 1))
        self.pre_chars = prefix(self.chars)
        self.pre_units = prefix(self.units.lengths)

    def __len__(self) -> int:
        return len(self.units)


class BlockScorer:
    """Bead costs (= -score) for one block, in the DP's callback form."""

    def __init__(self, src: Side, tgt: Side, bg_src: np.ndarray, bg_tgt: np.ndarray, p: ModelParams, max_size: int):
        self.src, self.tgt, self.p, self.K = src, tgt, p, max_size
        self.n, self.m = len(src), len(tgt)
        # log1p(r * p_S(f) / P(f)) with r = lam / (1 - lam): the per-unit factor is 1 / P(f)
        self.inv_bg_tgt = 1.0 / bg_tgt
        self.inv_bg_src = 1.0 / bg_src
        self.size = len(bg_tgt)
        self._loc = np.full(self.size, -1, dtype=np.int64)
        self._mark = np.zeros(self.size, dtype=bool)

    # -- lexical LLR of window pairs ------------------------------------------------------
    def _direction(self, row_side: Side, col_side: Side, r0: int, r1: int, c0: int, c1: int,
                   lam: float, inv_bg: np.ndarray, Kr: int, Kc: int) -> "_Matches":
        """log P(col window | row window) / P(col window), net of log(1 - lam) per column
        unit, for row windows ending at r0..r1 (sizes 1..Kr) against column sentences
        around c0..c1, as prefix sums over the columns (see `_Matches.window`)."""
        rs0, rs1 = max(0, r0 - Kr), r1  # row sentences needed
        cs0, cs1 = max(0, c0 - Kc), c1
        nr, nc = rs1 - rs0, cs1 - cs0
        rows = r1 - r0 + 1
        cu = col_side.units
        col_ids = cu.ids[cu.start[cs0] : cu.start[cs1]]
        cum = np.zeros((Kr * rows, nc + 1))
        if nr <= 0 or nc <= 0 or len(col_ids) == 0:
            return _Matches(cum, r0, rows, cs0, col_side, lam)
        # only units found on both sides count (a column unit no row window can explain
        # adds log1p(0) = 0)
        loc = self._loc
        a, b = row_side.exp_ptr[rs0], row_side.exp_ptr[rs1]
        row_units = row_side.exp_unit[a:b]
        loc[col_ids] = 0
        mark = self._mark
        mark[row_units[loc[row_units] == 0]] = True
        loc[col_ids] = -1
        vocab = np.flatnonzero(mark)  # sorted, as np.unique would give
        mark[vocab] = False
        nv = len(vocab)
        if not nv:
            return _Matches(cum, r0, rows, cs0, col_side, lam)
        loc[vocab] = np.arange(nv)
        try:
            col_rows = np.repeat(np.arange(nc), np.diff(cu.start[cs0 : cs1 + 1]))
            fc = loc[col_ids]
            kc = fc >= 0
            C = np.bincount(col_rows[kc] * nv + fc[kc], minlength=nc * nv).reshape(nc, nv)
            f = loc[row_units]
            keep = f >= 0
            E = np.bincount((row_side.exp_row[a:b][keep] - rs0) * nv + f[keep], weights=row_side.exp_w[a:b][keep],
                            minlength=nr * nv).reshape(nr, nv)
            weight = inv_bg[vocab] * (lam / (1.0 - lam))
        finally:
            loc[vocab] = -1
        cumE = np.vstack([np.zeros((1, nv)), np.cumsum(E, axis=0)])
        ends = np.arange(r0, r1 + 1)
        sizes = np.arange(1, Kr + 1)[:, None]
        # every row window (size a ending at i) at once: (Kr, rows, units)
        win = cumE[ends - rs0][None] - cumE[np.maximum(ends[None] - sizes, rs0) - rs0]
        units = span(row_side.pre_units, ends[None], sizes)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(units > 0, 1.0 / units, 0.0)
        G = np.log1p(win * (scale[..., None] * weight))
        M = G.reshape(Kr * rows, nv) @ C.T.astype(np.float64)  # (row windows, column sentences)
        np.cumsum(M, axis=1, out=cum[:, 1:])
        return _Matches(cum, r0, rows, cs0, col_side, lam)

    def lexical(self, A: np.ndarray, B: np.ndarray, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        """LLR_lex of the A-B window pairs (source window of A sentences ending at I, target
        window of B ending at J), broadcast; I and J within one rectangle of cells."""
        p = self.p
        Ka, Kb = int(A.max()), int(B.max())
        i0, i1, j0, j1 = int(I.min()), int(I.max()), int(J.min()), int(J.max())
        fwd = self._direction(self.src, self.tgt, i0, i1, j0, j1, p.lam_fwd, self.inv_bg_tgt, Ka, Kb)
        bwd = self._direction(self.tgt, self.src, j0, j1, i0, i1, p.lam_bwd, self.inv_bg_src, Kb, Ka)
        return 0.5 * (fwd.window(A, I, B, J) + bwd.window(B, J, A, I))

    # -- the DP callback ----------------------------------------------------------------
    def cost(self, types: Sequence[tuple[int, int]], I: np.ndarray, J: np.ndarray) -> np.ndarray:
        shape = np.broadcast_shapes(I.shape, J.shape)
        Ib, Jb = np.broadcast_to(I, shape), np.broadcast_to(J, shape)
        out = np.empty((len(types),) + shape)
        p = self.p
        pairs = [t for t, (a, b) in enumerate(types) if a and b]
        for t, ab in enumerate(types):
            if not (ab[0] and ab[1]):
                out[t] = -p.log_prior[ab]
        if not pairs:
            return out
        A = np.array([types[t][0] for t in pairs])[:, None, None]
        B = np.array([types[t][1] for t in pairs])[:, None, None]
        l1 = span(self.src.pre_chars, Ib[None], A)
        l2 = span(self.tgt.pre_chars, Jb[None], B)
        mean = np.maximum((l1 + l2 / p.c) / 2.0, 1.0)
        z2 = (p.c * l1 - l2) ** 2 / (p.s2 * mean)
        prior = np.array([p.log_prior[types[t]] for t in pairs])[:, None, None]
        lex = np.zeros((len(pairs),) + shape)
        rows = Ib[:, 0] if Ib.ndim == 2 else Ib
        for s0 in range(0, len(rows), SUB):
            sl = slice(s0, s0 + SUB)
            Is = Ib[sl][None]
            Js = np.clip(Jb[sl], 0, self.m)[None]
            lex[:, sl] = self.lexical(A, B, Is, Js)
        out[pairs] = -(prior + p.w_lex * lex - 0.5 * z2)
        return out


class _Matches:
    """Prefix sums, over column sentences cs0.., of the lexical LLR of row windows (size
    a, ending at row r0 + r: line (a - 1) * rows + r)."""

    def __init__(self, cum: np.ndarray, r0: int, rows: int, cs0: int, col_side: Side, lam: float):
        self.cum, self.r0, self.rows, self.cs0, self.col_side, self.lam = cum, r0, rows, cs0, col_side, lam

    def window(self, a: np.ndarray, r: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """The LLR of the row window (a, ending at r) against the column window (b, ending
        at c), broadcast; windows that start before the first row or column are clipped
        (the DP masks them)."""
        line = (a - 1) * self.rows + (r - self.r0)
        hi = c - self.cs0
        lo = np.maximum(c - b, self.cs0) - self.cs0
        n_units = span(self.col_side.pre_units, c, b)
        return self.cum[line, hi] - self.cum[line, lo] + n_units * math.log(1.0 - self.lam)
