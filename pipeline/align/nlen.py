"""The default aligner, `nlen`: a bead model estimated from the input itself.

    beads = NlenAligner().align_blocks(src_blocks, tgt_blocks, mt_blocks)

All blocks of one call (every paragraph of a document in `nlen translate`,
every block of `nlen align`) share what is estimated, so even a paragraph of
three sentences is aligned with statistics of the whole input:

1. Units (pipeline/align/units.py) of every sentence, and their background
   frequencies on each side.
2. A first pass with identity translation (with MT: the MT's words against
   the target's; without: names, numbers and cognates), priors, the length
   ratio from the totals. On a long input the first pass sees a prefix only.
3. From its beads: the length ratio and variance (robust, from the 1-1 beads),
   the copy rates lam (one EM step), the bead priors (counts, smoothed
   towards Gale & Church's) and IBM Model 1 tables in both directions,
   trained on the 1-1 beads of the whole input: without MT, source words
   against target words (plus the user's dictionary, if any); with MT, the
   MT's words against the target's, which learns the MT system's own word
   choices (a weak MT's untranslated words and near-synonyms). This runs
   twice (PASSES), with MT as without.
4. The final pass with these estimates: a coarse Viterbi pass (beads of up to
   two sentences a side) finds the region, then every bead type is scored in a
   band around it (pipeline/align/dp.py `Lattice`), which gives the best path
   and, by forward-backward, each bead's posterior probability. Consecutive
   small blocks (paragraphs) are computed together, each on its own whole grid
   (`dp.BlockLattices`). Platt scaling
   fitted on the real Text+Berg dev set (eval/align/) turns that into the
   probability that the bead is right: the bead's score.

The bead score model is in pipeline/align/model.py.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from pipeline.align import dp, kernels
from pipeline.align.base import Aligner, register
from pipeline.align.blas import single_thread
from pipeline.align.lexicon import Lexicon, Table, merge, read_dictionary, train_model1
from pipeline.align.model import BlockScorer, ModelParams, Side, bead_types, default_log_priors
from pipeline.align.units import Units, Vocabulary
from pipeline.types import Bead

log = logging.getLogger(__name__)

ESTIMATE_SENTENCES = 4000  # source sentences the first pass sees (whole blocks, in order)
PASSES = 2  # estimation passes before the final one (each re-estimates everything below)
LAM_START = {True: 0.2, False: 0.1}  # copy rate before estimation, with / without MT
PRIOR_PAIRS = 20.0  # weight of the priors when the length ratio and variance are estimated
PRIOR_BEADS = 50.0  # pseudo-beads behind the bead-type priors
PRIOR_UNITS = 200.0  # pseudo-units behind lam
LAM_BEADS = 4000  # beads lam is estimated from
# Share of a unit's translation mass kept on itself once Model 1 is trained, without MT
# and with it (the MT is in the target's language, so a word mostly stands for itself).
# With MT chosen on the real Text+Berg dev set: strict F1 is flat (within 0.4 points)
# over 0.5-0.95, and 0.6-0.85 keep every ECE, in and out of sample, at or under 0.05;
# 0.75 is the middle of that range (eval/align/README.md).
IDENTITY_WEIGHT = {False: 0.5, True: 0.75}
TEMPERATURE = 1.5  # posterior temperature, chosen on the real Text+Berg dev set (eval/align/)
# Platt scaling of the posteriors into the probability that a bead is right (strict), per
# mode: fitted by `eval/align/evaluate.py --fit-calibration` on the real Text+Berg dev set
# (with MT: its three MT systems pooled). See eval/align/results.md for the reliability tables.
CALIBRATION = {"mt": (0.52, 0.023), "no_mt": (0.462, 0.281)}
BACKGROUND_PRIOR = 1000.0  # pseudo-units behind the background frequencies
BACKGROUND_VOCAB = 20000.0  # unit types they are spread over (a language's working vocabulary)
SMALL_GRID = 1024  # grids of up to this many cells skip the coarse pass, and are aligned together
JOINED_SENTENCES = 256  # source sentences of consecutive small blocks aligned together (dp.BlockLattices)
RADIUS = 8  # band half-width, around the coarse path, in which every bead type is scored


@dataclass
class _Block:
    """Consecutive input blocks aligned in one lattice (many small paragraphs cost one
    DP set-up, not one each); each keeps its own grid (dp.BlockLattices)."""

    src: Side
    tgt: Side
    n: int
    m: int
    first: int  # index of its first input block
    s_bounds: np.ndarray  # where each input block starts and ends, in this block's source sentences
    t_bounds: np.ndarray


@dataclass
class _Beads:
    """The beads of estimation paths, as arrays: bead k is a[k] source sentences ending
    (exclusive) at i[k] and b[k] target sentences ending at j[k], in block[k]."""

    block: np.ndarray
    a: np.ndarray
    b: np.ndarray
    i: np.ndarray
    j: np.ndarray


@dataclass
class _Input:
    """One call's input, encoded once for all passes: the units of each side (with MT,
    the source side's are the MT's), their background frequencies, the sentences' lengths
    in characters, where each input block starts (offsets_s[k], offsets_t[k]) and the
    groups of input blocks k0..k1 - 1 aligned together."""

    src_units: Units
    tgt_units: Units
    size: int  # of the vocabulary
    bg_src: np.ndarray
    bg_tgt: np.ndarray
    src_chars: np.ndarray
    tgt_chars: np.ndarray
    offsets_s: np.ndarray
    offsets_t: np.ndarray
    groups: list[tuple[int, int]]

    @classmethod
    def encode(cls, vocab: Vocabulary, src_blocks, tgt_blocks, lex_blocks) -> _Input:
        """`lex_blocks` are the source side's words for the lexicon: the MT's, or the source's."""
        flat = [s for b in lex_blocks for s in b]
        src_units = vocab.encode(flat)
        tgt_units = vocab.encode([t for b in tgt_blocks for t in b])
        size = len(vocab)
        offsets_s = np.cumsum([0] + [len(b) for b in src_blocks])
        return cls(
            src_units,
            tgt_units,
            size,
            _background(src_units, size),
            _background(tgt_units, size),
            np.array([len(s) for b in src_blocks for s in b], dtype=np.float64),
            np.array([len(t) for b in tgt_blocks for t in b], dtype=np.float64),
            offsets_s,
            np.cumsum([0] + [len(b) for b in tgt_blocks]),
            _groups(src_blocks, tgt_blocks, offsets_s),
        )

    def blocks(self, lex_f: Lexicon, lex_b: Lexicon) -> list[_Block]:
        """Each group as one `_Block`, with the units its lexicons expect in translation."""
        rs, fs, ws = lex_f.expected(self.src_units, self.size)
        rt, ft, wt = lex_b.expected(self.tgt_units, self.size)
        offsets_s, offsets_t = self.offsets_s, self.offsets_t
        out = []
        ps, pt = np.searchsorted(rs, offsets_s), np.searchsorted(rt, offsets_t)
        for k0, k1 in self.groups:
            s0, s1, t0, t1 = offsets_s[k0], offsets_s[k1], offsets_t[k0], offsets_t[k1]
            src = Side(
                self.src_units.slice(s0, s1),
                self.src_chars[s0:s1],
                rs[ps[k0] : ps[k1]] - s0,
                fs[ps[k0] : ps[k1]],
                ws[ps[k0] : ps[k1]],
            )
            tgt = Side(
                self.tgt_units.slice(t0, t1),
                self.tgt_chars[t0:t1],
                rt[pt[k0] : pt[k1]] - t0,
                ft[pt[k0] : pt[k1]],
                wt[pt[k0] : pt[k1]],
            )
            out.append(_Block(src, tgt, s1 - s0, t1 - t0, k0, offsets_s[k0 : k1 + 1] - s0, offsets_t[k0 : k1 + 1] - t0))
        return out


