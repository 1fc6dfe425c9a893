"""Row truth: no Dutch sentence leaves the pipeline untranslated, and no known-bad
English is kept as a translation.

opus-mt models are trained on single sentences; given a paragraph they drop
sentences, merge several into one (sometimes losing one's content), loop,
truncate, hallucinate, swap sentences, change numbers or leave a sentence in
Dutch. After a paragraph is translated and aligned, a paragraph is *checked*
when its alignment is suspicious (a bead that is not 1-1, or one of low
confidence), its translation hit the length bound, a bead's English is much longer
than its Dutch or runs two sentences together, or fails a check that shows bad English
(untranslated, repetition, numbers).

A checked paragraph is translated sentence by sentence (a sentence that loops
alone is decoded again with `no_repeat_ngram_size`, one left in Dutch alone again
with copying its Dutch words forbidden), realigned with those translations as
`src_mt`, and every bead is compared with them:

  * a 1-0 bead (a dropped sentence) gets its sentence-level translation;
  * a bead whose English lacks the content of one of its Dutch sentences, wherever
    it sits (first, middle or last of a 2→1, 3→1, 4→1 merge), or carries content
    of another sentence or of none, gets its English rebuilt from the
    sentence-level translations of all its Dutch sentences;
  * a bead whose English is flagged untranslated, repetition or truncated, or has
    numbers that differ from the Dutch, gets the same, where the sentence-level
    translation does not have that fault.

Such rows are marked `repaired`. What could not be fixed keeps its flag, and
its score is kept under 0.5 (pipeline/document/rowscore.py). A paragraph that is not
checked costs nothing more, so a well-behaved model pays little.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.document.checks import Checker, Pair, char_ratio, words
from pipeline.document.evidence import (
    FOREIGN_MAX,
    MERGE_RECALL_MIN,
    RECALL_MIN,
    SENTENCE_UNEXPLAINED_MAX,
    SWAP_GRAMS,
    SWAP_LENGTH,
    SWAP_TIE_LENGTH,
    SWAP_WORDS,
    UNEXPLAINED_MAX,
    UNEXPLAINED_RUN_MAX,
    BeadEvidence,
    bead_evidence,
    crossed,
)
from pipeline.document.rowscore import BAD_CAP, CALIBRATION
from pipeline.translate.base import Translation, Translator
from pipeline.translate.chunking import ChunkStats, translate_segments
from pipeline.types import Bead

DEFAULT_THRESHOLD = 0.5
# A sentence-level translation that loops is decoded again forbidding any repeated n-gram of this size.
NO_REPEAT_NGRAM_SIZE = 3
# A sentence-level translation left in Dutch is decoded again forbidding any run of this many
# tokens that copies the Dutch words (pipeline/translate/nocopy.py). Not fitted: four tokens
# are about two words, too few to forbid much of an English translation (names and numbers
# are exempt), enough to forbid the copy.
NO_COPY_NGRAM_SIZE = 4
# A bead's English this many times longer (in characters, against its Dutch) than its
# document's typical 1-1 bead makes the paragraph checked. Chosen on the fit half.
LONG_RATIO = 1.6
# A bead only this much longer, whose alignment posterior is also below WEAK_POSTERIOR, is
# checked too: a sentence glued on without a stop (the English splitter cannot see it)
# lengthens its bead less, and weakens it. Chosen on the fit half.
WEAK_LONG_RATIO = 1.4
WEAK_POSTERIOR = 0.8
# Two English sentences run together with no stop between ("… a dormouse The part of …"):
# a sentence opener after a lower-case word, itself followed by a lower-case word (so not a
# title: "the paper The Guardian"). The splitter cannot cut them; the paragraph is checked.
_OPENERS = (
    "The|There|It|This|That|These|Those|He|She|They|We|In|On|At|After|When|While|However|But|According|A|An"
    "|His|Her|Their|Its|Some|Many|Most|Meanwhile|Yet|Still|So|If|As|For|With|From|By|Last|Next|What|Who"
    "|Why|How|Where|I|You|My|Our|No|Not|Now|Then"
)
RUN_ON = re.compile(rf"\b[a-z]{{2,}} (?:{_OPENERS})(?:['’][a-z]+)?(?= [a-z])")


def repair_settings() -> dict:
    """The repair's constants, for the manifest (provenance)."""
    return {
        "no_repeat_ngram_size": NO_REPEAT_NGRAM_SIZE,
        "no_copy_ngram_size": NO_COPY_NGRAM_SIZE,
        "recall_min": RECALL_MIN,
        "merge_recall_min": MERGE_RECALL_MIN,
        "unexplained_run_max": UNEXPLAINED_RUN_MAX,
        "foreign_max": FOREIGN_MAX,
        "long_ratio": LONG_RATIO,
        "weak_long_ratio": WEAK_LONG_RATIO,
        "weak_posterior": WEAK_POSTERIOR,
        "unexplained_max": UNEXPLAINED_MAX,
        "sentence_unexplained_max": SENTENCE_UNEXPLAINED_MAX,
        "swap_grams": SWAP_GRAMS,
        "swap_words": SWAP_WORDS,
        "swap_length": SWAP_LENGTH,
        "swap_tie_length": SWAP_TIE_LENGTH,
        "score_calibration": {k: list(v) for k, v in CALIBRATION.items()},
        "bad_score_cap": BAD_CAP,
    }


