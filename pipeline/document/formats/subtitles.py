"""SRT and WebVTT subtitles (the `srt` and `webvtt-py` packages): cues are joined into
sentences for translation and the English is split back across the same cues and timings.

A block is a cue group: consecutive cues up to the one whose text ends a sentence, a gap of
more than 2 s, or 6 cues; its path is "cue 12-13" (1-based places of the cues in the file)
or "cue 7". Cue lines are joined with spaces; `<i>`, `<b>`, `<u>` become em, strong and
format spans, any other tag (`<font …>`, `<c.yellow>`, `<v Bob>`, a VTT timestamp) and
`{\\an8}` a verbatim code span that stays in its own cue. A speaker dash at the start of a
line ("- Hoi.") is a code span too (attr `speaker`); the writer starts a new line with it.

The writer replaces only the cues' text: indices, timing lines (byte for byte), cue
settings, the WebVTT header, NOTE, STYLE and REGION blocks, cues without text, a BOM and
CRLF line ends are kept. The English is cut at the word boundaries nearest the Dutch cues'
share of the text, each cue getting at least one word (when the English has fewer words
than the group has cues, the cues left over repeat its last word), and wrapped at 42
characters a line, in two balanced lines where that fits.
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

# Markup in cue text: `<i>`, `<b>`, `<u>` wrap words; other tags and ASS overrides are kept.
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<\d[\d:.]*>|\{\\[^{}]*\}")
_WRAPPING = {"i": "em", "b": "strong", "u": "format"}
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)[\"'”’»)\]]*$")
_SPEAKER = re.compile(r"[-–—](?:[ \t]+|(?=[^\W\d_]|[\"'“‘«¿¡]))")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_BOM = b"\xef\xbb\xbf"


@dataclass
class _Cue:
    """One cue: its place, timing, text as written, and where that text stands in the file."""

    number: int  # 1-based place in the file
    start_ms: int
    end_ms: int
    raw: str  # the cue's text lines, joined by "\n", tags and all
    at: tuple[int, int]  # character offsets of that text in the decoded file


@dataclass
class _Group:
    """The cues of one block and each one's share (in characters) of the block's text."""

    cues: list[int]
    lengths: list[int]


@dataclass
class _Subtitles:
    """The format's tree: the decoded file, its cues and groups, how to write it back."""

    text: str
    cues: list[_Cue]
    groups: list[_Group]
    vtt: bool
    bom: bool
    crlf: bool


