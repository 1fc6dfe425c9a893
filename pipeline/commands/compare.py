"""`nlen compare`: run several models on the same reference, score, test and time them."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.commands.eval import add_evaluation_arguments, set_unit_default, unit_for
from pipeline.commands.options import add_model_arguments, positive_int, settings_from_args
from pipeline.corpus.write import atomic_write_text, check_writable, write_json
from pipeline.errors import UserError
from pipeline.evaluation.compare.measure import parse_spec
from pipeline.evaluation.compare.report import check_readme, fill_readme, markdown_table, write_plot
from pipeline.evaluation.compare.run import compare, expand_runs, report_stem
from pipeline.evaluation.sets import load_reference
from pipeline.textio import read_text
from pipeline.translate.base import backend_class
from pipeline.translate.stack import check_request

NAME = "compare"
HELP = (
    "compare models on a reference set: scores with CIs, model vs pipeline, fault counts, paired significance "
    "tests, speed, memory, size"
)

SPEC_HELP = """\
Each MODEL is MODEL[@BACKEND][#REVISION]: a hub id or a local directory,
optionally with its own backend and a hub revision, e.g.
  nlen compare Helsinki-NLP/opus-mt-nl-en facebook/nllb-200-distilled-600M#main models/opus-ct2@ctranslate2
The first model that loads is the baseline of the significance tests.
--units U1,U2,… gives each MODEL its unit (sentence or paragraph), or one unit
for all, or several units for one model; e.g. paragraph against sentence mode:
  nlen compare M@ctranslate2 --units paragraph,sentence --set flores
Models are loaded one at a time and freed before the next. A model that fails
to load or to translate gets a row that says why; the others still run.
Exit status: 0 when every model was scored, 2 when any failed (the report is
still written), 2 for bad arguments or a missing reference."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `nlen compare`."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = SPEC_HELP
    parser.add_argument("models", nargs="+", metavar="MODEL", help="MODEL[@BACKEND][#REVISION] (see below)")
    add_evaluation_arguments(parser)
    parser.add_argument(
        "--ar-trials",
        type=positive_int,
        default=10000,
        metavar="N",
        help="approximate randomisation trials (default: %(default)s)",
    )
    parser.add_argument(
        "--fill-readme",
        type=Path,
        metavar="README",
        help="write the measured BLEU / chrF2 of models with published scores on this set into the "
        "table of README (models/README.md; `make compare` does)",
    )
    parser.add_argument(
        "--units",
        type=unit_list,
        metavar="U1,U2,…",
        help="units, comma-separated: one per MODEL, one for all, or several for one MODEL "
        "(instead of --unit; see below)",
    )
    # The model and generation options of `nlen translate`, the same for every model; --model and
    # --revision are replaced by the MODEL[@BACKEND][#REVISION] arguments.
    add_model_arguments(parser)
    set_unit_default(parser)
    for action in parser._actions:
        if "--model" in action.option_strings or "--revision" in action.option_strings:
            action.help = argparse.SUPPRESS
            action.default = None


def unit_list(value: str) -> list[str]:
    """Argument type of --units: a comma-separated list of paragraph / sentence."""
    units = [u.strip() for u in value.split(",")]
    bad = [u for u in units if u not in ("paragraph", "sentence")]
    if bad or not units:
        raise argparse.ArgumentTypeError(f"units are paragraph or sentence, comma-separated; got {value!r}")
    return units


def run(args: argparse.Namespace) -> int:
    """Run `nlen compare`; returns the exit code."""
    import sys

    if args.model or args.revision:
        raise UserError("compare takes its models as arguments, MODEL[@BACKEND][#REVISION]; not --model / --revision")
    specs = [parse_spec(s, args.backend) for s in args.models]
    if args.units and args.unit:
        raise UserError("give --unit or --units, not both")
    ref = load_reference(args.set)
    units = args.units or [unit_for(ref, args.unit)]
    expand_runs(specs, units)  # a bad count fails now
    check_writable(args.reports_dir / "compare.json", "report")  # before any model is loaded
    if args.fill_readme:
        if not check_readme(args.fill_readme, ref):
            print(
                f"nlen: note: {args.fill_readme} has no '{ref.name}: measured' column; nothing will be filled",
                file=sys.stderr,
            )
    settings = settings_from_args(args)
    for spec in specs:  # options a model or backend cannot honour: refused before the first model loads
        check_request(spec.model, settings, args.family)
        backend_class(spec.backend).check_options(spec.model, settings, spec.revision)
    report = compare(
        specs,
        ref,
        settings,
        units=units,
        family=args.family,
        aligner=args.aligner,
        n_bootstrap=args.bootstrap,
        ar_trials=args.ar_trials,
        seed=args.seed,
        progress=not args.no_progress,
    )
    stem = args.reports_dir / report_stem(report["created"])
    plot = stem.with_suffix(".png") if write_plot(report, stem.with_suffix(".png")) else None
    table = markdown_table(report, plot.name if plot else None)
    write_json(stem.with_suffix(".json"), report, "report")
    atomic_write_text(stem.with_suffix(".md"), table, "report")
    if args.fill_readme:
        text, filled = fill_readme(read_text(args.fill_readme, "README"), report, ref)
        if filled:
            atomic_write_text(args.fill_readme, text)
            print(f"nlen: {args.fill_readme}: measured scores of {', '.join(filled)} written", file=sys.stderr)
    if plot is None:
        print("nlen: note: no plot: matplotlib is not installed (pip install 'nlen[plots]')", file=sys.stderr)
    files = ", ".join(f"`{stem}{ext}`" for ext in (".md", ".json") + ((".png",) if plot else ()))
    sys.stdout.write(table + f"\nReport: {files}\n")
    failed = [r for r in report["models"] if r["status"] != "ok"]
    return 2 if failed else 0
