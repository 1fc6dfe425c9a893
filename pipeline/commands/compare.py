"""`nlen compare`: run several models on the same reference, score, test and time them."""

from __future__ import annotations

import argparse

from pipeline.commands.eval import add_evaluation_arguments
from pipeline.commands.translate import positive_int

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
    model = parser.add_argument_group("model")
    model.add_argument("--backend", default="transformers", choices=["transformers", "ctranslate2"],
                       help="backend for models without @BACKEND (default: %(default)s)")
    model.add_argument("--family", help="force one model family for every model (default: detected per model)")
    model.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="default: %(default)s")
    gen = parser.add_argument_group("generation (the same for every model)")
    gen.add_argument("--num-beams", type=positive_int, help="beam size (default: each model's own)")
    gen.add_argument("--max-new-tokens", type=positive_int, help="output bound (default: 2 × source tokens + 16)")
    gen.add_argument("--batch-size", type=positive_int, default=16, help="paragraphs per batch (default: %(default)s)")
    gen.add_argument("--batch-tokens", type=positive_int, help="source-token budget per batch, instead of --batch-size")


def run(args: argparse.Namespace) -> int:
    import sys

    from pipeline.commands.translate import settings_from_args
    from pipeline.compare import compare, markdown_table, parse_spec, report_stem
    from pipeline.evaluate import load_reference
    from pipeline.write import atomic_write_text, write_json

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
