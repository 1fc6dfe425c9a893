"""Stage 4: write the corpus TSV and the manifests, atomically.

One unit of commit (an article, or a shard of a JSONL input) is a group of
files that change together: every file is written to a temporary beside its
target and fsynced, and only then renamed into place, in order, the manifest
last. The manifest carries the SHA-256 of its TSV, so a crash between two
renames leaves a pair that does not match, which is redone, never used.

A symlink is followed (the file it leads to is replaced, the link stays). What
is no regular file (/dev/null, a FIFO, /dev/stdout) is never renamed over: a
single output is written straight into it, a group commit refuses it.
Temporaries are named so that they fit wherever their target fits."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import io
import json
import os
import re
import socket
import stat
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import PathError, UserError
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
    return socket.gethostname().replace(".", "-")[:64] or "host"


RANDOM_CHARS = 8  # what mkstemp adds between prefix and suffix
NAME_MAX = 255  # bytes in one file name, on the usual file systems


def _name_max(folder: Path) -> int:
    try:
        return min(os.pathconf(folder, "PC_NAME_MAX"), NAME_MAX)
    except (OSError, ValueError):
        return NAME_MAX


def _tmp_prefix(path: Path) -> str:
    """`.<target>.<host>.<pid>.`, the target's name cut where the temporary's
    whole name would pass the folder's limit (255 bytes): then its start, `~`
    and a hash of the whole name, so a temporary fits wherever its target does."""
    tail = f".{_host()}.{os.getpid()}."
    name, raw = path.name, os.fsencode(path.name)
    room = _name_max(path.parent) - len(os.fsencode(tail)) - 1 - RANDOM_CHARS - len(TMP_SUFFIX)
    if len(raw) > room:
        digest = hashlib.sha256(raw).hexdigest()[:12]
        keep = max(room - len(digest) - 1, 0)
        while 0 < keep < len(raw) and raw[keep] & 0xC0 == 0x80:
            keep -= 1  # not inside a UTF-8 character
        name = os.fsdecode(raw[:keep]) + "~" + digest
    return f".{name}{tail}"


# The links that stand for an open descriptor: /dev/stdout, /dev/fd/N lead here.
_DESCRIPTOR_FOLDER = re.compile(r"/proc/(?:self|thread-self|\d+)(?:/task/\d+)?/fd")


def _through_descriptor(path: Path) -> bool:
    """Whether `path` leads through an open descriptor's link (/dev/stdout,
    /dev/fd/N, /proc/self/fd/N, or a link to one of them)."""
    link = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on links followed
        if not os.path.islink(link):
            return False
        folder = os.path.realpath(os.path.dirname(link))
        if _DESCRIPTOR_FOLDER.fullmatch(folder):
            return True
        link = os.path.join(folder, os.readlink(link))
    return False


def _destination(path: Path) -> Path | None:
    """Where an atomic write of `path` renames its temporary: the real path (a
    symlink is followed and stays a symlink; a new file's folder is its own), or
    None where `path` is no regular file to replace: a device, a FIFO, a socket
    or an open descriptor (/dev/null, /dev/stdout), which is written straight
    into, never renamed over. A folder is returned as is (its write fails).
    Raises OSError where `path` cannot be looked at (a link loop, no permission)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return Path(os.path.realpath(path))
    if stat.S_ISDIR(st.st_mode):
        return path
    if not stat.S_ISREG(st.st_mode) or _through_descriptor(path):
        return None
    return Path(os.path.realpath(path))


def writes_straight(path: Path | str) -> bool:
    """Whether an atomic write of `path` writes straight into it (a device, a
    FIFO, an open descriptor: see `_destination`) rather than replacing a file."""
    try:
        return _destination(Path(path)) is None
    except OSError:
        return False


def check_not_input(output: Path | str | None, inputs: Iterable[Path | str | None], what: str = "output") -> None:
    """Refuse, in one line, an `output` that is one of the command's `inputs`:
    the same file by device and inode, so also through a symlink, a hard link
    or another spelling (`./x.tsv`). Only regular files count: a device or an
    open descriptor is written straight, never replaced (/dev/stdin and
    /dev/stdout may well be one terminal). An output not there yet passes, and
    so do "-" (standard input or output) and inputs that cannot be looked at."""
    out = _regular_file_id(output)
    if out is None:
        return
    for item in inputs:
        if _regular_file_id(item) == out:
            raise PathError(output, f"{what} would overwrite one of the inputs, {item}: choose another name")


def _regular_file_id(path: Path | str | None) -> tuple[int, int] | None:
    if path is None or str(path) == "-":
        return None
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


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


def _fsync_quietly(f) -> None:
    f.flush()
    try:
        os.fsync(f.fileno())
    except OSError:
        pass  # a device or a pipe: nothing to sync


def commit_files(files: list[tuple[Path, bytes]]) -> None:
    """Write every file to a temporary and fsync them all, then rename them into
    place in the order given (the done-marker last) and fsync the folder.

    A symlink is followed (the file it leads to is replaced); a target that is
    no regular file (a device, a FIFO, an open descriptor) is refused, since a
    group is only ever replaced whole. A failure before the renames leaves every
    target as it was; one between two renames leaves the earlier targets new and
    the later ones old (a manifest records its TSV's SHA-256, so such a pair is
    seen and redone). The error names the target that failed (not its
    temporary) and says which."""
    tmps: list[Path] = []
    renamed: list[Path] = []
    current = files[0][0] if files else Path(".")
    try:
        targets = []
        for path, data in files:
            current = Path(path)
            target = _destination(current)
            if target is None:
                raise OSError(0, "not a regular file (a device, a pipe or a descriptor): remove it first")
            target.parent.mkdir(parents=True, exist_ok=True)
            tmps.append(_write_tmp(target, data))
            targets.append(target)
        for (path, _), tmp, target in zip(files, tmps, targets):
            current = Path(path)
            os.replace(tmp, target)
            renamed.append(current)
        for folder in dict.fromkeys(t.parent for t in targets):
            _fsync_dir(folder)
    except OSError as exc:
        raise UserError(f"{current}: cannot write output: {exc.strerror or exc}; {_after(renamed)}") from None
    finally:
        for tmp in tmps:
            tmp.unlink(missing_ok=True)


def _after(renamed: list[Path]) -> str:
    """What a failed group commit left: which targets are new already."""
    if not renamed:
        return "the outputs it belongs with are left as they were"
    done = ", ".join(p.name for p in renamed)
    return (
        f"{done} {'was' if len(renamed) == 1 else 'were'} already replaced and the rest not: "
        "they do not match now, so rerun the command to redo them"
    )


@contextmanager
def atomic_stream(path: Path | str):
    """A binary file to write `path` through: written to a temporary, fsynced
    and renamed into place when the block ends without an error (for outputs
    too large to hold in memory). A symlink is followed; a device, a FIFO or an
    open descriptor (/dev/null, /dev/stdout) is written straight into, never
    renamed over. Errors name `path`, not the temporary."""
    path = Path(path)
    try:
        target = _destination(path)
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(target), suffix=TMP_SUFFIX, dir=target.parent)
    except OSError as exc:
        raise UserError(f"{path}: cannot write output: {exc.strerror or exc}") from None
    if target is None:
        with _straight(path, "output") as f:
            yield f
        return
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        raise UserError(f"{path}: cannot write output: {exc.strerror or exc}") from None
    finally:
        Path(tmp).unlink(missing_ok=True)


