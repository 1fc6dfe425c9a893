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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.document.checks import FAULT_CHECKS, Checker
from pipeline.document.core import translate_document
from pipeline.document.sentences import split_sentences
from pipeline.errors import UserError
from pipeline.provenance import git_commit, package_versions
from pipeline.textio import decode, read_bytes, read_lines, read_text
from pipeline.textio import read_blocks as blocks
from pipeline.translate import open_translator
from pipeline.types import Bead, Document, Paragraph, Sentence

ROOT = Path(__file__).resolve().parents[2]  # the checkout: pipeline/evaluation/ → ..
REFERENCE_DIR = ROOT / "eval" / "reference"
# Named sets: a hand-made reference (prefix of .nl/.en/.gold), or a folder with a set.json.
NAMED_SETS = {
    "seed": REFERENCE_DIR / "seed",
    "news": REFERENCE_DIR / "news",
    "flores": ROOT / "eval" / "flores200",
    "tatoeba": ROOT / "eval" / "tatoeba",
}
DEFAULT_SEED = 12345  # sacrebleu's own default for SACREBLEU_SEED
DEFAULT_BOOTSTRAP = 1000
DOCUMENT_METRICS = ("BLEU", "chrF2", "chrF2++")
WORST_N = 10


# --------------------------------------------------------------------------
# reference sets


@dataclass
class Reference:
    """A sentence-aligned reference set.

    Hand-made (`<prefix>.nl`, `<prefix>.en`, `<prefix>.gold`): paragraphs of
    sentences, scored on paragraph segments. Line-aligned (a folder with a
    `set.json`: FLORES, Tatoeba): Dutch line i is translated by English line i,
    scored on those lines, as the published leaderboards do; its paragraphs are
    its documents (consecutive lines of one document), or single lines."""

    name: str
    prefix: Path
    nl: list[list[str]]  # paragraphs → sentences
    en: list[list[str]]
    gold: list[tuple[tuple[int, ...], tuple[int, ...]]] | None  # global ids among non-empty lines
    files: dict[str, dict] = field(default_factory=dict)
    line_aligned: bool = False  # Dutch sentence i ↔ English sentence i
    documents: bool = False  # the paragraphs are whole documents (scored at document level too)
    about: dict = field(default_factory=dict)  # title, licence, source (set.json)
    published: list[dict] = field(default_factory=list)  # published scores: {"model", "BLEU", "chrF2"}
    paths: dict[str, Path] = field(default_factory=dict)  # "nl", "en": the files read (default: prefix.nl, prefix.en)

    def path(self, side: str) -> Path:
        """The file holding the `side` ("nl" or "en") lines, for messages."""
        return self.paths.get(side) or self.prefix.parent / f"{self.prefix.name}.{side}"

    @property
    def nl_paragraphs(self) -> list[str]:
        return [" ".join(p) for p in self.nl]

    @property
    def en_paragraphs(self) -> list[str]:
        return [" ".join(p) for p in self.en]

    def summary(self) -> dict:
        return {
            "name": self.name,
            "prefix": _rel(self.prefix),
            "paragraphs": len(self.en),
            "sentences_nl": sum(map(len, self.nl)),
            "sentences_en": sum(map(len, self.en)),
            "line_aligned": self.line_aligned,
            "paragraphs_are_documents": self.documents,
            **self.about,
            "files": self.files,
        }

    def published_for(self, model: str | None) -> dict | None:
        """The published scores of `model`, matched by its exact hub id only: a
        model of another organisation, or a local folder, with the same name may
        be a different model (a fine-tune, a conversion), so it gets none."""
        return next((entry for entry in self.published if model and model == entry["model"]), None)


def _rel(path: Path | str) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def resolve_set(value: str) -> tuple[str, Path]:
    """A named set (seed, news, flores, tatoeba); a folder with a set.json; or a
    path prefix P of P.nl, P.en (and P.gold) (a trailing .nl/.en/.gold is
    dropped, so `eval/reference/seed.en` works too)."""
    if value in NAMED_SETS:
        return value, NAMED_SETS[value]
    prefix = Path(value)
    if (prefix / "set.json").is_file():
        return prefix.name, prefix
    if prefix.suffix in (".nl", ".en", ".gold"):
        prefix = prefix.with_suffix("")
    return prefix.name, prefix


