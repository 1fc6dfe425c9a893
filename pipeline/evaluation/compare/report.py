"""The comparison report: its Markdown table, its plot, and the measured cells it fills into
a README table of published scores."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pipeline.corpus.write import atomic_write_bytes, check_writable
from pipeline.errors import UserError
from pipeline.evaluation.report import fault_line
from pipeline.evaluation.sets import Reference
from pipeline.textio import read_text

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------
# report


def _p_values(row: dict, metric: str) -> str:
    """'bootstrap / randomisation' p-values of `row` for `metric`, 'baseline', or –."""
    p = row.get("p_values", {}).get(metric)
    if not p:
        return "baseline" if row.get("baseline") else "–"
    return f"{p['bs']:.4f} / {p['ar']:.4f}"


def _megabytes(value) -> str:
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _published_bleu_chrf(entry: dict | None) -> str:
    return f"{entry['BLEU']} / {entry['chrF2']}" if entry else "–"


def _bleu_chrf(scores: dict | None) -> str:
    """'BLEU / chrF2' of a scores dict, or –."""
    return f"{scores['BLEU']['score']:.2f} / {scores['chrF2']['score']:.2f}" if scores else "–"


# what each kind of `segments` is, in the scores table
SEGMENT_NAMES = {
    "paragraph": "paragraph segments",
    "sentence": "the set's lines (as published)",
    "sentence (aligned)": "the set's lines through the alignment (one segment per bead)",
}


def markdown_table(report: dict, plot: str | None = None) -> str:
    """The report in Markdown: what was measured and how, the scores, the model against
    the pipeline, the cost, the metrics' signatures and the plot (if any)."""

    lines = _report_header(report)
    lines += _scores_section(report["models"])
    lines += _model_and_pipeline_section(report["models"])
    lines += _cost_section(report)
    lines += _signature_lines(report["models"])
    if plot:
        per = "document" if report["reference"].get("paragraphs_are_documents") else "paragraph"
        lines += ["", f"![chrF2 per {per} and paired differences]({plot})"]
    return "\n".join(lines) + "\n"


def _report_header(report: dict) -> list[str]:
    """The title, the reference, and how the CIs and p-values were computed."""
    ref, sig = report["reference"], report["significance"]
    return [
        f"# nlen compare ({report['created']})",
        "",
        f"Reference `{ref['name']}`: {ref['paragraphs']} paragraphs, {ref['sentences_nl']} Dutch sentences. "
        "± is sacrebleu's 95% bootstrap CI half-width "
        f"({report['bootstrap']} resamples, seed {report['seed']}). *pipeline*: what `nlen translate` delivers "
        "(after repair); *model*: the model's own translations, before repair.",
        f"p-values of the pipeline output against the baseline `{sig.get('baseline')}` on "
        f"{sig.get('segments', '–')} segments: paired bootstrap ({report['bootstrap']}) / approximate "
        f"randomisation ({report['ar_trials']}) from sacrebleu.significance.PairedTest.",
    ]


