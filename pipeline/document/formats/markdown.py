"""Markdown documents in and out: CommonMark plus GFM tables, read with markdown-it-py.

Blocks: headings ("h1".."h6", ATX and setext), paragraphs ("p"), paragraphs in list items
("li"), in block quotes ("blockquote") and in footnote definitions ("footnote": the text
after `[^label]: `, the prefix staying as it is), the innermost container naming the block,
and table cells ("td[row,col]", the header row being row 1). Emphasis is `em`, strong
emphasis `strong`, a link `link` (attrs href, title, and `source`: what follows its `]` in
the file, written back as it was). Inline code, images, autolinks, raw URLs, inline HTML and
footnote references (`[^label]`) are `code` spans whose literal is their source, put back
verbatim; a link or emphasis that holds nothing but such pieces (`[`x`](url)`, a badge
`[![b](i.svg)](url)`) is one code span. A hard line break (two spaces or a backslash at a
line's end) is a code span whose literal is a line break (two spaces and a newline; attr
"break": the form the source wrote, written back so), the text keeping a space there; a
soft one is a space.

Untouched: fenced and indented code, HTML blocks, thematic breaks, link reference
definitions, the `[^label]: ` prefix of a footnote definition, and front matter: YAML
between `---` lines (a mapping, read into `meta` with values as strings; a list or other
collection kept without keys) or TOML between `+++` lines (its top-level keys read into
`meta`). Rendering replaces only each block's text in the original source, so list markers,
indentation, heading marks, blank lines, table pipes and everything between blocks stay byte
for byte; a block that spanned several lines comes back on one line, but for its hard
breaks, after which a line starts with the marks and indentation of the source's second line.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeAlias

import yaml
from markdown_it import MarkdownIt
from markdown_it.common import utils as markdown_utils
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from pipeline.document.formats.base import (
    VERBATIM,
    Block,
    DocumentFormat,
    Node,
    ParsedDocument,
    Span,
    check_size,
    nest,
    register_format,
    take_out_placeholders,
)
from pipeline.errors import InputError
from pipeline.textio import decode

BOM = b"\xef\xbb\xbf"
SENTINEL = "\x00"  # stands for a verbatim piece while the text is built; decode() leaves no NUL
FRONT_MATTER = re.compile(r"\A---[ \t]*\n((?:.*\n)*?)(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
TOML_FRONT_MATTER = re.compile(r"\A\+\+\+[ \t]*\n((?:.*\n)*?)\+\+\+[ \t]*(?:\n|\Z)")
TOML_KEY_VALUE = re.compile(r"\s*([A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')\s*=\s*(.*?)\s*\Z")
FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")  # [^label]
FOOTNOTE_DEF = re.compile(r"\[\^[^\]\s]+\]:")  # [^label]: at a block's start
HARD_BREAK = "  \n"  # the literal of a hard line break's code span (all whitespace: kept as it is)
CLOSING = re.compile(r"[.,;:!?)\]}»”’…%]+")  # punctuation that closes what stands before it
CONTINUATION = re.compile(r"[ \t>]*")  # what starts a paragraph's later lines: container marks, indent
URL = re.compile(r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"]*[^\s<>\".,;:!?')\]]")
ESCAPE = re.compile(r"[\\`*_\[\]<|]|&(?=#?\w+;)")  # what could start markup inside a line
# markdown-it-py 4 trims table cells with CommonMark's whitespace; earlier releases with str.strip
TRIM = getattr(markdown_utils, "mdTrim", str.strip)
LINE_START = re.compile(r"[#>+\-=~]|\d{1,9}(?=[.)])")  # what could start a block at a line's start


@dataclass(frozen=True)
class Place:
    """Where a block's text stands in the source: characters [start, end), and how to write
    English there ("text": a paragraph or setext heading, "atx": an ATX heading, "cell")."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Source:
    """The parse kept for rendering: the decoded source, each block's place, and the
    file's byte-order mark and line endings, restored on output."""

    text: str
    places: tuple[Place, ...]
    bom: bool = False
    crlf: bool = False