class _Builder:
    """Builds a block's one-line text and spans from cue text: whitespace collapsed, tags
    taken out as spans."""

    def __init__(self, vtt: bool):
        self.vtt = vtt
        self.text = ""
        self.spans: list[Span] = []
        self.open: list[tuple[str, int]] = []  # (tag name, start) of the wrapping tags open
        self.pending: list[int] = []  # code spans waiting to know whether a space follows them

    def add(self, piece: str) -> None:
        """Append text, whitespace collapsed, no space at the start or doubled."""
        piece = re.sub(r"\s+", " ", html.unescape(piece) if self.vtt else piece)
        if piece:
            self.settle(piece.startswith(" "))
        if piece.startswith(" ") and (not self.text or self.text.endswith(" ")):
            piece = piece[1:]
        self.text += piece

    def code(self, literal: str, cue: int, speaker: str = "") -> None:
        """A verbatim piece at the current place, kept in cue `cue`; attr `space` (as
        take_out_placeholders sets it) is settled when the next text comes."""
        attrs: tuple[tuple[str, str], ...] = (("cue", str(cue)),) + ((("speaker", speaker),) if speaker else ())
        attrs += (("space", "before" if self.text.endswith(" ") else "none"),)
        self.spans.append(Span(len(self.text), len(self.text), "code", attrs, literal))
        self.pending.append(len(self.spans) - 1)

    def settle(self, space_after: bool) -> None:
        """The pending code spans learn whether a space follows them."""
        for i in self.pending if space_after else ():
            s = self.spans[i]
            space = {"before": "both", "none": "after"}[s.attr("space")]
            self.spans[i] = Span(s.start, s.end, s.kind, (*s.attrs[:-1], ("space", space)), s.literal)
        self.pending = []

    def tag(self, tag: str, cue: int) -> None:
        """An inline tag: opens or closes a wrapping span, or is kept verbatim."""
        m = re.fullmatch(r"<(/?)([ibuIBU])>", tag)
        if not m:
            self.code(tag, cue)
            return
        name = m.group(2).lower()
        if not m.group(1):
            self.open.append((name, len(self.text)))
        elif any(n == name for n, _ in self.open):
            while self.open:  # a tag closed out of order closes those opened inside it
                inner, start = self.open.pop()
                self.spans.append(Span(start, len(self.text), _WRAPPING[inner], (("tag", inner),)))
                if inner == name:
                    break
        else:
            self.code(tag, cue)  # a closing tag that closes nothing: kept as it was

    def add_line(self, line: str, cue: int) -> None:
        """One line of a cue's text: a speaker dash at its start, tags, text."""
        self.add(" ")
        at_start, pos = True, 0
        for m in [*_TAG.finditer(line), None]:
            piece = line[pos : m.start() if m else len(line)]
            if at_start and piece.strip():
                piece = piece.lstrip()
                dash = _SPEAKER.match(piece)
                if dash:  # "- " or "-" as written, without the spaces that followed
                    prefix = dash.group()[0] + (" " if len(dash.group()) > 1 else "")
                    self.code(prefix, cue, speaker=prefix)
                    piece = piece[dash.end() :]
                at_start = False
            self.add(piece)
            if m:
                self.tag(m.group(), cue)
                pos = m.end()

    def block(self, path: str) -> Block:
        """The finished block: trailing space cut, wrapping spans trimmed to their words."""
        for name, start in reversed(self.open):
            self.spans.append(Span(start, len(self.text), _WRAPPING[name], (("tag", name),)))
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
        spans.sort(key=lambda s: (s.start, -s.end))
        return take_out_placeholders(Block(path, text, spans))


def _visible(raw: str, vtt: bool) -> str:
    """A cue's text without tags, lines joined, for deciding where sentences end."""
    text = _TAG.sub("", raw)
    return " ".join((html.unescape(text) if vtt else text).split())


def _groups(cues: list[_Cue], vtt: bool) -> list[list[int]]:
    """Cues joined into sentences: a group ends at a cue that ends a sentence (an ellipsis
    followed by an ellipsis or a lower-case word continues), after a gap of more than
    MAX_GAP_MS, at MAX_CUES cues, or at a cue without text (left as it is)."""
    texts = [_visible(c.raw, vtt) for c in cues]
    groups: list[list[int]] = []
    current: list[int] = []
    for i, cue in enumerate(cues):
        if current and (not texts[i] or cue.start_ms - cues[current[-1]].end_ms > MAX_GAP_MS):
            groups.append(current)
            current = []
        if not texts[i]:
            continue
        current.append(i)
        following = texts[i + 1] if i + 1 < len(cues) else ""
        continues = bool(_ELLIPSIS_END.search(texts[i])) and (
            following.startswith(("...", "…")) or following[:1].islower()
        )
        if len(current) >= MAX_CUES or (_SENTENCE_END.search(texts[i]) and not continues):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _blocks(cues: list[_Cue], vtt: bool) -> tuple[list[Block], list[_Group]]:
    """One block per cue group, and each group's cues with their share of the text."""
    blocks, groups = [], []
    for members in _groups(cues, vtt):
        builder = _Builder(vtt)
        lengths = []
        for k, i in enumerate(members, 1):
            before = len(builder.text)
            for line in cues[i].raw.split("\n"):
                builder.add_line(line, k)
            lengths.append(max(1, len(builder.text) - before))
        first, last = cues[members[0]].number, cues[members[-1]].number
        blocks.append(builder.block(f"cue {first}" if first == last else f"cue {first}-{last}"))
        groups.append(_Group(members, lengths))
    return blocks, groups


