"""Evidence about a bead's English from its sentences' own translations: does it carry
each Dutch sentence's content, and nothing else? (pipeline/document/repair.py decides
with it; pipeline/document/rowscore.py scores with it.) Also the swap check, which needs
no translation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.document.checks import words
from pipeline.types import Bead

# A bead's English must carry at least this share of each Dutch sentence's content words
# (as its sentence-level translation words them), at most FOREIGN_MAX words of another
# sentence, and at most UNEXPLAINED_MAX of its content words from no sentence at all.
# Chosen on the fit half of the fault set (eval/faults/README.md).
RECALL_MIN = 0.5
FOREIGN_MAX = 1
UNEXPLAINED_MAX = 0.5
SENTENCE_UNEXPLAINED_MAX = 0.5  # an English sentence mostly about nothing its Dutch says: hallucinated
# A bead that merges Dutch sentences into fewer English ones must carry this share of each
# one's content words: a merge that loses a short sentence keeps a few of its words, which
# pass RECALL_MIN. Rebuilding a true merge loses nothing (its sentences' own translations).
MERGE_RECALL_MIN = 0.8
# This many content words in a row that none of the bead's sentences translates: a sentence
# glued on without a stop (hallucinated or another's), which the English splitter cannot cut off.
UNEXPLAINED_RUN_MAX = 3
# Two neighbouring 1-1 beads are checked as a possible swap when crossing them gains this
# many shared character 4-grams or words, or this much length fit (log ratio). Chosen on
# adjacent FLORES sentence pairs of the fit half (eval/faults/README.md).
SWAP_GRAMS = 1  # crossing gains this many shared character 4-grams (names, numbers, cognates)
SWAP_WORDS = 1
SWAP_LENGTH = 0.3
SWAP_TIE_LENGTH = 0.2  # when the 4-grams tie, a pair whose lengths fit crossed within this is checked


@dataclass(frozen=True)
class BeadEvidence:
    """How a bead's English compares with its sentences' own translations (checked paragraphs)."""

    recall: float  # the lowest share of one Dutch sentence's own content words found in the English
    foreign: int  # content words of the English found only in another sentence's translation
    unexplained: float  # share of the English's content words in no sentence's translation
    unexplained_sentence: float  # the same for the bead's least explained English sentence
    next_to_drop: bool = False  # a neighbouring bead is a dropped sentence (1-0)
    merged: bool = False  # more Dutch sentences than English ones
    unexplained_run: int = 0  # the longest run of content words that no sentence of the bead translates

    @property
    def lost_or_foreign(self) -> bool:
        """Whether the bead is likely to have lost content or taken in foreign content: next to
        a drop, or any measure past its bound (RECALL_MIN and the others)."""
        if self.next_to_drop:
            # a merge that lost a sentence often keeps a scrap of it in a neighbour, too small
            # to see (eval/faults: no threshold separates them); its own translation is at hand
            return True
        return (
            self.recall < (MERGE_RECALL_MIN if self.merged else RECALL_MIN)
            or self.unexplained_run > UNEXPLAINED_RUN_MAX
            or self.foreign > FOREIGN_MAX
            or self.unexplained > UNEXPLAINED_MAX
            or self.unexplained_sentence > SENTENCE_UNEXPLAINED_MAX
        )


_STOP = frozenset(
    """a an the of to in on at by for with from and or but nor is are was were be been being am it its
