"""`nlen review` in a real headless Chromium (Debian's `chromium`, driven by
playwright with `executable_path`; no browser download): the keyboard,
filters, counts and the decisions download work, and the decisions feed
`nlen export`. A 50,000-bead page is opened and timed.

Set NLEN_WRITE_REPORTS=1 to also write eval/reports/review.png and
eval/reports/review-timing.md from this run.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.corpus.read import read_corpus, row_key
from pipeline.corpus.write import write_tsv
from pipeline.types import AlignedRow

REPORTS = Path(__file__).resolve().parent.parent / "eval" / "reports"
MEASURED: dict[str, dict] = {}  # page → paint timings, reported by the last test


def chromium_path() -> str | None:
    return os.environ.get("NLEN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


# One skip for the module, so `make test` says it in one line.
if chromium_path() is None:
    pytest.skip("no browser: Debian's chromium is not installed (apt-get install chromium); "
                "the review page's browser tests are skipped", allow_module_level=True)
if not _has_playwright():
    pytest.skip("no browser driver: playwright is not installed (pip install playwright); "
                "the review page's browser tests are skipped", allow_module_level=True)


@pytest.fixture(scope="module")
def rows(news_corpus) -> list[AlignedRow]:
    return list(read_corpus([news_corpus]))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as p:
        # root (CI) cannot use Chromium's sandbox
        b = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield b
        b.close()


def open_page(browser, path: Path):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_function("window.nlenReview !== undefined")
    return page, errors


def timings(page) -> dict:
    page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")
    return page.evaluate("""() => {
        const t = {};
        for (const e of performance.getEntriesByType('paint')) t[e.name] = e.startTime;
        const m = performance.getEntriesByName('nlen-first-render')[0];
        t['nlen-first-render'] = m ? m.startTime : null;
        const n = performance.getEntriesByType('navigation')[0];
        t['load'] = n ? n.loadEventEnd : null;
        return t;
    }""")


def status(page) -> str:
    return page.inner_text("#status")


def needs_attention(row: AlignedRow) -> bool:
    return row.score < 0.5 or bool(row.flags) or row.repaired


def test_review_in_chromium(browser, news_corpus, rows, tmp_path):
    corpus = news_corpus
    html = tmp_path / "review.html"
    assert main(["review", str(corpus), "--out", str(html), "--title", "news (synthetic faults)"]) == 0
    page, errors = open_page(browser, html)
    MEASURED["news"] = timings(page)
    assert f"showing {len(rows)} of {len(rows)} beads" in status(page)

    # at the top: counts by bead type, repairs and flags, and a histogram of every bead's score
    summary = page.inner_text("#summary")
    assert f"repaired {sum(r.repaired for r in rows)}" in summary and "1-1 " in summary
    assert f"flagged {sum(1 for r in rows if r.flags)}" in summary
    bins = page.eval_on_selector_all("#histogram .bin > span:first-child", "els => els.map(e => +e.textContent)")
    assert len(bins) == 10 and sum(bins) == len(rows)
    # rows coloured by score: low-scored rows differ in colour from high-scored ones
    shown = page.evaluate("""() => [...document.querySelectorAll('tr.bead')].map(tr =>
        [parseFloat(tr.querySelector('td.score').textContent), getComputedStyle(tr).backgroundColor])""")
    lowest, highest = min(shown), max(shown)
    assert highest[0] - lowest[0] > 0.3 and lowest[1] != highest[1]

    # keyboard: j/k move, n finds the next bead needing attention, a/r decide and move on
    current = lambda: page.evaluate("window.nlenReview.current()")  # noqa: E731
    assert current() == row_key(rows[0])
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert current() == row_key(rows[1])
    page.keyboard.press("a")  # accept rows[1]
    assert current() == row_key(rows[2])
    rejected = []
    for _ in range(2):
        page.keyboard.press("n")
        at = current()
        expect = next(r for r in rows[[row_key(r) for r in rows].index(at):] if needs_attention(r))
        assert at == row_key(expect)
        page.keyboard.press("r")
        rejected.append(at)
    assert "1 accepted · 2 rejected" in status(page)
    assert page.locator("tr.bead.rejected").count() == 2

    # filters and counts
    flagged = sum(1 for r in rows if r.flags)
    page.select_option("#show", "flagged")
    assert f"showing {flagged} of {len(rows)} beads" in status(page)
    assert page.locator("tr.bead").count() == flagged
    page.fill("#threshold", "0.9")
    page.press("#threshold", "Tab")  # committed on leaving the field
    page.select_option("#show", "low")
    assert f"showing {sum(1 for r in rows if r.score < 0.9)} of" in status(page)
    page.fill("#threshold", "0.5")
    page.press("#threshold", "Tab")
    page.select_option("#show", "repaired")
    assert f"showing {sum(r.repaired for r in rows)} of" in status(page)
    page.select_option("#show", "rejected")
    assert "showing 2 of" in status(page)
    page.select_option("#show", "all")
    page.fill("#search", "knmi")
    page.wait_for_function("document.getElementById('status').textContent.includes('showing %d ')"
                           % sum(1 for r in rows if "knmi" in (r.nl + "\n" + r.en).lower()))
    page.fill("#search", "")
    page.keyboard.press("Escape")  # leaves the search box, so keys move through beads again
    page.wait_for_function("document.getElementById('status').textContent.includes('showing %d ')" % len(rows))
    page.select_option("#doc", label="news-extra")
    start = [row_key(r) for r in rows].index(row_key(next(r for r in rows if r.doc == "news-extra")))
    assert current() == row_key(rows[start])
    page.keyboard.press("n")  # the keyboard works again after the jump
    assert current() == row_key(next(r for r in rows[start + 1:] if needs_attention(r)))
    shot = tmp_path / "review.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    # decisions: downloaded as JSON, kept across a reload, applied by nlen export
    with page.expect_download() as download:
        page.click("#download")
    saved = tmp_path / "decisions.json"
    download.value.save_as(saved)
    decisions = json.loads(saved.read_text(encoding="utf-8"))["decisions"]
    assert decisions == {row_key(rows[1]): "accept", **{k: "reject" for k in rejected}}
    page.reload()
    page.wait_for_function("window.nlenReview !== undefined")
    assert "1 accepted · 2 rejected" in status(page)
    assert not errors, errors

    report = tmp_path / "report.json"
    assert main(["export", str(corpus), "--format", "jsonl", "--out", str(tmp_path / "kept.jsonl"),
                 "--decisions", str(saved), "--report", str(report)]) == 0
    kept = [json.loads(line) for line in (tmp_path / "kept.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(kept) == len(rows) - 2
    assert json.loads(report.read_text())["removed"]["rejected in review"]["rows"] == 2
    assert not {f"{k['doc']}:{','.join(map(str, k['nl_ids']))}:{','.join(map(str, k['en_ids']))}" for k in kept} & set(rejected)

    if os.environ.get("NLEN_WRITE_REPORTS") == "1":
        REPORTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, REPORTS / "review.png")


def test_review_50000_beads(browser, rows, tmp_path):
    """50,000 beads (the news beads repeated over 1,000+ synthetic documents):
    the page stays usable; time to first paint is measured, not asserted."""
    big: list[AlignedRow] = []
    n = 0
    while len(big) < 50_000:
        big.extend(AlignedRow(**{**r.__dict__, "doc": f"doc-{n:05d}"}) for r in rows)
        n += 1
    big = big[:50_000]
    tsv = tmp_path / "big.tsv"
    write_tsv(tsv, big)
    html = tmp_path / "big.html"
    assert main(["review", str(tsv), "--out", str(html)]) == 0
    page, errors = open_page(browser, html)
    t = timings(page)
    assert "showing 50000 of 50000 beads" in status(page)
    assert page.locator("tr.bead").count() == 200  # one page in the DOM, not 50,000 rows
    started = page.evaluate("performance.now()")
    page.select_option("#show", "flagged")
    filter_ms = page.evaluate("performance.now()") - started
    assert f"showing {sum(1 for r in big if r.flags)} of 50000" in status(page)
    page.click("#next")  # the next page, then the keyboard across its boundary back to the first
    assert "page 2 of" in page.inner_text("#page")
    page.keyboard.press("k")
    assert "page 1 of" in page.inner_text("#page")
    assert not errors, errors
    lines = [f"Time to first paint of the review page, headless Chromium {page.context.browser.version}",
             "(playwright; from navigation start, ms; this machine, one run, not a benchmark):", "",
             "| page | beads | HTML MB | first paint | first contentful paint | first rows rendered | load event | filter (flagged) |",
             "|---|---|---|---|---|---|---|---|"]
    small = MEASURED.get("news")
    for name, beads, size, m, f in (("news (tests/corpusdata.py)", len(rows), None, small, None),
                                    ("synthetic, 50,000 beads", 50_000, html.stat().st_size, t, filter_ms)):
        if m:
            lines.append(f"| {name} | {beads:,} | {size / 1e6:.1f} | " if size else f"| {name} | {beads:,} | – | ")
            lines[-1] += " | ".join(f"{m.get(k) or 0:.0f}" for k in ("first-paint", "first-contentful-paint",
                                                                      "nlen-first-render", "load"))
            lines[-1] += f" | {f:.0f} |" if f is not None else " | – |"
    print("\n".join(lines))
    if os.environ.get("NLEN_WRITE_REPORTS") == "1":
        (REPORTS / "review-timing.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
