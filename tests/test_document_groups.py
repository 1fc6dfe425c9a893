"""Small documents are translated together, so batches fill across them, and
each document still gets exactly what it would get alone."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SEED
from doubles import EchoTranslator

from pipeline.cli import main
from pipeline.document.core import document_groups, translate_documents
from pipeline.document.inputs import read_document
from pipeline.translate.base import GenerationSettings


def split_seed(folder: Path, parts: int = 3) -> list[Path]:
    """The seed article's paragraphs dealt into `parts` small documents."""
    paragraphs = SEED.read_text(encoding="utf-8").strip().split("\n\n")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(parts):
        path = folder / f"deel-{k}.txt"
        path.write_text("\n\n".join(paragraphs[k::parts]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_groups_are_consecutive_and_large_enough(tmp_path):
    docs = [read_document(p) for p in split_seed(tmp_path, 5)]
    sizes = [len(d.paragraphs) for d in docs]
    groups = list(document_groups(docs, 6))
    assert [d for g in groups for d in g] == docs  # every document once, in order
    for g in groups[:-1]:
        assert sum(len(d.paragraphs) for d in g) >= 6
        assert sum(len(d.paragraphs) for d in g[:-1]) < 6  # closed as soon as it is large enough
    assert list(document_groups(docs, 1)) == [[d] for d in docs]
    assert sum(sizes) == 14


def test_batches_cross_documents(tmp_path):
    docs = [read_document(p) for p in split_seed(tmp_path, 3)]
    echo = EchoTranslator(GenerationSettings(batch_size=16, max_new_tokens=64))
    results = translate_documents(docs, echo)
    assert len(echo.batches[0]) == 14  # all paragraphs of the three documents in one batch
    # and every document's rows are its own, every Dutch sentence once and in order
    for doc, result in zip(docs, results):
        ids = [i for row in result.rows for i in row.nl_ids]
        assert ids == [s.id for s in doc.sentences]
        assert {row.doc for row in result.rows} == {doc.name}
        assert result.counts["paragraphs"] == len(doc.paragraphs)
        assert result.counts["translation_units"] >= len(doc.paragraphs)


def test_together_or_alone_gives_the_same_bytes(tiny_marian, tmp_path):
    paths = split_seed(tmp_path / "in", 3)
    # default output bounds (per text), so the batch plans differ between the runs
    common = ["--model", str(tiny_marian), "--no-cache", "--no-progress"]
    assert main(["translate", str(tmp_path / "in"), "--out-dir", str(tmp_path / "together"), *common]) == 0
    for path in paths:
        assert main(["translate", str(path), "--out-dir", str(tmp_path / "alone"), *common]) == 0
    for path in paths:
        name = f"{path.stem}.tsv"
        assert (tmp_path / "together" / name).read_bytes() == (tmp_path / "alone" / name).read_bytes()
        group = json.loads((tmp_path / "together" / f"{path.stem}.json").read_text(encoding="utf-8"))["group"]
        assert group["documents"] == 3 and group["target_tokens"] > 0
