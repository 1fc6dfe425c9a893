"""`nlen review`: corpus TSVs → one self-contained HTML page to review them in a browser."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from pipeline.corpus.read import corpus_files, read_tsv, row_key
from pipeline.corpus.review import build_page
from pipeline.corpus.write import atomic_write_text, check_not_input, check_writable
from pipeline.errors import InputError
from pipeline.types import AlignedRow

NAME = "review"
HELP = "write a self-contained HTML page to review corpus TSVs (filters, search, keyboard accept/reject)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `nlen review`."""
    parser.add_argument(
        "corpus",
        nargs="+",
        metavar="CORPUS",
        help="corpus TSV files, translate out-dirs (sharded or not) or other folders of TSVs",
    )
    parser.add_argument("--config", metavar="HASH", help="the configuration to read from an out-dir that holds several")
    parser.add_argument("--out", required=True, metavar="FILE.html", help="the page to write (- for stdout)")
    parser.add_argument("--title", help="shown at the top (default: the CORPUS arguments)")


def read_rows(corpus: list[str], config: str | None) -> list[AlignedRow]:
    """Every row of the CORPUS arguments; a score that is not a finite number (NaN, inf)
    is an InputError naming its file and bead: the page colours, bins and sorts by score."""
    rows = []
    for source in corpus_files(corpus, config):
        for row in read_tsv(source.path):
            if not math.isfinite(row.score):
                raise InputError(source.path, f"bead {row_key(row)}: score {row.score} is not a number from 0 to 1")
            rows.append(row)
    return rows


def run(args: argparse.Namespace) -> int:
    """Run `nlen review`; returns the exit code."""

    to_stdout = args.out == "-"
    if not to_stdout:
        check_writable(args.out, "review page")  # before the corpus is read
        tsvs = [source.path for source in corpus_files(args.corpus, args.config)]
        manifests = [Path(t).with_suffix(".json") for t in tsvs if str(t) != "-"]  # read with their TSVs
        check_not_input(args.out, tsvs + manifests, "--out")
    rows = read_rows(args.corpus, args.config)
    title = args.title or " ".join(args.corpus)
    page = build_page(rows, title)
    if to_stdout:
        sys.stdout.buffer.write(page.encode("utf-8"))
        sys.stdout.buffer.flush()
    else:
        atomic_write_text(args.out, page, "review page")
    print(
        f"nlen: wrote {'the page to stdout' if to_stdout else args.out}: {len(rows)} beads; open it in a browser "
        "(decisions: download them, then nlen export --decisions FILE)",
        file=sys.stderr,
    )
    return 0
