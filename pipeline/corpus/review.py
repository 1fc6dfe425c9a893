"""The review page: one self-contained HTML file (CSS, JS and the beads
inline; nothing fetched) that shows a corpus document by document, Dutch and
English side by side, coloured by score, with filters, search, keyboard
review and decisions downloaded as JSON for `nlen export --decisions`.

The page, its style and script are pipeline/data/review/; this module fills
in the data, the summary counts and the score histogram.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from collections import Counter
from collections.abc import Iterable
from importlib import resources

from pipeline.corpus.write import format_ids
from pipeline.types import AlignedRow

HISTOGRAM_BINS = 10


def _asset(name: str) -> str:
    return resources.files("pipeline").joinpath("data", "review", name).read_text(encoding="utf-8")


def bead_kind(row: AlignedRow) -> str:
    """The bead's shape as 'a-b' (Dutch ids - English ids), e.g. '1-1' or '2-1'."""
    return f"{len(row.nl_ids)}-{len(row.en_ids)}"


def _bin(score: float) -> int:
    """The histogram bin of `score`; out of range goes to the end bins, NaN to the lowest."""
    if math.isnan(score):
        return 0
    return min(HISTOGRAM_BINS - 1, max(0, int(min(max(score, 0.0), 1.0) * HISTOGRAM_BINS)))


def summary(rows: list[AlignedRow]) -> dict:
    """The counts the page's header shows: beads, documents, bead kinds (repaired beads left
    out), repaired, flagged, each flag, and a histogram of the scores in HISTOGRAM_BINS bins."""
    kinds = Counter(bead_kind(r) for r in rows if not r.repaired)
    flags = Counter(f for r in rows for f in r.flags)
    bins = [0] * HISTOGRAM_BINS
    for r in rows:
        bins[_bin(r.score)] += 1
    return {
        "beads": len(rows),
        "documents": len({r.doc for r in rows}),
        "kinds": dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        "repaired": sum(1 for r in rows if r.repaired),
        "flagged": sum(1 for r in rows if r.flags),
        "flags": dict(flags.most_common()),
        "histogram": bins,
    }


def _summary_html(s: dict) -> str:
    def count(label: str, n: int, cls: str = "count") -> str:
        return f'<span class="{cls}">{html.escape(label)} <b>{n:,}</b></span>'

    parts = [count("beads", s["beads"]), count("documents", s["documents"])]
    parts += [count(kind, n) for kind, n in s["kinds"].items()]
    parts.append(count("repaired", s["repaired"]))
    parts.append(count("flagged", s["flagged"]))
    parts += [count(f"· {name}", n, "count group") for name, n in s["flags"].items()]
    return "\n".join(parts)


def _histogram_html(bins: list[int]) -> str:
    top = max(bins) or 1
    out = []
    for i, n in enumerate(bins):
        hue = round((i + 0.5) / len(bins) * 120)
        low, high = i / len(bins), (i + 1) / len(bins)
        out.append(
            f'<div class="bin" title="score {low:.1f}–{high:.1f}: {n:,} beads"><span>{n}</span>'
            f'<div class="bar" style="height:{max(1, round(44 * n / top))}px;background:hsl({hue},65%,60%)">'
            f"</div><span>{low:.1f}</span></div>"
        )
    out.append("<figcaption>score</figcaption>")
    return "".join(out)


def page_data(rows: list[AlignedRow], title: str) -> dict:
    """The data the page's script reads: the title, an id (a digest of the beads), the document
    names, and one packed list per row (the document as an index into those names)."""
    docs: dict[str, int] = {}
    packed = []
    fingerprint = hashlib.sha256()
    for r in rows:
        d = docs.setdefault(r.doc, len(docs))
        nl_ids, en_ids = format_ids(r.nl_ids), format_ids(r.en_ids)
        packed.append(
            [r.nl, r.en, d, r.paragraph, nl_ids, en_ids, round(r.score, 4), int(r.repaired), ",".join(r.flags)]
        )
        fingerprint.update(f"{r.doc}\t{nl_ids}\t{en_ids}\t{r.nl}\t{r.en}\n".encode())
    return {"title": title, "id": fingerprint.hexdigest()[:16], "docs": list(docs), "rows": packed}


def build_page(rows: Iterable[AlignedRow], title: str) -> str:
    """The review page for `rows` as one HTML string."""
    rows = list(rows)
    data = page_data(rows, title)
    s = summary(rows)
    # "<" only occurs inside JSON strings; escaped, no text can close the <script> element.
    # Strict JSON (allow_nan=False): the page's JSON.parse rejects NaN, which would leave it blank.
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")
    page = _asset("review.html")
    for name, value in (
        ("__CSS__", _asset("review.css")),
        ("__JS__", _asset("review.js")),
        ("__SUMMARY__", _summary_html(s)),
        ("__HISTOGRAM__", _histogram_html(s["histogram"])),
        ("__TITLE__", html.escape(title)),
    ):
        page = page.replace(name, value)
    return page.replace("__DATA__", blob)  # last: the data may hold any of the other markers