@dataclass
class RepairStats:
    """Counts of what the repair did, summed over paragraphs and documents with `+`."""

    suspicious_beads: int = 0  # beads of the first alignment holding a suspicious sentence
    paragraphs_realigned: int = 0
    sentences_retranslated: int = 0  # sentence-level translations asked for
    loops_redecoded: int = 0  # sentence-level translations decoded again with no_repeat_ngram_size
    copies_redecoded: int = 0  # sentence-level translations left in Dutch, decoded again with no_copy_ngram_size
    repaired: int = 0  # Dutch sentences whose English now comes from a sentence-level translation
    rebuilt_beads: int = 0  # beads with English whose English was replaced (lost content, bad English)
    unrepaired_1_0: int = 0  # 1-0 beads left (only when a sentence-level translation came back empty)

    def to_dict(self) -> dict:
        """The counts as a dict, for the manifest."""
        return dict(self.__dict__)

    def __add__(self, other: RepairStats) -> RepairStats:
        return RepairStats(**{k: v + getattr(other, k) for k, v in self.__dict__.items()})


@dataclass
class RepairedBlock:
    """One paragraph after the repair: its beads, and the sentence-level translations that
    replace or fill their English."""

    beads: list[Bead]
    fills: dict[int, str]  # source id → sentence-level translation used as (part of) its row's English
    # the same fills with the backend's metadata (truncated, logprob); a one-sentence
    # paragraph's fill may be its paragraph translation
    fill_translations: dict[int, Translation] = field(default_factory=dict)
    replaced: set[int] = field(default_factory=set)  # bead positions whose English is their fills
    evidence: dict[int, BeadEvidence] = field(default_factory=dict)  # bead position → evidence
    checked: bool = False  # compared against sentence-level translations

    def uses_fills(self, k: int) -> bool:
        """Whether bead `k`'s English is its Dutch sentences' own translations: every one of them
        has a fill, and the bead's English was replaced or it had none."""
        bead = self.beads[k]
        return bool(bead.src) and all(i in self.fills for i in bead.src) and (k in self.replaced or not bead.tgt)


# --------------------------------------------------------------------------
# content words
# --------------------------------------------------------------------------
# the repair


@lru_cache(maxsize=1)
def _bad_checker() -> Checker:
    """The checks whose faults a sentence-level translation may fix."""
    return Checker(("untranslated", "repetition", "numbers"))


def bad_english(src: str, english: str, truncated: bool = False) -> set[str]:
    """The faults of `english` as a translation of `src` that a sentence-level translation may fix."""
    if not english.strip():
        return {"empty"} if src.strip() else set()
    flags = set(_bad_checker().flags(Pair(src, english, truncated)))
    if truncated:
        flags.add("truncated")
    return flags


