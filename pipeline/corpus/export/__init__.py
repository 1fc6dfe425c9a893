"""Corpus exports by name: `tmx`, `moses`, `xces`, `jsonl` (pipeline/corpus/export/<name>.py).

exporter = get_exporter("tmx")
stats = exporter.write(rows, Path("corpus.tmx"))
"""

from pipeline.corpus.export.base import EXPORTERS, Exporter, ExportStats, get_exporter, register_exporter

__all__ = ["EXPORTERS", "ExportStats", "Exporter", "get_exporter", "register_exporter"]
