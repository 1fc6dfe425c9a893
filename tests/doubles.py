"""Test doubles. They live in tests/ only and say what they simulate.

`FaultyTranslator` simulates the known failure of opus-mt models on
multi-sentence input: given a paragraph, it drops a sentence, merges two
sentences into one (losing the second's content, or keeping it), or repeats one. Given a
single sentence it behaves well. Its "translations" come from the hand-made
reference eval/reference/news.{nl,en} (all 1-1), looked up sentence by
sentence, so the correct English of every Dutch sentence is known.

Its answers are the reference verbatim, which makes it too easy a test of the repair:
row truth is tested with the realistic stand-in of tests/paragraph_mt.py (FLORES,
reworded answers, fourteen fault types). This double stays where exactness is the
point of the test: plumbing (executors, exports, caches, merge) whose expected output
must be computable, BLEU 100 through the evaluation's scoring path, and a repaired
row holding exactly its sentences' own translations.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from pipeline.document.formats.base import Block, Span
from pipeline.document.sentences import split_sentences
from pipeline.textio import read_blocks, read_text
from pipeline.translate.base import GenerationSettings, Translation, Translator, register_backend

REFERENCE = Path(__file__).resolve().parent.parent / "eval" / "reference"


NEWS_NL = read_blocks(read_text(REFERENCE / "news.nl"))
NEWS_EN = read_blocks(read_text(REFERENCE / "news.en"))
LEXICON = {nl: en for bn, be in zip(NEWS_NL, NEWS_EN) for nl, en in zip(bn, be)}


def news_document_text() -> str:
    """The news set as an input article: one paragraph per block."""
    return "\n\n".join(" ".join(block) for block in NEWS_NL) + "\n"


EXTRA = "Meanwhile, the weather stayed dry and mild all week."


@register_backend("test-faulty")
class FaultyTranslator(Translator):
    """mode: 'none' | 'drop' | 'merge' | 'join' | 'repeat' | 'extra' — applied to the
    second sentence of every paragraph that has at least three sentences ('join': the
    first two sentences become one, both contents kept; 'extra': an English sentence
    that translates nothing is added after it)."""

    mode = "drop"

    def __init__(self, model: str, settings: GenerationSettings, revision=None, family=None):
        super().__init__(model, settings)
        self.calls: list[str] = []  # every text sent to the "model"

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    def _translate_batch(self, texts: list[str]) -> list[str]:
        self.calls.extend(texts)
        return [self._translate_one(t) for t in texts]

    def _translate_one(self, text: str) -> str:
        english = [LEXICON[s] for s in split_sentences(text, "nl")]
        if len(english) >= 3:
            if self.mode == "drop":
                del english[1]
            elif self.mode == "merge":  # two sentences become one; the second's content is lost
                english[0:2] = [english[0].rstrip(".") + ", and so on."]
            elif self.mode == "join":  # one English sentence for two Dutch ones, nothing lost
                english[0:2] = [english[0].rstrip(".") + ", and " + english[1][0].lower() + english[1][1:]]
            elif self.mode == "repeat":
                english.insert(1, english[1])
            elif self.mode == "extra":
                english.insert(2, EXTRA)
        return " ".join(english)

    def describe(self) -> dict:
        return {"backend": "test-faulty", "model": self.model_name, "revision": None, "mode": self.mode}


class EchoTranslator(Translator):
    """Test double: "translates" a text by tagging it, counts tokens as words,
    and records every batch it is given. No model, no device."""

    backend_name = "test-echo"

    def __init__(self, settings: GenerationSettings | None = None):
        super().__init__("echo", settings or GenerationSettings())
        self.batches: list[list[str]] = []

    def _translate_batch(self, texts: list[str]) -> list[str]:
        self.batches.append(list(texts))
        return [f"EN[{t}]" for t in texts]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    def describe(self) -> dict:
        return {"backend": self.backend_name, "model": self.model_name, "generation": {}}


class MeteredEcho(EchoTranslator):
    """Test double: a backend that reports what real ones do per text: tokens
    generated (words + end token), truncated when over `bound` words, a log-probability."""

    def __init__(self, bound: int = 5):
        super().__init__(GenerationSettings(batch_size=2))
        self.bound = bound

    def _translate_batch(self, texts):
        self.batches.append(list(texts))
        return [Translation(f"EN[{t}]", min(len(t.split()), self.bound) + 1, len(t.split()) > self.bound, -0.5)
                for t in texts]


def word_for_word(block: Block, words: dict[str, str]) -> Block:
    """A stand-in for MT + markup placement (document formats' tests): each word through `words` (unknown words
    upper-cased), spans moved with their words, verbatim literals padded by their `space`."""
    out, where = [], {}
    pos = 0
    for m in re.finditer(r"\S+|\s+", block.text):
        where[m.start()] = pos
        piece = m.group() if m.group().isspace() else words.get(m.group().lower(), m.group().upper())
        out.append(piece)
        pos += len(piece)
    where[len(block.text)] = pos

    def moved(i: int) -> int:
        return where[max(k for k in where if k <= i)]

    spans = []
    for s in block.spans:
        literal = s.literal
        if s.kind in ("placeholder", "code"):
            literal = {"both": literal + " ", "after": literal + " ", "before": " " + literal}.get(
                s.attr("space"), literal
            )
        spans.append(Span(moved(s.start), moved(s.end), s.kind, s.attrs, literal))
    return Block(block.path, "".join(out), spans)
