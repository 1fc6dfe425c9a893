"""Issue #22, round 2, the input side of `nlen translate`: items 6 (document names that collide
once case and spacing are ignored), 7 (an article named like a JSONL input's shard), 8 (the
out-dir is the input folder), 9 (a unit that cannot be written names every document it
affects; names too long for the out-dir), 10 (an input changed and given by another path),
11 (bare NaN/Infinity in JSONL lines) and 12 (a JSONL line nested 100k deep).

Each asserts the exit code, no traceback, the one-line message naming the file(s), that
nothing is written outside the named folders, that the inputs are unchanged and that no
document is lost or doubled; translation uses the lookup double (tests/doubles.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from doubles import NEWS_NL
from support import LOOKUP_ARGS, cli, files_in, jsonl, one_error, tsv_docs

from pipeline.cli import main
from pipeline.document.inputs import shown_path

pytestmark = pytest.mark.usefixtures("lookup_backends")


def nlen_translate(capsys, *args: str) -> tuple[int, list[str]]:
    """`nlen translate ARGS` with the lookup double: (exit code, stderr lines); no traceback."""
    code, _, lines = cli(["translate", *args, *LOOKUP_ARGS], capsys)
    return code, lines


def errors(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("nlen: error:")]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative name → bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def article(path: Path, block: int = 0) -> Path:
    """A short Dutch article (one news paragraph) the lookup double can translate."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(" ".join(NEWS_NL[block % len(NEWS_NL)]) + "\n", encoding="utf-8")
    return path


def doc(doc_id: str, k: int = 0) -> dict:
    return {"id": doc_id, "text": " ".join(NEWS_NL[k % len(NEWS_NL)])}


def rejects_of(out: Path) -> list[dict]:
    return [json.loads(line) for p in sorted(out.glob("*.rejects.jsonl")) for line in p.read_text("utf-8").splitlines()]


def all_docs(out: Path) -> list[str]:
    return [d for p in sorted(out.glob("*.tsv")) for d in tsv_docs(p)]


def merge_report(capsys, out: Path) -> dict:
    code, _, lines = cli(["merge", str(out)], capsys)
    assert code == 0, lines
    return json.loads((out / "corpus.json").read_text(encoding="utf-8"))


# --- item 6: document names that collide ---------------------------------------------
def test_item6_ids_equal_once_case_and_spacing_are_ignored_are_rejects_naming_the_first(tmp_path, capsys, caplog):
    src, out = tmp_path / "d.jsonl", tmp_path / "o"
    ids = ["x", "x ", "y  z", "y z", "u\u2028v", "u v", "Case", "case", "x"]
    jsonl(src, [doc(i, k) for k, i in enumerate(ids)])
    before = src.read_bytes()
    code, lines = nlen_translate(capsys, str(src), "--out-dir", str(out))
    assert code == 0 and not errors(lines)
    assert all_docs(out) == ["x", "y z", "u v", "Case"]  # one document per name, the first of each
    found = [(r["line"], r["reason"]) for r in rejects_of(out)]
    assert [line for line, _ in found] == [2, 4, 6, 8, 9]
    for (_, reason), first in zip(found, [1, 3, 5, 7, 1]):
        assert reason.startswith("duplicate id") and f"the same document name as line {first}" in reason
    warned = [r.getMessage() for r in caplog.records if "duplicate id" in r.getMessage()]
    assert len(warned) == 5 and all(f"{src}:" in line and "\n" not in line for line in warned)
    assert src.read_bytes() == before and files_in(tmp_path) == ["d.jsonl", "o"]


@pytest.mark.parametrize(
    "first, second",
    [("a\tb.txt", "a b.txt"), ("Case.txt", "case.txt"), ("x.txt", "x .txt"), ("u v.txt", "u\u2028v.txt")],
    ids=["tab-space", "case", "trailing-space", "line-separator"],
)
def test_item6_article_names_that_are_one_document_name_are_refused_naming_both(first, second, tmp_path, capsys):
    folder, out = tmp_path / "in", tmp_path / "o"
    article(folder / first, 0)
    article(folder / second, 1)
    before = snapshot(folder)
    code, lines = nlen_translate(capsys, str(folder / first), str(folder / second), "--out-dir", str(out))
    one_error(lines, shown_path(folder / second), shown_path(folder / first), "same output name")
    assert code == 2
    assert files_in(out) == sorted([f"{Path(first).stem}.json", f"{Path(first).stem}.tsv"])
    assert snapshot(folder) == before and files_in(tmp_path) == ["in", "o"]


