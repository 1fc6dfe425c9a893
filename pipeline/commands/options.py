"""Argument types and option groups shared by the commands (model and generation
options, the translation cache)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.errors import UserError
from pipeline.translate.base import GenerationSettings, backend_names, parse_device  # light: backends load on demand

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-nl-en"


def positive_int(value: str) -> int:
    """Argument type: an integer of at least 1."""
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
    """Argument type: a finite number above 0."""
    x = _float(value)
    if not 0 < x < float("inf"):
        raise argparse.ArgumentTypeError(f"must be above 0, got {value}")
    return x


def non_negative_float(value: str) -> float:
    """Argument type: a finite number of at least 0."""
    x = _float(value)
    if not 0 <= x < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return x


def probability(value: str) -> float:
    """Argument type: a number from 0 to 1."""
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
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a folder name (outputs are a TSV and a manifest per document)"
        )
    return Path(value)


def add_model_arguments(
    parser: argparse.ArgumentParser,
    model_option: str = "--model",
    model_default: str | None = DEFAULT_MODEL,
    with_unit: bool = True,
) -> None:
    """Model and generation options, shared with `eval`, `compare` and `align` (which
    names the model `--mt-model`, gives it no default and has no `--unit`)."""
    add_model_group(parser, model_option, model_default)
    add_generation_group(parser, with_unit)


def add_model_group(parser: argparse.ArgumentParser, model_option: str, model_default: str | None) -> None:
    """The model, its backend and where it runs."""
    model = parser.add_argument_group("model")
    model.add_argument(
        model_option,
        default=model_default,
        metavar="MODEL",
        help="hub id or local directory" + (" (default: %(default)s)" if model_default else ""),
    )
    model.add_argument("--revision", help="hub revision (branch, tag or commit) to pin")
    model.add_argument(
        "--backend",
        default="ctranslate2",
        choices=backend_names(),
        help="ctranslate2 (quantised, fast), transformers (float32, the reference), or one an installed "
        "package registers in the entry-point group nlen.backends (default: %(default)s)",
    )
    model.add_argument("--family", help="model family (marian, nllb, m2m100, opus-multi, seq2seq); default: detected")
    model.add_argument(
        "--device",
        default="auto",
        type=device_spec,
        metavar="DEVICE",
        help="auto, cpu, cuda, cuda:N, or cuda:N,M,… (several GPUs in one process: ctranslate2 only); "
        "auto uses every GPU there is, else the CPU (default: %(default)s)",
    )
    model.add_argument(
        "--compute-type",
        help="ctranslate2 quantisation: int8, int8_float16, float16, float32, … "
        "(default: int8 on CPU, int8_float16 on CUDA; the transformers backend runs float32)",
    )
    model.add_argument(
        "--inter-threads",
        type=positive_int,
        metavar="N",
        help="ctranslate2: translators working at once, each on its own batch (default on CPU: one "
        "per core; on GPU: one per device)",
    )
    model.add_argument(
        "--intra-threads",
        type=positive_int,
        metavar="N",
        help="ctranslate2 on CPU: threads per translator (default: 1, or the cores over "
        "--inter-threads when only that is given)",
    )


def add_generation_group(parser: argparse.ArgumentParser, with_unit: bool) -> None:
    """How the model generates, what it translates at once, and how texts are batched."""
    gen = parser.add_argument_group("generation")
    gen.add_argument("--num-beams", type=positive_int, help="beam size (default: the model's own, 6 for opus-mt-nl-en)")
    gen.add_argument(
        "--max-new-tokens",
        type=positive_int,
        help="output bound (default: 2 × source tokens + 16, rounded up to 32, within the model limit)",
    )
    if with_unit:
        gen.add_argument(
            "--unit",
            default="paragraph",
            choices=["paragraph", "sentence"],
            help="what the model translates at once: a paragraph (then aligned and repaired), or each "
            "sentence alone (no repair needed, no context) (default: %(default)s)",
        )
    gen.add_argument(
        "--batch-size",
        type=positive_int,
        default=16,
        help="paragraphs per batch (default: %(default)s, the fastest on CPU; on a GPU use more, or --batch-tokens)",
    )
    gen.add_argument("--batch-tokens", type=positive_int, help="source-token budget per batch, instead of --batch-size")
    # Benchmark-only (bench/bench.py): force every output to this many tokens.
    gen.add_argument("--min-new-tokens", type=positive_int, help=argparse.SUPPRESS)


def device_spec(value: str) -> str:
    """Argument type of --device: checked by `parse_device`, returned as given."""

    try:
        parse_device(value)
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc).split(": ", 1)[-1]) from None
    return value


def settings_from_args(args: argparse.Namespace):
    """The GenerationSettings of the parsed generation options (the optional ones a command
    does not have, such as --compute-type, are None)."""

    return GenerationSettings(
        num_beams=args.num_beams,
        max_new_tokens=args.max_new_tokens,
        batch_size=args.batch_size,
        batch_tokens=args.batch_tokens,
        device=args.device,
        compute_type=getattr(args, "compute_type", None),
        min_new_tokens=getattr(args, "min_new_tokens", None),
        inter_threads=getattr(args, "inter_threads", None),
        intra_threads=getattr(args, "intra_threads", None),
    )


def add_cache_arguments(group) -> None:
    """The translation cache options, shared with `eval`."""
    group.add_argument("--no-cache", action="store_true", help="do not read or write the translation cache")
    group.add_argument(
        "--cache-dir", type=Path, help="translation cache folder (default: $NLEN_CACHE_DIR, else ~/.cache/nlen)"
    )
