"""`nlen translate`: Dutch articles → sentence-aligned TSV + manifest."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.commands.options import (
    add_cache_arguments,
    add_model_arguments,
    folder,
    non_negative_float,
    positive_float,
    positive_int,
    probability,
    settings_from_args,
)
from pipeline.errors import UserError
from pipeline.job.run import run_translate
from pipeline.job.spec import TranslateJob

NAME = "translate"
HELP = (
    "translate Dutch articles (.txt), documents (HTML, Markdown, DOCX, SRT, WebVTT) or JSONL paragraph by "
    "paragraph and write aligned TSV corpora"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `nlen translate`."""
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help=".txt articles, documents (.html, .htm, .md, .docx, .srt, .vtt), JSONL files "
        '(.jsonl, .jsonl.gz: one {"id": …, "text": …} a line), '
        "or folders of them; '-' reads one document from stdin (named 'stdin')",
    )
    parser.add_argument("--out-dir", type=folder, default=Path("corpus/parallel"), help="default: %(default)s")
    add_model_arguments(parser)
    add_run_group(parser)
    add_documents_group(parser)
    add_executor_group(parser)


def add_documents_group(parser: argparse.ArgumentParser) -> None:
    """Documents out, English passages, HTML extraction."""
    docs = parser.add_argument_group("documents")
    docs.add_argument(
        "--documents",
        type=folder,
        metavar="DIR",
        help="also write each translated article or document to DIR in its own format, as <name>.en<suffix> "
        "(markup, links, placeholders and cue timings kept)",
    )
    docs.add_argument(
        "--translate-all",
        action="store_true",
        help="translate sentences identified as English too (default: copy them through, flagged source_english)",
    )
    docs.add_argument(
        "--extract",
        action="store_true",
        help="HTML: translate only the main content of a crawled page (trafilatura: pip install 'nlen[extract]')",
    )


def add_run_group(parser: argparse.ArgumentParser) -> None:
    """Alignment, repair, what to redo, the cache and the unit of work."""
    run = parser.add_argument_group("run")
    run.add_argument("--aligner", default="default", help="sentence aligner by name: nlen (the default) or galechurch")
    run.add_argument(
        "--repair-threshold",
        type=probability,
        default=0.5,
        metavar="P",
        help="a paragraph with a bead whose probability of being right is below P (or any bead "
        "not 1-1) is re-translated "
        "sentence by sentence to repair drops and merges; 1 re-translates every paragraph "
        "(default: %(default)s)",
    )
    run.add_argument("--force", action="store_true", help="redo documents whose outputs are already up to date")
    run.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    add_cache_arguments(run)
    run.add_argument(
        "--shard-size",
        type=positive_int,
        default=100,
        metavar="N",
        help="JSONL documents per shard, the unit of work and of commit (default: %(default)s)",
    )


def add_executor_group(parser: argparse.ArgumentParser) -> None:
    """Where the work runs: this process, or a pool of Ray actors."""
    scale = parser.add_argument_group("executor")
    scale.add_argument(
        "--executor",
        choices=["local", "ray"],
        default="local",
        help="local: this process; ray: a pool of Ray actors, each loading the model once "
        "(pip install 'nlen[ray]') (default: %(default)s)",
    )
    scale.add_argument(
        "--ray-address",
        metavar="auto|ADDRESS",
        help="Ray cluster to join (default: $RAY_ADDRESS, else start Ray on this machine)",
    )
    scale.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="Ray actors (default: as many as the cluster's CPUs, or GPUs with --gpus-per-worker, hold)",
    )
    scale.add_argument(
        "--cpus-per-worker",
        type=positive_float,
        metavar="C",
        help="CPUs each actor reserves, and its thread count (default: 1)",
    )
    scale.add_argument(
        "--gpus-per-worker",
        type=non_negative_float,
        metavar="G",
        help="GPUs each actor reserves; > 0 runs the model on CUDA (default: 0)",
    )


# Options of the Ray executor → their argparse names; refused with --executor local.
RAY_OPTIONS = {
    "--ray-address": "ray_address",
    "--workers": "workers",
    "--cpus-per-worker": "cpus_per_worker",
    "--gpus-per-worker": "gpus_per_worker",
}


def run(args: argparse.Namespace) -> int:
    """Run `nlen translate`; returns the exit code."""

    if args.inputs.count("-") > 1:
        raise UserError("'-' (stdin) can be given only once")
    if args.executor != "ray":
        given = [option for option, value in RAY_OPTIONS.items() if getattr(args, value) is not None]
        if given:
            one = len(given) == 1
            raise UserError(
                f"{', '.join(given)} {'is' if one else 'are'} for --executor ray only; "
                f"add --executor ray or drop {'it' if one else 'them'}"
            )
    job = TranslateJob(
        out_dir=args.out_dir,
        model=args.model,
        backend=args.backend,
        revision=args.revision,
        family=args.family,
        settings=settings_from_args(args),
        unit=args.unit,
        aligner=args.aligner,
        repair_threshold=args.repair_threshold,
        force=args.force,
        progress=not args.no_progress,
        cache=not args.no_cache,
        cache_dir=args.cache_dir,
        shard_size=args.shard_size,
        executor=args.executor,
        ray_address=args.ray_address,
        workers=args.workers,
        cpus_per_worker=1.0 if args.cpus_per_worker is None else args.cpus_per_worker,
        gpus_per_worker=0.0 if args.gpus_per_worker is None else args.gpus_per_worker,
        translate_all=args.translate_all,
        documents=args.documents,
        extract=args.extract,
    )
    return run_translate(args.inputs, job)
