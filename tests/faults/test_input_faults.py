"""Fault injection: bad input names, kinds and encodings; bad ladders and MT files;
options after inputs (issue 13, items 9, 11, 14, 15).

Every case asserts the exit code, that no traceback is printed, the one-line
message, and that nothing was lost or half-written. Only the test that needs a
translation loads the tiny model from tests/conftest.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from support import cli, files_in, one_error

from pipeline.cli import build_parser, main

GOOD = "Dit is de eerste zin. Hier komt de tweede.\n\nEen nieuw blok begint hier.\n"



# -- translate: what an INPUT is (items 9 and 11) ------------------------------------------------

def bad_inputs(tmp: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """name → (argument, parts of its one-line message)."""
    (tmp / "loop.txt").symlink_to("loop.txt")
    (tmp / "broken.txt").symlink_to("nowhere.txt")
    os.mkfifo(tmp / "fifo.txt")
    (tmp / "u16.txt").write_bytes(GOOD.encode("utf-16"))  # with a byte-order mark
    (tmp / "u16be.txt").write_bytes(GOOD.encode("utf-16-be"))  # without one: valid UTF-8 full of NULs
    (tmp / "u32.txt").write_bytes(GOOD.encode("utf-32"))
    (tmp / "latin1.txt").write_bytes("Het café in België.\n".encode("cp1252"))
    (tmp / "gz.txt").write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff")
    return {
        "empty": ("", ("''", "empty string")),
        "loop": (str(tmp / "loop.txt"), ("loop.txt: symbolic link loop",)),
        "broken": (str(tmp / "broken.txt"), ("broken.txt: broken symbolic link", "nowhere.txt")),
        "fifo": (str(tmp / "fifo.txt"), ("fifo.txt: is a named pipe (FIFO)", "nlen translate -")),
        "u16": (str(tmp / "u16.txt"), ("u16.txt: UTF-16 text (little-endian, with a byte-order mark)", "iconv -f UTF-16 -t UTF-8")),
        "u16be": (str(tmp / "u16be.txt"), ("u16be.txt: probably UTF-16BE text without a byte-order mark", "iconv -f UTF-16BE")),
        "u32": (str(tmp / "u32.txt"), ("u32.txt: UTF-32 text", "iconv -f UTF-32 -t UTF-8")),
        "latin1": (str(tmp / "latin1.txt"), ("latin1.txt: not valid UTF-8: byte 0xe9 at byte offset 7 (line 1)", "WINDOWS-1252")),
        "gz": (str(tmp / "gz.txt"), ("gz.txt: gzip-compressed",)),
    }


def test_bad_inputs_say_what_they_are_and_write_nothing(tmp_path, capsys):
    """No model is loaded: nothing can be translated, so the run stops before it."""
    out = tmp_path / "out"
    for name, (arg, parts) in bad_inputs(tmp_path).items():
        code, stdout, err = cli(["translate", arg, "--out-dir", str(out), "--model", str(tmp_path / "no-model")], capsys)
        assert code == 2, name
        one_error(err, *parts)
        assert stdout == "" and files_in(out) == [], name


def test_stdin_and_good_files_go_through_beside_bad_ones(tiny_marian, tmp_path, capsys, caplog, monkeypatch):
    """`-` is a document named `stdin`; the bad inputs are reported one line each; the good
    ones are translated completely; a rerun finds both up to date."""
    from support import check_corpus

    bad = bad_inputs(tmp_path)
    good = tmp_path / "goed.txt"
    good.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    argv = ["translate", *(arg for arg, _ in bad.values()), "-", str(good), "--out-dir", str(out),
            "--model", str(tiny_marian), "--no-cache", "--no-progress", "--max-new-tokens", "16"]
    code, _, err = cli(argv, capsys, stdin=GOOD.encode(), monkeypatch=monkeypatch)
    assert code == 2
    assert len([line for line in err if line.startswith("nlen: error:")]) == len(bad)
    assert files_in(out) == ["goed.json", "goed.tsv", "stdin.json", "stdin.tsv"]  # no temporary left
    check_corpus(out / "goed.tsv", good)
    assert (out / "stdin.tsv").read_text(encoding="utf-8").replace("\tstdin\t", "\tgoed\t") == \
        (out / "goed.tsv").read_text(encoding="utf-8")
    # same stdin again: up to date, nothing redone
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    code, _, err = cli(argv[:1] + ["-"] + argv[len(bad) + 2:], capsys, stdin=GOOD.encode(), monkeypatch=monkeypatch)
    assert code == 0 and "-: up to date" in caplog.text
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


def test_folder_entries_that_are_not_files_are_named_when_skipped(tmp_path, caplog):
    from pipeline.document.inputs import find_inputs

    bad_inputs(tmp_path)  # loop.txt, broken.txt, fifo.txt among readable ones
    (tmp_path / "sub.txt").mkdir()  # a folder named like a text file is not an input
    found = {p.name for p in find_inputs([str(tmp_path)])}
    assert found == {"u16.txt", "u16be.txt", "u32.txt", "latin1.txt", "gz.txt"}  # read later, reported one by one
    for name, what in (("loop.txt", "symbolic link loop"), ("broken.txt", "broken symbolic link"), ("fifo.txt", "named pipe")):
        assert f"{tmp_path / name}: skipped: " in caplog.text and what in caplog.text


def test_conversion_hint_never_adds_a_line_break():
    from pipeline.errors import InputError
    from pipeline.textio import decode

    with pytest.raises(InputError) as exc:
        decode(GOOD.encode("utf-16"), "two\nlines.txt")
    assert exc.value.problem.endswith("iconv -f UTF-16 -t UTF-8 FILE > NEW.txt")


def test_a_file_named_dash_is_not_stdin(tmp_path, monkeypatch):
    from pipeline.document.inputs import find_inputs, read_document

    monkeypatch.chdir(tmp_path)
    Path("-").write_text(GOOD, encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", None)  # reading stdin would fail
    [path] = find_inputs(["./-"])
    doc = read_document(path)
    assert doc.name == "-" and doc.paragraphs[0].text.startswith("Dit is de eerste zin.")


def test_stdin_twice_and_bad_out_dir_are_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(["translate", "-", "-", "--out-dir", "out"], capsys, stdin=GOOD.encode(), monkeypatch=monkeypatch)
    assert code == 2
    one_error(err, "'-' (stdin) can be given only once")
    for out_dir in ("", "-"):
        with pytest.raises(SystemExit) as exc:
            main(["translate", "x.txt", "--out-dir", out_dir])
        assert exc.value.code == 2
        assert f"argument --out-dir: {out_dir!r} is not a folder name" in capsys.readouterr().err
    assert files_in(tmp_path) == []


def test_model_that_is_a_file_is_named_so(tmp_path, capsys):
    good = tmp_path / "goed.txt"
    good.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = cli(["translate", str(good), "--out-dir", str(out), "--model", str(good), "--no-cache"], capsys)
    assert code == 2
    one_error(err, f"cannot load model {str(good)!r}: a file, not a model folder")
    assert files_in(out) == []


# -- options after inputs (item 15) -------------------------------------------------------------

def test_options_may_come_after_and_between_inputs(tmp_path, capsys):
    args = build_parser().parse_args(["translate", "a.txt", "--force", "b.txt", "--num-beams", "2", "c", "-v"])
    assert args.inputs == ["a.txt", "b.txt", "c"] and args.force and args.num_beams == 2 and args.verbose
    src = tmp_path / "a.nl"
    src.write_text("Een.\nTwee.\n", encoding="utf-8")
    code, out, _ = cli(["align", str(src), "--format", "tsv", str(src)], capsys)
    assert code == 0 and out.startswith("nl\ten\t") and len(out.splitlines()) == 3
    # after `--` everything is an input, even a name starting with '-'
    args = build_parser().parse_args(["translate", "--force", "a.txt", "--", "-b.txt", "--c.txt"])
    assert args.inputs == ["a.txt", "-b.txt", "--c.txt"] and args.force
    with pytest.raises(SystemExit) as exc:
        main(["translate", "a.txt", "--forse", "b.txt"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage: nlen translate" in err and "nlen translate: error: unrecognized arguments: --forse" in err


# -- align-eval and align --mt (item 14) --------------------------------------------------------

GOLD = "[0]:[0]\n[1, 2]:[1]\n[3]:[]\n"


@pytest.mark.parametrize("name, test, message", [
    ("empty", "", "TEST holds no beads"),
    ("comments-only", "# nothing\n\n", "TEST holds no beads"),
    ("duplicate-source", "[0]:[0]\n[1]:[1]\n[1]:[2]\n", "line 3: source sentence 1 is already in the bead on line 2"),
    ("duplicate-target", "[0]:[0]\n[1, 2]:[0]\n", "line 2: target sentence 0 is already in the bead on line 1"),
    ("twice-in-a-bead", "[0, 0]:[0]\n", "line 1: source sentence 0 is twice in this bead"),
    ("empty-bead", "[0]:[0]\n[]:[]:0.5\n", "line 2: empty bead '[]:[]'"),
    ("nan", "[0]:[0]:nan\n", "line 1: the score 'nan' is not a finite number"),
    ("inf", "[0]:[0]:0.5\n[1]:[1]:inf\n", "line 2: the score 'inf' is not a finite number"),
    ("not-a-number", "[0]:[0]:1.2.3\n", "line 1: the score '1.2.3' is not a finite number"),
])
def test_align_eval_refuses_bad_ladders(tmp_path, capsys, name, test, message):
    gold, bad = tmp_path / "gold", tmp_path / name
    gold.write_text(GOLD, encoding="utf-8")
    bad.write_text(test, encoding="utf-8")
    for argv in (["align-eval", str(gold), str(bad)], ["align-eval", str(bad), str(gold)]):
        code, out, err = cli(argv, capsys)
        assert code == 2 and out == ""
        one_error(err, f"{bad}: ", message.replace("TEST", "GOLD") if argv[2] == str(gold) else message)


def test_align_mt_blank_lines_in_other_places(tmp_path, capsys, caplog):
    src, tgt, mt = tmp_path / "s", tmp_path / "t", tmp_path / "mt"
    src.write_text("Een.\nTwee.\n\nDrie.\n", encoding="utf-8")
    tgt.write_text("One.\nTwo.\n\nThree.\n", encoding="utf-8")
    mt.write_text("One.\n\nTwo.\nThree.\n", encoding="utf-8")  # right line count, block break moved
    code, out, err = cli(["align", str(src), str(tgt), "--mt", str(mt)], capsys)
    assert code == 2 and out == ""
    one_error(err, f"MT {mt} line 3 has text where SRC {src} has an empty line")
    mt.write_text("One.\n\n\nThree.\n", encoding="utf-8")  # an empty translation: aligned, with a warning
    code, out, err = cli(["align", str(src), str(tgt), "--mt", str(mt)], capsys)
    assert code == 0 and len(out.splitlines()) == 3
    assert "empty for 1 SRC sentence(s) (the first on SRC line 2)" in caplog.text


# -- one real process: the messages above reach stderr as one line, with no traceback ------------

def test_subprocess_stdin_utf16_is_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pipeline", "translate", "-", "--out-dir", str(tmp_path / "out")],
                          input=GOOD.encode("utf-16"), capture_output=True, cwd=ROOT, timeout=120)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and "Traceback" not in err
    assert err.strip().splitlines() == [
        "nlen: error: -: UTF-16 text (little-endian, with a byte-order mark), not UTF-8; "
        "pipe it through iconv -f UTF-16 -t UTF-8 first"]
    assert not (tmp_path / "out").exists()
