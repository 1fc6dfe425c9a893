"""`nlen align` and `nlen align-eval`: formats, bad input, start-up cost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]

NL = "Dit is de eerste zin.\nHier komt de tweede zin, die wat langer is.\n\nEen nieuw blok begint hier.\nEn het eindigt hier!\n"
EN = "This is the first sentence.\nHere comes the second sentence, which is somewhat longer.\n\nA new block starts here.\nAnd it ends here!\n"


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run_cli(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def ladder_ids(out: str):
    beads = []
    for line in out.splitlines():
        s, t, score = line.split(":")
        ids = lambda x: [int(v) for v in x.strip("[]").split(",") if v.strip()]  # noqa: E731
        beads.append((ids(s), ids(t), float(score)))
    return beads


def test_ladder_output(tmp_path, capsys):
    code, out, _ = run_cli(["align", write(tmp_path, "a.nl", NL), write(tmp_path, "a.en", EN)], capsys)
    assert code == 0
    assert out.splitlines()[0].startswith("[0]:[0]:")
    assert [b[:2] for b in ladder_ids(out)] == [([0], [0]), ([1], [1]), ([2], [2]), ([3], [3])]


def test_tsv_output(tmp_path, capsys):
    code, out, _ = run_cli(
        ["align", write(tmp_path, "art.nl", NL), write(tmp_path, "art.en", EN), "--format", "tsv"], capsys
    )
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows[0] == ["nl", "en", "doc", "paragraph", "nl_ids", "en_ids", "score"]
    assert rows[3][:6] == ["Een nieuw blok begint hier.", "A new block starts here.", "art", "1", "2", "2"]
    assert all(len(r) == 7 for r in rows)


def test_mt_and_method_and_max_size(tmp_path, capsys):
    mt = write(tmp_path, "a.mt", EN)
    for method in ("galechurch", "nlen"):
        code, out, _ = run_cli(
            ["align", write(tmp_path, "a.nl", NL), write(tmp_path, "a.en", EN), "--mt", mt, "--method", method,
             "--max-size", "2"],
            capsys,
        )
        assert code == 0 and len(out.splitlines()) == 4


def test_stdin_source(tmp_path, capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(NL.encode("utf-8"))))
    code, out, _ = run_cli(["align", "-", write(tmp_path, "a.en", EN)], capsys)
    assert code == 0 and len(out.splitlines()) == 4


def test_block_counts_differ(tmp_path, capsys):
    code, _, err = run_cli(["align", write(tmp_path, "a.nl", NL), write(tmp_path, "a.en", "One.\nTwo.\n")], capsys)
    assert code == 2
    assert "2 blocks" in err and "1 blocks" in err and err.count("\n") == 1


def test_only_empty_lines(tmp_path, capsys, caplog):
    src, tgt = write(tmp_path, "e.nl", "\n\n\n"), write(tmp_path, "e.en", "\n")
    code, out, err = run_cli(["align", src, tgt], capsys)
    assert code == 0 and out == "" and "nothing to align" in caplog.text
    code, out, _ = run_cli(["align", src, tgt, "--format", "tsv"], capsys)
    assert code == 0 and out.splitlines() == ["nl\ten\tdoc\tparagraph\tnl_ids\ten_ids\tscore"]
    code, _, err = run_cli(["align", src, write(tmp_path, "x.en", "One.\n")], capsys)
    assert code == 2 and "0 blocks" in err


def test_block_with_one_empty_side_is_all_1_0(capsys, tmp_path):
    # A block cannot be empty in a file, so this goes through the function.
    from pipeline.align import align_blocks

    pairs = align_blocks([["A.", "B."], ["C."]], [[], ["Cee."]])
    assert [(k, b.kind) for k, b in pairs] == [(0, "1-0"), (0, "1-0"), (1, "1-1")]
    assert [b.src for _, b in pairs] == [(0,), (1,), (2,)]


def test_large_single_block_aligns_every_line(tmp_path, capsys):
    """Its time is measured by bench/align_timings.py (eval/reports/align-timings.md), not here."""
    nl = "\n".join(f"Zin {i} van het grote blok met wat woorden." for i in range(20000)) + "\n"
    en = "\n".join(f"Sentence {i} of the big block with some words." for i in range(20000)) + "\n"
    code, out, _ = run_cli(["align", write(tmp_path, "big.nl", nl), write(tmp_path, "big.en", en)], capsys)
    assert code == 0
    assert len(out.splitlines()) == 20000 and out.splitlines()[-1].startswith("[19999]:[19999]")


def test_punctuation_only_lines(tmp_path, capsys):
    nl = "...\n!!!\n\"\n-\n?\n"
    en = "...\n!!!\n—\n?\n"
    code, out, _ = run_cli(["align", write(tmp_path, "p.nl", nl), write(tmp_path, "p.en", en), "--mt",
                            write(tmp_path, "p.mt", nl)], capsys)
    assert code == 0
    beads = ladder_ids(out)
    assert [i for s, _, _ in beads for i in s] == list(range(5))
    assert [j for _, t, _ in beads for j in t] == list(range(4))
    assert all(0 <= sc <= 1 for _, _, sc in beads)


def test_mt_line_count_differs(tmp_path, capsys):
    mt = write(tmp_path, "a.mt", "Only one line.\n")
    code, _, err = run_cli(["align", write(tmp_path, "a.nl", NL), write(tmp_path, "a.en", EN), "--mt", mt], capsys)
    assert code == 2
    assert "has 1 lines" in err and "has 5 lines" in err and err.count("\n") == 1


def test_mt_without_empty_lines_is_accepted(tmp_path, capsys):
    mt = write(tmp_path, "a.mt", "".join(line + "\n" for line in EN.splitlines() if line))
    code, out, _ = run_cli(["align", write(tmp_path, "a.nl", NL), write(tmp_path, "a.en", EN), "--mt", mt], capsys)
    assert code == 0 and len(out.splitlines()) == 4


def test_unknown_method_and_bad_size(tmp_path, capsys):
    args = ["align", write(tmp_path, "a.nl", NL), write(tmp_path, "a.en", EN)]
    code, _, err = run_cli(args + ["--method", "nope"], capsys)
    assert code == 2 and "unknown alignment method" in err
    with pytest.raises(SystemExit) as exc:  # refused by argparse: 1 to 16 (#22 item 16)
        run_cli(args + ["--max-size", "0"], capsys)
    assert exc.value.code == 2 and "from 1 to 16, got 0" in capsys.readouterr().err


def test_missing_file_and_bad_utf8(tmp_path, capsys):
    code, _, err = run_cli(["align", str(tmp_path / "missing.nl"), write(tmp_path, "a.en", EN)], capsys)
    assert code == 2 and "missing.nl" in err
    bad = tmp_path / "bad.nl"
    bad.write_bytes(b"ok\n\xff\xfe broken\n")
    code, _, err = run_cli(["align", str(bad), write(tmp_path, "a.en", EN)], capsys)
    assert code == 2 and "byte offset 3" in err


def test_align_eval_table_and_json(tmp_path, capsys):
    gold = write(tmp_path, "g", "[0]:[0]\n[1, 2]:[1]\n[3]:[]\n[4]:[2]\n")
    test = write(tmp_path, "t", "[0]:[0]:0.9\n[1]:[1]:0.5\n[2]:[]:0.1\n[3]:[]\n[4]:[2]:1.0\n")
    code, out, _ = run_cli(["align-eval", gold, test, "--json"], capsys)
    res = json.loads(out)
    # precision: 5 test beads, strict hits [0]:[0], [3]:[], [4]:[2]; lax adds [1]:[1]
    assert res["precision_strict"] == pytest.approx(3 / 5) and res["precision_lax"] == pytest.approx(4 / 5)
    # recall over non-null gold beads (3): strict [0]:[0], [4]:[2]; lax also [1, 2]:[1]
    assert res["recall_strict"] == pytest.approx(2 / 3) and res["recall_lax"] == pytest.approx(1.0)
    code, out, _ = run_cli(["align-eval", gold, test], capsys)
    assert code == 0 and "F1" in out and "strict" in out
    code, _, err = run_cli(["align-eval", gold, write(tmp_path, "x", "garbage\n")], capsys)
    assert code == 2 and "line 1" in err


def test_align_does_not_import_torch(tmp_path):
    """Start-up time is measured by bench/align_timings.py (eval/reports/align-timings.md), not here."""
    src, tgt = write(tmp_path, "a.nl", NL), write(tmp_path, "a.en", EN)
    code = (
        "import sys\n"
        "from pipeline.cli import main\n"
        f"rc = main(['align', {src!r}, {tgt!r}, '--format', 'tsv'])\n"
        "heavy = [m for m in ('torch', 'transformers', 'ctranslate2') if m in sys.modules]\n"
        "print('RESULT', rc, heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    line = [x for x in proc.stderr.splitlines() if x.startswith("RESULT")][0]
    assert line.split()[1] == "0"
    assert "[]" in line, line


def test_mt_model_translates_src_as_mt_file_would(tmp_path, capsys, tiny_marian):
    """`--mt-model` translates SRC sentence by sentence (Bleualign-style) and aligns
    with that MT: the same ladder as `--mt` with the model's own translations."""
    from pipeline.textio import read_blocks
    from pipeline.translate import GenerationSettings, open_translator

    src, tgt = write(tmp_path, "a.nl", NL), write(tmp_path, "a.en", EN)
    sentences = [s for b in read_blocks(NL) for s in b]
    with open_translator("transformers", str(tiny_marian), GenerationSettings()) as tr:
        mt = tr.translate(sentences)
    mt_file = write(tmp_path, "a.mt", "\n".join(mt) + "\n")
    code, with_file, _ = run_cli(["align", src, tgt, "--mt", mt_file], capsys)
    assert code == 0
    code, with_model, _ = run_cli(["align", src, tgt, "--mt-model", str(tiny_marian), "--backend", "transformers",
                                   "--no-cache"], capsys)
    assert code == 0 and with_model == with_file
    code, _, err = run_cli(["align", src, tgt, "--mt", mt_file, "--mt-model", str(tiny_marian)], capsys)
    assert code == 2 and "not both" in err


