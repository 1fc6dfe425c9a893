"""Banded Viterbi and forward-backward lattices over the (source, target) grid.

Cell (i, j) means "the first i source and first j target sentences are aligned".
Row i only keeps the cells j in [lo[i], lo[i] + width); the band follows the
diagonal given by cumulative text length, so time and memory are
O((n + m) * width). If the best path touches a band edge that is not a grid
edge, the band is doubled and the DP re-run.

Bead costs come from a callback that fills a whole chunk of rows at once (numpy
arrays); the recursions over the rows are compiled loops (pipeline/align/kernels.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.align import kernels

# cost_fn(types, I, J) -> costs, shape (len(types), *broadcast(I, J).shape): the
# cost of bead type (a src, b tgt) ending at cells (I, J), for all types in one
# call (fewer numpy calls for small blocks). I has shape (rows, 1), J (rows, width)
# or (rows, 1); invalid cells may hold anything, they are masked here.
CostFn = Callable[[Sequence[tuple[int, int]], np.ndarray, np.ndarray], np.ndarray]

CHUNK_ROWS = 512  # rows whose bead costs are computed in one vectorised call
FULL_GRID_CELLS = 300_000  # below this many cells the band is the whole grid
KEEP_COSTS = 1_000_000  # keep all bead costs of grids up to this many entries
FORBIDDEN = kernels.FORBIDDEN  # finite stand-in for an infinite bead cost where a running sum needs one


@dataclass
class PathBead:
    """One bead of the best path: its size on each side, the cell it ends in, its cost and margin."""

    a: int  # source sentences in the bead
    b: int  # target sentences
    i: int  # source end (exclusive)
    j: int  # target end (exclusive)
    cost: float
    margin: float  # next-best way into the same cell minus this one (>= 0)


def diagonal(src_len: np.ndarray, tgt_len: np.ndarray) -> np.ndarray:
    """For each source prefix 0..n, the target prefix with the same share of text."""
    n, m = len(src_len), len(tgt_len)
    s = np.concatenate([[0.0], np.cumsum(src_len + 1.0)])  # +1 keeps empty lines moving
    t = np.concatenate([[0.0], np.cumsum(tgt_len + 1.0)])
    if n == 0 or m == 0:
        return np.zeros(n + 1, dtype=np.int64)
    frac = s / s[-1]
    centre = np.searchsorted(t / t[-1], frac, side="left")
    centre[0], centre[-1] = 0, m
    return np.clip(centre, 0, m).astype(np.int64)


def viterbi(
    n: int,
    m: int,
    beads: Sequence[tuple[int, int]],
    cost_fn: CostFn,
    centre: np.ndarray,
    width: int = 64,
    margins: bool = True,
    full_grid: bool = True,
) -> list[PathBead]:
    """Best monotonic path from (0, 0) to (n, m) using the given bead types.
    With margins=False the beads' cost and margin fields are left 0; with
    full_grid=False a small grid keeps the band too (when `centre` is known to be good)."""
    if full_grid and (n + 1) * (m + 1) <= FULL_GRID_CELLS and m < 2048:
        width = m + 1
    # Consecutive rows must overlap, or the band may hold no path at all.
    jump = int(np.diff(centre).max(initial=0))
    maxb = max((b for _, b in beads), default=1)
    width = max(width, 2 * (jump + maxb) + 1)
    while True:
        width = min(width, m + 1)
        result = _viterbi_band(n, m, beads, cost_fn, centre, width, margins)
        if result is not None:
            path, touched = result
            if not touched or width >= m + 1:
                return path
        elif width >= m + 1:
            raise RuntimeError("alignment DP found no path")  # cannot happen with 1-0 and 0-1 beads
        width *= 2


def _viterbi_band(
    n: int,
    m: int,
    beads: Sequence[tuple[int, int]],
    cost_fn: CostFn,
    centre: np.ndarray,
    width: int,
    margins: bool = True,
) -> tuple[list[PathBead], bool] | None:
    """One Viterbi pass in a band of `width` columns: the best path, and whether it
    touches a band edge that is not a grid edge (the band may have cut off a better
    path); None when the band holds no path to (n, m)."""
    band = _band_layout(n, m, beads, centre, width)
    # Small grids keep every bead cost, so the margins need no second scoring pass.
    keep = margins and (n + 1) * width * (len(band.steps) + 1) <= KEEP_COSTS
    D, back, via01, kept = _viterbi_forward(band, cost_fn, keep)
    if not np.isfinite(D[n, band.pad + m - band.lo[n]]):
        return None
    cells, touched = _trace_back(band, back, via01)
    if not margins:
        types = band.steps + [(0, 1)]
        return [PathBead(*types[t], i, j, 0.0, 0.0) for i, j, t in cells], touched
    scorer = cost_fn if kept is None else _kept_costs(band, kept)
    return _with_margins(cells, band.steps, band.has01, scorer, D, band.lo, band.pad, width, m), touched


@dataclass
class _Band:
    """Where the cells of one Viterbi pass live. Row i keeps columns lo[i] .. lo[i] +
    width - 1, stored in a row of D with `pad` cells either side (room for the column
    shifts between rows); offs[i, t] is the flat index into D of the cell that a bead of
    type steps[t] into row i's first column comes from (the all-inf dummy row n + 1
    when that row is before row 0)."""

    n: int
    m: int
    width: int
    steps: list[tuple[int, int]]  # bead types read from earlier rows
    has01: bool
    lo: np.ndarray
    pad: int
    offs: np.ndarray

    @property
    def padded_width(self) -> int:
        return self.width + 2 * self.pad


def _band_layout(n: int, m: int, beads: Sequence[tuple[int, int]], centre: np.ndarray, width: int) -> _Band:
    """The band of `width` columns around `centre`, its first column never moving left."""
    steps = [(a, b) for a, b in beads if a > 0]
    K = len(steps)
    lo = np.clip(centre - width // 2, 0, max(0, m + 1 - width)).astype(np.int64)
    lo = np.maximum.accumulate(lo)
    rows = np.arange(n + 1, dtype=np.int64)
    maxb = max((b for _, b in beads), default=1)
    shifts = np.zeros((n + 1, K), dtype=np.int64)
    for t, (a, b) in enumerate(steps):
        prev = np.maximum(rows - a, 0)
        shifts[:, t] = lo - b - lo[prev]
    pad = int(max(maxb, np.abs(shifts).max(initial=0))) + 1
    wp = width + 2 * pad
    offs = np.zeros((n + 1, K), dtype=np.int64)
    for t, (a, _b) in enumerate(steps):
        prev = rows - a
        offs[:, t] = np.where(prev >= 0, prev * wp + pad + shifts[:, t], (n + 1) * wp + pad)
    return _Band(n, m, width, steps, (0, 1) in beads, lo, pad, offs)


def _viterbi_forward(
    band: _Band, cost_fn: CostFn, keep: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """The best cost into every cell of the band (D) and the bead type that ends it
    (back, via01), chunk of rows after chunk of rows; with `keep`, every bead cost too
    (kept[i, t, k], type K being the 0-1 bead), else None."""
    n, width, K = band.n, band.width, len(band.steps)
    rows = np.arange(n + 1, dtype=np.int64)
    ar = np.arange(width, dtype=np.int64)
    D = np.full((n + 2, band.padded_width), np.inf)  # row n+1 is an all-inf dummy for i - a < 0
    Dflat = D.reshape(-1)
    back = np.zeros((n + 1, width), dtype=np.int8)  # index into steps
    via01 = np.zeros((n + 1, width), dtype=bool)  # the cell is reached by a 0-1 bead
    chunk = max(1, min(CHUNK_ROWS, 4_000_000 // (max(K, 1) * width)))  # bounds the cost arrays
    kept = np.full((n + 1, K + 1, width), np.inf) if keep else None
    for c0 in range(0, n + 1, chunk):
        c1 = min(n + 1, c0 + chunk)
        J = band.lo[c0:c1, None] + ar[None, :]
        Cs, c01 = _chunk_costs(band, cost_fn, rows[c0:c1, None], J)
        if kept is not None:
            kept[c0:c1, :K] = Cs[:, :K]
            if c01 is not None:
                kept[c0:c1, K] = c01
        Pc = np.cumsum(np.broadcast_to(c01, J.shape), axis=1) if c01 is not None else np.zeros((c1 - c0, width))
        idx = band.offs[c0:c1, :, None] + ar[None, None, :]
        kernels.viterbi_rows(Dflat, D, band.pad, idx, Cs[:, :K], Pc, c0, bool(band.lo[0] == 0), band.has01, back, via01)
    return D, back, via01, kept


def _chunk_costs(band: _Band, cost_fn: CostFn, I: np.ndarray, J: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The costs of the beads ending at cells (I, J) of a chunk of rows: Cs[row, t, k]
    for each of band.steps (inf where the bead would start outside the grid), and the
    0-1 bead's (None without 0-1 beads)."""
    steps, K = band.steps, len(band.steps)
    C = np.asarray(cost_fn(steps + [(0, 1)] if band.has01 else steps, I, J), dtype=np.float64)
    Cs = np.empty((len(I), max(K, 1), band.width))
    if K:
        A = np.array([a for a, _ in steps])[:, None, None]
        B = np.array([b for _, b in steps])[:, None, None]
        valid = (I[None] - A >= 0) & (J[None] - B >= 0) & (J[None] <= band.m)
        Cs[:] = np.where(valid, C[:K], np.inf).transpose(1, 0, 2)
    else:
        Cs[:] = np.inf
    if not band.has01:
        return Cs, None
    # finite: it feeds a cumsum (a forbidden 0-1 bead costs FORBIDDEN, never chosen)
    return Cs, np.where((J >= 1) & (J <= band.m), np.minimum(C[K], FORBIDDEN), 0.0)


