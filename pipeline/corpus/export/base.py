"""The exporter interface and registry (OpusFilter-like: implementations found by name)."""

from __future__ import annotations

import importlib
import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.corpus.write import atomic_stream
from pipeline.errors import UserError
from pipeline.types import AlignedRow

# Format name → module that registers it; imported when asked for.
EXPORT_MODULES = {
    "tmx": "pipeline.corpus.export.tmx",
    "moses": "pipeline.corpus.export.moses",
    "xces": "pipeline.corpus.export.xces",
    "jsonl": "pipeline.corpus.export.jsonl",
}
EXPORTERS: dict[str, type[Exporter]] = {}

SRC_LANG, TGT_LANG = "nl", "en"


@dataclass
class ExportStats:
    """What an export wrote and what it left out (and why)."""

    written: int = 0  # beads (rows) written
    left_out: Counter = field(default_factory=Counter)  # reason → beads
    notes: Counter = field(default_factory=Counter)  # other events → beads (written all the same)
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The stats as plain JSON types, for the export report."""
        return {
            "written": self.written,
            "left_out": dict(self.left_out),
            "notes": dict(self.notes),
            "files": self.files,
        }


class Exporter(ABC):
    """Writes rows (in order, already filtered) in one format."""

    name: str = "?"
    # what --out names: a file ('-' = stdout where allowed), a file prefix, or a folder
    out_kind: str = "file"
    to_stdout: bool = False

    @abstractmethod
    def write(self, rows: Iterable[AlignedRow], out: Path | str) -> ExportStats:
        """Write `rows` to `out`, atomically per file; return the counts."""


def register_exporter(name: str):
    """Class decorator: register an Exporter under the format `name` (and set its `name`)."""

    def deco(cls: type[Exporter]) -> type[Exporter]:
        cls.name = name
        EXPORTERS[name] = cls
        return cls

    return deco


def get_exporter(name: str, **options) -> Exporter:
    """An exporter for the format `name` (its module imported on first use), constructed with
    `options`; an unknown name is a UserError."""
    if name not in EXPORTERS:
        if name not in EXPORT_MODULES:
            raise UserError(f"unknown export format {name!r} (choose from {', '.join(EXPORT_MODULES)})")
        importlib.import_module(EXPORT_MODULES[name])
    return EXPORTERS[name](**options)


def output_stream(out: Path | str):
    """A binary stream for a one-file export: stdout for '-', else an atomic file."""
    import sys
    from contextlib import nullcontext

    return nullcontext(sys.stdout.buffer) if str(out) == "-" else atomic_stream(out)


def has_both_sides(row: AlignedRow) -> bool:
    """Whether the bead has text on both sides (false for 1-0 and 0-1 beads)."""
    return bool(row.nl.strip()) and bool(row.en.strip())


# XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (the reader already removed controls)."""
    return _NOT_XML.sub("", text)
