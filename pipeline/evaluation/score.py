"""Scoring with sacrebleu: corpus level on paragraph (or line) segments with signatures and
bootstrap CIs, sentence level through the alignment, and the whole evaluation of a hypothesis.

Nothing here imports torch or transformers: `nlen eval --tsv` scores an existing corpus without
loading a model."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.document.sentences import split_sentences
from pipeline.evaluation.hypotheses import Hypothesis, check_counts
from pipeline.evaluation.sets import Reference, relative_to_checkout
from pipeline.types import Bead

DEFAULT_SEED = 12345  # sacrebleu's own default for SACREBLEU_SEED
DEFAULT_BOOTSTRAP = 1000
DOCUMENT_METRICS = ("BLEU", "chrF2", "chrF2++")
WORST_N = 10


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

    class Metric(metric_class):  # type: ignore[misc, valid-type]  # base chosen at run time (CHRF or TER)
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
    """A hypothesis and a reference sentence group that one bead pairs, with its chrF2."""

    paragraph: int
    ref_ids: tuple[int, ...]  # global ids among the reference's English lines
    hyp_ids: tuple[int, ...]  # ids among the hypothesis sentences of the paragraph
    hypothesis: str
    reference: str
    source: str  # Dutch, through the gold alignment when there is one
    chrf: float = 0.0

    @property
    def kind(self) -> str:
        """The bead's shape: 'hypothesis sentences-reference sentences', e.g. '2-1'."""
        return f"{len(self.hyp_ids)}-{len(self.ref_ids)}"

    def to_dict(self) -> dict:
        """The pair as the report lists it (chrF2 rounded to 4 places)."""
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
    """The pairs' count, mean chrF2, bead kinds and the `n_worst` pairs by chrF2."""
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
                f"the Dutch of {len(differ)} of {len(ref.nl)} TSV paragraphs differs from "
                f"{relative_to_checkout(ref.path('nl'))} "
                f"(first: paragraph {differ[0]}); is the TSV of this article?"
            )
    options: dict[str, Any] = {"aligner": aligner, "n_bootstrap": n_bootstrap, "seed": seed}
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
