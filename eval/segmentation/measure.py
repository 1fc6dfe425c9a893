"""Score sentence splitters on the hand-segmented dev set; write results.md.

    .venv/bin/python eval/segmentation/measure.py [--out eval/segmentation/results.md]

Data format: see README.md in this folder. Each paragraph is given to a
splitter as its gold sentences joined by single spaces; we score the sentence
boundaries inside paragraphs (precision, recall, F1). A boundary is an offset
in the paragraph with all whitespace removed, so splitters that add or drop
spaces (pysbd, sentencex keep trailing spaces) are compared fairly.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

Splitter = Callable[[str], list[str]]
LANGS = ("nl", "en")
# (set name, file pattern). The reference sets were segmented by other engineers
# for the aligner's gold standard (eval/reference/README.md) and were never used
# to tune our rules: they are the held-out check.
SETS = (
    ("dev", HERE / "dev.{lang}"),
    ("ref-seed", ROOT / "eval" / "reference" / "seed.{lang}"),
    ("ref-news", ROOT / "eval" / "reference" / "news.{lang}"),
)


def read_dev(path: Path) -> list[list[str]]:
    """Paragraphs as lists of gold sentences."""
    from pipeline.textio import read_blocks, read_text

    return read_blocks(read_text(path))


def boundaries(sentences: list[str]) -> set[int]:
    """Inner sentence ends as offsets in the whitespace-free text."""
    out: set[int] = set()
    pos = 0
    for s in sentences:
        pos += len("".join(s.split()))
        out.add(pos)
    out.discard(pos)  # the paragraph end is given, not predicted
    out.discard(0)
    return out


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    paragraphs: int = 0
    exact: int = 0
    text_changed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _context(text: str, offset: int) -> str:
    """The paragraph around whitespace-free offset, with the boundary as ' ‖ '."""
    seen = 0
    for i, ch in enumerate(text):
        if seen == offset:
            left, right = text[:i].rstrip(), text[i:].lstrip()
            return f"…{left[-40:]} ‖ {right[:30]}…"
        if not ch.isspace():
            seen += 1
    return text[-40:]


def score(split: Splitter, paragraphs: list[list[str]], repeats: int = 3) -> Score:
    sc = Score()
    for gold in paragraphs:
        text = " ".join(gold)
        start = time.perf_counter()
        for _ in range(repeats):
            pred = split(text)
        sc.seconds += (time.perf_counter() - start) / repeats
        if "".join("".join(pred).split()) != "".join(text.split()):
            sc.text_changed += 1
        g, p = boundaries(gold), boundaries(pred)
        sc.paragraphs += 1
        sc.exact += g == p
        sc.tp += len(g & p)
        sc.fp += len(p - g)
        sc.fn += len(g - p)
        for off in sorted(p - g):
            sc.errors.append(f"false split: `{_context(text, off)}`")
        for off in sorted(g - p):
            sc.errors.append(f"missed: `{_context(text, off)}`")
    return sc


def candidates(lang: str) -> dict[str, Splitter]:
    """Each candidate configured for lang, built once (as the pipeline would)."""
    import re

    import pysbd
    import sentencex
    from sentence_splitter import SentenceSplitter

    from pipeline.document.sentences import split_sentences

    moses = SentenceSplitter(language=lang)
    sbd = pysbd.Segmenter(language=lang, clean=False)
    naive = re.compile(r"(?<=[.?!])\s+(?=[\"'“„(]?[A-Z0-9])")
    return {
        "naive regex (baseline)": lambda t: naive.split(t),
        "sentence-splitter (stock Moses lists)": moses.split,
        "sentencex": lambda t: list(sentencex.segment(lang, t)),
        "pysbd": sbd.segment,
        "nlen (sentence-splitter + our lists/rules)": lambda t: split_sentences(t, lang),
    }


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "results.md")
    args = ap.parse_args(argv)

    rows: list[str] = []
    pooled: dict[tuple[str, str], Score] = {}
    error_sections: list[str] = []
    sizes: list[str] = []
    for lang in LANGS:
        for set_name, pattern in SETS:
            path = Path(str(pattern).format(lang=lang))
            if not path.is_file():
                print(f"skipping missing {path}", file=sys.stderr)
                continue
            paragraphs = read_dev(path)
            sizes.append(
                f"`{path.relative_to(ROOT)}`: {len(paragraphs)} paragraphs, "
                f"{sum(len(p) for p in paragraphs)} sentences, "
                f"{sum(len(p) - 1 for p in paragraphs)} inner boundaries"
            )
            for name, split in candidates(lang).items():
                sc = score(split, paragraphs)
                total = pooled.setdefault((lang, name), Score())
                for attr in ("tp", "fp", "fn", "paragraphs", "exact", "text_changed", "seconds"):
                    setattr(total, attr, getattr(total, attr) + getattr(sc, attr))
                rows.append(
                    f"| {lang} | {set_name} | {name} | {sc.precision:.3f} | {sc.recall:.3f} "
                    f"| {sc.f1:.3f} | {sc.tp}/{sc.fp}/{sc.fn} | {sc.exact}/{sc.paragraphs} "
                    f"| {sc.text_changed} | {1e6 * sc.seconds / sc.paragraphs:.0f} |"
                )
                if name.startswith(("nlen", "sentence-splitter")) and sc.errors:
                    errs = "\n".join(f"- {e}" for e in sc.errors)
                    error_sections.append(f"### {lang} {set_name}: {name}\n\n{errs}\n")
                print(rows[-1])

    summary = [
        f"| {lang} | {name} | {sc.precision:.3f} | {sc.recall:.3f} | {sc.f1:.3f} "
        f"| {sc.tp}/{sc.fp}/{sc.fn} | {sc.exact}/{sc.paragraphs} |"
        for (lang, name), sc in pooled.items()
    ]
    versions = ", ".join(
        f"{d} {_version(d)}" for d in ("sentence-splitter", "sentencex", "pysbd")
    )
    report = f"""# Sentence segmentation: results

Written by `eval/segmentation/measure.py`; do not edit by hand.

Data, one gold sentence per line, blank line between paragraphs (`README.md`):

{chr(10).join("- " + x for x in sizes)}

`dev` is news prose written for this folder; `ref-*` are the aligner's gold
files in `eval/reference/`, segmented by other engineers and never used to tune
our rules (held out).
Scores are over sentence boundaries inside paragraphs. TP/FP/FN = correct,
false and missed boundaries; "exact" = paragraphs split exactly right;
"text changed" = paragraphs whose non-space characters the splitter altered;
µs = mean time per paragraph (shared machine: compare within a run only).
Versions: {versions}.

## All sets pooled

| lang | splitter | precision | recall | F1 | TP/FP/FN | exact |
|---|---|---|---|---|---|---|
{chr(10).join(summary)}

## Per set

| lang | set | splitter | precision | recall | F1 | TP/FP/FN | exact | text changed | µs/para |
|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Caveat: all sets are small. `dev` was written by the author of our rules, so
its `nlen` rows are optimistic; the `ref-*` rows are the fairer estimate.

## Errors of sentence-splitter and nlen

{chr(10).join(error_sections) or "none"}"""
    args.out.write_text(report, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
