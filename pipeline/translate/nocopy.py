"""Anti-copy decoding: forbid an output to copy its source's words.

opus-mt models sometimes give a Dutch sentence back as it came, even when it is
translated alone. The repair then decodes it once more with every run of
`n` tokens that would copy the source's words forbidden (n-grams of names and
numbers alone stay allowed: those are copied on purpose). The copy, spelled as the
model's tokenizers spell it, is then impossible, so the search has to take its next-best
hypothesis (a model could still spell the same words in other pieces; the repair checks
the result again and keeps the flag if it is still Dutch).

A Marian model reads its source with one SentencePiece vocabulary and writes with
another: a Dutch word copied into the output is spelled in the *target*
segmentation, which may differ from the source's. Both spellings are forbidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.names import is_headline, name_mask

# prefix of n-1 token ids → token ids that may not follow it
Banned = dict[tuple[int, ...], frozenset[int]]


def _copies_language(words: Sequence[str]) -> list[bool]:
    """For each word, whether copying it copies Dutch: a lower-case word outside a name
    (pipeline/names.py: "Vincent van Gogh", "iPhone"), not a number; in a headline in Title
    Case or capitals, every word but numbers."""
    headline = is_headline(words)  # Title Case or capitals: case tells nothing, every word counts
    out = []
    for word, name in zip(words, name_mask(words, headline)):
        core = word.lstrip("\"'“‘(«[-–")
        out.append(not name and core[:1].isalpha() and (headline or core[:1].islower()))
    return out


def _sequence(pieces: Sequence[Sequence[int]], words: Sequence[str]) -> list[tuple[int, bool]]:
    return [(t, dutch) for dutch, ids in zip(_copies_language(words), pieces) for t in ids]


def copy_ngrams(tokenizer: Any, text: str, n: int) -> Banned:
    """The n-grams of token ids that would copy `text`'s words into an output, in the
    source and in the target segmentation, leaving out those of names and numbers alone.
    Words are encoded one by one: SentencePiece segments each space-separated word apart."""
    words = text.split()
    if not words or n < 1:
        return {}
    source = tokenizer(words, add_special_tokens=False)["input_ids"]
    target = tokenizer(text_target=words, add_special_tokens=False)["input_ids"]
    banned: dict[tuple[int, ...], set[int]] = {}
    for pieces in (source, target):
        seq = _sequence(pieces, words)
        for k in range(len(seq) - n + 1):
            gram = seq[k : k + n]
            if any(dutch for _, dutch in gram):
                ids = tuple(t for t, _ in gram)
                banned.setdefault(ids[:-1], set()).add(ids[-1])
    return {prefix: frozenset(ids) for prefix, ids in sorted(banned.items())}


def as_token_sequences(tokenizer: Any, banned: Banned) -> list[list[str]]:
    """The n-grams as token strings (CTranslate2's `suppress_sequences`), in a fixed order."""
    grams = [prefix + (last,) for prefix, ids in banned.items() for last in sorted(ids)]
    return [tokenizer.convert_ids_to_tokens(list(gram)) for gram in grams]


class NoCopyLogitsProcessor:
    """For transformers' `generate` (`logits_processor=`): no hypothesis may end a forbidden
    n-gram of its own text's source. `banned`: one map per text of the batch; the search's
    hypotheses are the batch's texts each repeated num_beams times, in order."""

    def __init__(self, banned: Sequence[Banned], n: int):
        self.banned = list(banned)
        self.n = n

    def __call__(self, input_ids, scores):
        hypotheses = scores.shape[0]
        beams = max(1, hypotheses // max(1, len(self.banned)))
        keep = self.n - 1
        if input_ids.shape[1] < keep:
            return scores
        tails = input_ids[:, input_ids.shape[1] - keep :].tolist() if keep else [[]] * hypotheses
        for h, tail in enumerate(tails):
            ids = self.banned[h // beams].get(tuple(tail))
            if ids:
                scores[h, sorted(ids)] = float("-inf")
        return scores