def _trace_back(band: _Band, back: np.ndarray, via01: np.ndarray) -> tuple[list[tuple[int, int, int]], bool]:
    """The best path's cells (i, j, bead type; type K is the 0-1 bead) from (0, 0) to
    (n, m), and whether it touches a band edge that is not a grid edge."""
    steps, K, lo, width, m = band.steps, len(band.steps), band.lo, band.width, band.m
    cells: list[tuple[int, int, int]] = []
    touched = False
    i, j = band.n, m
    while i > 0 or j > 0:
        k = j - lo[i]
        if (k == 0 and lo[i] > 0) or (k == width - 1 and lo[i] + width - 1 < m):
            touched = True
        t = K if via01[i, k] else int(back[i, k])
        cells.append((i, j, t))
        a, b = (0, 1) if t == K else steps[t]
        i, j = i - a, j - b
    cells.reverse()
    return cells, touched


def _kept_costs(band: _Band, kept: np.ndarray) -> CostFn:
    """A cost_fn that reads the bead costs the forward pass kept, instead of scoring again."""
    index = {ab: t for t, ab in enumerate(band.steps + [(0, 1)])}
    lo, width = band.lo, band.width

    def stored(types: Sequence[tuple[int, int]], I: np.ndarray, J: np.ndarray) -> np.ndarray:
        t = np.array([index[ab] for ab in types])[:, None, None]
        return kept[I[None], t, _clip(J - lo[I], 0, width - 1)[None]]

    return stored