def _groups(src_blocks, tgt_blocks, offsets_s: np.ndarray) -> list[tuple[int, int]]:
    """Input blocks k0..k1 - 1 aligned together: consecutive small blocks, grouped until
    JOINED_SENTENCES source sentences; any other block alone."""

    def small(k: int) -> bool:
        return (len(src_blocks[k]) + 1) * (len(tgt_blocks[k]) + 1) <= SMALL_GRID

    groups, k = [], 0
    while k < len(src_blocks):
        k1 = k + 1
        while small(k) and k1 < len(src_blocks) and small(k1) and offsets_s[k1 + 1] - offsets_s[k] <= JOINED_SENTENCES:
            k1 += 1
        groups.append((k, k1))
        k = k1
    return groups


def _start_lexicons(
    size: int, dictionary: tuple[Table, Table] | None, identity_weight: float
) -> tuple[Lexicon, Lexicon]:
    """The lexicons of the first pass: the dictionary's, else every unit translates to itself."""
    if dictionary is None:
        return Lexicon(Table.empty(size)), Lexicon(Table.empty(size))
    return Lexicon(dictionary[0], identity_weight), Lexicon(dictionary[1], identity_weight)


@register
class NlenAligner(Aligner):
    """The default aligner (`--method nlen`): the bead model above, estimated from the input."""

    name = "nlen"
    options = ("dictionary",)

    def __init__(
        self,
        max_size: int = 4,
        dictionary: str | None = None,
        temperature: float = TEMPERATURE,
        passes: int = PASSES,
        calibrated: bool = True,
    ):
        super().__init__(max_size)
        self.dictionary = dictionary
        self.temperature = temperature
        self.calibrated = calibrated  # False: scores are the model's raw posteriors (to fit CALIBRATION)
        self.passes = passes  # estimation passes before the final one
        self.last_params: ModelParams | None = None  # what the last call estimated (for reports)

    def align(self, src: Sequence[str], tgt: Sequence[str], src_mt: Sequence[str] | None = None) -> list[Bead]:
        """One block, through `align_blocks`."""
        return self.align_blocks([src], [tgt], None if src_mt is None else [src_mt])[0]

    def align_blocks(self, src_blocks, tgt_blocks, mt_blocks=None) -> list[list[Bead]]:
        """All blocks with one estimate over the whole input (see the module docstring), with
        BLAS single-threaded."""
        with single_thread():
            return self._align_blocks(src_blocks, tgt_blocks, mt_blocks)

    # ------------------------------------------------------------------------------------
    def _align_blocks(self, src_blocks, tgt_blocks, mt_blocks) -> list[list[Bead]]:
        use_mt = mt_blocks is not None
        vocab = Vocabulary()
        dictionary = self._read_dictionary(vocab, use_mt)  # first: its units get the first ids
        identity = IDENTITY_WEIGHT[use_mt]
        data = _Input.encode(vocab, src_blocks, tgt_blocks, mt_blocks if use_mt else src_blocks)
        fwd, bwd = _start_lexicons(data.size, dictionary, identity)
        p = ModelParams(
            lam_fwd=LAM_START[use_mt],
            lam_bwd=LAM_START[use_mt],
            c=(data.tgt_chars.sum() + 1.0) / (data.src_chars.sum() + 1.0),
            log_prior=default_log_priors(self.max_size),
        )
        types = bead_types(self.max_size)
        for _ in range(self.passes):
            p, fwd, bwd = self._estimation_pass(data, fwd, bwd, types, p, dictionary, identity)
        self.last_params = p
        calibration = CALIBRATION["mt" if use_mt else "no_mt"] if self.calibrated else None
        return [
            beads
            for b in data.blocks(fwd, bwd)
            for beads in self._final(b, types, p, data.bg_src, data.bg_tgt, calibration)
        ]

    def _read_dictionary(self, vocab: Vocabulary, use_mt: bool) -> tuple[Table, Table] | None:
        """The user's dictionary, both directions (its units added to `vocab`); None
        without one, or with MT."""
        if self.dictionary and use_mt:
            log.warning("--dictionary is not used with MT: the MT is compared with the target word for word")
        elif self.dictionary:
            return read_dictionary(self.dictionary, vocab)
        return None

    def _estimation_pass(
        self,
        data: _Input,
        fwd: Lexicon,
        bwd: Lexicon,
        types,
        p: ModelParams,
        dictionary: tuple[Table, Table] | None,
        identity_weight: float,
    ) -> tuple[ModelParams, Lexicon, Lexicon]:
        """One estimation pass: best paths with the current estimates, then new parameters
        and, when the paths hold 1-1 beads, new lexicons (else the old ones)."""
        bl = data.blocks(fwd, bwd)
        beads = self._estimation_beads(bl, types, p, data.bg_src, data.bg_tgt)
        one = (beads.a == 1) & (beads.b == 1)
        first = np.array([b.first for b in bl], dtype=np.int64)
        ones_s = data.offsets_s[first[beads.block[one]]] + beads.i[one] - 1
        ones_t = data.offsets_t[first[beads.block[one]]] + beads.j[one] - 1
        p = _estimate(
            p, bl, beads, data.src_chars, data.tgt_chars, ones_s, ones_t, data.bg_src, data.bg_tgt, self.max_size
        )
        if len(ones_s):
            fwd, bwd = self._model1(
                data.src_units, data.tgt_units, ones_s, ones_t, data.size, dictionary, identity_weight
            )
        return p, fwd, bwd

    def _model1(
        self, src_units, tgt_units, ones_s, ones_t, size, dictionary: tuple[Table, Table] | None, identity_weight
    ) -> tuple[Lexicon, Lexicon]:
        """IBM Model 1 in both directions from the 1-1 beads (and the dictionary)."""
        s_units, t_units = src_units.take(ones_s), tgt_units.take(ones_t)
        t_fwd, t_bwd = train_model1(s_units, t_units, size), train_model1(t_units, s_units, size)
        if dictionary is not None:
            t_fwd, t_bwd = merge(t_fwd, dictionary[0], size), merge(t_bwd, dictionary[1], size)
        return Lexicon(t_fwd, identity_weight), Lexicon(t_bwd, identity_weight)

    def _estimation_beads(self, bl, types, p, bg_src, bg_tgt) -> _Beads:
        """Best paths of whole blocks, in order, until ESTIMATE_SENTENCES source
        sentences are covered; a single longer block is cut to a prefix."""
        parts, seen = [], 0
        for k, b in enumerate(bl):
            if not b.n or not b.m:
                continue
            if seen >= ESTIMATE_SENTENCES:
                break
            n = b.n if b.n <= 2 * ESTIMATE_SENTENCES else ESTIMATE_SENTENCES
            mk = int(dp.diagonal(b.src.chars, b.tgt.chars)[n])
            lattice = self._lattice(b, types, p, bg_src, bg_tgt, n, mk, posteriors=False)
            g, a, bb, i, j, _ = lattice.best_beads()
            i, j = i + b.s_bounds[g], j + b.t_bounds[g]  # block coordinates
            parts.append(np.stack([np.full(len(a), k), a, bb, i, j], axis=1))
            seen += n
        return _Beads(*(np.concatenate(parts) if parts else np.zeros((0, 5), dtype=np.int64)).T)

    def _lattice(
        self, b: _Block, types, p: ModelParams, bg_src, bg_tgt, n: int, m: int, posteriors: bool = True
    ) -> dp.Lattice | dp.BlockLattices:
        """The lattice of one block. Small input blocks (one, or several joined): each
        one's whole grid, all computed at once (dp.BlockLattices). A large one: a coarse
        Viterbi pass (beads of at most 2 sentences a side) finds the region, and every
        bead type is scored in a band around it."""
        sc = BlockScorer(b.src, b.tgt, bg_src, bg_tgt, p, self.max_size, b.s_bounds, b.t_bounds)
        if len(b.s_bounds) > 2 or (n + 1) * (m + 1) <= SMALL_GRID:
            return dp.BlockLattices(b.s_bounds, b.t_bounds, types, sc.cost, self.temperature, posteriors=posteriors)
        coarse = [ab for ab in types if max(ab) <= 2]
        centre = np.minimum(dp.diagonal(b.src.chars, b.tgt.chars)[: n + 1], m)
        band = dp.band_around(dp.viterbi(n, m, coarse, sc.cost, centre, margins=False), n, m, RADIUS)
        return dp.Lattice(n, m, types, sc.cost, band, self.temperature, posteriors=posteriors)

    def _final(self, b: _Block, types, p: ModelParams, bg_src, bg_tgt, calibration) -> list[list[Bead]]:
        """The beads of each input block of `b`, with ids within that block."""
        sizes = list(zip(np.diff(b.s_bounds).tolist(), np.diff(b.t_bounds).tolist()))
        if not b.n or not b.m:
            return [[Bead((i,), (), 1.0) for i in range(n)] + [Bead((), (j,), 1.0) for j in range(m)] for n, m in sizes]
        lattice = self._lattice(b, types, p, bg_src, bg_tgt, b.n, b.m)
        g, a, bb, i, k, post = lattice.best_beads()  # in grid (= input block) coordinates
        if calibration is not None:
            post = _calibrate(post, *calibration)
        out: list[list[Bead]] = [[] for _ in sizes]
        for g_, a_, b_, i_, k_, pr in zip(
            g.tolist(), a.tolist(), bb.tolist(), i.tolist(), k.tolist(), np.clip(post, 0.0, 1.0).tolist()
        ):
            out[g_].append(Bead(tuple(range(i_ - a_, i_)), tuple(range(k_ - b_, k_)), pr))
        return out


