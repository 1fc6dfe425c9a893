"""`nlen compare`: run several models on the same reference, score, test and time them."""

from __future__ import annotations

import argparse

from pipeline.commands.eval import add_evaluation_arguments
from pipeline.commands.translate import add_model_arguments, positive_int

NAME = "compare"
HELP = "compare models on the reference: scores with CIs, paired significance tests, speed, memory, size"

SPEC_HELP = """\
Each MODEL is MODEL[@BACKEND][#REVISION]: a hub id or a local directory,
optionally with its own backend and a hub revision, e.g.
  nlen compare Helsinki-NLP/opus-mt-nl-en facebook/nllb-200-distilled-600M#main models/opus-ct2@ctranslate2
The first model that loads is the baseline of the significance tests.
Models are loaded one at a time and freed before the next. A model that fails
to load or to translate gets a row that says why; the others still run.
Exit status: 0 when every model was scored, 2 when any failed (the report is
still written), 2 for bad arguments or a missing reference."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = SPEC_HELP
    parser.add_argument("models", nargs="+", metavar="MODEL", help="MODEL[@BACKEND][#REVISION] (see below)")
    add_evaluation_arguments(parser)
    parser.add_argument("--ar-trials", type=positive_int, default=10000, metavar="N",
                        help="approximate randomisation trials (default: %(default)s)")
    # The model and generation options of `nlen translate`, the same for every model; --model and
    # --revision are replaced by the MODEL[@BACKEND][#REVISION] arguments.
    add_model_arguments(parser)
    for action in parser._actions:
        if "--model" in action.option_strings or "--revision" in action.option_strings:
            action.help = argparse.SUPPRESS
            action.default = None


def run(args: argparse.Namespace) -> int:
    import sys

    from pipeline.commands.translate import settings_from_args
    from pipeline.compare import compare, markdown_table, parse_spec, report_stem
    from pipeline.evaluate import load_reference
    from pipeline.write import atomic_write_text, write_json

    from pipeline.errors import UserError

    if args.model or args.revision:
        raise UserError("compare takes its models as arguments, MODEL[@BACKEND][#REVISION]; not --model / --revision")
    specs = [parse_spec(s, args.backend) for s in args.models]
    ref = load_reference(args.set)
    report = compare(specs, ref, settings_from_args(args), family=args.family, aligner=args.aligner,
                     n_bootstrap=args.bootstrap, ar_trials=args.ar_trials, seed=args.seed, progress=not args.no_progress)
    stem = args.reports_dir / report_stem(report["created"])
    table = markdown_table(report)
    write_json(stem.with_suffix(".json"), report)
    atomic_write_text(stem.with_suffix(".md"), table)
    sys.stdout.write(table + f"\nReport: `{stem}.md`, `{stem}.json`\n")
    failed = [r for r in report["models"] if r["status"] != "ok"]
    return 2 if failed else 0
