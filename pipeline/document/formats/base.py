"""The document-format interface and registry: one reader/writer pair per format, found by
file suffix (as exporters are found by name, pipeline/corpus/export/base.py).

A format parses a file into `Block`s, the translation units (a heading, a paragraph, a list
item, a table cell, a group of subtitle cues), each with its plain text and the inline
markup over it as `Span`s, and renders the same parse back with English blocks in place.

    fmt = format_for(Path("page.html"))          # None: not a document format (plain text)
    parsed = fmt.parse(data, path)               # ParsedDocument: blocks, meta, the format's tree
    english = [...]                              # one Block per parsed.blocks[i], same spans by kind
    data = fmt.render(parsed, english)           # bytes of a valid file of the same format
"""

from __future__ import annotations

import importlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pipeline.errors import InputError

# Suffix → module that registers the format; imported when a file of that suffix is read.
FORMAT_MODULES = {
    ".html": "pipeline.document.formats.html",
    ".htm": "pipeline.document.formats.html",
    ".md": "pipeline.document.formats.markdown",
    ".markdown": "pipeline.document.formats.markdown",
    ".docx": "pipeline.document.formats.docx",
    ".srt": "pipeline.document.formats.subtitles",
    ".vtt": "pipeline.document.formats.subtitles",
}
FORMATS: dict[str, type[DocumentFormat]] = {}  # suffix → format class

# Span kinds. Markup over words stays in the text sent to MT and is put back on the English
# words aligned to them; `code` and `placeholder` are taken out (zero-width spans holding
# their `literal`) and come back verbatim, exactly once.
WRAPPING = ("em", "strong", "link", "format")  # format: a DOCX run's formatting, an HTML inline tag
VERBATIM = ("code", "placeholder")


@dataclass(frozen=True)
class Span:
    """Inline markup over characters [start, end) of its block's text. A `code` or
    `placeholder` span is zero-width (start == end): where its `literal` goes back in."""

    start: int
    end: int
    kind: str  # one of WRAPPING or VERBATIM
    attrs: tuple[tuple[str, str], ...] = ()  # e.g. (("href", "…"),), (("tag", "b"),), a DOCX run's key
    literal: str = ""  # the verbatim text of a code span or placeholder

    def attr(self, name: str, default: str = "") -> str:
        """The value of attribute `name`."""
        return dict(self.attrs).get(name, default)


@dataclass
class Block:
    """One translation unit: `path` names its kind and place for the TSV's `block` column
    ("p", "h2", "li", "td[3,2]", "cue 12-13", "img[alt]"); `text` is what is translated:
    one line, whitespace normalised, markup and verbatim pieces taken out; `spans` sorted
    by (start, -end), properly nested."""

    path: str
    text: str
    spans: list[Span] = field(default_factory=list)
    flags: tuple[str, ...] = ()  # set on English blocks: "markup" when a span's place was not sure

    def well_formed(self) -> bool:
        """Whether the spans keep the promise above: inside the text, sorted by (start, -end),
        wrapping spans properly nested (none starts inside another and ends outside it)."""
        spans = self.spans
        if any(not (0 <= s.start <= s.end <= len(self.text)) for s in spans):
            return False
        if [(s.start, -s.end) for s in spans] != sorted((s.start, -s.end) for s in spans):
            return False
        wrap = [s for s in spans if s.kind not in VERBATIM]
        return not any(a.start < b.start < a.end < b.end for a in wrap for b in wrap)


@dataclass
class ParsedDocument:
    """A parsed file: its blocks in reading order, its metadata (never translated), and the
    format's own parse (`tree`), which `render` fills with English."""

    blocks: list[Block]
    meta: dict[str, str] = field(default_factory=dict)
    tree: Any = None


class DocumentFormat(ABC):
    """Reads and writes one document format. `parse` raises InputError (one line naming the
    file) on input it cannot read; `render` returns the bytes of a valid file."""

    name: ClassVar[str] = "?"
    suffixes: ClassVar[tuple[str, ...]] = ()
    max_bytes: ClassVar[int] = 50_000_000  # a larger file is refused in one line, not parsed

    @abstractmethod
    def parse(self, data: bytes, path: Path) -> ParsedDocument:
        """The blocks, metadata and tree of the file's bytes `data` (`path` names it in errors)."""

    @abstractmethod
    def render(self, parsed: ParsedDocument, english: list[Block]) -> bytes:
        """The document with `english[i]` (text and spans) in place of `parsed.blocks[i]`.
        Must not change `parsed` (it may be rendered again)."""

    def extract(self, data: bytes, path: Path) -> bytes:
        """The main content of the file (`--extract`); by default the whole file."""
        return data


