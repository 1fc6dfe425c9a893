"""`nlen eval`: translate the reference's Dutch (or read a corpus TSV) and score it."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.commands.options import add_cache_arguments, add_model_arguments, positive_int, settings_from_args
from pipeline.corpus.write import check_not_input, check_writable, write_json
from pipeline.errors import UserError
from pipeline.evaluation.hypotheses import hypothesis_from_tsv, translate_reference
from pipeline.evaluation.report import markdown_summary, model_slug, provenance
from pipeline.evaluation.score import evaluate
from pipeline.evaluation.sets import load_reference

NAME = "eval"
HELP = (
    "score a model (or an existing corpus TSV) against a reference set (hand-made, FLORES-200, Tatoeba) with sacrebleu"
)


UNIT_HELP = (
    "what the model translates at once: sentence or paragraph (default: sentence on the line-aligned "
    "sets flores and tatoeba, as their published scores were made; paragraph, as `nlen translate` does, "
    "on the others)"
)


def set_unit_default(parser: argparse.ArgumentParser) -> None:
    """`--unit` defaults by set (see UNIT_HELP): None here, resolved by `unit_for`."""
    for action in parser._actions:
        if "--unit" in action.option_strings:
            action.default, action.help = None, UNIT_HELP


def unit_for(ref, unit: str | None) -> str:
    """The unit to translate `ref` in: `unit` if given, else sentence for a line-aligned set
    and paragraph for the others."""
    return unit or ("sentence" if ref.line_aligned else "paragraph")


def add_evaluation_arguments(parser: argparse.ArgumentParser) -> None:
    """Reference and scoring options, shared with `compare`."""
    ev = parser.add_argument_group("evaluation")
    ev.add_argument(
        "--set",
        default="seed",
        metavar="SET",
        help="reference set: seed, news (hand-made), flores (FLORES-200 devtest), tatoeba (Tatoeba v2021-08-07), "
        "a folder with a set.json, or a path prefix P with P.nl, P.en (and P.gold) (default: %(default)s)",
    )
    ev.add_argument("--aligner", default="default", help="aligner for the sentence-level scores (default: %(default)s)")
    ev.add_argument(
        "--bootstrap",
        type=positive_int,
        default=1000,
        metavar="N",
        help="bootstrap resamples for the 95%% confidence intervals (default: %(default)s)",
    )
    ev.add_argument(
        "--seed",
        type=int,
        default=12345,
        help="resampling seed, given to sacrebleu as SACREBLEU_SEED (default: %(default)s)",
    )
    ev.add_argument("--reports-dir", type=Path, default=Path("eval/reports"), help="default: %(default)s")
    ev.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `nlen eval`."""
    parser.add_argument(
        "--tsv",
        type=Path,
        metavar="CORPUS.tsv",
        help="score this existing corpus TSV (rows grouped by paragraph; - for stdin) instead of translating; "
        "loads no model",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="PATH",
        help="JSON report path (default: REPORTS_DIR/<model-slug>.json, or <model-slug>-<set>.json for other sets)",
    )
    add_evaluation_arguments(parser)
    add_model_arguments(parser)
    set_unit_default(parser)
    add_cache_arguments(parser.add_argument_group("cache"))


def default_report_path(args: argparse.Namespace, model: str, ref, unit: str | None) -> Path:
    """REPORTS_DIR/<model-slug>[-<set>][-<unit>].json: the set unless seed, the
    unit when it is not the set's default."""

    stem = model_slug(model) + ("" if ref.name == "seed" else f"-{ref.name}")
    if unit is not None and unit != unit_for(ref, None):
        stem += f"-{unit}"
    if "/" in stem:  # set.json names are checked on reading; this keeps any other out too
        raise UserError(f"set name {ref.name!r} cannot be part of a file name in --reports-dir; give --report")
    return args.reports_dir / f"{stem}.json"


def reference_files(ref, tsv: Path | None) -> list[Path | None]:
    """The files `nlen eval` reads: --tsv and the set's (all of a set.json folder's)."""
    folder = list(ref.prefix.iterdir()) if ref.prefix.is_dir() else []
    return [tsv, ref.path("nl"), ref.path("en"), ref.prefix.parent / f"{ref.prefix.name}.gold", *folder]


def run(args: argparse.Namespace) -> int:
    """Run `nlen eval`; returns the exit code."""
    import sys
    import time

    if args.tsv is not None and args.unit:
        raise UserError("--unit is how a model translates; a TSV (--tsv) is already translated")
    ref = load_reference(args.set)
    started = time.perf_counter()
    hyp = hypothesis_from_tsv(args.tsv) if args.tsv is not None else None
    if hyp is not None:
        model_name = hyp.model.get("model") or ("tsv-stdin" if str(args.tsv) == "-" else f"tsv-{args.tsv.stem}")
    else:
        model_name = args.model
    unit = None if hyp is not None else unit_for(ref, args.unit)
    path = args.report or default_report_path(args, model_name, ref, unit)
    check_writable(path, "report")  # before the translation, not after it
    check_not_input(path, reference_files(ref, args.tsv), "the report")
    if hyp is None:
        assert unit is not None  # set above whenever there is no TSV
        hyp = translate_reference(
            ref,
            args.model,
            args.backend,
            settings_from_args(args),
            revision=args.revision,
            family=args.family,
            aligner=args.aligner,
            progress=not args.no_progress,
            unit=unit,
            cache=not args.no_cache,
            cache_dir=args.cache_dir,
        )
    report = evaluate(hyp, ref, aligner=args.aligner, n_bootstrap=args.bootstrap, seed=args.seed)
    report["wall_time_s"] = round(time.perf_counter() - started, 3)
    report.update(provenance())
    write_json(path, report, "report")
    for warning in report["warnings"]:
        print(f"nlen: warning: {warning}", file=sys.stderr)
    sys.stdout.write(markdown_summary(report, str(path)))
    return 0
