"""Fault cases of issue #22 ("Reliability round 2") on the corpus side: items 3, 11, 13, 14, 21.

- 3: a unit manifest whose TSV or rejects file is `../x`, an absolute path or a link out of the
  out-dir is refused by `merge`, `export` and `review` (nothing outside the out-dir is read).
- 11: a non-finite score or logprob in a TSV is one line naming the file and line; what nlen
  writes (manifests, JSONL export) is strict JSON; a manifest with NaN is refused.
- 13: rejected lines holding a raw U+2028 or U+0085 go through `merge` byte for byte.
- 14: manifests with wrong types, missing fields or copies are one line naming the manifest,
  and `translate` redoes such a unit instead of failing.
- 21: an XCES export that fails midway (a document name too long for a file) leaves nothing.

Each asserts the exit code, exactly one stderr line, no traceback, the file named, nothing
written outside the named folders and the inputs unchanged; translation uses the lookup double
(tests/doubles.py), once for the module."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from doubles import NEWS_NL, FaultyTranslator
from support import jsonl, one_line, translate

from pipeline.cli import main
from pipeline.corpus.write import COLUMNS
from pipeline.translate.base import BACKEND_MODULES

# rejected lines with a raw LINE SEPARATOR and NEXT LINE, inside and outside a JSON string
ODD_REJECTS = ["not json \u2028 a \x85 b", '{"id": "q\u2028\x85", "text": 5}']
SECRET = "GEHEIM\tSECRET"


def strict_json(text: str):
    """`text` parsed as strict JSON: NaN, Infinity and -Infinity fail."""

    def refuse(name):
        raise ValueError(f"{name} in JSON")

    return json.loads(text, parse_constant=refuse)


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file (its bytes) and link (its target) under `folder`, hidden ones included."""
    out: dict[str, bytes | str] = {}
    for p in sorted(folder.rglob("*")):
        key = str(p.relative_to(folder))
        if p.is_symlink():
            out[key] = os.readlink(p)
        elif p.is_file():
            out[key] = p.read_bytes()
        else:
            out[key] = "<folder>"
    return out


@pytest.fixture(scope="module")
def translated(tmp_path_factory) -> Path:
    """A JSONL input of 4 documents and the odd rejected lines, translated once in 2 shards."""
    root = tmp_path_factory.mktemp("round2")
    src = root / "d.jsonl"
    with pytest.MonkeyPatch.context() as mp:  # the lookup_backends fixture, for the whole module
        mp.setattr(FaultyTranslator, "mode", "none")
        mp.setitem(BACKEND_MODULES, "test-faulty", "doubles")
        jsonl(src, 4, extra_lines="".join(line + "\n" for line in ODD_REJECTS))
        assert translate(str(src), "--out-dir", str(root / "out"), "--shard-size", "3") == 0
    return root / "out"


@pytest.fixture()
def work(translated, tmp_path) -> Path:
    """A fresh copy of the translated out-dir, `tmp_path/o`."""
    shutil.copytree(translated, tmp_path / "o")
    return tmp_path / "o"


def first_manifest(out: Path) -> Path:
    return sorted(out.glob("d-00000.*.json"))[0]


def edit_manifest(path: Path, change) -> None:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


COMMANDS = {
    "merge": lambda out, tmp: ["merge", str(out)],
    "export": lambda out, tmp: ["export", str(out), "--format", "jsonl", "--out", str(tmp / "x.jsonl")],
    "review": lambda out, tmp: ["review", str(out), "--out", str(tmp / "r.html")],
}


def refused(argv: list[str], tmp_path: Path, capsys, *parts: str) -> str:
    """`nlen ARGV` exits 2 with one line holding `parts`, and changes nothing under `tmp_path`."""
    capsys.readouterr()
    before = snapshot(tmp_path)
    assert main(argv) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("nlen: error: ") and all(p in line for p in parts), line
    assert snapshot(tmp_path) == before
    return line


