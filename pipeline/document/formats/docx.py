"""DOCX (python-docx): the paragraphs of the body, its tables, its text boxes and the headers
and footers are the blocks, and each run keeps its formatting.

Paths: "h1".."h9" (Heading styles, Title as "h1", an outline level), "li" (numbered
paragraphs and List styles), "p", "td[row,col]" for the paragraphs of a table cell (1-based,
per table, columns on the table grid), "textbox" for those of a text box (right after the
paragraph that anchors it; of a shape written twice, as DrawingML and as its VML fallback,
the first is read and the fallback gets the same English), "header" and "footer" (each
header or footer part once, after the body). Block-level content controls and custom XML are
looked through: their paragraphs, rows and cells are read in their place.

Inline: a run formatted unlike the paragraph's main formatting is a span naming it (attr
`run`): "strong" or "em" where it only adds bold or italics, "format" otherwise;
`w:hyperlink` is a "link" (attrs `link`, `r:id` or `anchor`). The text of an inline content
control (`w:sdt`) and the shown result of a field (`w:fldSimple`, or a complex field's runs
between its `fldChar` separate and end) are text of the paragraph, under a span (attrs
`wrap`, `element` "control" or "field"; a "link" for a HYPERLINK field, "format" otherwise)
that puts the control or the field back around the English, its properties and field
instruction verbatim; a control or field the English lost comes back empty at the
paragraph's end. A control or field whose content has no word in it (a check box, a field
without a result), and a complex field that does not end in its paragraph (a table of
contents: its first paragraph's result stays as it was), are verbatim, as are a tab, break,
image, footnote or comment reference, symbol and equation: a "code" span (attr `id`) that
puts the original element back. The core properties (title, author, created, language, …)
are the metadata.

Tracked changes are read as accepted: an insertion (`w:ins`, `w:moveTo`) is text like any
other, a deletion (`w:del`, `w:moveFrom`) is not read; the English comes out accepted too
(an insertion kept as plain text, a deletion dropped).

The writer opens the original bytes again and rebuilds only the runs of each translated
paragraph: each English piece gets a copy of the `w:rPr` of the run its span names (text
outside any span that of the paragraph's main run), links, controls and fields are put back
around their English, verbatim elements go back once each (any the English lost at the
paragraph's end). Paragraph properties, tables, sections, styles, numbering, images and
every other part are kept. Bookmarks and comment ranges move to the paragraph's start and
end; proofing marks are dropped, and so are smart tags and custom XML around runs (their
text kept). The English says it is English: a Dutch `w:lang w:val` (nl, nl-*) in the
document, its headers, footers, styles and numbering becomes en-US (`w:eastAsia` and
`w:bidi` stay), and so does a Dutch core property `language`. The same input and English
give the same bytes: the ZIP is written with fixed entry dates, in the original order. Not
translated: footnotes, endnotes and comments. A file that is an OLE compound document (an
encrypted .docx, a legacy .doc) is refused in one line saying so.
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
_DROPPED = {
    _w("proofErr"),
    _w("lastRenderedPageBreak"),
    _w("softHyphen"),
    _w("del"),
    _w("moveFrom"),
    _w("smartTagPr"),
    _w("customXmlPr"),
}
_WRAPPERS = {_w("smartTag"), _w("customXml"), _w("ins"), _w("moveTo")}  # their runs read as the paragraph's
_WRAPPING = {"hyperlink": "link", "sdt": "control", "fldSimple": "field"}  # put back around their English
_WRAPPING_TAGS = {_w(name) for name in _WRAPPING}
_PROPERTIES = {_w("sdtPr"), _w("sdtEndPr"), _w("fldData")}  # a wrapper's own, kept with it
_STARTS = {_w("bookmarkStart"), _w("commentRangeStart"), _w("permStart"), _w("moveToRangeStart")}
_ENDS = {_w("bookmarkEnd"), _w("commentRangeEnd"), _w("permEnd"), _w("moveToRangeEnd")}
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
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
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: an encrypted .docx or a .doc
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # every entry's date in the written file
ENGLISH = "en-US"  # the language the English document says it is in


@dataclass
class _Item:
    """A verbatim piece of a paragraph: the elements to put back. `run` ≥ 0: children of
    that run, put back in a new run with its properties; -1: paragraph-level elements."""

    elements: list[Any]
    run: int
    what: str
    space: bool  # whitespace-like (a tab, a break): it stands for a space in the text


@dataclass
class _Wrap:
    """Markup around some of a paragraph's runs, put back around the English they hold:
    a `w:hyperlink`, an inline content control `w:sdt` or a `w:fldSimple` (`element`), or
    a complex field (`element` None; `head`: its runs from fldChar begin through separate,
    the instruction among them; `tail`: its fldChar end run)."""

    what: str  # "link", "control" or "field"
    kind: str  # its span's kind: "link" (a hyperlink, a HYPERLINK field) or "format"
    element: Any
    parent: int  # index of the wrapper around this one, -1 for none
    head: list[Any] = field(default_factory=list)
    tail: list[Any] = field(default_factory=list)


@dataclass
class _Piece:
    """A piece of a paragraph in reading order: text of run `run`, or verbatim item `item`."""

    text: str
    run: int
    link: int  # index of the innermost wrapper around it, -1 for none
    item: int = -1


@dataclass
class _Para:
    """A paragraph read for translation; read again the same way from the same bytes, it
    gives the same indexes, which the spans' attrs name."""

    runs: list[Any] = field(default_factory=list)
    wraps: list[_Wrap] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    pieces: list[_Piece] = field(default_factory=list)
    head: list[Any] = field(default_factory=list)  # range starts: put back at the paragraph's start
    tail: list[Any] = field(default_factory=list)  # range ends: put back at its end

    def chain(self, link: int) -> tuple[int, ...]:
        """Wrapper `link` and those around it, outermost first (empty for -1)."""
        out: list[int] = []
        while 0 <= link < len(self.wraps) and len(out) <= len(self.wraps):
            out.append(link)
            link = self.wraps[link].parent
        return tuple(reversed(out))


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