@contextmanager
def _straight(path: Path, what: str):
    """`path` opened for writing as it is: a device, a FIFO or a descriptor."""
    try:
        with open(path, "wb") as f:
            yield f
            _fsync_quietly(f)
    except OSError as exc:
        raise UserError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None


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
    readers see the old file or the new one, never half of one. A symlink is
    followed (the file it leads to is replaced, the link stays); a device, a
    FIFO or an open descriptor (/dev/null, /dev/stdout) is written straight
    into, never renamed over: it is no file to replace."""
    atomic_write_bytes(path, text.encode("utf-8"), what)  # encoded first: text that cannot be leaves nothing behind


def atomic_write_bytes(path: Path | str, data: bytes, what: str = "output") -> None:
    """`atomic_write_text` for bytes (a PNG, …). An OSError (a folder in the
    way, no space, no permission) is a UserError naming `path` and `what`."""
    path = Path(path)
    try:
        target = _destination(path)
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = _write_tmp(target, data)
    except OSError as exc:
        raise UserError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None
    if target is None:
        with _straight(path, what) as f:
            f.write(data)
        return
    try:
        os.replace(tmp, target)
        _fsync_dir(target.parent)
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
    """Fail now, in one line, if the file `path` cannot be written: it is a
    folder, or the folder it would go in cannot hold a new file (read-only, not
    a folder), or, for a device, a FIFO or an open descriptor (written straight,
    see `atomic_write_bytes`), it is not writable. Creates nothing."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path}: {what} is a folder, not a file")
    try:
        destination = _destination(path)
    except OSError as exc:
        raise UserError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None
    if destination is None:
        if not os.access(path, os.W_OK):
            raise UserError(f"{path}: cannot write {what}: {os.strerror(errno.EACCES)}")
        return
    _probe(destination.parent, f"{path}: cannot write {what}")


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
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False, allow_nan=False) + "\n"


def write_json(path: Path | str, data: dict, what: str = "output") -> None:
    """Write `data` to `path` atomically as `json_text`; `what` names the file in errors."""
    atomic_write_text(path, json_text(data), what)


def write_tsv(path: Path | str, rows: Iterable[AlignedRow]) -> None:
    """Write `rows` to `path` atomically as `tsv_text`."""
    atomic_write_text(path, tsv_text(rows))