def _with_margins(cells, steps, has01, cost_fn, D, lo, pad, width, m) -> list[PathBead]:
    """Bead costs and margins for the path cells only, recomputed in batches."""
    out: list[PathBead] = []
    # Batches of consecutive path cells keep the scorer's dense blocks small.
    for g in range(0, len(cells), CHUNK_ROWS):
        out += _margins_batch(cells[g : g + CHUNK_ROWS], steps, has01, cost_fn, D, lo, pad, width)
    return out


def _clip(x, lo, hi):
    return np.minimum(np.maximum(x, lo), hi)  # np.clip has more per-call overhead


def _margins_batch(cells, steps, has01, cost_fn, D, lo, pad, width) -> list[PathBead]:
    I = np.array([c[0] for c in cells], dtype=np.int64)[:, None]
    J = np.array([c[1] for c in cells], dtype=np.int64)[:, None]
    T = np.array([c[2] for c in cells], dtype=np.int64)
    types = steps + ([(0, 1)] if has01 else [])
    vals = np.full((len(cells), len(types)), np.inf)
    costs = np.full((len(cells), len(types)), np.inf)
    C = np.asarray(cost_fn(types, I, J), dtype=np.float64).reshape(len(types), -1)
    for t, (a, b) in enumerate(types):
        c = C[t]
        pi, pj = I[:, 0] - a, J[:, 0] - b
        ok = (pi >= 0) & (pj >= 0)
        pi0 = np.maximum(pi, 0)
        k = pj - lo[pi0]
        ok &= (k >= 0) & (k < width)
        prev = np.where(ok, D[pi0, pad + _clip(k, 0, width - 1)], np.inf)
        costs[:, t] = c
        vals[:, t] = prev + c
    rows = np.arange(len(cells))
    chosen = vals[rows, T]
    vals[rows, T] = np.inf
    with np.errstate(invalid="ignore"):
        margin = np.nan_to_num(vals.min(1) - chosen, nan=0.0, posinf=1e6)
    out = []
    for r, (i, j, t) in enumerate(cells):
        a, b = types[t]
        out.append(PathBead(a, b, i, j, float(costs[r, t]), max(0.0, float(margin[r]))))
    return out


