"""Reference-free checks on a translated pair: the one module that both the
corpus (`flags` column, `nlen export --drop-flags`) and model evaluation
(fault counts per set) use.

Each check is a small object registered by name (as OpusFilter's filters are)
that says whether a `Pair` is faulty, given its `Context` (the statistics of
its document, or of the whole set when the pairs have no documents):

    empty         one side is empty (a 1-0 or 0-1 bead; an empty model output)
    truncated     the output hit its length bound (translator metadata)
    untranslated  the English copies the Dutch, whole or a clause of it
    repetition    an n-gram loop: a run of words repeated beyond a bound
    numbers       the digits differ between the two sides
    length_ratio  the length ratio is an outlier against the document's own
    not_dutch     the source paragraph is not Dutch (py3langid, model in the package)

    checker = Checker()                       # every check, in the order above
    checker.flag_pairs([Pair(src, hyp), ...])  # → a tuple of flag names per pair
    checker.count(srcs, hyps)                 # → Counter of flag names

The thresholds were set on FLORES-200 devtest nld/eng (real, professionally
translated pairs): a check must almost never fire there (README, "Quality
flags", gives the rates).
"""

from __future__ import annotations

import math
import re
import statistics
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.errors import UserError
from pipeline.names import is_headline, name_mask

if TYPE_CHECKING:
    from pipeline.types import AlignedRow


@dataclass(frozen=True)
class Pair:
    """A source text and its translation (a corpus bead, or a model output)."""

    src: str
    hyp: str
    truncated: bool = False  # the translation hit its output length bound
    paragraph: str | None = None  # the source paragraph `src` comes from (None: `src` itself)


@dataclass(frozen=True)
class Context:
    """What a check compares a pair against: its document's own statistics."""

    ratio: float = 1.0  # typical len(hyp) / len(src) in characters (smoothed), see `length_ratio`


class Check(ABC):
    """One reference-free check. `name` is the flag it writes."""

    name: str = "?"
    description: str = ""

    @abstractmethod
    def __call__(self, pair: Pair, context: Context) -> bool:
        """True when the pair is faulty."""


CHECKS: dict[str, type[Check]] = {}


def register_check(cls: type[Check]) -> type[Check]:
    """Class decorator: add a check to CHECKS under its `name`."""
    CHECKS[cls.name] = cls
    return cls


