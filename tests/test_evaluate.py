"""`nlen eval` and the scoring in pipeline/evaluation/ (sets, hypotheses, score, report).

Scores are checked against sacrebleu's own command line on fixed strings: the
same numbers, the same signatures and the same bootstrap confidence intervals.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_nlen
from support import HEADER, reference_tsv

from pipeline.errors import UserError
from pipeline.evaluation.hypotheses import read_tsv_paragraphs
from pipeline.evaluation.report import model_slug
from pipeline.evaluation.score import corpus_scores, sentence_pairs, sentence_summary
from pipeline.evaluation.sets import load_reference, parse_gold

HYPS = [
    "The cat is sitting on the mat.",
    "It was a sunny day in Amsterdam on 3 May 2023.",
    '"We shall see", he said.',
    "Prices went up 3.5 percent to 1,000 dollars.",
    "The Dutch cabinet led by Prime Minister Rutte resigned on Friday evening.",
]
REFS = [
    "The cat sat on the mat.",
    "It was a sunny day in Amsterdam, 3 May 2023.",
    '"We will see," he said.',
    "Prices rose by 3.5% to $1,000.",
    "The Dutch cabinet of Prime Minister Rutte resigned on Friday night.",
]


def sacrebleu_cli(tmp_path: Path, *args: str) -> list[dict]:
    (tmp_path / "ref.txt").write_text("\n".join(REFS) + "\n", encoding="utf-8")
    (tmp_path / "hyp.txt").write_text("\n".join(HYPS) + "\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "sacrebleu", str(tmp_path / "ref.txt"), "-i", str(tmp_path / "hyp.txt"),
         "-f", "json", "-w", "4", *args],
        capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin", "SACREBLEU_SEED": "12345"},
    )
    data = json.loads(out.stdout)
    return data if isinstance(data, list) else [data]


def test_scores_match_sacrebleu_command_line(tmp_path):
    ours = corpus_scores(HYPS, REFS, n_bootstrap=1000, seed=12345)
    cli = sacrebleu_cli(tmp_path, "-m", "bleu", "chrf", "ter", "--confidence")
    cli += sacrebleu_cli(tmp_path, "-m", "chrf", "--chrf-word-order", "2", "--confidence")
    assert [c["name"] for c in cli] == ["BLEU", "chrF2", "TER", "chrF2++"]
    assert set(ours) == {"BLEU", "chrF2", "chrF2++", "TER"}
    plain = {c["name"]: c["signature"] for c in sacrebleu_cli(tmp_path, "-m", "bleu", "chrf", "ter")}
    plain["chrF2++"] = sacrebleu_cli(tmp_path, "-m", "chrf", "--chrf-word-order", "2")[0]["signature"]
    for c in cli:
        mine = ours[c["name"]]
        # the metric's own signature (as published scores quote it), and the bootstrap's apart
        assert mine["signature"] == plain[c["name"]] and "bs:" not in mine["signature"]
        assert mine["ci_signature"] == c["signature"]
        assert round(mine["score"], 4) == pytest.approx(c["score"], abs=1e-4)
        assert round(mine["ci"]["mean"], 4) == pytest.approx(c["confidence_mean"], abs=1e-4)
        assert round(mine["ci"]["half_width"], 4) == pytest.approx(c["confidence_var"], abs=1e-4)
    assert ours["BLEU"]["signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:")
    assert ours["BLEU"]["ci_signature"].startswith("nrefs:1|bs:1000|seed:12345|case:mixed|eff:no|tok:13a|smooth:exp|version:")
    assert "nw:2" in ours["chrF2++"]["signature"]


def test_scores_without_bootstrap_match_plain_command_line(tmp_path):
    ours = corpus_scores(HYPS, REFS, n_bootstrap=1)
    for c in sacrebleu_cli(tmp_path, "-m", "bleu", "chrf", "ter"):
        assert ours[c["name"]]["signature"] == c["signature"]
        assert round(ours[c["name"]]["score"], 4) == pytest.approx(c["score"], abs=1e-4)
        assert "ci" not in ours[c["name"]] and "ci_signature" not in ours[c["name"]]


def test_confidence_intervals_are_reproducible_and_seed_dependent():
    a = corpus_scores(HYPS, REFS, n_bootstrap=200, seed=7)
    b = corpus_scores(HYPS, REFS, n_bootstrap=200, seed=7)
    c = corpus_scores(HYPS, REFS, n_bootstrap=200, seed=8)
    assert a == b
    assert a["chrF2"]["ci"] != c["chrF2"]["ci"]
    assert a["chrF2"]["score"] == c["chrF2"]["score"]


@pytest.mark.parametrize("name", ["seed", "news"])
def test_reference_sets_load_with_gold(name):
    ref = load_reference(name)
    assert len(ref.nl) == len(ref.en) > 0
    assert ref.gold is not None
    assert [j for _, tgt in ref.gold for j in tgt] == list(range(sum(map(len, ref.en))))
    assert set(ref.files) == {"nl", "en", "gold"}


def test_perfect_hypothesis_scores_100_and_aligns_one_to_one():
    ref = load_reference("seed")
    scores = corpus_scores(ref.en_paragraphs, ref.en_paragraphs, n_bootstrap=1)
    assert scores["BLEU"]["score"] == pytest.approx(100.0)
    assert scores["chrF2"]["score"] == pytest.approx(100.0)
    assert scores["TER"]["score"] == pytest.approx(0.0)
    pairs = sentence_pairs(ref.en_paragraphs, ref)
    summary = sentence_summary(pairs)
    assert summary["mean_chrF2"] == pytest.approx(100.0)
    assert len(summary["worst"]) == 10
    assert all(p.reference for p in pairs)
    # Dutch comes through the gold alignment
    assert any("Poetin" in p.source for p in pairs)


def test_sentence_level_finds_the_damaged_sentence():
    ref = load_reference("seed")
    hyp = list(ref.en_paragraphs)
    target = ref.en[1][1]
    hyp[1] = hyp[1].replace(target, "Bananas are yellow and grow in warm countries far away.")
    worst = sentence_summary(sentence_pairs(hyp, ref))["worst"][0]
    assert worst["reference"] == target
    assert worst["paragraph"] == 1
    assert worst["chrF2"] < 30


def test_parse_gold_rejects_gaps_and_garbage(tmp_path):
    gold = tmp_path / "x.gold"
    gold.write_text("[0]:[0]\n[1, 2]:[1]\n", encoding="utf-8")
    assert parse_gold(gold, 3, 2) == [((0,), (0,)), ((1, 2), (1,))]
    with pytest.raises(UserError, match="does not cover"):
        parse_gold(gold, 4, 2)
    gold.write_text("# a comment\n[0]:[0]\n0 - 0\n", encoding="utf-8")
    with pytest.raises(UserError, match="line 3: not a ladder bead"):  # comments count in line numbers
        parse_gold(gold, 2, 2)


def test_model_slug():
    assert model_slug("Helsinki-NLP/opus-mt-nl-en") == "Helsinki-NLP--opus-mt-nl-en"
    assert model_slug(str(ROOT / "tests")) == "tests"


# --- the command, on a TSV (no model) -------------------------------------------------




def test_eval_tsv_scores_without_importing_torch(tmp_path):
    tsv = reference_tsv(tmp_path / "seed.tsv")
    report = tmp_path / "reports" / "r.json"
    code = (
        "import sys; from pipeline.cli import main; "
        f"rc = main(['eval', '--tsv', {str(tsv)!r}, '--report', {str(report)!r}, '--bootstrap', '100']); "
        "heavy = [m for m in ('torch', 'transformers') if m in sys.modules]; "
        "print('HEAVY', heavy, file=sys.stderr); sys.exit(rc)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["scores"]["BLEU"]["score"] == pytest.approx(100.0)
    assert data["scores"]["chrF2"]["ci"]["n_bootstrap"] == 100
    assert data["hypothesis"]["kind"] == "tsv" and data["hypothesis"]["paragraphs"] == 14
    assert data["reference"]["name"] == "seed"
    assert data["packages"]["sacrebleu"] and "git_commit" in data
    assert data["warnings"] == []
    assert "| BLEU | 100.00" in proc.stdout and "worst sentences by chrF" in proc.stdout


def test_eval_tsv_default_report_name_and_markdown(tmp_path):
    tsv = reference_tsv(tmp_path / "seed.tsv")
    proc = run_nlen("eval", "--tsv", str(tsv), "--reports-dir", str(tmp_path / "rep"), "--bootstrap", "50")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "rep" / "tsv-seed.json").is_file()
    assert "signature" in proc.stdout


def test_eval_paragraph_count_mismatch_is_exit_2(tmp_path):
    tsv = reference_tsv(tmp_path / "short.tsv", drop_last_paragraph=True)
    proc = run_nlen("eval", "--tsv", str(tsv), "--reports-dir", str(tmp_path))
    assert proc.returncode == 2
    assert "13 paragraphs" in proc.stderr and "14" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not list(tmp_path.glob("*.json"))


def test_eval_empty_hypothesis_is_exit_2(tmp_path):
    tsv = reference_tsv(tmp_path / "empty.tsv", empty=True)
    proc = run_nlen("eval", "--tsv", str(tsv), "--reports-dir", str(tmp_path))
    assert proc.returncode == 2 and "empty" in proc.stderr
    header_only = tmp_path / "header.tsv"
    header_only.write_text(HEADER, encoding="utf-8")
    proc = run_nlen("eval", "--tsv", str(header_only), "--reports-dir", str(tmp_path))
    assert proc.returncode == 2 and "0 paragraphs" in proc.stderr


def test_eval_missing_reference_and_tsv_are_exit_2(tmp_path):
    proc = run_nlen("eval", "--set", str(tmp_path / "nothing"), "--tsv", str(tmp_path / "x.tsv"))
    assert proc.returncode == 2 and "reference file not found" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_nlen("eval", "--tsv", str(tmp_path / "x.tsv"))
    assert proc.returncode == 2 and "corpus TSV not found" in proc.stderr


def test_read_tsv_groups_rows_by_paragraph(tmp_path):
    tsv = reference_tsv(tmp_path / "seed.tsv")
    en, nl = read_tsv_paragraphs(tsv)
    ref = load_reference("seed")
    assert en == ref.en_paragraphs and nl == ref.nl_paragraphs


# --- the command, with a tiny model ---------------------------------------------------


def nlen_in_process(capsys, *args: str) -> tuple[int, str, str]:
    """Run the CLI in this process (torch is already imported here), as `nlen ARGS`."""
    from pipeline.cli import main

    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_eval_translates_with_tiny_model(tiny_marian, tmp_path, capsys):
    rc, out, err = nlen_in_process(capsys, "eval", "--model", str(tiny_marian), "--num-beams", "1", "--max-new-tokens", "8",
                                   "--bootstrap", "100", "--reports-dir", str(tmp_path), "--no-progress")
    assert rc == 0, err
    data = json.loads((tmp_path / "tiny-marian.json").read_text(encoding="utf-8"))
    assert data["model"]["model"] == str(tiny_marian)
    assert data["model"]["family"] == "marian"
    assert data["model"]["generation"]["num_beams"] == 1
    assert "revision" in data["model"]
    assert data["model"]["backend"] == "ctranslate2" and data["model"]["compute_type"] == "int8"  # the default, on CPU
    assert "Backend ctranslate2, compute type int8, device cpu, beam 1." in out
    assert data["hypothesis"]["kind"] == "translate" and data["hypothesis"]["paragraphs"] == 14
    assert set(data["scores"]) == {"BLEU", "chrF2", "chrF2++", "TER"}
    assert data["sentence_level"]["pairs"] > 0
    assert "| chrF2 |" in out


def test_eval_model_that_fails_to_load_is_exit_2(tmp_path, capsys):
    rc, out, err = nlen_in_process(capsys, "eval", "--model", str(tmp_path / "no-such-model"), "--reports-dir", str(tmp_path),
                                   "--no-progress")
    assert rc == 2
    assert "cannot load model" in err and "Traceback" not in err
    assert not list(tmp_path.glob("*.json"))