def register_format(cls: type[DocumentFormat]) -> type[DocumentFormat]:
    """Class decorator: register a DocumentFormat under each of its `suffixes`."""
    for suffix in cls.suffixes:
        FORMATS[suffix] = cls
    return cls


def format_for(path: Path | str) -> DocumentFormat | None:
    """The format of `path` by its suffix (case-insensitive), or None for plain text."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMAT_MODULES:
        return None
    if suffix not in FORMATS:
        importlib.import_module(FORMAT_MODULES[suffix])
    return FORMATS[suffix]()


def document_suffixes() -> tuple[str, ...]:
    """The suffixes of the document formats (besides .txt and .jsonl)."""
    return tuple(FORMAT_MODULES)


def check_size(data: bytes, path: Path | str, fmt: DocumentFormat) -> None:
    """Refuse a file larger than the format's `max_bytes`, in one line."""
    if len(data) > fmt.max_bytes:
        size, limit = len(data) / 1e6, fmt.max_bytes / 1e6
        raise InputError(str(path), f"{size:.0f} MB is larger than the {limit:.0f} MB a {fmt.name} file may be")


@dataclass
class Node:
    """A span and what it holds, for writers that build nested markup: `children` are
    strings (text) and Nodes, in order. A VERBATIM span's node has no children."""

    span: Span
    children: list[str | Node] = field(default_factory=list)


def nest(block: Block) -> list[str | Node]:
    """The block's text and spans as a tree: strings and Nodes in reading order. Spans must
    be properly nested (sorted by (start, -end)); a zero-width span becomes an empty Node
    at its place."""
    root: list[str | Node] = []
    stack: list[tuple[int, list[str | Node]]] = [(len(block.text), root)]  # (end, children)
    pos = 0
    for span in sorted(block.spans, key=lambda s: (s.start, -s.end, s.kind not in VERBATIM)):
        while span.start >= stack[-1][0] and len(stack) > 1:
            end, children = stack.pop()
            if pos < end:
                children.append(block.text[pos:end])
                pos = end
        if span.start > pos:
            stack[-1][1].append(block.text[pos : span.start])
            pos = span.start
        node = Node(span)
        stack[-1][1].append(node)
        if span.end > span.start:
            stack.append((span.end, node.children))
    while stack:
        end, children = stack.pop()
        if pos < end:
            children.append(block.text[pos:end])
            pos = end
    return root


# Placeholders of templating and localisation formats: {{name}}, {0}, {name}, %s, %d,
# %(name)s, %1$s, <x/>, <x id="1"/>. They are taken out before MT and come back verbatim.
PLACEHOLDER = re.compile(
    r"\{\{\s*[\w.\-]+\s*\}\}"
    r"|\{\d+\}|\{[A-Za-z_][\w.\-]*\}"
    r"|%(?:\([A-Za-z_]\w*\)|\d+\$)?[sdif]"
    r"|<[A-Za-z][\w\-]*(?:\s+[\w\-]+=\"[^\"<>]*\")*\s*/>"
)


def take_out_placeholders(block: Block) -> Block:
    """`block` with its placeholders taken out of the text as zero-width `placeholder` spans
    (literal: the placeholder; attr `space`: whether a space stood before and/or after it,
    "before", "after", "both" or "none"), the other spans moved to match. The text keeps one
    space where the placeholder stood between two words, and none at its ends."""
    text = block.text
    matches = list(PLACEHOLDER.finditer(text))
    if not matches:
        return block
    gone = [False] * len(text)
    spaces = []
    for m in matches:
        gone[m.start() : m.end()] = [True] * (m.end() - m.start())
        left = next((i for i in range(m.start() - 1, -1, -1) if not gone[i]), None)
        before = left is not None and text[left] == " "
        after = m.end() < len(text) and text[m.end()] == " "
        if after and (before or left is None):
            gone[m.end()] = True  # one space stays between words, none at the start
        nxt = m.end() + after
        closes = nxt >= len(text) or not (text[nxt].isalnum() or text[nxt] in "{%<")
        if before and not after and closes and left is not None:
            gone[left] = True  # "a {0}, b" → "a, b"
        spaces.append(
            {(True, True): "both", (True, False): "before", (False, True): "after"}.get((before, after), "none")
        )
    where = [0] * (len(text) + 1)  # old index → new index (kept characters before it)
    for i, g in enumerate(gone):
        where[i + 1] = where[i] + (not g)
    new = [
        Span(where[m.start()], where[m.start()], "placeholder", (("space", sp),), m.group())
        for m, sp in zip(matches, spaces)
    ]
    spans = [Span(where[s.start], where[s.end], s.kind, s.attrs, s.literal) for s in block.spans]
    spans = sorted(spans + new, key=lambda s: (s.start, -s.end))
    return Block(block.path, "".join(c for c, g in zip(text, gone) if not g), spans, block.flags)
