"""`nlen review`: corpus TSVs → one self-contained HTML page to review them in a browser."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "review"
HELP = "write a self-contained HTML page to review corpus TSVs (filters, search, keyboard accept/reject)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("corpus", nargs="+", metavar="CORPUS",
                        help="corpus TSV files, translate out-dirs (sharded or not) or other folders of TSVs")
    parser.add_argument("--config", metavar="HASH", help="the configuration to read from an out-dir that holds several")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.html", help="the page to write")
    parser.add_argument("--title", help="shown at the top (default: the CORPUS arguments)")


def run(args: argparse.Namespace) -> int:
    from pipeline.corpus import read_corpus
    from pipeline.review import build_page
    from pipeline.write import atomic_write_text

    rows = list(read_corpus(args.corpus, args.config))
    title = args.title or " ".join(args.corpus)
    atomic_write_text(args.out, build_page(rows, title))
    print(f"nlen: wrote {args.out}: {len(rows)} beads; open it in a browser "
          "(decisions: download them, then nlen export --decisions FILE)", file=sys.stderr)
    return 0
