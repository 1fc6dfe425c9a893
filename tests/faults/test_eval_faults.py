"""Fault cases of `nlen eval` (issue 13, item 8): each is one line on stderr,
exit status 2, no traceback, and no report written. Run in-process (fast): an
exception other than the one-line UserError would fail the test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import reference_tsv, run_without_write_permission, shared_folder

from pipeline.cli import main


def nlen(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def one_line_error(result, *fragments: str) -> str:
    rc, _, err = result
    lines = err.strip().splitlines()
    assert rc == 2, err
    assert len(lines) == 1 and lines[0].startswith("nlen: error: "), err
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def test_tsv_from_stdin_is_scored_and_hashed_as_read(tmp_path, capsys, monkeypatch):
    import hashlib
    import io
    import sys

    tsv = reference_tsv(tmp_path / "seed.tsv")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-.json").write_text('{"model": 5}', encoding="utf-8")  # a file named "-.json" is not stdin's manifest
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(tsv.read_bytes()), encoding="utf-8"))
    rc, _, err = nlen(capsys, "eval", "--tsv", "-", "--reports-dir", str(tmp_path / "rep"), "--bootstrap", "20")
    assert rc == 0, err
    report = json.loads((tmp_path / "rep" / "tsv-stdin.json").read_text(encoding="utf-8"))
    assert report["hypothesis"]["tsv"] == {"path": "-", "sha256": hashlib.sha256(tsv.read_bytes()).hexdigest()}
    assert report["scores"]["BLEU"]["score"] == pytest.approx(100.0)
    assert report["model"] == {}


@pytest.mark.parametrize("where", ["folder", "proc", "under a file"])
def test_unwritable_report_path_is_one_line(tmp_path, capsys, where):
    tsv = reference_tsv(tmp_path / "seed.tsv")
    target = {"folder": tmp_path, "proc": Path("/proc/nlen-no-such/report.json"), "under a file": tsv / "r.json"}[where]
    one_line_error(nlen(capsys, "eval", "--tsv", str(tsv), "--report", str(target)), str(target), "report")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed.tsv"]


def test_report_in_a_read_only_folder_is_one_line():
    """As a user who cannot write there (root drops to `nobody`)."""

    with shared_folder() as shared:
        tsv = reference_tsv(shared / "seed.tsv")
        (shared / "ro").mkdir(mode=0o555)
        res = run_without_write_permission(["eval", "--tsv", str(tsv), "--report", str(shared / "ro" / "r.json")],
                                           shared)
        assert res.returncode == 2 and "Traceback" not in res.stderr
        one_line_error((2, "", res.stderr), str(shared / "ro" / "r.json"), "report")
        assert list((shared / "ro").iterdir()) == []


@pytest.mark.parametrize("manifest", [
    {"model": 5},
    {"model": ["a"]},
    {"model": {"model": 5}},
    {"model": {"model": None, "family": "marian"}},
    ["not", "an", "object"],
])
def test_manifest_whose_model_is_not_a_string_is_one_line(tmp_path, capsys, manifest):
    tsv = reference_tsv(tmp_path / "seed.tsv")
    (tmp_path / "seed.json").write_text(json.dumps(manifest), encoding="utf-8")
    one_line_error(nlen(capsys, "eval", "--tsv", str(tsv), "--reports-dir", str(tmp_path / "rep")),
                   str(tmp_path / "seed.json"), "manifest")
    assert not (tmp_path / "rep").exists()
