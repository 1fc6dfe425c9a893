"""Plain Gale & Church (1993): character lengths, fixed parameters, classic priors.

This is the baseline the strong aligner is measured against, so nothing here is
tuned: c = 1, s^2 = 6.8 and the bead priors from the paper.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.align import dp
from pipeline.align.base import Aligner, register
from pipeline.align.lengths import gc_cost, prefix, span
from pipeline.types import Bead

C = 1.0
S2 = 6.8
PRIORS = {(1, 1): 0.89, (1, 0): 0.0099, (0, 1): 0.0099, (2, 1): 0.089, (1, 2): 0.089, (2, 2): 0.011}


def margin_to_confidence(margin: float) -> float:
    """Squashed margin: 1 - exp(-margin) with the margin in nats.

    The margin is how much worse (in -log probability) the best other bead
    into the same DP cell is, so 0 means a tie (confidence 0) and a margin of
    3 nats (e^3 = 20 times less likely) gives 0.95.
    """
    return float(min(1.0, max(0.0, 1.0 - np.exp(-max(0.0, margin)))))


def path_to_beads(path: list[dp.PathBead]) -> list[Bead]:
    """The path as Beads (sentence ids from the cell coordinates), scored by `margin_to_confidence`."""
    return [
        Bead(tuple(range(p.i - p.a, p.i)), tuple(range(p.j - p.b, p.j)), margin_to_confidence(p.margin)) for p in path
    ]


@register
class GaleChurch(Aligner):
    """The Gale & Church baseline aligner (`--method galechurch`)."""

    name = "galechurch"

    def align(self, src: Sequence[str], tgt: Sequence[str], src_mt: Sequence[str] | None = None) -> list[Bead]:
        """Viterbi over character-length costs and the paper's priors; scores are margin confidences."""
        n, m = len(src), len(tgt)
        l1 = np.array([len(s) for s in src], dtype=np.float64)
        l2 = np.array([len(t) for t in tgt], dtype=np.float64)
        p1, p2 = prefix(l1), prefix(l2)
        beads = [ab for ab in PRIORS if max(ab) <= self.max_size]
        penalty = {ab: -np.log(p) for ab, p in PRIORS.items()}

        def cost(types, I: np.ndarray, J: np.ndarray) -> np.ndarray:
            A = np.array([a for a, _ in types])[:, None, None]
            B = np.array([b for _, b in types])[:, None, None]
            pen = np.array([penalty[ab] for ab in types])[:, None, None]
            return pen + gc_cost(span(p1, I[None], A), span(p2, J[None], B), C, S2)

        path = dp.viterbi(n, m, beads, cost, dp.diagonal(l1, l2))
        return path_to_beads(path)
