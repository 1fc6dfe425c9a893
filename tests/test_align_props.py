"""Property-based invariants of the aligners (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.align import ALIGNERS, align, align_blocks, suspicious

# Sentences: short texts with letters, digits, quotes and the odd punctuation-only line.
sentence = st.one_of(
    st.text(alphabet="abcdeNOPQ 0123456789,.?!\"'", min_size=0, max_size=60),
    st.sampled_from(["...", "!", "?", "\"", "-", "Jansen zei: \"Ja!\"", "Er zijn 3,5 mln. mensen."]),
)
side = st.lists(sentence, min_size=0, max_size=12)
methods = st.sampled_from(sorted(ALIGNERS))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_valid(beads, n, m):
    assert [i for b in beads for i in b.src] == list(range(n))
    assert [j for b in beads for j in b.tgt] == list(range(m))
    assert all(b.src or b.tgt for b in beads)
    assert all(0.0 <= b.score <= 1.0 for b in beads)


@SETTINGS
@given(src=side, tgt=side, method=methods, max_size=st.integers(1, 4), with_mt=st.booleans())
def test_every_sentence_once_monotonic_scores_in_range(src, tgt, method, max_size, with_mt):
    mt = [s[::-1] for s in src] if with_mt else None
    beads = align(src, tgt, mt, method=method, max_size=max_size)
    assert_valid(beads, len(src), len(tgt))
    assert all(len(b.src) <= max_size and len(b.tgt) <= max_size for b in beads)
    flagged = suspicious(beads, threshold=0.5)
    assert flagged == sorted(set(flagged)) and all(0 <= i < len(src) for i in flagged)


@SETTINGS
@given(
    blocks=st.lists(st.tuples(side, side), min_size=1, max_size=5),
    method=methods,
    with_mt=st.booleans(),
)
def test_blocks_are_hard_boundaries(blocks, method, with_mt):
    src_blocks = [s for s, _ in blocks]
    tgt_blocks = [t for _, t in blocks]
    mt_blocks = [[x.upper() for x in s] for s in src_blocks] if with_mt else None
    pairs = align_blocks(src_blocks, tgt_blocks, mt_blocks, method=method)
    n = sum(map(len, src_blocks))
    m = sum(map(len, tgt_blocks))
    assert_valid([b for _, b in pairs], n, m)
    # the global ids of block k
    src_of, tgt_of, so, to = {}, {}, 0, 0
    for k, (s, t) in enumerate(blocks):
        src_of.update({so + i: k for i in range(len(s))})
        tgt_of.update({to + j: k for j in range(len(t))})
        so, to = so + len(s), to + len(t)
    for k, bead in pairs:
        assert {src_of[i] for i in bead.src} | {tgt_of[j] for j in bead.tgt} == {k}


@SETTINGS
@given(n=st.integers(0, 40), m=st.integers(0, 40), method=methods)
def test_sizes_and_identity(n, m, method):
    src = [f"Zin nummer {i} met {'wat ' * (i % 5)}woorden." for i in range(n)]
    tgt = [f"Sentence number {i} with {'some ' * (i % 5)}words." for i in range(m)]
    beads = align(src, tgt, method=method)
    assert_valid(beads, n, m)
    if n == m and method == "nlen":
        assert all(b.kind == "1-1" for b in beads)


def test_block_lattices_equal_one_lattice_per_grid():
    """dp.BlockLattices (many small grids computed together) gives each grid the path and
    posteriors its own Lattice gives, grids with an empty side included."""
    import numpy as np

    from pipeline.align import dp
    from pipeline.align.model import bead_types

    types = bead_types(4)

    def cost(ts, I, J):  # any deterministic cost of (type, joined cell)
        I, J = np.broadcast_arrays(I, J)
        return np.stack([((I * 31 + J * 17 + t * 7) % 13) / 3.0 + a + b for t, (a, b) in enumerate(ts)])

    sizes = [(3, 4), (0, 2), (5, 5), (1, 0), (0, 0), (7, 3), (1, 1)]
    s_bounds = np.cumsum([0] + [n for n, _ in sizes])
    t_bounds = np.cumsum([0] + [m for _, m in sizes])
    joined = dp.BlockLattices(s_bounds, t_bounds, types, cost, temperature=1.5)
    path = joined.best_path()
    post = joined.path_posteriors(path)
    expected_path, expected_post = [], []
    for g, (n, m) in enumerate(sizes):
        s0, t0 = s_bounds[g], t_bounds[g]
        one = dp.Lattice(n, m, types, lambda ts, I, J: cost(ts, I + s0, J + t0), dp.full_band(n, m), 1.5)
        p = one.best_path()
        expected_path += [(q.a, q.b, q.i + s0, q.j + t0) for q in p]
        expected_post += list(one.path_posteriors(p))
    assert [(q.a, q.b, q.i, q.j) for q in path] == expected_path
    np.testing.assert_allclose(post, expected_post, atol=1e-9)
    viterbi_only = dp.BlockLattices(s_bounds, t_bounds, types, cost, temperature=1.5, posteriors=False)
    assert [(q.a, q.b, q.i, q.j) for q in viterbi_only.best_path()] == expected_path


def test_runs_of_left_out_sentences_come_target_first():
    """A run of 1-0 and 0-1 beads costs the same in any order, so only rounding would pick
    one: the lattices' tracebacks rewrite every such run with its 0-1 beads first (one order
    on every machine), the same cells in and out, unless a new cell leaves the band."""
    import numpy as np

    from pipeline.align.kernels import _null_runs_target_first

    TA, TB = np.array([1, 1, 0]), np.array([0, 1, 1])  # types: 1-0, 1-1, 0-1
    # path from (0, 0): 1-0, 0-1, 1-0, 1-1, 0-1, 1-0, 0-1 → ends (1,0) (1,1) (2,1) (3,2) (3,3) (4,3) (4,4)
    tt = np.array([0, 2, 0, 1, 2, 0, 2])
    ii = np.array([1, 1, 2, 3, 3, 4, 4])
    jj = np.array([0, 1, 1, 2, 3, 3, 4])
    _null_runs_target_first(tt, ii, jj, 0, len(tt), TA, TB, np.zeros(5, dtype=np.int64), 5)
    assert tt.tolist() == [2, 0, 0, 1, 2, 2, 0]
    assert list(zip(ii.tolist(), jj.tolist())) == [(0, 1), (1, 1), (2, 1), (3, 2), (3, 3), (3, 4), (4, 4)]
    # a band that holds the old cells but not (3, 4): that run stays as it was
    tt = np.array([0, 2, 0, 1, 2, 0, 2])
    ii = np.array([1, 1, 2, 3, 3, 4, 4])
    jj = np.array([0, 1, 1, 2, 3, 3, 4])
    lo = np.array([0, 0, 0, 2, 3])  # rows 3 and 4 hold columns 2-3 and 3-4
    _null_runs_target_first(tt, ii, jj, 0, len(tt), TA, TB, lo, 2)
    assert tt.tolist() == [2, 0, 0, 1, 2, 0, 2]


def test_unique_inverse_matches_numpy():
    import numpy as np

    from pipeline.align.lexicon import unique_inverse

    rng = np.random.default_rng(0)
    for keys, bound in [(np.zeros(0, dtype=np.int64), 10), (np.array([7]), 10),
                        (rng.integers(0, 50, 1000), 50), (rng.integers(0, 10**9, 1000), 10**9)]:
        uniq, inverse = unique_inverse(keys, bound)  # the counting path, then the sorting one
        want, want_inverse = np.unique(keys, return_inverse=True)
        assert np.array_equal(uniq, want) and np.array_equal(inverse, want_inverse.ravel())