def _calibrate(p: np.ndarray, slope: float, shift: float) -> np.ndarray:
    """Platt scaling of posteriors: sigmoid(slope * logit(p) + shift)."""
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return 1.0 / (1.0 + np.exp(-(slope * np.log(p / (1 - p)) + shift)))


def _background(units: Units, size: int) -> np.ndarray:
    """Unit frequencies of one side, with a Dirichlet prior of BACKGROUND_PRIOR pseudo-units
    spread over BACKGROUND_VOCAB types: a short input cannot show how rare its words are
    in the language (in ten sentences every word looks common), a long one can."""
    counts = units.counts(size)
    prior = min(BACKGROUND_PRIOR, max(counts.sum(), 1.0))  # never more pseudo-units than real ones
    return (counts + prior / BACKGROUND_VOCAB) / (counts.sum() + prior)


def _estimate(
    p: ModelParams, bl: list[_Block], beads: _Beads, src_chars, tgt_chars, ones_s, ones_t, bg_src, bg_tgt, max_size
) -> ModelParams:
    """New parameters from the beads of a pass (see the module docstring)."""
    # length ratio and variance: robust, from the 1-1 beads, shrunk to the prior
    c, s2 = p.c, p.s2
    if len(ones_s):
        l1, l2 = src_chars[ones_s], tgt_chars[ones_t]
        keep = (l1 > 0) & (l2 > 0)
        l1, l2 = l1[keep], l2[keep]
        k, k0 = len(l1), PRIOR_PAIRS
        if k:
            c = (k * float(np.median(l2 / l1)) + k0 * p.c) / (k + k0)
            mean = (l1 + l2 / c) / 2
            s2_hat = float(np.median((c * l1 - l2) ** 2 / mean) / 0.4549)  # median of chi2(1)
            s2 = (k * max(s2_hat, 0.5) + k0 * 6.8) / (k + k0)
    # bead priors: counts smoothed towards the defaults
    prior0 = default_log_priors(max_size)
    kinds = np.bincount(beads.a * (max_size + 1) + beads.b, minlength=(max_size + 1) ** 2)
    counts = {(a, b): float(kinds[a * (max_size + 1) + b]) for a, b in prior0}
    total = sum(counts.values())
    log_prior = {
        ab: math.log((counts[ab] + PRIOR_BEADS * math.exp(lp)) / (total + PRIOR_BEADS)) for ab, lp in prior0.items()
    }
    # copy rates: one EM step over the units of the non-null beads
    both = np.flatnonzero((beads.a > 0) & (beads.b > 0))[:LAM_BEADS]
    blk, r1, c1 = beads.block[both], beads.i[both], beads.j[both]
    r0, c0 = r1 - beads.a[both], c1 - beads.b[both]
    lam_f = _lam(p.lam_fwd, [(b.src, b.tgt) for b in bl], blk, r0, r1, c0, c1, bg_tgt)
    lam_b = _lam(p.lam_bwd, [(b.tgt, b.src) for b in bl], blk, c0, c1, r0, r1, bg_src)
    return replace(p, c=c, s2=s2, log_prior=log_prior, lam_fwd=lam_f, lam_bwd=lam_b)