def read_reference_text(path: Path) -> str:

    return read_text(path, "reference file")  # an InputError is a UserError: one line, exit 2


def read_blocks(path: Path) -> list[list[str]]:
    """One sentence per line, an empty line between paragraphs."""

    return blocks(read_reference_text(path))


def parse_gold(path: Path, n_src: int, n_tgt: int) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Ladder format `[i]:[j]`, `[i, i+1]:[j]`; checked to cover every line once, in order."""
    from pipeline.align.ladder import parse_ladder

    beads = [(b.src, b.tgt) for b in parse_ladder(read_reference_text(path).split("\n"), str(path))]
    for side, n, ids in (
        ("Dutch", n_src, [i for b in beads for i in b[0]]),
        ("English", n_tgt, [j for b in beads for j in b[1]]),
    ):
        if ids != list(range(n)):
            raise UserError(f"{path}: the gold alignment does not cover the {n} {side} sentences once each, in order")
    return beads


def _file_info(path: Path) -> dict:
    return {"path": _rel(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def load_reference(value: str = "seed") -> Reference:
    name, prefix = resolve_set(value)
    if (prefix / "set.json").is_file():
        return load_line_set(prefix)
    if prefix.is_dir():
        raise UserError(
            f"{value}: a folder given as a set needs a set.json describing its files (see eval/flores200/set.json)"
        )
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
    return Reference(name, prefix, nl, en, gold, files, paths={"nl": nl_path, "en": en_path})


SET_FIELDS = {
    "name": str,
    "nl": str,
    "en": str,
    "title": str,
    "licence": str,
    "source": str,
    "documents": dict,
    "published": dict,
}


def read_set_config(path: Path) -> dict:
    """`set.json`, checked: {"nl", "en": file names beside it (one segment a
    line); optional "name", "title", "licence", "source": strings; "documents":
    {"file": a TSV with a header, "column": the column holding each line's
    document id}; "published": {"note": a string, "scores": [{"model": a hub id,
    "BLEU": a number, "chrF2": a number}, …]}}. A problem is a UserError naming
    the file and the field."""
    import json

    try:
        config = json.loads(read_reference_text(path))
    except ValueError as exc:
        raise UserError(f"{path}: not valid JSON ({exc})") from None

    def bad(problem: str) -> UserError:
        return UserError(f"{path}: {problem}")

    if not isinstance(config, dict):
        raise bad(f"a set description is a JSON object, not {type(config).__name__}")
    for key in ("nl", "en"):
        if key not in config:
            raise bad(f'missing "{key}" (the file name of the {"Dutch" if key == "nl" else "English"} lines)')
    for key, kind in SET_FIELDS.items():
        if key in config and not isinstance(config[key], kind):
            raise bad(
                f'"{key}" must be a {"string" if kind is str else "JSON object"}, not {json.dumps(config[key])[:60]}'
            )
    for key in ("nl", "en"):
        if not config[key].strip():
            raise bad(f'"{key}" is an empty file name')
    docs = config.get("documents")
    if docs is not None:
        for key in ("file", "column"):
            if not isinstance(docs.get(key), str) or not docs[key]:
                raise bad(f'"documents" needs "{key}": a non-empty string')
    published = config.get("published")
    if published is not None:
        if not isinstance(published.get("note", ""), str):
            raise bad('"published"."note" must be a string')
        scores = published.get("scores", [])
        if not isinstance(scores, list):
            raise bad('"published"."scores" must be a list')
        for n, entry in enumerate(scores):
            ok = (
                isinstance(entry, dict)
                and isinstance(entry.get("model"), str)
                and all(
                    isinstance(entry.get(m), (int, float)) and not isinstance(entry.get(m), bool)
                    for m in ("BLEU", "chrF2")
                )
            )
            if not ok:
                raise bad(
                    f'"published"."scores"[{n}] must be {{"model": a hub id, "BLEU": a number, "chrF2": a number}}'
                )
    return config


def document_ids(path: Path, column: str, n_lines: int) -> list[str]:
    """The document id of each of the set's `n_lines` lines: `column` of a TSV
    with a header and one row per line."""
    table = [line.split("\t") for line in read_reference_text(path).split("\n") if line]
    if not table or column not in table[0]:
        raise UserError(f"{path}: no header with a {column!r} column")
    at = table[0].index(column)
    if len(table) - 1 != n_lines:
        raise UserError(f"{path}: {len(table) - 1} rows after the header, the set has {n_lines} lines")
    for number, row in enumerate(table[1:], 2):
        if len(row) != len(table[0]):
            raise UserError(f"{path}:{number}: {len(row)} fields, the header has {len(table[0])}")
    return [row[at] for row in table[1:]]


def load_line_set(folder: Path) -> Reference:
    """A line-aligned set described by `folder/set.json` (see `read_set_config`)."""

    config_path = folder / "set.json"
    config = read_set_config(config_path)
    nl_path, en_path = folder / config["nl"], folder / config["en"]
    nl, en = (read_lines(read_reference_text(p)) for p in (nl_path, en_path))
    if len(nl) != len(en) or not en:
        raise UserError(
            f"{folder}: {nl_path.name} has {len(nl)} lines and {en_path.name} has {len(en)}; "
            "a line-aligned set needs equal, non-zero counts"
        )
    for path, lines in ((nl_path, nl), (en_path, en)):
        if "" in lines:
            raise UserError(f"{path}:{lines.index('') + 1}: empty line in a line-aligned set")
    files = {"nl": _file_info(nl_path), "en": _file_info(en_path)}
    docs = config.get("documents")
    if docs:
        doc_path = folder / docs["file"]
        ids = document_ids(doc_path, docs["column"], len(nl))
        files["documents"] = _file_info(doc_path)
    else:
        ids = list(range(len(nl)))  # every line its own paragraph
    starts = [i for i in range(len(ids)) if i == 0 or ids[i] != ids[i - 1]] + [len(ids)]
    nl_par = [nl[a:b] for a, b in zip(starts, starts[1:])]
    en_par = [en[a:b] for a, b in zip(starts, starts[1:])]
    about = {k: config[k] for k in ("title", "licence", "source") if k in config}
    published = (config.get("published") or {}).get("scores", [])
    if published:
        about["published_note"] = config["published"].get("note", "")
    return Reference(
        config.get("name", folder.name),
        folder,
        nl_par,
        en_par,
        [((i,), (i,)) for i in range(len(nl))],
        files,
        line_aligned=True,
        documents=bool(docs),
        about=about,
        published=published,
        paths={"nl": nl_path, "en": en_path},
    )


# --------------------------------------------------------------------------
# hypotheses


@dataclass
class Hypothesis:
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
    info = {"path": "-" if str(path) == "-" else _rel(path), "sha256": hashlib.sha256(data).hexdigest()}
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
            f"the hypothesis has {len(hyp)} paragraphs but the reference {_rel(ref.path('en'))} has {len(ref.en)}; "
            "nothing is truncated or padded"
        )
    if not any(p.strip() for p in hyp):
        raise UserError("the hypothesis is empty: every paragraph translated to nothing")


# --------------------------------------------------------------------------
# corpus-level scores


def make_metrics() -> dict:
    """Fresh sacrebleu metric objects, keyed by the name sacrebleu gives their scores."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    return {
        "BLEU": BLEU(),
        "chrF2": _float_scores(CHRF)(),
        "chrF2++": _float_scores(CHRF)(word_order=2),
        "TER": _float_scores(TER)(),
    }