def _field_marks(children: list[Any], i: int) -> tuple[int, int]:
    """For the complex field begun at children[i]: the indexes of its own separate and end
    runs, -1 for one not in this container."""
    depth, separate = 0, -1
    for j in range(i, len(children)):
        kind = _field_char(children[j]) if children[j].tag == _w("r") else ""
        if kind == "separate" and depth == 1 and separate < 0:
            separate = j
        depth += {"begin": 1, "end": -1}.get(kind, 0)
        if depth == 0:
            return separate, j
    return separate, -1


def _has_words(elements: list[Any]) -> bool:
    """Whether any text of the elements holds a word (a letter or digit)."""
    return any(re.search(r"\w", t.text or "") for e in elements for t in e.iter(_w("t")))


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


def _read_field(children: list[Any], i: int, para: _Para, link: int) -> int:
    """The complex field begun at children[i]: its result read as text inside a field
    wrapper, or (no words in its result, or not ended here) the whole field, result and
    all, one verbatim piece. Returns the index of its last child."""
    separate, end = _field_marks(children, i)
    if end < 0 or separate < 0 or not _has_words(children[separate + 1 : end]):
        end = len(children) - 1 if end < 0 else end
        _add_item(para, children[i : end + 1], -1, link, what="field")
        return end
    head = children[i : separate + 1]
    instruction = "".join(t.text or "" for r in head for t in r.iter(_w("instrText")))
    kind = "link" if instruction.split()[:1] == ["HYPERLINK"] else "format"
    para.wraps.append(_Wrap("field", kind, None, link, head, [children[end]]))
    _read(children[separate + 1 : end], para, len(para.wraps) - 1)
    return end


def _read_wrapper(element: Any, para: _Para, link: int) -> None:
    """A hyperlink, inline content control or simple field: its runs read inside a wrapper,
    or (a control or field with no words in it) the element as one verbatim piece."""
    what = _WRAPPING[etree.QName(element).localname]
    content = element.find(_w("sdtContent")) if what == "control" else element
    inside = [] if content is None else [c for c in content if c.tag not in _PROPERTIES]
    if what != "link" and not _has_words(inside):
        _add_item(para, [element], -1, link)
        return
    para.wraps.append(_Wrap(what, "link" if what == "link" else "format", element, link))
    _read(inside, para, len(para.wraps) - 1)


def _read(children: list[Any], para: _Para, link: int = -1) -> _Para:
    """The pieces of a paragraph's children (or of a wrapper's in it), in reading order."""
    i = 0
    while i < len(children):
        child = children[i]
        if child.tag == _w("r") and _field_char(child) == "begin":
            i = _read_field(children, i, para, link)
        elif child.tag == _w("r"):
            _read_run(child, para, link)
        elif child.tag in _WRAPPING_TAGS:
            _read_wrapper(child, para, link)
        elif child.tag in _WRAPPERS:
            _read(list(child), para, link)
        elif child.tag in _STARTS:
            para.head.append(child)
        elif child.tag in _ENDS:
            para.tail.append(child)
        elif child.tag != _w("pPr") and child.tag not in _DROPPED:
            _add_item(para, [child], -1, link)
        i += 1
    return para


