"""DOCX (python-docx): the paragraphs of the body, its tables and the headers and footers
are the blocks, and each run keeps its formatting.

Paths: "h1".."h9" (Heading styles, Title as "h1", an outline level), "li" (numbered
paragraphs and List styles), "p", "td[row,col]" for the paragraphs of a table cell (1-based,
per table, columns on the table grid), "header" and "footer" (each header or footer part
once, after the body). Inline: a run formatted unlike the paragraph's main formatting is a
span naming it (attr `run`): "strong" or "em" where it only adds bold or italics, "format"
otherwise; `w:hyperlink` is a "link" (attrs `link`, `r:id` or `anchor`); a tab, break,
image, field, footnote or comment reference, symbol, equation or content control is a
verbatim "code" span (attr `id`) that puts the original element back. The core properties
(title, author, created, language, …) are the metadata.

The writer opens the original bytes again and rebuilds only the runs of each translated
paragraph: each English piece gets a copy of the `w:rPr` of the run its span names (text
outside any span that of the paragraph's main run), links get their `w:hyperlink` back,
verbatim elements go back once each (any the English lost at the paragraph's end).
Paragraph properties, tables, sections, styles, numbering, images and every other part
are kept. Bookmarks and comment ranges move to the paragraph's start and end; proofing
marks are dropped; tracked changes come out accepted (an insertion kept as plain text, a
deletion dropped). Not translated: text boxes, footnotes and endnotes, content controls
and complex fields (their result stays as it was).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

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


def _w(tag: str) -> str:
    """The Clark name of a WordprocessingML tag."""
    return qn("w:" + tag)


_SPACES = {_w("tab"), _w("br"), _w("cr"), _w("ptab")}  # whitespace as elements: a space in the text
_DROPPED = {_w("proofErr"), _w("lastRenderedPageBreak"), _w("softHyphen"), _w("del"), _w("moveFrom")}
_WRAPPERS = {_w("smartTag"), _w("customXml"), _w("ins"), _w("moveTo")}  # their runs read as the paragraph's
_STARTS = {_w("bookmarkStart"), _w("commentRangeStart"), _w("permStart"), _w("moveToRangeStart")}
_ENDS = {_w("bookmarkEnd"), _w("commentRangeEnd"), _w("permEnd"), _w("moveToRangeEnd")}
_NAMES = {  # what a verbatim element is called in its literal
    "drawing": "image",
    "pict": "image",
    "object": "image",
    "fldSimple": "field",
    "fldChar": "field",
    "footnoteReference": "footnote",
    "endnoteReference": "endnote",
    "commentReference": "comment",
    "sym": "symbol",
    "oMath": "math",
    "oMathPara": "math",
    "sdt": "control",
}
_CORE = (
    "title",
    "subject",
    "author",
    "keywords",
    "category",
    "comments",
    "language",
    "created",
    "modified",
    "last_modified_by",
    "last_printed",
    "revision",
    "identifier",
    "version",
    "content_status",
)


@dataclass
class _Item:
    """A verbatim piece of a paragraph: the elements to put back. `run` ≥ 0: children of
    that run, put back in a new run with its properties; -1: paragraph-level elements."""

    elements: list[Any]
    run: int
    what: str
    space: bool  # whitespace-like (a tab, a break): it stands for a space in the text


@dataclass
class _Piece:
    """A piece of a paragraph in reading order: text of run `run`, or verbatim item `item`."""

    text: str
    run: int
    link: int  # index of the hyperlink around it, -1 for none
    item: int = -1


@dataclass
class _Para:
    """A paragraph read for translation; read again the same way from the same bytes, it
    gives the same indexes, which the spans' attrs name."""

    runs: list[Any] = field(default_factory=list)
    links: list[Any] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    pieces: list[_Piece] = field(default_factory=list)
    head: list[Any] = field(default_factory=list)  # range starts: put back at the paragraph's start
    tail: list[Any] = field(default_factory=list)  # range ends: put back at its end


@dataclass
class _DocxTree:
    """The format's tree: the file's bytes, and for each block its paragraph (index in
    `_paragraphs` order) and main run (whose formatting unmarked English text takes)."""

    data: bytes
    refs: list[tuple[int, int]]


def _field_char(run: Any) -> str:
    """The type of the run's complex-field character ("begin", "separate", "end"), or ""."""
    char = run.find(_w("fldChar"))
    return "" if char is None else char.get(_w("fldCharType"), "")


