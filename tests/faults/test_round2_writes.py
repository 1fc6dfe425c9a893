"""Issue #22 items 4, 5 and 9 (its temporary-name part): how outputs are written.

- 4: an output that is no regular file (/dev/null, a FIFO, /dev/stdout, a symlink to
  /proc/self/fd/1) is written straight into, never renamed over; a symlink to a file is
  followed and stays a symlink; `merge -o` and a unit's own files refuse such a target in
  one line (they need a file to hash and replace whole).
- 5: an output that is one of the command's inputs, by inode (also `./x.tsv`, a symlink, a
  hard link), is refused in one line, the input unchanged: export, review, eval, merge.
- 9: a temporary's name fits wherever its target's does (255 bytes), through
  `atomic_write_text`, `atomic_stream` and `nlen translate` with the tiny model.

Each asserts the exit code, one line and no traceback, the file named, the inputs
unchanged and nothing written outside the folders named."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from doubles import news_document_text
from support import jsonl, one_line, reference_tsv, translate

from pipeline.cli import main
from pipeline.corpus.write import (
    TMP_SUFFIX,
    _tmp_prefix,
    atomic_stream,
    atomic_write_text,
    commit_files,
    remove_stale_temps,
    writes_straight,
)
from pipeline.errors import UserError

pytestmark = pytest.mark.usefixtures("lookup_backends")

CHECKOUT = Path(__file__).resolve().parents[2]
DEV_NULL = os.stat("/dev/null")


@pytest.fixture(autouse=True)
def dev_null_stays_a_device():
    """These tests write into the real /dev/null and /dev/stdout (as root, too): they run
    only when the writer would write straight into them, and /dev/null must stay the
    device, with nothing left in /dev."""
    if not (writes_straight("/dev/null") and writes_straight("/dev/stdout")):
        pytest.fail("an atomic write would rename over /dev/null or /dev/stdout: not run, to keep them")
    before = sorted(os.listdir("/dev"))
    yield
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == DEV_NULL.st_rdev and after.st_ino == DEV_NULL.st_ino
    assert sorted(os.listdir("/dev")) == before


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under `folder`: a file's bytes, a link's target, a FIFO as such."""
    out: dict[str, bytes | str] = {}
    for p in sorted(folder.rglob("*")):
        key = str(p.relative_to(folder))
        if p.is_symlink():
            out[key] = "-> " + os.readlink(p)
        elif stat.S_ISFIFO(p.lstat().st_mode):
            out[key] = "fifo"
        elif p.is_file():
            out[key] = p.read_bytes()
    return out