# --------------------------------------------------------------------------
# text helpers

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, punctuation dropped (so "sorry," and "sorry." match)."""
    return _WORD.findall(text.lower())


def numbers(text: str) -> set[str]:
    """The numbers in `text`, separators removed: Dutch "3,5" / "1.000" and
    English "3.5" / "1,000" give the same digits."""
    return {re.sub(r"[.,:]", "", m).lstrip("0") or "0" for m in _NUMBER.findall(text)}


def char_ratio(src: str, hyp: str) -> float:
    """len(hyp) / len(src) in characters, smoothed so short texts are not outliers by one word."""
    return (len(hyp) + RATIO_SMOOTHING) / (len(src) + RATIO_SMOOTHING)


RATIO_SMOOTHING = 20


def longest_loop(tokens: Sequence[str], max_n: int = 8) -> int:
    """The most times any run of 1..max_n tokens repeats back to back."""
    best = 1
    size = len(tokens)
    for n in range(1, max_n + 1):
        i = 0
        while i + 2 * n <= size:
            count = 1
            while i + (count + 1) * n <= size and tokens[i + count * n : i + (count + 1) * n] == tokens[i : i + n]:
                count += 1
            if count > 1:
                best = max(best, count)
                i += (count - 1) * n + 1
            else:
                i += 1
    return best


# Dutch function words, the commonest English homographs left out ("die", "met", "over", "door",
# "want"): one of them, not capitalised inside the sentence, keeps a sentence Dutch (language.py;
# a few rarer homographs, "van", "heel", "tot", keep an English sentence holding them Dutch too,
# which errs towards translating it).
DUTCH_WORDS = frozenset(
    """de het een en van zei zegt zeggen aldus volgens hij zij ze wij jij jullie u niet ook maar dat deze dit
    voor op naar bij uit heeft hebben werd worden wordt zijn haar hun ons onze mijn geen nog wel als om te tot
    aan toen dan dus omdat maar waar wat wie hoe werd waren gisteren vandaag morgen nu erg heel zeer""".split()
)
# Those an English text may hold as English words ("a van", "head over heel", "tot", "erg"):
# one of the others in a stretch copied from the Dutch makes an English output `untranslated`.
COPY_DUTCH_WORDS = DUTCH_WORDS - frozenset("van heel hoe tot erg dan wat hun nu".split())
# A clause left in Dutch: this many words or more copied in a row from the Dutch, with at least
# COPIED_DUTCH_WORDS of COPY_DUTCH_WORDS among them, outside names (pipeline/names.py: names and
# numbers are copied on purpose, Dutch function words never are). Chosen on the fit half of
# eval/faults (synthetic: FLORES text, simulated MT): 99.1% of 1,964 clauses left in Dutch are
# flagged (1 Dutch word flags more than 2 did), no fault-free sentence is; FLORES-200 references
# (1,012 real pairs): none flagged.
COPIED_RUN = 4
COPIED_DUTCH_WORDS = 1
# What py3langid takes a few Dutch words for (Afrikaans, Frisian): words copied from a Dutch
# source that it gives one of these are Dutch.
DUTCH_LOOKING = frozenset({"nl", "af", "fy"})
# Word comparisons (difflib, quadratic at worst) look at this many words of each side: a
# looping output of thousands of words costs seconds otherwise.
MAX_COMPARED_WORDS = 500


def without_names(text: str, headline: bool = False) -> str:
    """`text`'s words without those of names: "He lives in Koog aan de Zaan" is English.
    `headline`: the Dutch is one in Title Case or capitals, where case tells no name apart."""
    tokens = _WORD.findall(text)
    return " ".join(t for t, name in zip(tokens, name_mask(tokens, headline)) if not name)


def copied_dutch(src: str, hyp: str) -> bool:
    """Whether the English `hyp` copies a stretch of the Dutch `src` that is Dutch, not names:
    COPIED_RUN words or more in a row (case folded) with COPIED_DUTCH_WORDS of them Dutch words
    or COPIED_RUN lower-case words the language identifier takes for Dutch, or one word fewer
    with one Dutch word more. Words of names (pipeline/names.py) are never Dutch words here, but
    may be part of a copied run. In a headline (Title Case or capitals) case is ignored. Only the
    first MAX_COMPARED_WORDS words of each side are compared."""
    from difflib import SequenceMatcher

    headline = is_headline(_WORD.findall(src))
    tokens = _WORD.findall(hyp)[:MAX_COMPARED_WORDS]
    lower = [t.lower() for t in tokens]
    dutch_text = [not name and (headline or t.islower()) for t, name in zip(tokens, name_mask(tokens, headline))]
    matcher = SequenceMatcher(None, words(src)[:MAX_COMPARED_WORDS], lower, autojunk=False)
    for b in matcher.get_matching_blocks():
        span = range(b.b, b.b + b.size)
        dutch = sum(dutch_text[k] and len(lower[k]) > 1 and lower[k] in COPY_DUTCH_WORDS for k in span)
        if b.size >= COPIED_RUN - 1 and dutch >= COPIED_DUTCH_WORDS + 1:  # "en fietsroutes aan"
            return True
        if b.size < COPIED_RUN:
            continue
        if dutch >= COPIED_DUTCH_WORDS:
            return True
        plain = [lower[k] for k in span if dutch_text[k]]
        if len(plain) >= COPIED_RUN and _identifier().classify(" ".join(plain))[0] in DUTCH_LOOKING:
            return True  # "grot heerst totale isolatie"
    return False


# --------------------------------------------------------------------------
# language identification (not_dutch, untranslated)

MIN_LANGID_WORDS = 5  # shorter texts ("Foto: ANP", "Voeg vlees toe.") are too short to tell


@lru_cache(maxsize=1)
def _identifier():
    """py3langid's own model (shipped inside the package, 97 languages), loaded once.
    Chosen over lingua by eval/checks/langid.md: as accurate on FLORES, 30× faster."""
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise UserError(f"the not_dutch check needs py3langid: {exc} (pip install py3langid)") from exc
    return LanguageIdentifier.from_model_file(MODEL_FILE)


@lru_cache(maxsize=4096)
def language(text: str) -> str | None:
    """ISO 639-1 code of `text`'s language, or None when it is too short to tell."""
    if len(words(text)) < MIN_LANGID_WORDS:
        return None
    return _identifier().classify(text)[0]


