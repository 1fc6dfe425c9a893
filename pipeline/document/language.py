"""English passages in a Dutch document: which sentences to copy through untranslated.

Dutch news quotes English. Sent through the nl→en model, an English sentence comes
back paraphrased or garbled, so a sentence identified as English is copied through
instead (its row flagged `source_english`). The costly error is the other way round:
a Dutch sentence taken for English stays untranslated. So the decision leans hard
towards "Dutch":

    english_sentences(["Hij zei het volgende.", "We will never give up.", "Dat was dat."])
    # → [False, True, False]

A sentence is English when all of these hold:

  * **margin:** py3langid's log-probability for English beats that of each of
    `RIVALS` (Dutch) by at least `ENGLISH_MARGIN`. The identifier is the one the
    `not_dutch` check loads (`pipeline.document.checks`), shared and never restricted
    in place: the raw scores of all its languages are read and the rivals picked out;
  * **not too short:** it has at least `MIN_WORDS` words (numbers are not words);
  * **not only names and shared words:** at least `MIN_OWN_WORDS` of its words are
    neither names (capitalised inside the sentence, or acronyms) nor words written
    alike in Dutch and English (`SHARED_WORDS`: "is", "in", "was", "water"), and the
    shared words make up at most `MAX_SHARED_SHARE` of the words that are not names;
  * **no Dutch word of its own:** none of its words is one of `DUTCH_WORDS`, Dutch
    function words that English does not have ("de", "het", "zei", "aldus"): a Dutch
    sentence quoting English (`Hij zei: "We will never give up."`, `"Not at all," aldus
    de minister.`) has a large English margin but must be translated. A safeguard by
    design (found in review), not chosen on the mixed set.

With `CONTEXT_MARGIN` set, a sentence next to one found English (a quotation of several
sentences) would need only that margin, the other conditions still holding; the fit half
found no use for it, so it is off.

The constants were chosen on the fit half of a mixed set built from real text (FLORES-200
devtest Dutch documents with FLORES English sentences inserted, Tatoeba's short sentences
as hard cases); the test half measures them: `eval/mixed/report.md`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.document.checks import DUTCH_WORDS, _identifier

__all__ = [
    "CONTEXT_MARGIN",
    "DUTCH_WORDS",
    "ENGLISH_MARGIN",
    "MAX_SHARED_SHARE",
    "MIN_OWN_WORDS",
    "MIN_WORDS",
    "RIVALS",
    "SHARED_WORDS",
    "Evidence",
    "Rule",
    "decide",
    "english_margin",
    "english_sentences",
    "evidence",
]

# All chosen on the fit half of eval/mixed (eval/mixed/evaluate.py; report.md, "How the rule was
# chosen"): the rule that passes no Dutch sentence there and finds the most English.
# log P(English) − log P(Dutch), py3langid's raw naive-Bayes scores (natural log)
ENGLISH_MARGIN = 8.0
# a neighbour of a sentence found English would need only this margin; None: no context (on the fit
# half, context found no English sentence that the margin missed)
CONTEXT_MARGIN: float | None = None
# the languages English must beat by the margin. Adding Afrikaans, Frisian, German, Luxembourgish
# (what py3langid takes short Dutch for) or all its languages lost short English on the fit half and removed no
# Dutch error that the margin did not already remove.
RIVALS: tuple[str, ...] = ("nl",)
MIN_WORDS = 3  # words (letters only); shorter sentences stay Dutch
MIN_OWN_WORDS = 1  # words that are neither names nor SHARED_WORDS
MAX_SHARED_SHARE = 0.5  # SHARED_WORDS as a share of the words that are not names
# Written alike in Dutch and English, names included: the words (two letters or more) seen at least
# 3 times on both the Dutch and the English side of the fit half (FLORES articles, Tatoeba quarter),
# the rarer side at least 5% as often as the other (eval/mixed/evaluate.py `shared_words`).
SHARED_WORDS = frozenset(
    """is in tom was me we of had sami mary boston over water man door open met bed die kind men school
    winter team best bus china hand japan yanni race taiwan drink even hard let park student
    sundarbans want week word been contact god goma india internet john km later layla luna maria
    moment national new plan president radio routes tennis york bank begin computer cruises dollars
    help huhne land last lunch manager mary's mm museum name rest runs set show software sorry
    spaghetti ten weekend""".split()
)

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@dataclass(frozen=True)
class Evidence:
    """What the decision reads of one sentence."""

    margin: float  # log P(en) − max log P(rival)
    words: int  # word tokens (letters only: numbers are not words)
    names: int  # capitalised inside the sentence, or acronyms
    shared: int  # other words in SHARED_WORDS
    dutch: int = 0  # words in DUTCH_WORDS (not names)

    @property
    def own_words(self) -> int:
        """Words that are neither names nor shared words."""
        return self.words - self.names - self.shared

    @property
    def shared_share(self) -> float:
        """Shared words as a share of the words that are not names (1.0 when there are none)."""
        plain = self.words - self.names
        return self.shared / plain if plain else 1.0


@dataclass(frozen=True)
class Rule:
    """The thresholds of the decision; the default is the module's constants."""

    margin: float = ENGLISH_MARGIN
    context_margin: float | None = CONTEXT_MARGIN
    min_words: int = MIN_WORDS
    min_own_words: int = MIN_OWN_WORDS
    max_shared_share: float = MAX_SHARED_SHARE