def _field_end(children: list[Any], i: int) -> int:
    """Index of the run that ends the complex field begun at children[i] (the last child
    when it does not end in this container)."""
    depth = 0
    for j in range(i, len(children)):
        kind = _field_char(children[j]) if children[j].tag == _w("r") else ""
        depth += {"begin": 1, "end": -1}.get(kind, 0)
        if depth == 0:
            return j
    return len(children) - 1


def _add_item(para: _Para, elements: list[Any], run: int, link: int, space: bool = False, what: str = "") -> None:
    """Record a verbatim piece at the current place."""
    name = etree.QName(elements[0]).localname
    para.items.append(_Item(elements, run, what or _NAMES.get(name, name), space))
    para.pieces.append(_Piece("", run, link, len(para.items) - 1))


def _read_run(run: Any, para: _Para, link: int) -> None:
    """A run's text and verbatim children."""
    para.runs.append(run)
    index = len(para.runs) - 1
    for child in run:
        if child.tag == _w("rPr") or child.tag in _DROPPED:
            continue
        if child.tag == _w("t"):
            para.pieces.append(_Piece(child.text or "", index, link))
        elif child.tag == _w("noBreakHyphen"):
            para.pieces.append(_Piece("-", index, link))
        else:
            _add_item(para, [child], index, link, space=child.tag in _SPACES)


def _read(container: Any, para: _Para, link: int = -1) -> _Para:
    """The pieces of a paragraph (or of a hyperlink or wrapper in it), in reading order."""
    children = list(container)
    i = 0
    while i < len(children):
        child = children[i]
        if child.tag == _w("r") and _field_char(child) == "begin":
            end = _field_end(children, i)  # a complex field, result and all, is one verbatim piece
            _add_item(para, children[i : end + 1], -1, link, what="field")
            i = end
        elif child.tag == _w("r"):
            _read_run(child, para, link)
        elif child.tag == _w("hyperlink"):
            para.links.append(child)
            _read(child, para, len(para.links) - 1)
        elif child.tag in _WRAPPERS:
            _read(child, para, link)
        elif child.tag in _STARTS:
            para.head.append(child)
        elif child.tag in _ENDS:
            para.tail.append(child)
        elif child.tag != _w("pPr") and child.tag not in _DROPPED:
            _add_item(para, [child], -1, link)
        i += 1
    return para


def _container(element: Any, place: str, out: list[tuple[str, Any]]) -> None:
    """The paragraphs of a body, cell, header or footer, tables' cells included, in order."""
    for child in element:
        if child.tag == _w("p"):
            out.append((place, child))
        elif child.tag == _w("tbl"):
            for row, tr in enumerate(child.findall(_w("tr")), 1):
                before = tr.find(f"{_w('trPr')}/{_w('gridBefore')}")
                column = 1 + (int(before.get(_w("val"), "0")) if before is not None else 0)
                for tc in tr.findall(_w("tc")):
                    _container(tc, f"td[{row},{column}]", out)
                    span = tc.find(f"{_w('tcPr')}/{_w('gridSpan')}")
                    column += int(span.get(_w("val"), "1")) if span is not None else 1


def _paragraphs(document: Any) -> list[tuple[str, Any]]:
    """Every paragraph read, as (place, w:p): place "" for the body's own paragraphs,
    "td[r,c]" in a table, "header" or "footer"; headers and footers after the body."""
    out: list[tuple[str, Any]] = []
    _container(document.element.body, "", out)
    seen = set()
    for sect in document.element.body.iter(_w("sectPr")):
        for ref in sect:
            if ref.tag not in (_w("headerReference"), _w("footerReference")):
                continue
            part = document.part.related_parts.get(ref.get(qn("r:id")))
            if part is None or part.partname in seen:
                continue
            seen.add(part.partname)
            _container(part.element, "header" if ref.tag == _w("headerReference") else "footer", out)
    return out


