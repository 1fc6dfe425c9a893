"""The aligner's speed against the aligner before issue #9 (commit 48d84ad), in one run.

    .venv/bin/python bench/aligner_speed.py [--rounds 3] [--out eval/reports/aligner-speed.md]

The previous `pipeline/` package is taken from git history (`git archive`) into a
temporary folder. Each round runs both aligners, one after the other, each in a fresh
process, on the same paragraphs, and records CPU time (one thread). Inputs:

* bench: `bench.py`'s synthetic document (the `make bench` aligner row), 50,000
  sentences in paragraphs of 1-12, documents of 20 paragraphs;
* real: the Text+Berg dev document (eval/align/textberg-dev, German-French) cut
  into paragraphs of 6 gold beads, documents of 20 paragraphs, 16 copies.

The previous aligner ran paragraph by paragraph on priors; the current one
estimates its statistics per document, as `nlen translate` calls it. Ratios
within one run are what to compare; absolute figures move with the machine's load.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS = "48d84ad"  # main just before the #9 aligner landed

WORKER = r'''
import sys, time
root, which, data, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, sys.argv[5])
if data == "bench":
    sys.path.insert(0, sys.argv[5] + "/bench")
    import bench
    paragraphs = bench.synthetic_document(n)
else:
    from pipeline.align.ladder import parse_ladder
    d = sys.argv[5] + "/eval/align/textberg-dev/"
    lines = lambda p: [l.rstrip("\n").strip() for l in open(d + p, encoding="utf-8")]
    de, fr = lines("dev.de"), lines("dev.fr")
    gold = parse_ladder(open(d + "dev.defr", encoding="utf-8").read().splitlines(), "gold")
    paragraphs, cur = [], ([], [])
    for k, b in enumerate(gold):
        cur[0].extend(de[i] for i in b.src)
        cur[1].extend(fr[j] for j in b.tgt)
        if k % 6 == 5:
            paragraphs.append(cur)
            cur = ([], [])
    paragraphs = paragraphs * 16
# the aligner under test, not the tree the data came from
sys.path.insert(0, root)
for name in [m for m in sys.modules if m == "pipeline" or m.startswith("pipeline.")]:
    del sys.modules[name]
from pipeline.align import align
import pipeline.align as pa
started = time.process_time()
if hasattr(pa, "compile_kernels"):  # numba: load (or compile) the kernels before the clock starts
    pa.compile_kernels()
    print("first", time.process_time() - started, file=sys.stderr)
    started = time.process_time()
if which == "previous":
    for src, tgt in paragraphs:
        align(src, tgt)
else:
    for k in range(0, len(paragraphs), 20):
        doc = paragraphs[k : k + 20]
        pa.align_block_list([s for s, _ in doc], [t for _, t in doc])
assert pa.__file__.startswith(root), pa.__file__
print(time.process_time() - started, sum(len(s) for s, _ in paragraphs))
'''


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sentences", type=int, default=50_000, help="bench document size")
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "aligner-speed.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", PREVIOUS, "pipeline"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        roots = {"previous": tmp, "current": str(ROOT)}
        rows = []
        for data in ("bench", "real"):
            times: dict[str, list[float]] = {"previous": [], "current": []}
            sentences = 0
            for r in range(args.rounds):
                for which in ("previous", "current"):
                    out = subprocess.run([sys.executable, "-c", WORKER, roots[which], which, data, str(args.sentences),
                                          str(ROOT)], capture_output=True, text=True, cwd=tmp,
                                         env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
                    if out.returncode:
                        sys.exit(f"aligner_speed: {which} on {data} failed:\n{out.stderr}")
                    seconds, sentences = out.stdout.split()
                    times[which].append(float(seconds))
                    print(f"round {r + 1} {data} {which}: {float(seconds):.2f} s", file=sys.stderr)
            prev, cur = min(times["previous"]), min(times["current"])
            rows.append((data, int(sentences), prev, cur, times))
    lines = [
        "# Aligner speed against the aligner before #9",
        "",
        f"`bench/aligner_speed.py`, {date.today().isoformat()}, {args.rounds} rounds; CPU seconds, best of the rounds; "
        f"previous = `pipeline/` at {PREVIOUS} (paragraph by paragraph, priors only), current = this tree "
        "(per document of 20 paragraphs, as `nlen translate` calls it).",
        "",
        "| input | source sentences | previous: s | current: s | previous: sent/s | current: sent/s | current / previous speed |",
        "|---|---|---|---|---|---|---|",
    ]
    for data, n, prev, cur, _ in rows:
        label = {"bench": "bench.py synthetic document (synthetic)",
                 "real": "Text+Berg dev paragraphs (real: eval/align/textberg-dev, 16 copies)"}[data]
        lines.append(f"| {label} | {n:,} | {prev:.2f} | {cur:.2f} | {n / prev:,.0f} | {n / cur:,.0f} | **{prev / cur:.2f}×** |")
    lines += ["", "All rounds (s): " + "; ".join(
        f"{d} previous {', '.join(f'{x:.2f}' for x in t['previous'])} / current {', '.join(f'{x:.2f}' for x in t['current'])}"
        for d, _, _, _, t in rows), ""]
    args.out.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
