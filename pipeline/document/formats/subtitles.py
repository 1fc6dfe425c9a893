"""SRT and WebVTT subtitles (the `srt` and `webvtt-py` packages): cues are joined into
sentences for translation and the English is split back across the same cues and timings.

A block is a cue group: consecutive cues up to the one whose text ends a sentence, a gap of
more than 2 s, or 6 cues; its path is "cue 12-13" or "cue 7", naming an SRT cue by its own
index number and a WebVTT cue by its 1-based place in the file (WebVTT identifiers are
optional strings). Cue lines are joined with spaces.

Dialogue: a cue with two or more speakers' turns (a line after the first starting with a
speaker dash, "- Hoi.") is translated one turn a block, alone ("cue 4 line 2": the turn
starting on the cue's second line), and written back turn after turn, each starting a new
line with its dash. A speaker dash at the start of any cue or turn is taken out of the text and put back
at the start of its English (after a leading `{\\an8}`), so a dash is never left alone.

Inline markup: `<i>`, `<b>`, `<u>` become em, strong and format spans (attr `tag`: "i",
"b", "u"); `<c…>`, `<v …>`, `<lang …>`, `<font …>` and `<i.class>`-style tags become
wrapping spans too, their attr `tag` the full opening tag, closed by `</name>`. A whole
`<ruby>…</ruby>` (with its `<rt>`), a VTT timestamp, `{\\an8}` and any other tag are a
verbatim code span that stays in its own cue. `<c>`, `<v>`, `<lang>`, `<font>` left open
close at the end of their cue (as players read them); `<i>`, `<b>`, `<u>` may run on into the
next cue of the group and are closed in each. A closing tag that closes nothing is dropped.
Spans of the same formatting that only a line or cue break parts (`<i>a</i>` /
`<i>b</i>`) are read as one span, so the English gets it once over the whole phrase. The
writer always nests the tags it writes.

The writer replaces only the cues' text: indices, timing lines (byte for byte), cue
settings, NOTE, STYLE and REGION blocks, cues without text, a BOM and CRLF line ends are
kept; the WebVTT header is kept but for a `Language: nl` line, which becomes
`Language: en`. The English is cut at the word boundaries nearest the Dutch cues' share of
the text, each cue getting at least one word, and wrapped at 42 characters a line, in two
balanced lines where that fits. No cue is left empty: when the English has fewer words than
the group has cues, the cues left over repeat its last word (a one-word answer over three
cues shows that word in each of them).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import srt
from webvtt.models import Caption
from webvtt.vtt import WebVTTCueBlock, parse_item

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

MAX_GAP_MS = 2000  # a longer pause between cues ends the group: a new utterance
MAX_CUES = 6  # a group of more cues is cut: a sentence that long is a run-on anyway
LINE_WIDTH = 42  # characters a subtitle line holds (the usual broadcast limit)

# Markup in cue text: tags (a VTT timestamp among them) and ASS overrides.
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<\d[\d:.]*>|\{\\[^{}]*\}")
# A cue line's pieces of markup: a whole ruby (kept as one), else a tag.
_PIECE = re.compile(r"(?i:<ruby\b[^<>]*>.*?(?:</ruby\s*>|$))|" + _TAG.pattern)
_OPEN_TAG = re.compile(r"<([A-Za-z]+)((?:[.\s][^<>]*)?)>")
_CLOSE_TAG = re.compile(r"</([A-Za-z]+)\s*>")
_WRAPPING = {"i": "em", "b": "strong", "u": "format", "c": "format", "v": "format", "lang": "format", "font": "format"}
_PLAIN = ("i", "b", "u")  # wrapping tags written by name; they may run on across cues
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)[\"'”’»)\]]*$")
_SPEAKER = re.compile(r"[-–—](?:[ \t]+|(?=[^\W\d_]|[\"'“‘«¿¡<{]))")
_LEAD = re.compile(r"(?:\s|" + _TAG.pattern + r")*")  # what may stand before a speaker dash
_ASS_LEAD = re.compile(r"(?:\{\\[^{}]*\})*")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_LANGUAGE_NL = re.compile(r"^([ \t]*language[ \t]*:[ \t]*)(?:nl|nld|dut)(?:[-_][A-Za-z0-9]+)*([ \t]*)$", re.I | re.M)
_BOM = b"\xef\xbb\xbf"
_GLUE = "\x00"  # a space no line may break at (in a verbatim piece, after a speaker dash)


@dataclass
class _Cue:
    """One cue: its number, timing, text as written, and where that text stands in the file."""

    number: int  # as paths name it: the SRT cue's index, the WebVTT cue's 1-based place
    start_ms: int
    end_ms: int
    raw: str  # the cue's text lines, joined by "\n", tags and all
    at: tuple[int, int]  # character offsets of that text in the decoded file


@dataclass
class _Part:
    """The text of a cue that goes into one block: the whole cue, or one speaker's turn of a
    dialogue cue (its lines up to the next speaker's dash)."""

    cue: int  # 0-based place of its cue in the file
    line: int  # 1-based line of the cue it starts on
    raw: str  # its lines, joined by "\n", the speaker's dash taken off
    speaker: str  # the dash that starts it as written ("- ", "-", "– "), or ""
    source: str  # its lines exactly as written
    dialogue: bool  # its cue has two or more turns


@dataclass
class _Group:
    """The parts of one block and each one's share (in characters) of the block's text."""

    parts: list[int]
    lengths: list[int]


@dataclass
class _Subtitles:
    """The format's tree: the decoded file, its cues, parts and groups, how to write it back."""

    text: str
    cues: list[_Cue]
    parts: list[_Part]
    groups: list[_Group]
    vtt: bool
    bom: bool
    crlf: bool


class _Builder:
    """Builds a block's one-line text and spans from cue text: whitespace collapsed, tags
    taken out as spans."""

    def __init__(self, vtt: bool):
        """An empty block; `vtt`: entities in the text are decoded."""
        self.vtt = vtt
        self.text = ""
        self.spans: list[Span] = []
        self.open: list[tuple[str, int, str, str]] = []  # (name, start, kind, attr tag) of the tags open
        self.pending: list[int] = []  # code spans waiting to know whether a space follows them

    def add(self, piece: str) -> None:
        """Append text, whitespace collapsed, no space at the start or doubled."""
        piece = re.sub(r"\s+", " ", html.unescape(piece) if self.vtt else piece)
        if piece:
            self.settle(piece.startswith(" "))
        if piece.startswith(" ") and (not self.text or self.text.endswith(" ")):
            piece = piece[1:]
        self.text += piece

    def code(self, literal: str, cue: int) -> None:
        """A verbatim piece at the current place, kept in cue `cue`; attr `space` (as
        take_out_placeholders sets it) is settled when the next text comes."""
        attrs = (("cue", str(cue)), ("space", "before" if self.text.endswith(" ") else "none"))
        self.spans.append(Span(len(self.text), len(self.text), "code", attrs, literal))
        self.pending.append(len(self.spans) - 1)

    def settle(self, space_after: bool) -> None:
        """The pending code spans learn whether a space follows them."""
        for i in self.pending if space_after else ():
            s = self.spans[i]
            space = {"before": "both", "none": "after"}[s.attr("space")]
            self.spans[i] = Span(s.start, s.end, s.kind, (*s.attrs[:-1], ("space", space)), s.literal)
        self.pending = []

    def close(self, depth: int) -> None:
        """Close the open tags from the innermost down to the one at `depth`."""
        while len(self.open) > depth:
            _, start, kind, tag = self.open.pop()
            self.spans.append(Span(start, len(self.text), kind, (("tag", tag),)))

    def tag(self, tag: str, cue: int) -> None:
        """An inline tag: opens or closes a wrapping span, or is kept verbatim; a closing
        tag that closes nothing is dropped (players ignore it)."""
        opening, closing = _OPEN_TAG.fullmatch(tag), _CLOSE_TAG.fullmatch(tag)
        if opening and opening.group(1).lower() in _WRAPPING and not tag.endswith("/>"):
            name = opening.group(1).lower()
            plain = name in _PLAIN and not opening.group(2)
            self.open.append((name, len(self.text), _WRAPPING[name], name if plain else tag))
        elif closing and any(n == closing.group(1).lower() for n, *_ in self.open):
            name = closing.group(1).lower()
            self.close(max(k for k, (n, *_) in enumerate(self.open) if n == name))
        elif not closing or closing.group(1).lower() not in (*_WRAPPING, "ruby", "rt"):
            self.code(tag, cue)

    def end_cue(self) -> None:
        """The end of a cue: tags other than `<i>`, `<b>`, `<u>` close (with those inside them)."""
        outer = [k for k, (name, *_) in enumerate(self.open) if name not in _PLAIN]
        if outer:
            self.close(outer[0])

    def add_line(self, line: str, cue: int) -> None:
        """One line of a cue's text: text and tags (a whole ruby one verbatim piece)."""
        self.add(" ")
        pos = 0
        for m in [*_PIECE.finditer(line), None]:
            self.add(line[pos : m.start() if m else len(line)])
            if m:
                self.tag(m.group(), cue)
                pos = m.end()

    def block(self, path: str) -> Block:
        """The finished block: trailing space cut, wrapping spans trimmed to their words and
        those of the same formatting that only a space parts joined."""
        self.close(0)
        text = self.text.rstrip()
        spans = []
        for s in self.spans:
            start, end = min(s.start, len(text)), min(s.end, len(text))
            if s.kind not in VERBATIM:
                while start < end and text[start] == " ":
                    start += 1
                while end > start and text[end - 1] == " ":
                    end -= 1
                if start == end:
                    continue
            spans.append(Span(start, end, s.kind, s.attrs, s.literal))
        return take_out_placeholders(Block(path, text, _merged(text, spans)))


def _nested(a: Span, b: Span) -> bool:
    """Whether spans `a` and `b` are apart or one holds the other."""
    return (
        a.end <= b.start
        or b.end <= a.start
        or a.start <= b.start <= b.end <= a.end
        or b.start <= a.start <= a.end <= b.end
    )


def _merged(text: str, spans: list[Span]) -> list[Span]:
    """`spans` sorted, a wrapping span held twice (`<i>` in `<i>`) once, and wrapping spans
    of the same kind and attrs that only whitespace parts (the same formatting over two
    lines or cues) joined into one where the spans stay properly nested."""
    wrapping = {s for s in spans if s.kind not in VERBATIM}
    spans = sorted([*wrapping, *(s for s in spans if s.kind in VERBATIM)], key=lambda s: (s.start, -s.end))
    joined = True
    while joined:
        joined = False
        for a in (s for s in spans if s.kind not in VERBATIM):
            b = next(
                (
                    s
                    for s in spans
                    if s.kind == a.kind
                    and s.attrs == a.attrs
                    and s.start >= a.end
                    and not text[a.end : s.start].strip()
                ),
                None,
            )
            if b is None:
                continue
            one = Span(a.start, b.end, a.kind, a.attrs)
            others = [s for s in spans if s is not a and s is not b]
            if all(_nested(one, s) for s in others if s.kind not in VERBATIM):
                spans, joined = sorted([*others, one], key=lambda s: (s.start, -s.end)), True
                break
    return spans


def _visible(raw: str, vtt: bool) -> str:
    """A cue's text without tags and rubies, lines joined, for deciding where sentences end
    and which cues have text to translate."""
    text = _PIECE.sub("", raw)
    return " ".join((html.unescape(text) if vtt else text).split())


def _speaker(line: str) -> tuple[str, str]:
    """The speaker dash at the start of `line` (after any tags) as written, "- " or "-"
    without the spaces that followed it, or ""; and the line without it."""
    at = _LEAD.match(line)
    dash = _SPEAKER.match(line, at.end() if at else 0)
    if not dash:
        return "", line
    prefix = dash.group()[0] + (" " if len(dash.group()) > 1 else "")
    return prefix, line[: dash.start()] + line[dash.end() :]


def _still_open(raw: str) -> str:
    """The wrapping tags that `raw` leaves open, outermost first, as written."""
    stack: list[tuple[str, str]] = []  # (name, tag)
    for m in _PIECE.finditer(raw):
        opening, closing = _OPEN_TAG.fullmatch(m.group()), _CLOSE_TAG.fullmatch(m.group())
        if opening and opening.group(1).lower() in _WRAPPING:
            stack.append((opening.group(1).lower(), m.group()))
        elif closing and any(name == closing.group(1).lower() for name, _ in stack):
            del stack[max(k for k, (name, _) in enumerate(stack) if name == closing.group(1).lower()) :]
    return "".join(tag for _, tag in stack)


def _parts(cues: list[_Cue]) -> list[_Part]:
    """Each cue's parts: the whole cue, or in a dialogue cue (a line after the first starts
    with a speaker dash) each speaker's turn, opening again the tags (`<i>`) that an earlier
    turn left open."""
    parts = []
    for k, cue in enumerate(cues):
        lines = cue.raw.split("\n")
        dashes = [_speaker(line) for line in lines]
        starts = [0] + [i for i in range(1, len(lines)) if dashes[i][0]]
        carry = ""
        for a, b in zip(starts, [*starts[1:], len(lines)]):
            speaker, first = dashes[a]
            raw = carry + "\n".join([first, *lines[a + 1 : b]])
            carry = _still_open(raw)
            parts.append(_Part(k, a + 1, raw, speaker, "\n".join(lines[a:b]), len(starts) > 1))
    return parts


def _groups(parts: list[_Part], cues: list[_Cue], vtt: bool) -> list[list[int]]:
    """Parts joined into sentences: a group ends at a part that ends a sentence (an ellipsis
    followed by an ellipsis or a lower-case word continues), after a gap of more than
    MAX_GAP_MS, at MAX_CUES cues, or at a part without text (left as it is); a dialogue
    turn is a group of its own."""
    texts = [_visible(p.raw, vtt) for p in parts]
    groups: list[list[int]] = []
    current: list[int] = []
    for i, part in enumerate(parts):
        gap = bool(current) and cues[part.cue].start_ms - cues[parts[current[-1]].cue].end_ms > MAX_GAP_MS
        if current and (not texts[i] or part.dialogue or gap):
            groups.append(current)
            current = []
        if not texts[i]:
            continue
        current.append(i)
        following = texts[i + 1] if i + 1 < len(parts) else ""
        continues = bool(_ELLIPSIS_END.search(texts[i])) and (
            following.startswith(("...", "…")) or following[:1].islower()
        )
        if part.dialogue or len(current) >= MAX_CUES or (_SENTENCE_END.search(texts[i]) and not continues):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _path(members: list[int], parts: list[_Part], cues: list[_Cue]) -> str:
    """The block's path: "cue 7", "cue 12-13", or a dialogue turn's "cue 4 line 2"."""
    first, last = parts[members[0]], parts[members[-1]]
    if first.dialogue:
        return f"cue {cues[first.cue].number} line {first.line}"
    a, b = cues[first.cue].number, cues[last.cue].number
    return f"cue {a}" if a == b else f"cue {a}-{b}"


def _blocks(parts: list[_Part], cues: list[_Cue], vtt: bool) -> tuple[list[Block], list[_Group]]:
    """One block per group of parts, and each group's parts with their share of the text."""
    blocks, groups = [], []
    for members in _groups(parts, cues, vtt):
        builder = _Builder(vtt)
        lengths = []
        for k, i in enumerate(members, 1):
            before = len(builder.text)
            for line in parts[i].raw.split("\n"):
                builder.add_line(line, k)
            builder.end_cue()
            lengths.append(max(1, len(builder.text) - before))
        blocks.append(builder.block(_path(members, parts, cues)))
        groups.append(_Group(members, lengths))
    return blocks, groups


def _cut(text: str, weights: list[int]) -> list[tuple[int, int]]:
    """Character ranges of `text`, one per cue, cut at the word boundaries nearest each
    cue's share (`weights`), each with at least one word; a cut after a word that ends a
    sentence is avoided (the cue would read as a sentence of its own). With fewer words
    than cues, the cues left over repeat the last word (no cue is left empty)."""
    words = [m.span() for m in re.finditer(r"\S+", text)]
    n = len(weights)
    if len(words) <= n:
        return [words[min(j, len(words) - 1)] for j in range(n)]
    total, size = sum(weights), len(text)
    lasts, share, prev = [], 0, -1
    for j in range(n - 1):
        share += weights[j]
        target = size * share / total
        costs = [
            (abs(words[i][1] - target) + (size if _SENTENCE_END.search(text[words[i][0] : words[i][1]]) else 0), i)
            for i in range(prev + 1, len(words) - n + j + 1)
        ]
        prev = min(costs)[1]
        lasts.append(prev)
    firsts = [0] + [i + 1 for i in lasts]
    lasts.append(len(words) - 1)
    return [(words[a][0], words[b][1]) for a, b in zip(firsts, lasts)]


def _cue_of(span: Span, ranges: list[tuple[int, int]]) -> int:
    """The cue (0-based) a verbatim span goes back into: the one it came from, else by place."""
    cue = span.attr("cue")
    if cue.isdigit() and 1 <= int(cue) <= len(ranges):
        return int(cue) - 1
    return next((k for k, (_, end) in enumerate(ranges) if span.start <= end), len(ranges) - 1)


def _split(block: Block, ranges: list[tuple[int, int]]) -> list[Block]:
    """The English block cut into one block per cue: wrapping spans clipped to each cue,
    verbatim spans in their own cue, at their place or the nearest end of that cue."""
    parts = [Block(block.path, block.text[a:b]) for a, b in ranges]
    for span in block.spans:
        if span.kind in VERBATIM:
            k = _cue_of(span, ranges)
            a, b = ranges[k]
            at = min(max(span.start, a), b) - a
            parts[k].spans.append(Span(at, at, span.kind, span.attrs, span.literal))
            continue
        for part, (a, b) in zip(parts, ranges):
            start, end = max(span.start, a), min(span.end, b)
            if start < end:
                part.spans.append(Span(start - a, end - a, span.kind, span.attrs, span.literal))
    return parts


def _escape(text: str, vtt: bool) -> str:
    """Cue text as written: WebVTT escapes &, < and >; SRT has no escapes, so only an
    arrow that would read as a timing line is broken."""
    return html.escape(text, quote=False) if vtt else text.replace("-->", "->")


def _glued(literal: str) -> str:
    """A verbatim piece with the spaces inside it (a ruby's words) made no break points;
    the spaces it is padded with stay."""
    core = literal.strip()
    if not core:
        return literal
    at = literal.index(core)
    return literal[:at] + core.replace(" ", _GLUE) + literal[at + len(core) :]


def _markup(nodes: list[str | Node], vtt: bool) -> str:
    """Nested spans as cue markup; a tag kept whole (`<c.yellow>`) closes by its name."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(_escape(node, vtt))
        elif node.span.kind in VERBATIM:
            out.append(_glued(node.span.literal))
        elif node.span.kind == "link":
            out.append(_markup(node.children, vtt))
        else:
            tag = node.span.attr("tag") or {"em": "i", "strong": "b"}.get(node.span.kind, "u")
            name = re.match(r"<?([A-Za-z]+)", tag)
            opening = tag if tag.startswith("<") else f"<{tag}>"
            out.append(f"{opening}{_markup(node.children, vtt)}</{name.group(1) if name else 'u'}>")
    return "".join(out)


def _width(text: str) -> int:
    """Characters a piece of cue markup shows: tags take none, an entity one."""
    return len(_ENTITY.sub("&", _TAG.sub("", text)))


def _wrap(line: str) -> list[str]:
    """A line of cue markup wrapped at LINE_WIDTH: in two balanced lines where both fit,
    else filled line by line. Spaces inside tags or glued are no break points."""
    hidden = _TAG.sub(lambda m: m.group().replace(" ", _GLUE), line)
    words = [w.replace(_GLUE, " ") for w in hidden.split()]
    widths = [_width(w) for w in words]
    total = sum(widths) + len(widths) - 1
    if total <= LINE_WIDTH or len(words) < 2:
        return [" ".join(words)]
    splits = []
    for i in range(1, len(words)):
        top = sum(widths[:i]) + i - 1
        splits.append((max(top, total - top - 1), i))
    longest, i = min(splits)
    if longest <= LINE_WIDTH:
        return [" ".join(words[:i]), " ".join(words[i:])]
    lines, current, size = [], [words[0]], widths[0]
    for word, width in zip(words[1:], widths[1:]):
        if size + 1 + width > LINE_WIDTH:
            lines.append(" ".join(current))
            current, size = [], -1
        current.append(word)
        size += 1 + width
    return [*lines, " ".join(current)]


def _with_speaker(markup: str, speaker: str) -> str:
    """Cue markup with the speaker's dash put back at its start (after `{\\an8}`-style
    overrides), glued to the first word so that no line holds the dash alone."""
    if not speaker:
        return markup
    at = _ASS_LEAD.match(markup)
    end = at.end() if at else 0
    return markup[:end] + speaker.replace(" ", _GLUE) + markup[end:].lstrip()


def _render_group(block: Block, group: _Group, speakers: list[str], vtt: bool) -> list[str] | None:
    """The text of each part of the group with the English in it; None when the English
    has no words (the parts are left as they were rather than emptied)."""
    if not block.text.strip():
        return None
    parts = _split(block, _cut(block.text, group.lengths))
    return [
        "\n".join(_wrap(_with_speaker(_markup(nest(part), vtt), speaker))) for part, speaker in zip(parts, speakers)
    ]


def _english_header(text: str) -> str:
    """A WebVTT file's text with its header's `Language: nl` (any case, `nl-BE` too) made
    `Language: en`."""
    end = text.find("\n\n")
    end = len(text) if end < 0 else end
    first = text.find("\n")
    if first < 0 or first >= end:
        return text
    return text[:first] + _LANGUAGE_NL.sub(r"\1en\2", text[first:end]) + text[end:]


def _closed(raw: str) -> str:
    """`raw` with the wrapping tags it leaves open closed at its end."""
    names = [re.match(r"<([A-Za-z]+)", tag) for tag in re.findall(r"<[^<>]*>", _still_open(raw))]
    return raw + "".join(f"</{m.group(1)}>" for m in reversed(names) if m)


def _cue_texts(tree: _Subtitles, new: dict[int, str]) -> dict[int, str]:
    """The new text of each cue with a part in English (cue index → text): its parts'
    English, one after another, a part left untranslated as it was written (the tags it
    leaves open closed, as the English parts after it close their own)."""
    by_cue: dict[int, list[int]] = {}
    for i, part in enumerate(tree.parts):
        by_cue.setdefault(part.cue, []).append(i)
    return {
        cue: "\n".join(new[i] if i in new else _closed(tree.parts[i].source) for i in members)
        for cue, members in by_cue.items()
        if any(i in new for i in members)
    }


class _SubtitleFormat(DocumentFormat):
    """What SRT and WebVTT share: cues → parts → groups → blocks, and writing cue text back."""

    vtt: ClassVar[bool] = False

    def _cues(self, text: str, path: Path) -> tuple[list[_Cue], dict[str, str]]:
        """The file's cues and metadata."""
        raise NotImplementedError

    def parse(self, data: bytes, path: Path) -> ParsedDocument:
        """Cue groups as blocks; see the module's docstring."""
        check_size(data, path, self)
        text = decode(data, path)
        cues, meta = self._cues(text, path)
        if not cues:
            raise InputError(str(path), f"no subtitle cues found: the file is empty or not {self.name}")
        parts = _parts(cues)
        blocks, groups = _blocks(parts, cues, self.vtt)
        if not blocks:
            raise InputError(str(path), "no text to translate: every cue is empty")
        tree = _Subtitles(text, cues, parts, groups, self.vtt, data.startswith(_BOM), b"\r\n" in data)
        return ParsedDocument(blocks, meta, tree)

    def render(self, parsed: ParsedDocument, english: list[Block]) -> bytes:
        """The file with each group's cues holding the English; all else as it was (but a
        WebVTT header's `Language: nl`, made `en`)."""
        tree: _Subtitles = parsed.tree
        if len(english) != len(tree.groups):
            raise ValueError(f"{len(english)} English blocks for {len(tree.groups)} cue groups")
        new: dict[int, str] = {}
        for block, group in zip(english, tree.groups):
            texts = _render_group(block, group, [tree.parts[i].speaker for i in group.parts], tree.vtt)
            if texts:
                new.update(zip(group.parts, texts))
        cue_texts = _cue_texts(tree, new)
        out, pos = [], 0
        for i, cue in enumerate(tree.cues):
            if i in cue_texts:
                out += [tree.text[pos : cue.at[0]], cue_texts[i]]
                pos = cue.at[1]
        text = "".join(out) + tree.text[pos:]
        if tree.vtt:
            text = _english_header(text)
        if tree.crlf:
            text = text.replace("\n", "\r\n")
        return (_BOM if tree.bom else b"") + text.encode("utf-8")


