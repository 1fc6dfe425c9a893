"""Stage 1: read a text file into a Document of paragraphs and sentences.

Input is UTF-8 text with paragraphs separated by blank lines. A BOM and CRLF
line endings are accepted, control characters are removed, and single line
breaks inside a paragraph are joined with a space.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pipeline.errors import InputError
from pipeline.sentences import split_sentences
from pipeline.textio import decode, normalise_space, read_bytes
from pipeline.types import Document, Paragraph, Sentence

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")  # a line holding only whitespace ends a paragraph


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks, each with its inner line breaks joined."""
    blocks = (normalise_space(block) for block in _BLANK_LINE.split(text))
    return [b for b in blocks if b]


def segment_text(text: str, lang: str) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    next_id = 0
    for index, block in enumerate(split_paragraphs(text)):
        sentences = []
        for sentence in split_sentences(block, lang):
            sentences.append(Sentence(next_id, sentence))
            next_id += 1
        paragraphs.append(Paragraph(index, block, sentences))
    return paragraphs


def read_document(path: Path | str, lang: str = "nl") -> Document:
    path = Path(path)
    data = read_bytes(path)
    text = decode(data, path)
    return Document(
        name=path.stem,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        paragraphs=segment_text(text, lang),
    )


def find_inputs(inputs: list[str]) -> list[Path]:
    """Expand INPUT arguments: .txt files as given, folders to their .txt files (sorted)."""
    found: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found.extend(sorted(q for q in p.iterdir() if q.suffix == ".txt" and q.is_file()))
        elif p.is_file():
            found.append(p)
        else:
            raise InputError(p, "no such file or directory")
    return found
