"""A row's `score`: the probability that the row is right — its English translates
its Dutch, with nothing missing and nothing foreign.

Three kinds of row get their own calibrated logistic map (constants in
`CALIBRATION`, fitted by `eval/faults/evaluate.py --fit` on the fit half of the
fault set, measured on the other half: eval/faults/README.md):

  aligned   a row of a paragraph that was not checked: the aligner's posterior
  checked   a row of a checked paragraph that keeps the paragraph's English: the
            aligner's posterior after realignment, and how the English compares
            with its sentences' own translations (pipeline/document/evidence.py `BeadEvidence`)
  repaired  a row whose English is its sentences' own translations

Whatever the map says, a row whose English is still known to be bad (empty,
untranslated, a loop, cut at the length bound) scores under 0.5, and a row
with no Dutch or no English scores 0.
"""

from __future__ import annotations

import math

from pipeline.document.evidence import BeadEvidence

# weights of (1, logit(posterior), recall, foreign words (at most 3), unexplained share,
# least explained sentence's unexplained share, next to a drop)
CALIBRATION: dict[str, tuple[float, ...]] = {
    "aligned": (1.802, 3.659),
    "checked": (2.044, 1.977, 2.023, 0.014, 0.02, 0.02, 0.0),
    "repaired": (8.391,),
}
KNOWN_BAD = ("empty", "untranslated", "repetition", "truncated")
BAD_CAP = 0.45  # the score of a row whose English is known to be bad is at most this


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def features(kind: str, posterior: float, evidence: BeadEvidence | None = None) -> tuple[float, ...]:
    """The inputs of `kind`'s map (the fitting script uses the same)."""
    if kind == "aligned":
        return (1.0, _logit(posterior))
    if kind == "checked":
        assert evidence is not None
        return (
            1.0,
            _logit(posterior),
            evidence.recall,
            float(min(evidence.foreign, 3)),
            evidence.unexplained,
            evidence.unexplained_sentence,
            float(evidence.next_to_drop),
        )
    return (1.0,)


def probability(kind: str, x: tuple[float, ...], weights: tuple[float, ...] | None = None) -> float:
    """The logistic map of `kind` (CALIBRATION, unless `weights` are given) at features `x`."""
    w = CALIBRATION[kind] if weights is None else weights
    z = sum(a * b for a, b in zip(w, x))
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def row_score(
    kind: str, posterior: float, evidence: BeadEvidence | None, flags: tuple[str, ...], has_nl: bool, has_en: bool
) -> float:
    """The row's score (see the module docstring): the calibrated probability of its kind, at
    most BAD_CAP when a flag says the English is bad, 0 without Dutch or English; rounded
    to 6 places."""
    if not has_nl or not has_en:
        return 0.0
    p = probability(kind, features(kind, posterior, evidence))
    if set(flags) & set(KNOWN_BAD):
        p = min(p, BAD_CAP)
    return round(p, 6)