def _lam(lam: float, sides, blk, r0, r1, c0, c1, bg: np.ndarray) -> float:
    """E-step over every unit f of the explained side: the posterior that f is a
    translation, lam p_S(f) / (lam p_S(f) + (1 - lam) P(f)); the new lam is their mean.
    Bead k explains column sentences c0[k]..c1[k] of block blk[k] by its row sentences
    r0[k]..r1[k]; sides[block] is (row side, column side)."""
    if not len(blk):
        return lam
    acc = np.zeros(len(bg))
    parts: list[np.ndarray] = []
    cuts = np.flatnonzero(np.diff(blk)) + 1
    for a, b in zip(np.concatenate([[0], cuts]), np.concatenate([cuts, [len(blk)]])):
        row, col = sides[int(blk[a])]
        parts.append(
            kernels.lam_posteriors(
                row.exp_ptr,
                row.exp_unit,
                row.exp_w,
                row.units.start,
                col.units.start,
                col.units.ids,
                r0[a:b],
                r1[a:b],
                c0[a:b],
                c1[a:b],
                lam,
                bg,
                acc,
            )
        )
    post = np.concatenate(parts)
    if not len(post):
        return lam
    return float((post.sum() + PRIOR_UNITS * lam) / (len(post) + PRIOR_UNITS))