# --- item 3: names outside the out-dir --------------------------------------------------
def _outside(tmp_path: Path, header: str) -> Path:
    outside = tmp_path / "outside.tsv"
    outside.write_text(header + SECRET + "\td\t0\t0\t0\t0.9000\t0\t\t\n", encoding="utf-8")
    return outside


def _point_tsv_at(kind: str, work: Path, outside: Path) -> str:
    """Make the first unit's manifest name `outside` (with its SHA-256); returns the name used."""
    manifest = first_manifest(work)
    if kind == "dotdot":
        name = "../outside.tsv"
    elif kind == "absolute":
        name = str(outside)
    else:  # a link in the out-dir that leads out of it
        name = "link.tsv"
        (work / name).symlink_to(outside)
    sha = hashlib.sha256(outside.read_bytes()).hexdigest()
    edit_manifest(manifest, lambda m: m["output"].update(tsv=name, sha256=sha))
    return name


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", ["dotdot", "absolute", "link"])
def test_item3_a_manifest_cannot_pull_in_a_tsv_from_outside_the_out_dir(kind, command, work, tmp_path, capsys):
    """#22 item 3: merge, export and review refuse a unit TSV named outside the out-dir."""
    header = next(work.glob("*.tsv")).read_text(encoding="utf-8").split("\n")[0] + "\n"
    outside = _outside(tmp_path, header)
    name = _point_tsv_at(kind, work, outside)
    line = refused(COMMANDS[command](work, tmp_path), tmp_path, capsys, str(first_manifest(work)), "output.tsv")
    assert repr(name) in line and "SECRET" not in line
    assert not (tmp_path / "x.jsonl").exists() and not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_item3_a_manifest_cannot_pull_in_a_rejects_file_from_outside(command, work, tmp_path, capsys):
    """#22 item 3: the rejects file too must be a file of the out-dir."""
    outside = tmp_path / "outside.rejects.jsonl"
    outside.write_text(json.dumps({"line": 1, "reason": "x", "raw": SECRET}) + "\n", encoding="utf-8")
    sha = hashlib.sha256(outside.read_bytes()).hexdigest()
    manifest = first_manifest(work)
    edit_manifest(manifest, lambda m: m["output"].update(rejects={"path": "../outside.rejects.jsonl", "sha256": sha}))
    refused(COMMANDS[command](work, tmp_path), tmp_path, capsys, str(manifest), "output.rejects.path")


# --- item 11: non-finite numbers --------------------------------------------------------
def _tsv(path: Path, bad_score: str = "0.9000", bad_logprob: str = "-0.5000") -> Path:
    row = ["Hallo.", "Hello.", "d", "0", "0", "0", "0.9000", "0", "", "-0.2500", "p"]
    bad = ["Dag.", "Bye.", "d", "0", "1", "1", bad_score, "0", "", bad_logprob, "p"]
    path.write_text("\t".join(COLUMNS) + "\n" + "\t".join(row) + "\n" + "\t".join(bad) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "tmx", "review"])
@pytest.mark.parametrize(
    "column,value", [("score", "nan"), ("score", "inf"), ("score", "-Infinity"), ("score", "1e999"), ("logprob", "NaN")]
)
def test_item11_a_non_finite_number_in_a_tsv_is_one_line(fmt, column, value, tmp_path, capsys):
    """#22 item 11 (and 15, its review side): a NaN or infinite score or logprob names the file and line."""
    tsv = _tsv(tmp_path / "c.tsv", **({"bad_score": value} if column == "score" else {"bad_logprob": value}))
    out = tmp_path / "out"
    out.mkdir()
    argv = (
        ["review", str(tsv), "--out", str(out / "r.html")]
        if fmt == "review"
        else ["export", str(tsv), "--format", fmt, "--out", str(out / f"x.{fmt}")]
    )
    refused(argv, tmp_path, capsys, f"{tsv}:3: column {column}: not a finite number", repr(value))
    assert list(out.iterdir()) == []


