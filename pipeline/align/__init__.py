"""Sentence alignment of one block (paragraph) of source and target sentences.

    from pipeline.align import align, get_aligner, ALIGNERS
    beads = align(src, tgt, src_mt=None, method="default", max_size=3)

Implementations register by name (see `ALIGNERS`): `galechurch` is the plain
Gale-Church baseline; `nlen` (the default) adds data-estimated length
parameters, anchors and, when `src_mt` is given, character n-gram similarity.
The core is language-agnostic; nothing here knows about Dutch or English.
"""

from __future__ import annotations

from typing import Sequence


from pipeline.align.base import ALIGNERS, Aligner, get_aligner, register
from pipeline.errors import UserError
from pipeline.types import Bead

# Importing the implementations registers them in ALIGNERS.
from pipeline.align import galechurch as _galechurch  # noqa: E402,F401
from pipeline.align import strong as _strong  # noqa: E402,F401

DEFAULT_METHOD = "nlen"

__all__ = ["ALIGNERS", "Aligner", "DEFAULT_METHOD", "align", "align_blocks", "get_aligner", "register", "suspicious"]


def align(
    src_sentences: Sequence[str],
    tgt_sentences: Sequence[str],
    src_mt: Sequence[str] | None = None,
    *,
    method: str = "default",
    max_size: int = 3,
) -> list[Bead]:
    """Align one block. Bead ids are positions in the given lists.

    Every src and tgt index is in exactly one bead, beads are monotonic and
    each has a confidence in [0, 1].
    """
    src, tgt = list(src_sentences), list(tgt_sentences)
    if src_mt is not None:
        src_mt = list(src_mt)
        if len(src_mt) != len(src):
            raise UserError(f"src_mt has {len(src_mt)} sentences but the source has {len(src)}")
    aligner = get_aligner(method, max_size=max_size)
    # Trivial blocks need no model (and give the model no data to estimate from).
    if not src or not tgt:
        return [Bead((i,), (), 1.0) for i in range(len(src))] + [Bead((), (j,), 1.0) for j in range(len(tgt))]
    return aligner.align(src, tgt, src_mt)


def suspicious(beads: Sequence[Bead], threshold: float = 0.5) -> list[int]:
    """Source ids whose alignment deserves a second look (sorted, unique): those
    of a bead that is not 1-1 (a drop, a merge, a split: opus-mt seldom merges or
    splits sentences on purpose, and a realignment keeps true merges) or whose
    confidence is below `threshold`. A threshold of 1 flags every bead, even one
    scored exactly 1.0."""
    return sorted({i for b in beads if len(b.src) != 1 or len(b.tgt) != 1 or b.score < threshold or threshold >= 1
                   for i in b.src})


def align_blocks(
    src_blocks: Sequence[Sequence[str]],
    tgt_blocks: Sequence[Sequence[str]],
    mt_blocks: Sequence[Sequence[str]] | None = None,
    *,
    method: str = "default",
    max_size: int = 3,
) -> list[tuple[int, Bead]]:
    """Align block k with block k; ids count across blocks. Returns (block, bead) pairs.

    Blocks are hard boundaries: no bead ever spans two of them.
    """
    if len(src_blocks) != len(tgt_blocks):
        raise UserError(f"block counts differ: {len(src_blocks)} source blocks, {len(tgt_blocks)} target blocks")
    out: list[tuple[int, Bead]] = []
    so = to = 0
    for k, (s, t) in enumerate(zip(src_blocks, tgt_blocks)):
        mt = mt_blocks[k] if mt_blocks is not None else None
        for b in align(s, t, mt, method=method, max_size=max_size):
            out.append((k, Bead(tuple(i + so for i in b.src), tuple(j + to for j in b.tgt), b.score)))
        so += len(s)
        to += len(t)
    return out
