"""Fault cases of JSONL inputs: names (one stem twice, not UTF-8), lone surrogates and control
characters, text cleaned as a .txt article is.

Each asserts the exit code, no traceback, the one-line message, and that nothing was lost,
duplicated or half-written; translation uses the lookup double (tests/doubles.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from doubles import NEWS_NL
from support import jsonl, one_line, translate, tsv_docs

pytestmark = pytest.mark.usefixtures("lookup_backends")


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
    jsonl(folder / "c.jsonl", [{"id": f"c{k}", "text": NEWS_NL[k][0]} for k in range(2)])  # ids of its own (#22 item 6)
    out = tmp_path / "o"
    rc = translate(str(folder), "--out-dir", str(out))
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and "bad\\xff.jsonl" in line and "file name is not valid UTF-8" in line
    assert sorted(p.name.split("-")[0] for p in out.glob("*.tsv")) == ["a", "c"]


def test_lone_surrogate_escape_is_a_rejected_line(tmp_path, capsys):
    src, out = tmp_path / "d.jsonl", tmp_path / "o"
    lines = [
        json.dumps({"id": "n0", "text": NEWS_NL[0][0]}),
        '{"id": "s", "text": "Hallo \\ud800 wereld."}',
        '{"id": "\\udfff", "text": "x"}',
        json.dumps({"id": "n1", "text": NEWS_NL[1][0]}),
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert translate(str(src), "--out-dir", str(out)) == 0
    rejects = [json.loads(x) for x in next(out.glob("*.rejects.jsonl")).read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["reason"].split(" (")[0]) for r in rejects] == [
        (2, "not valid Unicode"),
        (3, "not valid Unicode"),
    ]
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
