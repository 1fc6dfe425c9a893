"""`nlen align SRC TGT [--mt MT]`: sentence-align two sentence-per-line files."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pipeline.commands.options import add_cache_arguments, add_model_arguments, settings_from_args
from pipeline.errors import UserError
from pipeline.textio import normalise_space as _clean  # no tab or newline in a field
from pipeline.textio import read_blocks, read_lines, read_text
from pipeline.translate import open_translator

NAME = "align"
HELP = "sentence-align SRC and TGT (one sentence per line, an empty line ends a block)"

log = logging.getLogger("nlen.align")

# pipeline.align.base.MAX_SIZE_LIMIT, not imported from there: that loads numpy and numba
MAX_SIZE_LIMIT = 16


def max_size(value: str) -> int:
    """Argument type of --max-size: a whole number from 1 to MAX_SIZE_LIMIT (the aligner's
    time and memory grow as its square)."""
    try:
        n = int(value)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_SIZE_LIMIT:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_SIZE_LIMIT}, got {value}")
    return n


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `nlen align`."""

    parser.add_argument("src", metavar="SRC", help="source sentences, one per line ('-' = stdin)")
    parser.add_argument("tgt", metavar="TGT", help="target sentences, one per line ('-' = stdin)")
    parser.add_argument("--format", choices=["ladder", "tsv"], default="ladder", help="output format (default: ladder)")
    al = parser.add_argument_group("alignment")
    al.add_argument("--mt", metavar="MT", help="translation of SRC into the target language, line by line with SRC")
    al.add_argument(
        "--dictionary",
        metavar="FILE",
        help="word pairs, one 'source<TAB>target' a line, added to what the aligner learns from the input",
    )
    al.add_argument("--method", default="default", help="aligner name (default: nlen; baseline: galechurch)")
    al.add_argument(
        "--max-size",
        type=max_size,
        default=None,
        metavar="N",
        help=f"most sentences on one side of a bead, 1 to {MAX_SIZE_LIMIT} (default: 4)",
    )
    # --mt-model: translate SRC sentence by sentence with a model instead of reading --mt
    add_model_arguments(parser, model_option="--mt-model", model_default=None, with_unit=False)
    add_cache_arguments(parser.add_argument_group("cache"))


def run(args: argparse.Namespace) -> int:
    """Run `nlen align`; returns the exit code."""
    # The aligner is imported here so that `nlen --help` does not pay for numpy and numba.
    from pipeline.align import align_blocks, get_aligner
    from pipeline.align.ladder import check_blocks_match, format_bead

    names = [args.src, args.tgt] + ([args.mt] if args.mt else [])
    if names.count("-") > 1:
        raise UserError("only one of SRC, TGT and MT can be '-' (stdin)")
    if args.mt and args.mt_model:
        raise UserError("give --mt or --mt-model, not both")
    get_aligner(args.method, max_size=args.max_size, dictionary=args.dictionary)  # fail early on a bad name or size
    src_text = read_text(args.src, "SRC")
    tgt_text = read_text(args.tgt, "TGT")
    src_blocks = read_blocks(src_text)
    tgt_blocks = read_blocks(tgt_text)
    check_blocks_match(src_blocks, tgt_blocks, f"SRC {args.src}", f"TGT {args.tgt}")
    mt_blocks = None
    if args.mt:
        mt_blocks = _mt_blocks(read_lines(read_text(args.mt, "MT")), read_lines(src_text), args)
    if not src_blocks:
        log.warning("no sentences in %s and %s: nothing to align", args.src, args.tgt)
    elif args.mt_model:
        mt_blocks = _translate(src_blocks, args)

    pairs = align_blocks(
        src_blocks, tgt_blocks, mt_blocks, method=args.method, max_size=args.max_size, dictionary=args.dictionary
    )
    out = sys.stdout
    if hasattr(out, "reconfigure"):
        out.reconfigure(encoding="utf-8", newline="\n")
    if args.format == "ladder":
        for _, bead in pairs:
            out.write(format_bead(bead) + "\n")
    else:
        src_all = [s for b in src_blocks for s in b]
        tgt_all = [t for b in tgt_blocks for t in b]
        doc = "stdin" if args.src == "-" else Path(args.src).stem
        out.write("nl\ten\tdoc\tparagraph\tnl_ids\ten_ids\tscore\n")
        for block, bead in pairs:
            nl = _clean(" ".join(src_all[i] for i in bead.src))
            en = _clean(" ".join(tgt_all[j] for j in bead.tgt))
            ids_s = ",".join(map(str, bead.src))
            ids_t = ",".join(map(str, bead.tgt))
            out.write(f"{nl}\t{en}\t{_clean(doc)}\t{block}\t{ids_s}\t{ids_t}\t{bead.score:.4f}\n")
    out.flush()
    kinds: dict[str, int] = {}
    for _, bead in pairs:
        kinds[bead.kind] = kinds.get(bead.kind, 0) + 1
    log.debug("beads by type: %s", kinds)
    return 0


def _translate(src_blocks: list[list[str]], args) -> list[list[str]]:
    """SRC translated sentence by sentence (Bleualign-style MT) with --mt-model,
    batched and cached as `nlen translate` does."""

    flat = [s for block in src_blocks for s in block]
    with open_translator(
        args.backend,
        args.mt_model,
        settings_from_args(args),
        revision=args.revision,
        family=args.family,
        cache=not args.no_cache,
        cache_dir=args.cache_dir,
    ) as translator:
        english = translator.translate(flat)
    out, k = [], 0
    for block in src_blocks:
        out.append(english[k : k + len(block)])
        k += len(block)
    log.info("translated %d SRC sentences with %s (%s)", len(flat), args.mt_model, args.backend)
    return out


def _mt_blocks(mt_lines: list[str], src_lines: list[str], args) -> list[list[str]]:
    """MT lines regrouped like SRC's blocks.

    MT is line by line with SRC: same line count (empty lines in the same places).
    An MT file without the empty lines (one line per SRC sentence) is accepted too.
    """

    n_src = len(src_lines)
    nonempty = [k for k, line in enumerate(src_lines) if line]
    if len(mt_lines) == n_src:
        misplaced = next((k for k in range(n_src) if mt_lines[k] and not src_lines[k]), None)
        if misplaced is not None:
            raise UserError(
                f"MT {args.mt} line {misplaced + 1} has text where SRC {args.src} has an empty line "
                "(a block break); MT must be line by line with SRC, empty lines in the same places"
            )
        picked = [mt_lines[k] for k in nonempty]
    elif len(mt_lines) == len(nonempty):
        picked = list(mt_lines)
    else:
        raise UserError(
            f"MT {args.mt} has {len(mt_lines)} lines but SRC {args.src} has {n_src} lines "
            f"({len(nonempty)} non-empty); MT must be line by line with SRC"
        )
    empty = [k for k, line in enumerate(picked) if not line]
    if empty:
        log.warning(
            "MT %s: empty for %d SRC sentence(s) (the first on SRC line %d); aligned as an empty translation",
            args.mt,
            len(empty),
            nonempty[empty[0]] + 1,
        )
    blocks: list[list[str]] = []
    cur: list[str] = []
    k = 0
    prev_empty = True
    for line in src_lines:
        if line:
            cur.append(picked[k])
            k += 1
            prev_empty = False
        else:
            if not prev_empty:
                blocks.append(cur)
                cur = []
            prev_empty = True
    if cur:
        blocks.append(cur)
    return blocks
