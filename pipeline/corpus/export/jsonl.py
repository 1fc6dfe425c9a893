"""JSONL: one bead a line with every TSV column (ids as lists, flags as a list,
`repaired` as a boolean, `logprob` null where unknown). Nothing is left out."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable
from pathlib import Path

from pipeline.corpus.export.base import Exporter, ExportStats, output_stream, register_exporter
from pipeline.corpus.read import row_key
from pipeline.errors import UserError
from pipeline.types import AlignedRow


def row_dict(row: AlignedRow) -> dict:
    """The row as a JSON object: every TSV column, ids and flags as lists, score rounded to 4 places.
    A score or logprob that is not a finite number is a UserError (JSON has no NaN or Infinity)."""
    for name, value in (("score", row.score), ("logprob", row.logprob)):
        if value is not None and not math.isfinite(value):
            raise UserError(f"bead {row_key(row)}: its {name} is {value}, which JSON cannot carry")
    d = dataclasses.asdict(row)
    d.update(nl_ids=list(row.nl_ids), en_ids=list(row.en_ids), flags=list(row.flags), score=round(row.score, 4))
    return d


@register_exporter("jsonl")
class JsonlExporter(Exporter):
    """Writes one JSON object a line (to a file or stdout)."""

    to_stdout = True

    def write(self, rows: Iterable[AlignedRow], out: Path | str) -> ExportStats:
        """One `row_dict` a line; every row is written."""
        stats = ExportStats(files=[str(out)])
        with output_stream(out) as f:
            for row in rows:
                f.write((json.dumps(row_dict(row), ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8"))
                stats.written += 1
        return stats
