"""Stage 1: find the inputs and read a text into a Document of paragraphs and sentences.

Input is UTF-8 text with paragraphs separated by blank lines. A BOM and CRLF
line endings are accepted, control characters are removed, and single line
breaks inside a paragraph are joined with a space. A leading header of known keys
(`date 2023-09`, `lang nl`, `url https://…`) is metadata, not text. Inputs are `.txt`
articles (one document each), documents (HTML, Markdown, DOCX, SRT, WebVTT: one
paragraph per block, pipeline/document/formats) and JSONL files, plain or gzipped
(one document a line, read as a stream by pipeline/job/tasks.py).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.document.formats import Block, document_suffixes, format_for
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


def block_paragraphs(blocks: list[Block], lang: str) -> list[Paragraph]:
    """A document format's blocks as paragraphs (index i is block i), split into sentences."""
    paragraphs: list[Paragraph] = []
    next_id = 0
    for index, block in enumerate(blocks):
        text = normalise_space(block.text)
        if not text:
            continue
        sentences = [Sentence(next_id + k, s) for k, s in enumerate(split_sentences(text, lang))]
        next_id += len(sentences)
        paragraphs.append(Paragraph(index, text, sentences, block.path))
    return paragraphs


# A header of known keys before the text ("date 2023-09 Een zeldzame …"): each key with a
# value of its own shape, so text that merely starts with the word "date" is left alone.
_HEADER_FIELD = re.compile(r"\s*(date|lang|language|url|source):?[^\S\n]+(\S+)(?=\s|$)")
_HEADER_VALUES = {
    "date": re.compile(r"\d{4}(?:-\d{2}){0,2}"),
    "lang": re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z]{2})?"),
    "url": re.compile(r"https?://\S+"),
}


def read_header(text: str) -> tuple[dict[str, str], str]:
    """The metadata header at the start of `text` (known keys only, each once), and the text
    after it."""
    meta: dict[str, str] = {}
    pos = 0
    while m := _HEADER_FIELD.match(text, pos):
        key = {"language": "lang", "source": "url"}.get(m.group(1), m.group(1))
        if key in meta or not _HEADER_VALUES[key].fullmatch(m.group(2)):
            break
        meta[key] = m.group(2)
        pos = m.end()
    return meta, text[pos:]


STDIN_NAME = "stdin"  # the document name (and output stem) of `-`


@dataclass(frozen=True)
class Layout:
    """What writing a translated document back needs: its format (by suffix) and its bytes
    (parsed again then, so the Document stays small and picklable)."""

    suffix: str
    data: bytes


def read_document(path: Path | str, lang: str = "nl", extract: bool = False) -> Document:
    """Read an input as a Document named after the file's stem (`-`: stdin, named `stdin`),
    with the SHA-256 of its bytes: a document format by its suffix, else text. `extract`:
    an HTML page is cut to its main content first (the format's `extract`)."""
    path = Path(path)
    if str(path) != "-":
        check_name(path)
    data = read_bytes(path)
    name = STDIN_NAME if str(path) == "-" else path.stem
    digest = hashlib.sha256(data).hexdigest()
    fmt = format_for(path) if str(path) != "-" else None
    if fmt is not None:
        if extract:
            data = fmt.extract(data, path)
        parsed = fmt.parse(data, path)
        paragraphs = block_paragraphs(parsed.blocks, lang)
        return Document(name, path, digest, paragraphs, dict(parsed.meta), Layout(path.suffix.lower(), data))
    meta, text = read_header(decode(data, path))
    return Document(name=name, path=path, sha256=digest, paragraphs=segment_text(text, lang), meta=meta)


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # controls, and what ends a line