def test_item11_what_nlen_writes_is_strict_json(work, tmp_path, capsys):
    """#22 item 11: unit manifests, the merged manifest and rejects, and a JSONL export
    parse as strict JSON."""
    assert main(["merge", str(work)]) == 0
    assert main(["export", str(work), "--format", "jsonl", "--out", str(tmp_path / "x.jsonl")]) == 0
    capsys.readouterr()
    for path in [*work.glob("*.json"), *work.glob("*.jsonl"), tmp_path / "x.jsonl"]:
        text = path.read_text(encoding="utf-8")
        for part in text.split("\n") if path.suffix == ".jsonl" else [text]:
            if part.strip():
                strict_json(part)
    rows = [strict_json(x) for x in (tmp_path / "x.jsonl").read_text(encoding="utf-8").split("\n") if x]
    assert rows and all(isinstance(r["score"], float) for r in rows)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_item11_a_manifest_with_a_non_finite_number_is_refused(constant, work, tmp_path, capsys):
    """#22 item 11: bare NaN/Infinity in a unit manifest (as older runs copied from extra
    fields) is not JSON, and is never copied into the merged manifest."""
    manifest = first_manifest(work)
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text('{"x": ' + constant + "," + text[1:], encoding="utf-8")
    refused(["merge", str(work)], tmp_path, capsys, str(manifest), "damaged unit manifest", "not valid JSON")
    assert not (work / "corpus.json").exists()


def test_item11_the_jsonl_exporter_refuses_a_non_finite_score(tmp_path):
    """#22 item 11: a row that did not come through read_tsv (the library API) with a NaN
    score is an error naming the bead, not `Infinity` in the file; nothing is written."""
    from pipeline.corpus.export import get_exporter
    from pipeline.errors import UserError
    from pipeline.types import AlignedRow

    rows = [AlignedRow("Dag.", "Bye.", "d", 0, (4,), (4,), float("nan"), False)]
    with pytest.raises(UserError, match=r"^bead d:4:4: its score is nan"):
        get_exporter("jsonl").write(rows, tmp_path / "x.jsonl")
    assert list(tmp_path.iterdir()) == []


