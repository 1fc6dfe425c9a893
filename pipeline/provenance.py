"""What produced a result: package versions, git commit, platform."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

# Every package whose version can change an output: the models' runtimes and tokenizers,
# the sentence splitter, the aligner's numpy, the checks' language identifier, the scorer,
# and what resolves hub revisions and converts tokenizers.
PACKAGES = (
    "nlen",
    "torch",
    "transformers",
    "tokenizers",
    "sentencepiece",
    "sacremoses",
    "protobuf",
    "ctranslate2",
    "sacrebleu",
    "sentence-splitter",
    "numpy",
    "py3langid",
    "huggingface-hub",
)


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Installed versions, read from metadata (imports nothing heavy)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_commit(path: Path | str = ".") -> str | None:
    """The commit of the checkout at `path` (with '-dirty' if modified), or None."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
        if commit.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(path), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        return commit.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def local_model_fingerprint(path: str | Path) -> str | None:
    """For a local model directory (which has no hub revision): a hash of its
    files' names, sizes and modification times, so a rebuilt model is a new key."""
    p = Path(path)
    if not p.is_dir():
        return None
    h = hashlib.sha256()
    for f in sorted(x for x in p.rglob("*") if x.is_file()):
        st = f.stat()
        h.update(f"{f.relative_to(p)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return "local:" + h.hexdigest()[:16]
