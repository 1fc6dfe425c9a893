"""What is scored: a translation of a set through nlen's core (the model's own output and the
pipeline's, with the model's faults), or an existing corpus TSV."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.document.checks import FAULT_CHECKS, Checker
from pipeline.document.core import translate_document
from pipeline.errors import UserError
from pipeline.evaluation.sets import Reference, relative_to_checkout
from pipeline.textio import decode, read_bytes, read_text
from pipeline.translate import open_translator
from pipeline.types import Document, Paragraph, Sentence

# --------------------------------------------------------------------------
# hypotheses


@dataclass
class Hypothesis:
    """The English to score against a reference set, with where it came from."""

    paragraphs: list[str]  # the English of each reference paragraph, as the pipeline delivers it (after repair)
    source: dict  # where it came from (translate / tsv)
    model: dict  # model description (describe() or the TSV manifest's "model")
    nl_paragraphs: list[str] | None = None  # Dutch as the hypothesis side saw it (tsv)
    unit: str | None = None  # what the model translated at once (paragraph / sentence); None: unknown (tsv)
    sentences: list[str] | None = None  # unit "sentence": the English of each Dutch sentence, in order
    model_paragraphs: list[str] | None = None  # the model's own translations, before repair (None: unknown)
    faults: dict | None = None  # the model's faults (see `model_faults`)


def read_tsv_paragraphs(path: Path, text: str | None = None) -> tuple[list[str], list[str]]:
    """A corpus TSV (its `text`, if already read) → (English paragraphs, Dutch
    paragraphs), rows grouped by (doc, paragraph) in order of appearance."""

    if text is None:
        text = read_text(path, "corpus TSV")
    lines = text.split("\n")
    header = lines[0].split("\t") if lines and lines[0] else []
    missing = [c for c in ("nl", "en", "doc", "paragraph") if c not in header]
    if missing:
        raise UserError(f"{path}: not an nlen corpus TSV (missing column(s) {', '.join(missing)})")
    col = {name: header.index(name) for name in header}
    groups: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for number, line in enumerate(lines[1:], 2):
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != len(header):
            raise UserError(f"{path}:{number}: {len(fields)} fields, the header has {len(header)}")
        key = (fields[col["doc"]], fields[col["paragraph"]])
        en, nl = groups.setdefault(key, ([], []))
        if fields[col["en"]].strip():
            en.append(fields[col["en"]].strip())
        if fields[col["nl"]].strip():
            nl.append(fields[col["nl"]].strip())
    return [" ".join(en) for en, _ in groups.values()], [" ".join(nl) for _, nl in groups.values()]


def tsv_model(path: Path) -> dict:
    """The model section of the TSV's run manifest (<stem>.json beside it); {} when
    there is none (or the TSV came from stdin). A manifest that is there but
    unusable is a UserError: its model would be recorded wrongly."""
    import json

    manifest = path.with_suffix(".json")
    if str(path) == "-" or not manifest.is_file():
        return {}
    try:
        model = json.loads(manifest.read_text(encoding="utf-8")).get("model")
    except (OSError, ValueError, AttributeError) as exc:
        raise UserError(
            f"{manifest}: the TSV's manifest is not a readable JSON object ({exc}); move it away to score without it"
        ) from None
    if model is None:
        return {}
    if not isinstance(model, dict) or not isinstance(model.get("model"), str):
        raise UserError(
            f'{manifest}: the manifest\'s "model" is not an object with a string "model" id; '
            "move the manifest away to score without it"
        )
    return model


def hypothesis_from_tsv(path: Path) -> Hypothesis:
    """A corpus TSV, or stdin for `-`, read once (so stdin is hashed as read)."""

    data = read_bytes(path, "corpus TSV")
    en, nl = read_tsv_paragraphs(path, decode(data, path))
    info = {"path": "-" if str(path) == "-" else relative_to_checkout(path), "sha256": hashlib.sha256(data).hexdigest()}
    return Hypothesis(en, {"kind": "tsv", "tsv": info}, tsv_model(path), nl)


def reference_document(ref: Reference):
    """The reference's Dutch as a Document, with the reference's own sentence
    lines, so the translation path is exactly `nlen translate`'s."""

    hasher = hashlib.sha256()
    paragraphs, next_id = [], 0
    for index, sents in enumerate(ref.nl):
        sentences = [Sentence(next_id + k, s) for k, s in enumerate(sents)]
        next_id += len(sents)
        paragraphs.append(Paragraph(index, " ".join(sents), sentences))
        hasher.update("\n".join(sents).encode("utf-8") + b"\n\n")
    return Document(name=ref.name, path=ref.path("nl"), sha256=hasher.hexdigest(), paragraphs=paragraphs)