def test_item6_one_id_in_two_jsonl_inputs_refuses_the_second_before_anything_is_written(tmp_path, capsys):
    a, b, out = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "o"
    jsonl(a, [doc("n0", 0), doc("n1", 1)])
    jsonl(b, [doc("b0", 2), doc("N1 ", 3), doc("b2", 4)])
    before = snapshot(tmp_path)
    code, lines = nlen_translate(capsys, str(a), str(b), "--out-dir", str(out))
    line = one_error(lines, f"{b}: line 2: id 'N1 '", f"{a} line 2 (id 'n1')")
    assert code == 2 and "skipped" in line
    assert all_docs(out) == ["n0", "n1"] and not list(out.glob("b-*"))  # nothing of b.jsonl written
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("o/")} == before


def test_item6_a_jsonl_id_that_is_an_articles_name_is_refused_naming_the_article(tmp_path, capsys):
    news, src, out = article(tmp_path / "News.txt"), tmp_path / "d.jsonl", tmp_path / "o"
    jsonl(src, [doc("other", 1), doc("news", 2)])
    code, lines = nlen_translate(capsys, str(news), str(src), "--out-dir", str(out))
    one_error(lines, f"{src}: line 2: id 'news'", f"the article {news}")
    assert code == 2 and all_docs(out) == ["News"] and files_in(tmp_path) == ["News.txt", "d.jsonl", "o"]


# --- item 7: an article named like a shard ---------------------------------------------
def test_item7_an_article_named_like_a_jsonl_shard_is_refused_naming_both(tmp_path, capsys):
    folder = tmp_path / "in"
    good = folder / "good.jsonl"
    jsonl(good, 3)
    assert nlen_translate(capsys, str(good), "--out-dir", str(tmp_path / "first"))[0] == 0
    shard_name = next((tmp_path / "first").glob("good-00000.*.tsv")).stem  # good-00000.<config>
    clash = article(folder / f"{shard_name}.txt", 4)
    before = snapshot(folder)
    out = tmp_path / "o"
    code, lines = nlen_translate(capsys, str(folder), "--out-dir", str(out))
    one_error(lines, str(clash), f"a shard of {good}")
    assert code == 2
    assert tsv_docs(out / f"{shard_name}.tsv") == ["n0", "n1", "n2"]  # the shard's own output, whole
    assert files_in(out) == [f"{shard_name}.json", f"{shard_name}.tsv"]
    assert snapshot(folder) == before and files_in(tmp_path) == ["first", "in", "o"]


# --- item 8: the out-dir is the input folder --------------------------------------------
def test_item8_a_rerun_into_the_input_folder_reads_none_of_its_own_outputs(tmp_path, capsys, caplog):
    folder = tmp_path / "in"
    src = folder / "d.jsonl"
    jsonl(src, 5, extra_lines="not json\n[1]\n")
    article(folder / "a.txt")
    assert nlen_translate(capsys, str(folder), "--out-dir", str(folder), "--shard-size", "3")[0] == 0
    assert len(list(folder.glob("d-*.rejects.jsonl"))) == 2  # shards of lines 4-6 and 7
    report = merge_report(capsys, folder)
    assert (report["documents"], report["rejects"]) == (6, 2)
    after_first = snapshot(folder)
    caplog.clear()
    for _ in range(2):  # reruns: every unit up to date; no rejects file, TSV or manifest read as an input
        code, lines = nlen_translate(capsys, str(folder), "--out-dir", str(folder), "--shard-size", "3")
        assert code == 0 and not errors(lines) and "WARNING" not in caplog.text
        assert snapshot(folder) == after_first
        again = merge_report(capsys, folder)
        assert (again["documents"], again["rejects"]) == (6, 2)
    assert files_in(tmp_path) == ["in"]


