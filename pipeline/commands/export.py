"""`nlen export`: corpus TSVs → TMX 1.4b, Moses, OPUS XCES or JSONL, with filters."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.commands.options import probability
from pipeline.corpus.export import get_exporter
from pipeline.corpus.export.moses import moses_paths
from pipeline.corpus.filtering import Decisions, Dedup, DropFlags, FilterChain, MinScore, NoRepaired, RowFilter
from pipeline.corpus.read import corpus_files, read_corpus
from pipeline.corpus.write import check_not_input, check_writable, check_writable_folder, write_json
from pipeline.document.checks import parse_check_names
from pipeline.errors import UserError

NAME = "export"
HELP = "export corpus TSVs (or translate out-dirs) as TMX, Moses, OPUS XCES or JSONL, filtered and deduplicated"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `nlen export`."""

    parser.add_argument(
        "corpus",
        nargs="+",
        metavar="CORPUS",
        help="corpus TSV files, translate out-dirs (sharded or not) or other folders of TSVs",
    )
    parser.add_argument("--config", metavar="HASH", help="the configuration to read from an out-dir that holds several")
    out = parser.add_argument_group("output")
    out.add_argument(
        "--format",
        required=True,
        choices=["tmx", "moses", "xces", "jsonl"],
        help="tmx: TMX 1.4b file; moses: PREFIX.nl-en.nl/.en; xces: OPUS folder; jsonl: one bead a line",
    )
    out.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="file (tmx, jsonl; - for stdout), file prefix (moses) or folder (xces)",
    )
    out.add_argument(
        "--meta", action="store_true", help="moses: also PREFIX.nl-en.meta (doc, ids, score, repaired, flags)"
    )
    out.add_argument("--report", type=Path, metavar="FILE", help="also write the counts as JSON to FILE")
    flt = parser.add_argument_group("filters (applied in this order; each counts what it removed)")
    flt.add_argument("--min-score", type=probability, metavar="P", help="drop beads with an aligner score below P")
    flt.add_argument(
        "--drop-flags",
        metavar="A,B",
        help="drop beads with any of these quality flags "
        "(empty, truncated, untranslated, repetition, numbers, length_ratio, not_dutch)",
    )
    flt.add_argument("--no-repaired", action="store_true", help="drop beads whose English comes from the repair")
    flt.add_argument(
        "--decisions", type=Path, metavar="FILE", help="drop the beads rejected in `nlen review` (its JSON download)"
    )
    flt.add_argument(
        "--dedup",
        choices=["exact", "normalised"],
        help="keep the first of identical beads; normalised folds case, whitespace, punctuation and digits",
    )


def build_filters(args: argparse.Namespace) -> list[RowFilter]:
    """The row filters the options ask for, in the order they run."""

    filters: list[RowFilter] = []
    if args.min_score is not None:
        filters.append(MinScore(args.min_score))
    if args.drop_flags:
        filters.append(DropFlags(parse_check_names(args.drop_flags)))
    if args.no_repaired:
        filters.append(NoRepaired())
    if args.decisions is not None:
        filters.append(Decisions.from_file(args.decisions))
    if args.dedup:
        filters.append(Dedup(args.dedup))
    return filters


def format_report(report: dict) -> list[str]:
    """The export report as the lines printed on stderr."""
    lines = [f"read {report['rows']} beads"]
    for what, n in report["removed"].items():
        lines.append(f"removed {n['rows']} ({n['share']:.2%}): {what}")
    lines.append(f"kept {report['kept']['rows']} ({report['kept']['share']:.2%})")
    export = report["export"]
    for why, n in export["left_out"].items():
        lines.append(f"left out of the {report['format']} file {n}: {why}")
    for what, n in export["notes"].items():
        lines.append(f"{what}: {n}")
    files = export["files"]  # XCES writes two per document: name the first few (all are in --report)
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more files" if len(files) > 3 else "")
    lines.append(f"wrote {export['written']} beads: {shown}")
    return lines


def check_outputs(args: argparse.Namespace, exporter) -> None:
    """--out and --report can be written: said before the corpus is read, not after."""

    if args.out != "-":
        if exporter.out_kind == "file":
            check_writable(args.out, f"{args.format} output")
        elif exporter.out_kind == "folder":
            check_writable_folder(args.out, f"--out folder for {args.format}")
        else:  # a file prefix, or a folder to put corpus.nl-en.* in
            check_writable(
                args.out if not Path(args.out).is_dir() else Path(args.out) / "corpus", f"{args.format} output"
            )
    if args.report:
        check_writable(args.report, "report")


def check_not_inputs(args: argparse.Namespace, exporter) -> None:
    """No output (--out, its Moses files, --report) is one of the inputs (the corpus
    TSVs, --decisions): the same file by inode, whatever the path's spelling."""

    outputs = [(args.report, "--report")]
    if args.out != "-" and exporter.out_kind == "file":
        outputs.append((args.out, "--out"))
    elif args.format == "moses":
        outputs += [(path, "--out") for path in moses_paths(args.out, args.meta).values()]
    tsvs = [source.path for source in corpus_files(args.corpus, args.config)]
    # a unit's manifest is read with its TSV (its SHA-256 says the TSV is whole)
    inputs = tsvs + [Path(t).with_suffix(".json") for t in tsvs if str(t) != "-"] + [args.decisions]
    for output, what in outputs:
        check_not_input(output, inputs, what)


def run(args: argparse.Namespace) -> int:
    """Run `nlen export`; returns the exit code."""

    if args.meta and args.format != "moses":
        raise UserError("--meta is for --format moses")
    options = {"meta": args.meta} if args.format == "moses" else {}
    exporter = get_exporter(args.format, **options)
    if args.out == "-" and not exporter.to_stdout:
        raise UserError(f"--format {args.format} writes several files; --out - is for tmx and jsonl")
    chain = FilterChain(build_filters(args))  # a bad --decisions file fails here, before any output
    check_outputs(args, exporter)
    check_not_inputs(args, exporter)
    stats = exporter.write(chain.apply(read_corpus(args.corpus, args.config)), args.out)
    report = {"format": args.format, **chain.report(), "export": stats.to_dict()}
    for line in format_report(report):
        print(f"nlen: {line}", file=sys.stderr)
    if args.report:
        write_json(args.report, report, "report")
    return 0