def nlen(*args: str) -> subprocess.CompletedProcess:
    """`nlen ARGS` in a subprocess (stdout a pipe, as a user's `| less` would be)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=CHECKOUT, env=env, timeout=120
    )


def read_fifo_while(fifo: Path, run) -> tuple[object, bytes]:
    """Run `run()` while a thread reads `fifo`; (its result, the bytes read). This test
    holds a write end open meanwhile, so the read ends when `run` is done even where
    `run` never opened the FIFO (a writer that renamed a file over it)."""
    read_end = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    write_end = os.open(fifo, os.O_WRONLY)
    os.set_blocking(read_end, True)
    got: list[bytes] = []

    def drain() -> None:
        while chunk := os.read(read_end, 1 << 16):
            got.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        result = run()
    finally:
        os.close(write_end)
        reader.join()
        os.close(read_end)
    return result, b"".join(got)


# --- item 4: never rename over a non-regular file --------------------------------------
def test_item4_export_and_review_write_straight_into_dev_null(tmp_path, capsys):
    corpus = reference_tsv(tmp_path / "c.tsv")
    before = snapshot(tmp_path)
    assert main(["export", str(corpus), "--format", "tmx", "--out", "/dev/null", "--report", "/dev/null"]) == 0
    assert main(["export", str(corpus), "--format", "jsonl", "--out", "/dev/null"]) == 0
    assert main(["review", str(corpus), "--out", "/dev/null"]) == 0
    assert main(["eval", "--tsv", str(corpus), "--report", "/dev/null", "--bootstrap", "10"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert snapshot(tmp_path) == before


def test_item4_atomic_write_through_a_symlink_to_a_device(tmp_path):
    link = tmp_path / "null-link"
    link.symlink_to("/dev/null")
    atomic_write_text(link, "report")
    with atomic_stream(link) as f:
        f.write(b"stream")
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert sorted(os.listdir(tmp_path)) == ["null-link"]


def test_item4_export_into_a_fifo(tmp_path, capsys):
    corpus, fifo = reference_tsv(tmp_path / "c.tsv"), tmp_path / "pipe.tmx"
    os.mkfifo(fifo)
    code, data = read_fifo_while(fifo, lambda: main(["export", str(corpus), "--format", "tmx", "--out", str(fifo)]))
    assert code == 0 and "Traceback" not in capsys.readouterr().err
    assert data.startswith(b"<?xml") and b"</tmx>" in data
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(os.listdir(tmp_path)) == ["c.tsv", "pipe.tmx"]


def test_item4_report_through_a_symlink_to_proc_self_fd_1(tmp_path):
    corpus, link = reference_tsv(tmp_path / "c.tsv"), tmp_path / "report.json"
    link.symlink_to("/proc/self/fd/1")
    for report in (link, Path("/dev/stdout")):
        proc = nlen("export", str(corpus), "--format", "tmx", "--out", str(tmp_path / "c.tmx"), "--report", str(report))
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
        assert json.loads(proc.stdout)["format"] == "tmx"  # the report went to stdout, the pipe
        assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
    assert sorted(os.listdir(tmp_path)) == ["c.tmx", "c.tsv", "report.json"]


def test_item4_a_symlink_to_a_file_is_followed_and_stays(tmp_path, capsys):
    corpus, real, link = reference_tsv(tmp_path / "c.tsv"), tmp_path / "real" / "r.json", tmp_path / "r.json"
    real.parent.mkdir()
    real.write_text("old")
    link.symlink_to(real)
    assert (
        main(["export", str(corpus), "--format", "tmx", "--out", str(tmp_path / "c.tmx"), "--report", str(link)]) == 0
    )
    capsys.readouterr()
    assert link.is_symlink() and json.loads(real.read_text())["format"] == "tmx"
    assert sorted(os.listdir(real.parent)) == ["r.json"]


def test_item4_merge_refuses_a_device_or_fifo_output(tmp_path, capsys):
    src, out, fifo = tmp_path / "news.txt", tmp_path / "o", tmp_path / "fifo.tsv"
    src.write_text(news_document_text(), encoding="utf-8")
    assert translate(str(src), "--out-dir", str(out)) == 0
    os.mkfifo(fifo)
    before = snapshot(tmp_path)
    capsys.readouterr()
    for target in ("/dev/null", str(fifo)):
        assert main(["merge", str(out), "-o", target]) == 2
        line = one_line(capsys.readouterr().err)
        assert line.startswith(f"nlen: error: {target}: -o is not a regular file") and "-o -" in line
    assert snapshot(tmp_path) == before


def test_item4_a_units_own_file_that_is_a_fifo_is_refused(tmp_path, capsys):
    src, out = tmp_path / "news.txt", tmp_path / "o"
    src.write_text(news_document_text(), encoding="utf-8")
    out.mkdir()
    os.mkfifo(out / "news.tsv")
    before = snapshot(tmp_path)
    assert translate(str(src), "--out-dir", str(out)) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"nlen: error: {out / 'news.tsv'}: cannot write output: not a regular file"), line
    assert snapshot(tmp_path) == before
    with pytest.raises(UserError, match="not a regular file"):
        commit_files([(tmp_path / "x.tsv", b"x"), (out / "news.tsv", b"{}")])
    assert snapshot(tmp_path) == before  # the group is refused whole: no x.tsv either


# --- item 5: an output that is one of the inputs ---------------------------------------
def test_item5_export_out_or_report_over_its_input(tmp_path, monkeypatch, capsys):
    corpus = reference_tsv(tmp_path / "x.tsv")
    (tmp_path / "link.tsv").symlink_to(corpus)
    os.link(corpus, tmp_path / "hard.tsv")
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    for out in ("x.tsv", "./x.tsv", str(corpus), "link.tsv", "hard.tsv"):
        for fmt in ("tmx", "jsonl"):
            assert main(["export", "x.tsv", "--format", fmt, "--out", out]) == 2
            line = one_line(capsys.readouterr().err)
            assert line.startswith(f"nlen: error: {out}: --out would overwrite one of the inputs, x.tsv"), line
        assert main(["export", str(corpus), "--format", "tmx", "--out", "y.tmx", "--report", out]) == 2
        line = one_line(capsys.readouterr().err)  # --report is a Path: ./x.tsv is shown as x.tsv
        assert line.startswith(f"nlen: error: {Path(out)}: --report would overwrite one of the inputs"), line
    assert main(["export", "x.tsv", "--format", "moses", "--out", "p"]) == 0  # p.nl-en.nl / .en
    capsys.readouterr()
    assert main(["export", "p.nl-en.nl", "--format", "moses", "--out", "p"]) == 2  # a Moses file is not a TSV…
    assert "p.nl-en.nl" in one_line(capsys.readouterr().err)  # …but it is refused as an input, never replaced
    (tmp_path / "p.nl-en.nl").unlink()
    (tmp_path / "p.nl-en.en").unlink()
    assert snapshot(tmp_path) == before


def test_item5_export_decisions_file_is_an_input(tmp_path, capsys):
    corpus, decisions = reference_tsv(tmp_path / "x.tsv"), tmp_path / "decisions.json"
    decisions.write_text('{"decisions": {}}', encoding="utf-8")
    before = snapshot(tmp_path)
    code = main(["export", str(corpus), "--format", "jsonl", "--decisions", str(decisions), "--out", str(decisions)])
    err = capsys.readouterr().err
    assert code == 2 and f"{decisions}: --out would overwrite one of the inputs" in one_line(err), err
    assert snapshot(tmp_path) == before


def test_item5_review_and_eval_over_their_input(tmp_path, monkeypatch, capsys):
    corpus = reference_tsv(tmp_path / "x.tsv")
    (tmp_path / "link.tsv").symlink_to(corpus)
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    for out in ("./x.tsv", "link.tsv"):
        assert main(["review", "x.tsv", "--out", out]) == 2
        assert one_line(capsys.readouterr().err).startswith(f"nlen: error: {out}: --out would overwrite")
        assert main(["eval", "--tsv", "x.tsv", "--report", out]) == 2
        assert one_line(capsys.readouterr().err).startswith(f"nlen: error: {Path(out)}: the report would")
    prefix = tmp_path / "set"  # a hand-made set: set.nl, set.en
    for side in ("nl", "en"):
        (tmp_path / f"set.{side}").write_text(
            (CHECKOUT / "eval" / "reference" / f"seed.{side}").read_text(encoding="utf-8")
        )
    with_set = snapshot(tmp_path)
    assert main(["eval", "--tsv", "x.tsv", "--set", str(prefix), "--report", "set.en"]) == 2
    assert "set.en: the report would overwrite one of the inputs" in one_line(capsys.readouterr().err)
    assert snapshot(tmp_path) == with_set
    for side in ("nl", "en"):
        (tmp_path / f"set.{side}").unlink()
    assert snapshot(tmp_path) == before


def test_item5_merge_over_the_units_own_input_jsonl(tmp_path, capsys):
    src, out = tmp_path / "in.jsonl", tmp_path / "o"
    jsonl(src, 3)
    assert translate(str(src), "--out-dir", str(out)) == 0
    (tmp_path / "link.jsonl").symlink_to(src)
    unit_tsv = next(out.glob("*.tsv"))
    os.link(unit_tsv, tmp_path / "hard.tsv")  # another name of a unit's TSV
    before = snapshot(tmp_path)
    capsys.readouterr()
    for target in (src, tmp_path / "link.jsonl", tmp_path / "hard.tsv"):
        assert main(["merge", str(out), "-o", str(target)]) == 2
        line = one_line(capsys.readouterr().err)
        assert line.startswith(f"nlen: error: {target}: the merged corpus would overwrite one of the inputs"), line
    assert snapshot(tmp_path) == before
    assert main(["merge", str(out), "-o", str(tmp_path / "merged.tsv")]) == 0


# --- item 9: temporaries fit wherever their target fits --------------------------------
@pytest.mark.parametrize("name", ["a" * 250, "é" * 125, "b" * 255, "ë" * 127 + "x"])
def test_item9_temporary_names_stay_within_255_bytes(name, tmp_path, monkeypatch):
    seen: list[str] = []
    real = tempfile.mkstemp

    def spy(*args, **kwargs):
        fd, path = real(*args, **kwargs)
        seen.append(Path(path).name)
        return fd, path

    monkeypatch.setattr(tempfile, "mkstemp", spy)
    target = tmp_path / name
    assert 250 <= len(os.fsencode(target.name)) <= 255
    atomic_write_text(target, "text")
    assert target.read_text() == "text"
    with atomic_stream(target) as f:
        f.write(b"stream")
    assert target.read_bytes() == b"stream"
    assert len(seen) == 2 and all(len(os.fsencode(s)) <= 255 for s in seen), seen
    assert all(s.startswith("." + name[:50]) and s.endswith(TMP_SUFFIX) for s in seen)
    assert os.listdir(tmp_path) == [name]


def test_item9_a_shortened_temporary_left_behind_is_still_cleaned_up(tmp_path):
    target = tmp_path / ("c" * 250)
    left = tmp_path / (_tmp_prefix(target) + "abcdefgh" + TMP_SUFFIX)  # as a killed run leaves it
    left.write_bytes(b"half")
    assert len(os.fsencode(left.name)) <= 255
    assert remove_stale_temps(tmp_path) == 1 and os.listdir(tmp_path) == []


def test_item9_translate_an_input_with_a_250_byte_name(tmp_path, tiny_marian, capsys):
    stem = "ë" * 123  # 246 bytes: the input is 250, its .json 251
    src, out = tmp_path / "in" / f"{stem}.txt", tmp_path / "o"
    src.parent.mkdir()
    src.write_text("Dit is een zin. Nog een zin.\n\nEen tweede alinea.\n", encoding="utf-8")
    assert len(os.fsencode(src.name)) == 250
    before = snapshot(src.parent)
    args = ["--model", str(tiny_marian), "--no-cache", "--no-progress", "--max-new-tokens", "8"]
    assert main(["translate", str(src), "--out-dir", str(out), *args]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert sorted(os.listdir(out)) == [f"{stem}.json", f"{stem}.tsv"]
    assert json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))["output"]["rows"] >= 2
    assert snapshot(src.parent) == before


def test_item5_a_units_manifest_is_an_input_of_export_and_review(tmp_path, capsys):
    """Found by hand: `review OUT --out OUT/<unit>.json` replaced the unit's manifest (read with
    its TSV), and merge then called the unit damaged."""
    from doubles import news_document_text
    from support import LOOKUP_ARGS

    from pipeline.cli import main as cli_main

    src = tmp_path / "a.txt"
    src.write_text(news_document_text(), encoding="utf-8")
    out = tmp_path / "o"
    assert cli_main(["translate", str(src), "--out-dir", str(out), *LOOKUP_ARGS]) == 0
    manifest = out / "a.json"
    before = manifest.read_bytes()
    capsys.readouterr()
    for argv in (["review", str(out), "--out", str(manifest)],
                 ["export", str(out), "--format", "jsonl", "--out", str(manifest)],
                 ["export", str(out), "--format", "tmx", "--out", str(out / "x.tmx"), "--report", str(manifest)]):
        assert cli_main(argv) == 2
        assert "would overwrite one of the inputs" in capsys.readouterr().err
    assert manifest.read_bytes() == before
