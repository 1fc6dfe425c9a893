"""Compiled loops of the `nlen` aligner (numba).

The aligner's inner loops (lexical window scores, IBM Model 1, the lattices'
recursions) run over every cell of a band or every word pair of a sample;
numpy needs several arrays (and a sort) per step for them, numba runs them as
plain loops. They compute what the numpy code before them did: Model 1 tables
bit for bit (the same sums in the same order), window scores and lattices up
to rounding (scores within 1e-9; the same beads on the real dev set and on the
project's sets, eval/align/results.json unchanged).

Compiled once and cached beside this file (`make install` does it, see
`pipeline.align.compile_kernels`); where that folder is read-only, numba's
user-wide cache is used, and failing that each process compiles for itself.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit as _njit


def njit(fn):
    """numba's `njit` with an on-disk cache and without the GIL; compiled in memory where no
    cache location is writable."""
    try:
        return _njit(cache=True, nogil=True)(fn)
    except RuntimeError:  # no writable cache location: compile in memory
        return _njit(nogil=True)(fn)


# -- lexical log-likelihood ratio (pipeline/align/model.py) -------------------------------
@njit
def _window_scores(
    r_ptr, r_unit, r_w, r_pre_units, r_end, sizes_max, c_start, c_ids, c0, c1, weight, acc, memo, stamp, tick, out
):
    """out[a - 1, c - c0] = sum over units f of column sentence c of
    log1p(E_a(f) / units_a * weight[f]), where E_a is the expected translation of the row
    window of a sentences ending (exclusive) at r_end (clipped at 0) and units_a its units,
    for a = 1..sizes_max and c in [c0, c1): one pass over the column units for all sizes.
    acc[f, d] holds sentence r_end - 1 - d's expected units (a zeroed scratch, left
    zeroed); memo[f, a - 1] holds window a's term of f where stamp[f, a - 1] == tick[0]."""
    scale = np.zeros(sizes_max)
    for a in range(1, sizes_max + 1):
        s = r_end - a
        if s >= 0:
            for e in range(r_ptr[s], r_ptr[s + 1]):
                acc[r_unit[e], a - 1] += r_w[e]
        units = r_pre_units[r_end] - r_pre_units[max(r_end - a, 0)]
        scale[a - 1] = 1.0 / units if units > 0 else 0.0
    tick[0] += 1
    now = tick[0]
    for c in range(c0, c1):
        for a in range(sizes_max):
            out[a, c - c0] = 0.0
        for q in range(c_start[c], c_start[c + 1]):
            f = c_ids[q]
            x = 0.0
            for a in range(sizes_max):
                x += acc[f, a]
                if x != 0.0:
                    if stamp[f, a] != now:  # units repeat across the column sentences: one log1p each
                        memo[f, a] = math.log1p(x * scale[a] * weight[f])
                        stamp[f, a] = now
                    out[a, c - c0] += memo[f, a]
    for a in range(1, sizes_max + 1):
        s = r_end - a
        if s >= 0:
            for e in range(r_ptr[s], r_ptr[s + 1]):
                acc[r_unit[e], a - 1] = 0.0


