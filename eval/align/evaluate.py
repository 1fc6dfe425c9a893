#!/usr/bin/env python3
"""Score the aligners: real gold first (Text+Berg dev), then the synthetic regression sets.

    .venv/bin/python eval/align/evaluate.py                    # writes results.md and results.json
    .venv/bin/python eval/align/evaluate.py --stdout           # only print
    .venv/bin/python eval/align/evaluate.py --speed            # also time a 50,000-sentence block
    .venv/bin/python eval/align/evaluate.py --fit-calibration  # print the Platt constants for nlen.py

Real: eval/align/textberg-dev/ (see its README.md): one German–French document
with gold alignments and the German side machine-translated by three real MT
systems. Synthetic: eval/align/synthetic/ (make_synthetic.py; hand-written
Dutch–English text with seeded joins and drops, SIMULATED MT): regression
figures only, never quality. Scores follow vecalign's score.py
(pipeline/align/ladder.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.align import align_blocks, get_aligner  # noqa: E402
from pipeline.align.ladder import parse_ladder, score  # noqa: E402
from pipeline.evaluation.calibration import fit_logistic, reliability  # noqa: E402
from pipeline.textio import read_blocks, read_lines  # noqa: E402

TEXTBERG = HERE / "textberg-dev"
MT_SYSTEMS = ("google", "europarlfull", "europarllight")  # strong, medium, weak
BINS = 10


# -- data -------------------------------------------------------------------------------
def load_textberg():
    """German and French sentences, the three MTs of the German, and the gold beads."""
    def lines(name):
        return [x.strip() for x in (TEXTBERG / name).read_text(encoding="utf-8").split("\n")[:-1]]

    de, fr = lines("dev.de"), lines("dev.fr")
    mts = {name: lines(f"dev.mt-{name}.fr") for name in MT_SYSTEMS}
    gold = parse_ladder((TEXTBERG / "dev.defr").read_text(encoding="utf-8").splitlines(), "dev.defr")
    return de, fr, mts, gold


def load_synthetic(base: Path):
    nl = read_blocks(base.with_suffix(".nl").read_text(encoding="utf-8"))
    en = read_blocks(base.with_suffix(".en").read_text(encoding="utf-8"))
    gold = parse_ladder(base.with_suffix(".gold").read_text(encoding="utf-8").splitlines(), str(base))
    mt = None
    if base.with_suffix(".mt").exists():
        lines = [x for x in read_lines(base.with_suffix(".mt").read_text(encoding="utf-8")) if x]
        mt, k = [], 0
        for block in nl:
            mt.append(lines[k : k + len(block)])
            k += len(block)
    return nl, en, mt, gold


def synthetic_sets() -> list[tuple[str, Path]]:
    out = [(p.stem, p.with_suffix("")) for p in sorted((HERE / "synthetic").glob("*.gold"))]
    for name in ("seed", "news"):
        base = ROOT / "eval" / "reference" / name
        if base.with_suffix(".gold").exists():
            out.append((f"reference/{name}", base))
    return out


# -- calibration --------------------------------------------------------------------------
def correct(beads, gold) -> np.ndarray:
    g = {(b.src, b.tgt) for b in gold}
    return np.array([(b.src, b.tgt) in g for b in beads], dtype=float)


def fit_platt(scores: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    """(slope, shift) of sigmoid(slope * logit(p) + shift), by Newton's method on the
    (lightly regularised) log loss, each step halved until the loss goes down."""
    p = np.clip(scores, 1e-9, 1 - 1e-9)
    X = np.stack([np.log(p / (1 - p)), np.ones_like(p)], 1)
    w = fit_logistic(X, right, reg=1e-3, start=np.array([1.0, 0.0]), tol=1e-10)
    return float(w[0]), float(w[1])


# -- runs ---------------------------------------------------------------------------------
def run_real(calibrated: bool = True) -> list[dict]:
    de, fr, mts, gold = load_textberg()
    rows = []
    for method in ("galechurch", "nlen"):
        for mt_name in (*MT_SYSTEMS, None):
            if method == "galechurch" and mt_name:
                continue  # Gale-Church reads lengths only
            aligner = get_aligner(method)
            if method == "nlen" and not calibrated:
                aligner.calibrated = False
            t0 = time.perf_counter()
            beads = aligner.align(de, fr, mts[mt_name] if mt_name else None)
            res = score(gold, beads)
            res.update(set="textberg-dev", method=method, mt=mt_name or "none", seconds=time.perf_counter() - t0)
            if method == "nlen":
                res["scores"] = [b.score for b in beads]
                res["right"] = correct(beads, gold).tolist()
            rows.append(res)
    return rows


def run_synthetic() -> list[dict]:
    rows = []
    for name, base in synthetic_sets():
        nl, en, mt, gold = load_synthetic(base)
        for method in ("galechurch", "nlen"):
            for use_mt in (False, True):
                if use_mt and (mt is None or method == "galechurch"):
                    continue
                beads = [b for _, b in align_blocks(nl, en, mt if use_mt else None, method=method)]
                res = score(gold, beads)
                res.update(set=name, method=method, mt="simulated" if use_mt else "none")
                rows.append(res)
    return rows


def speed(n: int = 50_000, seed: int = 0) -> str:
    """Seconds (wall and CPU) to align one block of n random sentences per side."""
    import random

    rng = random.Random(seed)
    nl_words = "de het een gemeente woning plan bouw stad raad wethouder jaar miljoen euro bewoners park".split()
    en_words = "the a council housing plan building city alderman year million euros residents park".split()
    src, tgt = [], []
    for i in range(n):
        k = rng.randint(4, 30)
        src.append(" ".join(rng.choice(nl_words) for _ in range(k)) + f" {i}.")
        tgt.append(" ".join(rng.choice(en_words) for _ in range(k)) + f" {i}.")
    lines = [f"One block of {n:,} random sentences per side (4-30 words, numbered), on this 2-core machine:\n",
             "| method | MT | wall s | CPU s |", "|---|---|---|---|"]
    for method, mt in (("galechurch", None), ("nlen", None), ("nlen", tgt)):
        t0, c0 = time.perf_counter(), time.process_time()
        beads = get_aligner(method).align(src, tgt, mt)
        assert sum(len(b.src) for b in beads) == n
        lines.append(f"| {method} | {'yes' if mt else 'no'} | {time.perf_counter() - t0:.1f} | "
                     f"{time.process_time() - c0:.1f} |")
    return "\n".join(lines) + "\n"


# -- report -------------------------------------------------------------------------------
def f1_table(rows: list[dict]) -> str:
    out = "| set | method | MT | P strict | R strict | F1 strict | P lax | R lax | F1 lax |\n|---|---|---|---|---|---|---|---|---|\n"
    for r in rows:
        out += (f"| {r['set']} | {r['method']} | {r['mt']} | {r['precision_strict']:.3f} | {r['recall_strict']:.3f} | "
                f"**{r['f1_strict']:.3f}** | {r['precision_lax']:.3f} | {r['recall_lax']:.3f} | {r['f1_lax']:.3f} |\n")
    return out


def calibration_section(rows: list[dict]) -> tuple[str, dict]:
    out, eces = "", {}
    for r in rows:
        if "scores" not in r:
            continue
        table, ece = reliability(np.array(r["scores"]), np.array(r["right"]))
        eces[r["mt"]] = ece
        out += f"\n**nlen, MT {r['mt']}**: ECE {ece:.3f}\n\n| score bin | beads | mean score | fraction right |\n|---|---|---|---|\n"
        out += "".join(f"| {lo:.1f}–{lo + 1 / BINS:.1f} | {k} | {s:.3f} | {a:.3f} |\n" for lo, k, s, a in table)
    return out, eces


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stdout", action="store_true", help="print, do not write results.md / results.json")
    ap.add_argument("--speed", action="store_true", help="also time a 50,000-sentence block")
    ap.add_argument("--fit-calibration", action="store_true",
                    help="fit the Platt constants on the raw posteriors (real dev set) and print them")
    args = ap.parse_args()
    if args.fit_calibration:
        raw = [r for r in run_real(calibrated=False) if "scores" in r]
        fits = {}
        for mode, keep in (("mt", lambda r: r["mt"] != "none"), ("no_mt", lambda r: r["mt"] == "none")):
            sel = [r for r in raw if keep(r)]
            fits[mode] = fit_platt(np.concatenate([r["scores"] for r in sel]), np.concatenate([r["right"] for r in sel]))
        # out of sample, for the MT systems: fit on two, measure on the third
        for held in MT_SYSTEMS:
            sel = [r for r in raw if r["mt"] not in ("none", held)]
            a, b = fit_platt(np.concatenate([r["scores"] for r in sel]), np.concatenate([r["right"] for r in sel]))
            r = next(r for r in raw if r["mt"] == held)
            p = np.clip(np.array(r["scores"]), 1e-9, 1 - 1e-9)
            q = 1 / (1 + np.exp(-(a * np.log(p / (1 - p)) + b)))
            print(f"fit without {held}, ECE on {held}: {reliability(q, np.array(r['right']))[1]:.3f}")
        print("CALIBRATION = " + json.dumps({k: [round(x, 3) for x in v] for k, v in fits.items()}))
        return
    real = run_real()
    synthetic = run_synthetic()
    cal_text, eces = calibration_section(real)
    text = f1_table(real) + "\n" + f1_table(synthetic)
    if args.stdout:
        print(text + cal_text)
        return
    recorded = {f"{r['method']}/{r['mt']}": round(r["f1_strict"], 4) for r in real}
    (HERE / "results.json").write_text(json.dumps({"textberg-dev": {"f1_strict": recorded, "ece": {
        k: round(v, 4) for k, v in eces.items()}}}, indent=2) + "\n", encoding="utf-8")
    de, fr, _, gold = load_textberg()
    doc = (
        "# Aligner evaluation\n\n"
        "Written by `eval/align/evaluate.py`. Strict and lax precision, recall and F1 as in vecalign's "
        "`score.py` (recall over gold beads that are not null); ECE over 10 equal-width score bins.\n\n"
        "## Real data: Text+Berg dev (German–French, real gold, real MT)\n\n"
        f"One document, {len(de)} German and {len(fr)} French sentences, {len(gold)} gold beads "
        "([textberg-dev/README.md](textberg-dev/README.md)). With MT, the German side's machine translation "
        "into French (three real systems: Google, a Moses system trained on full Europarl, and one on a small "
        "part of it) is compared with the French; without MT, German is compared with French directly. "
        "`galechurch` reads lengths only. The `nlen` aligner's few free choices (see README.md) were made on "
        "this set, so these are development figures; the held-back test articles of the same benchmark are "
        "checked separately.\n\n"
        + f1_table(real)
        + "\n### Calibration: is a bead's score the probability that it is right?\n\n"
        "The score is the bead's posterior probability under the aligner's model, Platt-scaled "
        "(`CALIBRATION` in pipeline/align/nlen.py, fitted on this set: in-sample). "
        "`eval/align/evaluate.py --fit-calibration` also prints out-of-sample ECEs for the MT systems "
        "(fitted on two, measured on the third).\n"
        + cal_text
        + "\n## Synthetic regression sets (NOT quality figures)\n\n"
        "Hand-written Dutch–English news-like text with seeded joins, re-splits and drops "
        "([README.md](README.md), `make_synthetic.py`); the MT is **simulated** (the English reference with "
        "word noise). `reference/*` are the hand-made eval references. They catch regressions; their "
        "numbers say nothing about real text.\n\n"
        + f1_table(synthetic)
        + ("\n## Speed\n\n" + speed() if args.speed else "")
    )
    (HERE / "results.md").write_text(doc, encoding="utf-8", newline="\n")
    print(text + cal_text)


if __name__ == "__main__":
    main()
