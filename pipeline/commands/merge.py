"""`nlen merge OUT_DIR`: one corpus from the units (articles, JSONL shards) of an out-dir."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from pipeline.corpus.merge import merge

NAME = "merge"
HELP = "concatenate the translated units of an out-dir, in input order, into one corpus with a top-level manifest"

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `nlen merge`."""
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="the --out-dir of nlen translate")
    parser.add_argument(
        "-o",
        "--output",
        metavar="TSV",
        help="merged corpus (default: OUT_DIR/corpus.tsv; its manifest is the same name with .json, "
        "bad JSONL lines go to .rejects.jsonl); - writes the TSV to stdout and no manifest",
    )
    parser.add_argument(
        "--config",
        metavar="HASH",
        help="the configuration to merge, when OUT_DIR holds outputs of several "
        "(the hash in the shard names and manifests)",
    )


def run(args: argparse.Namespace) -> int:
    """Run `nlen merge`; returns the exit code."""

    result = merge(args.out_dir, args.output, args.config)
    where = "stdout" if args.output == "-" else (args.output or str(args.out_dir / "corpus.tsv"))
    log.info(
        "merged %d units (%d documents, %d rows, %d rejected lines) of configuration %s into %s",
        len(result["units"]),
        result["documents"],
        result["output"]["rows"],
        result["rejects"],
        result["config"],
        where,
    )
    return 0
