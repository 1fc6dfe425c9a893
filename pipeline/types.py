"""Typed records passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Sentence:
    """One sentence; `id` is its 0-based position within the document."""

    id: int
    text: str


@dataclass
class Paragraph:
    """A translation unit: a block of text separated from its neighbours by blank lines, or a
    document format's block (a heading, a list item, a table cell, a group of cues)."""

    index: int  # 0-based position within the document
    text: str  # line breaks inside the paragraph already joined
    sentences: list[Sentence] = field(default_factory=list)
    block: str = "p"  # its kind and place, for the `block` column: "p", "h2", "td[3,2]", "cue 12-13"


@dataclass
class Document:
    """One input document: its paragraphs, split into sentences."""

    name: str  # file stem; used for output names and the `doc` column
    path: Path
    sha256: str  # of the raw input bytes
    paragraphs: list[Paragraph] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # read from the file, never translated
    # a document format's parse (pipeline/document/formats), to write the translation back in it
    layout: Any = None

    @property
    def sentences(self) -> list[Sentence]:
        """All sentences of the document, in order (their ids run on across paragraphs)."""
        return [s for p in self.paragraphs for s in p.sentences]


@dataclass(frozen=True)
class Bead:
    """One alignment link: source ids ↔ target ids (either side may be empty).

    Ids are positions in the sequences handed to the aligner.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float  # confidence in [0, 1]

    @property
    def kind(self) -> str:
        """The bead's shape: 'source ids-target ids', e.g. '1-1' or '2-0'."""
        return f"{len(self.src)}-{len(self.tgt)}"


@dataclass(frozen=True)
class AlignedRow:
    """One row of the corpus TSV."""

    nl: str
    en: str
    doc: str
    paragraph: int
    nl_ids: tuple[int, ...]  # document-level sentence ids
    en_ids: tuple[int, ...]  # ids of English sentences within the document's output
    score: float
    repaired: bool = False  # English came from a sentence-level re-translation
    flags: tuple[str, ...] = ()  # names of the quality checks the row fails (pipeline/document/checks.py)
    logprob: float | None = None  # the model's mean token log-probability for the English, where given
    block: str = "p"  # the kind and place of its paragraph in the document: "p", "h2", "td[3,2]", "cue 12-13"
