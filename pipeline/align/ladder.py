"""Ladder files (`[i, j]:[k]:0.93`), blocked sentence files and alignment scores."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from pipeline.errors import InputError, UserError
from pipeline.types import Bead

_LINE = re.compile(r"^\s*\[([\d,\s]*)\]\s*:\s*\[([\d,\s]*)\]\s*(?::\s*(\S+))?\s*$")


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.replace(",", " ").split())


def parse_ladder(lines: Iterable[str], name: str = "<ladder>") -> list[Bead]:
    """Beads from ladder lines; the score is optional (1.0 when absent). Empty
    lines and `#` comments are skipped (line numbers in errors still count them).
    Refused, with the line number: a bead with no sentence on either side, a
    sentence in two beads, a score that is not a finite number."""
    beads = []
    seen: tuple[dict[int, int], dict[int, int]] = ({}, {})  # sentence id → line of its bead, per side
    for no, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise InputError(name, f"line {no}: not a ladder bead like '[0, 1]:[2]:0.9': {line.strip()[:60]!r}")
        src, tgt = _ids(match.group(1)), _ids(match.group(2))
        if not src and not tgt:
            raise InputError(name, f"line {no}: empty bead '[]:[]' (no sentence on either side)")
        for side, ids, lines_of in (("source", src, seen[0]), ("target", tgt, seen[1])):
            for i in ids:
                if i in lines_of:
                    where = "twice in this bead" if lines_of[i] == no else f"already in the bead on line {lines_of[i]}"
                    raise InputError(name, f"line {no}: {side} sentence {i} is {where}")
                lines_of[i] = no
        score = 1.0
        if match.group(3):
            try:
                score = float(match.group(3))
            except ValueError:
                score = math.nan
            if not math.isfinite(score):
                raise InputError(name, f"line {no}: the score {match.group(3)[:20]!r} is not a finite number")
        beads.append(Bead(src, tgt, score))
    return beads


def format_bead(bead: Bead, src_offset: int = 0, tgt_offset: int = 0) -> str:
    """One ladder line (`[i, j]:[k]:0.93`) for the bead, its ids shifted by the offsets."""
    s = ", ".join(str(i + src_offset) for i in bead.src)
    t = ", ".join(str(j + tgt_offset) for j in bead.tgt)
    return f"[{s}]:[{t}]:{bead.score:.2f}"


# -- scoring ---------------------------------------------------------------------
# Strict and lax precision/recall as vecalign's score.py computes them
# (after Sennrich & Volk's Bleualign evaluation, W11-4624):
#   * precision is over all test beads (null beads included) against all gold beads;
#   * recall swaps the roles and drops null beads on both sides first,
#     so it is taken over gold beads that are not null;
#   * strict: the bead equals a gold bead; lax: it shares a source sentence with
#     a gold bead that also holds one of its target sentences (a null bead can
#     only match strictly);
#   * F1 is the harmonic mean of the pooled precision and recall.


def _counts(gold: Sequence[Bead], test: Sequence[Bead]) -> tuple[int, int, int, int]:
    gold_set = {(b.src, b.tgt) for b in gold if b.src or b.tgt}
    test_set = {(b.src, b.tgt) for b in test if b.src or b.tgt}
    links: dict[int, set[int]] = defaultdict(set)
    for src, tgt in gold_set:
        for i in src:
            links[i].update(tgt)
    tp_s = fp_s = tp_l = fp_l = 0
    for src, tgt in test_set:
        if (src, tgt) in gold_set:
            tp_s += 1
            tp_l += 1
            continue
        fp_s += 1
        linked = set().union(*(links[i] for i in src)) if src else set()
        if linked.intersection(tgt):
            tp_l += 1
        else:
            fp_l += 1
    return tp_s, fp_s, tp_l, fp_l


def score(gold: Sequence[Bead], test: Sequence[Bead]) -> dict[str, float]:
    """Strict and lax precision, recall and F1 of `test` against `gold` (as above), with both
    bead counts."""
    p = _counts(gold, test)
    r = _counts([b for b in test if b.src and b.tgt], [b for b in gold if b.src and b.tgt])

    def ratio(a: int, b: int) -> float:
        return a / (a + b) if a + b else 0.0

    def f1(x: float, y: float) -> float:
        return 2 * x * y / (x + y) if x + y else 0.0

    res = {
        "precision_strict": ratio(p[0], p[1]),
        "recall_strict": ratio(r[0], r[1]),
        "precision_lax": ratio(p[2], p[3]),
        "recall_lax": ratio(r[2], r[3]),
    }
    res["f1_strict"] = f1(res["precision_strict"], res["recall_strict"])
    res["f1_lax"] = f1(res["precision_lax"], res["recall_lax"])
    res["gold_beads"] = len(gold)
    res["test_beads"] = len(test)
    return res


def check_blocks_match(src_blocks: Sequence, tgt_blocks: Sequence, src_name: str, tgt_name: str) -> None:
    """Raise a UserError if the two sides have different numbers of blocks (the names are for
    the message)."""
    if len(src_blocks) != len(tgt_blocks):
        raise UserError(
            f"block counts differ: {src_name} has {len(src_blocks)} blocks, {tgt_name} has {len(tgt_blocks)} blocks"
        )