def test_dictionary_supplies_the_lexical_evidence(tmp_path, capsys):
    # "de koe eet gras." has no translation; Dutch and English share no word here, so
    # without the dictionary the aligner can only guess which sentence that is (beads of
    # one sentence a side, so that a merge is no way out).
    nl = "de hond eet een bot.\nde kat eet vis.\nde hond wil melk.\nde koe eet gras.\nde poes wil vis.\n"
    en = "the dog eats a bone.\nthe cat eats fish.\nthe dog wants milk.\nthe cat wants fish.\n"
    words = "hond\tdog\nbot\tbone\nkoe\tcow\ngras\tgrass\npoes\tcat\nkat\tcat\nwil\twants\nvis\tfish\neet\teats\nmelk\tmilk\n"
    src, tgt = write(tmp_path, "d.nl", nl), write(tmp_path, "d.en", en)
    want = [([0], [0]), ([1], [1]), ([2], [2]), ([3], []), ([4], [3])]
    code, out, _ = run_cli(["align", src, tgt, "--max-size", "1", "--dictionary", write(tmp_path, "d.tsv", words)], capsys)
    assert code == 0 and [b[:2] for b in ladder_ids(out)] == want
    code, out, _ = run_cli(["align", src, tgt, "--max-size", "1"], capsys)
    assert code == 0 and [b[:2] for b in ladder_ids(out)] != want
    code, _, err = run_cli(["align", src, tgt, "--dictionary", write(tmp_path, "bad.tsv", "hond dog\n")], capsys)
    assert code == 2 and "line 1" in err and "Traceback" not in err
    code, _, err = run_cli(["align", src, tgt, "--method", "galechurch", "--dictionary", write(tmp_path, "d2.tsv", words)],
                           capsys)
    assert code == 2 and "does not take --dictionary" in err