def _inner(element: Any) -> list[Any]:
    """The element's children, those of block-level content controls and custom XML in
    their place (looked through, at any depth)."""
    out: list[Any] = []
    for child in element:
        if child.tag == _w("sdt"):
            content = child.find(_w("sdtContent"))
            out += _inner(content) if content is not None else []
        elif child.tag == _w("customXml"):
            out += _inner(child)
        else:
            out.append(child)
    return out


def _textboxes(p: Any) -> list[Any]:
    """The text boxes (`w:txbxContent`) anchored in paragraph `p`: not those of a VML
    fallback (the same box again), nor those inside another text box (read with it)."""
    out = []
    for box in p.iter(_w("txbxContent")):
        up = box.getparent()
        while up is not None and up is not p and up.tag not in (_MC + "Fallback", _w("txbxContent")):
            up = up.getparent()
        if up is p:
            out.append(box)
    return out


def _container(element: Any, place: str, out: list[tuple[str, Any]]) -> None:
    """The paragraphs of a body, cell, text box, header or footer, tables' cells and text
    boxes included, in order."""
    for child in _inner(element):
        if child.tag == _w("p"):
            out.append((place, child))
            for box in _textboxes(child):
                _container(box, "textbox", out)
        elif child.tag == _w("tbl"):
            _table(child, out)


def _table(table: Any, out: list[tuple[str, Any]]) -> None:
    """The paragraphs of a table's cells, row by row, each as "td[row,column]"."""
    for row, tr in enumerate((c for c in _inner(table) if c.tag == _w("tr")), 1):
        before = tr.find(f"{_w('trPr')}/{_w('gridBefore')}")
        column = 1 + (int(before.get(_w("val"), "0")) if before is not None else 0)
        for tc in (c for c in _inner(tr) if c.tag == _w("tc")):
            _container(tc, f"td[{row},{column}]", out)
            span = tc.find(f"{_w('tcPr')}/{_w('gridSpan')}")
            column += int(span.get(_w("val"), "1")) if span is not None else 1


def _roots(document: Any) -> list[tuple[str, Any]]:
    """The parts read, as (place, root element): the body (place ""), then each header
    ("header") and footer ("footer") part once, in the order the sections name them."""
    out: list[tuple[str, Any]] = [("", document.element.body)]
    seen = set()
    for sect in document.element.body.iter(_w("sectPr")):
        for ref in sect:
            if ref.tag not in (_w("headerReference"), _w("footerReference")):
                continue
            part = document.part.related_parts.get(ref.get(qn("r:id")))
            if part is None or part.partname in seen:
                continue
            seen.add(part.partname)
            out.append(("header" if ref.tag == _w("headerReference") else "footer", part.element))
    return out


def _paragraphs(document: Any) -> list[tuple[str, Any]]:
    """Every paragraph read, as (place, w:p): place "" for the body's own paragraphs,
    "td[r,c]" in a table, "textbox" in a text box, "header" or "footer"; headers and
    footers after the body."""
    out: list[tuple[str, Any]] = []
    for place, root in _roots(document):
        _container(root, place, out)
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
    """The run whose formatting covers most of the text outside links, controls and fields
    (or of all the text): text in no span takes its formatting."""
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


def _wrap_spans(para: _Para, segments: list[_Segment], text: str) -> list[Span]:
    """A span for each wrapper over the text it holds (its own and that of wrappers inside
    it), outer wrappers first: a hyperlink's attrs `link` and its `r:id` or `anchor`, a
    control's or field's `wrap` and `element`."""
    chains = {link: set(para.chain(link)) for link in {seg[3] for seg in segments}}
    spans = []
    for w, wrap in enumerate(para.wraps):
        inside = [seg for seg in segments if w in chains[seg[3]]]
        if not inside:
            continue
        el = wrap.element
        if wrap.what == "link":
            target = ("r:id", el.get(qn("r:id"))) if el.get(qn("r:id")) else ("anchor", el.get(_w("anchor"), ""))
            attrs: tuple[tuple[str, str], ...] = (("link", str(w)), target)
        else:
            attrs = (("wrap", str(w)), ("element", wrap.what))
        spans.append(Span(*_trim(text, inside[0][0], inside[-1][1]), wrap.kind, attrs))
    return spans


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
    spans = _wrap_spans(para, segments, text.text)
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
    if data.startswith(OLE):
        raise InputError(str(path), "not a DOCX file: an encrypted document or a legacy .doc, not a .docx") from None
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


