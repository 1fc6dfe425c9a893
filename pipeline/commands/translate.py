"""`nlen translate`: Dutch articles → sentence-aligned TSV + manifest."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "translate"
HELP = "translate Dutch .txt articles or JSONL documents paragraph by paragraph and write aligned TSV corpora"
DEFAULT_MODEL = "Helsinki-NLP/opus-mt-nl-en"


def positive_int(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return n


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {value}") from None


def positive_float(value: str) -> float:
    x = _float(value)
    if not 0 < x < float("inf"):
        raise argparse.ArgumentTypeError(f"must be above 0, got {value}")
    return x


def non_negative_float(value: str) -> float:
    x = _float(value)
    if not 0 <= x < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return x


def probability(value: str) -> float:
    try:
        p = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, got {value}") from None
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError(f"must be from 0 to 1, got {value}")
    return p


def folder(value: str) -> Path:
    """--out-dir: '' would mean the current folder and '-' stdout; neither is meant."""
    if value in ("", "-"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a folder name (outputs are a TSV and a manifest per document)")
    return Path(value)


def add_model_arguments(parser: argparse.ArgumentParser, model_option: str = "--model",
                        model_default: str | None = DEFAULT_MODEL, with_unit: bool = True) -> None:
    """Model and generation options, shared with `eval`, `compare` and `align` (which
    names the model `--mt-model`, gives it no default and has no `--unit`)."""
    from pipeline.translate.base import backend_names  # light: the backends themselves load on demand

    model = parser.add_argument_group("model")
    model.add_argument(model_option, default=model_default, metavar="MODEL",
                       help="hub id or local directory" + (" (default: %(default)s)" if model_default else ""))
    model.add_argument("--revision", help="hub revision (branch, tag or commit) to pin")
    model.add_argument("--backend", default="ctranslate2", choices=backend_names(),
                       help="ctranslate2 (quantised, fast), transformers (float32, the reference), or one an installed "
                            "package registers in the entry-point group nlen.backends (default: %(default)s)")
    model.add_argument("--family", help="model family (marian, nllb, m2m100, opus-multi, seq2seq); default: detected")
    model.add_argument("--device", default="auto", type=device_spec, metavar="DEVICE",
                       help="auto, cpu, cuda, cuda:N, or cuda:N,M,… (several GPUs in one process: ctranslate2 only); "
                            "auto uses every GPU there is, else the CPU (default: %(default)s)")
    model.add_argument("--compute-type", help="ctranslate2 quantisation: int8, int8_float16, float16, float32, … "
                       "(default: int8 on CPU, int8_float16 on CUDA; the transformers backend runs float32)")
    model.add_argument("--inter-threads", type=positive_int, metavar="N",
                       help="ctranslate2: translators working at once, each on its own batch (default on CPU: one "
                            "per core; on GPU: one per device)")
    model.add_argument("--intra-threads", type=positive_int, metavar="N",
                       help="ctranslate2 on CPU: threads per translator (default: 1, or the cores over "
                            "--inter-threads when only that is given)")
    gen = parser.add_argument_group("generation")
    gen.add_argument("--num-beams", type=positive_int, help="beam size (default: the model's own, 6 for opus-mt-nl-en)")
    gen.add_argument("--max-new-tokens", type=positive_int, help="output bound (default: 2 × source tokens + 16, rounded up to 32, within the model limit)")
    if with_unit:
        gen.add_argument("--unit", default="paragraph", choices=["paragraph", "sentence"],
                         help="what the model translates at once: a paragraph (then aligned and repaired), or each "
                              "sentence alone (no repair needed, no context) (default: %(default)s)")
    gen.add_argument("--batch-size", type=positive_int, default=16,
                     help="paragraphs per batch (default: %(default)s, the fastest on CPU; on a GPU use more, "
                          "or --batch-tokens)")
    gen.add_argument("--batch-tokens", type=positive_int, help="source-token budget per batch, instead of --batch-size")
    # Benchmark-only (bench/bench.py): force every output to this many tokens.
    gen.add_argument("--min-new-tokens", type=positive_int, help=argparse.SUPPRESS)


def device_spec(value: str) -> str:
    from pipeline.errors import UserError
    from pipeline.translate.base import parse_device

    try:
        parse_device(value)
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc).split(": ", 1)[-1]) from None
    return value


def settings_from_args(args: argparse.Namespace):
    from pipeline.translate.base import GenerationSettings

    return GenerationSettings(
        num_beams=args.num_beams, max_new_tokens=args.max_new_tokens, batch_size=args.batch_size,
        batch_tokens=args.batch_tokens, device=args.device,
        compute_type=getattr(args, "compute_type", None), min_new_tokens=getattr(args, "min_new_tokens", None),
        inter_threads=getattr(args, "inter_threads", None), intra_threads=getattr(args, "intra_threads", None),
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help=".txt articles, JSONL files (.jsonl, .jsonl.gz: one {\"id\": …, \"text\": …} a line), "
                             "or folders of them; '-' reads one document from stdin (named 'stdin')")
    parser.add_argument("--out-dir", type=folder, default=Path("corpus/parallel"), help="default: %(default)s")
    add_model_arguments(parser)
    run = parser.add_argument_group("run")
    run.add_argument("--aligner", default="default", help="sentence aligner by name: nlen (the default) or galechurch")
    run.add_argument("--repair-threshold", type=probability, default=0.5, metavar="P",
                     help="a paragraph with a bead whose probability of being right is below P (or any bead "
                          "not 1-1) is re-translated "
                          "sentence by sentence to repair drops and merges; 1 re-translates every paragraph "
                          "(default: %(default)s)")
    run.add_argument("--force", action="store_true", help="redo documents whose outputs are already up to date")
    run.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    add_cache_arguments(run)
    run.add_argument("--shard-size", type=positive_int, default=100, metavar="N",
                     help="JSONL documents per shard, the unit of work and of commit (default: %(default)s)")
    scale = parser.add_argument_group("executor")
    scale.add_argument("--executor", choices=["local", "ray"], default="local",
                       help="local: this process; ray: a pool of Ray actors, each loading the model once "
                            "(pip install 'nlen[ray]') (default: %(default)s)")
    scale.add_argument("--ray-address", metavar="auto|ADDRESS",
                       help="Ray cluster to join (default: $RAY_ADDRESS, else start Ray on this machine)")
    scale.add_argument("--workers", type=positive_int, metavar="N",
                       help="Ray actors (default: as many as the cluster's CPUs, or GPUs with --gpus-per-worker, hold)")
    scale.add_argument("--cpus-per-worker", type=positive_float, metavar="C",
                       help="CPUs each actor reserves, and its thread count (default: 1)")
    scale.add_argument("--gpus-per-worker", type=non_negative_float, metavar="G",
                       help="GPUs each actor reserves; > 0 runs the model on CUDA (default: 0)")


# Options of the Ray executor → their argparse names; refused with --executor local.
RAY_OPTIONS = {"--ray-address": "ray_address", "--workers": "workers", "--cpus-per-worker": "cpus_per_worker",
               "--gpus-per-worker": "gpus_per_worker"}


def add_cache_arguments(group) -> None:
    """The translation cache options, shared with `eval`."""
    group.add_argument("--no-cache", action="store_true", help="do not read or write the translation cache")
    group.add_argument("--cache-dir", type=Path, help="translation cache folder (default: $NLEN_CACHE_DIR, else ~/.cache/nlen)")


def run(args: argparse.Namespace) -> int:
    from pipeline.errors import UserError
    from pipeline.run import TranslateJob, run_translate

    if args.inputs.count("-") > 1:
        raise UserError("'-' (stdin) can be given only once")
    if args.executor != "ray":
        given = [option for option, value in RAY_OPTIONS.items() if getattr(args, value) is not None]
        if given:
            one = len(given) == 1
            raise UserError(f"{', '.join(given)} {'is' if one else 'are'} for --executor ray only; "
                            f"add --executor ray or drop {'it' if one else 'them'}")
    job = TranslateJob(
        out_dir=args.out_dir, model=args.model, backend=args.backend, revision=args.revision, family=args.family,
        settings=settings_from_args(args), unit=args.unit, aligner=args.aligner, repair_threshold=args.repair_threshold, force=args.force, progress=not args.no_progress,
        cache=not args.no_cache, cache_dir=args.cache_dir, shard_size=args.shard_size, executor=args.executor,
        ray_address=args.ray_address, workers=args.workers,
        cpus_per_worker=1.0 if args.cpus_per_worker is None else args.cpus_per_worker,
        gpus_per_worker=0.0 if args.gpus_per_worker is None else args.gpus_per_worker,
    )
    return run_translate(args.inputs, job)
