#!/usr/bin/env python3
"""Random search over the `nlen` aligner's weights on the dev sets (not on eval/reference).

    .venv/bin/python eval/align/tune.py --mt --trials 200
    .venv/bin/python eval/align/tune.py --trials 200

Objective: mean strict F1 over the dev sets. eval/reference/ stays held out.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import asdict, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from evaluate import load  # noqa: E402
from pipeline.align.ladder import score  # noqa: E402
from pipeline.align.strong import PARAMS_MT, PARAMS_NO_MT, NlenAligner  # noqa: E402
from pipeline.types import Bead  # noqa: E402

SPACE = {
    "w_len": (0.1, 3.0),
    "w_lex": (2.0, 30.0),
    "w_match": (0.0, 3.0),
    "w_miss": (0.0, 2.0),
    "w_cog": (0.0, 3.0),
    "null": (0.5, 10.0),
    "null_len": (0.0, 5.0),
    "merge": (0.0, 5.0),
    "chance": (0.0, 1.5),
    "beta": (0.5, 3.0),
}


def evaluate(params, use_mt: bool, data) -> float:
    al = NlenAligner(params=params, params_mt=params)
    f = []
    for nl, en, mt, gold in data:
        test, so, to = [], 0, 0
        for k, (s, t) in enumerate(zip(nl, en)):
            m = mt[k] if use_mt else None
            beads = al.align(s, t, m) if s and t else []
            test += [Bead(tuple(i + so for i in b.src), tuple(j + to for j in b.tgt), b.score) for b in beads]
            so, to = so + len(s), to + len(t)
        f.append(score(gold, test)["f1_strict"])
    return sum(f) / len(f)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mt", action="store_true")
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    data = [load(p.with_suffix("")) for p in sorted((HERE / "dev").glob("*.gold")) if "heldout" not in p.name]
    base = PARAMS_MT if args.mt else PARAMS_NO_MT
    keys = [k for k in SPACE if args.mt or k not in ("w_lex", "chance", "beta")]
    best, best_f = base, evaluate(base, args.mt, data)
    print(f"start {best_f:.4f}", file=sys.stderr)
    rng = random.Random(args.seed)
    for trial in range(args.trials):
        if trial % 2 == 0:  # global sample
            cand = replace(base, **{k: rng.uniform(*SPACE[k]) for k in keys})
        else:  # local step around the best
            k = rng.choice(keys)
            lo, hi = SPACE[k]
            v = getattr(best, k) + rng.gauss(0, (hi - lo) / 8)
            cand = replace(best, **{k: min(hi, max(lo, v))})
        f = evaluate(cand, args.mt, data)
        if f > best_f:
            best, best_f = cand, f
            print(f"{trial} {best_f:.4f} {asdict(best)}", file=sys.stderr)
    print(f"best {best_f:.4f}")
    print({k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(best).items()})


if __name__ == "__main__":
    main()