# -- posteriors and minimum-risk decoding --------------------------------------------
def band_around(path: Sequence[PathBead], n: int, m: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's columns that `path` visits (a bead of a rows spans its columns in every
    row it crosses), widened by `radius` on both sides."""
    first = np.full(n + 1, m, dtype=np.int64)
    last = np.zeros(n + 1, dtype=np.int64)
    first[0] = last[0] = 0
    for q in path:
        r = slice(q.i - q.a, q.i + 1)
        first[r] = np.minimum(first[r], q.j - q.b)
        last[r] = np.maximum(last[r], q.j)
    return np.maximum(first - radius, 0), np.minimum(last + radius, m)


def full_band(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The band that is the whole grid: target prefixes 0..m for each source prefix 0..n."""
    return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)


class _BestPath:
    """What both lattices give: the best path as arrays (`best_beads`, computed by the
    subclass), and as PathBeads with their posteriors. Grid g starts at source sentence
    s0[g] and target sentence t0[g] of the coordinates paths come back in."""

    s0: np.ndarray
    t0: np.ndarray
    types: list[tuple[int, int]]  # bead types: steps first, then 0-1
    _best: tuple[np.ndarray, ...] | None = None
    _path: list[PathBead] | None = None

    def _type_sizes(self) -> tuple[np.ndarray, np.ndarray]:
        """Sentences per side of each bead type (steps first, then 0-1)."""
        return (
            np.array([a for a, _ in self.types], dtype=np.int64),
            np.array([b for _, b in self.types], dtype=np.int64),
        )

    def best_beads(self) -> tuple[np.ndarray, ...]:
        """The best path of every grid, grid after grid, as arrays (g, a, b, i, k,
        posterior): a bead of a source and b target sentences ending at cell (i, k) of grid
        g (grid coordinates); posteriors are 0 when the lattice has none."""
        if self._best is None:
            self._best = self._best_beads()
        return self._best

    def _best_beads(self) -> tuple[np.ndarray, ...]:
        """`best_beads`, computed by the subclass."""
        raise NotImplementedError

    def best_path(self) -> list[PathBead]:
        """The best path of every grid, one after another (from s0, t0)."""
        if self._path is None:
            g, a, b, i, k, _ = self.best_beads()
            i, k = i + self.s0[g], k + self.t0[g]
            self._path = [PathBead(*q, 0.0, 0.0) for q in zip(a.tolist(), b.tolist(), i.tolist(), k.tolist())]
        return self._path

    def path_posteriors(self, path: Sequence[PathBead]) -> np.ndarray:
        """P(bead | both sides of its grid) for each bead of the best path."""
        if path is not self.best_path():
            raise ValueError("path_posteriors takes the path best_path() returned")
        return self.best_beads()[5].copy()