@njit
def lexical(
    A,
    B,
    I,
    J,
    s_first,
    t_first,
    s_ptr,
    s_unit,
    s_w,
    s_pre_units,
    s_start,
    s_ids,
    t_ptr,
    t_unit,
    t_w,
    t_pre_units,
    t_start,
    t_ids,
    w_fwd,
    w_bwd,
    log_keep_fwd,
    log_keep_bwd,
    acc,
    memo,
    stamp,
    tick,
):
    """LLR_lex of bead types (A[p], B[p]) ending at cells (I[r], J[r, c]): the mean of the
    two directions' log P(window | other window) / P(window) (pipeline/align/model.py).
    Row r lies in a grid whose first source and target sentences are s_first[r] and
    t_first[r]: windows that would cross them are not computed (they stay 0; the DP
    masks those cells)."""
    P, R, W = len(A), J.shape[0], J.shape[1]
    Ka, Kb = 0, 0
    for p in range(P):
        Ka, Kb = max(Ka, A[p]), max(Kb, B[p])
    out = np.zeros((P, R, W))
    # forward: source windows ending at i (up to ka sentences) against target sentences [t0, jmax)
    for r in range(R):
        i, tf = I[r], t_first[r]
        ka = min(Ka, i - s_first[r])
        if ka <= 0:
            continue
        jmin, jmax = J[r, 0], J[r, 0]
        for c in range(W):
            jmin, jmax = min(jmin, J[r, c]), max(jmax, J[r, c])
        t0 = max(jmin - Kb, tf)
        if jmax <= t0:
            continue
        g = np.empty((ka, jmax - t0))
        _window_scores(
            s_ptr, s_unit, s_w, s_pre_units, i, ka, t_start, t_ids, t0, jmax, w_fwd, acc, memo, stamp, tick, g
        )
        cum = np.zeros((ka, jmax - t0 + 1))
        for a in range(ka):
            for c in range(jmax - t0):
                cum[a, c + 1] = cum[a, c] + g[a, c]
        for c in range(W):
            j = J[r, c]
            for p in range(P):
                lo = j - B[p]
                if A[p] <= ka and lo >= tf:
                    n_units = t_pre_units[j] - t_pre_units[lo]
                    out[p, r, c] = cum[A[p] - 1, j - t0] - cum[A[p] - 1, lo - t0] + n_units * log_keep_fwd
    # backward: each target window (j, b) once, against the source sentences [s_lo, s_hi) of
    # every row that holds column j
    jlo, jhi = J[0, 0], J[0, 0]
    for r in range(R):
        for c in range(W):
            jlo, jhi = min(jlo, J[r, c]), max(jhi, J[r, c])
    nj = jhi - jlo + 1
    s_lo = np.full(nj, np.iinfo(np.int64).max, dtype=np.int64)
    s_hi = np.full(nj, -1, dtype=np.int64)
    tf_j = np.full(nj, np.iinfo(np.int64).max, dtype=np.int64)
    for r in range(R):
        if I[r] <= s_first[r]:
            continue
        for c in range(W):
            q = J[r, c] - jlo
            s_lo[q] = min(s_lo[q], max(I[r] - Ka, s_first[r]))
            s_hi[q] = max(s_hi[q], I[r])
            tf_j[q] = min(tf_j[q], t_first[r])
    off = np.zeros(nj + 1, dtype=np.int64)
    for q in range(nj):
        off[q + 1] = off[q] + (s_hi[q] - s_lo[q] + 1 if s_hi[q] >= 0 else 0)
    cum = np.zeros((Kb, off[nj]))
    for q in range(nj):
        kb = min(Kb, jlo + q - tf_j[q])
        if s_hi[q] < 0 or kb <= 0:
            continue
        n_s = s_hi[q] - s_lo[q]
        h = np.empty((kb, n_s))
        _window_scores(
            t_ptr,
            t_unit,
            t_w,
            t_pre_units,
            jlo + q,
            kb,
            s_start,
            s_ids,
            s_lo[q],
            s_hi[q],
            w_bwd,
            acc,
            memo,
            stamp,
            tick,
            h,
        )
        for b in range(kb):
            for k in range(n_s):
                cum[b, off[q] + k + 1] = cum[b, off[q] + k] + h[b, k]
    for r in range(R):
        i, sf, tf = I[r], s_first[r], t_first[r]
        if i <= sf:
            continue
        for c in range(W):
            j = J[r, c]
            q = j - jlo
            base = off[q] - s_lo[q]
            for p in range(P):
                lo = i - A[p]
                if lo >= sf and j - B[p] >= tf:
                    v = cum[B[p] - 1, base + i] - cum[B[p] - 1, base + lo]
                    n_units = s_pre_units[i] - s_pre_units[lo]
                    out[p, r, c] = 0.5 * (out[p, r, c] + v + n_units * log_keep_bwd)
    return out