def _kind(p: Any, styles: dict[str, Any], default: Any) -> str:
    """A body paragraph's kind from its style (and the styles it is based on)."""
    ppr = p.find(_w("pPr"))
    style_id = ppr.find(_w("pStyle")) if ppr is not None else None
    style = styles.get(style_id.get(_w("val"))) if style_id is not None else default
    names: list[str] = []
    while style is not None and len(names) < 10:
        names.append((style.name or "").lower())
        style = style.base_style
    for name in names:
        m = re.fullmatch(r"heading ([1-9])", name)
        if m or name == "title":
            return f"h{m.group(1)}" if m else "h1"
    level = ppr.find(_w("outlineLvl")) if ppr is not None else None
    if level is not None and level.get(_w("val"), "9").isdigit() and int(level.get(_w("val"), "9")) < 9:
        return f"h{int(level.get(_w('val'))) + 1}"
    if (ppr is not None and ppr.find(_w("numPr")) is not None) or any(n.startswith("list") for n in names):
        return "li"
    return "p"


def _rpr_key(run: Any) -> bytes:
    """A run's formatting, comparable."""
    rpr = run.find(_w("rPr"))
    return b"" if rpr is None else etree.tostring(rpr)


def _main_run(para: _Para, keys: list[bytes]) -> int:
    """The run whose formatting covers most of the text outside links (or of all the text):
    text in no span takes its formatting."""
    pieces = [p for p in para.pieces if p.item < 0 and p.text.strip()]
    outside = [p for p in pieces if p.link < 0] or pieces
    if not outside:
        return 0 if para.runs else -1
    counts = Counter[bytes]()
    for p in outside:
        counts[keys[p.run]] += len(p.text)
    best = max(counts.values())
    return next(p.run for p in outside if counts[keys[p.run]] == best)


def _flags(run: Any) -> set[bytes]:
    """A run's formatting properties, one by one."""
    rpr = run.find(_w("rPr"))
    return set() if rpr is None else {etree.tostring(c) for c in rpr}


def _format_kind(run: Any, main: Any) -> str:
    """The span kind of a run: strong or em where it only adds bold or italics to the
    main run's formatting, else format."""
    added, lost = _flags(run) - _flags(main), _flags(main) - _flags(run)
    tags = {etree.QName(etree.fromstring(x)).localname for x in added}
    plain = not lost and all(etree.fromstring(x).get(_w("val")) in (None, "1", "true", "on") for x in added)
    if plain and tags in ({"b"}, {"b", "bCs"}):
        return "strong"
    if plain and tags in ({"i"}, {"i", "iCs"}):
        return "em"
    return "format"


_Segment = tuple[int, int, int, int]  # a text piece's (start, end) in the block's text, run, link


class _Text:
    """A block's text built piece by piece, whitespace collapsed."""

    def __init__(self) -> None:
        self.text = ""

    def add(self, piece: str) -> tuple[int, int]:
        """Append; the range the piece took."""
        piece = re.sub(r"\s+", " ", piece)
        if piece.startswith(" ") and (not self.text or self.text.endswith(" ")):
            piece = piece[1:]
        start = len(self.text)
        self.text += piece
        return start, len(self.text)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """A range without the spaces at its edges."""
    end = min(end, len(text))
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, end


def _runs_of(segments: list[_Segment], same: Callable[[_Segment, _Segment], bool]) -> list[tuple[int, int, int]]:
    """Consecutive segments (start, end, run, link) joined while `same(a, b)`: (start, end, first segment)."""
    out: list[tuple[int, int, int]] = []
    for k, seg in enumerate(segments):
        if out and same(segments[out[-1][2]], seg):
            out[-1] = (out[-1][0], seg[1], out[-1][2])
        else:
            out.append((seg[0], seg[1], k))
    return out


# Whether a space stood before and after a verbatim piece, as take_out_placeholders says it.
_SPACE_ATTR = {(True, True): "both", (True, False): "before", (False, True): "after", (False, False): "none"}


def _space_after(para: _Para) -> list[bool]:
    """For each piece, whether the text after it starts with a space (a tab or break counts)."""
    after, following = [False] * len(para.pieces), False
    for k in reversed(range(len(para.pieces))):
        after[k] = following
        piece = para.pieces[k]
        if piece.item >= 0:
            following = para.items[piece.item].space
        elif piece.text:
            following = piece.text[0].isspace()
    return after