@register_format
class MarkdownFormat(DocumentFormat):
    """Markdown (.md, .markdown): CommonMark with GFM tables."""

    name = "Markdown"
    suffixes = (".md", ".markdown")

    def parse(self, data: bytes, path: Path) -> ParsedDocument:
        """The blocks, the front matter as `meta`, and the source with each block's place."""
        check_size(data, path, self)
        text = decode(data, path)
        length, meta = front_matter(text, path)
        # The front matter is blanked (offsets kept) so that markdown-it sees blank lines there.
        masked = re.sub(r"[^\n]", " ", text[:length]) + text[length:]
        blocks, places = read_blocks(text, parser().parse(masked))
        if not blocks:
            raise InputError(str(path), "no text to translate (only code, HTML or front matter)")
        crlf = data.count(b"\r\n") * 2 > data.count(b"\n")
        return ParsedDocument(blocks, meta, Source(text, tuple(places), data.startswith(BOM), crlf))

    def render(self, parsed: ParsedDocument, english: list[Block]) -> bytes:
        """The source with each block's text replaced by its English, markup in Markdown."""
        source: Source = parsed.tree
        if len(english) != len(source.places):
            raise ValueError(f"{len(english)} English blocks for {len(source.places)} Markdown blocks")
        out: list[str] = []
        last = 0
        for place, block in zip(source.places, english):
            written = to_markdown(block, place.kind, continuation(source.text, place))
            out.append(source.text[last : place.start])
            # An empty translation would leave a bare list marker or `#`: the source stays.
            out.append(written or source.text[place.start : place.end])
            last = place.end
        out.append(source.text[last:])
        text = "".join(out)
        if source.crlf:
            text = text.replace("\n", "\r\n")
        return (BOM if source.bom else b"") + text.encode("utf-8")


# --- the front matter ---------------------------------------------------------------------


