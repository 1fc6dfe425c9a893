"""Inline markup put back on the English words it belongs to (issue #21, item 2).

A Dutch `Block` (pipeline/document/formats/base.py) carries its markup as spans: WRAPPING
spans (em, strong, link, format) over character ranges of its text, and VERBATIM spans
(code, placeholder) taken out of the text, zero-width, holding their `literal`. After MT,
`place_markup` puts every span on the English text:

    english_block = place_markup(dutch_block, english_text, lexicon=learn_lexicon(rows))

Word alignment, per block. Each Dutch word is scored against each English word by

* identity: the same word, case- and accent-insensitive (a number with its separators
  removed: 1.000 = 1,000), strongest for numbers and names, weak for a short lower-case
  word (Dutch `of` is English `or`); a cognate sharing a long prefix scores below it;
* the lexicon, where one is given: translation probabilities of Dutch → English words
  (`learn_lexicon` learns one from sentence pairs with the aligner's IBM Model 1,
  pipeline/align/lexicon.py, both directions);

and linked one to one, best score first (competitive linking); relative position in the
sentence only breaks ties. A link is *sure* when its score clears `SURE` and no free word
on either side scores nearly as well for it (one Dutch `de` facing three `the`s is not).

A WRAPPING span goes on the smallest contiguous range of English words holding every sure
counterpart of its Dutch words; a VERBATIM span goes right after the English counterpart
of the Dutch word before it, or else right before the counterpart of the word after it,
its literal padded with the spaces it needs there. Where that is not sure (no sure word,
or a range that would cross another span), the span takes the smallest sure place (a
wrapping span with no sure word keeps its relative place and length, so a link never
vanishes; one that would cross another is cut back; a verbatim span goes to the nearest
sure place) and the English block is flagged "markup". Every VERBATIM span comes back exactly
once, whatever the MT did.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.document.formats.base import VERBATIM, Block, Span

MARKUP_FLAG = "markup"

# Evidence of a link, in [0, 1] (chosen on the fit half of eval/markup's set; see its report).
NUMBER = 1.0  # the same number on both sides
NAME = 1.0  # the same capitalised word on both sides
SAME_LONG = 0.9  # the same lower-case word of LONG_WORD letters or more
OTHER_CASE = 0.7  # the same word capitalised on one side only
SAME_SHORT = 0.35  # the same short word: often a false friend (of/or, die/that, want/because)
COGNATE = 0.7  # a shared prefix of COGNATE_PREFIX letters or more (and most of the shorter word)
LONG_WORD = 5
COGNATE_PREFIX = 5
SURE = 0.2  # a link is sure from this score on ...
MARGIN = 0.1  # ... when no free word scores within this much of it
ADJACENT = 0.3  # a sure link extends to a neighbouring free English word scoring this much
POSITION = 1e-3  # weight of the relative-position tie-breaker
MAX_PAIRS = 40_000  # a block with more word pairs than this ...
BAND = 0.15  # ... scores only pairs this close in relative position
GAP_FILL = 1  # fill gaps of up to this many words between sure links, word for word
GAP_EDGES = True  # the sentence's edges count as sure neighbours

_WORD = re.compile(r"\w+(?:['’\-.,:/]\w+)*")
_NUMBER = re.compile(r"\d+(?:[.,:\u00a0\u202f']\d+)*")
_NOT_DIGIT = re.compile(r"\D")
LexiconLike = Callable[[str, str], float] | Mapping


@dataclass(frozen=True)
class Word:
    """A word of a text: characters [start, end), and `key`, its case- and accent-free form."""

    start: int
    end: int
    text: str
    key: str
    digits: str | None = None  # a number's digits (separators removed), None for a word


def fold(text: str) -> str:
    """Lower case without accents."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def words(text: str) -> list[Word]:
    """The words of `text` in order (letters and digits, with inner hyphens, apostrophes and
    number separators)."""
    out = []
    for m in _WORD.finditer(text):
        w = m.group()
        out.append(Word(m.start(), m.end(), w, fold(w), _NOT_DIGIT.sub("", w) if _NUMBER.fullmatch(w) else None))
    return out