_Chain = tuple[int, ...]  # the wrappers around an English piece, outermost first
_Flat = tuple[str | Span, int, _Chain]  # text or a verbatim span, its run, its wrappers
_Out = tuple[str | int, int, _Chain]  # text or an item's index, its run, its wrappers


def _flatten(nodes: list[str | Node], run: int, chain: _Chain, out: list[_Flat]) -> None:
    """The English as (text or verbatim span, run, wrappers) in order, the run and the
    wrappers taken from the spans around it."""
    for node in nodes:
        if isinstance(node, str):
            out.append((node, run, chain))
        elif node.span.kind in VERBATIM:
            out.append((node.span, run, chain))
        elif (key := node.span.attr("link") or node.span.attr("wrap")).isdigit():
            _flatten(node.children, run, (*chain, int(key)), out)
        else:
            key = node.span.attr("run")
            _flatten(node.children, int(key) if key.isdigit() else run, chain, out)


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


def _pieces(flat: list[_Flat], para: _Para, main: int) -> list[_Out]:
    """The English as (text, run, wrappers) and (item index, run, wrappers): each item once,
    a literal's padding as spaces, no spaces next to a whitespace-like item."""
    out: list[_Out] = []
    used: set[int] = set()
    for value, run, chain in flat:
        if isinstance(value, str):
            out.append((value, run if run >= 0 else main, chain))
            continue
        item = _item_id(value, para)
        if item < 0:  # a placeholder (or a code span not of this document): its text, verbatim
            out.append((value.literal, run if run >= 0 else main, chain))
            continue
        if item in used:
            continue
        used.add(item)
        space = para.items[item].space
        if value.literal.startswith(" ") and not space:
            out.append((" ", main, chain))
        out.append((item, run, chain))
        if value.literal.endswith(" ") and not space:
            out.append((" ", main, chain))
    out += [(i, main, ()) for i in range(len(para.items)) if i not in used]  # lost by the English: not lost here
    spaces = [isinstance(v, int) and para.items[v].space for v, _, _ in out]
    after_space = True  # no space at the paragraph's start, none doubled, none beside a tab or break
    for k, (piece, run, chain) in enumerate(out):
        if not isinstance(piece, str):
            after_space = spaces[k]
            continue
        piece = piece.lstrip() if after_space else piece
        piece = piece.rstrip() if k + 1 < len(out) and spaces[k + 1] else piece
        after_space = piece.endswith(" ") if piece else after_space
        out[k] = (piece, run, chain)
    return out


def _shell(element: Any) -> tuple[Any, Any]:
    """A copy of a wrapper element without the runs it held, and where the English goes
    in it: a hyperlink or simple field itself (a field's `w:fldData` kept), a content
    control's `w:sdtContent` (its `w:sdtPr` and `w:sdtEndPr` kept)."""
    shell = deepcopy(element)
    content = shell.find(_w("sdtContent")) if shell.tag == _w("sdt") else shell
    if content is None:
        content = OxmlElement("w:sdtContent")
        shell.append(content)
    for child in list(content):
        if child.tag not in _PROPERTIES:
            content.remove(child)
    return shell, content


class _Writer:
    """Writes English pieces into a paragraph's new content (`elements`), opening and
    closing the wrappers they are in; each wrapper is opened at most once."""

    def __init__(self, para: _Para, elements: list[Any]) -> None:
        """A writer of `para`'s English into `elements`."""
        self.para, self.elements = para, elements
        self.stack: list[tuple[int, Any, Any]] = []  # open wrappers: (index, their content, where they are)
        self.opened: set[int] = set()

    def target(self) -> Any:
        """Where the next element goes: the innermost open wrapper, else the paragraph."""
        return self.stack[-1][1] if self.stack else self.elements

    def open(self, w: int) -> None:
        """Open wrapper `w` where the next element goes (a complex field: its begin runs)."""
        wrap, parent = self.para.wraps[w], self.target()
        if wrap.element is None:
            parent.extend(deepcopy(e) for e in wrap.head)
            content = parent
        else:
            shell, content = _shell(wrap.element)
            parent.append(shell)
        self.stack.append((w, content, parent))
        self.opened.add(w)

    def close(self) -> None:
        """Close the innermost open wrapper (a complex field: its end run)."""
        w, _, parent = self.stack.pop()
        parent.extend(deepcopy(e) for e in self.para.wraps[w].tail)

    def write(self, pieces: list[_Out]) -> None:
        """Each piece inside its wrappers; then a field or control the English lost, empty."""
        for value, run, chain in pieces:
            if value == "":
                continue
            now = [w for w, _, _ in self.stack]
            chain = tuple(w for w in chain if w < len(self.para.wraps) and (w in now or w not in self.opened))
            keep = 0
            while keep < min(len(now), len(chain)) and now[keep] == chain[keep]:
                keep += 1
            while len(self.stack) > keep:
                self.close()
            for w in chain[keep:]:
                self.open(w)
            self.target().extend(self.content(value, run))
        while self.stack:
            self.close()
        for w, wrap in enumerate(self.para.wraps):
            if w not in self.opened and wrap.what != "link":
                self.open(w)
                self.close()

    def content(self, value: str | int, run: int) -> list[Any]:
        """The elements of a piece: a run of text, or a copy of a verbatim item."""
        if isinstance(value, str):
            return [_text_run(self.para, run, value)]
        item = self.para.items[value]
        copies = [deepcopy(e) for e in item.elements]
        return [_new_run(self.para, item.run, copies)] if item.run >= 0 else copies


