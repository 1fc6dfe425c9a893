"""Moses plain text: `PREFIX.nl-en.nl` and `PREFIX.nl-en.en`, one bead a line
(the sentences of a multi-sentence bead joined by a space, as in the TSV), the
same line count in both. Beads with an empty side are left out and counted.
With `meta=True` also `PREFIX.nl-en.meta`: a TSV without header, line for
line: doc, nl_ids, en_ids, score, repaired, flags.

`--out` is the prefix; an existing folder means `FOLDER/corpus`.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path

from pipeline.corpus.export.base import SRC_LANG, TGT_LANG, Exporter, ExportStats, has_both_sides, register_exporter
from pipeline.corpus.write import atomic_stream, format_ids
from pipeline.types import AlignedRow


def moses_paths(out: Path | str, meta: bool) -> dict[str, Path]:
    """The output files for the prefix `out` (a folder means FOLDER/corpus): nl and en, and
    meta when `meta` is true."""
    prefix = Path(out)
    if prefix.is_dir():
        prefix = prefix / "corpus"
    pair = f"{SRC_LANG}-{TGT_LANG}"
    paths = {lang: prefix.with_name(f"{prefix.name}.{pair}.{lang}") for lang in (SRC_LANG, TGT_LANG)}
    if meta:
        paths["meta"] = prefix.with_name(f"{prefix.name}.{pair}.meta")
    return paths


@register_exporter("moses")
class MosesExporter(Exporter):
    """Writes the Moses text files (and the meta file, with `meta=True`)."""

    out_kind = "prefix"

    def __init__(self, meta: bool = False):
        self.meta = meta

    def write(self, rows: Iterable[AlignedRow], out: Path | str) -> ExportStats:
        """Writes the two sides line for line (and meta); beads with an empty side are left out."""
        paths = moses_paths(out, self.meta)
        stats = ExportStats(files=[str(p) for p in paths.values()])
        with ExitStack() as stack:
            files = {key: stack.enter_context(atomic_stream(path)) for key, path in paths.items()}
            for row in rows:
                if not has_both_sides(row):
                    stats.left_out["empty side"] += 1
                    continue
                files[SRC_LANG].write((row.nl + "\n").encode("utf-8"))
                files[TGT_LANG].write((row.en + "\n").encode("utf-8"))
                if self.meta:
                    fields = (
                        row.doc,
                        format_ids(row.nl_ids),
                        format_ids(row.en_ids),
                        f"{row.score:.4f}",
                        "1" if row.repaired else "0",
                        ",".join(row.flags),
                    )
                    files["meta"].write(("\t".join(fields) + "\n").encode("utf-8"))
                stats.written += 1
        return stats