def _float_scores(metric_class):
    """`metric_class` whose scores are plain floats. sacrebleu 2.6's chrF and TER
    return a numpy float32 for most statistics but a Python 0.0 when a bootstrap
    resample has nothing to count (all its hypotheses empty), and the mixed list
    breaks its own CI (`statistics.mean`: cannot coerce float and float32).
    Numbers and signatures are unchanged."""

    class Metric(metric_class):
        def _compute_score_from_stats(self, stats):
            score = super()._compute_score_from_stats(stats)
            score.score = float(score.score)
            return score

    Metric.__name__ = metric_class.__name__
    return Metric


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


def corpus_scores(
    hyps: Sequence[str],
    refs: Sequence[str],
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int | None = DEFAULT_SEED,
    metrics: Sequence[str] | None = None,
) -> dict[str, dict]:
    """BLEU, chrF2, chrF++ and TER (or the named `metrics`) on the given
    segments, with signatures and CIs.

    The numbers are those `sacrebleu REF -i HYP -m bleu chrf ter --confidence`
    prints (`--chrf-word-order 2` for chrF++). `signature` is the metric's own
    (what `sacrebleu` prints without `--confidence`, the one published scores
    quote); `ci_signature` is the one with the bootstrap's `bs:N|seed:S`."""
    out: dict[str, dict] = {}
    with sacrebleu_seed(seed):
        for name, metric in make_metrics().items():
            if metrics is not None and name not in metrics:
                continue
            score = metric.corpus_score(list(hyps), [list(refs)], n_bootstrap=n_bootstrap)
            signature = metric.get_signature()
            with_ci = signature.format()  # bs:N|seed:S added by the bootstrap
            signature.update("bs", None)
            signature.update("seed", None)
            entry = {
                "score": float(score.score),
                "signature": signature.format(),
                "formatted": score.format(signature=with_ci),
            }
            if n_bootstrap > 1:
                entry["ci"] = {
                    "mean": float(score._mean),
                    "half_width": float(score._ci),
                    "n_bootstrap": n_bootstrap,
                    "seed": seed,
                }
                entry["ci_signature"] = with_ci
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
            "paragraph": self.paragraph,
            "ref_ids": list(self.ref_ids),
            "hyp_ids": list(self.hyp_ids),
            "kind": self.kind,
            "chrF2": round(self.chrf, 4),
            "hypothesis": self.hypothesis,
            "reference": self.reference,
            "source": self.source,
        }


