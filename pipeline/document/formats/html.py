"""HTML documents, read and written with lxml.html (malformed HTML is parsed as browsers do:
content after `</body>` or `</html>`, which lxml would drop, is part of the body).

Blocks, in reading order:
- the text of every element that is not inline (h1–h6, p, li, td/th, blockquote, dd, dt,
  caption, figcaption, and any div, section, body… holding text of its own): each run of
  inline content between its block-level children is one block, its path the element's
  tag ("p", "li", "div"), a table cell's "td[row,col]" / "th[row,col]" (1-based in its table),
  a cell of a table nested in a cell after that cell's path ("td[3,1]/td[1,2]");
- the translated attributes: `alt` of img/area/input ("img[alt]"), every `title` ("abbr[title]"),
  and `<meta name="description" content>` ("meta[description]").

Inline children are markup over the words: em/i → "em", strong/b → "strong", a → "link", other
inline tags → "format"; each span's attrs are the element's attributes plus ("tag", name).
Code (code, kbd, samp), line breaks, images, comments, scripts, elements marked
`translate="no"` or class "notranslate", footnote marks (a sup or sub without letters:
`mat<sup><a href="#fn1">2</a></sup>`), and inline elements without words are verbatim
`code` spans whose literal is their outer HTML: they come back as they were.

A non-breaking space (`&nbsp;`) is a plain space in the block's text (one line, as MT gets
it). The English gets one back between the same two words where they stand side by side
again ("€ 5", "10 km", a name): words MT changed ("Prijs&nbsp;van" → "Price of") get a
plain space, and a run of spaces around a non-breaking one comes back as that one alone.

Untouched: script, style, pre, template, svg, math, textarea, the head (but for its metadata),
comments, and everything marked not to be translated. Metadata (never translated): `<title>` →
"title", `<html lang>` → "lang", `<meta name|property=… content=…>` → meta by its name.

The output is UTF-8 (a declared charset is changed to utf-8), its `<html lang>` "en".
`extract_main` keeps the main content of a crawled page only (trafilatura, `--extract`).
"""

from __future__ import annotations

