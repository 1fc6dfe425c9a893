"""Units of work and of commit, shared by every executor.

A *unit* is what is committed at once (pipeline/write.py's `commit_files`):

- an article (`<name>.txt` → `<name>.tsv` + `<name>.json`), or
- a shard of a JSONL input: N consecutive records (non-blank lines, bad ones
  included, so shard boundaries depend on the input alone) →
  `<stem>-<index>.<config>.tsv`, `.json` and, when some lines were bad,
  `.rejects.jsonl`. `<config>` is the hash of everything that changes the
  output (pipeline/run.py's `config_hash`).

The manifest is written last and is the done-marker: it records the SHA-256 of
its TSV and rejects, and of the input it was made from, so a rerun skips a unit
only when its outputs are whole and belong to this input and configuration.

A *task* is what one executor call translates together: one shard, or a group
of small articles (so that batches fill across them). `process_task` runs a
task — translate, align, repair (pipeline/core.py), write — and returns only a
status; the local executor calls it in-process, the Ray executor in its actors.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import re
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pipeline.errors import InputError
from pipeline.segment import input_stem, segment_text, shown_path
from pipeline.textio import clean_text
from pipeline.types import Document

log = logging.getLogger(__name__)

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
    line: int
    reason: str
    raw: str  # the line as read (bytes that are not UTF-8 shown as \xNN)

    def to_dict(self) -> dict:
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

    def without_records(self) -> "Shard":
        return Shard(self.input, self.index, self.first_line, self.last_line, self.offset, self.length,
                     self.sha256, self.final, self.rejects, None)


@dataclass
class Unit:
    """One unit of commit: an article (`shard` is None) or a JSONL shard."""

    name: str  # output base name in the out-dir
    documents: list[Document] | None = None  # None: a shard still to be loaded
    shard: Shard | None = None

    def paths(self, out_dir: Path) -> dict[str, Path]:
        return {"tsv": out_dir / f"{self.name}.tsv", "manifest": out_dir / f"{self.name}.json",
                "rejects": out_dir / f"{self.name}.rejects.jsonl"}


@dataclass
class Task:
    units: list[Unit]


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
                    current = Shard(path, index, number, number, start, 0, "", records=[])
                    h = hashlib.sha256()
                h.update(raw)
                current.length += len(raw)
                current.last_line = number
                item = parse_line(raw, number, seen)
                (current.rejects if isinstance(item, Reject) else current.records).append(item)
                if len(current.records) + len(current.rejects) == shard_size:
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
    return Document(name=record.id, path=path, sha256=hashlib.sha256(record.text.encode("utf-8")).hexdigest(),
                    paragraphs=segment_text(clean_text(record.text), lang))  # controls removed, as from a .txt


def shard_unit(shard: Shard, config: str) -> Unit:
    name = f"{input_stem(shard.input)}-{shard.index:05d}.{config}"
    docs = None if shard.records is None else [record_document(r, shard.input) for r in shard.records]
    return Unit(name, docs, shard)


# --- done-markers ----------------------------------------------------------------
def read_manifest(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_done(unit: Unit, out_dir: Path, config: str) -> bool:
    """The unit's manifest is there, for this configuration and input, and its
    TSV (and rejects) are the ones it describes. A shard's input is its lines and
    whether it is the input's last shard (an input cut short makes an earlier
    shard the last one)."""
    from pipeline.write import sha256_file

    paths = unit.paths(out_dir)
    manifest = read_manifest(paths["manifest"])
    if not manifest or manifest.get("config") != config:
        return False
    output = manifest.get("output") or {}
    if not output.get("sha256") or sha256_file(paths["tsv"]) != output["sha256"]:
        return False
    rejects = output.get("rejects")
    if rejects and sha256_file(paths["rejects"]) != rejects.get("sha256"):
        return False
    source = manifest.get("input") or {}
    if unit.shard is not None:  # the same lines, and still the input's last shard (or still not)
        return source.get("sha256") == unit.shard.sha256 and source.get("final") == unit.shard.final
    return source.get("sha256") == unit.documents[0].sha256


# --- running a task ----------------------------------------------------------------
@dataclass
class RunContext:
    """What every unit's manifest shares, computed once per process."""

    out_dir: Path
    config: str
    manifest: dict  # nlen, model, aligner, request, packages, git commit
    unit: str = "paragraph"  # what the model translates at once (pipeline/core.py)
    aligner: str = "default"
    repair_threshold: float = 0.5
    cache: bool = True  # the translator reads and writes the translation cache