this that these those as he she they we you i me him her them us his their our your my has have had having not no do
does did done will would can could may might shall should must there here than then so such which who whom whose what
when where why how also into over after before about up out one all any some more most very just only too if while
because though although since until upon per via onto off each other both own same few many much said says""".split()
)


def content_sequence(text: str) -> list[str]:
    """The content words of `text` in order, cut to 5 letters so inflections and many
    derivations match."""
    return [w if w.isdigit() else w[:5] for w in words(text) if w not in _STOP]


def content_words(text: str) -> set[str]:
    """The set of `content_sequence`."""
    return set(content_sequence(text))


def longest_run(sequence: Sequence[str], known: set[str]) -> int:
    """The longest run of consecutive items of `sequence` that are not in `known`."""
    best = run = 0
    for item in sequence:
        run = 0 if item in known else run + 1
        best = max(best, run)
    return best


def bead_evidence(
    english: Sequence[str], own_mt: Sequence[str], other_mt: Sequence[str], next_to_drop: bool = False
) -> BeadEvidence:
    """Compare a bead's English sentences with the sentence-level translations of its own
    Dutch sentences (`own_mt`) and of the paragraph's other sentences (`other_mt`)."""
    found = content_words(" ".join(english))
    own = [content_words(t) for t in own_mt]
    # a sentence's own words: those the bead's other sentences do not also have
    unique = [c - set().union(*(o for k, o in enumerate(own) if k != i)) for i, c in enumerate(own)]
    recall = min(
        (len(u & found) / len(u) if u else len(c & found) / len(c) for u, c in zip(unique, own) if c), default=1.0
    )
    own_all = set().union(*own) if own else set()
    other = set().union(*(content_words(t) for t in other_mt)) - own_all if other_mt else set()
    rest = found - own_all
    unexplained = len(rest - other) / len(found) if found else 0.0
    per_sentence = [content_words(e) for e in english]
    worst = (
        max((len(c - own_all) / len(c) for c in per_sentence if len(c) >= 3), default=0.0)
        if len(english) > 1
        else unexplained
    )
    run = longest_run(content_sequence(" ".join(english)), own_all)
    merged = len(own_mt) > len(english)
    return BeadEvidence(
        round(recall, 6), len(rest & other), round(unexplained, 6), round(worst, 6), next_to_drop, merged, run
    )


def char_grams(text: str, n: int = 4) -> set[str]:
    """The character n-grams of the words of `text` that have n letters or more (names,
    numbers and cognates share them across Dutch and English)."""
    return {w[k : k + n] for w in words(text) if len(w) >= n for k in range(len(w) - n + 1)}


def crossed(src: Sequence[str], tgt: Sequence[str], beads: Sequence[Bead]) -> bool:
    """Two neighbouring 1-1 beads that fit better crossed: their Dutch shares more
    character 4-grams (names, numbers, cognates) or content words with the other's
    English, or the lengths fit better by SWAP_LENGTH, or nothing tells them apart (the
    4-grams tie and the lengths fit as well either way). A swap of two sentences keeps
    every bead 1-1, and the aligner (monotonic) cannot see it otherwise."""
    pairs = [(b.src[0], b.tgt[0]) for b in beads if len(b.src) == 1 and len(b.tgt) == 1]
    neighbours = [(p, q) for p, q in zip(pairs, pairs[1:]) if q == (p[0] + 1, p[1] + 1)]
    if not neighbours:
        return False
    # each sentence's anchors once (a sentence sits in up to two pairs)
    gs, gt = [char_grams(s) for s in src], [char_grams(t) for t in tgt]
    cs, ct = [content_words(s) for s in src], [content_words(t) for t in tgt]

    def crossing_gain(a: list[set[str]], b: list[set[str]], i: int, j: int) -> int:
        return len(a[i] & b[j + 1]) + len(a[i + 1] & b[j]) - len(a[i] & b[j]) - len(a[i + 1] & b[j + 1])

    def fit(a: str, b: str) -> float:
        return abs(math.log((len(b) + 20) / (len(a) + 20)))

    for (i, j), _ in neighbours:
        grams, gain = crossing_gain(gs, gt, i, j), crossing_gain(cs, ct, i, j)
        lengths = fit(src[i], tgt[j]) + fit(src[i + 1], tgt[j + 1]) - fit(src[i], tgt[j + 1]) - fit(src[i + 1], tgt[j])
        tie = grams == 0 and lengths >= -SWAP_TIE_LENGTH
        if grams >= SWAP_GRAMS or gain >= SWAP_WORDS or lengths >= SWAP_LENGTH or tie:
            return True
    return False