# --------------------------------------------------------------------------------------
# the lexicon


@dataclass
class Lexicon:
    """Translation probabilities learned from sentence pairs (`learn_lexicon`): p(en | nl)
    in `forward` and p(nl | en) in `backward`, both over the aligner's units (a word folded
    and cut to its first letters, pipeline/align/units.py). Called with a Dutch and an
    English word it gives the geometric mean of the two directions."""

    forward: dict[str, dict[str, float]] = field(default_factory=dict)
    backward: dict[str, dict[str, float]] = field(default_factory=dict)
    unit: Callable[[str], list[str]] = field(default=lambda w: [fold(w)], repr=False)  # word → units

    def __call__(self, nl: str, en: str) -> float:
        """The geometric mean of p(en | nl) and p(nl | en), 0 for words not seen together."""
        u, v = self.unit(nl), self.unit(en)
        if not u or not v:
            return 0.0
        pf = self.forward.get(u[0], {}).get(v[0], 0.0)
        pb = self.backward.get(v[0], {}).get(u[0], 0.0)
        return math.sqrt(pf * pb)


def learn_lexicon(pairs: Sequence[tuple[str, str]]) -> Lexicon:
    """A Dutch ↔ English lexicon learned from (Dutch, English) sentence pairs (a document's
    rows) with the aligner's IBM Model 1 (pipeline/align/lexicon.py), in both directions."""
    from pipeline.align.lexicon import train_model1
    from pipeline.align.units import Vocabulary, unit_strings

    if not pairs:
        return Lexicon(unit=unit_strings)
    vocab = Vocabulary()
    nl = vocab.encode([p[0] for p in pairs])
    en = vocab.encode([p[1] for p in pairs])
    names = {i: u for u, i in vocab.ids.items()}

    def as_dict(table) -> dict[str, dict[str, float]]:
        """A sparse Model 1 table as unit → {unit: probability}."""
        out: dict[str, dict[str, float]] = {}
        for row in range(len(table.ptr) - 1):
            a, b = table.ptr[row], table.ptr[row + 1]
            if b > a:
                out[names[row]] = {names[int(c)]: float(p) for c, p in zip(table.cols[a:b], table.prob[a:b])}
        return out

    forward = as_dict(train_model1(nl, en, len(vocab)))
    backward = as_dict(train_model1(en, nl, len(vocab)))
    return Lexicon(forward, backward, unit_strings)


def lexicon_function(lexicon: LexiconLike | None) -> Callable[[str, str], float] | None:
    """`lexicon` as a function (Dutch word, English word) → probability: a callable as it is;
    a mapping of Dutch word → {English word: p}, or of (Dutch, English) → p, looked up by
    the words as written and lower-cased."""
    if lexicon is None or callable(lexicon):
        return lexicon
    table = lexicon

    def lookup(nl: str, en: str) -> float:
        """The mapping's probability of (nl, en), 0 where it has none."""
        for a, b in ((nl, en), (nl.lower(), en.lower())):
            row = table.get(a)
            if isinstance(row, Mapping) and b in row:
                return float(row[b])
            if (a, b) in table:
                return float(table[(a, b)])
        return 0.0

    return lookup


# --------------------------------------------------------------------------------------
# word alignment


def identity(nl: Word, en: Word) -> float:
    """Evidence that two words are the same word: a number, a name, a word, a cognate."""
    if nl.digits is not None or en.digits is not None:
        return NUMBER if nl.digits == en.digits else 0.0
    if nl.key == en.key:
        if nl.text[:1].isupper() != en.text[:1].isupper():
            return OTHER_CASE  # Treasure / treasure: a name and a word
        if nl.text[:1].isupper():
            return NAME
        return SAME_LONG if len(nl.key) >= LONG_WORD else SAME_SHORT
    prefix = 0
    for a, b in zip(nl.key, en.key):
        if a != b:
            break
        prefix += 1
    if prefix >= COGNATE_PREFIX and prefix >= 0.6 * min(len(nl.key), len(en.key)):
        return COGNATE
    return 0.0


