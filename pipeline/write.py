"""Stage 4: write the corpus TSV and the run manifest, atomically."""

from __future__ import annotations

import io
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

from pipeline.textio import normalise_space
from pipeline.types import AlignedRow

COLUMNS = ("nl", "en", "doc", "paragraph", "nl_ids", "en_ids", "score", "repaired", "flags", "logprob")


def clean_field(text: str) -> str:
    """No tab, CR or LF (or any other whitespace run) survives inside a field."""
    return normalise_space(text)


def format_ids(ids: Iterable[int]) -> str:
    return ",".join(str(i) for i in ids)


def tsv_text(rows: Iterable[AlignedRow]) -> str:
    buf = io.StringIO(newline="\n")
    buf.write("\t".join(COLUMNS) + "\n")
    for r in rows:
        fields = (
            clean_field(r.nl), clean_field(r.en), clean_field(r.doc), str(r.paragraph),
            format_ids(r.nl_ids), format_ids(r.en_ids), f"{r.score:.4f}", "1" if r.repaired else "0",
            ",".join(r.flags), "" if r.logprob is None else f"{r.logprob:.4f}",
        )
        buf.write("\t".join(fields) + "\n")
    return buf.getvalue()


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it:
    readers see the old file or the new one, never half of one."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path | str, data: bytes) -> None:
    """`atomic_write_text` for bytes (a PNG, …)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give what open() would
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable(path: Path | str, what: str = "output") -> None:
    """Fail now, in one line, if `path` cannot be written atomically: it is a
    folder, or the folder it would go in cannot hold a new file (read-only, not
    a folder). Probes with a temporary file, so it holds for root and for
    read-only file systems too. Creates nothing."""
    from pipeline.errors import UserError

    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path}: {what} is a folder, not a file")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UserError(f"{path}: cannot write {what}: {parent} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise UserError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None


@contextmanager
def atomic_stream(path: Path | str):
    """A binary file to write `path` through, for outputs too large to hold in
    memory: written to a temporary beside it, fsynced and renamed into place
    when the block ends without an error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json(path: Path | str, data: dict) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def write_tsv(path: Path | str, rows: Iterable[AlignedRow]) -> None:
    atomic_write_text(path, tsv_text(rows))
