"""Scoring against the hand-made reference with sacrebleu.

* Corpus level on **paragraph** segments (one hypothesis paragraph against one
  reference paragraph), so that sentence splitting cannot move the score:
  BLEU, chrF2, chrF++ (word_order=2) and TER, each with its sacrebleu signature
  and sacrebleu's own 95% bootstrap confidence interval (what `sacrebleu
  --confidence` prints: the bootstrap mean ± half the width of the 95%
  percentile interval; resampling seeded through SACREBLEU_SEED).
* Sentence level through the alignment: inside each paragraph the hypothesis
  sentences are aligned to the reference sentences (`pipeline.align.align`
  with the reference as `src_mt`, so the aligner compares English with
  English), every bead is scored with sentence chrF, and the worst are listed.

Nothing here imports torch or transformers: `nlen eval --tsv` scores an
existing corpus without loading a model.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from pipeline.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = ROOT / "eval" / "reference"
NAMED_SETS = ("seed", "news")
DEFAULT_SEED = 12345  # sacrebleu's own default for SACREBLEU_SEED
DEFAULT_BOOTSTRAP = 1000
WORST_N = 10


# --------------------------------------------------------------------------
# reference sets


@dataclass
class Reference:
    """A sentence-aligned reference set: `<prefix>.nl`, `<prefix>.en`, `<prefix>.gold`."""

    name: str
    prefix: Path
    nl: list[list[str]]  # paragraphs → sentences
    en: list[list[str]]
    gold: list[tuple[tuple[int, ...], tuple[int, ...]]] | None  # global ids among non-empty lines
    files: dict[str, dict] = field(default_factory=dict)

    @property
    def nl_paragraphs(self) -> list[str]:
        return [" ".join(p) for p in self.nl]

    @property
    def en_paragraphs(self) -> list[str]:
        return [" ".join(p) for p in self.en]

    def summary(self) -> dict:
        return {
            "name": self.name, "prefix": _rel(self.prefix), "paragraphs": len(self.en),
            "sentences_nl": sum(map(len, self.nl)), "sentences_en": sum(map(len, self.en)),
            "files": self.files,
        }


def _rel(path: Path | str) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def resolve_set(value: str) -> tuple[str, Path]:
    """'seed' / 'news' → eval/reference/<name>; anything else is a path prefix
    (a trailing .nl/.en/.gold is dropped, so `eval/reference/seed.en` works too)."""
    if value in NAMED_SETS:
        return value, REFERENCE_DIR / value
    prefix = Path(value)
    if prefix.suffix in (".nl", ".en", ".gold"):
        prefix = prefix.with_suffix("")
    return prefix.name, prefix


def read_reference_text(path: Path) -> str:
    from pipeline.textio import read_text

    return read_text(path, "reference file")  # an InputError is a UserError: one line, exit 2


def read_blocks(path: Path) -> list[list[str]]:
    """One sentence per line, an empty line between paragraphs."""
    from pipeline.textio import read_blocks as blocks

    return blocks(read_reference_text(path))


def parse_gold(path: Path, n_src: int, n_tgt: int) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Ladder format `[i]:[j]`, `[i, i+1]:[j]`; checked to cover every line once, in order."""
    from pipeline.align.ladder import parse_ladder

    beads = [(b.src, b.tgt) for b in parse_ladder(read_reference_text(path).split("\n"), str(path))]
    for side, n, ids in (("Dutch", n_src, [i for b in beads for i in b[0]]), ("English", n_tgt, [j for b in beads for j in b[1]])):
        if ids != list(range(n)):
            raise UserError(f"{path}: the gold alignment does not cover the {n} {side} sentences once each, in order")
    return beads


