"""JSONL input: records (`{"id": …, "text": …}` a line, .gz decompressed on the fly)
read in shards of N consecutive lines, bad lines kept as rejects, so shard
boundaries depend on the input alone."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.document.inputs import name_key, segment_text, shown_path
from pipeline.errors import InputError
from pipeline.textio import clean_text
from pipeline.types import Document

DEFAULT_SHARD_SIZE = 100


@dataclass
class Record:
    """One good JSONL line: a document."""

    id: str
    text: str
    line: int  # 1-based line number in the input
    extra: dict = field(default_factory=dict)  # fields besides id and text, kept in the manifest


@dataclass
class Reject:
    """An input line that is not a usable record, and why."""

    line: int
    reason: str
    raw: str  # the line as read (bytes that are not UTF-8 shown as \xNN)

    def to_dict(self) -> dict:
        """The reject as the manifest lists it."""
        return {"line": self.line, "reason": self.reason, "raw": self.raw}


@dataclass
class Shard:
    """N consecutive records of one JSONL input. `records` is filled when the
    shard was read in this process; otherwise `load_records` reads its byte range."""

    input: Path
    index: int  # 0-based shard number within the input
    first_line: int
    last_line: int
    offset: int  # byte offset of its first line in the (decompressed) input
    length: int  # bytes of its lines
    sha256: str  # of those bytes
    final: bool = False  # the input's last shard
    rejects: list[Reject] = field(default_factory=list)
    records: list[Record] | None = None

    def without_records(self) -> Shard:
        """The same shard with `records` None, so that it pickles small (its worker reads the
        byte range)."""
        return Shard(
            self.input,
            self.index,
            self.first_line,
            self.last_line,
            self.offset,
            self.length,
            self.sha256,
            self.final,
            self.rejects,
            None,
        )


# --- JSONL input -----------------------------------------------------------------
READ_ERRORS = (OSError, EOFError, zlib.error)  # a damaged or truncated .gz among them


def open_binary(path: Path):
    """The input's bytes as a stream; .gz decompressed on the fly."""
    try:
        return gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")
    except OSError as exc:
        raise InputError(shown_path(path), f"cannot read file: {exc.strerror or exc}") from None


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # an id is a name: it goes into the TSV's doc column as is
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # the only way a lone surrogate gets into a UTF-8 line


def _encodable(data) -> bool:
    """Whether every string in `data` can be written as UTF-8 (a lone surrogate cannot)."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


MAX_DEPTH = 100  # a record nested deeper is refused: the manifest's writer recurses per level


def _strict_number(text: str) -> float:
    """A JSON float that is finite: 1e999 (and NaN, Infinity) have no place in strict JSON."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range for a number")
    return value


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _too_deep(data) -> bool:
    """Whether `data` holds lists or objects nested more than MAX_DEPTH deep (walked
    without recursion)."""
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                return True
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False


def _load(raw: bytes):
    """The line's JSON, strict: no NaN or Infinity, no number out of range, at most
    MAX_DEPTH levels. A ValueError says what is wrong."""
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant, parse_float=_strict_number)
    except RecursionError:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep") from None
    if _too_deep(data):
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
    return data


def name_digest(doc_id: str) -> bytes:
    """16 bytes that stand for a document name: ids equal once spaces and case are
    normalised (`name_key`) are one name in the TSV's doc column and on disk."""
    return hashlib.blake2b(name_key(doc_id).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def parse_line(raw: bytes, line: int, seen: dict[bytes, int] | set[bytes] | None) -> Record | Reject:
    """One non-blank line → a Record, or a Reject saying what is wrong with it. `seen`: the
    names of the records before it (`name_digest`, with their line when it is a dict)."""
    if line == 1 and raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark, as Windows tools write
        raw = raw[3:]
    shown = raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
    try:
        data = _load(raw)
    except UnicodeDecodeError as exc:
        return Reject(line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start} in the line)", shown)
    except ValueError as exc:
        return Reject(line, f"not JSON ({exc})", shown)
    if not isinstance(data, dict):
        return Reject(line, f"not a JSON object but {type(data).__name__}", shown)
    if _SURROGATE_ESCAPE.search(raw) and not _encodable(data):
        return Reject(line, "not valid Unicode (a \\uD800–\\uDFFF escape that is not half of a surrogate pair)", shown)
    missing = [repr(k) for k in ("id", "text") if k not in data]
    if missing:
        return Reject(line, f"no {' and no '.join(missing)} field", shown)
    doc_id, text = data["id"], data["text"]
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)) or str(doc_id).strip() == "":
        return Reject(line, "'id' must be a non-empty string or an integer", shown)
    if not isinstance(text, str):
        return Reject(line, f"'text' must be a string, not {type(text).__name__}", shown)
    doc_id = str(doc_id)
    if _CONTROL.search(doc_id):
        return Reject(line, f"'id' {doc_id!r} holds a control character (tab, newline, …)", shown)
    if seen is not None:
        reason = _remember(seen, name_digest(doc_id), line)
        if reason:
            return Reject(line, f"duplicate id {doc_id!r}{reason}", shown)
    extra = {k: v for k, v in data.items() if k not in ("id", "text")}
    return Record(doc_id, text, line, extra)