def sentence_pairs(
    hyp_paragraphs: Sequence[str], ref: Reference, aligner: str = "default", sentences: Sequence[str] | None = None
) -> list[SentencePair]:
    """One pair per bead between hypothesis and reference sentences, paragraph by
    paragraph. With `sentences` (one English per Dutch sentence) on a line-aligned
    set the pairs are given (line i with line i). Otherwise each hypothesis
    paragraph is split into sentences and aligned to the reference sentences of
    the same paragraph; a one-sentence reference paragraph takes the whole paragraph."""
    from pipeline.align import align

    ref_to_nl: dict[int, tuple[int, ...]] = {}
    for src, tgt in ref.gold or []:
        for j in tgt:
            ref_to_nl[j] = src
    nl_flat = [s for p in ref.nl for s in p]
    given = iter(sentences) if sentences is not None and ref.line_aligned else None
    pairs: list[SentencePair] = []
    offset = 0
    for index, (hyp_text, ref_sents) in enumerate(zip(hyp_paragraphs, ref.en)):
        if given is not None:
            hyp_sents = [next(given) for _ in ref_sents]
            beads = [Bead((i,), (i,), 1.0) for i in range(len(ref_sents))]
        else:
            hyp_sents = split_sentences(hyp_text, "en") if hyp_text.strip() else []
            if len(ref_sents) == 1:
                beads = [Bead((0,), tuple(range(len(hyp_sents))), 1.0)]  # nothing to decide
            else:
                beads = align(ref_sents, hyp_sents, src_mt=ref_sents, method=aligner)
        for bead in beads:
            ref_ids = tuple(offset + i for i in bead.src)
            nl_ids = sorted({i for j in ref_ids for i in ref_to_nl.get(j, ())})
            pairs.append(
                SentencePair(
                    paragraph=index,
                    ref_ids=ref_ids,
                    hyp_ids=tuple(bead.tgt),
                    hypothesis=" ".join(hyp_sents[j] for j in bead.tgt),
                    reference=" ".join(ref_sents[i] for i in bead.src),
                    source=" ".join(nl_flat[i] for i in nl_ids),
                )
            )
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


def aligned_segments(pairs: Sequence[SentencePair]) -> tuple[list[str], list[str]]:
    """(hypotheses, references), one segment per pair that has a reference; the
    English of a pair without one (a hypothesis sentence aligned to nothing) joins
    its paragraph's previous segment (or the next), so its words still count
    against precision. (An empty reference segment would also break sacrebleu's bootstrap.)"""
    hyps: list[str] = []
    refs: list[str] = []
    paragraph_of: list[int] = []
    pending: dict[int, list[str]] = {}
    for pair in pairs:
        if not pair.reference:
            if paragraph_of and paragraph_of[-1] == pair.paragraph:
                hyps[-1] = f"{hyps[-1]} {pair.hypothesis}".strip()
            else:
                pending.setdefault(pair.paragraph, []).append(pair.hypothesis)
            continue
        hyps.append(" ".join(pending.pop(pair.paragraph, []) + [pair.hypothesis]).strip())
        refs.append(pair.reference)
        paragraph_of.append(pair.paragraph)
    return hyps, refs