def _scores_section(rows: list[dict]) -> list[str]:
    """One line per row: the pipeline's scores and p-values, or why the row failed."""
    lines = [
        "",
        "## Scores",
        "",
        "| # | model | unit | segments | BLEU ± CI | chrF2 ± CI | TER | document BLEU / chrF2 | published BLEU / chrF2 "
        "| p BLEU (bs / ar) | p chrF2 (bs / ar) | status |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(rows, 1):
        model = r["label"].replace("|", "\\|")
        if r["status"] != "ok":
            error = r["error"].replace("|", "\\|")
            lines.append(
                f"| {i} | `{model}` | {r['unit']} | – | – | – | – | – | – | – | – | failed ({r['stage']}): {error} |"
            )
            continue
        s = r["scores"]
        lines.append(
            f"| {i} | `{model}` | {r['unit']} | {SEGMENT_NAMES.get(r['segments'], r['segments'])} "
            f"| {_score_with_ci(s['BLEU'])} | {_score_with_ci(s['chrF2'])} | {s['TER']['score']:.2f} "
            f"| {_bleu_chrf(r.get('document_scores'))} | {_published_bleu_chrf(r.get('published'))} "
            f"| {_p_values(r, 'BLEU')} | {_p_values(r, 'chrF2')} | ok |"
        )
    return lines


def _model_and_pipeline_section(rows: list[dict]) -> list[str]:
    """One line per ok row: the model's own scores beside the pipeline's, and its faults."""
    lines = [
        "",
        "## Model and pipeline",
        "",
        "BLEU / chrF2 of the model's own translations and of the pipeline's output; the model's faults over the "
        "texts it translated (reference-free checks, pipeline/document/checks.py; dropped = Dutch sentences aligned to "
        "nothing and merged = beads of several Dutch sentences, both as the alignment sees them before the repair "
        "fills anything in; – where a count does not apply or is not known); sentences the repair filled in, and "
        "Dutch sentences the pipeline's output still leaves with no English.",
        "",
        "| # | model | unit | pipeline | model | document: pipeline | document: model | faults | repaired "
        "| left without English |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(rows, 1):
        if r["status"] != "ok":
            continue
        mo, f = r.get("model_output") or {}, r.get("faults") or {}
        lines.append(
            f"| {i} | `{r['label']}` | {r['unit']} | {_bleu_chrf(r['scores'])} | {_bleu_chrf(mo.get('scores'))} "
            f"| {_bleu_chrf(r.get('document_scores'))} | {_bleu_chrf(mo.get('document_scores'))} "
            f"| {f.get('texts', '–')} {f.get('unit', '')}s: {fault_line(f)} | {f.get('repaired', '–')} "
            f"| {f.get('no_english', '–')} |"
        )
    return lines


def _cost_section(report: dict) -> list[str]:
    """One line per row: speed, memory, size and parameters."""
    lines = [
        "",
        "## Cost",
        "",
        "Speed: translation calls only (load and one warm-up excluded), device "
        f"{report['device']}; memory: peak RSS of this process while the model was loaded (Δ over RSS before loading).",
        "",
        "| # | model | backend (compute type) | unit | sent/s | tgt tok/s | peak RSS MB (Δ) | size MB | parameters |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(report["models"], 1):
        sp = r.get("speed") or {}
        params = r.get("parameters")
        compute = (r.get("described") or {}).get("compute_type")
        lines.append(
            f"| {i} | `{r['label']}` | {r['backend']}{f' ({compute})' if compute else ''} | {r['unit']} "
            f"| {sp.get('sentences_per_s') or '–'} "
            f"| {sp.get('target_tokens_per_s') or '–'} | {_memory(r)} | {_megabytes(r.get('size_mb'))} "
            f"| {f'{params:,}' if params else '–'} |"
        )
    return lines


def _signature_lines(rows: list[dict]) -> list[str]:
    """The metrics' sacrebleu signatures (those of the last ok row), if any row is ok."""
    sigs = {
        name: r["scores"][name]["signature"] for r in rows if r["status"] == "ok" for name in ("BLEU", "chrF2", "TER")
    }
    if not sigs:
        return []
    return ["", "Signatures:", ""] + [f"- {name}: `{sig}`" for name, sig in sigs.items()]


def _score_with_ci(entry: dict) -> str:
    """'score ± CI half-width', or the score alone without a CI."""
    ci = entry.get("ci")
    return f"{entry['score']:.2f} ± {ci['half_width']:.2f}" if ci else f"{entry['score']:.2f}"


def _memory(row: dict) -> str:
    """'peak RSS (+ its rise while the model was loaded)' in MB, or –."""
    m = row.get("memory")
    return f"{_megabytes(m['peak_rss_mb'])} (+{_megabytes(m['peak_rss_delta_mb'])})" if m else "–"


def write_plot(report: dict, path: Path) -> bool:
    """One PNG: left, each model's chrF2 per document (per paragraph on sets
    without documents), documents ordered by the baseline's chrF2; right, the
    distribution of the paired differences (model − baseline) per document.
    False (and nothing written) when matplotlib, the optional `plots` extra, is
    not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False

    ok = [r for r in report["models"] if r["status"] == "ok"]
    if not ok:
        return False
    unit = "document" if report["reference"].get("paragraphs_are_documents") else "paragraph"
    base = ok[0]["paragraph_chrF2"]
    order = sorted(range(len(base)), key=lambda k: base[k])
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for r in ok:
        left.plot(
            range(len(order)),
            [r["paragraph_chrF2"][k] for k in order],
            marker=".",
            linestyle="-" if r is ok[0] else "",
            markersize=4,
            label=r["label"],
        )
    left.set(xlabel=f"{unit}s, ordered by the baseline's chrF2", ylabel="chrF2", title=f"chrF2 per {unit}")
    left.legend(fontsize=7)
    diffs = [[a - b for a, b in zip(r["paragraph_chrF2"], base)] for r in ok[1:]]
    if diffs:
        right.hist(diffs, bins=30, label=[r["label"] for r in ok[1:]], alpha=0.8)
        right.axvline(0, color="black", linewidth=0.8)
        right.legend(fontsize=7)
    else:
        right.text(0.5, 0.5, "one model: no paired differences", ha="center", va="center", transform=right.transAxes)
    right.set(
        xlabel=f"chrF2 − baseline's, per {unit}", ylabel=f"{unit}s", title=f"paired differences vs {ok[0]['label']}"
    )
    fig.suptitle(f"nlen compare on {report['reference']['name']} ({report['created']})", fontsize=9)
    fig.tight_layout()
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return True


README_START = "<!-- nlen compare --fill-readme"
README_END = "<!-- /nlen compare --fill-readme -->"


def readme_table(text: str, path: Path | str, ref: Reference) -> tuple[list[str], int | None]:
    """The lines of the fill-readme table of `text` (the file `path`) and the
    column of `ref`'s measured scores in it (None when it has none); a UserError
    naming the file when there is no table between the markers."""
    if README_START not in text or README_END not in text:
        raise UserError(f"{path}: no table between {README_START} … {README_END} markers to fill")
    lines = text.split(README_START, 1)[1].split(README_END, 1)[0].split("\n")
    header_at = next((i for i, line in enumerate(lines) if line.startswith("| model |")), None)
    header = [c.strip() for c in lines[header_at].strip().strip("|").split("|")] if header_at is not None else []
    column_name = f"{ref.name}: measured"
    return lines, (header.index(column_name) if column_name in header else None)


def check_readme(path: Path, ref: Reference) -> bool:
    """Before a long run: `path` can be read, holds the table and can be written
    (a UserError naming it otherwise). False when its table has no column for
    `ref` (nothing will be filled)."""

    _, column = readme_table(read_text(path, "README"), path, ref)
    check_writable(path, "README")
    return column is not None


def fill_readme(text: str, report: dict, ref: Reference) -> tuple[str, list[str]]:
    """Write the measured BLEU / chrF2 of the report's models into the table
    between the README_START / README_END markers: the cell in column
    "<set>: measured" of the row whose linked model id has published scores
    that a row of the report matched. Only runs made as the published scores
    were (sentence by sentence) count. Returns the new text and the models filled."""
    lines, column = readme_table(text, "README", ref)
    if column is None:
        return text, []  # this set has no column there
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    header_at = next(i for i, line in enumerate(lines) if line.startswith("| model |"))
    measured = {}
    for row in report["models"]:
        published = row.get("published")
        if row["status"] == "ok" and row["unit"] == "sentence" and published and published["model"] not in measured:
            s, d = row["scores"], row.get("described") or {}
            how = (
                f"{report['created'][:10]}, {row['backend']} {d.get('compute_type', '?')}, "
                f"beam {(d.get('generation') or {}).get('num_beams', '?')}"
            )
            measured[published["model"]] = f"{s['BLEU']['score']:.1f} / {s['chrF2']['score']:.1f} ({how})"
    filled = []
    for i in range(header_at + 2, len(lines)):
        cells = lines[i].strip().strip("|").split("|")
        model = re.search(r"\[([^\]]+)\]", cells[0]) if cells else None
        if model and model.group(1) in measured and len(cells) > column:
            cells[column] = f" {measured[model.group(1)]} "
            lines[i] = "|" + "|".join(cells) + "|"
            filled.append(model.group(1))
    return head + README_START + "\n".join(lines) + README_END + tail, filled