def _ms(delta: timedelta) -> int:
    """A time in whole milliseconds."""
    return delta // timedelta(milliseconds=1)


@register_format
class SrtFormat(_SubtitleFormat):
    """SubRip (.srt) subtitles, read with `srt`; see the module's docstring."""

    name = "SRT"
    suffixes = (".srt",)

    def _cues(self, text: str, path: Path) -> tuple[list[_Cue], dict[str, str]]:
        """The cues (numbered by their own index), where their text stands found with
        srt's own pattern; no metadata."""
        try:
            subtitles = list(srt.parse(text))
        except srt.SRTParseError as exc:
            unmatched = exc.unmatched_content
            line = text.count("\n", 0, exc.expected_start + len(unmatched) - len(unmatched.lstrip())) + 1
            found = " / ".join(unmatched.strip().split("\n")[:2])[:80]
            raise InputError(
                str(path), f"broken SRT at line {line}: no cue timing could be read in {found!r}"
            ) from None
        except ValueError as exc:  # a timestamp the pattern let through but that is no time
            raise InputError(str(path), f"broken SRT timing: {exc}") from None
        matches = list(srt.SRT_REGEX.finditer(text))
        return [
            _Cue(sub.index, _ms(sub.start), _ms(sub.end), sub.content, m.span(5)) for sub, m in zip(subtitles, matches)
        ], {}