def _cut(text: str, weights: list[int]) -> list[tuple[int, int]]:
    """Character ranges of `text`, one per cue, cut at the word boundaries nearest each
    cue's share (`weights`), each with at least one word; a cut after a word that ends a
    sentence is avoided (the cue would read as a sentence of its own). With fewer words
    than cues, the cues left over repeat the last word."""
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


def _markup(nodes: list[str | Node], vtt: bool) -> str:
    """Nested spans as cue markup; a speaker dash starts a new line ("\\n")."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(_escape(node, vtt))
        elif node.span.kind in VERBATIM:
            speaker = node.span.attr("speaker")
            out.append("\n" + speaker if speaker else node.span.literal)
        elif node.span.kind == "link":
            out.append(_markup(node.children, vtt))
        else:
            tag = node.span.attr("tag") or {"em": "i", "strong": "b"}.get(node.span.kind, "u")
            out.append(f"<{tag}>{_markup(node.children, vtt)}</{tag}>")
    return "".join(out)


def _width(text: str) -> int:
    """Characters a piece of cue markup shows: tags take none, an entity one."""
    return len(_ENTITY.sub("&", _TAG.sub("", text)))


def _wrap(line: str) -> list[str]:
    """A line of cue markup wrapped at LINE_WIDTH: in two balanced lines where both fit,
    else filled line by line. Spaces inside tags are no break points."""
    hidden = _TAG.sub(lambda m: m.group().replace(" ", "\x00"), line)
    words = [w.replace("\x00", " ") for w in hidden.split()]
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


def _lines(markup: str) -> list[str]:
    """Cue markup as its lines: split where a speaker starts, each wrapped; a piece that
    shows nothing (a lone tag) joins the next line."""
    lines: list[str] = []
    carry = ""
    for piece in markup.split("\n"):
        piece = carry + piece.strip()
        carry = ""
        if not _width(piece):
            carry = piece
            continue
        lines.extend(_wrap(piece))
    if carry:
        if lines:
            lines[-1] += carry
        else:
            lines.append(carry)
    return lines


def _render_group(block: Block, group: _Group, vtt: bool) -> list[str] | None:
    """The text of each cue of the group with the English in it; None when the English
    has no words (the cues are left as they were rather than emptied)."""
    if not block.text.strip():
        return None
    parts = _split(block, _cut(block.text, group.lengths))
    return ["\n".join(_lines(_markup(nest(part), vtt))) for part in parts]


class _SubtitleFormat(DocumentFormat):
    """What SRT and WebVTT share: cues → groups → blocks, and writing cue text back."""

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
        blocks, groups = _blocks(cues, self.vtt)
        if not blocks:
            raise InputError(str(path), "no text to translate: every cue is empty")
        tree = _Subtitles(text, cues, groups, self.vtt, data.startswith(_BOM), b"\r\n" in data)
        return ParsedDocument(blocks, meta, tree)

    def render(self, parsed: ParsedDocument, english: list[Block]) -> bytes:
        """The file with each group's cues holding the English; all else as it was."""
        tree: _Subtitles = parsed.tree
        if len(english) != len(tree.groups):
            raise ValueError(f"{len(english)} English blocks for {len(tree.groups)} cue groups")
        new: dict[int, str] = {}
        for block, group in zip(english, tree.groups):
            texts = _render_group(block, group, tree.vtt)
            if texts:
                new.update(zip(group.cues, texts))
        out, pos = [], 0
        for i, cue in enumerate(tree.cues):
            if i in new:
                out += [tree.text[pos : cue.at[0]], new[i]]
                pos = cue.at[1]
        text = "".join(out) + tree.text[pos:]
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
        """The cues, where their text stands found with srt's own pattern; no metadata."""
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
            _Cue(n, _ms(sub.start), _ms(sub.end), sub.content, m.span(5))
            for n, (sub, m) in enumerate(zip(subtitles, matches), 1)
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