def shown_path(path: Path | str) -> str:
    """A path as it can be printed on one line: bytes that are not UTF-8 shown as \\xNN,
    control characters and line separators escaped (\\t, \\x85, \\u2028)."""
    raw = os.fsencode(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "backslashreplace")
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def check_name(path: Path) -> None:
    """Output names and the `doc` column come from the file name, which must be text."""
    try:
        os.fsencode(path.name).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(shown_path(path), "file name is not valid UTF-8; rename the file") from None


def name_key(name: str) -> str:
    """What a document name is compared by: the TSV's doc column collapses whitespace
    (tab, U+2028, runs of spaces) and strips it, and a file system may fold case or
    Unicode composition, so names equal after that are one name."""
    return unicodedata.normalize("NFC", normalise_space(name)).casefold()


JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
REJECTS_SUFFIX = ".rejects.jsonl"  # where nlen keeps the bad lines of a JSONL shard (and of a merge)


def is_jsonl(path: Path) -> bool:
    """Whether the path is a JSONL input (.jsonl or .jsonl.gz)."""
    return path.name.endswith(JSONL_SUFFIXES)


# <stem>-<shard>.<config>: the name of a JSONL shard's outputs
SHARD_NAME = re.compile(r"^(?P<stem>.*)-\d{5}\.[0-9a-f]{12}$", re.DOTALL)


def is_rejects_file(path: Path) -> bool:
    """Whether the file is the rejects file nlen wrote for a shard or a merge (named
    after its unit, beside that unit's manifest): an output, never an input."""
    if not path.name.endswith(REJECTS_SUFFIX):
        return False
    base = path.name[: -len(REJECTS_SUFFIX)]
    return bool(SHARD_NAME.match(base)) or path.with_name(base + ".json").is_file()


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
            if is_rejects_file(p):
                raise InputError(
                    shown_path(p), "is the rejects file of an nlen run, not an input; rename it to translate it"
                )
            found.append(p.absolute() if str(p) == "-" else p)  # ./- is a file named '-', not stdin
        elif p.is_dir():
            entries = sorted(q for q in p.iterdir() if _is_input_name(q) and not q.is_dir())
            problems = {q: file_problem(q) for q in entries}
            inside = [q for q in entries if not problems[q]]
            if not inside:
                skipped = [f"{q.name}: {why}" for q, why in problems.items()]
                detail = f" ({len(skipped)} skipped; {skipped[0]}{', …' * (len(skipped) > 1)})" if skipped else ""
                raise InputError(
                    shown_path(p), f"no .txt, document or .jsonl files in this folder{detail}: nothing to translate"
                )
            for q, problem in problems.items():
                if problem:  # a broken link, a loop, a pipe: said, not silently passed over
                    log.warning("%s: skipped: %s", shown_path(q), problem)
            for q in sorted(q for q in p.iterdir() if _is_translated_document(q)):
                log.info(
                    "%s: skipped: named like a translated document (--documents); name it to translate it",
                    shown_path(q),
                )
            found.extend(inside)
        else:
            problem = file_problem(p) or "not a regular file"
            if "pipe" in problem:
                problem += "; to translate piped text, pipe it to `nlen translate -`"
            raise InputError(shown_path(p), problem)
    return found


TRANSLATED_MARK = ".en"  # a translated document is written as <stem>.en<suffix> (--documents)


def _is_translated_document(path: Path) -> bool:
    """`<stem>.en<suffix>`, a text or document: what --documents writes."""
    suffix = path.suffix.lower()
    return (suffix in document_suffixes() or suffix == ".txt") and path.stem.endswith(TRANSLATED_MARK)


def _is_input_name(path: Path) -> bool:
    """A .txt, a document (.html, .md, .docx, .srt, .vtt…) or a .jsonl(.gz) in a folder, but
    not nlen's own outputs: a rejects file, or a translated document (an out-dir may be the
    input folder: a rerun must not translate the last run's outputs)."""
    suffix = path.suffix.lower()
    if suffix in document_suffixes() or suffix == ".txt":
        return not _is_translated_document(path)
    return is_jsonl(path) and not is_rejects_file(path)
