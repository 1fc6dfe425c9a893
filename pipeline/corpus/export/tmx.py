"""TMX 1.4b, written streaming with lxml's `etree.xmlfile` (one `<tu>` in
memory at a time), so a corpus of any size exports in constant memory.

One `<tu tuid="doc:nl_ids:en_ids">` per bead with `<prop>`s `x-score`,
`x-repaired`, `x-flags` (when any) and `x-logprob` (when known), then a
`<tuv xml:lang="nl">` and a `<tuv xml:lang="en">`. A translation memory has no
use for a bead with an empty side (1-0, 0-1): those are left out and counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pipeline import __version__
from pipeline.corpus.export.base import (
    SRC_LANG,
    TGT_LANG,
    Exporter,
    ExportStats,
    has_both_sides,
    output_stream,
    register_exporter,
    xml_text,
)
from pipeline.corpus.read import row_key
from pipeline.types import AlignedRow

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The seven attributes TMX 1.4b requires on <header>.
HEADER = {
    "creationtool": "nlen",
    "creationtoolversion": __version__,
    "segtype": "sentence",
    "o-tmf": "nlen-tsv",  # the format the memory was converted from: nlen's corpus TSV
    "adminlang": "en",
    "srclang": SRC_LANG,
    "datatype": "plaintext",
}


def tu_element(row: AlignedRow):
    """The `<tu>` of one bead: its props and both `<tuv>`s."""
    from lxml import etree

    tu = etree.Element("tu", tuid=xml_text(row_key(row)))
    props = [("x-score", f"{row.score:.4f}"), ("x-repaired", "1" if row.repaired else "0")]
    if row.flags:
        props.append(("x-flags", ",".join(row.flags)))
    if row.logprob is not None:
        props.append(("x-logprob", f"{row.logprob:.4f}"))
    for kind, value in props:
        etree.SubElement(tu, "prop", type=kind).text = value
    for lang, text in ((SRC_LANG, row.nl), (TGT_LANG, row.en)):
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
        etree.SubElement(tuv, "seg").text = xml_text(text)
    return tu


@register_exporter("tmx")
class TmxExporter(Exporter):
    """Writes a TMX 1.4b translation memory (to a file or stdout)."""

    to_stdout = True

    def write(self, rows: Iterable[AlignedRow], out: Path | str) -> ExportStats:
        """Streams one `<tu>` per bead; beads with an empty side are left out."""
        stats = ExportStats(files=[str(out)])
        with output_stream(out) as f:
            self._write(rows, f, stats)
            f.write(b"\n")
        return stats

    def _write(self, rows: Iterable[AlignedRow], f, stats: ExportStats) -> None:
        from lxml import etree

        with etree.xmlfile(f, encoding="utf-8") as xf:
            xf.write_declaration()
            xf.write_doctype('<!DOCTYPE tmx SYSTEM "tmx14.dtd">')
            with xf.element("tmx", version="1.4"):
                xf.write("\n")
                xf.write(etree.Element("header", HEADER), pretty_print=True)
                with xf.element("body"):
                    xf.write("\n")
                    for row in rows:
                        if not has_both_sides(row):
                            stats.left_out["empty side"] += 1
                            continue
                        xf.write(tu_element(row), pretty_print=True)
                        stats.written += 1
                xf.write("\n")
