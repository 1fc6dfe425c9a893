"""Stage 1: read a text file into a Document of paragraphs and sentences.

Input is UTF-8 text with paragraphs separated by blank lines. A BOM and CRLF
line endings are accepted, control characters are removed, and single line
breaks inside a paragraph are joined with a space.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from pipeline.errors import InputError
from pipeline.sentences import split_sentences
from pipeline.textio import decode, file_problem, normalise_space, read_bytes
from pipeline.types import Document, Paragraph, Sentence

log = logging.getLogger(__name__)

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


STDIN_NAME = "stdin"  # the document name (and output stem) of `-`


def read_document(path: Path | str, lang: str = "nl") -> Document:
    path = Path(path)
    data = read_bytes(path)
    text = decode(data, path)
    return Document(
        name=STDIN_NAME if str(path) == "-" else path.stem,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        paragraphs=segment_text(text, lang),
    )


def find_inputs(inputs: list[str]) -> list[Path]:
    """Expand INPUT arguments: .txt files as given, folders to their .txt files
    (sorted), `-` to stdin (read by read_document as the document `stdin`)."""
    found: list[Path] = []
    for item in inputs:
        if item == "":
            raise InputError("''", "an empty string is not a file or folder name")
        p = Path(item)
        if item == "-":
            found.append(p)
        elif p.is_file():
            found.append(p.absolute() if str(p) == "-" else p)  # ./- is a file named '-', not stdin
        elif p.is_dir():
            for q in sorted(q for q in p.iterdir() if q.suffix == ".txt" and not q.is_dir()):
                problem = file_problem(q)
                if problem:  # a broken link, a loop, a pipe: said, not silently passed over
                    log.warning("%s: skipped: %s", q, problem)
                else:
                    found.append(q)
        else:
            problem = file_problem(p) or "not a regular file"
            if "pipe" in problem:
                problem += "; to translate piped text, pipe it to `nlen translate -`"
            raise InputError(p, problem)
    return found