import codecs
import copy
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from pipeline.document.formats.base import (
    PLACEHOLDER,
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
from pipeline.errors import InputError, UserError
from pipeline.textio import clean_text, decode, normalise_space

# Elements that start a new block: their own text is never part of the text around them.
BLOCK_LEVEL = frozenset(
    "address article aside blockquote body caption center colgroup col datalist dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form frameset frame h1 h2 h3 h4 h5 h6 head header hgroup hr html legend li "
    "main menu nav noframes ol optgroup option p pre search section select summary table tbody td tfoot th thead "
    "title tr ul xmp listing plaintext".split()
)
# Never translated, their content byte for byte: skipped as blocks, verbatim inside text.
UNTOUCHED = frozenset("script style pre code kbd samp template svg math textarea xmp listing plaintext head".split())
# Inline elements that are verbatim though not untouched: no words of their own (their
# `alt`/`title` is still translated).
EMBEDDED = frozenset(
    "br wbr img input area embed iframe object canvas video audio picture source track meter progress".split()
)
# Empty elements (void in HTML5) that lxml's parser lets hold the text after them.
VOID = ("wbr", "source", "track", "embed", "keygen")
NOTE_MARKS = ("sup", "sub")  # without letters: a footnote or reference mark, verbatim
SPACED = frozenset(("br",))  # a line break separates words: the text keeps a space there
WRAP_KIND = {"em": "em", "i": "em", "strong": "strong", "b": "strong", "a": "link"}
ALT_TAGS = ("img", "area", "input")
MARKER = "nlen_verbatim_"  # {{nlen_verbatim_N}}: where a verbatim element stood while the text is built
_PIECE = re.compile(r"\s+|\S+")
_SPACES = re.compile(r"(\s+)")
_WORD_SPACE = re.compile(r"(\S+) (?=(\S+))")  # a word and the one space after it, the next word
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # lxml refuses these in text
_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""")
_WHOLE_DOCUMENT = re.compile(r"<(?:!doctype|html|head|body|title|meta)[\s>/]", re.I)
# Content after </body> or </html>: what a browser still shows as part of the body.
RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes plaintext".split())
_BODY_END = re.compile(r"</(?:body|html)\s*>", re.I)
_TRAILER = re.compile(r"(?:\s|<!--(?:[^-]|-(?!->))*-->|</(?:body|html)\s*>)*", re.I)
_TAG_NAME = re.compile(r"[A-Za-z][^\s/>]*")
_ATTR_STOP = re.compile(r"[>=]")


@dataclass(frozen=True)
class _Run:
    """Where a text block lives: the inline content of element `parent` that starts with the
    tail of its child `after` (-1: with its text) and holds its `children`; elements by their
    position in `iter()` order. `pieces`: its inline elements and the span key each one gave."""

    parent: int
    after: int
    children: tuple[int, ...]
    lead: str  # whitespace around the run in the source, kept around the English
    trail: str
    pieces: tuple[tuple[int, tuple[Any, ...]], ...]
    nbsp: tuple[tuple[str, str], ...] = ()  # the words a non-breaking space stood between


@dataclass(frozen=True)
class _Attr:
    """An attribute block: attribute `name` of the element at position `element`; `nbsp`:
    the words a non-breaking space stood between in its value."""

    element: int
    name: str
    nbsp: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Tree:
    """What `render` needs: the parsed document, where each block lives, and how it was written."""

    doc: Any  # lxml ElementTree
    units: tuple[_Run | _Attr, ...]
    fragment: bool  # a piece of HTML without <html>/<body>: written back without them


@register_format
class HtmlFormat(DocumentFormat):
    """HTML pages: blocks from lxml.html's parse, written back into the same tree."""

    name = "HTML"
    suffixes = (".html", ".htm")
    max_bytes = 50_000_000

    def parse(self, data: bytes, path: Path) -> ParsedDocument:
        """The blocks, metadata and tree of the HTML page `data`."""
        check_size(data, path, self)
        text = _decode(data, path)
        doc = _parse_html(text, path)
        meta = _read_meta(doc)
        state = _State({el: i for i, el in enumerate(doc.getroot().iter())})
        _read_description(state, doc)
        _walk(state, doc.getroot())
        if not state.blocks:
            raise InputError(str(path), "no text to translate (no headings, paragraphs or other text in the page)")
        tree = _Tree(doc, tuple(state.units), not _WHOLE_DOCUMENT.search(text))
        return ParsedDocument(state.blocks, meta, tree)

    def render(self, parsed: ParsedDocument, english: list[Block]) -> bytes:
        """The page with each block's English in place (inline markup rebuilt from its spans)."""
        tree: _Tree = parsed.tree
        if len(english) != len(tree.units):
            raise ValueError(f"{len(english)} English blocks for {len(tree.units)} HTML blocks")
        doc = copy.deepcopy(tree.doc)
        elements = list(doc.getroot().iter())
        for unit, block in zip(tree.units, english):
            block = _restore_nbsp(block, unit.nbsp)
            if isinstance(unit, _Attr):
                elements[unit.element].set(unit.name, _clean(_flat(nest(block))))
            else:
                _fill_run(elements, unit, block)
        _mark_english(doc)
        return _serialize(doc, tree.fragment)

    def extract(self, data: bytes, path: Path) -> bytes:
        """The main content of a crawled page (`--extract`): `extract_main`."""
        return extract_main(data, path)


# --- reading ---------------------------------------------------------------------------------


def _decode(data: bytes, path: Path | str) -> str:
    """The page's text: UTF-8 unless it declares another charset (BOM, <meta charset>, <?xml?>);
    bytes that are not text in that charset are an InputError."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and not data.startswith(b"\xff\xfe\x00\x00"):
        try:
            return clean_text(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise InputError(
                str(path), "not valid UTF-16 text, though it starts with a UTF-16 byte-order mark"
            ) from None
    head = data[:4096]
    found = _XML_ENCODING.search(head) or _CHARSET.search(head)
    codec = _codec(found.group(1)) if found else None
    if codec is None or data.startswith(b"\xef\xbb\xbf"):
        try:
            return decode(data, path)  # UTF-8, with the project's messages for what is not
        except InputError as exc:
            if "not valid UTF-8" in exc.problem:
                raise InputError(str(path), f"{exc.problem}, or declare its charset (<meta charset=...>)") from None
            raise
    try:
        return clean_text(data.decode(codec))
    except UnicodeDecodeError as exc:
        if codec == "cp1252":  # the five bytes Windows-1252 leaves undefined: as browsers, Latin-1
            return clean_text(data.decode("latin-1"))
        raise InputError(
            str(path),
            f"not valid {codec} text (the charset it declares): byte 0x{data[exc.start]:02x} at offset {exc.start}",
        ) from None


def _codec(name: bytes) -> str | None:
    """The Python codec of a declared charset; None where the page is read as UTF-8: UTF-8
    itself, UTF-16/32 (declared in a page that is not, which browsers read as UTF-8), and a
    charset Python does not know."""
    try:
        codec = codecs.lookup(name.decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    if codec in ("ascii", "iso8859-1", "latin-1", "cp1252"):
        return "cp1252"  # as browsers read them
    return None if codec.startswith(("utf-8", "utf-16", "utf-32")) else codec


def _parse_html(text: str, path: Path | str) -> Any:
    """lxml's tree of the page; an InputError when there is nothing to parse."""
    if not text.strip():
        raise InputError(str(path), "empty: no text to translate")
    parser = lxml.html.HTMLParser(encoding="utf-8", default_doctype=False)
    try:
        root = lxml.html.document_fromstring(_without_early_end_tags(text).encode("utf-8"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(str(path), f"cannot be parsed as HTML: {' '.join(str(exc).split())}") from None
    _empty_voids(root)
    return root.getroottree()


def _without_early_end_tags(text: str) -> str:
    """`text` without the `</body>` and `</html>` end tags that have content after them.
    Browsers ignore those tags and show what follows as part of the body; lxml (libxml2)
    drops everything after `</html>`. The common page, whose end tags are followed by
    nothing but whitespace and comments, is returned as it is, unscanned."""
    first = _BODY_END.search(text)
    if first is None or _TRAILER.fullmatch(text, first.end()):
        return text
    tags, last = _scan_end_tags(text)
    early = [(start, end) for start, end in tags if start < last]
    if not early:
        return text
    parts, pos = [], 0
    for start, end in early:
        parts.append(text[pos:start])
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _scan_end_tags(text: str) -> tuple[list[tuple[int, int]], int]:
    """The [start, end) of each `</body>` and `</html>` end tag of `text` (not those in
    comments, raw text such as scripts, or attribute values), and where the page's last
    content (anything but whitespace, comments and those end tags) ends."""
    tags: list[tuple[int, int]] = []
    last = pos = 0
    while (lt := text.find("<", pos)) >= 0:
        if text[pos:lt].strip():
            last = lt
        end, kind = _markup_at(text, lt)
        if kind == "body-end":
            tags.append((lt, end))
        elif kind != "comment":
            last = end
        pos = end
    if text[pos:].strip():
        last = len(text)
    return tags, last


def _markup_at(text: str, lt: int) -> tuple[int, str]:
    """Where the markup that starts with the `<` at `lt` ends, and its kind: "comment"
    (comments, doctype, processing instructions), "body-end" (`</body>`, `</html>`), "tag"
    (other tags; a script, style… with its raw text) or "text" (a `<` that opens nothing).
    Linear: each character is looked at a bounded number of times."""
    if text.startswith("<!--", lt):
        close = text.find("-->", lt + 4)
        return (len(text) if close < 0 else close + 3), "comment"
    if text.startswith(("<!", "<?"), lt):
        close = text.find(">", lt)
        return (len(text) if close < 0 else close + 1), "comment"
    name = _TAG_NAME.match(text, lt + 1 + text.startswith("</", lt))
    if name is None:
        return lt + 1, "text"
    end = _tag_end(text, name.end())
    if text.startswith("</", lt):
        return end, "body-end" if name.group().lower() in ("body", "html") else "tag"
    if name.group().lower() in RAW_TEXT:
        raw_end = re.compile(f"</{re.escape(name.group())}(?=[\\s/>])", re.I).search(text, end)
        end = len(text) if raw_end is None else raw_end.start()
    return end, "tag"


def _tag_end(text: str, pos: int) -> int:
    """The end of the tag whose attributes start at `pos`: after its `>`, quoted attribute
    values skipped (a `>` inside one does not end the tag)."""
    while (stop := _ATTR_STOP.search(text, pos)) is not None:
        if stop.group() == ">":
            return stop.end()
        pos = stop.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos < len(text) and text[pos] in "\"'":
            close = text.find(text[pos], pos + 1)
            pos = len(text) if close < 0 else close + 1
    return len(text)


def _empty_voids(root: Any) -> None:
    """What lxml put inside a void element (a<wbr>b → <wbr>b</wbr>) moved after it, as browsers read it."""
    for el in list(root.iter(*VOID)):
        if el.text is None and not len(el):
            continue
        tail, el.tail, el.text = el.tail, el.text, None
        previous = el
        for child in list(el):
            previous.addnext(child)  # the child's tail moves with it
            previous = child
        previous.tail = ((previous.tail or "") + (tail or "")) or None


def _read_meta(doc: Any) -> dict[str, str]:
    """`<title>`, `<html lang>` and the named `<meta>` contents (the first of each name)."""
    root, meta = doc.getroot(), {}
    title = root.xpath("//title[not(ancestor::svg)]")
    if title and normalise_space(title[0].text_content()):
        meta["title"] = normalise_space(title[0].text_content())
    lang = root.get("lang") or root.get("xml:lang")
    if lang and lang.strip():
        meta["lang"] = lang.strip()
    for el in root.iter("meta"):
        name, content = el.get("name") or el.get("property"), el.get("content")
        if name and name.strip() and content is not None:
            meta.setdefault(name.strip().lower(), normalise_space(content))
    return meta


class _State:
    """The blocks read so far and where each one lives."""

    def __init__(self, index: dict[Any, int]):
        self.index = index  # element → its position in the document's iter() order
        self.blocks: list[Block] = []
        self.units: list[_Run | _Attr] = []
        self.rows: dict[Any, dict[Any, int]] = {}  # table → its rows' numbers

    def add(self, block: Block, unit: _Run | _Attr) -> None:
        """Keep `block` (when it has text) and where it lives."""
        if block.text:
            self.blocks.append(block)
            self.units.append(unit)


def _read_description(state: _State, doc: Any) -> None:
    """`<meta name="description">`: translated, as an attribute block of its `content`."""
    for el in doc.getroot().iter("meta"):
        if (el.get("name") or "").strip().lower() == "description" and el.get("content"):
            text = normalise_space(el.get("content"))
            unit = _Attr(state.index[el], "content", _nbsp_pairs(el.get("content")))
            state.add(take_out_placeholders(Block("meta[description]", text)), unit)


def _is_element(el: Any) -> bool:
    """Whether `el` is an element (not a comment or processing instruction)."""
    return isinstance(el.tag, str)  # comments and processing instructions have a function as tag


def _no_translate(el: Any) -> bool:
    """Marked not to be translated: HTML's translate="no", or the common class "notranslate"."""
    return (el.get("translate") or "").strip().lower() == "no" or "notranslate" in (el.get("class") or "").split()


def _is_inline(el: Any) -> bool:
    """Part of the text around it (a comment, an inline element without blocks inside)."""
    if not _is_element(el):
        return True
    if el.tag in BLOCK_LEVEL:
        return False
    if el.tag in UNTOUCHED or el.tag in EMBEDDED:
        return True
    return not any(_is_element(d) and d.tag in BLOCK_LEVEL for d in el.iterdescendants())


def _walk(state: _State, el: Any) -> None:
    """The blocks of block-level element `el` and of everything in it, in reading order."""
    if el.tag in UNTOUCHED or _no_translate(el):
        return
    _attribute_blocks(state, el)
    after, run = None, []
    for child in el:
        if _is_inline(child):
            run.append(child)
            continue
        _read_run(state, el, after, run)
        _walk(state, child)
        after, run = child, []
    _read_run(state, el, after, run)


def _attribute_blocks(state: _State, el: Any) -> None:
    """The `alt` and `title` of `el`, as blocks of their own."""
    names = ("alt", "title") if el.tag in ALT_TAGS else ("title",)
    for name in names:
        value = normalise_space(el.get(name) or "")
        if value:
            block = take_out_placeholders(Block(f"{el.tag}[{name}]", value))
            state.add(block, _Attr(state.index[el], name, _nbsp_pairs(el.get(name))))


def _touched(el: Any) -> Iterator[Any]:
    """`el` and its descendants, but for comments and what is left untouched."""
    if not _is_element(el) or el.tag in UNTOUCHED or _no_translate(el):
        return
    yield el
    for child in el:
        yield from _touched(child)


def _read_run(state: _State, parent: Any, after: Any, children: list[Any]) -> None:
    """The block of `parent`'s inline content after its child `after` (None: from its text),
    the inline `children` and their tails; then the attribute blocks inside it."""
    slot = (parent.text if after is None else after.tail) or ""
    if not children and not slot.strip():
        return  # whitespace between blocks
    text = _Text()
    text.add(slot)
    for child in children:
        _read_inline(state, text, child)
        text.add(child.tail)
    end = (children[-1].tail if children else slot) or ""
    run = _Run(
        state.index[parent],
        -1 if after is None else state.index[after],
        tuple(state.index[child] for child in children),
        slot[: len(slot) - len(slot.lstrip())],
        end[len(end.rstrip()) :],
        tuple(text.pieces),
        _nbsp_pairs("".join(text.raw)),
    )
    state.add(text.block(_block_path(state, parent)), run)
    for child in children:
        for el in _touched(child):
            _attribute_blocks(state, el)


def _is_verbatim(el: Any) -> bool:
    """An inline element that comes back as it was: code, embedded content, a note mark, no words."""
    if not _is_element(el) or _is_verbatim_tag(el):
        return True
    return not _has_words(el)


def _has_words(el: Any) -> bool:
    """Whether `el` holds text to translate (not counting verbatim elements and placeholders)."""
    if _words(el.text):
        return True
    for child in el:
        if _words(child.tail):
            return True
        if _is_element(child) and not _is_verbatim_tag(child) and _has_words(child):
            return True
    return False


def _is_verbatim_tag(el: Any) -> bool:
    """Verbatim whatever it holds: untouched, embedded, marked not to translate, a note mark."""
    return el.tag in UNTOUCHED or el.tag in EMBEDDED or _no_translate(el) or _is_note_mark(el)


def _is_note_mark(el: Any) -> bool:
    """A footnote or reference mark: a sup or sub without letters (`<sup>2</sup>`,
    `<sup><a href="#fn1">[1]</a></sup>`), not part of the sentence. One that holds no link
    and runs on into a word ("H<sub>2</sub>O", "CO<sub>2</sub>-uitstoot") is part of that word, not a mark."""
    if el.tag not in NOTE_MARKS:
        return False
    content = el.text_content()
    if not content.strip() or any(c.isalpha() for c in content):
        return False
    follows = (el.tail or "")[:1]
    return next(el.iter("a"), None) is not None or not (follows.isalnum() or follows == "-")


def _separates_words(el: Any) -> bool:
    """A verbatim element that stands for a space: a line break, or an inline element holding
    only whitespace ("word<b> </b>word")."""
    if not _is_element(el) or el.tag in UNTOUCHED or el.tag in EMBEDDED:
        return _is_element(el) and el.tag in SPACED
    content = el.text_content()
    return bool(content) and not content.strip()


def _words(text: str | None) -> bool:
    """Whether `text` holds words (anything but whitespace and placeholders)."""
    return bool(text) and bool(PLACEHOLDER.sub("", text or "").strip())


def _read_inline(state: _State, text: _Text, el: Any) -> None:
    """Inline element `el` into `text`: its words under a span, or a verbatim piece."""
    index = state.index[el]
    if _is_verbatim(el):
        literal = etree.tostring(el, method="html", encoding="unicode", with_tail=False)
        text.verbatim(literal, _separates_words(el))
        text.pieces.append((index, ("code", literal.strip())))
        return
    kind = WRAP_KIND.get(el.tag, "format")
    attrs = (*((str(k), str(v)) for k, v in el.attrib.items()), ("tag", el.tag))
    opened = text.open(kind, attrs)
    text.pieces.append((index, (kind, attrs)))
    text.add(el.text)
    for child in el:
        _read_inline(state, text, child)
        text.add(child.tail)
    text.close(opened)


def _block_path(state: _State, el: Any) -> str:
    """The block's kind and place: its tag; a table cell's tag[row,column], after the cells
    of the tables it is nested in ("td[3,1]/td[1,2]": row 1, column 2 of a table inside
    the cell at row 3, column 1)."""
    if el.tag not in ("td", "th"):
        return el.tag
    cells = [el, *(a for a in el.iterancestors("td", "th"))]
    return "/".join(_cell_path(state, cell) for cell in reversed(cells))


def _cell_path(state: _State, el: Any) -> str:
    """A table cell's tag[row,column] in its own table (1-based; columns count colspans)."""
    table, row = next(el.iterancestors("table"), None), el.getparent()
    if table is None or row is None or row.tag != "tr":
        return el.tag
    if table not in state.rows:  # the table's own rows, not those of tables inside it
        rows = [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]
        state.rows[table] = {tr: n for n, tr in enumerate(rows, 1)}
    column = 1
    for cell in row:
        if cell is el:
            break
        if _is_element(cell) and cell.tag in ("td", "th"):
            column += _colspan(cell)
    return f"{el.tag}[{state.rows[table].get(row, 0)},{column}]"


def _colspan(cell: Any) -> int:
    """The number of columns table cell `cell` spans (1 where its colspan is not a number)."""
    try:
        return max(1, int(cell.get("colspan", "1")))
    except ValueError:
        return 1


class _Text:
    """A block's text as it is built: whitespace runs collapsed to one space as pieces arrive,
    spans recorded where they open and close, verbatim pieces held by markers."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.space = True  # no space at the start
        self.spans: list[list[Any]] = []  # [start, end, kind, attrs], in the order they open
        self.literals: dict[str, str] = {}  # marker → verbatim HTML
        self.pieces: list[tuple[int, tuple[Any, ...]]] = []  # (element position, span key)
        self.raw: list[str] = []  # the source text as it came, verbatim pieces as markers

    def add(self, raw: str | None) -> None:
        """Append source text `raw`."""
        self.raw.append(raw or "")
        for match in _PIECE.finditer(raw or ""):
            piece = match.group()
            if not piece[0].isspace():
                self._put(piece)
                self.space = False
            elif not self.space:
                self._put(" ")
                self.space = True

    def _put(self, piece: str) -> None:
        """Append `piece` to the text."""
        self.parts.append(piece)
        self.length += len(piece)

    def open(self, kind: str, attrs: tuple[tuple[str, str], ...]) -> int:
        """Open a span here; returns its handle for `close`."""
        self.spans.append([self.length, self.length, kind, attrs])
        return len(self.spans) - 1

    def close(self, handle: int) -> None:
        """Close the span `handle` here."""
        self.spans[handle][1] = self.length

    def verbatim(self, literal: str, spaced: bool) -> None:
        """A verbatim piece here; `spaced`: it separates words (a line break)."""
        marker = "{{" + f"{MARKER}{len(self.literals)}" + "}}"
        self.literals[marker] = literal
        self.add(" " if spaced else "")
        self.add(marker)
        self.add(" " if spaced else "")

    def block(self, path: str) -> Block:
        """The finished block: spans trimmed to the words they hold, placeholders and verbatim
        pieces taken out as zero-width spans."""
        text = "".join(self.parts).rstrip(" ")
        spans = []
        for start, end, kind, attrs in self.spans:
            start, end = min(start, len(text)), min(end, len(text))
            while start < end and text[start] == " ":
                start += 1
            while end > start and text[end - 1] == " ":
                end -= 1
            spans.append(Span(start, end, kind, attrs))
        spans.sort(key=lambda s: (s.start, -s.end))
        block = take_out_placeholders(Block(path, text, spans))
        spans = [
            Span(s.start, s.end, "code", s.attrs, self.literals[s.literal])
            if s.kind == "placeholder" and s.literal in self.literals
            else s
            for s in block.spans
        ]
        return Block(path, block.text, spans)


# --- writing ---------------------------------------------------------------------------------


def _fill_run(elements: list[Any], run: _Run, block: Block) -> None:
    """Put the English of `block` in place of the run's inline content, reusing its elements
    (attributes, and verbatim pieces exactly as they were)."""
    parent = elements[run.parent]
    pools: dict[tuple[Any, ...], list[Any]] = {}
    for index, key in run.pieces:
        pools.setdefault(key, []).append(elements[index])
    for index in run.children:
        parent.remove(elements[index])
    after = None if run.after == -1 else elements[run.after]
    _place(parent, after, [run.lead, *_build(nest(block), pools), run.trail])


def _build(nodes: list[str | Node], pools: dict[tuple[Any, ...], list[Any]]) -> list[Any]:
    """Strings and elements for `nodes` (nest()'s tree of a block's text and spans)."""
    out: list[Any] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(_clean(node))
        elif node.span.kind == "placeholder":
            out.append(_clean(node.span.literal))
        elif node.span.kind == "code":
            out.extend(_verbatim(node.span.literal, pools))
        else:
            el = _wrapper(node.span, pools)
            _place(el, None, _build(node.children, pools))
            out.append(el)
    return out


def _verbatim(literal: str, pools: dict[tuple[Any, ...], list[Any]]) -> list[Any]:
    """A verbatim piece, with the spaces it was padded with: the source's own element where
    there is one left, else a parse of the literal."""
    core = literal.strip()
    lead, trail = literal[: len(literal) - len(literal.lstrip())], literal[len(literal.rstrip()) :]
    pool = pools.get(("code", core))
    if pool:
        el = pool.pop(0)
        el.tail = None
        return [lead, el, trail]
    pieces = lxml.html.fragments_fromstring(core) if core else []
    return [lead, *pieces, trail]


def _wrapper(span: Span, pools: dict[tuple[Any, ...], list[Any]]) -> Any:
    """The element for a wrapping span, emptied: the source's own where there is one left."""
    pool = pools.get((span.kind, span.attrs))
    if pool:
        el = pool.pop(0)
        for child in list(el):
            el.remove(child)
        el.text = el.tail = None
        return el
    tag = span.attr("tag") or {"em": "em", "strong": "strong", "link": "a"}.get(span.kind, "span")
    el = lxml.html.Element(tag)
    for key, value in span.attrs:
        if key != "tag":
            try:
                el.set(key, value)
            except ValueError:  # a name HTML allows and lxml does not (Vue's @click): left out
                pass
    return el


def _place(parent: Any, previous: Any, items: list[Any]) -> None:
    """Insert `items` (strings and elements) into `parent` after its child `previous` (None:
    at its start)."""
    texts: list[str] = []
    for item in items:
        if isinstance(item, str):
            texts.append(item)
            continue
        _set_slot(parent, previous, "".join(texts))
        texts = []
        if previous is None:
            parent.insert(0, item)
        else:
            previous.addnext(item)  # by reference: a child's position would cost a walk of the list
        previous = item
    _set_slot(parent, previous, "".join(texts))


def _set_slot(parent: Any, previous: Any, text: str) -> None:
    """Set the text after `parent`'s child `previous` (None: `parent`'s own text) to `text`."""
    if previous is None:
        parent.text = text or None
    else:
        previous.tail = text or None


def _flat(nodes: list[str | Node]) -> str:
    """The plain text of `nodes`, verbatim pieces as their literal (an attribute's value)."""
    return "".join(node if isinstance(node, str) else node.span.literal + _flat(node.children) for node in nodes)


def _nbsp_pairs(raw: str) -> tuple[tuple[str, str], ...]:
    """The (word before, word after) of each non-breaking space between two words of the
    source text `raw` (words: runs of non-space characters)."""
    if "\xa0" not in raw:
        return ()
    parts = _SPACES.split(raw)  # words at even indexes, the whitespace between at odd ones
    pairs = {
        (parts[i - 1], parts[i + 1])
        for i in range(1, len(parts) - 1, 2)
        if "\xa0" in parts[i] and parts[i - 1] and parts[i + 1]
    }
    return tuple(sorted(pairs))


def _restore_nbsp(block: Block, pairs: tuple[tuple[str, str], ...]) -> Block:
    """`block` with a non-breaking space again between each two words that stood on either
    side of one in the source: the same two words side by side in the English (a number and
    its unit, a name, "€ 5"). Elsewhere the space the text was normalised to stays."""
    if not pairs:
        return block
    wanted = set(pairs)
    chars = list(block.text)
    for m in _WORD_SPACE.finditer(block.text):
        if (m.group(1), m.group(2)) in wanted:
            chars[m.end() - 1] = "\xa0"
    return Block(block.path, "".join(chars), block.spans, block.flags)


def _clean(text: str) -> str:
    """`text` without the characters XML (and so lxml) refuses."""
    return _NOT_XML.sub("", text)


def _mark_english(doc: Any) -> None:
    """The written page says it is English and UTF-8."""
    root = doc.getroot()
    for name in ("lang", "xml:lang"):
        if root.get(name) is not None:
            root.set(name, "en")
    for el in root.iter():
        if _is_element(el) and el is not root and (el.get("lang") or "").lower().startswith("nl"):
            el.set("lang", "en")
    for el in root.iter("meta"):
        if el.get("charset") is not None and el.get("charset", "").lower() not in ("utf-8", "utf8"):
            el.set("charset", "utf-8")
        equiv, content = (el.get("http-equiv") or "").lower(), el.get("content") or ""
        if equiv == "content-type" and "charset" in content.lower():
            el.set("content", re.sub(r"charset\s*=\s*[^;\s]+", "charset=utf-8", content, flags=re.I))
        elif equiv == "content-language" and content:
            el.set("content", "en")


def _serialize(doc: Any, fragment: bool) -> bytes:
    """The page's bytes (its doctype kept); a fragment without the <html>, <head> and <body>
    that lxml put around it."""
    if not fragment:
        return etree.tostring(doc, method="html", encoding="utf-8")
    root = doc.getroot()
    parts = [_markup(x) for x in reversed(list(root.itersiblings(preceding=True)))]
    for part in root:
        if _is_element(part) and part.tag in ("head", "body"):
            parts.append(html.escape(part.text or "", quote=False))
            parts += [_markup(child) for child in part]
        else:
            parts.append(_markup(part))
    parts += [_markup(x) for x in root.itersiblings()]
    return "".join(parts).encode("utf-8")


def _markup(el: Any) -> str:
    """The HTML of `el` (its tail included)."""
    return etree.tostring(el, method="html", encoding="unicode")


# --- main content ----------------------------------------------------------------------------


def extract_main(data: bytes, path: Path | str) -> bytes:
    """The main content of a crawled page (`--extract`): trafilatura's HTML of its article
    (headings, paragraphs, lists, tables, emphasis and links), without navigation, ads and
    footers, with the page's `<title>`, `<html lang>` and named `<meta>` kept for its metadata.
    UserError when trafilatura is not installed; InputError when no main content is found."""
    try:
        import trafilatura  # optional: only --extract needs it
    except ImportError:
        raise UserError("--extract needs trafilatura: pip install trafilatura") from None
    check_size(data, path, HtmlFormat())
    text = _decode(data, path)
    page = _parse_html(text, path).getroot()
    main = trafilatura.extract(
        text,
        output_format="html",
        include_formatting=True,
        include_links=True,
        include_tables=True,
        include_images=True,
    )
    if not main or not normalise_space(lxml.html.document_fromstring(main).text_content()):
        raise InputError(str(path), "no main content found (--extract); translate the whole page without it")
    out = lxml.html.document_fromstring(main)
    head = out.find("head")
    if head is None:
        head = lxml.html.Element("head")
        out.insert(0, head)
    head.append(lxml.html.Element("meta", charset="utf-8"))
    kept = page.xpath("//title[not(ancestor::svg)] | //meta[@name or @property]")
    head.extend(copy.deepcopy(el) for el in kept)
    for el in head:
        el.tail = None
    for name in ("lang", "xml:lang"):
        if page.get(name):
            out.set(name, page.get(name))
    return b"<!DOCTYPE html>\n" + etree.tostring(out, method="html", encoding="utf-8")