def _fill(p: Any, block: Block, main: int) -> None:
    """Replace the paragraph's content with the English, its properties kept."""
    para = _read(list(p), _Para())
    for child in list(p):
        if child.tag != _w("pPr"):
            p.remove(child)
    flat: list[_Flat] = []
    _flatten(nest(block), -1, (), flat)
    elements = list(para.head)
    _Writer(para, elements).write(_merge_text(_pieces(flat, para, main)))
    for element in [*elements, *para.tail]:
        p.append(element)


def _merge_text(pieces: list[_Out]) -> list[_Out]:
    """Adjacent text pieces of the same run and wrappers as one."""
    out: list[_Out] = []
    for value, run, chain in pieces:
        if out and isinstance(value, str) and isinstance(out[-1][0], str) and out[-1][1:] == (run, chain):
            out[-1] = (out[-1][0] + value, run, chain)
        else:
            out.append((value, run, chain))
    return out


def _sync_fallbacks(root: Any) -> None:
    """Give each shape written twice (`mc:AlternateContent`) the English of its first text
    boxes in its fallback's too, where both have as many; inner shapes first."""
    for alternate in reversed(list(root.iter(_MC + "AlternateContent"))):
        choice, fallback = alternate.find(_MC + "Choice"), alternate.find(_MC + "Fallback")
        if choice is None or fallback is None:
            continue
        boxes = [b for b in _textboxes(choice) if b.getparent() is not None]
        old = _textboxes(fallback)
        if len(boxes) != len(old):
            continue
        for box, stale in zip(boxes, old):
            for child in list(stale):
                stale.remove(child)
            stale.extend(deepcopy(child) for child in box)


def _is_dutch(code: str | None) -> bool:
    """Whether a language tag is Dutch (nl, nl-NL, nl-BE, …)."""
    return bool(code) and re.fullmatch(r"nl(?:[-_][A-Za-z0-9]+)*", str(code).strip(), re.IGNORECASE) is not None


def _say_english(document: Any, roots: list[Any]) -> None:
    """Dutch `w:lang w:val` in the parts read and in the styles and numbering become
    English (`w:eastAsia`, `w:bidi` stay), and so does a Dutch core property `language`."""
    parts = [rel.target_part for rel in document.part.rels.values() if not rel.is_external]
    styles = [
        part.element
        for part in parts
        if part.partname.endswith(("/styles.xml", "/numbering.xml")) and getattr(part, "element", None) is not None
    ]
    for root in [*roots, *styles]:
        for lang in root.iter(_w("lang")):
            if _is_dutch(lang.get(_w("val"))):
                lang.set(_w("val"), ENGLISH)
    try:
        document.part.package.part_related_by(RT.CORE_PROPERTIES)
    except KeyError:
        return  # none in the file: python-docx would invent one (dated now)
    if _is_dutch(document.core_properties.language):
        document.core_properties.language = ENGLISH


def _stable_zip(data: bytes) -> bytes:
    """The ZIP `data` written again with every entry dated ZIP_DATE, in the same order and
    with the same compression: the same content gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
            entry.create_system = info.create_system
            target.writestr(entry, source.read(info))
    return out.getvalue()


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
            block, main = _block(_read(list(p), _Para()), place or _kind(p, styles, default))
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
        for (index, main), block in reversed(list(zip(tree.refs, english))):  # a text box before its anchor
            _fill(paragraphs[index][1], block, main)
        roots = [root for _, root in _roots(document)]
        for root in roots:
            _sync_fallbacks(root)
        _say_english(document, roots)
        out = io.BytesIO()
        document.save(out)
        return _stable_zip(out.getvalue())