def _remember(seen: dict[bytes, int] | set[bytes], key: bytes, line: int) -> str | None:
    """Add a record's name to `seen`; when it is there already, how to say which line has it."""
    if isinstance(seen, dict):
        if key in seen:
            return f" (the same document name as line {seen[key]}: case and spacing are ignored)"
        seen[key] = line
    else:
        if key in seen:
            return " (the same document name as an earlier line)"
        seen.add(key)
    return None


def scan_jsonl(path: Path, shard_size: int) -> Iterator[Shard]:
    """Stream `path` into shards of `shard_size` records, in order, each with its
    records and rejects. Memory: one shard, plus about 120 bytes per document id
    (16-byte digests and their line numbers, to find duplicate names)."""
    seen: dict[bytes, int] = {}
    pending: Shard | None = None
    with open_binary(path) as f:
        index, number, offset = 0, 0, 0
        current: Shard | None = None
        h = hashlib.sha256()
        try:
            for number, raw in enumerate(f, start=1):
                start, offset = offset, offset + len(raw)
                if not raw.strip():
                    if current is not None:
                        h.update(raw)
                        current.length += len(raw)
                    continue
                if current is None:
                    records: list[Record] = []
                    current = Shard(path, index, number, number, start, 0, "", records=records)
                    h = hashlib.sha256()
                h.update(raw)
                current.length += len(raw)
                current.last_line = number
                item = parse_line(raw, number, seen)
                if isinstance(item, Reject):
                    current.rejects.append(item)
                else:
                    records.append(item)
                if len(records) + len(current.rejects) == shard_size:
                    current.sha256 = h.hexdigest()
                    if pending is not None:
                        yield pending
                    pending, current = current, None
                    index += 1
        except READ_ERRORS as exc:
            # The shard read whole before the damage still goes through; the rest cannot.
            if pending is not None:
                yield pending
            raise InputError(shown_path(path), f"cannot read past line {number}: {exc}") from None
    if current is not None:
        current.sha256 = h.hexdigest()
        if pending is not None:
            yield pending
        pending = current
    if pending is not None:
        pending.final = True
        yield pending


def load_records(shard: Shard) -> list[Record]:
    """Read a shard's records by its byte range (in a worker that did not scan
    the input); the bytes must be those that were scanned."""
    rejected = {r.line for r in shard.rejects}
    with open_binary(shard.input) as f:
        try:
            f.seek(shard.offset)  # .gz: decompresses up to the offset
            data = f.read(shard.length)
        except READ_ERRORS as exc:
            raise InputError(shown_path(shard.input), f"cannot read file: {exc}") from None
    if hashlib.sha256(data).hexdigest() != shard.sha256:
        raise InputError(shown_path(shard.input), f"changed while it was being translated (shard {shard.index})")
    records = []
    for number, raw in enumerate(io.BytesIO(data), start=shard.first_line):
        if raw.strip() and number not in rejected:
            item = parse_line(raw, number, None)
            assert isinstance(item, Record), item  # it parsed when scanned, and the bytes are the same
            records.append(item)
    return records


def record_document(record: Record, path: Path, lang: str = "nl") -> Document:
    """A JSONL record as a Document named by its id (`path` is the input), its text cleaned as
    a .txt's would be."""
    return Document(
        name=record.id,
        path=path,
        sha256=hashlib.sha256(record.text.encode("utf-8")).hexdigest(),
        paragraphs=segment_text(clean_text(record.text), lang),
    )  # controls removed, as from a .txt