def add_counts(a: dict, b: dict) -> dict:
    """Sum two (nested) count dictionaries."""
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, dict):
            out[k] = add_counts(out.get(k) or {}, v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[k] = out.get(k, 0) + v
    return out


def process_task(task: Task, translator, ctx: RunContext, progress=None) -> dict:
    """Translate a task's documents in one core call, then commit each unit.
    Returns a status: counts, and the warnings for the driver to print."""
    from pipeline.core import translate_documents

    started = time.perf_counter()
    for unit in task.units:
        if unit.documents is None:
            unit.shard.records = load_records(unit.shard)
            unit.documents = [record_document(r, unit.shard.input) for r in unit.shard.records]
    docs = [d for u in task.units for d in u.documents]
    before = translator.counters.snapshot()
    results = translate_documents(docs, translator, ctx.aligner, progress=progress, repair_threshold=ctx.repair_threshold,
                                  unit=ctx.unit)
    done = translator.counters.since(before)
    # Engine measures belong to the task, whose documents share batches.
    measures = {"documents": len(docs), "wall_time_s": round(time.perf_counter() - started, 3),
                "target_tokens": done["target_tokens"], "oom_splits": done["oom_splits"]}
    if ctx.cache:
        measures["cache"] = {"hits": done["cache_hits"], "misses": done["cache_misses"],
                             **({"damaged": done["cache_damaged"]} if done["cache_damaged"] else {})}
    status = {"units": len(task.units), "documents": len(docs), "sentences": 0, "rows": 0, "rejects": 0,
              "untranslated": 0, "warnings": []}
    k = 0
    for unit in task.units:
        unit_results = results[k:k + len(unit.documents)]
        k += len(unit.documents)
        commit_unit(unit, unit_results, ctx, measures, status)
    return status


def commit_unit(unit: Unit, results, ctx: RunContext, measures: dict, status: dict) -> None:
    from pipeline.write import commit_files, json_text, sha256_bytes, tsv_text

    paths = unit.paths(ctx.out_dir)
    rows = [row for r in results for row in r.rows]
    tsv = tsv_text(rows).encode("utf-8")
    counts: dict = {}
    for r in results:
        counts = add_counts(counts, r.counts)
    untranslated = [u for r in results for u in r.untranslated]
    output = {"tsv": paths["tsv"].name, "rows": len(rows), "sha256": sha256_bytes(tsv)}
    files = [(paths["tsv"], tsv)]
    manifest = {"nlen": ctx.manifest["nlen"], "config": ctx.config}
    if unit.shard is None:
        doc = unit.documents[0]
        manifest["input"] = {"path": shown_path(doc.path), "sha256": doc.sha256}
        status["warnings"] += [f"{shown_path(doc.path)}: no text; wrote a header-only TSV"] if not doc.paragraphs else []
    else:
        shard = unit.shard
        manifest["input"] = {"path": shown_path(shard.input), "shard": shard.index, "final": shard.final,
                             "lines": [shard.first_line, shard.last_line], "sha256": shard.sha256}
        output["rejects"] = None
        if shard.rejects:
            data = "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in shard.rejects).encode("utf-8")
            files.append((paths["rejects"], data))
            output["rejects"] = {"path": paths["rejects"].name, "count": len(shard.rejects), "sha256": sha256_bytes(data)}
        manifest["documents"] = [
            {"id": rec.id, "line": rec.line, "sha256": doc.sha256, "sentences": r.counts["sentences_nl"],
             "rows": len(r.rows), **({"extra": rec.extra} if rec.extra else {})}
            for rec, doc, r in zip(shard.records, unit.documents, results)]
        status["rejects"] += len(shard.rejects)
    manifest.update({
        "output": output, "counts": counts, "untranslated": untranslated,
        **{k: v for k, v in ctx.manifest.items() if k != "nlen"}, "group": measures,
    })
    files.append((paths["manifest"], json_text(manifest).encode("utf-8")))
    commit_files(files)  # the manifest last: the done-marker
    status["sentences"] += counts.get("sentences_nl", 0)
    status["rows"] += len(rows)
    status["untranslated"] += len(untranslated)
    for u in untranslated:
        status["warnings"].append(f"{u['doc']}: sentence{'s' * (len(u['nl_ids']) > 1)} "
                                  f"{','.join(map(str, u['nl_ids']))} (paragraph {u['paragraph']}) came back with no "
                                  "English; scored 0 and listed as untranslated in the manifest")