def test_item8_a_rejects_file_named_as_an_input_is_refused(tmp_path, capsys):
    src, out = tmp_path / "d.jsonl", tmp_path / "o"
    jsonl(src, 2, extra_lines="not json\n")
    assert nlen_translate(capsys, str(src), "--out-dir", str(out))[0] == 0
    rejects = next(out.glob("*.rejects.jsonl"))
    before = snapshot(out)
    code, lines = nlen_translate(capsys, str(rejects), "--out-dir", str(out))
    one_error(lines, str(rejects), "rejects file of an nlen run")
    assert code == 2 and snapshot(out) == before


# --- item 9: an error names every document it affects -----------------------------------
def test_item9_a_unit_that_cannot_be_written_is_named_and_its_group_is_still_written(tmp_path, capsys):
    folder, out = tmp_path / "in", tmp_path / "o"
    aa, zz = article(folder / "aa.txt", 0), article(folder / "zz.txt", 1)  # one group: translated together
    (out / "aa.tsv").mkdir(parents=True)  # in the way of aa's TSV
    before = snapshot(folder)
    for _ in range(2):  # the rerun says it again: the loss is never silent
        code, lines = nlen_translate(capsys, str(folder), "--out-dir", str(out))
        line = one_error(lines, str(out / "aa.tsv"), str(aa))
        assert code == 2 and str(zz) not in line
        assert files_in(out) == ["aa.tsv", "zz.json", "zz.tsv"] and tsv_docs(out / "zz.tsv") == ["zz"]
        assert not list((out / "aa.tsv").iterdir())
    assert snapshot(folder) == before and files_in(tmp_path) == ["in", "o"]


def test_item9_a_group_none_of_which_can_be_written_names_every_document(tmp_path, capsys):
    folder, out = tmp_path / "in", tmp_path / "o"
    aa, zz = article(folder / "aa.txt", 0), article(folder / "zz.txt", 1)
    for name in ("aa.tsv", "zz.tsv"):
        (out / name).mkdir(parents=True)
    code, lines = nlen_translate(capsys, str(folder), "--out-dir", str(out))
    one_error(lines, str(out / "aa.tsv"), f"none of its group was written: {aa}, {zz}")
    assert code == 2 and files_in(out) == ["aa.tsv", "zz.tsv"] and files_in(tmp_path) == ["in", "o"]


def test_item9_a_long_input_name_is_written_with_the_others_of_its_group(tmp_path, capsys):
    folder, out = tmp_path / "in", tmp_path / "o"
    long = article(folder / ("l" * 236 + ".txt"), 0)  # 240 bytes: its .json is 241, a temporary's would be more
    article(folder / "zz.txt", 1)
    code, lines = nlen_translate(capsys, str(folder), "--out-dir", str(out))
    assert code == 0 and not errors(lines)
    assert sorted(all_docs(out)) == sorted([long.stem, "zz"]) and len(files_in(out)) == 4  # .tsv, .json each


def test_item9_an_input_whose_outputs_cannot_be_named_is_refused_and_the_others_go_through(tmp_path, capsys):
    folder, out = tmp_path / "in", tmp_path / "o"
    long = article(folder / ("l" * 251 + ".txt"), 0)  # its manifest would be 256 bytes
    long_jsonl = folder / ("j" * 230 + ".jsonl")  # j…-00000.<config>.rejects.jsonl: 263 bytes
    jsonl(long_jsonl, 1)
    article(folder / "zz.txt", 1)
    code, lines = nlen_translate(capsys, str(folder), "--out-dir", str(out))
    found = errors(lines)
    assert code == 2 and len(found) == 2
    assert str(long) in found[0] or str(long) in found[1]
    assert all("name too long" in line for line in found) and any(str(long_jsonl) in line for line in found)
    assert files_in(out) == ["zz.json", "zz.tsv"] and files_in(tmp_path) == ["in", "o"]


