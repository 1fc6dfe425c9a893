"""Reading text the same way everywhere: articles, sentence files, ladders, TSVs.

UTF-8 only (a BOM is accepted), CRLF and CR become LF, control characters
other than tab and newline are removed. A file that is not UTF-8 is an
`InputError` naming the file and the byte offset, or saying what it is
instead (UTF-16/32, PDF, ZIP, compressed) and how to convert it.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shlex
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import InputError

log = logging.getLogger(__name__)

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = [
    (b"\xff\xfe\x00\x00", "UTF-32", "little-endian"),
    (b"\x00\x00\xfe\xff", "UTF-32", "big-endian"),
    (b"\xff\xfe", "UTF-16", "little-endian"),
    (b"\xfe\xff", "UTF-16", "big-endian"),
]
_NOT_TEXT = [
    (b"%PDF", "a PDF file, not plain text: extract its text first (e.g. pdftotext)"),
    (b"PK\x03\x04", "a ZIP archive (as .docx, .odt and .epub files are), not plain text: save it as UTF-8 text first"),
    (b"\x1f\x8b", "gzip-compressed: decompress it first (gunzip)"),
    (b"BZh", "bzip2-compressed: decompress it first (bunzip2)"),
    (b"\xfd7zXZ\x00", "xz-compressed: decompress it first (unxz)"),
]


def _convert_hint(path: Path | str, encoding: str) -> str:
    if str(path) == "-":
        return f"pipe it through iconv -f {encoding} -t UTF-8 first"
    name = shlex.quote(str(path)) if str(path).isprintable() else "FILE"  # the error line stays one line
    suffix = Path(path).suffix  # the converted file keeps its kind: NEW.srt, NEW.md
    if not suffix[1:].isalnum() or suffix == ".gz":
        suffix = ".txt"
    return f"convert it to UTF-8 first, e.g. iconv -f {encoding} -t UTF-8 {name} > NEW{suffix}"


def _not_utf8(data: bytes, path: Path | str) -> str | None:
    """What `data` is when it is not UTF-8 text, with the fix; None when no guess applies."""
    for magic, what in _NOT_TEXT:
        if data.startswith(magic):
            return what
    for bom, encoding, order in _BOMS:
        if data.startswith(bom):
            return f"{encoding} text ({order}, with a byte-order mark), not UTF-8; {_convert_hint(path, encoding)}"
    sample = data[:4096]
    nuls = sample.count(0)
    if nuls < 4 or 3 * nuls < len(sample):  # a stray NUL is a control character, removed like the others
        return None
    if 3 * nuls >= 2 * len(sample):
        encoding = "UTF-32LE" if sample[0] else "UTF-32BE"
    else:
        odd = sum(1 for k in range(1, len(sample), 2) if sample[k] == 0)
        if 10 * odd >= 9 * nuls:
            encoding = "UTF-16LE"
        elif 10 * odd <= nuls:
            encoding = "UTF-16BE"
        else:
            return "binary data (many NUL bytes), not text"
    return (
        f"probably {encoding} text without a byte-order mark ({nuls} of its first {len(sample)} bytes are NUL), "
        f"not UTF-8; {_convert_hint(path, encoding)}"
    )


def decode(data: bytes, path: Path | str, offset: int = 0, line: int = 1) -> str:
    """UTF-8 (BOM allowed) → text with LF line endings and no control characters
    (`clean_text`). `offset` and `line`: where `data` starts in its file, for
    the error message when `data` is one line of it."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        problem = _not_utf8(data, path)  # UTF-16 text without a BOM can be valid UTF-8 with a NUL in every other byte
        if problem:
            raise InputError(path, problem)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line += data.count(b"\n", 0, exc.start)
        raise InputError(
            path,
            _not_utf8(data, path)
            or (
                f"not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {offset + exc.start} (line {line}); "
                f"if it is Latin-1/Windows-1252 text, {_convert_hint(path, 'WINDOWS-1252')}"
            ),
        ) from None
    return clean_text(text)


def clean_text(text: str) -> str:
    """Text as every reader gives it: LF line endings, separator controls as line
    breaks, no other control characters. For decoded files and for text that
    arrives as a string (a JSONL document's `text`)."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").translate(_LINE_BREAKS))


# Controls that separate text (form feed between pdftotext pages, vertical tab,
# NEL, the file/group/record/unit separators, Unicode line and paragraph
# separators) become line breaks rather than vanishing and gluing words.
_LINE_BREAKS = {ord(c): "\n" for c in "\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028"} | {0x2029: "\n\n"}
# Unicode category Cc (C0, DEL, C1) except tab and LF; one regex pass, fast on large files.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WS = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace (tabs and newlines too) to one space."""
    return _WS.sub(" ", text).strip()