def scores(nl: Sequence[Word], en: Sequence[Word], lex: Callable[[str, str], float] | None) -> list[list[float]]:
    """Link evidence of every (Dutch word, English word): the best of identity and lexicon.
    In a block of more than MAX_PAIRS word pairs only pairs within BAND of each other's
    relative position are scored (the rest score 0), so a long block costs linear time."""
    n, m = len(nl), len(en)
    band = BAND if n * m > MAX_PAIRS else 1.0
    out = []
    for i, a in enumerate(nl):
        row = [0.0] * m
        lo, hi = max(0, int((i / n - band) * m)), min(m, int((i / n + band) * m) + 1)
        for j in range(lo, hi):
            b = en[j]
            s = identity(a, b)
            if lex is not None and s < 1.0:
                s = max(s, min(1.0, float(lex(a.text, b.text))))
            row[j] = s
        out.append(row)
    return out


@dataclass
class Alignment:
    """Sure links of a block: Dutch word index → its English word indices (sorted)."""

    links: dict[int, list[int]]

    def counterpart(self, i: int) -> list[int]:
        """The English words surely aligned to Dutch word `i` (none when not sure)."""
        return self.links.get(i, [])


def align_words(nl: Sequence[Word], en: Sequence[Word], lex: Callable[[str, str], float] | None) -> Alignment:
    """Competitive linking of the words (best score first, position breaking ties), keeping
    the links that are sure (score >= SURE, no free rival within MARGIN), each extended to
    neighbouring English words scoring ADJACENT or more for the same Dutch word (and more
    than for the word they are linked to, if any); then
    the gaps between sure links filled where their shape leaves no doubt (`fill_gaps`)."""
    s = scores(nl, en, lex)
    n, m = len(nl), len(en)

    def distance(i: int, j: int) -> float:
        """How far apart two words are in relative position (the tie-breaker)."""
        return abs((i + 0.5) / max(n, 1) - (j + 0.5) / max(m, 1))

    cands = sorted((-(s[i][j] - POSITION * distance(i, j)), i, j) for i in range(n) for j in range(m) if s[i][j] > 0)
    nl_of: dict[int, int] = {}
    en_of: dict[int, int] = {}
    for _, i, j in cands:
        if i not in en_of and j not in nl_of:
            en_of[i], nl_of[j] = j, i

    def held_en(k: int) -> float:
        """The score of English word k's own link (-1 when it has none)."""
        return s[nl_of[k]][k] if k in nl_of else -1.0

    def held_nl(k: int) -> float:
        """The score of Dutch word k's own link (-1 when it has none)."""
        return s[k][en_of[k]] if k in en_of else -1.0

    links: dict[int, list[int]] = {}
    for i, j in sorted(en_of.items()):
        best = s[i][j]
        if best < SURE:
            continue
        # a rival: another word scoring nearly as well, not held by a stronger link of its own
        # (j's neighbours are no rivals: they may be the rest of its counterpart, "police helicopter")
        rival_en = any(s[i][k] >= best - MARGIN and held_en(k) < s[i][k] for k in range(m) if abs(k - j) > 1)
        rival_nl = any(s[k][j] >= best - MARGIN and held_nl(k) < s[k][j] for k in range(n) if k != i)
        if not (rival_en or rival_nl):
            links[i] = [j]
    taken = {js[0] for js in links.values()}
    for i, js in links.items():
        for step in (-1, 1):
            k = js[0] + step if step < 0 else js[-1] + step
            while 0 <= k < m and k not in taken and s[i][k] >= ADJACENT and held_en(k) < s[i][k]:
                js.insert(0, k) if step < 0 else js.append(k)
                taken.add(k)
                k += step
    fill_gaps(links, n, m)
    return Alignment(links)