def _last_english_bead(beads: Sequence[Bead], n_tgt: int) -> int | None:
    return next((k for k, b in enumerate(beads) if n_tgt - 1 in b.tgt), None)


def _ratio(src: Sequence[str], tgt: Sequence[str], bead: Bead) -> float:
    return char_ratio(" ".join(src[i] for i in bead.src), " ".join(tgt[j] for j in bead.tgt))


def typical_ratio(blocks: Sequence[tuple[Sequence[str], Sequence[str], Sequence[Bead]]]) -> float:
    """The median English/Dutch length ratio of the 1-1 beads of a document's paragraphs."""
    ratios = [_ratio(src, tgt, b) for src, tgt, beads in blocks for b in beads if len(b.src) == len(b.tgt) == 1]
    return statistics.median(ratios) if ratios else 1.0


def _too_long(relative: float, posterior: float) -> bool:
    """Whether a bead's English is long enough against its Dutch (`relative`: its length
    ratio over the document's typical one) to hide a sentence the splitter glued on."""
    return relative > LONG_RATIO or (relative > WEAK_LONG_RATIO and posterior < WEAK_POSTERIOR)


def _needs_check(src, tgt, beads, threshold: float, truncated: bool, ratio: float) -> tuple[bool, int]:
    """Whether a paragraph is checked, and how many beads made it so. `ratio`: its
    document's typical length ratio."""
    from pipeline.align import suspicious  # numba: imported where the aligner runs

    flagged = set(suspicious(beads, threshold))
    n = sum(1 for b in beads if flagged.intersection(b.src))
    extra = any(b.tgt and not b.src for b in beads)  # English that no Dutch sentence asked for
    # English much longer than its Dutch: an extra sentence the splitter glued on
    extra = extra or any(b.src and b.tgt and _too_long(_ratio(src, tgt, b) / ratio, b.score) for b in beads)
    extra = extra or any(RUN_ON.search(sentence) for sentence in tgt)
    bad = sum(
        1
        for b in beads
        if b.src
        and b.tgt
        and (bad_english(" ".join(src[i] for i in b.src), " ".join(tgt[j] for j in b.tgt)) - {"empty"})
    )
    return bool(n or extra or bad or (truncated and src) or crossed(src, tgt, beads)), n


def sentence_translations(
    translator: Translator,
    keys: list[tuple[int, int]],
    src_blocks,
    chunk_stats,
    stats: list[RepairStats],
    progress=None,
) -> dict[tuple[int, int], Translation]:
    """Sentence-level translations for `keys` (block, sentence); those that loop or hit
    the bound are decoded again without repeated n-grams, those left in Dutch again without
    copying the Dutch, and kept where that is better."""
    per_key = [chunk_stats[k] for k, _ in keys] if chunk_stats else ChunkStats()
    out = dict(zip(keys, translate_segments(translator, [[src_blocks[k][i]] for k, i in keys], per_key, progress)))
    used: dict[tuple[int, int], dict] = {key: {} for key in keys}  # the settings each translation came from
    again = _Again(translator, out, used, src_blocks, chunk_stats)
    for key in again.decode({"repetition", "truncated"}, no_repeat_ngram_size=NO_REPEAT_NGRAM_SIZE):
        stats[key[0]].loops_redecoded += 1
    # a loop fixed by the first retry stays forbidden in the second
    for key in again.decode({"untranslated"}, no_copy_ngram_size=NO_COPY_NGRAM_SIZE):
        stats[key[0]].copies_redecoded += 1
    return out