def file_problem(path: Path | str) -> str | None:
    """Why `path` cannot be read as a text file, or None when it is a regular
    file: missing, a broken link, a link loop, a folder, a pipe, a device."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop (the link leads back to itself)"
        if exc.errno == errno.ENOENT and path.is_symlink():
            return f"broken symbolic link (to {os.readlink(path)}, which does not exist)"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return "no such file or directory"
        return (exc.strerror or str(exc)).lower()
    if stat.S_ISREG(mode):
        return None
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    )
    kind = next((name for test, name in kinds if test(mode)), "special")
    return f"is {kind}, not a regular file"


# A file read whole is at most this large unless a caller says otherwise (`/dev/zero` or an
# endless pipe must not fill memory); files larger than this are read line by line.
WHOLE_FILE_LIMIT = 1_000_000_000
# A line read by `iter_lines` is at most this long (a file with no line ends is no TSV).
LINE_LIMIT = 64_000_000


def read_bytes(path: Path | str, what: str = "file", limit: int | None = None) -> bytes:
    """The bytes of `path`, or of stdin for `-`. A named pipe is read too, so
    that `nlen align <(cut -f1 x.tsv) <(cut -f2 x.tsv)` works. `limit`: the
    most bytes accepted (default `WHOLE_FILE_LIMIT`); more is an InputError (so
    `/dev/zero` cannot fill memory)."""
    limit = WHOLE_FILE_LIMIT if limit is None else limit
    if str(path) == "":
        raise InputError("''", f"an empty string is not a {what} name")
    if str(path) == "-":
        if sys.stdin is None:
            raise InputError("-", f"cannot read {what}: stdin is closed")
        if sys.stdin.isatty():
            log.info("reading %s from the terminal (stdin); end it with Ctrl-D", what)
        data = sys.stdin.buffer.read(limit + 1)
    else:
        try:
            with open(path, "rb") as f:
                data = f.read(limit + 1)  # one byte more than allowed tells a file that is too large
        except OSError as exc:
            raise _read_error(path, what, exc) from None
    if len(data) > limit:
        raise InputError(path, f"larger than {limit / 1e6:g} MB, too large for a {what}")
    return data


def _read_error(path: Path | str, what: str, exc: OSError) -> InputError:
    problem = file_problem(path) or (exc.strerror or str(exc)).lower()
    if problem == "no such file or directory":
        return InputError(path, f"{what} not found")
    return InputError(path, f"cannot read {what}: {problem}")


def read_text(path: Path | str, what: str = "file", limit: int | None = None) -> str:
    """The text of `path` (stdin for `-`), decoded as `decode` does; `what` names it in errors;
    `limit`: the most bytes accepted (see `read_bytes`)."""
    return decode(read_bytes(path, what, limit), path)


def iter_lines(path: Path | str, what: str = "file") -> Iterator[tuple[int, str]]:
    """(line number, line) of `path` (stdin for `-`), decoded as `read_text`
    decodes, one line at a time: for files too large to hold in memory."""
    stdin = str(path) == "-"
    if stdin:
        if sys.stdin is None:
            raise InputError("-", f"cannot read {what}: stdin is closed")
        if sys.stdin.isatty():
            log.info("reading %s from the terminal (stdin); end it with Ctrl-D", what)
        f = sys.stdin.buffer
    elif str(path) == "":
        raise InputError("''", f"an empty string is not a {what} name")
    else:
        try:
            f = open(path, "rb")
        except OSError as exc:
            raise _read_error(path, what, exc) from None
    number = offset = raw_number = 0
    try:
        while raw := f.readline(LINE_LIMIT + 1):
            raw_number += 1
            if len(raw) > LINE_LIMIT and not raw.endswith(b"\n"):
                raise InputError(f"{path}:{raw_number}", f"a line longer than {LINE_LIMIT / 1e6:g} MB: not a {what}")
            try:
                text = decode(raw[:-2] if raw.endswith(b"\r\n") else raw.rstrip(b"\n"), path, offset, raw_number)
            except InputError:
                if not stdin:
                    read_text(path, what)  # raises the error with what the whole file looks like
                raise
            offset += len(raw)
            for line in text.split("\n"):  # a separator control inside the line breaks it, as in read_text
                number += 1
                yield number, line
    finally:
        if not stdin:
            f.close()


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
