"""JSONL input: records (`{"id": …, "text": …}` a line, .gz decompressed on the fly)
read in shards of N consecutive lines, bad lines kept as rejects, so shard
boundaries depend on the input alone."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.document.inputs import segment_text, shown_path
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


def parse_line(raw: bytes, line: int, seen: set[bytes] | None) -> Record | Reject:
    """One non-blank line → a Record, or a Reject saying what is wrong with it."""
    if line == 1 and raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark, as Windows tools write
        raw = raw[3:]
    shown = raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
    try:
        data = json.loads(raw.decode("utf-8"))
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
        key = hashlib.blake2b(doc_id.encode("utf-8"), digest_size=16).digest()
        if key in seen:
            return Reject(line, f"duplicate id {doc_id!r}", shown)
        seen.add(key)
    extra = {k: v for k, v in data.items() if k not in ("id", "text")}
    return Record(doc_id, text, line, extra)


def scan_jsonl(path: Path, shard_size: int) -> Iterator[Shard]:
    """Stream `path` into shards of `shard_size` records, in order, each with its
    records and rejects. Memory: one shard, plus about 85 bytes per document id
    (a set of 16-byte digests, to find duplicates)."""
    seen: set[bytes] = set()
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
