"""Helpers shared by the test modules: checks of a written corpus, the CLI run in this
process, one-line error checks, runs without write permission. Fixtures live in
conftest.py, test doubles in doubles.py and paragraph_mt.py."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT
from doubles import NEWS_NL

from pipeline.cli import main
from pipeline.corpus.write import COLUMNS
from pipeline.document.inputs import read_document
from pipeline.evaluation.sets import load_reference

# `nlen translate` with the lookup double of doubles.py (faults/conftest.py `lookup_backends`)
LOOKUP_ARGS = ["--backend", "test-faulty", "--model", "lookup", "--no-cache", "--no-progress"]
UNPRIVILEGED = 65534  # nobody
# root without the capabilities that let it ignore file permissions: it stays root (so it
# can read a checkout that only root may read, as a fresh clone in a 0700 folder is), but
# the permission bits on the files it owns apply to it
NO_DAC = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
HEADER = "nl\ten\tdoc\tparagraph\tnl_ids\ten_ids\tscore\trepaired\n"


def read_tsv_fields(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and fields of a TSV, checked byte by byte: LF endings only, a final newline."""
    raw = path.read_bytes()
    assert b"\r" not in raw
    lines = raw.decode("utf-8").split("\n")
    assert lines[-1] == ""  # ends with a newline
    header, *rows = lines[:-1]
    return header.split("\t"), [r.split("\t") for r in rows]


def check_corpus(tsv: Path, source: Path) -> list[list[str]]:
    """Every Dutch sentence exactly once, in order; no tab or newline inside a field."""
    header, rows = read_tsv_fields(tsv)
    assert header == list(COLUMNS)
    assert all(len(r) == len(COLUMNS) for r in rows)  # a stray tab would add a field
    doc = read_document(source)
    ids = [int(i) for r in rows for i in r[4].split(",") if i]
    assert ids == [s.id for s in doc.sentences]
    by_id = {s.id: s.text for s in doc.sentences}
    for r in rows:
        nl_ids = [int(i) for i in r[4].split(",") if i]
        assert r[0] == " ".join(by_id[i] for i in nl_ids)
        assert 0.0 <= float(r[6]) <= 1.0
        assert r[2] == source.stem
    return rows


def reference_tsv(path: Path, drop_last_paragraph: bool = False, empty: bool = False) -> Path:
    """A corpus TSV whose English is the reference itself, one row per gold bead."""
    ref = load_reference("seed")
    nl = [s for p in ref.nl for s in p]
    en = [s for p in ref.en for s in p]
    para_of = [i for i, p in enumerate(ref.nl) for _ in p]
    last = len(ref.nl) - 1
    rows = []
    for src, tgt in ref.gold:
        p = para_of[src[0]]
        if drop_last_paragraph and p == last:
            continue
        english = "" if empty else " ".join(en[j] for j in tgt)
        rows.append(
            f"{' '.join(nl[i] for i in src)}\t{english}\tseed\t{p}\t{','.join(map(str, src))}\t"
            f"{','.join(map(str, tgt))}\t1.0000\t0\n"
        )
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def cli(argv: list[str], capsys, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, list[str]]:
    """Run `nlen` in this process; (exit code, stdout, non-empty stderr lines)."""
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, [line for line in err.splitlines() if line.strip()]


def one_error(lines: list[str], *parts: str) -> str:
    """Exactly one error line, holding every part."""
    errors = [line for line in lines if line.startswith("nlen: error:")]
    assert len(errors) == 1, lines
    assert all(p in errors[0] for p in parts), errors[0]
    return errors[0]


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert len(lines) == 1, err
    return lines[0]


def run_without_write_permission(args: list[str], shared: Path) -> subprocess.CompletedProcess:
    """`nlen ARGS` as a user who cannot write into read-only folders: this user when not
    root, else root without CAP_DAC_OVERRIDE, else `nobody` (if it can read the checkout)."""
    env = {**os.environ, "NLEN_CACHE_DIR": str(shared / "home"), "HOME": str(shared)}
    cmd = [sys.executable, "-m", "pipeline", *args]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("root, and no setpriv to drop the right to write anywhere")
        locked = shared / "probe"  # a folder only its owner may write, and its owner may not
        locked.mkdir(mode=0o555, exist_ok=True)
        probe = [
            sys.executable,
            "-c",
            "import pathlib, pipeline, sys\ntry:\n    (pathlib.Path(sys.argv[1]) / 'x').touch()\n"
            "except PermissionError:\n    sys.exit(0)\nsys.exit(1)",
            str(locked),
        ]
        for prefix in (NO_DAC, ["setpriv", f"--reuid={UNPRIVILEGED}", f"--regid={UNPRIVILEGED}", "--clear-groups"]):
            if subprocess.run([*prefix, *probe], capture_output=True, cwd=ROOT, timeout=60).returncode == 0:
                cmd = [*prefix, *cmd]
                break
        else:
            pytest.skip(
                "root, and neither dropping capabilities nor `nobody` can run the checkout without write rights"
            )
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


@contextmanager
def shared_folder():
    """A temporary folder the unprivileged user can read too (pytest's tmp_path is 0700)."""
    shared = Path(tempfile.mkdtemp(prefix="nlen-ro-"))
    try:
        shared.chmod(0o755)
        yield shared
    finally:
        for folder in (shared, *shared.rglob("*")):
            if folder.is_dir() and not folder.is_symlink():
                folder.chmod(0o755)
        shutil.rmtree(shared, ignore_errors=True)


def jsonl(path: Path, docs: list[dict] | int, extra_lines: str = "") -> list[dict]:
    """Write `docs` (or that many news documents) as JSONL; returns them."""
    if isinstance(docs, int):
        docs = [{"id": f"n{k}", "text": " ".join(NEWS_NL[k % len(NEWS_NL)])} for k in range(docs)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(d) + "\n" for d in docs) + extra_lines, encoding="utf-8")
    return docs


def translate(*args: str) -> int:
    return main(["translate", *args, *LOOKUP_ARGS])


def merged(out: Path, *args: str) -> dict:
    assert main(["merge", str(out), *args]) == 0
    name = next((a for a in args if a.endswith(".tsv")), str(out / "corpus.tsv"))
    return json.loads(Path(name).with_suffix(".json").read_text(encoding="utf-8"))


def tsv_docs(path: Path) -> list[str]:
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    return list(dict.fromkeys(r.split("\t")[2] for r in rows))