def _block(para: _Para, path: str) -> tuple[Block, int]:
    """The paragraph's block and its main run."""
    keys = [_rpr_key(r) for r in para.runs]
    main = _main_run(para, keys)
    text, codes, segments = _Text(), [], []
    after = _space_after(para)
    for k, piece in enumerate(para.pieces):
        if piece.item >= 0:
            item = para.items[piece.item]
            space = _SPACE_ATTR[(text.text.endswith(" "), after[k])]
            attrs = (("id", str(piece.item)), ("element", item.what), ("space", space))
            codes.append(Span(len(text.text), len(text.text), "code", attrs, f"⟦{item.what}{piece.item}⟧"))
            if item.space:
                text.add(" ")
        else:
            segments.append((*text.add(piece.text), piece.run, piece.link))
    spans = []
    for start, end, k in _runs_of(segments, lambda a, b: a[3] == b[3]):
        link = segments[k][3]
        if link >= 0:
            el = para.links[link]
            target = ("r:id", el.get(qn("r:id"))) if el.get(qn("r:id")) else ("anchor", el.get(_w("anchor"), ""))
            spans.append(Span(*_trim(text.text, start, end), "link", (("link", str(link)), target)))
    main_key = keys[main] if main >= 0 else b""
    for start, end, k in _runs_of(segments, lambda a, b: a[3] == b[3] and keys[a[2]] == keys[b[2]]):
        run = segments[k][2]
        if keys[run] != main_key:
            kind = _format_kind(para.runs[run], para.runs[main]) if main >= 0 else "format"
            spans.append(Span(*_trim(text.text, start, end), kind, (("run", str(run)),)))
    final = text.text.rstrip()
    spans = [s for s in spans if s.start < s.end] + [
        Span(min(c.start, len(final)), min(c.start, len(final)), c.kind, c.attrs, c.literal) for c in codes
    ]
    spans.sort(key=lambda s: (s.start, -s.end))
    return take_out_placeholders(Block(path, final, spans)), main


def _open(data: bytes, path: Path) -> Any:
    """The document, or one line on why the bytes are not one."""
    try:
        return docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(str(path), "not a DOCX file: not a ZIP archive") from None
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors…
        reason = " ".join(str(exc.args[0] if exc.args else exc).split())[:120] or type(exc).__name__
        raise InputError(str(path), f"not a DOCX file: {reason}") from None