def _vtt_blocks(lines: list[str]) -> list[list[int]]:
    """Line numbers (0-based) of each block of a WebVTT file, split as webvtt-py splits
    them: at empty lines, and at a timing line that cannot belong to the block before."""
    blocks: list[list[int]] = []
    block: list[int] = []
    in_header = True
    for i, line in enumerate(lines):
        arrow_starts = bool(block) and "-->" in line and (in_header or len(block) > 1 or "-->" in lines[block[0]])
        if not line or arrow_starts:
            if block:
                blocks.append(block)
                block, in_header = [], False
        if line:
            block.append(i)
    if block:
        blocks.append(block)
    return blocks


def _vtt_meta(lines: list[str], header: list[int]) -> dict[str, str]:
    """The header's text after "WEBVTT" (meta `header`) and its "Key: value" lines."""
    meta = {}
    if lines[0][6:].strip():
        meta["header"] = lines[0][6:].strip()
    for i in header[1:]:
        key, sep, value = lines[i].partition(":")
        if sep and key.strip() and value.strip():
            meta[key.strip().lower()] = value.strip()
    return meta


@register_format
class VttFormat(_SubtitleFormat):
    """WebVTT (.vtt) subtitles, cues read with webvtt-py; see the module's docstring."""

    name = "WebVTT"
    suffixes = (".vtt",)
    vtt = True

    def _cues(self, text: str, path: Path) -> tuple[list[_Cue], dict[str, str]]:
        """The cues (webvtt-py reads each block) and the header's metadata."""
        lines = text.split("\n")
        if not re.match(r"WEBVTT(?:[ \t]|$)", lines[0]):
            raise InputError(str(path), 'not a WebVTT file: the first line is not "WEBVTT"')
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line) + 1)
        blocks = _vtt_blocks(lines)
        cues: list[_Cue] = []
        seen_cue = False
        for block in blocks[1:]:
            block_lines = [lines[i] for i in block]
            item = parse_item(block_lines, False, seen_cue)
            seen_cue = seen_cue or any("-->" in line for line in block_lines)
            if isinstance(item, Caption):
                timing = next(k for k, line in enumerate(block_lines) if WebVTTCueBlock.CUE_TIMINGS_PATTERN.match(line))
                payload = block[timing + 1 :]
                at = (starts[payload[0]], starts[payload[-1]] + len(lines[payload[-1]])) if payload else (0, 0)
                start, end = item.start_time.in_milliseconds(), item.end_time.in_milliseconds()
                cues.append(_Cue(len(cues) + 1, start, end, "\n".join(lines[i] for i in payload), at))
            elif any("-->" in line for line in block_lines) and not block_lines[0].startswith("NOTE"):
                raise InputError(str(path), f"broken cue timing at line {block[0] + 1}: {block_lines[0][:60]!r}")
        return cues, _vtt_meta(lines, blocks[0])
