"""Stage 1: find the inputs and read a text into a Document of paragraphs and sentences.

Input is UTF-8 text with paragraphs separated by blank lines. A BOM and CRLF
line endings are accepted, control characters are removed, and single line
breaks inside a paragraph are joined with a space. Inputs are `.txt` articles
(one document each) and JSONL files, plain or gzipped (one document a line,
read as a stream by pipeline/job/tasks.py).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

from pipeline.document.sentences import split_sentences
from pipeline.errors import InputError
from pipeline.textio import decode, file_problem, normalise_space, read_bytes
from pipeline.types import Document, Paragraph, Sentence

log = logging.getLogger(__name__)

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")  # a line holding only whitespace ends a paragraph


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks, each with its inner line breaks joined."""
    blocks = (normalise_space(block) for block in _BLANK_LINE.split(text))
    return [b for b in blocks if b]


def segment_text(text: str, lang: str) -> list[Paragraph]:
    """The text's paragraphs (blank-line separated) split into sentences in language `lang`;
    sentence ids run on across paragraphs from 0."""
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
    """Read a .txt input as a Document named after the file's stem (`-`: stdin, named
    `stdin`), with the SHA-256 of its bytes."""
    path = Path(path)
    if str(path) != "-":
        check_name(path)
    data = read_bytes(path)
    text = decode(data, path)
    return Document(
        name=STDIN_NAME if str(path) == "-" else path.stem,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        paragraphs=segment_text(text, lang),
    )


def shown_path(path: Path | str) -> str:
    """A path as it can be printed: bytes that are not UTF-8 shown as \\xNN."""
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def check_name(path: Path) -> None:
    """Output names and the `doc` column come from the file name, which must be text."""
    try:
        os.fsencode(path.name).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(shown_path(path), "file name is not valid UTF-8; rename the file") from None


JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")


def is_jsonl(path: Path) -> bool:
    """Whether the path is a JSONL input (.jsonl or .jsonl.gz)."""
    return path.name.endswith(JSONL_SUFFIXES)


def input_stem(path: Path) -> str:
    """The name without .txt, .jsonl or .jsonl.gz."""
    for suffix in JSONL_SUFFIXES:
        if path.name.endswith(suffix):
            return path.name[: -len(suffix)]
    return path.stem


def find_inputs(inputs: list[str]) -> list[Path]:
    """Expand INPUT arguments: files as given; folders to their .txt and
    .jsonl(.gz) files, sorted (a folder with none of them is an InputError);
    `-` to stdin (read by read_document as the document `stdin`)."""
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
            entries = sorted(q for q in p.iterdir() if (q.suffix == ".txt" or is_jsonl(q)) and not q.is_dir())
            problems = {q: file_problem(q) for q in entries}
            inside = [q for q in entries if not problems[q]]
            if not inside:
                skipped = [f"{q.name}: {why}" for q, why in problems.items()]
                detail = f" ({len(skipped)} skipped; {skipped[0]}{', …' * (len(skipped) > 1)})" if skipped else ""
                raise InputError(shown_path(p), f"no .txt or .jsonl files in this folder{detail}: nothing to translate")
            for q, problem in problems.items():
                if problem:  # a broken link, a loop, a pipe: said, not silently passed over
                    log.warning("%s: skipped: %s", shown_path(q), problem)
            found.extend(inside)
        else:
            problem = file_problem(p) or "not a regular file"
            if "pipe" in problem:
                problem += "; to translate piped text, pipe it to `nlen translate -`"
            raise InputError(shown_path(p), problem)
    return found