@njit
def pair_costs(A, B, log_prior, I, J, s_first, t_first, s_pre_chars, t_pre_chars, c, s2, w_lex, lexical_args):
    """Cost (= -score) of bead types (A[p], B[p]), a, b >= 1, ending at cells (I[r], J[r, c]):
    -(log prior + w_lex LLR_lex - z^2 / 2) (pipeline/align/model.py). Rows, grids and
    windows as in `lexical`."""
    out = lexical(A, B, I, J, s_first, t_first, *lexical_args)
    for p in range(len(A)):
        for r in range(J.shape[0]):
            i = I[r]
            l1 = s_pre_chars[i] - s_pre_chars[max(i - A[p], 0)]
            for q in range(J.shape[1]):
                j = J[r, q]
                l2 = t_pre_chars[j] - t_pre_chars[max(j - B[p], 0)]
                mean = max((l1 + l2 / c) / 2.0, 1.0)
                d = c * l1 - l2
                z2 = d * d / (s2 * mean)
                out[p, r, q] = -(log_prior[p] + w_lex * out[p, r, q] - 0.5 * z2)
    return out


# -- IBM Model 1 (pipeline/align/lexicon.py) ----------------------------------------------
@njit
def _sort_distinct(vals, stamp, mark):
    """Sort distinct values in [0, len(stamp)) in place, where stamp[v] == mark exactly for
    the values present: by insertion when few, by a scan of the stamps when they are a
    good share of the range, else by quicksort."""
    n = len(vals)
    if n <= 16:
        for d in range(1, n):
            v = vals[d]
            z = d
            while z > 0 and vals[z - 1] > v:
                vals[z] = vals[z - 1]
                z -= 1
            vals[z] = v
    elif n * 16 >= len(stamp):
        d = 0
        for v in range(len(stamp)):
            if stamp[v] == mark:
                vals[d] = v
                d += 1
    else:
        vals.sort()


@njit
def _counting_sort(key, order, bound):
    """`order` stably sorted by key[order] (keys in [0, bound))."""
    start = np.zeros(bound + 1, dtype=np.int64)
    for o in order:
        start[key[o] + 1] += 1
    for v in range(bound):
        start[v + 1] += start[v]
    out = np.empty(len(order), dtype=np.int64)
    for o in order:
        out[start[key[o]]] = o
        start[key[o]] += 1
    return out