def score_output(
    paragraphs: Sequence[str],
    ref: Reference,
    *,
    sentences: Sequence[str] | None = None,
    aligner: str = "default",
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int | None = DEFAULT_SEED,
    metrics: Sequence[str] | None = None,
) -> tuple[dict, list[SentencePair]]:
    """Corpus scores of one output (English per reference paragraph; per Dutch
    sentence too when translated sentence by sentence) and its sentence pairs.

    A line-aligned set is scored on its lines, as the published leaderboards
    are: exactly when the output is per sentence (`segments` "sentence"),
    through the alignment of hypothesis to reference sentences otherwise
    ("sentence (aligned)": one segment per bead). Where its paragraphs are
    documents (FLORES) it is also scored on them (`document_scores`). A
    hand-made set is scored on paragraph segments."""
    pairs = sentence_pairs(paragraphs, ref, aligner, sentences)
    if not ref.line_aligned:
        return {
            "segments": "paragraph",
            "scores": corpus_scores(paragraphs, ref.en_paragraphs, n_bootstrap, seed, metrics),
        }, pairs
    hyps, refs = aligned_segments(pairs)
    out = {
        "segments": "sentence" if sentences is not None else "sentence (aligned)",
        "scores": corpus_scores(hyps, refs, n_bootstrap, seed, metrics),
    }
    if ref.documents:  # TER's shift search is too slow on whole documents (a minute on FLORES)
        out["document_scores"] = corpus_scores(
            paragraphs,
            ref.en_paragraphs,
            n_bootstrap,
            seed,
            [m for m in DOCUMENT_METRICS if metrics is None or m in metrics],
        )
    return out, pairs


