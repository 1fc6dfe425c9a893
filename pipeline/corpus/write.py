"""Stage 4: write the corpus TSV and the manifests, atomically.

One unit of commit (an article, or a shard of a JSONL input) is a group of
files that change together: every file is written to a temporary beside its
target and fsynced, and only then renamed into place, in order, the manifest
last. The manifest carries the SHA-256 of its TSV, so a crash between two
renames leaves a pair that does not match, which is redone, never used.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import socket
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import UserError
from pipeline.textio import normalise_space
from pipeline.types import AlignedRow

# One column per AlignedRow field, in declaration order.
COLUMNS = tuple(f.name for f in dataclasses.fields(AlignedRow))
TMP_SUFFIX = ".tmp"


def clean_field(text: str) -> str:
    """No tab, CR or LF (or any other whitespace run) survives inside a field."""
    return normalise_space(text)


def format_ids(ids: Iterable[int]) -> str:
    """Sentence ids as the TSV writes them: comma-separated, no spaces."""
    return ",".join(str(i) for i in ids)


def format_value(value) -> str:
    """One TSV field by its type: text cleaned, ids comma-joined, scores to 4 places."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, (tuple, list)):
        return ",".join(clean_field(str(v)) for v in value)
    return clean_field(str(value))


def tsv_text(rows: Iterable[AlignedRow]) -> str:
    """The corpus TSV of `rows`: the header (COLUMNS), then one line per row."""
    buf = io.StringIO(newline="\n")
    buf.write("\t".join(COLUMNS) + "\n")
    for r in rows:
        buf.write("\t".join(format_value(getattr(r, c)) for c in COLUMNS) + "\n")
    return buf.getvalue()


def sha256_bytes(data: bytes) -> str:
    """The SHA-256 of `data` in hex."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path | str) -> str | None:
    """The SHA-256 of the file in hex (read in 1 MiB chunks); None when it cannot be read."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


# Temporaries are named `.<target>.<host>.<pid>.<random>.tmp`, so a later run can
# tell which ones were left by a process that is gone (and remove them) from
# those of a writer still at work.
def _host() -> str:
    return socket.gethostname().replace(".", "-") or "host"


def _tmp_prefix(path: Path) -> str:
    return f".{path.name}.{_host()}.{os.getpid()}."


def _write_tmp(path: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(path), suffix=TMP_SUFFIX, dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; give what open() would
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def commit_files(files: list[tuple[Path, bytes]]) -> None:
    """Write every file to a temporary and fsync them all, then rename them into
    place in the order given (the done-marker last) and fsync the folder.

    A failure before the renames leaves every target as it was; one between
    two renames leaves the earlier targets new and the later ones old (a
    manifest records its TSV's SHA-256, so such a pair is seen and redone). The
    error names the target that failed (not its temporary) and says which."""
    tmps: list[Path] = []
    renamed: list[Path] = []
    current = files[0][0] if files else Path(".")
    try:
        for path, data in files:
            current = Path(path)
            current.parent.mkdir(parents=True, exist_ok=True)
            tmps.append(_write_tmp(current, data))
        for (path, _), tmp in zip(files, tmps):
            current = Path(path)
            os.replace(tmp, current)
            renamed.append(current)
        for folder in dict.fromkeys(Path(p).parent for p, _ in files):
            _fsync_dir(folder)
    except OSError as exc:
        if renamed:
            done = ", ".join(p.name for p in renamed)
            after = (
                f"{done} {'was' if len(renamed) == 1 else 'were'} already replaced and the rest not: "
                "they do not match now, so rerun the command to redo them"
            )
        else:
            after = "the outputs it belongs with are left as they were"
        raise UserError(f"{current}: cannot write output: {exc.strerror or exc}; {after}") from None
    finally:
        for tmp in tmps:
            tmp.unlink(missing_ok=True)


@contextmanager
def atomic_stream(path: Path | str):
    """A binary file to write `path` through: written to a temporary, fsynced
    and renamed into place when the block ends without an error (for outputs
    too large to hold in memory). Errors name `path`, not the temporary."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(path), suffix=TMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise UserError(f"{path}: cannot write output: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        raise UserError(f"{path}: cannot write output: {exc.strerror or exc}") from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the renames are done
    finally:
        os.close(fd)


def atomic_write_text(path: Path | str, text: str, what: str = "output") -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it:
    readers see the old file or the new one, never half of one."""
    atomic_write_bytes(path, text.encode("utf-8"), what)  # encoded first: text that cannot be leaves nothing behind


def atomic_write_bytes(path: Path | str, data: bytes, what: str = "output") -> None:
    """`atomic_write_text` for bytes (a PNG, …). An OSError (a folder in the
    way, no space, no permission) is a UserError naming `path` and `what`."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _write_tmp(path, data)
    except OSError as exc:
        raise UserError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None
    try:
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        raise UserError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def remove_stale_temps(folder: Path | str) -> int:
    """Remove temporaries in `folder` left by processes of this host that are
    gone (an interrupted or killed run); returns how many were removed."""
    folder = Path(folder)
    host = _host()
    removed = 0
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0
    for p in entries:
        name = p.name
        if not (name.startswith(".") and name.endswith(TMP_SUFFIX)):
            continue
        parts = name[: -len(TMP_SUFFIX)].rsplit(".", 3)  # .<target>.<host>.<pid>.<random>
        if len(parts) != 4 or parts[1] != host or not parts[2].isdigit():
            continue
        if _alive(int(parts[2])):
            continue
        try:
            p.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process has nothing in flight when it cleans up
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_writable(path: Path | str, what: str = "output") -> None:
    """Fail now, in one line, if the file `path` cannot be written atomically:
    it is a folder, or the folder it would go in cannot hold a new file
    (read-only, not a folder). Creates nothing."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path}: {what} is a folder, not a file")
    _probe(path.parent, f"{path}: cannot write {what}")


def check_writable_folder(folder: Path | str, what: str = "output folder") -> None:
    """Fail now, in one line, if files cannot be written into `folder` (which
    may not exist yet: then into the folder it would be made in). Creates nothing."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder}: {what} is a file, not a folder")
    _probe(folder, f"{folder}: {what} is not writable")


def _probe(folder: Path, error: str) -> None:
    """Create (and at once drop) a temporary file in `folder` or, where it does
    not exist yet, the nearest folder above it: the one test that holds for root
    and for read-only file systems too."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"{error}: {existing} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing, prefix=".nlen-probe."):
            pass
    except OSError as exc:
        raise UserError(f"{error}: {exc.strerror or exc}") from None


def _read_umask() -> int:
    mask = os.umask(0)  # the only way to read it; done once, at import, before any thread writes
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def json_text(data: dict) -> str:
    """`data` as JSON for a file: indented by 2, non-ASCII kept, with a final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_json(path: Path | str, data: dict, what: str = "output") -> None:
    """Write `data` to `path` atomically as `json_text`; `what` names the file in errors."""
    atomic_write_text(path, json_text(data), what)


def write_tsv(path: Path | str, rows: Iterable[AlignedRow]) -> None:
    """Write `rows` to `path` atomically as `tsv_text`."""
    atomic_write_text(path, tsv_text(rows))