class Lattice(_BestPath):
    """All monotonic paths through a band of the grid: the best one, and every
    bead's posterior probability (forward-backward).

    Costs are negative log scores, so a path's probability is proportional to
    exp(-sum of its costs / temperature), normalised over the paths through
    the band. The band is a run of columns per row, of one width: around a
    first path (`band_around`; paths far from it carry no mass worth the time),
    so the work is O((n + m) * width), or the whole grid of a small block.
    """

    def __init__(
        self,
        n: int,
        m: int,
        beads: Sequence[tuple[int, int]],
        cost_fn: CostFn,
        band: tuple[np.ndarray, np.ndarray],
        temperature: float = 1.0,
        posteriors: bool = True,
    ):
        """`band`: the first and last column of each row (see `band_around`, `full_band`).
        posteriors=False skips the backward pass (only `best_path` is wanted)."""
        self.n, self.m = n, m
        first, last = band
        self.width = w = int(min(m + 1, (last - first).max(initial=0) + 1))
        self.lo = lo = np.clip(first, 0, max(0, m + 1 - w)).astype(np.int64)
        self.steps = steps = [(a, b) for a, b in beads if a > 0]
        self.has01 = (0, 1) in beads
        self.types = steps + ([(0, 1)] if self.has01 else [])
        T = len(self.types)
        ar = np.arange(w, dtype=np.int64)
        rows = np.arange(n + 1, dtype=np.int64)
        # S[i, t, k]: log score of a bead of type t ending at cell (i, lo[i] + k); an extra
        # row and column of -inf stand for cells outside the band.
        self.S = S = np.full((n + 2, T, w + 1), -np.inf)
        A = np.array([a for a, _ in self.types])[:, None, None]
        B = np.array([b for _, b in self.types])[:, None, None]
        for c0 in range(0, n + 1, CHUNK_ROWS):
            c1 = min(n + 1, c0 + CHUNK_ROWS)
            I = rows[c0:c1, None]
            J = lo[c0:c1, None] + ar[None, :]
            C = np.asarray(cost_fn(self.types, I, J), dtype=np.float64)
            valid = (I[None] - A >= 0) & (J[None] - B >= 0) & (J[None] <= m)
            S[c0:c1, :, :w] = np.where(valid, -C / temperature, -np.inf).transpose(1, 0, 2)
        self.end = int(m - lo[n])
        self.s0 = self.t0 = np.zeros(1, dtype=np.int64)  # one grid
        self.posteriors = posteriors
        self.F, self._back = self._forward()
        self.logZ = self.F[n, self.end] if posteriors else None
        self.Bk = self._backward() if posteriors else None

    def _forward(self):
        """Two forward recursions at once: the log-sum over the paths into every cell
        (F), and the best path's score with the bead type that ends it (compiled:
        kernels.band_forward). Without posteriors only the best path."""
        A, B = self._type_sizes()
        K = len(self.steps)
        return kernels.band_forward(self.S, self.lo, A[:K], B[:K], self.has01, self.posteriors)

    def _backward(self) -> np.ndarray:
        """Log-sum over the paths out of every cell to (n, m)."""
        A, B = self._type_sizes()
        K = len(self.steps)
        return kernels.band_backward(self.S, self.lo, A[:K], B[:K], self.has01, self.end)

    def _best_beads(self) -> tuple[np.ndarray, ...]:
        TA, TB = self._type_sizes()
        t, i, j, post = kernels.band_best(
            self._back,
            self.F,
            self.S,
            self.Bk if self.posteriors else self.F,
            float(self.logZ) if self.logZ is not None else -np.inf,  # logZ is None without posteriors
            self.lo,
            self.n,
            self.m,
            TA,
            TB,
            self.posteriors,
        )
        return np.zeros(len(t), dtype=np.int64), TA[t], TB[t], i, j, post


