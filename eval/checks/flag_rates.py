"""How often each reference-free check fires on real, good translations: the
FLORES-200 devtest nld/eng pairs (documents from metadata_devtest.tsv) and the
Tatoeba nld-eng test pairs (one set). These are professional or
community translations, so every flag here is a false alarm or a real
difference between the sides (a number written out in words, a loose
translation), never a model fault. Writes flag_rates.md.

    .venv/bin/python eval/checks/flag_rates.py [--data ../shared/data] [--out eval/checks/flag_rates.md]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing


def flores_documents(data: Path) -> list[list[tuple[str, str]]]:
    from pipeline.textio import read_lines, read_text

    folder = data / "flores200-nld-eng"
    nl = read_lines(read_text(folder / "nld_Latn.devtest"))
    en = read_lines(read_text(folder / "eng_Latn.devtest"))
    urls = [line.split("\t")[0] for line in read_lines(read_text(folder / "metadata_devtest.tsv"))[1:]]
    docs: list[list[tuple[str, str]]] = []
    previous = None
    for url, s, t in zip(urls, nl, en, strict=True):
        if url != previous:
            docs.append([])
            previous = url
        docs[-1].append((s, t))
    return docs


def tatoeba_set(data: Path) -> list[list[tuple[str, str]]]:
    from pipeline.textio import read_lines, read_text

    folder = data / "tatoeba-nld-eng"
    nl = read_lines(read_text(folder / "tatoeba-test-v2021-08-07.nld"))
    en = read_lines(read_text(folder / "tatoeba-test-v2021-08-07.eng"))
    return [list(zip(nl, en, strict=True))]


def rates(docs: list[list[tuple[str, str]]], examples: int) -> tuple[int, Counter, dict, float]:
    from pipeline.document.checks import Checker, Pair

    checker = Checker()
    counts: Counter[str] = Counter()
    shown: dict[str, list[tuple[str, str]]] = {n: [] for n in checker.names}
    started = time.perf_counter()
    n = 0
    for doc in docs:
        pairs = [Pair(s, t) for s, t in doc]
        for pair, flags in zip(pairs, checker.flag_pairs(pairs)):
            n += 1
            counts.update(flags)
            for f in flags:
                if len(shown[f]) < examples:
                    shown[f].append((pair.src, pair.hyp))
    return n, counts, shown, 1000 * (time.perf_counter() - started) / n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=HERE / "flag_rates.md")
    ap.add_argument("--examples", type=int, default=2)
    args = ap.parse_args()
    from pipeline.document.checks import DEFAULT_CHECKS

    sets = {"FLORES-200 devtest (281 documents)": flores_documents(args.data),
            "Tatoeba v2021-08-07 (one set)": tatoeba_set(args.data)}
    results = {name: rates(docs, args.examples) for name, docs in sets.items()}
    out = ["# Flag rates on real, good translations", "",
           "Share of pairs each check flags on human translations (`eval/checks/flag_rates.py`). Each flag",
           "here is a false alarm or a real difference between the sides, not a model fault.", "",
           "| check | " + " | ".join(sets) + " |", "|---|" + "---|" * len(sets)]
    for check in DEFAULT_CHECKS:
        cells = [f"{c[check]} ({c[check] / n:.2%})" for n, c, _, _ in results.values()]
        out.append(f"| `{check}` | " + " | ".join(cells) + " |")
    cells = [f"{n} pairs, {ms:.2f} ms/pair" for n, _, _, ms in results.values()]
    out.append("| (pairs, time) | " + " | ".join(cells) + " |")
    out += ["", "Examples (first flagged pairs):", ""]
    for name, (_, _, shown, _) in results.items():
        for check, pairs in shown.items():
            for src, hyp in pairs:
                out.append(f"- {name.split(' (')[0]}, `{check}`: {src} ‖ {hyp}")
    text = "\n".join(out) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