def is_dutch(text: str) -> bool:
    """The `not_dutch` decision, negated: True unless `text` is long enough to
    tell and its most likely language is not Dutch."""
    return language(text) in (None, "nl")


# --------------------------------------------------------------------------
# the checks


@register_check
class Empty(Check):
    """One side of the pair is empty (or only whitespace)."""

    name = "empty"
    description = "one side is empty"

    def __call__(self, pair: Pair, context: Context) -> bool:
        return not pair.src.strip() or not pair.hyp.strip()


@register_check
class Truncated(Check):
    """The translation stopped at its output length bound (the pair says so)."""

    name = "truncated"
    description = "the translation hit its output length bound"

    def __call__(self, pair: Pair, context: Context) -> bool:
        return pair.truncated


@register_check
class Untranslated(Check):
    """The English is (mostly) the Dutch: the same words in the same order, text that
    the language identifier takes for Dutch, or a clause copied from the Dutch (`copied_dutch`).
    Names and numbers are in both sides of good pairs: short texts are left alone, and the
    words of names (pipeline/names.py) are left out of the comparison and the identification."""

    name = "untranslated"
    description = "the English copies the Dutch"
    min_words = 5
    max_similarity = 0.7  # of the words outside names, when there are min_words of them
    verbatim = 0.9  # of all the words, names included

    def __call__(self, pair: Pair, context: Context) -> bool:
        from difflib import SequenceMatcher

        src, hyp = words(pair.src)[:MAX_COMPARED_WORDS], words(pair.hyp)[:MAX_COMPARED_WORDS]
        if min(len(src), len(hyp)) < self.min_words:
            return False
        if SequenceMatcher(None, src, hyp, autojunk=False).ratio() >= self.verbatim:
            return True  # (nearly) the Dutch as it came, names and all
        # names are copied on purpose: the rest is compared, and identified
        headline = is_headline(_WORD.findall(pair.src))
        plain_src, plain_hyp = without_names(pair.src, headline), without_names(pair.hyp, headline)
        a, b = (text.lower().split()[:MAX_COMPARED_WORDS] for text in (plain_src, plain_hyp))
        if min(len(a), len(b)) >= self.min_words and SequenceMatcher(None, a, b, autojunk=False).ratio() >= (
            self.max_similarity
        ):
            return True
        return language(plain_hyp) == "nl" or copied_dutch(pair.src, pair.hyp)


@register_check
class Repetition(Check):
    """A run of 1–8 words repeated back to back `min_repeats` times or more in
    the English ("I'm sorry, I'm sorry, I'm sorry"), where the Dutch has no such loop."""

    name = "repetition"
    description = "an n-gram loop in the English"
    min_repeats = 3

    def __call__(self, pair: Pair, context: Context) -> bool:
        hyp = words(pair.hyp)
        if len(hyp) < self.min_repeats or longest_loop(hyp) < self.min_repeats:
            return False
        return longest_loop(words(pair.src)) < self.min_repeats


@register_check
class Numbers(Check):
    """The two sides do not hold the same numbers (after `numbers` folds the separators).
    A pair with an empty side is left to `empty`."""

    name = "numbers"
    description = "the digits differ between the two sides"

    def __call__(self, pair: Pair, context: Context) -> bool:
        if not pair.src.strip() or not pair.hyp.strip():
            return False  # that is `empty`
        return numbers(pair.src) != numbers(pair.hyp)


