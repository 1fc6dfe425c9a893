"""Coverage guarantee: no Dutch sentence leaves the pipeline untranslated.

opus-mt models are trained on single sentences; given a paragraph they
sometimes drop a sentence or merge several into one. After a paragraph is
translated and aligned, the sentences whose alignment is suspicious (a 1-0
bead, low confidence, or a bead with more Dutch than English sentences) are
translated on their own. The paragraph is then realigned with those sentence-level
translations as `src_mt`; a merged bead whose English lacks the content of its
first or last Dutch sentence loses that sentence; and every Dutch sentence
still aligned to nothing gets its sentence-level translation, marked as repaired.

Only the paragraphs with a suspicious bead (a 1-0, low confidence, or any
bead that is not 1-1) are re-translated sentence by sentence, so a
well-behaved model pays little for the check. The whole paragraph is needed
because a dropped or repeated sentence shifts its neighbours' alignment too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from pipeline.align import align_by_group, suspicious
from pipeline.translate.base import Translation, Translator
from pipeline.translate.chunking import ChunkStats, translate_segments
from pipeline.types import Bead

DEFAULT_THRESHOLD = 0.5


@dataclass
class RepairStats:
    suspicious_beads: int = 0  # beads of the first alignment holding a suspicious sentence
    paragraphs_realigned: int = 0
    sentences_retranslated: int = 0  # sentence-level translations asked for
    repaired: int = 0  # Dutch sentences whose English now comes from a sentence-level translation
    unrepaired_1_0: int = 0  # 1-0 beads left (only when a sentence-level translation came back empty)

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def __add__(self, other: "RepairStats") -> "RepairStats":
        return RepairStats(**{k: v + getattr(other, k) for k, v in self.__dict__.items()})


@dataclass
class RepairedBlock:
    beads: list[Bead]
    fills: dict[int, str]  # source id → sentence-level translation filling a 1-0 bead
    # the same fills with the backend's metadata (truncated, logprob); a one-sentence
    # paragraph's fill is its paragraph translation and is not in here
    fill_translations: dict[int, Translation] = field(default_factory=dict)


def _coverage(target: str, mt: list[str]) -> float:
    """How well `target` covers the content of `mt`: chrF with beta 2 puts the
    weight on recall of the MT's character n-grams, so lost content shows."""
    from sacrebleu.metrics import CHRF

    return CHRF(beta=2).sentence_score(target, [" ".join(mt)]).score


def split_lost_edges(beads: list[Bead], src_mt: Sequence[str], tgt: Sequence[str], margin: float = 10.0) -> list[Bead]:
    """Split a first or last source sentence off a bead of several source
    sentences when the target does not carry its content: the bead covers the other sentences' MT at
    least `margin` chrF points better without it. A true merge carries both
    sentences' content and stays whole. Only edges are split, so the beads
    stay monotonic."""
    out: list[Bead] = []
    for bead in beads:
        before: list[Bead] = []
        after: list[Bead] = []
        src = list(bead.src)
        while len(src) >= 2 and bead.tgt:
            target = " ".join(tgt[j] for j in bead.tgt)
            whole = _coverage(target, [src_mt[i] for i in src])
            first = _coverage(target, [src_mt[i] for i in src[1:]])
            last = _coverage(target, [src_mt[i] for i in src[:-1]])
            if max(first, last) < whole + margin:
                break
            if first >= last:
                before.append(Bead((src.pop(0),), (), bead.score))
            else:
                after.insert(0, Bead((src.pop(),), (), bead.score))
        out.extend(before + [Bead(tuple(src), bead.tgt, bead.score)] + after if (before or after) else [bead])
    return out


def repair_coverage(
    src_blocks: Sequence[Sequence[str]],
    tgt_blocks: Sequence[Sequence[str]],
    bead_blocks: Sequence[list[Bead]],
    translator: Translator,
    *,
    method: str = "default",
    threshold: float = DEFAULT_THRESHOLD,
    chunk_stats: Sequence[ChunkStats] | None = None,
    groups: Sequence[object] | None = None,
) -> tuple[list[RepairedBlock], list[RepairStats]]:
    """Check every block's alignment and repair what the translation lost.

    The sentence-level translations of all blocks (which may come from several
    documents) go to the translator in one call, batched like paragraphs; an
    over-long sentence is chunked like an over-long paragraph. `chunk_stats`, one
    per block, counts the chunking. `groups` (one key per block, e.g. its document)
    says which blocks the aligner estimates over together; default: all.
    Returns the blocks and each block's stats.
    """
    stats = [RepairStats() for _ in src_blocks]
    result = [RepairedBlock(list(beads), {}) for beads in bead_blocks]
    flagged_blocks: list[int] = []
    for k, (src, tgt, beads) in enumerate(zip(src_blocks, tgt_blocks, bead_blocks)):
        flagged = set(suspicious(beads, threshold))
        if flagged:
            stats[k].suspicious_beads += sum(1 for b in beads if flagged.intersection(b.src))
            flagged_blocks.append(k)
    # A drop or repeat shifts the length-based alignment of its neighbours too, so
    # the English they were paired with cannot stand in for their MT: a flagged
    # paragraph is translated sentence by sentence.
    # A one-sentence paragraph's sentence-level translation is its paragraph translation
    # (the same text, and a text's translation does not depend on its batch-mates), so it
    # is not asked for again.
    keys = [(k, i) for k in flagged_blocks if len(src_blocks[k]) > 1 for i in range(len(src_blocks[k]))]
    per_key = [chunk_stats[k] for k, _ in keys] if chunk_stats else ChunkStats()
    translated = translate_segments(translator, [[src_blocks[k][i]] for k, i in keys], per_key)
    sentence_tr = dict(zip(keys, translated))
    sentence_mt = {key: t.text for key, t in sentence_tr.items()}

    mts: dict[int, list[str]] = {}
    for k in flagged_blocks:
        src, tgt = src_blocks[k], tgt_blocks[k]
        if len(src) == 1:
            mts[k] = [" ".join(tgt)]
        else:
            mts[k] = [sentence_mt[(k, i)] for i in range(len(src))]
            stats[k].sentences_retranslated += len(src)
    # realign with the sentence-level translations as src_mt; the aligner estimates over
    # the flagged paragraphs of each group together
    again = [k for k in flagged_blocks if tgt_blocks[k]]
    realigned = align_by_group([src_blocks[k] for k in again], [tgt_blocks[k] for k in again],
                               [mts[k] for k in again], method=method,
                               groups=[0 if groups is None else groups[k] for k in again])
    for k, beads in zip(again, realigned):
        result[k].beads = split_lost_edges(beads, mts[k], tgt_blocks[k])
        stats[k].paragraphs_realigned += 1
    for k in flagged_blocks:
        src_mt = mts[k]
        for bead in result[k].beads:
            if not bead.tgt:
                result[k].fills.update((i, src_mt[i]) for i in bead.src if src_mt[i].strip())
                result[k].fill_translations.update((i, sentence_tr[(k, i)]) for i in bead.src
                                                   if src_mt[i].strip() and (k, i) in sentence_tr)
    for block, block_stats in zip(result, stats):
        block_stats.repaired += len(block.fills)
        block_stats.unrepaired_1_0 += sum(1 for b in block.beads if not b.tgt and not all(i in block.fills for i in b.src))
    return result, stats
