"""`nlen merge OUT_DIR`: one corpus from the units (articles, JSONL shards) of an out-dir."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from pipeline.corpus.merge import check_output_names, find_units, merge, output_paths
from pipeline.corpus.write import check_not_input, writes_straight
from pipeline.errors import PathError

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

    check_output(args)
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


def check_output(args: argparse.Namespace) -> None:
    """-o (and the rejects and manifest beside it) must be files to replace, none
    of them one of the merge's inputs (compared by inode): a unit's files, or
    the file a unit was translated from."""
    if args.output == "-":
        return
    if args.output is not None and writes_straight(args.output):
        raise PathError(
            args.output,
            "-o is not a regular file (a device, a pipe or a descriptor), and the merged corpus's manifest "
            "records the SHA-256 of its file: give a file, or -o - for standard output",
        )
    _, units = find_units(args.out_dir, args.config)
    outputs = output_paths(args.out_dir, args.output)
    check_output_names(args.out_dir, list(outputs))  # a unit's own file by name: the message that says so
    inputs: list[Path] = []
    for path, manifest in units:
        out, rejects = manifest["output"], manifest["output"].get("rejects")
        names = [out.get("tsv"), rejects.get("path") if isinstance(rejects, dict) else None]
        inputs += [path, *(args.out_dir / n for n in names if isinstance(n, str))]
        if isinstance(manifest["input"].get("path"), str):
            inputs.append(Path(manifest["input"]["path"]))
    for output, what in zip(outputs, ("the merged corpus", "its rejects", "its manifest")):
        check_not_input(output, inputs, what)
