"""Wall-clock figures that tests used to assert, measured here instead (tests never time).

    .venv/bin/python bench/align_timings.py [--rounds 3] [--out eval/reports/align-timings.md]

Each case runs in a fresh process, `--rounds` times; the report keeps the best and the
worst. The inputs are synthetic (numbered sentences), as in the tests they come from:

* galechurch on one block of 5,000 sentence pairs (tests/test_align.py, was "< 10 s");
* `nlen align` on one block of 20,000 lines, CLI in process (tests/test_align_cli.py, was "< 15 s");
* `nlen align` on a two-line input, interpreter start included (tests/test_align_cli.py, was "< 3 s").

Absolute figures move with the machine and its load.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GALECHURCH = """
import time
from pipeline.align import align
src = [f"Zin nummer {i} met wat tekst erin." * (1 + i % 3) for i in range(5000)]
tgt = [f"Sentence number {i} with some text." * (1 + i % 3) for i in range(5000)]
t = time.perf_counter(); align(src, tgt, method="galechurch"); print(time.perf_counter() - t)
"""

BIG_BLOCK = """
import io, sys, time, contextlib
from pathlib import Path
from pipeline.cli import main
d = Path(sys.argv[1])
(d / "big.nl").write_text("\\n".join(f"Zin {i} van het grote blok met wat woorden." for i in range(20000)) + "\\n")
(d / "big.en").write_text("\\n".join(f"Sentence {i} of the big block with some words." for i in range(20000)) + "\\n")
t = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    main(["align", str(d / "big.nl"), str(d / "big.en")])
print(time.perf_counter() - t)
"""

CASES = {
    "galechurch, one block of 5,000 pairs": ("python", GALECHURCH, 10.0),
    "`nlen align`, one block of 20,000 lines (in process)": ("python", BIG_BLOCK, 15.0),
    "`nlen align`, two lines, interpreter start included": ("cli", None, 3.0),
}


def run_case(kind: str, code: str | None, folder: Path) -> float:
    if kind == "python":
        out = subprocess.run([sys.executable, "-c", code, str(folder)], cwd=ROOT, capture_output=True, text=True,
                             check=True)
        return float(out.stdout.strip().splitlines()[-1])
    (folder / "a.nl").write_text("Een zin.\nNog een zin.\n", encoding="utf-8")
    (folder / "a.en").write_text("A sentence.\nAnother sentence.\n", encoding="utf-8")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "align", str(folder / "a.nl"), str(folder / "a.en")],
                   cwd=ROOT, capture_output=True, check=True)
    return time.perf_counter() - started


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "align-timings.md")
    args = ap.parse_args(argv)
    lines = ["# Aligner timings (synthetic inputs)", "",
             "Written by `bench/align_timings.py`; do not edit by hand. Wall-clock seconds, "
             f"{args.rounds} rounds, each in a fresh process; {platform.machine()}, {date.today().isoformat()}.", "",
             "| case | best | worst | former test bound |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for name, (kind, code, bound) in CASES.items():
            times = [run_case(kind, code, Path(tmp)) for _ in range(args.rounds)]
            lines.append(f"| {name} | {min(times):.2f} | {max(times):.2f} | < {bound:g} |")
            print(lines[-1], file=sys.stderr)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