@njit
def model1(s_cat, ls, f_cat, lf, size, iterations, min_prob, min_count, top_k):
    """IBM Model 1 p(f | e) by EM over sentence pairs (source k: ls[k] units of s_cat, then
    NULL = `size`; target k: lf[k] units of f_cat), as a table: row e (< size) holds the
    top_k translations with p >= min_prob of units seen >= min_count times, sorted by f.
    Returns (ptr, cols, prob). Parameters are the unit pairs seen together, numbered in
    (e, f) order, and every sum runs in the order numpy's bincount ran it before."""
    npair = len(ls)
    V = size + 1
    le = ls + 1
    e_base = np.zeros(npair + 1, dtype=np.int64)
    f_base = np.zeros(npair + 1, dtype=np.int64)
    for k in range(npair):
        e_base[k + 1] = e_base[k] + le[k]
        f_base[k + 1] = f_base[k] + lf[k]
    e_cat = np.full(e_base[npair], size, dtype=np.int64)
    for k in range(npair):
        for a in range(ls[k]):
            e_cat[e_base[k] + a] = s_cat[e_base[k] - k + a]
    # occurrence (k, a, b) pairs source token a of pair k with its target token b; it is
    # number occ_base[k] + a * lf[k] + b. Parameters are numbered in (e, f) order, as
    # np.unique numbered them: the rows (k, a) are bucketed by e, and each e's distinct f
    # are sorted.
    occ_base = np.zeros(npair + 1, dtype=np.int64)
    for k in range(npair):
        occ_base[k + 1] = occ_base[k] + le[k] * lf[k]
    n_occ = occ_base[npair]
    n_rows = e_base[npair]
    row_k = np.empty(n_rows, dtype=np.int64)
    for k in range(npair):
        for a in range(le[k]):
            row_k[e_base[k] + a] = k
    rows_by_e = _counting_sort(e_cat, np.arange(n_rows), V)
    pair = np.empty(n_occ, dtype=np.int64)
    pe_list = np.empty(n_occ, dtype=np.int64)
    pf_list = np.empty(n_occ, dtype=np.int64)
    stamp = np.full(V, -1, dtype=np.int64)
    slot = np.zeros(V, dtype=np.int64)
    n_par = 0
    x = 0
    while x < n_rows:
        e = e_cat[rows_by_e[x]]
        x1 = x
        while x1 < n_rows and e_cat[rows_by_e[x1]] == e:
            x1 += 1
        nd = 0
        for y in range(x, x1):
            k = row_k[rows_by_e[y]]
            for b in range(lf[k]):
                f = f_cat[f_base[k] + b]
                if stamp[f] != e:
                    stamp[f] = e
                    pf_list[n_par + nd] = f
                    nd += 1
        _sort_distinct(pf_list[n_par : n_par + nd], stamp, e)
        for d in range(n_par, n_par + nd):
            pe_list[d] = e
            slot[pf_list[d]] = d
        for y in range(x, x1):
            r = rows_by_e[y]
            k = row_k[r]
            base = occ_base[k] + (r - e_base[k]) * lf[k]
            for b in range(lf[k]):
                pair[base + b] = slot[f_cat[f_base[k] + b]]
        n_par += nd
        x = x1
    pe, pf = pe_list[:n_par], pf_list[:n_par]
    t = np.ones(n_par)
    z = np.empty(max(lf.max(), 1) if npair else 1)
    for _ in range(iterations):
        # pair by pair: target token b's normaliser sums over the pair's source tokens
        counts = np.zeros(n_par)
        occ = 0
        for k in range(npair):
            z[: lf[k]] = 0.0
            for a in range(le[k]):
                for b in range(lf[k]):
                    z[b] += t[pair[occ + a * lf[k] + b]]
            for _a in range(le[k]):
                for b in range(lf[k]):
                    q = pair[occ]
                    counts[q] += t[q] / z[b]
                    occ += 1
        tot = np.zeros(V)
        for q in range(n_par):
            tot[pe[q]] += counts[q]
        for q in range(n_par):
            t[q] = counts[q] / tot[pe[q]]
    # A unit seen once is paired with whatever its one sentence holds: EM memorises that
    # pairing, which then "confirms" the very alignment it was trained on.
    seen = np.zeros(V, dtype=np.int64)
    for x in s_cat:
        seen[x] += 1
    ptr = np.zeros(size + 1, dtype=np.int64)
    cols = np.empty(n_par, dtype=np.int64)
    prob = np.empty(n_par)
    ok = np.empty(top_k, dtype=np.int64)
    n_out = 0
    q = 0
    while q < n_par:
        e = pe[q]
        q1 = q
        while q1 < n_par and pe[q1] == e:
            q1 += 1
        if e != size and seen[e] >= min_count:
            # the top_k by p, ties by f (the earlier), kept in f order
            n_ok = 0
            for x in range(q, q1):
                if t[x] < min_prob or (n_ok == top_k and t[x] <= t[ok[n_ok - 1]]):
                    continue
                r = min(n_ok, top_k - 1)  # ok[:n_ok] by p, descending: insert x after its equals
                while r > 0 and t[ok[r - 1]] < t[x]:
                    ok[r] = ok[r - 1]
                    r -= 1
                ok[r] = x
                n_ok = min(n_ok + 1, top_k)
            ok[:n_ok].sort()
            for x in ok[:n_ok]:
                cols[n_out] = pf[x]
                prob[n_out] = t[x]
                n_out += 1
            ptr[e + 1] = n_ok
        q = q1
    for e in range(size):
        ptr[e + 1] += ptr[e]
    return ptr, cols[:n_out], prob[:n_out]