def _meta(document: Any) -> dict[str, str]:
    """The core properties that are set (python-docx would invent defaults where the file has none)."""
    try:
        document.part.package.part_related_by(RT.CORE_PROPERTIES)
    except KeyError:
        return {}
    props = document.core_properties
    meta = {}
    for name in _CORE:
        try:
            value = getattr(props, name, None)
        except ValueError:  # a date or number python-docx cannot read: left out, not fatal
            continue
        if value in (None, "", 0):
            continue
        meta[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return meta


def _flatten(nodes: list[str | Node], run: int, link: int, out: list[tuple[str | Span, int, int]]) -> None:
    """The English as (text or verbatim span, run, link) in order, run and link taken from the spans around it."""
    for node in nodes:
        if isinstance(node, str):
            out.append((node, run, link))
        elif node.span.kind in VERBATIM:
            out.append((node.span, run, link))
        elif node.span.kind == "link":
            key = node.span.attr("link")
            _flatten(node.children, run, int(key) if key.isdigit() else link, out)
        else:
            key = node.span.attr("run")
            _flatten(node.children, int(key) if key.isdigit() else run, link, out)


def _new_run(para: _Para, run: int, children: list[Any]) -> Any:
    """A run with a copy of run `run`'s properties (none for -1) and `children`."""
    r = OxmlElement("w:r")
    if 0 <= run < len(para.runs) and para.runs[run].find(_w("rPr")) is not None:
        r.append(deepcopy(para.runs[run].find(_w("rPr"))))
    for child in children:
        r.append(child)
    return r


def _text_run(para: _Para, run: int, text: str) -> Any:
    """A run of `text` formatted as run `run`."""
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    return _new_run(para, run, [t])


def _item_id(span: Span, para: _Para) -> int:
    """The verbatim item a code span names (attr `id`, else the number in its ⟦key⟧), or -1."""
    m = re.search(r"⟦\D*(\d+)⟧", span.literal)
    key = span.attr("id") or (m.group(1) if m else "")
    return int(key) if span.kind == "code" and key.isdigit() and int(key) < len(para.items) else -1


def _pieces(flat: list[tuple[str | Span, int, int]], para: _Para, main: int) -> list[tuple[str | int, int, int]]:
    """The English as (text, run, link) and (item index, run, link): each item once, a
    literal's padding as spaces, no spaces next to a whitespace-like item."""
    out: list[tuple[str | int, int, int]] = []
    used: set[int] = set()
    for value, run, link in flat:
        if isinstance(value, str):
            out.append((value, run if run >= 0 else main, link))
            continue
        item = _item_id(value, para)
        if item < 0:  # a placeholder (or a code span not of this document): its text, verbatim
            out.append((value.literal, run if run >= 0 else main, link))
            continue
        if item in used:
            continue
        used.add(item)
        space = para.items[item].space
        if value.literal.startswith(" ") and not space:
            out.append((" ", main, link))
        out.append((item, run, link))
        if value.literal.endswith(" ") and not space:
            out.append((" ", main, link))
    out += [(i, main, -1) for i in range(len(para.items)) if i not in used]  # lost by the English: not lost here
    spaces = [isinstance(v, int) and para.items[v].space for v, _, _ in out]
    after_space = True  # no space at the paragraph's start, none doubled, none beside a tab or break
    for k, (piece, run, link) in enumerate(out):
        if not isinstance(piece, str):
            after_space = spaces[k]
            continue
        piece = piece.lstrip() if after_space else piece
        piece = piece.rstrip() if k + 1 < len(out) and spaces[k + 1] else piece
        after_space = piece.endswith(" ") if piece else after_space
        out[k] = (piece, run, link)
    return out


def _fill(p: Any, block: Block, main: int) -> None:
    """Replace the paragraph's content with the English, its properties kept."""
    para = _read(p, _Para())
    for child in list(p):
        if child.tag != _w("pPr"):
            p.remove(child)
    flat: list[tuple[str | Span, int, int]] = []
    _flatten(nest(block), -1, -1, flat)
    elements = list(para.head)
    open_link, link_el = -1, None
    for value, run, link in _merge_text(_pieces(flat, para, main)):
        if value == "":
            continue
        if link != open_link:
            open_link, link_el = link, None
            if 0 <= link < len(para.links):
                link_el = OxmlElement("w:hyperlink")
                for name, attr in para.links[link].attrib.items():
                    link_el.set(name, attr)
                elements.append(link_el)
        if isinstance(value, str):
            new = [_text_run(para, run, value)]
        else:
            item = para.items[value]
            copies = [deepcopy(e) for e in item.elements]
            new = [_new_run(para, item.run, copies)] if item.run >= 0 else copies
        (link_el if link_el is not None else elements).extend(new)
    for element in [*elements, *para.tail]:
        p.append(element)


def _merge_text(pieces: list[tuple[str | int, int, int]]) -> list[tuple[str | int, int, int]]:
    """Adjacent text pieces of the same run and link as one."""
    out: list[tuple[str | int, int, int]] = []
    for value, run, link in pieces:
        if out and isinstance(value, str) and isinstance(out[-1][0], str) and out[-1][1:] == (run, link):
            out[-1] = (out[-1][0] + value, run, link)
        else:
            out.append((value, run, link))
    return out


@register_format
class DocxFormat(DocumentFormat):
    """Word documents (.docx) through python-docx; see the module's docstring."""

    name = "DOCX"
    suffixes = (".docx",)

    def parse(self, data: bytes, path: Path) -> ParsedDocument:
        """Paragraphs, cells, headers and footers as blocks; core properties as metadata."""
        check_size(data, path, self)
        document = _open(data, path)
        styles = {s.style_id: s for s in document.styles}
        default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        blocks, refs = [], []
        for index, (place, p) in enumerate(_paragraphs(document)):
            block, main = _block(_read(p, _Para()), place or _kind(p, styles, default))
            if block.text:
                blocks.append(block)
                refs.append((index, main))
        if not blocks:
            raise InputError(str(path), "no text to translate: the document is empty")
        return ParsedDocument(blocks, _meta(document), _DocxTree(data, refs))

    def render(self, parsed: ParsedDocument, english: list[Block]) -> bytes:
        """The document with the English in place of each block's paragraph."""
        tree: _DocxTree = parsed.tree
        if len(english) != len(tree.refs):
            raise ValueError(f"{len(english)} English blocks for {len(tree.refs)} paragraphs")
        document = docx.Document(io.BytesIO(tree.data))
        paragraphs = _paragraphs(document)
        for (index, main), block in zip(tree.refs, english):
            _fill(paragraphs[index][1], block, main)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()