# --- item 10: an input changed, given by another path -------------------------------------
def test_item10_a_changed_input_given_by_its_absolute_path_is_redone_and_merges(tmp_path, capsys, caplog, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "d.jsonl"
    docs = jsonl(src, 6)
    assert nlen_translate(capsys, "d.jsonl", "--out-dir", "o", "--shard-size", "2")[0] == 0
    docs[3]["text"] = " ".join(NEWS_NL[0])  # one line edited
    jsonl(src, docs)
    before = src.read_bytes()
    code, lines = nlen_translate(capsys, str(src), "--out-dir", "o", "--shard-size", "2")
    assert code == 0 and not errors(lines)
    report = merge_report(capsys, tmp_path / "o")
    assert report["documents"] == 6
    rows = (tmp_path / "o" / "corpus.tsv").read_text(encoding="utf-8").splitlines()[1:]
    n3 = [r.split("\t")[0] for r in rows if r.split("\t")[2] == "n3"]
    assert " ".join(n3) == " ".join(NEWS_NL[0])  # the edited text, not the old one
    # the rerun by the same path skips everything and merges the same
    caplog.clear()
    code, lines = nlen_translate(capsys, str(src), "--out-dir", "o", "--shard-size", "2")
    assert code == 0 and "3 units already done" in caplog.text
    assert merge_report(capsys, tmp_path / "o")["documents"] == 6
    assert src.read_bytes() == before and files_in(tmp_path) == ["d.jsonl", "o"]


def test_item10_an_edited_line_redoes_only_its_shard(tmp_path, capsys, caplog):
    src, out = tmp_path / "d.jsonl", tmp_path / "o"
    docs = jsonl(src, 6)
    assert nlen_translate(capsys, str(src), "--out-dir", str(out), "--shard-size", "2")[0] == 0
    docs[5]["text"] = " ".join(NEWS_NL[1])
    jsonl(src, docs)
    caplog.clear()
    code, lines = nlen_translate(capsys, str(src), "--out-dir", str(out), "--shard-size", "2")
    assert code == 0 and "2 documents in 1 unit" in caplog.text and "2 units already done" in caplog.text
    assert merge_report(capsys, out)["documents"] == 6


# --- items 11 and 12: JSONL lines that are not strict JSON ---------------------------------
def test_item11_bare_nan_and_infinity_are_rejected_lines(tmp_path, capsys):
    src, out = tmp_path / "d.jsonl", tmp_path / "o"
    good = [json.dumps(doc("n0", 0)), json.dumps(doc("n1", 1))]
    bad = [
        '{"id": "a", "text": "Hallo.", "score": NaN}',
        '{"id": "b", "text": "Hallo.", "score": Infinity}',
        '{"id": "c", "text": "Hallo.", "score": -Infinity}',
        '{"id": "d", "text": "Hallo.", "score": 1e999}',
    ]
    src.write_text("\n".join([good[0], *bad, good[1]]) + "\n", encoding="utf-8")
    before = src.read_bytes()
    code, lines = nlen_translate(capsys, str(src), "--out-dir", str(out))
    assert code == 0 and not errors(lines) and src.read_bytes() == before and files_in(tmp_path) == ["d.jsonl", "o"]
    assert all_docs(out) == ["n0", "n1"]
    found = [(r["line"], r["reason"]) for r in rejects_of(out)]
    assert [line for line, _ in found] == [2, 3, 4, 5] and all(reason.startswith("not JSON") for _, reason in found)
    assert "NaN" in found[0][1] and "Infinity" in found[1][1] and "1e999" in found[3][1]

    def refuse(name):
        raise ValueError(name)

    for manifest in out.glob("*.json"):  # strict JSON: no NaN or Infinity copied from an input
        json.loads(manifest.read_text(encoding="utf-8"), parse_constant=refuse)


def test_item12_a_line_nested_100k_deep_is_a_rejected_line(tmp_path, capsys):
    src, out = tmp_path / "d.jsonl", tmp_path / "o"
    deep = "[" * 100_000 + "]" * 100_000
    lines_in = [
        json.dumps(doc("n0", 0)),
        '{"id": "deep", "text": "Hallo.", "extra": ' + deep + "}",
        deep,
        '{"id": "d150", "text": "Hallo.", "extra": ' + "[" * 150 + "]" * 150 + "}",
        json.dumps(doc("n1", 1)),
    ]
    src.write_text("\n".join(lines_in) + "\n", encoding="utf-8")
    before = src.read_bytes()
    code, lines = nlen_translate(capsys, str(src), "--out-dir", str(out))
    assert code == 0 and not errors(lines) and src.read_bytes() == before and files_in(tmp_path) == ["d.jsonl", "o"]
    assert all_docs(out) == ["n0", "n1"]
    found = [(r["line"], r["reason"]) for r in rejects_of(out)]
    assert [line for line, _ in found] == [2, 3, 4] and all("nested more than" in reason for _, reason in found)
    assert main(["merge", str(out)]) == 0