# --- item 13: rejected lines with Unicode line breaks ------------------------------------
def test_item13_rejects_with_u2028_and_u0085_go_through_merge(translated, work, capsys):
    """#22 item 13: the rejects are split on LF only, so both raw separators survive merge."""
    assert main(["merge", str(work)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    raw = (work / "corpus.rejects.jsonl").read_bytes()
    assert "\u2028".encode() in raw and "\x85".encode() in raw  # written as is, not escaped
    merged = [json.loads(x) for x in raw.decode("utf-8").split("\n") if x]
    assert [r["raw"] for r in merged] == ODD_REJECTS
    assert [r["line"] for r in merged] == [5, 6]
    assert {r["input"] for r in merged} == {str(translated.parent / "d.jsonl")}
    assert json.loads((work / "corpus.json").read_text(encoding="utf-8"))["rejects"] == 2


def test_item13_a_damaged_rejects_line_is_one_line_naming_it(work, tmp_path, capsys):
    """#22 item 13: a rejects file edited into something that is not JSON (its SHA-256 edited
    to match) names the file and line."""
    rejects = next(work.glob("*.rejects.jsonl"))
    rejects.write_bytes(rejects.read_bytes() + b"{oops\n")
    sha = hashlib.sha256(rejects.read_bytes()).hexdigest()
    manifest = next(p for p in work.glob("d-*.json") if json.loads(p.read_text())["output"]["rejects"])
    edit_manifest(manifest, lambda m: m["output"]["rejects"].update(sha256=sha))
    refused(["merge", str(work)], tmp_path, capsys, f"{rejects}:3: not a JSON object")


# --- item 14: malformed manifests ---------------------------------------------------------
MALFORMED = {
    "shard is a string": (lambda m: m["input"].update(shard="x"), "input.shard"),
    "shard is true": (lambda m: m["input"].update(shard=True), "input.shard"),
    "tsv and sha256 removed": (lambda m: [m["output"].pop("tsv"), m["output"].pop("sha256")], "output.tsv is missing"),
    "sha256 removed": (lambda m: m["output"].pop("sha256"), "output.sha256 is missing"),
    "tsv is 5": (lambda m: m["output"].update(tsv=5), "output.tsv must be a file name"),
    "tsv is empty": (lambda m: m["output"].update(tsv=""), "output.tsv must be a file name"),
    "rows is text": (lambda m: m["output"].update(rows="9"), "output.rows"),
    "rejects is text": (lambda m: m["output"].update(rejects="x"), "output.rejects"),
    "input is a list": (lambda m: m.update(input=[1]), "input must be a JSON object"),
    "documents is null": (lambda m: m.update(documents=None), "documents must be a list"),
    "input path is 5": (lambda m: m["input"].update(path=5), "input.path"),
    "final is text": (lambda m: m["input"].update(final="yes"), "input.final"),
    "output is 5": (lambda m: m.update(output=5), "output must be a JSON object"),
    "config is 5": (lambda m: m.update(config=5), "config must be"),
    "counts hold text": (lambda m: m["counts"].update(beads="many"), "counts"),
    "documents is a number": (lambda m: m.update(documents=3), "documents must be a list"),
    "model is a list": (lambda m: m.update(model=[1]), "model must be"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_item14_a_malformed_manifest_is_one_line_naming_it(case, work, tmp_path, capsys):
    """#22 item 14: wrong types or missing fields anywhere merge reads are one line, exit 2."""
    change, problem = MALFORMED[case]
    manifest = first_manifest(work)
    edit_manifest(manifest, change)
    line = refused(["merge", str(work)], tmp_path, capsys, str(manifest), problem)
    assert "remove it and rerun the same nlen translate command" in line


@pytest.mark.parametrize("depth", [40, 100_000])
def test_item14_a_deeply_nested_manifest_is_one_line(depth, work, tmp_path, capsys):
    """#22 item 14 (and 12's manifest side): nesting past what nlen writes is refused before
    anything recurses into it, also past Python's recursion limit."""
    manifest = first_manifest(work)
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text('{"deep": ' + "[" * depth + "]" * depth + "," + text[1:], encoding="utf-8")
    refused(["merge", str(work)], tmp_path, capsys, str(manifest), "damaged unit manifest", "nested")


@pytest.mark.parametrize("command", ["export", "review"])
def test_item14_export_and_review_check_manifests_too(command, work, tmp_path, capsys):
    """#22 item 14: the same check where export and review read an out-dir."""
    manifest = first_manifest(work)
    edit_manifest(manifest, lambda m: m["output"].update(tsv=5))
    refused(COMMANDS[command](work, tmp_path), tmp_path, capsys, str(manifest), "output.tsv")


def test_item14_a_truncated_manifest_is_not_silently_left_out(work, tmp_path, capsys):
    """#22 item 14: a manifest that no longer parses, beside its TSV, is named (its unit's rows
    would otherwise be missing from the merge)."""
    manifest = first_manifest(work)
    manifest.write_bytes(manifest.read_bytes()[:100])
    refused(["merge", str(work)], tmp_path, capsys, str(manifest), "damaged unit manifest")


def test_item14_a_copied_manifest_would_merge_rows_twice(work, tmp_path, capsys):
    """#22 item 14: two manifests of one shard (a copy) are refused, naming the copy."""
    copy = work / "zz-copy.json"
    shutil.copy(first_manifest(work), copy)
    refused(["merge", str(work)], tmp_path, capsys, str(copy), "names the same", first_manifest(work).name)


@pytest.mark.usefixtures("lookup_backends")
def test_item14_translate_redoes_an_edited_unit_then_merge_works(translated, tmp_path, capsys):
    """#22 item 14: after `"output": 5` (which made resuming fail with a traceback) and a
    `"shard": "x"`, the same translate command redoes those units; merge then succeeds."""
    src = tmp_path / "d.jsonl"
    shutil.copy(translated.parent / "d.jsonl", src)
    out = tmp_path / "o"
    assert translate(str(src), "--out-dir", str(out), "--shard-size", "3") == 0
    units = sorted(out.glob("d-*.json"))
    good = {p.name: p.read_bytes() for p in out.glob("*.tsv")}
    edit_manifest(units[0], lambda m: m.update(output=5))
    edit_manifest(units[1], lambda m: m["input"].update(shard="x"))
    capsys.readouterr()
    assert translate(str(src), "--out-dir", str(out), "--shard-size", "3") == 0
    assert "Traceback" not in capsys.readouterr().err
    assert main(["merge", str(out)]) == 0
    assert {p.name: p.read_bytes() for p in out.glob("d-*.tsv")} == good
    assert json.loads((out / "corpus.json").read_text(encoding="utf-8"))["documents"] == 4


# --- item 21: a failed XCES export leaves nothing -------------------------------------------
def _xces_tsv(path: Path, docs: list[str]) -> Path:
    rows = [f"{NEWS_NL[0][0]}\tHello.\t{d}\t0\t0\t0\t0.9000\t0\t\t\tp" for d in docs]
    path.write_text("\t".join(COLUMNS) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("existing", [False, True], ids=["new folder", "over an earlier export"])
def test_item21_an_xces_export_that_fails_on_a_long_id_leaves_nothing(existing, tmp_path, capsys):
    """#22 item 21: documents before the one whose name is too long for a file are not left
    behind; an earlier export in the folder stays as it was."""
    long_name = "x" * 300
    tsv = _xces_tsv(tmp_path / "c.tsv", ["a", "b", long_name, "c"])
    out = tmp_path / "sub" / "xces"
    if existing:
        assert (
            main(["export", str(_xces_tsv(tmp_path / "old.tsv", ["old"])), "--format", "xces", "--out", str(out)]) == 0
        )
        assert sorted(p.name for p in (out / "nl").iterdir()) == ["old.xml.gz"]
    line = refused(["export", str(tsv), "--format", "xces", "--out", str(out)], tmp_path, capsys, "File name too long")
    assert f"{out}/nl/{long_name}.xml.gz" in line and ".nlen-xces" not in line
    if not existing:
        assert not (tmp_path / "sub").exists()


def test_item21_a_document_split_in_two_leaves_nothing(tmp_path, capsys):
    """#22 item 21: an error found late (a document that comes back) leaves nothing either."""
    tsv = _xces_tsv(tmp_path / "c.tsv", ["a", "b", "a"])
    out = tmp_path / "xces"
    refused(["export", str(tsv), "--format", "xces", "--out", str(out)], tmp_path, capsys, "'a' appears twice")
    assert not out.exists()


def test_item21_a_good_xces_export_is_moved_into_place_whole(tmp_path, capsys):
    """#22 item 21: the staged export lands whole (also into an existing folder), with the
    folder's usual permissions and no staging folder left."""
    out = tmp_path / "xces"
    for docs in (["a", "b"], ["b", "c"]):
        assert main(["export", str(_xces_tsv(tmp_path / "c.tsv", docs)), "--format", "xces", "--out", str(out)]) == 0
    capsys.readouterr()
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [
        "en",
        "en/a.xml.gz",
        "en/b.xml.gz",
        "en/c.xml.gz",
        "nl",
        "nl-en.xml.gz",
        "nl/a.xml.gz",
        "nl/b.xml.gz",
        "nl/c.xml.gz",
    ]
    links = gzip.decompress((out / "nl-en.xml.gz").read_bytes()).decode("utf-8")
    assert 'fromDoc="nl/b.xml.gz"' in links and 'fromDoc="nl/c.xml.gz"' in links and "nl/a.xml" not in links
    (tmp_path / "made").mkdir()  # a folder as the umask makes it
    assert out.stat().st_mode & 0o777 == (tmp_path / "made").stat().st_mode & 0o777
    assert not [p for p in tmp_path.rglob(".*")]
