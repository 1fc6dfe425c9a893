"""`nlen align-eval GOLD TEST`: strict and lax precision, recall and F1 of an alignment."""

from __future__ import annotations

import argparse
import json
import sys

from pipeline.errors import InputError, UserError
from pipeline.textio import read_text

NAME = "align-eval"
HELP = "score a ladder alignment TEST against GOLD (strict/lax precision, recall, F1)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `nlen align-eval`."""
    parser.add_argument("gold", metavar="GOLD", help="gold alignment, ladder format ('[0, 1]:[2]', score optional)")
    parser.add_argument("test", metavar="TEST", help="alignment to score, ladder format ('-' = stdin)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")


def run(args: argparse.Namespace) -> int:
    """Run `nlen align-eval`; returns the exit code."""
    from pipeline.align.ladder import parse_ladder, score

    if args.gold == "-" and args.test == "-":
        raise UserError("only one of GOLD and TEST can be '-' (stdin)")
    gold = parse_ladder(read_text(args.gold, "GOLD").splitlines(), args.gold)
    test = parse_ladder(read_text(args.test, "TEST").splitlines(), args.test)
    for label, name, beads in (("GOLD", args.gold, gold), ("TEST", args.test, test)):
        if not beads:
            raise InputError(name, f"{label} holds no beads; there is nothing to score")
    res = score(gold, test)
    out = sys.stdout
    if hasattr(out, "reconfigure"):
        out.reconfigure(encoding="utf-8", newline="\n")
    if args.json:
        out.write(json.dumps(res, indent=2, sort_keys=True, allow_nan=False) + "\n")
        return 0
    out.write(f"{'':10} {'strict':>8} {'lax':>8}\n")
    for label, key in (("precision", "precision"), ("recall", "recall"), ("F1", "f1")):
        out.write(f"{label:10} {res[key + '_strict']:8.4f} {res[key + '_lax']:8.4f}\n")
    out.write(f"gold beads {res['gold_beads']}, test beads {res['test_beads']}\n")
    return 0