@dataclass
class _Again:
    """Sentence-level translations decoded again with bans, on top of the settings that gave
    each one its current translation."""

    translator: Translator
    out: dict[tuple[int, int], Translation]
    used: dict[tuple[int, int], dict]
    src_blocks: Sequence[Sequence[str]]
    chunk_stats: Sequence[ChunkStats] | None

    def decode(self, faults: set[str], **settings) -> list[tuple[int, int]]:
        """Decode again, with `settings` added, the sentences whose translation has one of
        `faults`; keep a new translation where it is better. Returns the keys decoded again."""
        keys = [key for key, t in self.out.items() if faults & self._faults(key, t)]
        groups: dict[tuple, list[tuple[int, int]]] = {}
        for key in keys:
            groups.setdefault(tuple(sorted(self.used[key].items())), []).append(key)
        for base, group in groups.items():
            changes = {**dict(base), **settings}
            per_key = [self.chunk_stats[k] for k, _ in group] if self.chunk_stats else ChunkStats()
            variant = self.translator.with_settings(**changes)
            for key, t in zip(group, translate_segments(variant, [[self.src_blocks[k][i]] for k, i in group], per_key)):
                new, old = self._faults(key, t), self._faults(key, self.out[key])
                # better: fewer of the faults it was decoded again for, then fewer faults (an
                # `untranslated` flag is sure evidence, none on 1,012 FLORES references; a
                # `numbers` one is not, 1.68% there, and it stays on the row)
                if t.text.strip() and (len(faults & new), len(new)) < (len(faults & old), len(old)):
                    self.out[key], self.used[key] = t, changes
        return keys

    def _faults(self, key: tuple[int, int], t: Translation) -> set[str]:
        return bad_english(self.src_blocks[key[0]][key[1]], t.text, t.truncated)


def _decide(
    block: RepairedBlock, src: Sequence[str], tgt: Sequence[str], mt: Sequence[Translation], translation: Translation
) -> None:
    """Which beads of a checked paragraph get their sentence-level translations as English.
    A paragraph translation cut at its end holds the cut in its last English sentence's
    bead; one cut inside (a chunk before the last) may hold it in any bead."""
    last = _last_english_bead(block.beads, len(tgt)) if translation.truncated else None
    texts = [t.text for t in mt]
    for k, bead in enumerate(block.beads):
        if not bead.src:
            continue
        if not all(texts[i].strip() for i in bead.src):
            continue  # nothing to put in its place
        if not bead.tgt:
            block.replaced.add(k)
            continue
        nl = " ".join(src[i] for i in bead.src)
        english = " ".join(tgt[j] for j in bead.tgt)
        own = [texts[i] for i in bead.src]
        near = [block.beads[n] for n in (k - 1, k + 1) if 0 <= n < len(block.beads)]
        evidence = bead_evidence(
            [tgt[j] for j in bead.tgt],
            own,
            [t for i, t in enumerate(texts) if i not in bead.src],
            any(b.src and not b.tgt for b in near),
        )
        block.evidence[k] = evidence
        # an English sentence said twice (a repeat): the row would carry it twice
        said = [" ".join(words(tgt[j])) for j in bead.tgt]
        repeated = len(set(said)) < len(said)
        replacement = Translation.join([mt[i] for i in bead.src])
        faults = bad_english(nl, english, translation.cut_inside or k == last)
        fixed = faults - bad_english(nl, replacement.text, replacement.truncated)
        if fixed or repeated or evidence.lost_or_foreign:
            block.replaced.add(k)


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
    paragraph_translations: Sequence[Translation] | None = None,
) -> tuple[list[RepairedBlock], list[RepairStats]]:
    """Check every block's alignment and English, and repair what the translation lost or broke.

    The sentence-level translations of all blocks (which may come from several
    documents) go to the translator in one call, batched like paragraphs; an
    over-long sentence is chunked like an over-long paragraph. `chunk_stats`, one
    per block, counts the chunking. `groups` (one key per block, e.g. its document)
    says which blocks the aligner estimates over together; default: all.
    `paragraph_translations` (one per block) say which paragraph translations hit the
    length bound. Returns the blocks and each block's stats.
    """
    stats = [RepairStats() for _ in src_blocks]
    translations = list(paragraph_translations) if paragraph_translations else [Translation("")] * len(src_blocks)
    checked = _paragraphs_to_check(src_blocks, tgt_blocks, bead_blocks, threshold, translations, groups, stats)
    mts = _sentence_level(translator, checked, src_blocks, tgt_blocks, paragraph_translations, chunk_stats, stats)
    result = [RepairedBlock(list(beads), {}) for beads in bead_blocks]
    _realign(result, checked, src_blocks, tgt_blocks, mts, method, groups, stats)
    for k in checked:
        _rebuild(result[k], src_blocks[k], tgt_blocks[k], mts[k], translations[k], stats[k])
    for block, block_stats in zip(result, stats):
        block_stats.repaired += len(block.fills)
        block_stats.unrepaired_1_0 += sum(
            1 for b in block.beads if b.src and not b.tgt and not all(i in block.fills for i in b.src)
        )
    return result, stats


