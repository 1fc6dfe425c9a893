"""A small real-looking corpus for the export and review tests: the hand-made
news reference (eval/reference/news.*) translated by `FaultyTranslator`
(tests/doubles.py), once dropping a sentence of each long paragraph (so the
repair fills beads) and once adding an English sentence that translates nothing
(so 0-1 beads with an empty Dutch side appear). Scores, repairs and flags are the pipeline's own; the English is
the reference's. Synthetic: a regression set, not a quality measurement."""

from __future__ import annotations

from pathlib import Path

from doubles import FaultyTranslator, news_document_text

from pipeline.job.run import run_translate
from pipeline.job.spec import TranslateJob


def build_news_corpus(folder: Path) -> Path:
    """folder/corpus/news-drop.tsv and news-extra.tsv (+ manifests); returns folder/corpus."""
    out = folder / "corpus"
    for mode in ("drop", "extra"):
        src = folder / "in" / f"news-{mode}.txt"
        src.parent.mkdir(parents=True, exist_ok=True)
        src.write_text(news_document_text(), encoding="utf-8")
        FaultyTranslator.mode = mode
        job = TranslateJob(out_dir=out, model="reference-lookup", backend="test-faulty", cache=False, progress=False)
        assert run_translate([str(src)], job) == 0
    return out