class BlockLattices(_BestPath):
    """Many small independent grids (the paragraphs of a document, aligned in one call)
    as one `Lattice` each, computed together: one set of arrays and one compiled call
    for all of them, not one each.

    Grid g covers source sentences s_bounds[g]..s_bounds[g + 1] and target sentences
    t_bounds[g]..t_bounds[g + 1] of the joined input; `cost_fn` is called in those
    joined coordinates, and paths come back in them. Each grid is whole (no band)."""

    def __init__(
        self,
        s_bounds: np.ndarray,
        t_bounds: np.ndarray,
        beads: Sequence[tuple[int, int]],
        cost_fn: CostFn,
        temperature: float = 1.0,
        posteriors: bool = True,
    ):
        s_bounds, t_bounds = np.asarray(s_bounds, dtype=np.int64), np.asarray(t_bounds, dtype=np.int64)
        self.s0, self.t0 = s_bounds[:-1], t_bounds[:-1]
        self.ns, self.ms = np.diff(s_bounds), np.diff(t_bounds)
        G = len(self.ns)
        self.N = N = int(self.ns.max(initial=0))
        self.W = W = int(self.ms.max(initial=0)) + 1
        self.steps = steps = [(a, b) for a, b in beads if a > 0]
        self.has01 = (0, 1) in beads
        self.types = steps + ([(0, 1)] if self.has01 else [])
        T = len(self.types)
        ar = np.arange(W, dtype=np.int64)
        # S[g, i, t, k]: log score of a bead of type t ending at cell (i, k) of grid g; an
        # extra row and column of -inf stand for cells outside the grids
        self.S = S = np.full((G, N + 2, T, W + 1), -np.inf)
        A = np.array([a for a, _ in self.types])[:, None, None]
        B = np.array([b for _, b in self.types])[:, None, None]
        gi = np.repeat(np.arange(G), self.ns + 1)  # every grid's rows 0..n, one after another
        ii = np.arange(len(gi)) - np.repeat(np.cumsum(self.ns + 1) - (self.ns + 1), self.ns + 1)
        for c0 in range(0, len(gi), CHUNK_ROWS):
            g, i = gi[c0 : c0 + CHUNK_ROWS], ii[c0 : c0 + CHUNK_ROWS]
            kk = np.minimum(ar[None, :], self.ms[g][:, None])  # columns past a grid's end: masked
            C = np.asarray(cost_fn(self.types, (self.s0[g] + i)[:, None], self.t0[g][:, None] + kk), dtype=np.float64)
            valid = (
                (i[None, :, None] - A >= 0)
                & (ar[None, None, :] - B >= 0)
                & (ar[None, None, :] <= self.ms[g][None, :, None])
            )
            S[g, i, :, :W] = np.where(valid, -C / temperature, -np.inf).transpose(1, 0, 2)
        self.posteriors = posteriors
        self.F, self.back = self._forward()
        self.logZ = self.F[np.arange(G), self.ns, self.ms] if posteriors else None
        self.Bk = self._backward() if posteriors else None

    def _forward(self):
        """As `Lattice._forward`, every grid at once (compiled: kernels.grids_forward)."""
        A, B = self._type_sizes()
        K = len(self.steps)
        return kernels.grids_forward(self.S, self.ns, self.ms, A[:K], B[:K], self.has01, self.posteriors)

    def _backward(self) -> np.ndarray:
        """As `Lattice._backward`, every grid at once (compiled: kernels.grids_backward)."""
        A, B = self._type_sizes()
        K = len(self.steps)
        return kernels.grids_backward(self.S, self.ns, self.ms, A[:K], B[:K], self.has01)

    def _best_beads(self) -> tuple[np.ndarray, ...]:
        TA, TB = self._type_sizes()
        g, t, i, k, post = kernels.grids_best(
            self.back,
            self.F,
            self.S,
            self.Bk if self.posteriors else np.zeros((1, 1, 1)),
            self.logZ if self.posteriors else np.zeros(len(self.ns)),
            self.ns,
            self.ms,
            TA,
            TB,
            self.posteriors,
        )
        return g, TA[t], TB[t], i, k, post
