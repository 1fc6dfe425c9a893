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
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.align import kernels
from pipeline.align.lengths import prefix
from pipeline.align.units import Units

# Bead priors before any data is seen: Gale & Church's counts, extended to the
# larger windows (each extra sentence about 10x less likely).
DEFAULT_PRIORS = {(1, 1): 0.89, (1, 0): 0.01, (0, 1): 0.01, (1, 2): 0.045, (2, 1): 0.045, (2, 2): 0.011}


def default_log_priors(max_size: int) -> dict[tuple[int, int], float]:
    """Log priors of every bead type up to `max_size`: DEFAULT_PRIORS, and for larger beads
    10x less per extra sentence."""
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
    """The bead model's parameters, as `nlen` estimates them from its input."""

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

    def __init__(
        self,
        src: Side,
        tgt: Side,
        bg_src: np.ndarray,
        bg_tgt: np.ndarray,
        p: ModelParams,
        max_size: int,
        s_bounds: np.ndarray,
        t_bounds: np.ndarray,
    ):
        """s_bounds, t_bounds: where the block's grids start and end (dp.BlockLattices; one
        grid: [0, n] and [0, m]); no bead crosses them, so their windows are never scored."""
        self.src, self.tgt, self.p, self.K = src, tgt, p, max_size
        self.s_bounds, self.t_bounds = np.asarray(s_bounds, dtype=np.int64), np.asarray(t_bounds, dtype=np.int64)
        self.n, self.m = len(src), len(tgt)
        size = len(bg_tgt)
        # log1p(r * p_S(f) / P(f)) with r = lam / (1 - lam): the per-unit factor is r / P(f);
        # then the scratch of the kernel: one window's expected units, and each unit's term
        # once computed
        self._lexical_args = (
            src.exp_ptr,
            src.exp_unit,
            src.exp_w,
            src.pre_units,
            src.units.start,
            src.units.ids,
            tgt.exp_ptr,
            tgt.exp_unit,
            tgt.exp_w,
            tgt.pre_units,
            tgt.units.start,
            tgt.units.ids,
            (1.0 / bg_tgt) * (p.lam_fwd / (1.0 - p.lam_fwd)),
            (1.0 / bg_src) * (p.lam_bwd / (1.0 - p.lam_bwd)),
            math.log(1.0 - p.lam_fwd),
            math.log(1.0 - p.lam_bwd),
            np.zeros((size, max_size)),
            np.zeros((size, max_size)),
            np.full((size, max_size), -1, dtype=np.int64),
            np.zeros(1, dtype=np.int64),
        )

    # -- the DP callback ----------------------------------------------------------------
    def cost(self, types: Sequence[tuple[int, int]], I: np.ndarray, J: np.ndarray) -> np.ndarray:
        """The DP callback: costs of each bead type in `types` ending at cells (I, J), with shape
        (len(types),) + the broadcast shape of I and J."""
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
        rows = np.ascontiguousarray(Ib[:, 0] if Ib.ndim == 2 else Ib, dtype=np.int64)
        cols = Jb if Jb.ndim == 2 else Jb[:, None]
        # each row's grid: the one it ends (a boundary row starts the next grid, whose row 0
        # holds no bead with a source sentence)
        grid = np.clip(np.searchsorted(self.s_bounds, rows, side="left") - 1, 0, len(self.s_bounds) - 2)
        out[pairs] = kernels.pair_costs(
            np.array([types[t][0] for t in pairs], dtype=np.int64),
            np.array([types[t][1] for t in pairs], dtype=np.int64),
            np.array([p.log_prior[types[t]] for t in pairs]),
            rows,
            np.ascontiguousarray(np.clip(cols, 0, self.m), dtype=np.int64),
            self.s_bounds[grid],
            self.t_bounds[grid],
            self.src.pre_chars,
            self.tgt.pre_chars,
            float(p.c),
            float(p.s2),
            float(p.w_lex),
            self._lexical_args,
        ).reshape((len(pairs),) + shape)
        return out
