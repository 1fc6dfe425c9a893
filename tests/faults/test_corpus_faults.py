"""Fault cases of the corpus on disk: merge over an article's own unit and its document count,
atomic writes that fail, unwritable `--out`/`--report` (checked first), `review --out -`, the
umask, the error after a partial commit, stdin TSVs read line by line.

Each asserts the exit code, no traceback, the one-line message, and that nothing was lost,
duplicated or half-written; translation uses the lookup double (tests/doubles.py)."""

from __future__ import annotations

import io
import os
import sys

import pytest
from doubles import NEWS_NL, news_document_text
from support import jsonl, merged, one_line, translate

from pipeline.cli import main
from pipeline.errors import UserError

pytestmark = pytest.mark.usefixtures("lookup_backends")


def test_merge_never_writes_over_an_articles_own_unit(tmp_path, capsys):
    folder, out = tmp_path / "in", tmp_path / "o"
    folder.mkdir()
    for name in ("corpus.txt", "other.txt"):
        (folder / name).write_text(news_document_text(), encoding="utf-8")
    assert translate(str(folder), "--out-dir", str(out)) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert main(["merge", str(out)]) == 2
    line = one_line(capsys.readouterr().err)
    assert f"{out / 'corpus.tsv'}: is a file of the translated unit corpus" in line and "-o" in line
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert merged(out, "-o", str(out / "merged.tsv"))["documents"] == 2


def test_a_shard_of_only_rejected_lines_counts_no_document(tmp_path):
    src, out = tmp_path / "d.jsonl", tmp_path / "o"
    jsonl(src, 3, extra_lines="not json\n[1]\n{}\n")
    assert translate(str(src), "--out-dir", str(out), "--shard-size", "3") == 0
    result = merged(out)
    assert result["documents"] == 3 and result["rejects"] == 3 and len(result["units"]) == 2


def test_atomic_write_errors_name_the_path(tmp_path):
    from pipeline.corpus.write import atomic_write_text

    (tmp_path / "file").write_text("x")
    for target in (tmp_path, tmp_path / "file" / "under.json"):
        with pytest.raises(UserError, match=f"^{target}: cannot write report: "):
            atomic_write_text(target, "{}", "report")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.parametrize("command", ["review", "export"])
def test_unwritable_out_or_report_is_said_before_the_corpus_is_read(command, tmp_path, capsys):
    missing = str(tmp_path / "no-such-corpus.tsv")  # never read: the output check comes first
    args = {
        "review": ["review", missing, "--out", str(tmp_path)],
        "export": ["export", missing, "--format", "tmx", "--out", str(tmp_path / "x.tmx"), "--report", str(tmp_path)],
    }
    assert main(args[command]) == 2
    line = one_line(capsys.readouterr().err)
    assert f"{tmp_path}: " in line and "is a folder, not a file" in line and "no-such-corpus" not in line
    assert list(tmp_path.iterdir()) == []


def test_review_to_stdout(tmp_path, capsysbinary, monkeypatch):
    src, out = tmp_path / "news.txt", tmp_path / "o"
    src.write_text(news_document_text(), encoding="utf-8")
    assert translate(str(src), "--out-dir", str(out)) == 0
    capsysbinary.readouterr()
    monkeypatch.chdir(tmp_path)
    assert main(["review", str(out / "news.tsv"), "--out", "-"]) == 0
    page = capsysbinary.readouterr().out
    assert page.startswith(b"<!DOCTYPE html>") and NEWS_NL[0][0].encode() in page
    assert not (tmp_path / "-").exists()


def test_writes_do_not_toggle_the_umask(tmp_path, monkeypatch):
    """The umask is read once at import: setting it to 0 and back on each write
    would race with threads that create files meanwhile."""
    from pipeline.corpus.write import atomic_write_text, commit_files

    monkeypatch.setattr(os, "umask", lambda mask: pytest.fail("os.umask called during a write"))
    atomic_write_text(tmp_path / "a.txt", "a")
    commit_files([(tmp_path / "b.tsv", b"b"), (tmp_path / "b.json", b"{}")])
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == (tmp_path / "b.tsv").stat().st_mode & 0o777


def test_failure_after_the_tsv_rename_says_so(tmp_path, monkeypatch, capsys):
    src, out = tmp_path / "news.txt", tmp_path / "o"
    src.write_text(news_document_text(), encoding="utf-8")
    real = os.replace

    def replace(a, b):
        if str(b).endswith(".json"):
            raise OSError(5, os.strerror(5))
        return real(a, b)

    with monkeypatch.context() as m:
        m.setattr(os, "replace", replace)
        assert translate(str(src), "--out-dir", str(out)) == 2
    line = one_line(capsys.readouterr().err)
    assert f"{out / 'news.json'}: cannot write output" in line and "news.tsv was already replaced" in line
    assert "left as they were" not in line
    assert translate(str(src), "--out-dir", str(out)) == 0 and (out / "news.json").exists()


def test_tsv_from_stdin_is_read_a_line_at_a_time(monkeypatch):
    from pipeline.corpus.read import read_tsv
    from pipeline.corpus.write import COLUMNS

    row = "\t".join(["Hallo.", "Hello.", "d", "0", "0", "0", "0.9000", "0", "", "", "p"]) + "\n"
    data = ("\t".join(COLUMNS) + "\n" + row * 20000).encode("utf-8")  # about 0.6 MB
    stdin = io.BytesIO(data)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin, encoding="utf-8"))
    rows = read_tsv("-")
    assert next(rows).en == "Hello."
    assert stdin.tell() < len(data) // 4  # the first row came before stdin was read to its end
    assert 1 + sum(1 for _ in rows) == 20000