def front_matter(text: str, path: Path | str) -> tuple[int, dict[str, str]]:
    """The length in characters of the front matter at the top of `text` (0 if none) and
    its keys, values as strings (lists and tables as JSON): TOML between `+++` lines, or
    YAML between `---` lines. YAML front matter may be of any collection type (a list is
    kept, though only a mapping gives keys); one that is a bare scalar ("---", a sentence,
    "---") is Markdown: a thematic break and a setext heading. Front matter that does not
    parse is refused."""
    m = TOML_FRONT_MATTER.match(text)
    if m:
        return m.end(), toml_meta(m.group(1), path)
    m = FRONT_MATTER.match(text)
    if not m:
        return 0, {}
    try:
        # BaseLoader: every scalar stays the string it was written as ("2023-09", "no")
        value = yaml.load(m.group(1), Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(str(path), f"the front matter is not valid YAML: {problem}{where}") from None
    if isinstance(value, str):
        return 0, {}
    if not isinstance(value, dict):
        return m.end(), {}
    return m.end(), {str(k): meta_value(v) for k, v in value.items()}


def toml_meta(body: str, path: Path | str) -> dict[str, str]:
    """The top-level keys of TOML front matter, values as strings; read with tomllib
    (Python 3.11+), else with `simple_toml`."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        return simple_toml(body)
    try:
        value = tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        problem = re.sub(r"line (\d+)", lambda n: f"line {int(n.group(1)) + 1}", str(exc).splitlines()[0])
        raise InputError(str(path), f"the front matter is not valid TOML: {problem}") from None
    return {str(k): meta_value(v) for k, v in value.items()}


def simple_toml(body: str) -> dict[str, str]:
    """The `key = value` lines of TOML front matter before its first table, a quoted value
    unquoted (no escapes read), others as written: enough for titles and dates."""
    meta: dict[str, str] = {}
    for line in body.splitlines():
        if line.lstrip().startswith("["):
            break
        m = TOML_KEY_VALUE.match(line)
        if m is None:
            continue
        key, value = m.group(1).strip("\"'"), m.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        meta.setdefault(key, value)
    return meta


def meta_value(value: Any) -> str:
    """A front matter value as a string: a string as it is, a date or time in ISO form,
    anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


# --- the parser: markdown-it with each block's and inline piece's source recorded ---------


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark + tables + footnotes, its rules wrapped to record where each block's text
    starts and ends in the source (token.meta["at"], ["rows"]) and the exact source of links,
    images, autolinks, code spans and backslash hard breaks (token.meta["src"])."""
    md = MarkdownIt("commonmark").enable("table")
    md.block.ruler.before("reference", "footnote_def", footnote_def, {"alt": ["paragraph", "reference"]})
    md.inline.ruler.before("link", "footnote_ref", footnote_ref)
    for name, record in BLOCK_RECORDERS.items():
        wrap_block_rule(md, name, record)
    for name, kind in (
        ("link", "link_open"),
        ("image", "image"),
        ("autolink", "link_open"),
        ("backticks", "code_inline"),
        ("escape", "hardbreak"),
    ):
        wrap_inline_rule(md, name, kind)
    return md


def footnote_ref(state: StateInline, silent: bool) -> bool:
    """Inline rule: a footnote reference `[^label]`, one token holding its source (read as
    a verbatim piece). Not when a `(` or `[` follows: that is a link whose text starts with ^."""
    m = FOOTNOTE_REF.match(state.src, state.pos, state.posMax)
    if m is None or (m.end() < state.posMax and state.src[m.end()] in "(["):
        return False
    if not silent:
        token = state.push("footnote_ref", "", 0)
        token.content = token.meta["src"] = m.group()
    state.pos = m.end()
    return True


def footnote_def(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: a footnote definition `[^label]: text`, a container (footnote_open and
    _close, tag "footnote") of the blocks after its prefix; its later lines are indented
    (as in markdown-it's footnote plugin). The prefix is not part of any block's text."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False  # indented code
    first = state.bMarks[start_line] + state.tShift[start_line]
    m = FOOTNOTE_DEF.match(state.src, first, state.eMarks[start_line])
    if m is None:
        return False
    if silent:
        return True
    opened = state.push("footnote_open", "footnote", 1)
    opened.meta["label"] = m.group()[2:-2]
    saved = (state.bMarks[start_line], state.tShift[start_line], state.sCount[start_line])
    pos, column = m.end(), state.sCount[start_line] + m.end() - first
    start_column = column
    while pos < state.eMarks[start_line] and state.src[pos] in " \t":
        column += 4 - column % 4 if state.src[pos] == "\t" else 1
        pos += 1
    state.bMarks[start_line], state.tShift[start_line] = m.end(), pos - m.end()
    state.sCount[start_line] = column - start_column
    state.blkIndent += 4
    if state.sCount[start_line] < state.blkIndent:
        state.sCount[start_line] += state.blkIndent
    state.md.block.tokenize(state, start_line, end_line)
    state.blkIndent -= 4
    state.bMarks[start_line], state.tShift[start_line], state.sCount[start_line] = saved
    opened.map = [start_line, state.line]
    state.push("footnote_close", "footnote", -1)
    return True


def wrap_block_rule(md: MarkdownIt, name: str, record: Any) -> None:
    """Replace block rule `name` by one that calls it and then `record(state, first_line, token)`
    with the first token it pushed; its place in the other rules' chains is kept."""
    ruler = md.block.ruler
    rule = ruler.__rules__[ruler.__find__(name)]
    original = rule.fn

    def wrapped(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        """The original rule, then `record` on what it pushed."""
        count = len(state.tokens)
        found = original(state, start, end, silent)
        if found and not silent:
            record(state, start, state.tokens[count])
        return found

    ruler.at(name, wrapped, {"alt": list(rule.alt)})


def wrap_inline_rule(md: MarkdownIt, name: str, kind: str) -> None:
    """Replace inline rule `name` by one that records the source it consumed on the first
    token of type `kind` it pushed; for links and images, also the label and what follows it."""
    ruler = md.inline.ruler
    rule = ruler.__rules__[ruler.__find__(name)]
    original = rule.fn

    def wrapped(state: StateInline, silent: bool) -> bool:
        """The original rule, then the source it consumed on its token."""
        start, count = state.pos, len(state.tokens)
        found = original(state, silent)
        if found and not silent:
            token = next((t for t in state.tokens[count:] if t.type == kind), None)
            if token is None:
                return found
            token.meta["src"] = state.src[start : state.pos]
            if name in ("link", "image"):
                opening = start + (name == "image")
                label_end = state.md.helpers.parseLinkLabel(state, opening, name == "link")
                if label_end >= 0:
                    token.meta["label"] = state.src[opening + 1 : label_end]
                    token.meta["tail"] = state.src[label_end + 1 : state.pos]
        return found

    ruler.at(name, wrapped, {"alt": list(rule.alt)})


def content_start(state: StateBlock, line: int) -> int:
    """Offset in the source of the first non-space character of `line` inside its containers."""
    return state.bMarks[line] + state.tShift[line]


def record_paragraph(state: StateBlock, first: int, token: Token) -> None:
    """A paragraph's text: from its first character to the end of its last line."""
    token.meta["at"] = (content_start(state, first), state.eMarks[state.line - 1])


def record_setext(state: StateBlock, first: int, token: Token) -> None:
    """A setext heading's text: its lines up to the underline, which stays."""
    token.meta["at"] = (content_start(state, first), state.eMarks[state.line - 2])


def record_atx(state: StateBlock, first: int, token: Token) -> None:
    """An ATX heading's text: between the opening #s and the closing ones (markdown-it's
    content is that stretch of the line, stripped)."""
    pos = content_start(state, first)
    while pos < state.eMarks[first] and state.src[pos] == "#":
        pos += 1
    content = state.tokens[-2].content  # heading_open, inline, heading_close
    start = state.src.find(content, pos) if content else -1
    if start >= 0:
        token.meta["at"] = (start, start + len(content))


def record_table(state: StateBlock, first: int, token: Token) -> None:
    """Each row's cells (the delimiter row skipped), as markdown-it splits them."""
    rows = {}
    for line in range(first, state.line):
        if line != first + 1:
            rows[line] = cells(state.src, content_start(state, line), state.eMarks[line])
    token.meta["rows"] = rows


BLOCK_RECORDERS = {
    "paragraph": record_paragraph,
    "lheading": record_setext,
    "heading": record_atx,
    "table": record_table,
}


def cells(src: str, start: int, end: int) -> list[tuple[int, int]]:
    """The stripped content of each cell of the table row src[start:end], as offsets: the
    row split at pipes not escaped by a backslash, like markdown-it's escapedSplit."""
    row = src[start:end]
    trimmed = TRIM(row)
    if not trimmed:
        return []
    base = start + row.index(trimmed[0])
    bounds: list[tuple[int, int]] = []
    last, escaped = 0, False
    for i, ch in enumerate(trimmed):
        if ch == "|" and not escaped:
            bounds.append((last, i))
            last = i + 1
        escaped = ch == "\\"
    bounds.append((last, len(trimmed)))
    if bounds and bounds[0][0] == bounds[0][1]:
        bounds.pop(0)
    if bounds and bounds[-1][0] == bounds[-1][1]:
        bounds.pop()
    out = []
    for a, b in bounds:
        cell = trimmed[a:b]
        inner = TRIM(cell)
        offset = cell.find(inner[0]) if inner else 0
        out.append((base + a + offset, base + a + offset + len(inner)))
    return out


# --- blocks -------------------------------------------------------------------------------


@dataclass
class TableState:
    """Where the walk over a table's tokens is: its rows' cells, the row and column."""

    rows: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    row: int = 0
    col: int = 0


def read_blocks(text: str, tokens: list[Token]) -> tuple[list[Block], list[Place]]:
    """The blocks with text, in reading order, and their places in the source `text`."""
    blocks: list[Block] = []
    places: list[Place] = []
    containers: list[str] = []  # the innermost list item or block quote names a paragraph
    table = TableState()
    for i, token in enumerate(tokens):
        kind = token.type
        if kind in ("list_item_open", "blockquote_open", "footnote_open"):
            containers.append(token.tag)
        elif kind in ("list_item_close", "blockquote_close", "footnote_close"):
            containers.pop()
        elif kind == "table_open":
            table = TableState(token.meta.get("rows", {}))
        elif kind == "tr_open":
            table.row, table.col = table.row + 1, 0
        elif kind in ("th_open", "td_open"):
            table.col += 1
        elif kind == "inline" and i > 0:
            path, place = locate(tokens[i - 1], token, containers, table)
            if place is None or not found_at(text, place, token.content):
                continue  # not a block we translate, or not where we expect it: left untouched
            block = inline_block(path, token.children or [])
            if block.text:
                blocks.append(block)
                places.append(place)
    return blocks, places


def locate(opener: Token, inline: Token, containers: list[str], table: TableState) -> tuple[str, Place | None]:
    """The block path of the `inline` token opened by `opener`, and its place in the source."""
    if opener.type in ("th_open", "td_open"):
        row = table.rows.get(inline.map[0], []) if inline.map else []
        if table.col > len(row):
            return "td", None  # a cell markdown-it added to a short row: nothing in the source
        start, end = row[table.col - 1]
        return f"td[{table.row},{table.col}]", Place(start, end, "cell")
    at = opener.meta.get("at")
    if at is None:
        return "", None
    if opener.type == "heading_open":
        return opener.tag, Place(at[0], at[1], "atx" if opener.markup.startswith("#") else "text")
    if opener.type == "paragraph_open":
        return (containers[-1] if containers else "p"), Place(at[0], at[1], "text")
    return "", None


def found_at(text: str, place: Place, content: str) -> bool:
    """Whether markdown-it's `content` of a block is what stands at `place` in the source
    (a cell's escaped pipes unescaped; of a paragraph, the first line)."""
    there = text[place.start : place.end]
    if place.kind == "cell":
        return there.replace("\\|", "|") == content
    if place.kind == "atx":
        return there == content
    return there.startswith(content.split("\n", 1)[0])


# --- inline markup ------------------------------------------------------------------------


@dataclass
class Verbatim:
    """A piece put back as it was written: code, an image, an autolink, inline HTML, a
    footnote reference, a hard line break (attrs: ("break", its form))."""

    literal: str
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass
class Wrap:
    """Markup over words: its span kind and attrs, and how it opens and closes in the source."""

    kind: str
    attrs: tuple[tuple[str, str], ...]
    opening: str
    closing: str
    children: list[str | Verbatim | Wrap] = field(default_factory=list)


Item: TypeAlias = str | Verbatim | Wrap


def inline_block(path: str, tokens: list[Token]) -> Block:
    """The block of an inline token's children: one line of text, markup as spans,
    verbatim pieces and placeholders taken out."""
    builder = Builder()
    builder.add_items(fold(inline_tree(tokens)))
    text, spans = builder.finish()
    return take_out_placeholders(Block(path, text, spans))


def inline_tree(tokens: list[Token]) -> list[Item]:
    """markdown-it's flat inline tokens as a tree of text, verbatim pieces and markup."""
    root: list[Item] = []
    stack = [root]
    in_autolink = False
    for token in tokens:
        kind = token.type
        if in_autolink:
            in_autolink = kind != "link_close"
        elif kind in ("text", "text_special"):
            stack[-1].extend(split_urls(token.content))
        elif kind == "softbreak":
            stack[-1].append(" ")
        elif kind == "hardbreak":  # between two words, which the text keeps apart
            stack[-1].extend([" ", hard_break(token), " "])
        elif kind in ("code_inline", "image", "html_inline", "footnote_ref"):
            stack[-1].append(Verbatim(verbatim_source(token)))
        elif kind == "link_open" and token.info == "auto":
            stack[-1].append(Verbatim(token.meta.get("src", f"<{token.attrGet('href')}>")))
            in_autolink = True
        elif kind.endswith("_open"):
            wrap = opening(token)
            stack[-1].append(wrap)
            stack.append(wrap.children)
        elif kind.endswith("_close") and len(stack) > 1:
            stack.pop()
    return root


def hard_break(token: Token) -> Verbatim:
    """A hard line break: a verbatim piece whose literal is a line break (two spaces and a
    newline), attr "break" saying how the source wrote it ("spaces" or "backslash")."""
    form = "backslash" if token.meta.get("src", "").startswith("\\") else "spaces"
    return Verbatim(HARD_BREAK, (("break", form),))


def split_urls(text: str) -> list[Item]:
    """Text with its bare URLs as verbatim pieces (CommonMark makes no links of them)."""
    out: list[Item] = []
    last = 0
    for m in URL.finditer(text):
        out += [text[last : m.start()], Verbatim(m.group())]
        last = m.end()
    out.append(text[last:])
    return [item for item in out if item != ""]


def verbatim_source(token: Token) -> str:
    """The source of a code span, image or inline HTML, on one line."""
    if token.type == "code_inline":
        source = token.meta.get("src") or f"{token.markup}{token.content}{token.markup}"
    elif token.type == "image":
        source = token.meta.get("src") or f"![{token.content}]({token.attrGet('src')})"
    else:
        source = token.content
    return source.replace("\n", " ")


def opening(token: Token) -> Wrap:
    """The markup that `token` (em_open, strong_open, link_open...) opens."""
    kind = {"em_open": "em", "strong_open": "strong", "link_open": "link"}.get(token.type, "format")
    if kind != "link":
        attrs = (("markup", token.markup),) if kind != "format" else (("tag", token.tag),)
        return Wrap(kind, attrs, token.markup, token.markup)
    href, title = str(token.attrGet("href") or ""), str(token.attrGet("title") or "")
    tail = token.meta.get("tail")
    if tail is None:
        tail = link_destination(href, title)
    elif tail in ("", "[]"):
        # [label] and [label][]: the label names the reference, so it must stay as it was
        tail = f"[{token.meta.get('label', '')}]"
    tail = tail.replace("\n", " ")
    attrs = (("href", href),) + ((("title", title),) if title else ()) + (("source", tail),)
    return Wrap("link", attrs, "[", "]" + tail)


def link_destination(href: str, title: str) -> str:
    """`(href "title")`, for a link span that came without its source form."""
    dest = f"<{href}>" if re.search(r"[\s()<>]", href) else href
    quoted = ' "' + title.replace('"', '\\"') + '"' if title else ""
    return f"({dest}{quoted})"


def fold(items: list[Item]) -> list[Item]:
    """Markup that holds no words (`[`x`](url)`, a linked image) becomes one verbatim piece."""
    out: list[Item] = []
    for item in items:
        if isinstance(item, Wrap):
            item.children = fold(item.children)
            if not any(isinstance(c, Wrap) or (isinstance(c, str) and c.strip()) for c in item.children):
                inner = "".join(
                    c if isinstance(c, str) else c.literal for c in item.children if not isinstance(c, Wrap)
                )
                item = Verbatim(item.opening + inner + item.closing)
        out.append(item)
    return out


class Builder:
    """Collects a block's text with a sentinel for each verbatim piece, and its markup spans;
    `finish` normalises the whitespace and takes the verbatim pieces out."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[tuple[int, int, str, tuple[tuple[str, str], ...]]] = []
        self.verbatims: list[Verbatim] = []

    def add(self, text: str) -> None:
        """Append text."""
        self.parts.append(text)
        self.length += len(text)

    def add_items(self, items: list[Item]) -> None:
        """Append text, verbatim pieces and markup, depth first."""
        for item in items:
            if isinstance(item, str):
                self.add(item)
            elif isinstance(item, Verbatim):
                self.verbatims.append(item)
                self.add(SENTINEL)
            else:
                start = self.length
                self.add_items(item.children)
                self.spans.append((start, self.length, item.kind, item.attrs))

    def finish(self) -> tuple[str, list[Span]]:
        """The one-line text and its spans (markup trimmed to the words it holds)."""
        collapsed, first = collapse("".join(self.parts))
        text, second, codes = take_out(collapsed, [v.literal for v in self.verbatims])
        spans = [
            Span(at, at, "code", (("space", space), *v.attrs), literal)
            for (at, space, literal), v in zip(codes, self.verbatims)
        ]
        for start, end, kind, attrs in self.spans:
            a, b = second[first[start]], second[first[end]]
            while a < b and text[a] == " ":
                a += 1
            while b > a and text[b - 1] == " ":
                b -= 1
            if a < b:
                spans.append(Span(a, b, kind, attrs))
        spans.sort(key=lambda s: (s.start, -s.end))
        return text, spans


def collapse(raw: str) -> tuple[str, list[int]]:
    """`raw` with whitespace runs as one space and no space at either end, and where each
    position of `raw` went."""
    chars: list[str] = []
    where: list[int] = []
    for ch in raw:
        where.append(len(chars))
        if not ch.isspace():
            chars.append(ch)
        elif chars and chars[-1] != " ":
            chars.append(" ")
    if chars and chars[-1] == " ":
        chars.pop()
    where.append(len(chars))
    return "".join(chars), [min(w, len(chars)) for w in where]


def take_out(text: str, literals: list[str]) -> tuple[str, list[int], list[tuple[int, str, str]]]:
    """`text` without its sentinels, where each position went, and each verbatim piece's
    (position, space, literal), spaces handled as take_out_placeholders does: one space
    stays where the piece stood between words, none before punctuation or at the ends."""
    out: list[str] = []
    where = [0] * (len(text) + 1)
    codes: list[tuple[int, str, str]] = []
    pieces = iter(literals)
    skip = False
    for i, ch in enumerate(text):
        where[i] = len(out)
        if skip or ch != SENTINEL:
            if not skip:
                out.append(ch)
            skip = False
            continue
        before, after = i > 0 and text[i - 1] == " ", i + 1 < len(text) and text[i + 1] == " "
        following = text[i + 1] if i + 1 < len(text) else ""
        if after and (not out or out[-1] == " "):
            skip = True  # "a `x` b" → "a b"; "`x` b" → "b"
        elif before and out and out[-1] == " " and not following.isalnum():
            out.pop()  # "a `x`." → "a."
            where = [min(w, len(out)) for w in where]
            codes = [(min(at, len(out)), space, lit) for at, space, lit in codes]
        space = {(True, True): "both", (True, False): "before", (False, True): "after"}.get((before, after), "none")
        codes.append((len(out), space, next(pieces)))
    where[len(text)] = len(out)
    return "".join(out), where, codes


# --- writing Markdown ---------------------------------------------------------------------


def to_markdown(block: Block, kind: str, indent: str = "") -> str:
    """A block's text and spans as Markdown for a place of `kind`: one line, but for the
    hard line breaks of a paragraph or setext heading, after which a line starts with
    `indent` (the source's container marks and indentation)."""
    spans = [
        (after_punctuation(block.text, s) if s.attr("break") else s)
        for s in block.spans
        if not s.attr("break") or (kind == "text" and inside(block, s))
    ]
    out: list[str] = []
    write(nest(Block(block.path, block.text, spans, block.flags)), out, kind == "cell", True)
    text = "".join(out).strip()
    if kind == "atx" and text.endswith("#") and not text.endswith("\\#"):
        text = text[:-1] + "\\#"  # else a closing sequence, dropped from the heading
    return text.replace("\n", "\n" + indent)


def inside(block: Block, span: Span) -> bool:
    """Whether text or another verbatim piece stands both before and after `span`: a hard
    line break at either end of a block would break nothing (or show a backslash)."""
    others = [s.start for s in block.spans if s.kind in VERBATIM and not s.attr("break")]
    before = block.text[: span.start].strip() or any(at < span.start for at in others)
    after = block.text[span.start :].strip() or any(at > span.start for at in others)
    return bool(before and after)


def after_punctuation(text: str, span: Span) -> Span:
    """A hard break moved past the punctuation right after it ("mat|. Hij" → "mat.|Hij"):
    a line never starts with the full stop of the line before."""
    m = CLOSING.match(text, span.start)
    return Span(m.end(), m.end(), span.kind, span.attrs, span.literal) if m else span


def continuation(text: str, place: Place) -> str:
    """What starts the second line of a block that spans lines in the source (its
    containers' marks and indentation): the start of each line after a hard break."""
    newline = text.find("\n", place.start, place.end)
    if newline < 0:
        return ""
    m = CONTINUATION.match(text, newline + 1, place.end)
    return m.group() if m else ""


def write(items: list[str | Node], out: list[str], cell: bool, line_start: bool) -> None:
    """Append the Markdown of `items` to `out`; `line_start`: `out` starts the line."""
    started = not line_start  # once something shows, no later piece starts the line
    for item in items:
        if isinstance(item, str):
            piece = escape(item, not started)
        elif item.span.kind == "code" and item.span.attr("break"):
            # a break on a line with nothing on it yet would leave a blank line: a new paragraph
            piece = ("\\\n" if item.span.attr("break") == "backslash" else "  \n") if started else ""
        elif item.span.kind == "code":
            piece = item.span.literal.replace("\n", " ")
            piece = piece.replace("|", "\\|") if cell else piece
        elif item.span.kind == "placeholder":
            piece = escape(item.span.literal, not started)
        else:
            piece = wrapped(item, cell, not started)
        out.append(piece)
        if "\n" in piece:  # a hard break: what follows starts a line, unless shown after it
            started = bool(piece.rsplit("\n", 1)[1].strip())
        else:
            started = started or bool(piece.strip())


def wrapped(node: Node, cell: bool, at_start: bool) -> str:
    """The Markdown of a markup node: emphasis with `*`, a link with its source form."""
    inner: list[str] = []
    write(node.children, inner, cell, at_start and node.span.kind not in ("em", "strong", "link"))
    text = "".join(inner)
    kind = node.span.kind
    if kind == "link":
        tail = node.span.attr("source") or link_destination(node.span.attr("href"), node.span.attr("title"))
        return "[" + text + "]" + (tail.replace("|", "\\|") if cell else tail)
    core = text.strip()
    if kind not in ("em", "strong") or not core:
        return text
    # `*` rather than `_`: it also works inside a word, where the English may put it
    mark = "*" if kind == "em" else "**"
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return lead + mark + core + mark + trail


def escape(text: str, line_start: bool) -> str:
    """Plain text as Markdown that reads back as the same text: characters that could open
    markup escaped, and at the start of a line those that could open a block."""
    text = ESCAPE.sub(lambda m: "\\" + m.group(), re.sub(r"\s+", " ", text))
    if line_start:
        text = text.lstrip()
        m = LINE_START.match(text)
        if m and m.group()[0].isdigit():
            text = text[: m.end()] + "\\" + text[m.end() :]
        elif m:
            text = "\\" + text
    return text
