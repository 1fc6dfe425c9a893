"""A stand-in for opus-mt on paragraphs, built on real text (FLORES-200 devtest).

What it simulates. opus-mt models are trained on single sentences; given a
paragraph they are reported to drop, merge, loop, truncate, hallucinate, swap,
change numbers and leave sentences in Dutch. `ParagraphMT` translates a FLORES
Dutch sentence into a *reworded* copy of its professional English reference
(synonyms, dropped words, two words swapped: never the reference verbatim), and
a paragraph into its sentences' rewordings (worded differently again, as a real
model's paragraph and sentence outputs differ) with at most one fault, drawn
per paragraph from a seeded random pattern (`FAULTS`):

    drop_first, drop_middle, drop_last   a sentence's English is missing
    merge_keep      two sentences become one English sentence carrying both
    merge_lose      two become one that keeps the first and 3 words of the second
    merge3_lose     three become one that loses the middle one's content
    merge4_lose     four become one that loses a middle one's content
    loop_inside     a 2-word run repeated 6 times inside a sentence
    loop_end        the output loops at its end until the length bound (truncated)
    truncated       the output is cut mid-sentence at the length bound (truncated)
    untranslated    a sentence is copied in Dutch
    partial_dutch   a sentence translated up to about its middle, the rest copied in Dutch
    hallucinated    an extra sentence from another article
    swapped         two neighbouring sentences in the wrong order
    number          a number in a sentence changed

Single sentences mostly come back well, as they do from opus-mt, except that
a sentence that loops in its paragraph loops alone too in half of the cases
(until decoded with `no_repeat_ngram_size`), and a sentence left in Dutch stays
Dutch alone in a quarter of the cases (until decoded with `no_copy_ngram_size`,
which forbids the copy; the stand-in then gives its next-best answer, a rougher
wording of the reference: an assumption about the real model, see docs/reliability.md). Everything is deterministic given the
text, the seed and the settings.

Every output is made of `Piece`s that know which Dutch sentences' content they
carry, so `row_truth` can say of any corpus row whether it is right: its
English carries the whole content of each of its Dutch sentences and nothing
of any other, with no loop, no Dutch, no changed number.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from pipeline.document.sentences import split_sentences
from pipeline.translate.base import GenerationSettings, Translation, Translator

FLORES = Path(__file__).resolve().parent.parent / "eval" / "flores200"

FAULTS = ("drop_first", "drop_middle", "drop_last", "merge_keep", "merge_lose", "merge3_lose", "merge4_lose",
          "loop_inside", "loop_end", "truncated", "untranslated", "partial_dutch", "hallucinated", "swapped",
          "number")


# --------------------------------------------------------------------------
# the data: FLORES articles as paragraphs of sentences the pipeline splits alike


@dataclass(frozen=True)
class Article:
    url: str
    nl: tuple[str, ...]  # sentences, as the pipeline's splitter cuts the paragraph
    en: tuple[str, ...]  # their references, one for one


@lru_cache(maxsize=1)
def flores_articles() -> tuple[Article, ...]:
    """FLORES devtest articles (consecutive lines of one URL), each one paragraph.
    Segments whose Dutch and English split into different numbers of sentences
    have no sentence-level reference and are left out; so is a sentence that the
    splitter would not cut back out of the joined paragraph."""
    nl = (FLORES / "nld_Latn.devtest").read_text(encoding="utf-8").splitlines()
    en = (FLORES / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    urls = [line.split("\t")[0] for line in (FLORES / "metadata_devtest.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    articles: list[Article] = []
    for url, n, e in zip(urls, nl, en):
        ns, es = split_sentences(n, "nl"), split_sentences(e, "en")
        if len(ns) != len(es):
            continue
        if articles and articles[-1].url == url:
            last = articles[-1]
            articles[-1] = Article(url, last.nl + tuple(ns), last.en + tuple(es))
        else:
            articles.append(Article(url, tuple(ns), tuple(es)))
    out = []
    for a in articles:
        nl_s, en_s = list(a.nl), list(a.en)
        while nl_s and split_sentences(" ".join(nl_s), "nl") != nl_s:
            nl_s.pop(), en_s.pop()
        if nl_s:
            out.append(Article(a.url, tuple(nl_s), tuple(en_s)))
    return tuple(out)


@lru_cache(maxsize=1)
def lexicon() -> dict[str, str]:
    """Dutch sentence → English reference (the first, where a sentence repeats)."""
    out: dict[str, str] = {}
    for a in flores_articles():
        for n, e in zip(a.nl, a.en):
            out.setdefault(n, e)
    return out


def documents(articles_per_document: int = 8) -> list[list[Article]]:
    """Consecutive articles grouped into documents (the aligner estimates per document)."""
    arts = list(flores_articles())
    return [arts[k:k + articles_per_document] for k in range(0, len(arts), articles_per_document)]


def document_text(articles: Sequence[Article]) -> str:
    return "\n\n".join(" ".join(a.nl) for a in articles) + "\n"


# --------------------------------------------------------------------------
# rewording: how a model's wording differs from the reference


SYNONYMS = {
    "said": "stated", "says": "states", "about": "around", "big": "large", "large": "big", "small": "little",
    "began": "started", "started": "began", "begin": "start", "start": "begin", "people": "persons",
    "many": "numerous", "because": "since", "however": "but", "found": "discovered", "discovered": "found",
    "city": "town", "town": "city", "important": "significant", "used": "utilised", "use": "employ",
    "called": "named", "named": "called", "children": "kids", "approximately": "about", "around": "about",
    "although": "though", "also": "too", "show": "indicate", "shows": "indicates", "help": "assist",
    "buy": "purchase", "area": "region", "region": "area", "country": "nation", "died": "passed away",
    "killed": "slain", "quickly": "rapidly", "often": "frequently", "usually": "generally", "world": "globe",
    "until": "till", "before": "prior to", "after": "following", "get": "obtain", "got": "obtained",
    "made": "produced", "make": "produce", "want": "wish", "wanted": "wished", "large-scale": "extensive",
    "near": "close to", "travel": "journey", "trip": "journey", "road": "route", "house": "home",
    "later": "subsequently", "most": "the majority of", "percent": "per cent", "older": "elder",
}
DROPPABLE = {"very", "also", "just", "only", "really", "the", "that", "then", "still", "even", "quite"}
_TOKEN = re.compile(r"\S+")


def _rng(*parts: object) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()[:8], "big"))


def reword(english: str, salt: str) -> str:
    """A wording of `english` that is never the same string: synonyms, a dropped
    word, two neighbouring words swapped. Digits and the first word are kept."""
    rng = _rng("reword", salt, english)
    words = english.split()
    if len(words) < 2:
        return english + " indeed" if english else english
    out: list[str] = [words[0]]
    for w in words[1:]:
        core = w.rstrip(".,;:!?\"')")
        tail = w[len(core):]
        low = core.lower()
        if low in SYNONYMS and core == low and rng.random() < 0.6:
            out.append(SYNONYMS[low] + tail)
        elif low in DROPPABLE and core == low and not tail and rng.random() < 0.4:
            continue
        else:
            out.append(w)
    if rng.random() < 0.5 and len(out) > 4:  # swap two neighbouring plain words
        k = rng.randrange(1, len(out) - 2)
        a, b = out[k], out[k + 1]
        if a.isalpha() and b.isalpha() and a.islower() and b.islower():
            out[k], out[k + 1] = b, a
    text = " ".join(out)
    if text == english:  # never verbatim: add a word that changes no content (deleting one could)
        out.insert(len(out) - 1 if len(out) > 2 else 1, rng.choice(("then", "indeed", "also")))
        text = " ".join(out)
    return text


# --------------------------------------------------------------------------
# outputs that know their content


@dataclass(frozen=True)
class Piece:
    """A stretch of English output. `carries`: the Dutch sentences (positions in
    the input) whose whole content it holds; `partial`: those of which it holds
    a part; `bad`: a loop, Dutch, a changed number or hallucinated text."""

    text: str
    carries: frozenset[int] = frozenset()
    partial: frozenset[int] = frozenset()
    bad: bool = False


@dataclass
class Output:
    pieces: list[Piece]
    truncated: bool = False
    fault: str | None = None
    position: int | None = None  # the Dutch sentence the fault is about

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.pieces if p.text)


def _join(a: str, b: str, word: str = "and") -> str:
    """Two sentences as one: 'A, and b.' (b's first word lower-cased only when it is a
    plain word: a name or a title such as 'Dr.' keeps its case and its stop)."""
    first = b.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].isalpha() and first[1:].islower() and first.lower() in COMMON_OPENERS:
        b = first.lower() + b[len(first):]
    return f"{a.rstrip('.!?')}, {word} {b}"


def _loop(text: str, rng: random.Random, at_end: bool) -> str:
    words = text.rstrip(".").split()
    if len(words) < 4:
        words = words + ["the", "same"]
    k = len(words) - 2 if at_end else rng.randrange(1, max(2, len(words) - 3))
    run = " ".join(words[k:k + 2])
    if at_end:
        return " ".join(words) + (" " + run) * 12
    return " ".join(words[:k + 2] + [run] * 5 + words[k + 2:]) + "."


def _half_dutch(english: str, dutch: str, rng: random.Random) -> str:
    """The English up to a point between 40% and 60% of its words, then the Dutch from the
    same share of its words on: the model stopped translating and copied the rest."""
    share = 0.4 + 0.2 * rng.random()
    en, nl = english.split(), dutch.split()
    return " ".join(en[:max(1, round(share * len(en)))] + nl[max(1, round(share * len(nl))):])


_NUMBER = re.compile(r"\d+")
COMMON_OPENERS = {"the", "a", "an", "this", "that", "these", "those", "it", "he", "she", "they", "we", "there", "in",
                  "on", "at", "after", "before", "however", "but", "as", "for", "his", "her", "their", "its", "some",
                  "many", "most", "one", "when", "while", "if", "although", "since", "during", "according", "both"}


def applicable(fault: str, nl: Sequence[str], en: Sequence[str]) -> list[int]:
    """Positions where `fault` can happen in a paragraph of these sentences."""
    n = len(nl)
    need = {"drop_middle": 3, "merge3_lose": 3, "merge4_lose": 4, "swapped": 2, "merge_keep": 2, "merge_lose": 2,
            "drop_first": 2, "drop_last": 2, "hallucinated": 2, "truncated": 2}.get(fault, 1)
    if n < need:
        return []
    if fault == "drop_first":
        return [0]
    if fault == "drop_last":
        return [n - 1]
    if fault == "drop_middle":
        return list(range(1, n - 1))
    if fault in ("merge_keep", "swapped"):
        return list(range(n - 1))
    if fault == "merge_lose":  # the second keeps 3 words: it must have more than that to lose
        return [i for i in range(n - 1) if len(en[i + 1].split()) >= 6]
    if fault == "merge3_lose":
        return list(range(n - 2))
    if fault == "merge4_lose":
        return list(range(n - 3))
    if fault == "number":
        return [i for i, e in enumerate(en) if _NUMBER.search(e) and _NUMBER.findall(e) == _NUMBER.findall(nl[i])]
    if fault == "untranslated":
        return [i for i, s in enumerate(nl) if len(s.split()) >= 6]
    if fault == "partial_dutch":  # half of it in Dutch: four words or more
        return [i for i, s in enumerate(nl) if len(s.split()) >= 8]
    return list(range(n))


def hallucination(nl: Sequence[str], seed: object) -> str:
    """A sentence from another article, reworded: fluent, on another subject."""
    rng = _rng("hallucination", seed, " ".join(nl))
    others = [a for a in flores_articles() if a.nl[0] not in nl]
    article = others[rng.randrange(len(others))]
    return reword(article.en[rng.randrange(len(article.en))], f"h{seed}")


def paragraph_output(nl: Sequence[str], fault: str | None, position: int | None, seed: object) -> Output:
    """The stand-in's translation of the Dutch sentences `nl` as one paragraph, with `fault` at `position`."""
    lex = lexicon()
    refs = [lex[s] for s in nl]
    en = [reword(r, f"p{seed}") for r in refs]
    pieces = [Piece(e, frozenset({i})) for i, e in enumerate(en)]
    out = Output(pieces, fault=fault, position=position)
    rng = _rng("fault", seed, " ".join(nl))
    i = position if position is not None else 0
    if fault is None:
        return out
    if fault in ("drop_first", "drop_middle", "drop_last"):
        del pieces[i]
    elif fault == "merge_keep":
        pieces[i:i + 2] = [Piece(_join(en[i], en[i + 1]), frozenset({i, i + 1}))]
    elif fault == "merge_lose":
        fragment = " ".join(en[i + 1].split()[:3]).rstrip(".,;:") + "."
        pieces[i:i + 2] = [Piece(_join(en[i], fragment, "with"), frozenset({i}), frozenset({i + 1}))]
    elif fault == "merge3_lose":
        pieces[i:i + 3] = [Piece(_join(en[i], en[i + 2]), frozenset({i, i + 2}))]
    elif fault == "merge4_lose":
        lost = i + 1 + rng.randrange(2)
        kept = [j for j in range(i, i + 4) if j != lost]
        text = en[kept[0]]
        for j in kept[1:]:
            text = _join(text, en[j])
        pieces[i:i + 4] = [Piece(text, frozenset(kept))]
    elif fault == "loop_inside":
        pieces[i] = Piece(_loop(en[i], rng, False), frozenset({i}), bad=True)
    elif fault == "loop_end":
        last = len(pieces) - 1
        pieces[last] = Piece(_loop(en[last], rng, True), frozenset({last}), bad=True)
        out.truncated = True
        out.position = last
    elif fault == "truncated":
        words = en[i].split()
        cut = max(1, len(words) // 2)
        pieces[i:] = [Piece(" ".join(words[:cut]), frozenset(), frozenset({i}))]
        out.truncated = True
    elif fault == "untranslated":
        pieces[i] = Piece(nl[i], frozenset(), frozenset({i}), bad=True)
    elif fault == "partial_dutch":
        pieces[i] = Piece(_half_dutch(en[i], nl[i], rng), frozenset(), frozenset({i}), bad=True)
    elif fault == "hallucinated":
        pieces.insert(i + 1, Piece(hallucination(nl, seed), bad=True))
    elif fault == "swapped":
        pieces[i], pieces[i + 1] = pieces[i + 1], pieces[i]
    elif fault == "number":
        def change(m: re.Match) -> str:
            return str(int(m.group()) + 1 + rng.randrange(9))

        pieces[i] = Piece(_NUMBER.sub(change, en[i], count=1), frozenset(), frozenset({i}), bad=True)
    else:
        raise ValueError(f"unknown fault {fault!r}")
    return out


def sentence_output(nl: str, paragraph_fault: str | None, no_repeat: bool, seed: object,
                    no_copy: bool = False) -> Output:
    """The stand-in's translation of one Dutch sentence translated alone. `paragraph_fault`:
    the fault its paragraph made at this sentence (loops and Dutch may persist alone).
    `no_repeat`, `no_copy`: decoded with repeated n-grams, or n-grams of the Dutch, forbidden."""
    ref = lexicon()[nl]
    text = reword(ref, f"s{seed}")
    rng = _rng("sentence", seed, nl)
    if paragraph_fault in ("loop_inside", "loop_end") and not no_repeat and rng.random() < 0.5:
        return Output([Piece(_loop(text, rng, paragraph_fault == "loop_end"), frozenset({0}), bad=True)],
                      truncated=paragraph_fault == "loop_end")
    if paragraph_fault == "untranslated" and rng.random() < 0.25:
        if no_copy:  # the copy is forbidden: the next-best hypothesis, worded more roughly
            return Output([Piece(reword(reword(ref, f"c{seed}"), f"cc{seed}"), frozenset({0}))])
        return Output([Piece(nl, frozenset(), frozenset({0}), bad=True)])
    return Output([Piece(text, frozenset({0}))])


# --------------------------------------------------------------------------
# the backend


@dataclass
class FaultPlan:
    """Which fault each paragraph gets. `rate`: the share of paragraphs of two or more
    sentences that get one, drawn per paragraph from `seed`; `fixed` maps a paragraph's
    Dutch sentences to (fault, position) and overrides the draw."""

    seed: int = 0
    rate: float = 0.5
    faults: tuple[str, ...] = FAULTS
    fixed: dict[tuple[str, ...], tuple[str | None, int | None]] = field(default_factory=dict)

    def fault_for(self, nl: Sequence[str]) -> tuple[str | None, int | None]:
        key = tuple(nl)
        if key in self.fixed:
            return self.fixed[key]
        if len(nl) < 2:
            return None, None
        rng = _rng("plan", self.seed, " ".join(nl))
        if rng.random() >= self.rate:
            return None, None
        en = [lexicon()[s] for s in nl]
        options = [(f, p) for f in self.faults for p in applicable(f, nl, en)]
        kinds = sorted({f for f, _ in options}, key=self.faults.index)
        if not kinds:
            return None, None
        fault = kinds[rng.randrange(len(kinds))]
        positions = [p for f, p in options if f == fault]
        return fault, positions[rng.randrange(len(positions))]


class ParagraphMT(Translator):
    """The stand-in as a backend. A text of several Dutch sentences is a paragraph (faults
    as `plan` says); a text of one is a sentence (well translated, but for the persistent
    loops and Dutch above). Every output is kept in `log` with its pieces."""

    backend_name = "test-paragraph-mt"

    def __init__(self, model: str = "flores-stand-in", settings: GenerationSettings | None = None,
                 plan: FaultPlan | None = None, revision=None, family=None, honours_no_copy: bool = True):
        super().__init__(model, settings or GenerationSettings())
        self.plan = plan or FaultPlan()
        # False: a backend that ignores `no_copy_ngram_size` (an API model, say): its copies persist
        self.honours_no_copy = honours_no_copy
        self.log: dict[tuple[str, str], Output] = {}  # (input, decoding mode: see `mode`) → output
        # the fault each Dutch sentence met in its paragraph (for sentence-level persistence)
        self.met: dict[str, str] = {}

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    @property
    def mode(self) -> str:
        """How the stand-in decodes: "" plainly, or with "no_repeat" and/or "no_copy"."""
        return "+".join(m for m, on in (("no_repeat", self.settings.no_repeat_ngram_size),
                                         ("no_copy", self.honours_no_copy and self.settings.no_copy_ngram_size))
                        if on)

    def output(self, text: str) -> Output:
        no_repeat = bool(self.settings.no_repeat_ngram_size)
        key = (text, self.mode)
        if key not in self.log:
            nl = split_sentences(text, "nl")
            if len(nl) == 1:
                fault, _ = self.plan.fault_for(nl)
                if fault is None:
                    fault = self.met.get(nl[0])
                self.log[key] = sentence_output(nl[0], fault, no_repeat, self.plan.seed, "no_copy" in self.mode)
            else:
                fault, position = self.plan.fault_for(nl)
                out = paragraph_output(nl, fault, position, self.plan.seed)
                if fault in ("loop_inside", "untranslated") and position is not None:
                    self.met[nl[position]] = fault
                if fault == "loop_end":
                    self.met[nl[-1]] = fault
                self.log[key] = out
        return self.log[key]

    def _translate_batch(self, texts: list[str]) -> list[Translation]:
        return [Translation(o.text, len(o.text.split()) + 1, o.truncated) for o in map(self.output, texts)]

    def describe(self) -> dict:
        return {"backend": self.backend_name, "model": self.model_name, "revision": None,
                "generation": {"no_repeat_ngram_size": self.settings.no_repeat_ngram_size,
                               "no_copy_ngram_size": self.settings.no_copy_ngram_size},
                "plan": {"seed": self.plan.seed, "rate": self.plan.rate}}


# --------------------------------------------------------------------------
# the truth about a row


@dataclass(frozen=True)
class RowTruth:
    right: bool
    delivered: frozenset[int]  # the row's Dutch sentences (positions in the paragraph) whose content it carries
    why: str = ""


def _spans(text: str, parts: Sequence[str]) -> list[tuple[int, int]]:
    """Where each of `parts` (in order, whitespace-normalised) sits in `text`."""
    spans, at = [], 0
    for part in parts:
        k = text.find(part, at)
        if k < 0:
            raise ValueError(f"{part!r} is not in the output")
        spans.append((k, k + len(part)))
        at = k + len(part)
    return spans


def judge(row_nl: Sequence[int], english_pieces: Sequence[tuple[Piece, float]]) -> RowTruth:
    """A row with Dutch sentences `row_nl` and English made of (piece, share of the
    piece in the row) is right when it carries each of its sentences whole and
    nothing else: no bad piece, no part of another sentence, no piece split with another row."""
    carried: set[int] = set()
    why = []
    for piece, share in english_pieces:
        whole = share > 0.9
        if piece.bad:
            why.append("bad English")
        if whole:
            carried |= piece.carries
        elif piece.carries:
            why.append("a piece split between rows")
        foreign = (piece.carries | piece.partial) - set(row_nl)
        if foreign:
            why.append("content of another sentence")
        if piece.partial & set(row_nl):
            why.append("part of a sentence")
    delivered = frozenset(i for i in row_nl if i in carried)
    if set(row_nl) - carried:
        why.append("content missing")
    if not row_nl:
        why.append("no Dutch")
    if not english_pieces:
        why.append("no English")
    return RowTruth(not why, delivered, "; ".join(dict.fromkeys(why)))


def paragraph_output_of(stand_in: ParagraphMT, nl: Sequence[str]) -> Output:
    """What the stand-in gave for a paragraph: its output, or, where the pipeline sent it
    in chunks (consecutive sentences), the chunks' outputs joined, positions shifted."""
    if (" ".join(nl), "") in stand_in.log:
        return stand_in.log[(" ".join(nl), "")]
    pieces: list[Piece] = []
    truncated, start = False, 0
    while start < len(nl):
        end = next((e for e in range(len(nl), start, -1) if (" ".join(nl[start:e]), "") in stand_in.log), None)
        if end is None:
            raise KeyError(f"no output for the paragraph's sentences from {start}")
        part = stand_in.log[(" ".join(nl[start:end]), "")]
        pieces += [Piece(p.text, frozenset(i + start for i in p.carries), frozenset(i + start for i in p.partial), p.bad)
                   for p in part.pieces]
        truncated = truncated or part.truncated
        start = end
    return Output(pieces, truncated)


def row_truths(stand_in: ParagraphMT, paragraph_nl: Sequence[str], rows: Sequence, paragraph_text: str,
               first_id: int, en_offset: int) -> list[RowTruth]:
    """The truth of one paragraph's rows (`rows`: AlignedRows in order). `first_id`: the
    document id of the paragraph's first Dutch sentence; `en_offset`: the document id of
    its first English sentence. A repaired row's English is its sentences' own
    translations, one after another."""
    output = paragraph_output_of(stand_in, paragraph_nl) if len(paragraph_nl) > 1 else None
    if output is not None:
        en_sentences = split_sentences(output.text, "en") if output.text else []
        sentence_spans = _spans(output.text, en_sentences)
        piece_spans = _spans(output.text, [p.text for p in output.pieces if p.text])
        pieces = [p for p in output.pieces if p.text]
    truths = []
    for row in rows:
        local = [i - first_id for i in row.nl_ids]
        if row.repaired or output is None:
            truths.append(_judge_sentence_level(stand_in, paragraph_nl, local, row.en))
            continue
        spans = [sentence_spans[j - en_offset] for j in row.en_ids]
        shares = []
        for piece, (a, b) in zip(pieces, piece_spans):
            inside = sum(max(0, min(b, y) - max(a, x)) for x, y in spans)
            if inside:
                shares.append((piece, inside / max(1, b - a)))
        truths.append(judge(local, shares))
    return truths


def _judge_sentence_level(stand_in: ParagraphMT, paragraph_nl: Sequence[str], local: Sequence[int], english: str) -> RowTruth:
    """A row whose English is the sentence-level translations of its Dutch sentences
    (plain or decoded again without loops or copies), joined."""
    pieces: list[tuple[Piece, float]] = []
    rest = english
    for i in local:
        for mode in ("", "no_repeat", "no_copy", "no_repeat+no_copy"):
            out = stand_in.log.get((paragraph_nl[i], mode))
            if out is not None and out.text and rest.startswith(out.text):
                pieces.extend((Piece(p.text, frozenset(i for _ in p.carries), frozenset(i for _ in p.partial), p.bad), 1.0)
                              for p in out.pieces)
                rest = rest[len(out.text):].lstrip()
                break
    if rest.strip():
        return RowTruth(False, frozenset(), "English from no known output")
    return judge(local, pieces)


def paragraph_truths(stand_in: ParagraphMT, doc, result):
    """Each paragraph of a translated document (a `DocumentResult` of the core) with the indices
    of its rows in `result.rows` and their truths, in order."""
    en_offset = 0
    for paragraph, translation in zip(doc.paragraphs, result.paragraphs):
        nl = [s.text for s in paragraph.sentences]
        index = [k for k, r in enumerate(result.rows) if r.paragraph == paragraph.index]
        rows = [result.rows[k] for k in index]
        yield paragraph, index, row_truths(stand_in, nl, rows, " ".join(nl), paragraph.sentences[0].id, en_offset)
        en_offset += len(split_sentences(translation.text, "en")) if translation.text else 0
