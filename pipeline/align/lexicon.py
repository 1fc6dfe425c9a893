"""Word translation probabilities p(f | e) over units (pipeline/align/units.py).

Three sources, mixed per source unit:

* identity: a unit may stand for itself on the other side (names, numbers,
  cognates, and every word when the source side is a machine translation);
* a user dictionary (`--dictionary FILE`, a TSV of word pairs);
* IBM Model 1 (Brown et al. 1993), trained by EM on the confident 1-1 beads
  of a first alignment of the *whole* input, as Moore's aligner and hunalign's
  realign mode do. It needs no data from outside the input.

The table is stored sparse (CSR by source unit), so a vocabulary of any size
costs memory in proportion to the pairs actually seen together.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.align import kernels
from pipeline.align.units import Units, Vocabulary, unit_strings
from pipeline.errors import InputError
from pipeline.textio import read_text

MODEL1_ITERATIONS = 5
MODEL1_MAX_BEADS = 10_000  # a sample this large estimates the table well; more only costs memory
MODEL1_MAX_UNITS = 80  # longer sentences add noise (and quadratic work) to the table
MIN_PROB = 0.01  # table entries below this are dropped
MIN_COUNT = 2  # source units seen fewer times in training get no table row
TOP_K = 8  # most translations kept per source unit


@dataclass
class Table:
    """Sparse p(f | e): row e holds f = cols[ptr[e]:ptr[e+1]] with probabilities prob[...]."""

    ptr: np.ndarray
    cols: np.ndarray
    prob: np.ndarray

    @classmethod
    def empty(cls, size: int) -> Table:
        """A table with `size` rows and no entries."""
        return cls(np.zeros(size + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))

    @classmethod
    def from_pairs(cls, e: np.ndarray, f: np.ndarray, p: np.ndarray, size: int) -> Table:
        """The table of the entries p(f | e) = p given as parallel arrays, with `size` rows."""
        order = np.lexsort((f, e))
        e, f, p = e[order], f[order], p[order]
        ptr = np.searchsorted(e, np.arange(size + 1))
        return cls(ptr.astype(np.int64), f.astype(np.int64), p.astype(np.float64))

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The entries as parallel arrays (e, f, p); the inverse of `from_pairs`."""
        e = np.repeat(np.arange(len(self.ptr) - 1), np.diff(self.ptr))
        return e, self.cols, self.prob

    def grow(self, size: int) -> Table:
        """The same table over a larger vocabulary (new units have no rows)."""
        if size + 1 <= len(self.ptr):
            return self
        return Table(np.concatenate([self.ptr, np.full(size + 1 - len(self.ptr), self.ptr[-1])]), self.cols, self.prob)


@dataclass
class Lexicon:
    """p(f | e) = w_id [f = e] + (1 - w_id) p_table(f | e), for units e with a table row;
    units without a row translate to themselves only."""

    table: Table
    identity_weight: float = 1.0

    def expected(self, units: Units, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per sentence, the expected units of its translation, sum over its units of
        p(. | e), as sparse entries (sentence, unit, weight), sorted by sentence.
        Entries may repeat; summing them gives the vector."""
        return self._expected(self.table, units, size)

    def _expected(self, table: Table, units: Units, size: int):
        table = table.grow(size)
        return kernels.expected_entries(
            units.ids, units.start, table.ptr, table.cols, table.prob, float(self.identity_weight)
        )


def train_model1(src: Units, tgt: Units, size: int, iterations: int = MODEL1_ITERATIONS) -> Table:
    """IBM Model 1 p(f | e) with a NULL source word, by EM over sentence pairs of unit ids
    (sentence k of `src` with sentence k of `tgt`; compiled: kernels.model1).

    Sparse throughout: only unit pairs that occur together in some pair get a
    parameter. Pairs beyond MODEL1_MAX_BEADS are skipped (evenly), and long
    sentences are left out.
    """
    ls, lf = src.lengths, tgt.lengths
    keep = np.flatnonzero((ls > 0) & (ls <= MODEL1_MAX_UNITS) & (lf > 0) & (lf <= MODEL1_MAX_UNITS))
    if len(keep) > MODEL1_MAX_BEADS:
        keep = keep[np.linspace(0, len(keep) - 1, MODEL1_MAX_BEADS).astype(np.int64)]
    if not len(keep):
        return Table.empty(size)
    s, t = src.take(keep), tgt.take(keep)
    ptr, cols, prob = kernels.model1(s.ids, s.lengths, t.ids, t.lengths, size, iterations, MIN_PROB, MIN_COUNT, TOP_K)
    return Table(ptr, cols, prob)


def unique_inverse(keys: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(keys, return_inverse=True) for keys in [0, bound): by counting when the
    range is small next to the number of keys (no sort), else by sorting."""
    if bound <= max(4 * len(keys), 1 << 16):
        uniq = np.flatnonzero(np.bincount(keys, minlength=bound))
        lut = np.empty(bound, dtype=np.int64)
        lut[uniq] = np.arange(len(uniq))
        return uniq, lut[keys]
    order = np.argsort(keys)  # an unstable sort is enough, and faster than np.unique's
    ordered = keys[order]
    first = np.concatenate([[True], ordered[1:] != ordered[:-1]]) if len(keys) else np.zeros(0, dtype=bool)
    inverse = np.empty(len(keys), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def read_dictionary(path: str | Path, vocab: Vocabulary) -> tuple[Table, Table]:
    """A TSV of word pairs (source <tab> target; '#' comments) → forward and
    backward tables, each source unit's translations equally likely."""

    text = read_text(str(path), "--dictionary")
    pairs: set[tuple[int, int]] = set()
    for no, line in enumerate(text.split("\n"), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2 or not cols[0].strip() or not cols[1].strip():
            raise InputError(path, f"line {no}: expected 'source<TAB>target', got {line.strip()[:60]!r}")
        src_units, tgt_units = unit_strings(cols[0]), unit_strings(cols[1])
        for s in src_units:
            for t in tgt_units:
                pairs.add((vocab.ids.setdefault(s, len(vocab.ids)), vocab.ids.setdefault(t, len(vocab.ids))))
    if not pairs:
        raise InputError(path, "no word pairs found")
    e, f = (np.array(x, dtype=np.int64) for x in zip(*sorted(pairs)))
    size = len(vocab)

    def uniform(a, b):
        n = np.bincount(a, minlength=size)
        return Table.from_pairs(a, b, 1.0 / n[a], size)

    return uniform(e, f), uniform(f, e)


def merge(a: Table, b: Table, size: int, weight_b: float = 0.5) -> Table:
    """Row-wise mixture: rows present in both are (1 - weight_b) a + weight_b b."""
    a, b = a.grow(size), b.grow(size)
    ea, fa, pa = a.pairs()
    eb, fb, pb = b.pairs()
    has_a = np.diff(a.ptr) > 0
    has_b = np.diff(b.ptr) > 0
    wa = np.where(has_b[ea], 1.0 - weight_b, 1.0)
    wb = np.where(has_a[eb], weight_b, 1.0)
    e = np.concatenate([ea, eb])
    f = np.concatenate([fa, fb])
    p = np.concatenate([pa * wa, pb * wb])
    keys, inv = unique_inverse(e * (size + 1) + f, (size + 1) ** 2)
    return Table.from_pairs(keys // (size + 1), keys % (size + 1), np.bincount(inv, weights=p), size)