def english_margin(sentence: str, rivals: Sequence[str] = RIVALS) -> float:
    """log P(English) − the highest log P of `rivals`, from py3langid's raw scores
    (positive: English is more likely). Grows with the sentence's length."""
    scores = dict(_identifier().rank(sentence))
    return float(scores["en"] - max(scores[r] for r in rivals))


def _word_counts(sentence: str) -> tuple[int, int, int, int]:
    """(words, names, shared words, Dutch words) of `sentence`."""
    words = names = shared = dutch = 0
    for position, token in enumerate(sentence.split()):
        for word in _WORD.findall(token):
            words += 1
            if _is_name(word, position):
                names += 1
            elif word.lower() in SHARED_WORDS:
                shared += 1
            elif word.lower() in DUTCH_WORDS:
                dutch += 1
    return words, names, shared, dutch


def _is_name(word: str, position: int) -> bool:
    """A capitalised word inside the sentence (not its first), or an acronym; English "I" is not one."""
    if word == "I":
        return False
    if len(word) > 1 and word.isupper():
        return True
    return position > 0 and word[0].isupper()


@lru_cache(maxsize=8192)
def evidence(sentence: str) -> Evidence:
    """The margin and word counts of `sentence`."""
    words, names, shared, dutch = _word_counts(sentence)
    margin = english_margin(sentence) if words else float("-inf")
    return Evidence(margin, words, names, shared, dutch)


def decide(evidences: Sequence[Evidence], rule: Rule | None = None) -> list[bool]:
    """The decision on sentences' evidence, in document order (the context rule reads neighbours)."""
    rule = rule or Rule()
    eligible = [
        e.words >= rule.min_words
        and e.own_words >= rule.min_own_words
        and e.shared_share <= rule.max_shared_share
        and not e.dutch
        for e in evidences
    ]
    english = [ok and e.margin >= rule.margin for ok, e in zip(eligible, evidences)]
    if rule.context_margin is None:
        return english
    sure = list(english)
    for i, e in enumerate(evidences):
        if english[i] or not eligible[i] or e.margin < rule.context_margin:
            continue
        english[i] = (i > 0 and sure[i - 1]) or (i + 1 < len(sure) and sure[i + 1])
    return english


def english_sentences(sentences: Sequence[str]) -> list[bool]:
    """Which of a Dutch document's sentences (in order) are English and are to be copied
    through untranslated. Deterministic; short sentences, sentences of names and numbers
    and sentences mostly of words shared by both languages are never English here."""
    return decide([evidence(s) for s in sentences])
