"""Reading finished corpora back: corpus TSVs, `translate` out-dirs (their
units: articles and JSONL shards) or other folders of TSVs, as `AlignedRow`s
in order. `export` and `review` read through here.

The TSV format is the one pipeline/corpus/write.py writes (corpus/parallel/README.md):
a header naming the columns, then one bead a row. Columns are found by name,
so older files without `flags` or `logprob` still read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.corpus.merge import check_complete, find_units, units_by_config
from pipeline.errors import InputError
from pipeline.textio import iter_lines
from pipeline.types import AlignedRow

REQUIRED = ("nl", "en", "doc", "paragraph", "nl_ids", "en_ids", "score", "repaired")


@dataclass(frozen=True)
class Source:
    """One TSV and where it came from (the argument it was found under)."""

    path: Path
    given: str


def corpus_files(inputs: Iterable[str | Path], config: str | None = None) -> list[Source]:
    """CORPUS arguments → TSV files, in order: a file as given; a `translate`
    out-dir as its units (articles, JSONL shards) of one configuration in input
    order, all of them done and whole, as `nlen merge` takes them; any other
    folder as its `*.tsv` sorted by name."""

    found: list[Source] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            if units_by_config(path):
                _, units = find_units(path, config)
                check_complete(path, units)
                found.extend(Source(path / manifest["output"]["tsv"], str(item)) for _, manifest in units)
                continue
            tsvs = sorted(p for p in path.glob("*.tsv") if p.is_file() and not p.name.startswith("."))
            if not tsvs:
                raise InputError(path, "no corpus TSVs (*.tsv) in this folder")
            found.extend(Source(p, str(item)) for p in tsvs)
        elif path.is_file() or str(item) == "-":
            found.append(Source(path, str(item)))
        else:
            raise InputError(path, "no such file or folder")
    return found


def _ids(value: str, path: Path | str, line: int, column: str) -> tuple[int, ...]:
    if not value:
        return ()
    try:
        return tuple(int(v) for v in value.split(","))
    except ValueError:
        raise InputError(f"{path}:{line}", f"column {column}: not comma-separated sentence ids: {value!r}") from None


def _number(value: str, path: Path | str, line: int, column: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{path}:{line}", f"column {column}: not a number: {value!r}") from None
    if not math.isfinite(number):  # nan, inf or 1e999: no export or report could carry it
        raise InputError(f"{path}:{line}", f"column {column}: not a finite number: {value!r}")
    return number


def read_tsv(path: Path | str) -> Iterator[AlignedRow]:
    """The rows of one corpus TSV, read a line at a time (a merged corpus may
    not fit in memory). A malformed file is an InputError naming the line."""
    path = Path(path) if str(path) != "-" else "-"
    lines = iter_lines(path, "corpus TSV")
    _, first = next(lines, (1, ""))
    header = first.split("\t") if first else []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(path, f"not an nlen corpus TSV (missing column(s) {', '.join(missing)})")
    col = {name: i for i, name in enumerate(header)}
    flags_at, logprob_at, block_at = col.get("flags"), col.get("logprob"), col.get("block")
    for number, line in lines:
        if not line:
            continue
        f = line.split("\t")
        if len(f) != len(header):
            raise InputError(f"{path}:{number}", f"{len(f)} fields, the header has {len(header)}")
        try:
            paragraph = int(f[col["paragraph"]])
        except ValueError:
            raise InputError(f"{path}:{number}", f"column paragraph: not a number: {f[col['paragraph']]!r}") from None
        logprob = f[logprob_at] if logprob_at is not None else ""
        yield AlignedRow(
            nl=f[col["nl"]],
            en=f[col["en"]],
            doc=f[col["doc"]],
            paragraph=paragraph,
            nl_ids=_ids(f[col["nl_ids"]], path, number, "nl_ids"),
            en_ids=_ids(f[col["en_ids"]], path, number, "en_ids"),
            score=_number(f[col["score"]], path, number, "score"),
            repaired=f[col["repaired"]] == "1",
            flags=tuple(x for x in f[flags_at].split(",") if x) if flags_at is not None else (),
            logprob=_number(logprob, path, number, "logprob") if logprob else None,
            block=f[block_at] if block_at is not None else "p",  # TSVs before the column: paragraphs
        )


def read_corpus(inputs: Iterable[str | Path], config: str | None = None) -> Iterator[AlignedRow]:
    """Every row of every CORPUS argument, in order (`config`: which configuration
    of an out-dir that holds several)."""
    for source in corpus_files(inputs, config):
        yield from read_tsv(source.path)


def row_key(row: AlignedRow) -> str:
    """A bead's stable name: `doc:nl_ids:en_ids` (ids comma-separated, as in the
    TSV). Unique within a corpus: each sentence id is in one bead. The TMX
    `tuid`, the review page and its decisions file use it."""
    return f"{row.doc}:{','.join(map(str, row.nl_ids))}:{','.join(map(str, row.en_ids))}"
