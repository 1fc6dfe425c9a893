#!/usr/bin/env python3
"""Score the aligners on the dev sets and the hand-made reference; write results.md.

    .venv/bin/python eval/align/evaluate.py            # writes eval/align/results.md
    .venv/bin/python eval/align/evaluate.py --stdout   # only print

Sets: eval/align/dev/<name>.{nl,en,mt,gold} (see make_devsets.py; the MT is
simulated) and eval/reference/{seed,news}.{nl,en,gold} when present (no MT
file there, so only the rows without MT). Scores follow vecalign's score.py
(see pipeline/align/ladder.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.align import align_blocks  # noqa: E402
from pipeline.align.ladder import parse_ladder, score  # noqa: E402
from pipeline.textio import read_blocks, read_lines  # noqa: E402


def load(base: Path):
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


def sets() -> list[tuple[str, Path]]:
    out = [(p.stem, p.with_suffix("")) for p in sorted((HERE / "dev").glob("*.gold"))]
    for name in ("seed", "news"):
        base = ROOT / "eval" / "reference" / name
        if base.with_suffix(".gold").exists():
            out.append((f"reference/{name}", base))
    return out


def run(methods=("galechurch", "nlen")) -> list[dict]:
    rows = []
    for name, base in sets():
        nl, en, mt, gold = load(base)
        for method in methods:
            for use_mt in (False, True):
                if use_mt and (mt is None or method == "galechurch"):
                    continue  # galechurch ignores MT
                t0 = time.perf_counter()
                beads = [b for _, b in align_blocks(nl, en, mt if use_mt else None, method=method)]
                res = score(gold, beads)
                res.update(set=name, method=method, mt=use_mt, seconds=time.perf_counter() - t0)
                rows.append(res)
    return rows


def table(rows: list[dict]) -> str:
    head = "| set | method | MT | P strict | R strict | F1 strict | P lax | R lax | F1 lax |\n"
    head += "|---|---|---|---|---|---|---|---|---|\n"
    body = "".join(
        f"| {r['set']} | {r['method']} | {'yes' if r['mt'] else 'no'} | {r['precision_strict']:.3f} | "
        f"{r['recall_strict']:.3f} | **{r['f1_strict']:.3f}** | {r['precision_lax']:.3f} | "
        f"{r['recall_lax']:.3f} | {r['f1_lax']:.3f} |\n"
        for r in rows
    )
    return head + body


def speed(n: int = 50_000, seed: int = 0) -> str:
    """Seconds (wall and CPU) to align one synthetic block of n sentences per side."""
    import random

    from pipeline.align import align

    rng = random.Random(seed)
    nl_words = "de het een gemeente woning plan bouw stad raad wethouder jaar miljoen euro bewoners park".split()
    en_words = "the a council housing plan building city alderman year million euros residents park".split()
    src, tgt = [], []
    for i in range(n):
        k = rng.randint(4, 30)
        src.append(" ".join(rng.choice(nl_words) for _ in range(k)) + f" {i}.")
        tgt.append(" ".join(rng.choice(en_words) for _ in range(k)) + f" {i}.")
    lines = [f"One block of {n:,} random sentences per side (4-30 words), on this 2-core machine shared with other jobs:\n",
             "| method | MT | wall s | CPU s |", "|---|---|---|---|"]
    for method, mt in (("galechurch", None), ("nlen", None), ("nlen", tgt)):
        t0, c0 = time.perf_counter(), time.process_time()
        align(src, tgt, mt, method=method)
        lines.append(f"| {method} | {'yes' if mt else 'no'} | {time.perf_counter() - t0:.1f} | "
                     f"{time.process_time() - c0:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stdout", action="store_true", help="print the table, do not write results.md")
    ap.add_argument("--speed", action="store_true", help="also time a 50,000-sentence block")
    args = ap.parse_args()
    rows = run()
    text = table(rows)
    if args.stdout:
        print(text)
        return
    sizes = []
    for name, base in sets():
        nl, en, _, gold = load(base)
        sizes.append(f"| {name} | {len(nl)} | {sum(map(len, nl))} | {sum(map(len, en))} | {len(gold)} |")
    doc = (
        "# Aligner evaluation\n\n"
        "Written by `eval/align/evaluate.py`; strict/lax precision, recall and F1 as in vecalign's "
        "`score.py` (recall over gold beads that are not null). The dev sets are hand-written "
        "Dutch–English news text with seeded joins and drops (`make_devsets.py`); their MT is "
        "**simulated** (noisy English reference), see README.md. The `nlen` weights were tuned "
        "(`tune.py`) on `para` and `doc` only; `*-heldout` (same text, other seeds) and "
        "`reference/*` (hand-made, no MT file) were not tuned on. `galechurch` ignores MT.\n\n"
        "| set | blocks | nl sentences | en sentences | gold beads |\n|---|---|---|---|---|\n"
        + "\n".join(sizes)
        + "\n\n"
        + text
        + ("\n## Speed\n\n" + speed() if args.speed else "")
    )
    (HERE / "results.md").write_text(doc, encoding="utf-8", newline="\n")
    print(text)


if __name__ == "__main__":
    main()