@njit
def expected_entries(ids, start, ptr, cols, prob, identity_weight):
    """`lexicon.Lexicon.expected`: for every unit e of every sentence, in order, the entry
    (sentence, e, w_id) and then (sentence, f, (1 - w_id') p(f | e)) for its table row;
    w_id is identity_weight for units with a row, 1 for the others."""
    n = 0
    for e in ids:
        n += 1 + ptr[e + 1] - ptr[e]
    rows = np.empty(n, dtype=np.int64)
    f = np.empty(n, dtype=np.int64)
    w = np.empty(n)
    x = 0
    for s in range(len(start) - 1):
        for k in range(start[s], start[s + 1]):
            e = ids[k]
            lo, hi = ptr[e], ptr[e + 1]
            rows[x], f[x], w[x] = s, e, identity_weight if hi > lo else 1.0
            x += 1
            for q in range(lo, hi):
                rows[x], f[x], w[x] = s, cols[q], (1.0 - identity_weight) * prob[q]
                x += 1
    return rows, f, w


# -- estimation (pipeline/align/nlen.py) ----------------------------------------------------
@njit
def lam_posteriors(row_ptr, row_unit, row_w, row_start, col_start, col_ids, r0, r1, c0, c1, lam, bg, acc):
    """For beads k (row sentences r0[k]..r1[k], column sentences c0[k]..c1[k]), the posterior
    that each column unit f is a translation: lam p_S(f) / (lam p_S(f) + (1 - lam) P(f)),
    with p_S the row window's expected units over its unit count. One array, bead by bead,
    in unit order. `acc`: zeroed scratch over the vocabulary, left zeroed."""
    n = 0
    for k in range(len(r0)):
        n += col_start[c1[k]] - col_start[c0[k]]
    post = np.empty(n)
    x = 0
    for k in range(len(r0)):
        for e in range(row_ptr[r0[k]], row_ptr[r1[k]]):
            acc[row_unit[e]] += row_w[e]
        units = max(float(row_start[r1[k]] - row_start[r0[k]]), 1.0)
        for q in range(col_start[c0[k]], col_start[c1[k]]):
            f = col_ids[q]
            ps = acc[f] / units
            post[x] = lam * ps / (lam * ps + (1.0 - lam) * bg[f])
            x += 1
        for e in range(row_ptr[r0[k]], row_ptr[r1[k]]):
            acc[row_unit[e]] = 0.0
    return post


# -- lattices (pipeline/align/dp.py) --------------------------------------------------------
LOGE2 = math.log(2.0)
FORBIDDEN = 1e6  # finite stand-in for an infinite bead cost where a running sum needs one


@njit
def logaddexp(x, y):
    """numpy's logaddexp, operation for operation."""
    if x == y:
        return x + LOGE2
    d = x - y
    if d > 0:
        return x + math.log1p(math.exp(-d))
    if d <= 0:
        return y + math.log1p(math.exp(d))
    return d


@njit
def _finite(x):
    return x if math.isfinite(x) else -FORBIDDEN


@njit
def _logsumexp(vals, n):
    """log(sum(exp(vals[:n]))) as numpy's was computed (max shifted out; -inf if all -inf)."""
    mx = -np.inf
    for q in range(n):
        mx = max(mx, vals[q])
    safe = mx if math.isfinite(mx) else 0.0
    tot = 0.0
    for q in range(n):
        tot += math.exp(vals[q] - safe)
    return (math.log(tot) if tot > 0 else -np.inf) + safe


@njit
def _forward_row(X, Xv, arg, s01, n, K, has01, sums, F, V, back):
    """Finish row cells 0..n-1 of the forward recursions from X (log-sum over the step
    beads into each cell), Xv and arg (best step bead): add the 0-1 beads along the row
    (scores s01) as dp.py's numpy code did, by prefix sums (F - P is a running logaddexp
    of X - P, V - P a running max of Xv - P)."""
    if has01:
        P = 0.0
        acc = -np.inf
        run = -np.inf
        for k in range(n):
            P += _finite(s01[k])
            if sums:
                acc = X[k] - P if k == 0 else logaddexp(acc, X[k] - P)
                F[k] = acc + P
            y = Xv[k] - P
            run = y if k == 0 else max(run, y)
            V[k] = run + P
            back[k] = K if y < run else arg[k]  # before adding P back: rounding cannot fake a 0-1
    else:
        for k in range(n):
            if sums:
                F[k] = X[k]
            V[k] = Xv[k]
            back[k] = arg[k]