def fill_gaps(links: dict[int, list[int]], n: int, m: int) -> None:
    """Link the Dutch words of a run without sure links to the English words between the
    counterparts of the run's sure neighbours (or the sentence's edges), where the two
    neighbours keep their order, the English between them is free, and the run and the gap
    are as long: word for word."""
    taken = {j for js in links.values() for j in js}
    bounds = [(-1, -1)] + [(i, links[i][0]) for i in sorted(links)] + [(n, m)]
    ends = {-1: -1, n: m} | {i: js[-1] for i, js in links.items()}
    for (i0, _), (i1, j1) in zip(bounds, bounds[1:]):
        run, j0 = list(range(i0 + 1, i1)), ends[i0]
        gap = list(range(j0 + 1, j1))
        if not run or not gap or j0 >= j1 or any(j in taken for j in gap):
            continue
        if len(run) == len(gap) <= GAP_FILL and (GAP_EDGES or (i0 >= 0 and i1 < n)):
            links.update({i: [j] for i, j in zip(run, gap)})


# --------------------------------------------------------------------------------------
# wrapping spans


def _covered(span: Span, nl: Sequence[Word]) -> list[int]:
    """The Dutch words a span covers: those whose middle lies inside it."""
    return [i for i, w in enumerate(nl) if span.start <= (w.start + w.end) / 2 < span.end]


def _parents(spans: Sequence[Span]) -> list[int | None]:
    """For each span (sorted by (start, -end)), the index of the innermost earlier span
    containing it (a wrapping span), or None."""
    out: list[int | None] = []
    stack: list[int] = []
    for k, sp in enumerate(spans):
        while stack and not (spans[stack[-1]].start <= sp.start and sp.end <= spans[stack[-1]].end):
            stack.pop()
        out.append(stack[-1] if stack else None)
        if sp.kind not in VERBATIM:
            stack.append(k)
    return out


def _desired(span: Span, nl: Sequence[Word], al: Alignment) -> tuple[int, int] | None:
    """The smallest English word range [a, b] holding the sure counterparts of the span's
    Dutch words, or None when none of them is sure."""
    targets = [j for i in _covered(span, nl) for j in al.counterpart(i)]
    return (min(targets), max(targets)) if targets else None


Segments = Sequence[tuple[tuple[int, int], tuple[int, int]]]  # (Dutch, English) character ranges of rows