@register_check
class LengthRatio(Check):
    """len(en)/len(nl) in characters, against the document's own typical ratio
    (the median over its pairs): more than `bound` times off either way."""

    name = "length_ratio"
    description = "length ratio an outlier against the document's own"
    bound = 2.0

    def __call__(self, pair: Pair, context: Context) -> bool:
        if not pair.src.strip() or not pair.hyp.strip():
            return False
        return abs(math.log(char_ratio(pair.src, pair.hyp) / context.ratio)) > math.log(self.bound)


@register_check
class NotDutch(Check):
    """The Dutch paragraph (the pair's source where no paragraph is given) is not Dutch, by
    `is_dutch`."""

    name = "not_dutch"
    description = "the source paragraph is not Dutch"

    def __call__(self, pair: Pair, context: Context) -> bool:
        text = pair.paragraph if pair.paragraph is not None else pair.src
        return not is_dutch(text)


# --------------------------------------------------------------------------
# applying them

DEFAULT_CHECKS = ("empty", "truncated", "untranslated", "repetition", "numbers", "length_ratio", "not_dutch")
# The model faults that evaluation counts per set (the rest also fire on good translations now and then).
FAULT_CHECKS = ("repetition", "untranslated", "truncated", "empty")


def parse_check_names(value: str | Iterable[str]) -> tuple[str, ...]:
    """'a,b' or ['a', 'b'] → checked names; an unknown one is a UserError."""
    names = [n.strip() for n in (value.split(",") if isinstance(value, str) else value) if n.strip()]
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise UserError(f"unknown flag(s) {', '.join(unknown)} (choose from {', '.join(CHECKS)})")
    return tuple(names)


def context_of(pairs: Iterable[Pair]) -> Context:
    """The document's context: the median character ratio of its pairs with two non-empty sides."""
    ratios = [char_ratio(p.src, p.hyp) for p in pairs if p.src.strip() and p.hyp.strip()]
    return Context(ratio=statistics.median(ratios)) if ratios else Context()


class Checker:
    """Runs a set of checks (by name, default all) and returns flag names in `names` order."""

    def __init__(self, names: Iterable[str] = DEFAULT_CHECKS):
        self.names = parse_check_names(names)
        self.checks: list[Check] = [CHECKS[n]() for n in self.names]

    def flags(self, pair: Pair, context: Context = Context()) -> tuple[str, ...]:
        """The names of the checks that fire on `pair`, in `names` order."""
        return tuple(c.name for c in self.checks if c(pair, context))

    def flag_pairs(self, pairs: Sequence[Pair], context: Context | None = None) -> list[tuple[str, ...]]:
        """Flags for pairs that form one document (or set): their context is their own."""
        context = context_of(pairs) if context is None else context
        return [self.flags(p, context) for p in pairs]

    def count(self, srcs: Sequence[str], hyps: Sequence[str], truncated: Sequence[bool] | None = None) -> Counter:
        """How many pairs each check flags (model evaluation: one set = one context)."""
        truncated = truncated or [False] * len(srcs)
        pairs = [Pair(s, h, t) for s, h, t in zip(srcs, hyps, truncated, strict=True)]
        counts: Counter[str] = Counter({n: 0 for n in self.names})
        for flags in self.flag_pairs(pairs):
            counts.update(flags)
        return counts


def describe_checks() -> dict[str, str]:
    """Each registered check's name with its one-line description."""
    return {name: cls.description for name, cls in CHECKS.items()}


def flag_rows(
    rows: Sequence[AlignedRow],
    paragraphs: dict[int, str],
    truncated: Iterable[int] = (),
    checker: Checker | None = None,
) -> list[AlignedRow]:
    """One document's corpus rows with their `flags` set. `paragraphs` maps a
    paragraph index to its Dutch text (not_dutch judges the paragraph);
    `truncated` holds the positions of rows whose English was cut at the
    output bound."""
    from dataclasses import replace

    checker = checker or _default_checker()
    cut = set(truncated)
    pairs = [Pair(r.nl, r.en, i in cut, paragraphs.get(r.paragraph)) for i, r in enumerate(rows)]
    return [replace(r, flags=f) for r, f in zip(rows, checker.flag_pairs(pairs))]


@lru_cache(maxsize=1)
def _default_checker() -> Checker:
    return Checker()