def translate_hypothesis(
    translator, ref: Reference, aligner: str = "default", progress=None, unit: str = "paragraph"
) -> Hypothesis:
    """Translate the reference's Dutch through the core, as `nlen translate`
    does (batches, chunking of over-long paragraphs, alignment and repair), by
    paragraph or by sentence. Keeps both the model's own translations and the
    pipeline's, and counts the model's faults."""

    result = translate_document(reference_document(ref), translator, aligner, progress=progress, unit=unit)
    english: list[list[str]] = [[] for _ in ref.nl]
    for row in result.rows:
        if row.en.strip():
            english[row.paragraph].append(row.en.strip())
    sentences = [row.en.strip() for row in result.rows] if unit == "sentence" else None
    return Hypothesis(
        [" ".join(p) for p in english],
        {"kind": "translate", "counts": result.counts},
        {},
        unit=unit,
        sentences=sentences,
        model_paragraphs=[t.text for t in result.paragraphs],
        faults=model_faults(ref, unit, result),
    )


def model_faults(ref: Reference, unit: str, result) -> dict:
    """The model's faults on this set (a DocumentResult of the core), before any
    repair: per translated text (a paragraph, or a sentence with unit
    "sentence") the reference-free checks of pipeline/document/checks.py (repetition
    loops, copies of the source, outputs cut at their length bound, empty
    outputs), and from the alignment before the repair fills anything in
    (paragraph unit only) the Dutch sentences dropped (1-0 beads) and the merged
    beads (several Dutch sentences, one English)."""

    if unit == "sentence":  # one row per sentence, its English the model's own
        sources, outputs = [r.nl for r in result.rows], [r.en for r in result.rows]
        truncated = ["truncated" in r.flags for r in result.rows]
    else:
        sources, outputs = ref.nl_paragraphs, [t.text for t in result.paragraphs]
        truncated = [t.truncated for t in result.paragraphs]
    flagged = Checker(FAULT_CHECKS).count(sources, outputs, truncated)
    alignment = result.counts.get("model_faults") or {}
    repair = result.counts.get("repair") or {}
    return {
        "unit": unit,
        "texts": len(outputs),
        "dropped": alignment.get("dropped") if unit == "paragraph" else None,
        "merged": alignment.get("merged") if unit == "paragraph" else None,
        **{name: flagged[name] for name in FAULT_CHECKS},
        "repaired": repair.get("repaired", 0),
        "unrepaired_1_0": repair.get("unrepaired_1_0", 0),
        # Dutch sentences the pipeline's output leaves with no English, in either unit
        "no_english": result.counts.get("untranslated", 0),
    }


def translate_reference(
    ref: Reference,
    model: str,
    backend: str,
    settings,
    *,
    revision: str | None = None,
    family: str | None = None,
    aligner: str = "default",
    progress: bool = True,
    unit: str = "paragraph",
    cache: bool = True,
    cache_dir: Path | None = None,
) -> Hypothesis:
    """Load the model, translate the reference's Dutch (through the translation
    cache, as `nlen translate` does, unless `cache` is off), free the model."""
    from tqdm import tqdm

    with open_translator(
        backend, model, settings, revision=revision, family=family, cache=cache, cache_dir=cache_dir
    ) as translator:
        described = translator.describe()
        with tqdm(
            total=sum(map(len, ref.nl)), unit="sent", desc="translate", file=sys.stderr, disable=not progress
        ) as bar:
            hyp = translate_hypothesis(translator, ref, aligner, progress=bar.update, unit=unit)
        counters = translator.counters
        hyp.source["translation"] = {
            "seconds": round(counters.seconds, 3),
            "target_tokens": counters.target_tokens,
            "truncated": counters.truncated,
        }
        if cache:
            hyp.source["cache"] = {"hits": counters.cache_hits, "misses": counters.cache_misses}
    hyp.model = described
    return hyp


def check_counts(hyp: Sequence[str], ref: Reference) -> None:
    """Equal paragraph counts and some text, or a UserError; never truncate or pad."""
    if len(hyp) != len(ref.en):
        raise UserError(
            f"the hypothesis has {len(hyp)} paragraphs but the reference "
            f"{relative_to_checkout(ref.path('en'))} has {len(ref.en)}; "
            "nothing is truncated or padded"
        )
    if not any(p.strip() for p in hyp):
        raise UserError("the hypothesis is empty: every paragraph translated to nothing")