@njit
def _backward_row(Y, s01, n, has01, P, Bk):
    """Finish row cells 0..n-1 of the backward recursion from Y (log-sum over the step
    beads out of each cell): B + P is a reversed running logaddexp of Y + P (P: prefix
    sums of the 0-1 scores s01)."""
    if has01:
        p = 0.0
        for k in range(n):
            p += _finite(s01[k])
            P[k] = p
        acc = -np.inf
        for k in range(n - 1, -1, -1):
            acc = Y[k] + P[k] if k == n - 1 else logaddexp(acc, Y[k] + P[k])
            Bk[k] = acc - P[k]
    else:
        for k in range(n):
            Bk[k] = Y[k]


@njit
def grids_forward(S, ns, ms, A, B, has01, sums):
    """`dp.BlockLattices._forward`: for every grid g and cell (i, k), the log-sum over the
    paths into it (F, when `sums`) and the best path's type into it (back). S[g, i, t, k]
    is the log score of a bead of type t (step types A[t], B[t] first, then 0-1) ending at
    (i, k); the recursions run as dp.py's numpy code did (0-1 beads by prefix sums)."""
    G, N2, T, W1 = S.shape
    W = W1 - 1
    K = len(A)
    F = np.full((G, N2, W1), -np.inf)
    V = np.full((G, N2, W1), -np.inf)
    back = np.zeros((G, N2 - 1, W), dtype=np.int64)
    X = np.empty(W)
    Xv = np.empty(W)
    arg = np.zeros(W, dtype=np.int64)
    vals = np.empty(K)
    for g in range(G):
        for i in range(ns[g] + 1):
            for k in range(ms[g] + 1):
                best, at, nv = -np.inf, 0, 0
                for t in range(K):
                    r, c = i - A[t], k - B[t]
                    if r >= 0 and c >= 0:
                        v = V[g, r, c] + S[g, i, t, k]
                        if v > best:
                            best, at = v, t
                        vals[nv] = F[g, r, c] + S[g, i, t, k]
                        nv += 1
                Xv[k], arg[k] = best, at
                if sums:
                    X[k] = _logsumexp(vals, nv)
            if i == 0:
                Xv[0] = 0.0
                X[0] = 0.0
            _forward_row(X, Xv, arg, S[g, i, K], ms[g] + 1, K, has01, sums, F[g, i], V[g, i], back[g, i])
    return F, back


@njit
def grids_backward(S, ns, ms, A, B, has01):
    """`dp.BlockLattices._backward`: the log-sum over the paths out of every cell to the
    grid's end (n, m)."""
    G, N2, T, W1 = S.shape
    K = len(A)
    Bk = np.full((G, N2, W1), -np.inf)
    Y = np.empty(W1)
    P = np.empty(W1)
    vals = np.empty(K)
    for g in range(G):
        n, m = ns[g], ms[g]
        for i in range(n, -1, -1):
            for k in range(m + 1):
                if i == n:
                    Y[k] = 0.0 if k == m else -np.inf
                    continue
                nv = 0
                for t in range(K):
                    r, c = i + A[t], k + B[t]
                    if r <= n and c <= m:
                        vals[nv] = S[g, r, t, c] + Bk[g, r, c]
                        nv += 1
                Y[k] = _logsumexp(vals, nv)
            _backward_row(Y, S[g, i, K], m + 1, has01, P, Bk[g, i])
    return Bk


