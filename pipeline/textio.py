"""Reading text the same way everywhere: articles, sentence files, ladders, TSVs.

UTF-8 only (a BOM is accepted), CRLF and CR become LF, control characters
other than tab and newline are removed. A file that is not UTF-8 is an
`InputError` naming the file and the byte offset.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

from pipeline.errors import InputError


def decode(data: bytes, path: Path | str) -> str:
    """UTF-8 (BOM allowed) → text with LF line endings and no control characters."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start}") from None
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    if text.isprintable():  # fast path: nothing to remove
        return text
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


# Controls that separate text (form feed between pdftotext pages, vertical tab,
# NEL, the file/group/record/unit separators, Unicode line and paragraph
# separators) become line breaks rather than vanishing and gluing words.
_LINE_BREAKS = {ord(c): "\n" for c in "\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028"} | {0x2029: "\n\n"}
_WS = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace (tabs and newlines too) to one space."""
    return _WS.sub(" ", text).strip()


def read_bytes(path: Path | str, what: str = "file") -> bytes:
    """The bytes of `path`, or of stdin for `-`."""
    if str(path) == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(path, f"{what} not found") from None
    except OSError as exc:
        raise InputError(path, f"cannot read {what}: {exc.strerror or exc}") from None


def read_text(path: Path | str, what: str = "file") -> str:
    return decode(read_bytes(path, what), path)


def read_blocks(text: str) -> list[list[str]]:
    """Sentence-per-line text → blocks; one or more empty lines end a block.
    Whitespace inside a line is normalised to single spaces."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def read_lines(text: str) -> list[str]:
    """All lines, the empty ones kept (MT files are line by line with SRC)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [" ".join(line.split()) for line in lines]