def _file_info(path: Path) -> dict:
    return {"path": _rel(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def load_reference(value: str = "seed") -> Reference:
    name, prefix = resolve_set(value)
    nl_path, en_path, gold_path = (prefix.parent / f"{prefix.name}.{ext}" for ext in ("nl", "en", "gold"))
    nl, en = read_blocks(nl_path), read_blocks(en_path)
    if not en:
        raise UserError(f"reference file {en_path} holds no text")
    if len(nl) != len(en):
        raise UserError(f"reference {prefix}: {nl_path.name} has {len(nl)} paragraphs but {en_path.name} has {len(en)}")
    files = {"nl": _file_info(nl_path), "en": _file_info(en_path)}
    gold = None
    if gold_path.is_file():
        gold = parse_gold(gold_path, sum(map(len, nl)), sum(map(len, en)))
        files["gold"] = _file_info(gold_path)
    return Reference(name, prefix, nl, en, gold, files)


# --------------------------------------------------------------------------
# hypotheses


@dataclass
class Hypothesis:
    paragraphs: list[str]
    source: dict  # where it came from (translate / tsv)
    model: dict  # model description (describe() or the TSV manifest's "model")
    nl_paragraphs: list[str] | None = None  # Dutch as the hypothesis side saw it (tsv)


def read_tsv_paragraphs(path: Path, text: str | None = None) -> tuple[list[str], list[str]]:
    """A corpus TSV (its `text`, if already read) → (English paragraphs, Dutch
    paragraphs), rows grouped by (doc, paragraph) in order of appearance."""
    from pipeline.textio import read_text

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
        raise UserError(f"{manifest}: the TSV's manifest is not a readable JSON object ({exc}); move it away to score without it") from None
    if model is None:
        return {}
    if not isinstance(model, dict) or not isinstance(model.get("model"), str):
        raise UserError(f"{manifest}: the manifest's \"model\" is not an object with a string \"model\" id; "
                        "move the manifest away to score without it")
    return model


def hypothesis_from_tsv(path: Path) -> Hypothesis:
    """A corpus TSV, or stdin for `-`, read once (so stdin is hashed as read)."""
    from pipeline.textio import decode, read_bytes

    data = read_bytes(path, "corpus TSV")
    en, nl = read_tsv_paragraphs(path, decode(data, path))
    info = {"path": "-" if str(path) == "-" else _rel(path), "sha256": hashlib.sha256(data).hexdigest()}
    return Hypothesis(en, {"kind": "tsv", "tsv": info}, tsv_model(path), nl)


def reference_document(ref: Reference):
    """The reference's Dutch as a Document, with the reference's own sentence
    lines, so the translation path is exactly `nlen translate`'s."""
    from pipeline.types import Document, Paragraph, Sentence

    hasher = hashlib.sha256()
    paragraphs, next_id = [], 0
    for index, sents in enumerate(ref.nl):
        sentences = [Sentence(next_id + k, s) for k, s in enumerate(sents)]
        next_id += len(sents)
        paragraphs.append(Paragraph(index, " ".join(sents), sentences))
        hasher.update("\n".join(sents).encode("utf-8") + b"\n\n")
    return Document(name=ref.name, path=ref.prefix.with_suffix(".nl"), sha256=hasher.hexdigest(), paragraphs=paragraphs)


def translate_paragraphs(translator, ref: Reference, aligner: str = "default", progress=None) -> tuple[list[str], dict]:
    """Translate the reference's Dutch paragraph by paragraph (long paragraphs
    chunked as in `nlen translate`); returns the English paragraphs and counts."""
    from pipeline.core import translate_document

    result = translate_document(reference_document(ref), translator, aligner, progress=progress)
    english: list[list[str]] = [[] for _ in ref.nl]
    for row in result.rows:
        if row.en.strip():
            english[row.paragraph].append(row.en.strip())
    return [" ".join(p) for p in english], result.counts


def translate_reference(ref: Reference, model: str, backend: str, settings, *, revision: str | None = None,
                        family: str | None = None, aligner: str = "default", progress: bool = True) -> Hypothesis:
    """Load the model, translate the reference's Dutch, free the model."""
    from tqdm import tqdm

    from pipeline.translate import load_translator

    with load_translator(backend, model, settings, revision=revision, family=family) as translator:
        described = translator.describe()
        with tqdm(total=sum(map(len, ref.nl)), unit="sent", desc="translate", file=sys.stderr, disable=not progress) as bar:
            paragraphs, counts = translate_paragraphs(translator, ref, aligner, progress=bar.update)
    return Hypothesis(paragraphs, {"kind": "translate", "counts": counts}, described)


def check_counts(hyp: Sequence[str], ref: Reference) -> None:
    """Equal paragraph counts and some text, or a UserError; never truncate or pad."""
    if len(hyp) != len(ref.en):
        raise UserError(
            f"the hypothesis has {len(hyp)} paragraphs but the reference {_rel(ref.prefix)}.en has {len(ref.en)}; "
            "nothing is truncated or padded"
        )
    if not any(p.strip() for p in hyp):
        raise UserError("the hypothesis is empty: every paragraph translated to nothing")


# --------------------------------------------------------------------------
# corpus-level scores


def make_metrics() -> dict:
    """Fresh sacrebleu metric objects, keyed by the name sacrebleu gives their scores."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    return {"BLEU": BLEU(), "chrF2": CHRF(), "chrF2++": CHRF(word_order=2), "TER": TER()}


@contextlib.contextmanager
def sacrebleu_seed(seed: int | None) -> Iterator[None]:
    """sacrebleu seeds its resampling from SACREBLEU_SEED; set it for the block."""
    old = os.environ.get("SACREBLEU_SEED")
    os.environ["SACREBLEU_SEED"] = "None" if seed is None else str(seed)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SACREBLEU_SEED", None)
        else:
            os.environ["SACREBLEU_SEED"] = old


def corpus_scores(hyps: Sequence[str], refs: Sequence[str], n_bootstrap: int = DEFAULT_BOOTSTRAP,
                  seed: int | None = DEFAULT_SEED) -> dict[str, dict]:
    """BLEU, chrF2, chrF++ and TER on paragraph segments, with signatures and CIs.

    The numbers and signatures are those `sacrebleu REF -i HYP -m bleu chrf ter
    --confidence` prints (`--chrf-word-order 2` for chrF++)."""
    out: dict[str, dict] = {}
    with sacrebleu_seed(seed):
        for metric in make_metrics().values():
            score = metric.corpus_score(list(hyps), [list(refs)], n_bootstrap=n_bootstrap)
            signature = metric.get_signature().format()
            entry = {"score": float(score.score), "signature": signature, "formatted": score.format(signature=signature)}
            if n_bootstrap > 1:
                entry["ci"] = {"mean": float(score._mean), "half_width": float(score._ci), "n_bootstrap": n_bootstrap, "seed": seed}
            if getattr(score, "_verbose", ""):
                entry["verbose"] = score._verbose
            out[score.name] = entry
    return out


# --------------------------------------------------------------------------
# sentence level


@dataclass
class SentencePair:
    paragraph: int
    ref_ids: tuple[int, ...]  # global ids among the reference's English lines
    hyp_ids: tuple[int, ...]  # ids among the hypothesis sentences of the paragraph
    hypothesis: str
    reference: str
    source: str  # Dutch, through the gold alignment when there is one
    chrf: float = 0.0

    @property
    def kind(self) -> str:
        return f"{len(self.hyp_ids)}-{len(self.ref_ids)}"

    def to_dict(self) -> dict:
        return {
            "paragraph": self.paragraph, "ref_ids": list(self.ref_ids), "hyp_ids": list(self.hyp_ids),
            "kind": self.kind, "chrF2": round(self.chrf, 4), "hypothesis": self.hypothesis,
            "reference": self.reference, "source": self.source,
        }


def sentence_pairs(hyp_paragraphs: Sequence[str], ref: Reference, aligner: str = "default") -> list[SentencePair]:
    """Split each hypothesis paragraph into sentences and align them to the
    reference sentences of the same paragraph; one pair per bead."""
    from pipeline.align import align
    from pipeline.sentences import split_sentences
    from pipeline.types import Bead

    ref_to_nl: dict[int, tuple[int, ...]] = {}
    for src, tgt in ref.gold or []:
        for j in tgt:
            ref_to_nl[j] = src
    nl_flat = [s for p in ref.nl for s in p]
    pairs: list[SentencePair] = []
    offset = 0
    for index, (hyp_text, ref_sents) in enumerate(zip(hyp_paragraphs, ref.en)):
        hyp_sents = split_sentences(hyp_text, "en") if hyp_text.strip() else []
        if len(ref_sents) == 1 and len(hyp_sents) == 1:
            beads = [Bead((0,), (0,), 1.0)]  # nothing to decide
        else:
            beads = align(ref_sents, hyp_sents, src_mt=ref_sents, method=aligner)
        for bead in beads:
            ref_ids = tuple(offset + i for i in bead.src)
            nl_ids = sorted({i for j in ref_ids for i in ref_to_nl.get(j, ())})
            pairs.append(SentencePair(
                paragraph=index, ref_ids=ref_ids, hyp_ids=tuple(bead.tgt),
                hypothesis=" ".join(hyp_sents[j] for j in bead.tgt),
                reference=" ".join(ref_sents[i] for i in bead.src),
                source=" ".join(nl_flat[i] for i in nl_ids),
            ))
        offset += len(ref_sents)
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    for pair in pairs:
        pair.chrf = chrf.sentence_score(pair.hypothesis, [pair.reference]).score
    return pairs


def sentence_summary(pairs: Sequence[SentencePair], n_worst: int = WORST_N) -> dict:
    from collections import Counter

    worst = sorted(pairs, key=lambda p: (p.chrf, p.paragraph, p.ref_ids, p.hyp_ids))[:n_worst]
    scores = [p.chrf for p in pairs]
    return {
        "pairs": len(pairs),
        "mean_chrF2": round(sum(scores) / len(scores), 4) if scores else None,
        "beads": dict(sorted(Counter(p.kind for p in pairs).items())),
        "worst": [p.to_dict() for p in worst],
    }


# --------------------------------------------------------------------------
# the whole evaluation


def evaluate(hyp: Hypothesis, ref: Reference, *, aligner: str = "default", n_bootstrap: int = DEFAULT_BOOTSTRAP,
             seed: int | None = DEFAULT_SEED) -> dict:
    """Score `hyp` against `ref`; returns the report (without provenance)."""
    check_counts(hyp.paragraphs, ref)
    warnings = []
    empty = sum(1 for p in hyp.paragraphs if not p.strip())
    if empty:
        warnings.append(f"{empty} of {len(hyp.paragraphs)} hypothesis paragraphs are empty")
    if hyp.nl_paragraphs is not None:
        differ = [i for i, (a, b) in enumerate(zip(hyp.nl_paragraphs, ref.nl_paragraphs)) if "".join(a.split()) != "".join(b.split())]
        if differ:
            warnings.append(
                f"the Dutch of {len(differ)} of {len(ref.nl)} TSV paragraphs differs from {_rel(ref.prefix)}.nl "
                f"(first: paragraph {differ[0]}); is the TSV of this article?"
            )
    scores = corpus_scores(hyp.paragraphs, ref.en_paragraphs, n_bootstrap=n_bootstrap, seed=seed)
    pairs = sentence_pairs(hyp.paragraphs, ref, aligner)
    return {
        "reference": ref.summary(),
        "hypothesis": {**hyp.source, "paragraphs": len(hyp.paragraphs), "empty_paragraphs": empty},
        "model": hyp.model,
        "segments": "paragraph",
        "scores": scores,
        "sentence_level": {"aligner": aligner, "metric": "chrF2 (sentence_score)", **sentence_summary(pairs)},
        "warnings": warnings,
    }


def model_slug(model: str) -> str:
    """'Helsinki-NLP/opus-mt-nl-en' → 'Helsinki-NLP--opus-mt-nl-en'; a local
    directory → its name."""
    path = Path(model)
    if model.startswith((".", "/", "~")) or path.exists():
        model = path.expanduser().resolve().name or "model"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model.replace("/", "--")).strip("-.")
    return slug or "model"


def fmt_score(entry: dict) -> str:
    ci = entry.get("ci")
    return f"{entry['score']:.2f}" + (f" (μ {ci['mean']:.2f} ± {ci['half_width']:.2f})" if ci else "")


def _cell(text: str, width: int = 90) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"


def markdown_summary(report: dict, report_path: str | None = None) -> str:
    ref, hyp, model = report["reference"], report["hypothesis"], report.get("model") or {}
    who = model.get("model") or hyp.get("tsv", {}).get("path", "?")
    lines = [
        f"## nlen eval: {who} on `{ref['name']}`",
        "",
        f"{ref['paragraphs']} paragraphs, {ref['sentences_en']} reference sentences; corpus scores on paragraph segments; "
        f"95% CI from sacrebleu's bootstrap (μ ± half-width).",
        "",
        "| metric | score (μ ± 95% CI) | signature |",
        "|---|---|---|",
    ]
    for name, entry in report["scores"].items():
        lines.append(f"| {name} | {fmt_score(entry)} | `{entry['signature']}` |")
    sl = report["sentence_level"]
    lines += ["", f"### {len(sl['worst'])} worst sentences by chrF ({sl['pairs']} aligned pairs, mean sentence chrF2 "
                  f"{sl['mean_chrF2']})", "", "| ¶ | bead (hyp-ref) | chrF2 | hypothesis | reference |", "|---|---|---|---|---|"]
    for w in sl["worst"]:
        lines.append(f"| {w['paragraph']} | {w['kind']} | {w['chrF2']:.1f} | {_cell(w['hypothesis']) or '∅'} | {_cell(w['reference']) or '∅'} |")
    for warning in report.get("warnings", []):
        lines += ["", f"**Warning:** {warning}"]
    if report_path:
        lines += ["", f"Report: `{report_path}`"]
    return "\n".join(lines) + "\n"


def provenance() -> dict:
    from datetime import datetime, timezone

    from pipeline import __version__
    from pipeline.provenance import git_commit, package_versions

    return {
        "nlen": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": ["nlen", *sys.argv[1:]],
        "packages": package_versions(),
        "git_commit": git_commit(ROOT),
    }