@njit
def _null_runs_target_first(tt, ii, jj, y0, y1, TA, TB, lo, w):
    """In the path beads y0..y1 - 1, reorder each run of consecutive 1-0 and 0-1 beads so
    that the 0-1 beads come first. Every order of such a run costs the same (their scores
    are constants), so which one the recursion keeps is up to rounding; this makes it one
    order on every machine (the one exact ties gave before). Runs whose new cells would
    leave the band (lo, w) stay as they are."""
    t10, t01 = -1, -1
    for t in range(len(TA)):
        if TA[t] == 1 and TB[t] == 0:
            t10 = t
        elif TA[t] == 0 and TB[t] == 1:
            t01 = t
    if t10 < 0 or t01 < 0:
        return
    y = y0
    while y < y1:
        if tt[y] != t10 and tt[y] != t01:
            y += 1
            continue
        z, n01 = y, 0
        while z < y1 and (tt[z] == t10 or tt[z] == t01):
            n01 += tt[z] == t01
            z += 1
        i0, j0 = ii[y] - TA[tt[y]], jj[y] - TB[tt[y]]
        ok = True
        for u in range(z - y):
            i, j = (i0, j0 + u + 1) if u < n01 else (i0 + u - n01 + 1, j0 + n01)
            ok = ok and 0 <= j - lo[i] < w
        if ok:
            for u in range(z - y):
                tt[y + u] = t01 if u < n01 else t10
                ii[y + u], jj[y + u] = (i0, j0 + u + 1) if u < n01 else (i0 + u - n01 + 1, j0 + n01)
        y = z


@njit
def grids_best(back, F, S, Bk, logZ, ns, ms, TA, TB, posteriors):
    """Every grid's best path (from `back`, runs of 1-0 and 0-1 beads target first), grid
    after grid, as arrays (g, t, i, k): a bead of type t (TA[t] source, TB[t] target
    sentences) ending at cell (i, k) of grid g; and, when `posteriors`, each bead's
    posterior probability exp(F + S + B - logZ)."""
    G = len(ns)
    n = 0
    for g in range(G):
        n += ns[g] + ms[g]
    gg, tt = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    ii, kk = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    post = np.zeros(n)
    x = 0
    for g in range(G):
        first = x
        i, k = ns[g], ms[g]
        while i > 0 or k > 0:
            t = back[g, i, k]
            gg[x], tt[x], ii[x], kk[x] = g, t, i, k
            x += 1
            i, k = i - TA[t], k - TB[t]
        # reversed into path order
        a, b = first, x - 1
        while a < b:
            gg[a], gg[b] = gg[b], gg[a]
            tt[a], tt[b] = tt[b], tt[a]
            ii[a], ii[b] = ii[b], ii[a]
            kk[a], kk[b] = kk[b], kk[a]
            a += 1
            b -= 1
        _null_runs_target_first(tt, ii, kk, first, x, TA, TB, np.zeros(ns[g] + 1, dtype=np.int64), ms[g] + 1)
    if posteriors:
        for y in range(x):
            g, t, i, k = gg[y], tt[y], ii[y], kk[y]
            if math.isfinite(logZ[g]):
                prev = F[g, i - TA[t], k - TB[t]]  # for a 0-1 bead: F[g, i, k - 1]
                post[y] = math.exp(min(0.0, prev + S[g, i, t, k] + Bk[g, i, k] - logZ[g]))
    return gg[:x], tt[:x], ii[:x], kk[:x], post[:x]


@njit
def band_forward(S, lo, A, B, has01, sums):
    """`dp.Lattice._forward`: row i keeps columns lo[i]..lo[i] + w - 1 (S[i, t, k] is the
    log score of a bead of type t ending at (i, lo[i] + k); its last row and column are
    -inf padding). Returns F (when `sums`; else -inf) and back."""
    N2, T, W1 = S.shape
    n, w = N2 - 2, W1 - 1
    K = len(A)
    F = np.full((N2, W1), -np.inf)
    V = np.full((N2, W1), -np.inf)
    back = np.zeros((n + 1, w), dtype=np.int64)
    X = np.empty(w)
    Xv = np.empty(w)
    arg = np.zeros(w, dtype=np.int64)
    vals = np.empty(K)
    for i in range(n + 1):
        for k in range(w):
            best, at, nv = -np.inf, 0, 0
            for t in range(K):
                r = i - A[t]
                c = k + lo[i] - B[t] - lo[max(r, 0)]
                if r < 0 or c < 0 or c >= w:
                    continue
                v = V[r, c] + S[i, t, k]
                if v > best:
                    best, at = v, t
                vals[nv] = F[r, c] + S[i, t, k]
                nv += 1
            Xv[k], arg[k] = best, at
            if sums:
                X[k] = _logsumexp(vals, nv)
        if i == 0 and lo[0] == 0:
            Xv[0] = 0.0
            X[0] = 0.0
        _forward_row(X, Xv, arg, S[i, K], w, K, has01, sums, F[i], V[i], back[i])
    return F, back


