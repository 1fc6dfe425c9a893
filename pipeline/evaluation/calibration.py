"""Calibration of scores that claim to be probabilities: the reliability table and
expected calibration error, and a logistic fit (used by eval/align and eval/faults)."""

from __future__ import annotations

import numpy as np

BINS = 10


def reliability(scores: np.ndarray, right: np.ndarray, bins: int = BINS) -> tuple[list[tuple], float]:
    """Rows (bin start, count, mean score, fraction right) over `bins` equal-width bins,
    and the expected calibration error: the count-weighted mean |score - fraction right|."""
    rows, ece = [], 0.0
    edges = np.minimum((scores * bins).astype(int), bins - 1)
    for k in range(bins):
        m = edges == k
        if m.any():
            rows.append((k / bins, int(m.sum()), float(scores[m].mean()), float(right[m].mean())))
            ece += m.sum() / len(scores) * abs(scores[m].mean() - right[m].mean())
    return rows, float(ece)


def fit_logistic(
    X: np.ndarray, y: np.ndarray, reg: float = 1e-2, start: np.ndarray | None = None, tol: float = 1e-9
) -> np.ndarray:
    """Weights w of sigmoid(X @ w), by Newton's method on the (lightly L2-regularised)
    log loss from `start` (default zeros), each step halved until the loss goes down
    (so it cannot diverge), until no weight moves by `tol`."""

    def loss(w):
        z = X @ w
        return float(np.sum(np.logaddexp(0, z) - y * z) + reg / 2 * w @ w)

    w = np.zeros(X.shape[1]) if start is None else np.asarray(start, dtype=float)
    for _ in range(200):
        q = 1 / (1 + np.exp(-np.clip(X @ w, -500, 500)))
        grad = X.T @ (q - y) + reg * w
        hess = (X * (q * (1 - q))[:, None]).T @ X + reg * np.eye(X.shape[1])
        step, before = np.linalg.solve(hess, grad), loss(w)
        while loss(w - step) > before and np.abs(step).max() > 1e-12:
            step = step / 2
        w = w - step
        if np.abs(step).max() < tol:
            break
    return w
