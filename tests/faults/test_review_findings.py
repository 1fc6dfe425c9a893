"""Fault cases from the review of the executor, export and I/O code: each
asserts the exit code, no traceback, the one-line message, and that nothing was
lost, duplicated or half-written.

Translation uses the lookup double (tests/doubles.py `FaultyTranslator`, mode
"none": it translates the news set sentence by sentence, instantly), so these
cases cost little time.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
from doubles import NEWS_NL, news_document_text

from faults.test_executor_faults import FAST, lookup_backends, one_line  # noqa: F401 - lookup_backends is a fixture
from pipeline.cli import main
from pipeline.errors import UserError


def jsonl(path: Path, docs: list[dict] | int, extra_lines: str = "") -> list[dict]:
    """Write `docs` (or that many news documents) as JSONL; returns them."""
    if isinstance(docs, int):
        docs = [{"id": f"n{k}", "text": " ".join(NEWS_NL[k % len(NEWS_NL)])} for k in range(docs)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(d) + "\n" for d in docs) + extra_lines, encoding="utf-8")
    return docs


def translate(*args: str) -> int:
    return main(["translate", *args, *FAST])


def merged(out: Path, *args: str) -> dict:
    assert main(["merge", str(out), *args]) == 0
    name = next((a for a in args if a.endswith(".tsv")), str(out / "corpus.tsv"))
    return json.loads(Path(name).with_suffix(".json").read_text(encoding="utf-8"))


def tsv_docs(path: Path) -> list[str]:
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    return list(dict.fromkeys(r.split("\t")[2] for r in rows))


# --- B1: shards of an earlier run are never merged with new ones -------------------------
def test_another_shard_size_is_another_configuration(tmp_path, capsys):
    src, out = tmp_path / "d.jsonl", tmp_path / "o"
    jsonl(src, 12)
    assert translate(str(src), "--out-dir", str(out), "--shard-size", "3") == 0
    assert translate(str(src), "--out-dir", str(out), "--shard-size", "6") == 0  # not skipped as done
    capsys.readouterr()
    assert main(["merge", str(out)]) == 2
    line = one_line(capsys.readouterr().err)
    assert "holds outputs of 2 configurations" in line and "(4 units)" in line and "(2 units)" in line
    configs = sorted({p.name.split(".")[1] for p in out.glob("d-*.json")})
    bodies = set()
    for config in configs:
        result = merged(out, "--config", config, "-o", str(tmp_path / f"{config}.tsv"))
        assert result["documents"] == 12 and result["request"]["shard_size"] in (3, 6)
        bodies.add((tmp_path / f"{config}.tsv").read_bytes())
    assert len(bodies) == 1  # the same rows either way


def test_input_cut_short_its_stale_shards_are_named_not_merged(tmp_path, capsys):
    src, out = tmp_path / "d.jsonl", tmp_path / "o"
    docs = jsonl(src, 12)
    assert translate(str(src), "--out-dir", str(out), "--shard-size", "3") == 0
    jsonl(src, docs[:6])  # the same first six documents; shard 1 is now the last one
    assert translate(str(src), "--out-dir", str(out), "--shard-size", "3") == 0
    manifests = {int(p.name[2:7]): json.loads(p.read_text(encoding="utf-8")) for p in out.glob("d-*.json")}
    assert manifests[1]["input"]["final"] is True and manifests[3]["input"]["final"] is True  # redone, not skipped
    capsys.readouterr()
    assert main(["merge", str(out)]) == 2
    line = one_line(capsys.readouterr().err)
    assert "2 stale shards past its last one (shard 1)" in line and "d-00002." in line and "d-00003." in line
    assert "d-00001." not in line and "remove" in line
    assert not (out / "corpus.tsv").exists()
    for p in out.glob("d-0000[23].*"):
        p.unlink()
    assert merged(out)["documents"] == 6
    assert tsv_docs(out / "corpus.tsv") == [d["id"] for d in docs[:6]]


def test_thread_counts_are_not_in_the_configuration():
    from pipeline.job.spec import TranslateJob, config_hash
    from pipeline.translate.base import GenerationSettings

    def job(**settings) -> TranslateJob:
        return TranslateJob(out_dir=Path("o"), model="lookup", backend="test-faulty",
                            settings=GenerationSettings(device="cpu", **settings))

    assert config_hash(job()) == config_hash(job(inter_threads=2, intra_threads=1)) == config_hash(job(intra_threads=3))
    assert config_hash(job()) != config_hash(job(num_beams=3))


# --- B2, B3: JSONL input names -------------------------------------------------------------
def test_two_jsonl_inputs_with_one_stem_are_refused_not_overwritten(tmp_path, capsys):
    a = jsonl(tmp_path / "a" / "d.jsonl", 3)
    jsonl(tmp_path / "b" / "d.jsonl", [{"id": "other", "text": NEWS_NL[5][0]}])
    out = tmp_path / "o"
    rc = translate(str(tmp_path / "a" / "d.jsonl"), str(tmp_path / "b" / "d.jsonl"), "--out-dir", str(out))
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and line.startswith(f"nlen: error: {tmp_path / 'b' / 'd.jsonl'}: same output names as")
    assert str(tmp_path / "a" / "d.jsonl") in line
    assert tsv_docs(next(out.glob("d-00000.*.tsv"))) == [d["id"] for d in a]


def test_non_utf8_jsonl_file_name_is_one_line_and_the_others_go_through(tmp_path, capsys):
    folder = tmp_path / "in"
    jsonl(folder / "a.jsonl", 2)
    jsonl(Path(os.fsdecode(os.path.join(os.fsencode(folder), b"bad\xff.jsonl"))), 2)
    jsonl(folder / "c.jsonl", 2)
    out = tmp_path / "o"
    rc = translate(str(folder), "--out-dir", str(out))
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and "bad\\xff.jsonl" in line and "file name is not valid UTF-8" in line
    assert sorted(p.name.split("-")[0] for p in out.glob("*.tsv")) == ["a", "c"]


# --- B4, B5: JSONL text ----------------------------------------------------------------------
def test_lone_surrogate_escape_is_a_rejected_line(tmp_path, capsys):
    src, out = tmp_path / "d.jsonl", tmp_path / "o"
    lines = [json.dumps({"id": "n0", "text": NEWS_NL[0][0]}), '{"id": "s", "text": "Hallo \\ud800 wereld."}',
             '{"id": "\\udfff", "text": "x"}', json.dumps({"id": "n1", "text": NEWS_NL[1][0]})]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert translate(str(src), "--out-dir", str(out)) == 0
    rejects = [json.loads(x) for x in next(out.glob("*.rejects.jsonl")).read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["reason"].split(" (")[0]) for r in rejects] == [(2, "not valid Unicode"), (3, "not valid Unicode")]
    assert tsv_docs(next(out.glob("*.tsv"))) == ["n0", "n1"]
    assert "Traceback" not in capsys.readouterr().err


def test_parse_line_keeps_surrogate_pairs_and_refuses_control_ids():
    from pipeline.document.jsonl import Record, Reject, parse_line

    pair = parse_line(b'{"id": "e", "text": "\\ud83d\\ude00 \\\\ud800"}\n', 1, set())
    assert isinstance(pair, Record) and pair.text == "\U0001f600 \\ud800"  # a real pair; an escaped backslash
    bad = parse_line(b'{"id": "a\\u0000b", "text": "x"}\n', 4, set())
    assert isinstance(bad, Reject) and bad.line == 4 and "control character" in bad.reason


def test_jsonl_text_is_cleaned_as_a_txt_article_is(tmp_path):
    from pipeline.textio import clean_text, decode

    dirty = NEWS_NL[0][0][:10] + "\x00\x1b" + NEWS_NL[0][0][10:] + "\r\n\x0c" + NEWS_NL[0][1]
    assert clean_text(dirty) == decode(dirty.encode("utf-8"), "x.txt")
    src, out = tmp_path / "d.jsonl", tmp_path / "o"
    jsonl(src, [{"id": "x", "text": dirty}])
    assert translate(str(src), "--out-dir", str(out)) == 0
    data = next(out.glob("*.tsv")).read_bytes()
    assert b"\x00" not in data and b"\x1b" not in data
    assert [r.split(b"\t")[0].decode() for r in data.splitlines()[1:]] == list(NEWS_NL[0][:2])


# --- B6, B7: nlen merge -------------------------------------------------------------------------
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


# --- B8: outputs that cannot be written ---------------------------------------------------------
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
    args = {"review": ["review", missing, "--out", str(tmp_path)],
            "export": ["export", missing, "--format", "tmx", "--out", str(tmp_path / "x.tmx"), "--report", str(tmp_path)]}
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


# --- B9, B10: nothing to do; Ray options without Ray ---------------------------------------------
@pytest.mark.parametrize("content", ["", "\n  \n\n"])
def test_empty_jsonl_is_nothing_to_translate(content, tmp_path, capsys):
    (tmp_path / "e.jsonl").write_text(content, encoding="utf-8")
    rc = translate(str(tmp_path / "e.jsonl"), "--out-dir", str(tmp_path / "o"))
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and str(tmp_path / "e.jsonl") in line and "nothing to translate" in line


@pytest.mark.parametrize("option", [["--workers", "2"], ["--cpus-per-worker", "1"], ["--gpus-per-worker", "0"],
                                    ["--ray-address", "auto"]])
def test_ray_options_without_ray_are_refused(option, tmp_path, capsys):
    jsonl(tmp_path / "d.jsonl", 1)
    rc = translate(str(tmp_path / "d.jsonl"), "--out-dir", str(tmp_path / "o"), *option)
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and f"{option[0]} is for --executor ray only" in line
    assert not (tmp_path / "o").exists()


# --- smaller findings ------------------------------------------------------------------------------
def test_tsv_from_stdin_is_read_a_line_at_a_time(monkeypatch):
    from pipeline.corpus.read import read_tsv
    from pipeline.corpus.write import COLUMNS

    row = "\t".join(["Hallo.", "Hello.", "d", "0", "0", "0", "0.9000", "0", "", ""]) + "\n"
    data = ("\t".join(COLUMNS) + "\n" + row * 20000).encode("utf-8")  # about 0.6 MB
    stdin = io.BytesIO(data)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin, encoding="utf-8"))
    rows = read_tsv("-")
    assert next(rows).en == "Hello."
    assert stdin.tell() < len(data) // 4  # the first row came before stdin was read to its end
    assert 1 + sum(1 for _ in rows) == 20000
