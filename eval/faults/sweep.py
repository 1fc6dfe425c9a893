#!/usr/bin/env python3
"""Every fault at every position: an exhaustive check of row truth.

    .venv/bin/python eval/faults/sweep.py [--jobs 2]   # writes eval/faults/sweep.md (about 3 min on 2 cores)

For every FLORES devtest article (tests/paragraph_mt.py), every fault type and every
position where it can happen, a two-paragraph document (the article with the fault,
then the next article, fault-free) goes through the pipeline with the fault stand-in
(a test double; the text is real). Counted per fault type: runs, wrong rows, and
silent wrong rows (wrong, score ≥ 0.5, no flag), with the first few silent examples, for
each half of the text. The fit half's runs (the articles of evaluate.py's even documents)
are development data: they were looked at when the repair's constants were chosen. The
test half's were not, and are the out-of-sample figures.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from paragraph_mt import FAULTS, FaultPlan, ParagraphMT, applicable, flores_articles, lexicon, paragraph_truths  # noqa: E402

from pipeline.document.core import translate_documents  # noqa: E402
from pipeline.document.inputs import segment_text  # noqa: E402
from pipeline.types import Document  # noqa: E402

SEED = 0
ARTICLES_PER_DOCUMENT = 8  # as paragraph_mt.documents() groups them


def half(k: int) -> str:
    """Which half article `k` belongs to: evaluate.py's documents are eight articles each,
    and even documents are the fit half."""
    return "fit" if (k // ARTICLES_PER_DOCUMENT) % 2 == 0 else "test"


def run_article(k: int) -> tuple[Counter, list[str]]:
    articles = flores_articles()
    a, b = articles[k], articles[(k + 1) % len(articles)]
    counts: Counter = Counter()
    examples: list[str] = []
    en = [lexicon()[s] for s in a.nl]
    for fault in FAULTS:
        for position in applicable(fault, a.nl, en):
            text = "\n\n".join(" ".join(x.nl) for x in (a, b)) + "\n"
            doc = Document(name="sweep", path=Path("sweep.txt"), sha256="", paragraphs=segment_text(text, "nl"))
            stand_in = ParagraphMT(plan=FaultPlan(seed=SEED, rate=0.0, fixed={tuple(a.nl): (fault, position)}))
            result = translate_documents([doc], stand_in)[0]
            counts[(half(k), fault, "runs")] += 1
            for _, index, truths in paragraph_truths(stand_in, doc, result):
                for row, truth in zip((result.rows[k] for k in index), truths):
                    if not truth.right:
                        counts[(half(k), fault, "wrong")] += 1
                        if row.score >= 0.5 and not row.flags:
                            counts[(half(k), fault, "silent")] += 1
                            examples.append(f"{half(k)} half, {fault} at {position} (article {k}): {truth.why}; "
                                            f"NL “{row.nl[:80]}” EN “{row.en[:100]}”")
    return counts, examples


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--stdout", action="store_true")
    args = ap.parse_args(argv)
    n = len(flores_articles())
    with Pool(args.jobs) as pool:
        parts = pool.map(run_article, range(n), chunksize=4)
    counts: Counter = sum((c for c, _ in parts), Counter())
    examples = [e for _, ex in parts for e in ex]
    lines = ["# Row truth, every fault at every position (synthetic: FLORES-200 devtest text, simulated MT)", "",
             "Written by `eval/faults/sweep.py`; do not edit by hand. Each run: a two-paragraph document (a FLORES",
             "article with one fault at one position, then the next article, fault-free), fault wording seed "
             f"{SEED}. The faults are simulated by a test double (tests/paragraph_mt.py); the text is real. "
             "Regression figures, not quality numbers. The fit half's runs (articles of evaluate.py's even documents) are",
             "development data, looked at when the repair's constants were chosen; the test half's are out of sample.", "",
             "Wrong rows and silent wrong rows (wrong, score ≥ 0.5, no flag), by half:", "",
             "| fault | runs (fit) | wrong (fit) | silent wrong (fit) | runs (test) | wrong (test) | silent wrong (test) |",
             "|---|---|---|---|---|---|---|"]
    for fault in FAULTS + ("all",):
        faults = FAULTS if fault == "all" else (fault,)
        cells = [sum(counts[(h, f, what)] for f in faults) for h in ("fit", "test") for what in ("runs", "wrong", "silent")]
        lines.append(f"| {fault} | " + " | ".join(map(str, cells)) + " |")
    lines.append("")
    if examples:
        lines += ["Silent wrong rows (first 20):", ""] + [f"- {e}" for e in examples[:20]] + [""]
    report = "\n".join(lines)
    if not args.stdout:
        (HERE / "sweep.md").write_text(report, encoding="utf-8", newline="\n")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