def evaluate(
    hyp: Hypothesis,
    ref: Reference,
    *,
    aligner: str = "default",
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int | None = DEFAULT_SEED,
) -> dict:
    """Score `hyp` against `ref`: the pipeline's output (after repair) and, when
    known, the model's own (before repair); returns the report (without provenance)."""
    check_counts(hyp.paragraphs, ref)
    warnings = []
    empty = sum(1 for p in hyp.paragraphs if not p.strip())
    if empty:
        warnings.append(f"{empty} of {len(hyp.paragraphs)} hypothesis paragraphs are empty")
    if hyp.nl_paragraphs is not None:
        differ = [
            i
            for i, (a, b) in enumerate(zip(hyp.nl_paragraphs, ref.nl_paragraphs))
            if "".join(a.split()) != "".join(b.split())
        ]
        if differ:
            warnings.append(
                f"the Dutch of {len(differ)} of {len(ref.nl)} TSV paragraphs differs from {_rel(ref.path('nl'))} "
                f"(first: paragraph {differ[0]}); is the TSV of this article?"
            )
    options = {"aligner": aligner, "n_bootstrap": n_bootstrap, "seed": seed}
    pipeline, pairs = score_output(hyp.paragraphs, ref, sentences=hyp.sentences, **options)
    model_output = None
    if hyp.model_paragraphs is not None and hyp.unit == "sentence":
        model_output = {**pipeline, "same_as_pipeline": True}  # nothing is aligned or repaired
    elif hyp.model_paragraphs is not None:
        model_output, model_pairs = score_output(hyp.model_paragraphs, ref, **options)
        model_output["mean_sentence_chrF2"] = sentence_summary(model_pairs, 0)["mean_chrF2"]
    return {
        "reference": ref.summary(),
        "hypothesis": {**hyp.source, "paragraphs": len(hyp.paragraphs), "empty_paragraphs": empty},
        "model": hyp.model,
        "unit": hyp.unit,
        **pipeline,
        "sentence_level": {"aligner": aligner, "metric": "chrF2 (sentence_score)", **sentence_summary(pairs)},
        "model_output": model_output,
        "faults": hyp.faults,
        "published": ref.published_for(hyp.model.get("model")),
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


def fault_line(faults: dict | None) -> str:
    """'dropped 3, merged 1, repetition 0, …' (– where a count does not apply or is not known)."""
    if not faults:
        return "–"
    names = ("dropped", "merged", "repetition", "untranslated", "truncated", "empty")
    return ", ".join(f"{n} {'–' if faults.get(n) is None else faults[n]}" for n in names)


def _resampling(report: dict) -> str:
    """', 1000 resamples, seed 12345' (the CI signature's bs and seed), or ''."""
    ci = next((e["ci"] for e in report.get("scores", {}).values() if "ci" in e), None)
    return f", {ci['n_bootstrap']} resamples, seed {ci['seed']}" if ci else ""


def markdown_summary(report: dict, report_path: str | None = None) -> str:
    ref, hyp, model = report["reference"], report["hypothesis"], report.get("model") or {}
    who = model.get("model") or hyp.get("tsv", {}).get("path", "?")
    unit = report.get("unit")
    mo = report.get("model_output")
    segments = {
        "paragraph": "paragraph segments",
        "sentence": "sentence segments (the set's lines, as published)",
        "sentence (aligned)": "sentence segments through the alignment (one segment per bead of hypothesis "
        "and reference sentences)",
    }[report["segments"]]
    lines = [
        f"## nlen eval: {who} on `{ref['name']}`" + (f", unit {unit}" if unit else ""),
        "",
    ]
    if model.get("backend"):  # the engine settings that change the scores
        beams = (model.get("generation") or {}).get("num_beams", "?")
        lines += [
            f"Backend {model['backend']}, compute type {model.get('compute_type', '?')}, "
            f"device {model.get('device', '?')}, beam {beams}.",
            "",
        ]
    lines += [
        f"{ref['paragraphs']} paragraphs, {ref['sentences_en']} reference sentences; corpus scores on {segments}; "
        f"95% CI from sacrebleu's bootstrap (μ ± half-width{_resampling(report)}). "
        "*pipeline*: what `nlen translate` delivers (after repair); "
        "*model*: the model's own translations, before repair.",
        "",
        "| metric | pipeline: score (μ ± 95% CI) | model, before repair | signature |",
        "|---|---|---|---|",
    ]
    for level, key in (("", "scores"), ("document ", "document_scores")):
        for name, entry in report.get(key, {}).items():
            other = fmt_score(mo[key][name]) if mo and key in mo else "–"
            lines.append(f"| {level}{name} | {fmt_score(entry)} | {other} | `{entry['signature']}` |")
    if "document_scores" in report:
        lines += ["", f"*document* rows: one segment per document ({ref['paragraphs']})."]
    published = report.get("published")
    if published:
        lines += [
            "",
            f"Published for {published['model']}: BLEU {published['BLEU']}, chrF2 {published['chrF2']} "
            f"({ref.get('published_note', '')}).",
        ]
    if report.get("faults"):
        f = report["faults"]
        lines += [
            "",
            f"Model faults over {f['texts']} {f['unit']}s: {fault_line(f)}; "
            f"repaired {f['repaired']} sentences, {f['no_english']} left without English.",
        ]
    sl = report["sentence_level"]
    lines += [
        "",
        f"### {len(sl['worst'])} worst sentences by chrF ({sl['pairs']} aligned pairs, mean sentence chrF2 "
        f"{sl['mean_chrF2']})",
        "",
        "| ¶ | bead (hyp-ref) | chrF2 | hypothesis | reference |",
        "|---|---|---|---|---|",
    ]
    for w in sl["worst"]:
        lines.append(
            f"| {w['paragraph']} | {w['kind']} | {w['chrF2']:.1f} | {_cell(w['hypothesis']) or '∅'} "
            f"| {_cell(w['reference']) or '∅'} |"
        )
    for warning in report.get("warnings", []):
        lines += ["", f"**Warning:** {warning}"]
    if report_path:
        lines += ["", f"Report: `{report_path}`"]
    return "\n".join(lines) + "\n"


def provenance() -> dict:
    from datetime import datetime, timezone

    return {
        "nlen": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": ["nlen", *sys.argv[1:]],
        "packages": package_versions(),
        "git_commit": git_commit(ROOT),
    }
