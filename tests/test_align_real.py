"""The aligner on real gold (eval/align/textberg-dev: German–French, real MT): strict F1
may not fall more than one point below the figures recorded in eval/align/results.json
(written by eval/align/evaluate.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "eval" / "align"))

import evaluate  # noqa: E402

from pipeline.align import get_aligner  # noqa: E402
from pipeline.align.ladder import score  # noqa: E402

RECORDED = json.loads((ROOT / "eval" / "align" / "results.json").read_text(encoding="utf-8"))["textberg-dev"]


@pytest.fixture(scope="module")
def textberg():
    return evaluate.load_textberg()


@pytest.mark.parametrize("mt", ["google", "europarlfull", "europarllight", "none"])
def test_strict_f1_holds_on_real_gold(textberg, mt):
    de, fr, mts, gold = textberg
    beads = get_aligner("nlen").align(de, fr, None if mt == "none" else mts[mt])
    f1 = score(gold, beads)["f1_strict"]
    assert f1 >= RECORDED["f1_strict"][f"nlen/{mt}"] - 0.01, f1


def test_ece_on_real_gold_does_not_regress_in_sample(textberg):
    """An in-sample regression guard: the ECE of results.md (weak-MT and no-MT runs, the
    hardest) may not rise by more than 0.01. Out-of-sample calibration is measured by
    eval/align/evaluate.py --fit-calibration, not here."""
    de, fr, mts, gold = textberg
    for mt in ("europarllight", None):
        beads = get_aligner("nlen").align(de, fr, mts[mt] if mt else None)
        import numpy as np

        _, ece = evaluate.reliability(np.array([b.score for b in beads]), evaluate.correct(beads, gold))
        assert ece <= RECORDED["ece"][mt or "none"] + 0.01, (mt, ece)
