"""Sentence alignment of one block (paragraph) of source and target sentences.

    from pipeline.align import align, get_aligner, ALIGNERS
    beads = align(src, tgt, src_mt=None, method="default", max_size=3)

Implementations register by name (see `ALIGNERS`): `galechurch` is the plain
Gale-Church baseline; `nlen` (the default) is a bead model estimated from the
input itself (pipeline/align/nlen.py), with its inner loops compiled by numba
(pipeline/align/kernels.py; `compile_kernels()` builds them once). The core is
language-agnostic; nothing here knows about Dutch or English.
"""

from __future__ import annotations

from collections.abc import Sequence

# Importing the implementations registers them in ALIGNERS.
from pipeline.align import galechurch as _galechurch  # noqa: E402,F401
from pipeline.align import nlen as _nlen  # noqa: E402,F401
from pipeline.align.base import (
    ALIGNERS,
    DEFAULT_MAX_SIZE,
    DEFAULT_METHOD,
    MAX_SIZE_LIMIT,
    Aligner,
    get_aligner,
    register,
)
from pipeline.errors import UserError
from pipeline.types import Bead

__all__ = [
    "ALIGNERS",
    "Aligner",
    "DEFAULT_METHOD",
    "MAX_SIZE_LIMIT",
    "align",
    "align_block_list",
    "align_blocks",
    "align_by_group",
    "compile_kernels",
    "get_aligner",
    "register",
    "suspicious",
]


def align(
    src_sentences: Sequence[str],
    tgt_sentences: Sequence[str],
    src_mt: Sequence[str] | None = None,
    *,
    method: str = "default",
    max_size: int = DEFAULT_MAX_SIZE,
    dictionary: str | None = None,
) -> list[Bead]:
    """Align one block. Bead ids are positions in the given lists.

    Every src and tgt index is in exactly one bead, beads are monotonic and
    each has a confidence in [0, 1].
    """
    src_mt_blocks = None if src_mt is None else [list(src_mt)]
    return align_block_list(
        [list(src_sentences)],
        [list(tgt_sentences)],
        src_mt_blocks,
        method=method,
        max_size=max_size,
        dictionary=dictionary,
    )[0]


def align_block_list(
    src_blocks: Sequence[Sequence[str]],
    tgt_blocks: Sequence[Sequence[str]],
    mt_blocks: Sequence[Sequence[str]] | None = None,
    *,
    method: str = "default",
    max_size: int = DEFAULT_MAX_SIZE,
    dictionary: str | None = None,
) -> list[list[Bead]]:
    """Align block k with block k, estimating once over all blocks (the `nlen`
    aligner learns its statistics from the whole input). Bead ids are positions
    within each block; no bead spans two blocks."""
    if len(src_blocks) != len(tgt_blocks):
        raise UserError(f"block counts differ: {len(src_blocks)} source blocks, {len(tgt_blocks)} target blocks")
    src_blocks = [list(b) for b in src_blocks]
    tgt_blocks = [list(b) for b in tgt_blocks]
    if mt_blocks is not None:
        mt_blocks = [list(b) for b in mt_blocks]
        for k, (s, mt) in enumerate(zip(src_blocks, mt_blocks)):
            if len(mt) != len(s):
                raise UserError(f"block {k}: src_mt has {len(mt)} sentences but the source has {len(s)}")
    aligner = get_aligner(method, max_size=max_size, dictionary=dictionary)
    # No bead is longer than the longest block: a larger size only costs memory (same beads).
    aligner.max_size = min(aligner.max_size, max([1, *map(len, src_blocks), *map(len, tgt_blocks)]))
    return aligner.align_blocks(src_blocks, tgt_blocks, mt_blocks)


def suspicious(beads: Sequence[Bead], threshold: float = 0.5) -> list[int]:
    """Source ids whose alignment deserves a second look (sorted, unique): those
    of a bead that is not 1-1 (a drop, a merge, a split: opus-mt seldom merges or
    splits sentences on purpose, and a realignment keeps true merges) or whose
    confidence is below `threshold`. A threshold of 1 flags every bead, even one
    scored exactly 1.0."""
    return sorted(
        {i for b in beads if len(b.src) != 1 or len(b.tgt) != 1 or b.score < threshold or threshold >= 1 for i in b.src}
    )


def align_by_group(
    src_blocks: Sequence[Sequence[str]],
    tgt_blocks: Sequence[Sequence[str]],
    mt_blocks: Sequence[Sequence[str]] | None = None,
    *,
    groups: Sequence[object],
    method: str = "default",
    max_size: int = DEFAULT_MAX_SIZE,
) -> list[list[Bead]]:
    """`align_block_list` once per group: blocks with the same `groups` key (a
    document) share the estimated statistics, and nothing else, so a document's
    alignment never depends on the documents it happens to be batched with."""
    members: dict[object, list[int]] = {}
    for k, key in enumerate(groups):
        members.setdefault(key, []).append(k)
    out: list[list[Bead]] = [[] for _ in src_blocks]
    for ks in members.values():
        mt = None if mt_blocks is None else [mt_blocks[k] for k in ks]
        for k, beads in zip(
            ks,
            align_block_list(
                [src_blocks[k] for k in ks], [tgt_blocks[k] for k in ks], mt, method=method, max_size=max_size
            ),
        ):
            out[k] = beads
    return out


def align_blocks(
    src_blocks: Sequence[Sequence[str]],
    tgt_blocks: Sequence[Sequence[str]],
    mt_blocks: Sequence[Sequence[str]] | None = None,
    *,
    method: str = "default",
    max_size: int = DEFAULT_MAX_SIZE,
    dictionary: str | None = None,
) -> list[tuple[int, Bead]]:
    """`align_block_list` with ids counted across blocks: (block, bead) pairs."""
    out: list[tuple[int, Bead]] = []
    so = to = 0
    beads = align_block_list(src_blocks, tgt_blocks, mt_blocks, method=method, max_size=max_size, dictionary=dictionary)
    for k, (s, t, block) in enumerate(zip(src_blocks, tgt_blocks, beads)):
        for b in block:
            out.append((k, Bead(tuple(i + so for i in b.src), tuple(j + to for j in b.tgt), b.score)))
        so += len(s)
        to += len(t)
    return out


def compile_kernels() -> None:
    """Compile (or load from numba's cache) every compiled loop of the `nlen` aligner, by
    aligning tiny texts through each path: small and large blocks, with and without MT.
    `make install` runs it, so the first alignment of a run does not pay for compiling."""
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
    src = [" ".join(words[(k + d) % 12] for d in range(4 + k % 3)) + "." for k in range(40)]
    tgt = [s.upper() for s in src]
    for blocks in ([src[:6], src[6:10]], [src]):  # small grids joined (BlockLattices); a banded Lattice
        t_blocks = [[tgt[src.index(s)] for s in b] for b in blocks]
        align_block_list(blocks, t_blocks)
        align_block_list(blocks, t_blocks, t_blocks)