@njit
def band_backward(S, lo, A, B, has01, end):
    """`dp.Lattice._backward`: the log-sum over the paths out of every cell of the band to
    (n, m), which is column `end` of row n."""
    N2, T, W1 = S.shape
    n, w = N2 - 2, W1 - 1
    K = len(A)
    Bk = np.full((N2, W1), -np.inf)
    Y = np.empty(w)
    P = np.empty(w)
    vals = np.empty(K)
    for i in range(n, -1, -1):
        for k in range(w):
            if i == n:
                Y[k] = 0.0 if k == end else -np.inf
                continue
            nv = 0
            for t in range(K):
                r = i + A[t]
                c = k + lo[i] + B[t] - lo[min(r, n)]
                if r <= n and 0 <= c < w:
                    vals[nv] = S[r, t, c] + Bk[r, c]
                    nv += 1
            Y[k] = _logsumexp(vals, nv)
        _backward_row(Y, S[i, K], w, has01, P, Bk[i])
    return Bk


@njit
def band_best(back, F, S, Bk, logZ, lo, n, m, TA, TB, posteriors):
    """`dp.Lattice.best_path` and `path_posteriors` at once: beads (t, i, j) of the best
    path (runs of 1-0 and 0-1 beads target first), in order, and each one's posterior (0
    without posteriors)."""
    cap = n + m
    tt, ii, jj = np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64)
    x = 0
    i, j = n, m
    while i > 0 or j > 0:
        t = back[i, j - lo[i]]
        tt[x], ii[x], jj[x] = t, i, j
        x += 1
        i, j = i - TA[t], j - TB[t]
    tt, ii, jj = tt[:x][::-1].copy(), ii[:x][::-1].copy(), jj[:x][::-1].copy()
    post = np.zeros(x)
    w = back.shape[1]
    _null_runs_target_first(tt, ii, jj, 0, x, TA, TB, lo, w)
    if posteriors and math.isfinite(logZ):
        for y in range(x):
            t, i, j = tt[y], ii[y], jj[y]
            k = j - lo[i]
            if k < 0 or k >= w:
                continue
            r = i - TA[t]
            c = j - TB[t] - lo[r]
            prev = F[r, c] if 0 <= c < w else -np.inf
            post[y] = math.exp(min(0.0, prev + S[i, t, k] + Bk[i, k] - logZ))
    return tt, ii, jj, post


@njit
def viterbi_rows(Dflat, D, pad, idx, Cs, Pc, c0, first_free, has01, back, via01):
    """`dp._viterbi_band`'s per-row recursion for rows c0.. of one chunk: the best cost into
    every band cell (D, a padded (rows, width) array; Dflat its flat view), the step type
    that reaches it (back) and whether a 0-1 bead does (via01). idx[r, t, k]: flat index
    in D of the cell bead type t starts from; Cs[r, t, k] its cost; Pc[r]: prefix sums of
    the 0-1 costs. first_free: row 0 starts at column 0 (the path's start)."""
    R, K, w = Cs.shape[0], idx.shape[1], Cs.shape[2]
    X = np.empty(w)
    for r in range(R):
        i = c0 + r
        for k in range(w):
            best, at = np.inf, 0
            for t in range(K):
                v = Dflat[idx[r, t, k]] + Cs[r, t, k]
                if v < best:
                    best, at = v, t
            X[k] = best
            back[i, k] = at
        if K == 0:
            X[:] = np.inf
        if i == 0 and first_free:
            X[0] = 0.0
        if has01:
            # D[k] = min(X[k], D[k-1] + c01[k]) as a running minimum over prefix sums
            M = np.inf
            for k in range(w):
                P = Pc[r, k]
                y = X[k] - P
                M = y if k == 0 else min(M, y)
                D[i, pad + k] = M + P
                via01[i, k] = y > M
        else:
            for k in range(w):
                D[i, pad + k] = X[k]
