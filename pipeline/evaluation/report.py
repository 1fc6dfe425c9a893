"""The evaluation report: its Markdown summary, file name and provenance."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pipeline import __version__
from pipeline.evaluation.sets import ROOT
from pipeline.provenance import git_commit, package_versions


def model_slug(model: str) -> str:
    """'Helsinki-NLP/opus-mt-nl-en' → 'Helsinki-NLP--opus-mt-nl-en'; a local
    directory → its name."""
    path = Path(model)
    if model.startswith((".", "/", "~")) or path.exists():
        model = path.expanduser().resolve().name or "model"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model.replace("/", "--")).strip("-.")
    return slug or "model"


def fmt_score(entry: dict) -> str:
    """A score with its bootstrap mean and 95% half-width when known: '31.20 (μ 31.15 ± 0.80)'."""
    ci = entry.get("ci")
    return f"{entry['score']:.2f}" + (f" (μ {ci['mean']:.2f} ± {ci['half_width']:.2f})" if ci else "")


def _table_cell(text: str, width: int = 90) -> str:
    """`text` as one Markdown table cell: on one line, pipes escaped, cut to `width` characters."""
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
    """The report as Markdown: header and settings, the scores table, published scores and
    faults, the worst sentences, warnings."""
    lines = _summary_header(report) + _summary_scores(report) + _summary_notes(report) + _summary_worst(report)
    for warning in report.get("warnings", []):
        lines += ["", f"**Warning:** {warning}"]
    if report_path:
        lines += ["", f"Report: `{report_path}`"]
    return "\n".join(lines) + "\n"


def _summary_header(report: dict) -> list[str]:
    """Who was scored on what, and the engine settings that change the scores."""
    ref, hyp, model = report["reference"], report["hypothesis"], report.get("model") or {}
    who = model.get("model") or hyp.get("tsv", {}).get("path", "?")
    unit = report.get("unit")
    lines = [f"## nlen eval: {who} on `{ref['name']}`" + (f", unit {unit}" if unit else ""), ""]
    if model.get("backend"):
        beams = (model.get("generation") or {}).get("num_beams", "?")
        lines += [
            f"Backend {model['backend']}, compute type {model.get('compute_type', '?')}, "
            f"device {model.get('device', '?')}, beam {beams}.",
            "",
        ]
    return lines


def _summary_scores(report: dict) -> list[str]:
    """The scores of the pipeline and of the model, with their CIs and signatures."""
    ref, mo = report["reference"], report.get("model_output")
    segments = {
        "paragraph": "paragraph segments",
        "sentence": "sentence segments (the set's lines, as published)",
        "sentence (aligned)": "sentence segments through the alignment (one segment per bead of hypothesis "
        "and reference sentences)",
    }[report["segments"]]
    lines = [
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
    return lines


def _summary_notes(report: dict) -> list[str]:
    """Published scores of the model on this set, and the model's faults."""
    lines: list[str] = []
    published = report.get("published")
    if published:
        lines += [
            "",
            f"Published for {published['model']}: BLEU {published['BLEU']}, chrF2 {published['chrF2']} "
            f"({report['reference'].get('published_note', '')}).",
        ]
    if report.get("faults"):
        f = report["faults"]
        lines += [
            "",
            f"Model faults over {f['texts']} {f['unit']}s: {fault_line(f)}; "
            f"repaired {f['repaired']} sentences, {f['no_english']} left without English.",
        ]
    return lines


def _summary_worst(report: dict) -> list[str]:
    """The worst sentences by chrF, through the alignment."""
    sl = report["sentence_level"]
    lines = [
        "",
        f"### {len(sl['worst'])} worst sentences by chrF ({sl['pairs']} aligned pairs, mean sentence chrF2 "
        f"{sl['mean_chrF2']})",
        "",
        "| ¶ | bead (hyp-ref) | chrF2 | hypothesis | reference |",
        "|---|---|---|---|---|",
    ]
    for w in sl["worst"]:
        lines.append(
            f"| {w['paragraph']} | {w['kind']} | {w['chrF2']:.1f} | {_table_cell(w['hypothesis']) or '∅'} "
            f"| {_table_cell(w['reference']) or '∅'} |"
        )
    return lines


def provenance() -> dict:
    """Who made a report, and when: the nlen version, the UTC time, the command line, package
    versions and the git commit."""
    from datetime import datetime, timezone

    return {
        "nlen": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": ["nlen", *sys.argv[1:]],
        "packages": package_versions(),
        "git_commit": git_commit(ROOT),
    }