def _by_position(
    span: Span, nl: Sequence[Word], en: Sequence[Word], segments: Segments | None = None
) -> tuple[int, int] | None:
    """The English word range at the same relative place and length as the span's Dutch
    words (within the row holding them, where `segments` give the rows), or None when either
    side has no words."""
    covered = _covered(span, nl)
    if not covered or not en:
        return None
    nl_ids, en_ids = list(range(len(nl))), list(range(len(en)))
    start = nl[covered[0]].start
    for (na, nb), (ea, eb) in segments or ():
        if na <= start < nb:
            nl_ids = [i for i in nl_ids if na <= nl[i].start < nb]
            en_ids = [j for j in en_ids if ea <= en[j].start < eb] or en_ids
            break
    covered = [i for i in covered if i in nl_ids] or covered[:1]
    n, m, first = len(nl_ids), len(en_ids), nl_ids[0]
    a = min(m - 1, max(0, covered[0] - first) * m // n)
    b = max(a, min(m - 1, (covered[-1] - first + 1) * m // n - 1))
    return en_ids[a], en_ids[b]


def _fit(
    want: tuple[int, int], parent: tuple[int, int] | None, others: Sequence[tuple[int, int]]
) -> tuple[tuple[int, int] | None, bool]:
    """`want` made to nest: clipped to its parent's range and cut off where it would cross
    or share words with a range placed before it (not an ancestor). Returns (range or None,
    whether it had to change)."""
    a, b = want
    if parent is not None:
        a, b = max(a, parent[0]), min(b, parent[1])
    for x, y in others:
        if b < x or y < a:
            continue
        if x <= a and b <= y:
            return (a, b), True  # wholly on a sibling's words: nested inside it, never dropped
        if a < x and y < b:
            continue  # contains the sibling: properly nested
        a, b = (y + 1, b) if x <= a else (a, x - 1)
    if a > b:
        return None, True
    return (a, b), (a, b) != want


def _chain(k: int | None, parents: Sequence[int | None]) -> list[int]:
    """Span `k` and its ancestors, innermost first."""
    out = []
    while k is not None:
        out.append(k)
        k = parents[k]
    return out


def place_wrapping(
    spans: Sequence[Span], nl: Sequence[Word], en: Sequence[Word], al: Alignment, segments: Segments | None = None
) -> tuple[dict[int, tuple[int, int] | None], bool]:
    """English character ranges of the WRAPPING spans among `spans` (sorted by (start, -end)):
    span index → (start, end) or None (dropped), and whether any place was not sure."""
    parents = _parents(spans)
    placed: dict[int, tuple[int, int] | None] = {}
    ancestors: dict[int, set[int]] = {}
    unsure = False
    for k, sp in enumerate(spans):
        if sp.kind in VERBATIM:
            continue
        p = parents[k]
        ancestors[k] = set(_chain(p, parents))
        want = _desired(sp, nl, al)
        if want is None:  # no sure word: kept at its place by position (a link must not vanish)
            want, unsure = _by_position(sp, nl, en, segments), True
            if want is None:
                placed[k] = None
                continue
        parent_range = next((placed[q] for q in _chain(p, parents) if placed.get(q) is not None), None)
        others = [r for q, r in placed.items() if r is not None and q not in ancestors[k]]
        got, changed = _fit(want, parent_range, others)
        placed[k], unsure = got, unsure or changed
    ranges = {k: (en[r[0]].start, en[r[1]].end) if r is not None else None for k, r in placed.items()}
    return ranges, unsure


# --------------------------------------------------------------------------------------
# verbatim spans


def spacing(span: Span, text: str) -> str:
    """Whether the verbatim span stood apart from the words around it: its attr `space`
    (before/after/both/none, as take_out_placeholders records it), or, without one, read
    from the Dutch text around its place."""
    given = span.attr("space")
    if given:
        return given
    p = span.start
    left = text[p - 1] if 0 < p <= len(text) else ""
    right = text[p] if p < len(text) else ""
    if not left:
        return "after" if right else "none"
    if not right:
        return "before"
    if left == " " or right == " ":
        return "both"
    return "before" if left.isalnum() and not right.isalnum() else "none"


def _anchor(p: int, nl: Sequence[Word], al: Alignment, en: Sequence[Word]) -> tuple[int, str, bool]:
    """Where a verbatim span at Dutch offset `p` goes: (English offset, 'after' or 'before'
    a word, whether sure). After the counterpart of the Dutch word before it, else before
    the counterpart of the word after it; else the nearest sure place; else by position."""
    prev = [i for i, w in enumerate(nl) if w.end <= p]
    after = [i for i, w in enumerate(nl) if w.start >= p]
    if prev and al.counterpart(prev[-1]):
        return en[al.counterpart(prev[-1])[-1]].end, "after", True
    if after and al.counterpart(after[0]):
        return en[al.counterpart(after[0])[0]].start, "before", True
    if en and nl and not prev:  # first in its text, its neighbour unaligned: first in the English
        return en[0].start, "before", True
    if en and nl and not after:  # last in its text: last in the English
        return en[-1].end, "after", True
    left, right = list(reversed(prev)), after
    for step in range(max(len(left), len(right))):
        if step < len(left) and al.counterpart(left[step]):
            return en[al.counterpart(left[step])[-1]].end, "after", step == 0
        if step < len(right) and al.counterpart(right[step]):
            return en[al.counterpart(right[step])[0]].start, "before", step == 0
    if not en:
        return 0, "before", False
    k = round(len(prev) / max(len(nl), 1) * len(en))
    return (en[k].start, "before", False) if k < len(en) else (en[-1].end, "after", False)


def pad(literal: str, space: str, side: str, english: str, at: int) -> str:
    """`literal` with the spaces it needs at offset `at` of the English, placed after or
    before a word: a space towards the word when it stood apart from its words in Dutch."""
    if side == "after":
        lead = " " if space in ("both", "before") and at > 0 else ""
        return lead + literal
    gap = at < len(english) and english[at : at + 1].strip() != ""
    trail = " " if space != "none" and gap else ""
    return literal + trail


def place_verbatim(
    span: Span, source: Block, nl: Sequence[Word], en: Sequence[Word], al: Alignment, english: str
) -> tuple[Span, bool]:
    """The English span of a verbatim span (zero-width, padded literal) and whether its
    place is sure."""
    at, side, sure = _anchor(span.start, nl, al, en)
    literal = pad(span.literal.strip() or span.literal, spacing(span, source.text), side, english, at)
    return Span(at, at, span.kind, span.attrs, literal), sure


# --------------------------------------------------------------------------------------
# the block


def place_markup(
    source: Block, english: str, lexicon: LexiconLike | None = None, segments: Segments | None = None
) -> Block:
    """The English block of `source`: text `english` unchanged, one span per source span
    (same kind, attrs and literal, a verbatim literal padded with its spaces) on the English
    words aligned to the span's Dutch words; flagged "markup" where a place was not sure.
    A wrapping span with no sure word keeps its relative place (flagged), within its row
    where `segments` give the rows' (Dutch, English) character ranges; a verbatim span
    always comes back, once. Deterministic."""
    spans = sorted(source.spans, key=lambda s: (s.start, -s.end))
    nl, en = words(source.text), words(english)
    al = align_words(nl, en, lexicon_function(lexicon))
    ranges, unsure = place_wrapping(spans, nl, en, al, segments)
    out: list[Span] = []
    for k, sp in enumerate(spans):
        if sp.kind in VERBATIM:
            placed, sure = place_verbatim(sp, source, nl, en, al, english)
            out.append(placed)
            unsure = unsure or not sure
        elif (placed_range := ranges.get(k)) is not None:
            a, b = placed_range
            out.append(Span(a, b, sp.kind, sp.attrs, sp.literal))
    order = {id(s): k for k, s in enumerate(out)}
    out.sort(key=lambda s: (s.start, -s.end, order[id(s)]))
    return Block(source.path, english, out, (MARKUP_FLAG,) if unsure else ())


def render_plain(block: Block) -> str:
    """The block's text with its verbatim literals put back in (for the TSV and plain text)."""
    parts, pos = [], 0
    verbatim = sorted(((s.start, k, s) for k, s in enumerate(block.spans) if s.kind in VERBATIM), key=lambda t: t[:2])
    for at, _, sp in verbatim:
        at = min(max(at, pos), len(block.text))
        parts.append(block.text[pos:at])
        parts.append(sp.literal)
        pos = at
    parts.append(block.text[pos:])
    return "".join(parts)


def check_placeholders(source: Block, english: Block) -> bool:
    """Whether every verbatim piece of `source` is in `english` exactly once: the same
    verbatim spans (kind and literal, spaces aside), each within the English text, and each
    placeholder as often in the rendered English as in the rendered Dutch."""

    def pieces(block: Block) -> list[tuple[str, str]]:
        """The block's verbatim pieces as sorted (kind, literal without its padding)."""
        return sorted((s.kind, s.literal.strip()) for s in block.spans if s.kind in VERBATIM)

    if pieces(source) != pieces(english):
        return False
    if any(not (0 <= s.start == s.end <= len(english.text)) for s in english.spans if s.kind in VERBATIM):
        return False
    nl_text, en_text = render_plain(source), render_plain(english)
    literals = {s.literal.strip() for s in source.spans if s.kind == "placeholder"}
    return all(nl_text.count(lit) == en_text.count(lit) for lit in literals)