def _paragraphs_to_check(src_blocks, tgt_blocks, bead_blocks, threshold, translations, groups, stats) -> list[int]:
    """The blocks to check (`_needs_check`), each against its document's typical length ratio."""
    keys = list(range(len(src_blocks))) if groups is None else list(groups)
    members: dict[object, list[int]] = {}
    for k, key in enumerate(keys):
        members.setdefault(key, []).append(k)
    typical = {
        key: typical_ratio([(src_blocks[k], tgt_blocks[k], bead_blocks[k]) for k in ks]) for key, ks in members.items()
    }
    checked: list[int] = []
    for k, (src, tgt, beads) in enumerate(zip(src_blocks, tgt_blocks, bead_blocks)):
        needed, n_suspicious = _needs_check(src, tgt, beads, threshold, translations[k].truncated, typical[keys[k]])
        stats[k].suspicious_beads += n_suspicious
        if needed:
            checked.append(k)
    return checked


def _sentence_level(
    translator, checked, src_blocks, tgt_blocks, paragraph_translations, chunk_stats, stats
) -> dict[int, list[Translation]]:
    """Each checked block's sentences translated alone. A drop or repeat shifts the
    length-based alignment of its neighbours too, so the English they were paired with
    cannot stand in for their MT. A one-sentence paragraph's sentence-level translation
    is its paragraph translation (a text's translation does not depend on its
    batch-mates), so it is asked for again only when that one is bad."""
    keys = [(k, i) for k in checked if len(src_blocks[k]) > 1 for i in range(len(src_blocks[k]))]
    known = {
        (k, 0): paragraph_translations[k] if paragraph_translations else Translation(" ".join(tgt_blocks[k]))
        for k in checked
        if len(src_blocks[k]) == 1
    }
    redo = [key for key, t in known.items() if bad_english(src_blocks[key[0]][0], t.text, t.truncated)]
    done = sentence_translations(translator, keys + redo, src_blocks, chunk_stats, stats)
    for key in keys + redo:
        stats[key[0]].sentences_retranslated += 1
    done = {**known, **done}
    return {k: [done[(k, i)] for i in range(len(src_blocks[k]))] for k in checked}


def _realign(result, checked, src_blocks, tgt_blocks, mts, method, groups, stats) -> None:
    """Realign the checked blocks with their sentence-level translations as src_mt (the
    aligner estimates over the checked blocks of each group together), then split lost
    first or last sentences off merged beads."""
    from pipeline.align import align_by_group  # numba: imported where the aligner runs

    again = [k for k in checked if tgt_blocks[k]]
    realigned = align_by_group(
        [src_blocks[k] for k in again],
        [tgt_blocks[k] for k in again],
        [[t.text for t in mts[k]] for k in again],
        method=method,
        groups=[0 if groups is None else groups[k] for k in again],
    )
    for k, beads in zip(again, realigned):
        result[k].beads = split_lost_edges(beads, [t.text for t in mts[k]], tgt_blocks[k])
        stats[k].paragraphs_realigned += 1


def _rebuild(
    block: RepairedBlock, src, tgt, mt: list[Translation], translation: Translation, stats: RepairStats
) -> None:
    """Decide which beads of a checked block take their sentences' own translations, and fill them in."""
    block.checked = True
    _decide(block, src, tgt, mt, translation)
    for pos in sorted(block.replaced):
        bead = block.beads[pos]
        block.fills.update((i, mt[i].text) for i in bead.src)
        block.fill_translations.update((i, mt[i]) for i in bead.src)
        stats.rebuilt_beads += bool(bead.tgt)


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
    stay monotonic (a lost middle sentence is caught by `bead_evidence`)."""
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
