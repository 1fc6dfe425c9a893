"""Issue #22 (reliability round 2), the review page and the evaluation sets:

- item 1: stored script injection in the review page through localStorage decisions (in Chromium);
- item 2: a `set.json` whose "name" leaves `--reports-dir`, or whose "nl"/"en"/"documents" files
  are outside the set's folder;
- item 12 (its deep `set.json` and deep `--decisions` parts): 100,000-deep JSON is one line;
- item 15: `nlen review` on a TSV with a NaN (or infinite) score;
- item 17: files read whole are capped (`--decisions /dev/zero`, a large set.json or decisions file).

Each asserts the exit code, one line on stderr without a traceback that names the file, that
nothing was written (in the named folders or beside them), and that the inputs are unchanged.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import run_nlen
from support import HEADER, cli, one_error

from pipeline.corpus import filtering
from pipeline.evaluation import sets

DEEP = 100_000


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path → bytes): what was written, changed or removed."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def corpus_tsv(path: Path, score: str = "0.9000", doc: str = "d") -> Path:
    """A small corpus TSV of three beads; the second one's score is `score`."""
    rows = [
        ("Hallo.", "Hello.", doc, 0, "0", "0", "0.9000"),
        ("Dag.", "Bye.", doc, 1, "1", "1", score),
        ("Goed.", "Good.", doc, 2, "2", "2", "0.3000"),
    ]
    path.write_text(HEADER + "".join("\t".join(map(str, r)) + "\t0\n" for r in rows), encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# item 2: set.json may not reach outside the reports folder or the set's folder


def line_set(folder: Path, **fields) -> Path:
    """A two-line line-aligned set in `folder`, its set.json holding `fields` over x.nl/x.en."""
    folder.mkdir(parents=True)
    (folder / "x.nl").write_text("Hallo.\nDag.\n", encoding="utf-8")
    (folder / "x.en").write_text("Hello.\nBye.\n", encoding="utf-8")
    (folder / "set.json").write_text(json.dumps({"nl": "x.nl", "en": "x.en", **fields}), encoding="utf-8")
    return folder


def hypothesis_tsv(path: Path) -> Path:
    """The set's English as a corpus TSV: one paragraph a line, as `eval --tsv` reads it."""
    rows = "Hallo.\tHello.\td\t0\t0\t0\t1.0\t0\nDag.\tBye.\td\t1\t1\t1\t1.0\t0\n"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def eval_args(tmp_path: Path, folder: Path) -> list[str]:
    reports = tmp_path / "work" / "reports" / "deep"
    return ["eval", "--set", str(folder), "--tsv", str(tmp_path / "h.tsv"), "--reports-dir", str(reports),
            "--bootstrap", "2", "--no-progress"]


def test_item2_a_plain_set_name_names_the_report_inside_reports_dir(tmp_path, capsys):
    """The control for the refusals below: a plain name gives REPORTS_DIR/tsv-h-<name>.json."""
    hypothesis_tsv(tmp_path / "h.tsv")
    folder = line_set(tmp_path / "s", name="mini")
    code, _, _ = cli(eval_args(tmp_path, folder), capsys)
    assert code == 0
    assert [p.name for p in (tmp_path / "work").rglob("*.json")] == ["tsv-h-mini.json"]
    assert (tmp_path / "work" / "reports" / "deep" / "tsv-h-mini.json").is_file()


@pytest.mark.parametrize("fields, problem", [
    ({"name": "x/../../../../escaped_report"}, '"name" must be a plain name'),
    ({"name": "../escaped_report"}, '"name" must be a plain name'),
    ({"name": ".."}, '"name" must be a plain name'),
    ({"name": "a\\..\\b"}, '"name" must be a plain name'),
    ({"name": "two\nlines"}, '"name" must be a plain name'),
    ({"nl": "../outside.nl"}, '"nl" must name a file inside the set\'s folder'),
    ({"en": "sub/../../outside.en"}, '"en" must name a file inside the set\'s folder'),
    ({"nl": "OUTSIDE"}, '"nl" must name a file inside the set\'s folder'),  # the absolute path of outside.nl
    ({"documents": {"file": "../docs.tsv", "column": "URL"}}, '"documents"."file" must name a file inside'),
])
def test_item2_a_set_json_that_leaves_its_folders_is_one_line(tmp_path, capsys, fields, problem):
    hypothesis_tsv(tmp_path / "h.tsv")
    # files outside the set folder that a hostile set.json points to: never read, never copied
    (tmp_path / "outside.nl").write_text("Geheim.\nNiet lezen.\n", encoding="utf-8")
    (tmp_path / "outside.en").write_text("Secret.\nDo not read.\n", encoding="utf-8")
    (tmp_path / "docs.tsv").write_text("id\tURL\n1\ta\n2\tb\n", encoding="utf-8")
    if fields.get("nl") == "OUTSIDE":
        fields = {"nl": str(tmp_path / "outside.nl")}
    folder = line_set(tmp_path / "s", **fields)
    before = snapshot(tmp_path)
    code, out, lines = cli(eval_args(tmp_path, folder), capsys)
    assert code == 2 and out == ""
    one_error(lines, f"{folder / 'set.json'}: ", problem)
    assert len(lines) == 1
    assert snapshot(tmp_path) == before  # no report anywhere, inputs unchanged
    assert not (tmp_path / "work").exists()


def test_item2_eval_by_subprocess_writes_no_escaped_report(tmp_path):
    """The reproduction of the issue, as a user runs it."""
    hypothesis_tsv(tmp_path / "h.tsv")
    folder = line_set(tmp_path / "s", name="x/../../../../escaped_report")
    before = snapshot(tmp_path)
    result = run_nlen(*eval_args(tmp_path, folder), env={"HF_HUB_OFFLINE": "1"}, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"nlen: error: {folder / 'set.json'}: ")
    assert snapshot(tmp_path) == before
    assert not list(tmp_path.parent.glob("escaped_report*"))


# --------------------------------------------------------------------------
# item 12: deeply nested JSON in a set.json and in a decisions file


def deep_json(path: Path, prefix: str = "", suffix: str = "") -> Path:
    path.write_text(prefix + "[" * DEEP + "]" * DEEP + suffix, encoding="utf-8")
    return path


def test_item12_a_deep_set_json_is_one_line(tmp_path, capsys):
    hypothesis_tsv(tmp_path / "h.tsv")
    folder = line_set(tmp_path / "s")
    deep_json(folder / "set.json", '{"nl": "x.nl", "en": "x.en", "title": ', "}")
    before = snapshot(tmp_path)
    code, out, lines = cli(eval_args(tmp_path, folder), capsys)
    assert code == 2 and out == "" and len(lines) == 1
    one_error(lines, f"{folder / 'set.json'}: ", "nested too deeply")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("shape", ["top", "inside"])
def test_item12_a_deep_decisions_file_is_one_line(tmp_path, capsys, shape):
    tsv = corpus_tsv(tmp_path / "c.tsv")
    decisions = tmp_path / "decisions.json"
    if shape == "top":
        deep_json(decisions)
    else:
        deep_json(decisions, '{"format": "nlen-review-decisions", "decisions": {"d:0:0": ', "}}")
    before = snapshot(tmp_path)
    code, out, lines = cli(["export", str(tsv), "--format", "jsonl", "--out", str(tmp_path / "kept.jsonl"),
                            "--decisions", str(decisions)], capsys)
    assert code == 2 and out == "" and len(lines) == 1
    one_error(lines, f"{decisions}: ", "nested too deeply")
    assert snapshot(tmp_path) == before  # no kept.jsonl, no temporary, inputs unchanged


# --------------------------------------------------------------------------
# item 15: review of a TSV whose score is not a number


@pytest.mark.parametrize("score", ["nan", "NaN", "inf", "-inf"])
def test_item15_review_of_a_non_finite_score_is_one_line(tmp_path, capsys, score):
    tsv = corpus_tsv(tmp_path / "c.tsv", score=score)
    before = snapshot(tmp_path)
    code, out, lines = cli(["review", str(tsv), "--out", str(tmp_path / "page.html")], capsys)
    assert code == 2 and out == "" and len(lines) == 1
    one_error(lines, str(tsv), "score")
    assert snapshot(tmp_path) == before  # no page.html, no temporary


def test_item15_review_of_a_folder_names_the_tsv_with_the_nan(tmp_path):
    """By subprocess, the corpus as a folder of TSVs, the page to stdout: nothing on stdout."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    corpus_tsv(folder / "a.tsv", doc="a")
    bad = corpus_tsv(folder / "b.tsv", score="nan", doc="b")
    before = snapshot(tmp_path)
    result = run_nlen("review", str(folder), "--out", "-", env={"HF_HUB_OFFLINE": "1"}, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"nlen: error: {bad}")
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------
# item 17: files read whole are capped


def test_item17_decisions_from_dev_zero_is_one_line(tmp_path):
    """An endless file: refused after DECISIONS_LIMIT + 1 bytes, not read until memory runs out
    (the subprocess's own timeout only keeps a regression from hanging the suite)."""
    tsv = corpus_tsv(tmp_path / "c.tsv")
    before = snapshot(tmp_path)
    result = run_nlen("export", str(tsv), "--format", "jsonl", "--out", str(tmp_path / "kept.jsonl"),
                      "--decisions", "/dev/zero", env={"HF_HUB_OFFLINE": "1"}, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    mb = filtering.DECISIONS_LIMIT / 1e6
    assert result.stderr.startswith(f"nlen: error: /dev/zero: larger than {mb:g} MB"), result.stderr
    assert snapshot(tmp_path) == before


def test_item17_decisions_file_cap_is_exact(tmp_path, capsys, monkeypatch):
    """A decisions file of exactly the cap is read; one byte more is one line (cap made small)."""
    monkeypatch.setattr(filtering, "DECISIONS_LIMIT", 1000)
    tsv = corpus_tsv(tmp_path / "c.tsv")
    decisions = tmp_path / "decisions.json"
    body = '{"decisions": {"d:1:1": "reject"}}'
    decisions.write_text(body + " " * (1000 - len(body)), encoding="utf-8")
    out = tmp_path / "kept.jsonl"
    args = ["export", str(tsv), "--format", "jsonl", "--out", str(out), "--decisions", str(decisions)]
    code, _, _ = cli(args, capsys)
    assert code == 0 and len(out.read_text(encoding="utf-8").splitlines()) == 2  # one bead rejected
    out.unlink()
    decisions.write_text(body + " " * (1001 - len(body)), encoding="utf-8")
    before = snapshot(tmp_path)
    code, _, lines = cli(args, capsys)
    assert code == 2 and len(lines) == 1
    one_error(lines, f"{decisions}: larger than 0.001 MB")
    assert snapshot(tmp_path) == before


def test_item17_a_large_set_json_is_one_line(tmp_path, capsys):
    hypothesis_tsv(tmp_path / "h.tsv")
    folder = line_set(tmp_path / "s")
    text = json.dumps({"nl": "x.nl", "en": "x.en"})
    (folder / "set.json").write_text(text + " " * (sets.SET_JSON_LIMIT + 1 - len(text)), encoding="utf-8")
    before = snapshot(tmp_path)
    code, _, lines = cli(eval_args(tmp_path, folder), capsys)
    assert code == 2 and len(lines) == 1
    one_error(lines, f"{folder / 'set.json'}: larger than {sets.SET_JSON_LIMIT / 1e6:g} MB")
    assert snapshot(tmp_path) == before


def test_item17_a_set_file_linked_to_dev_zero_is_one_line(tmp_path, capsys):
    """A set's Dutch file is a link to /dev/zero (inside the folder, so allowed by name): capped."""
    hypothesis_tsv(tmp_path / "h.tsv")
    folder = line_set(tmp_path / "s")
    (folder / "x.nl").unlink()
    (folder / "x.nl").symlink_to("/dev/zero")
    code, _, lines = cli(eval_args(tmp_path, folder), capsys)
    assert code == 2 and len(lines) == 1
    one_error(lines, f"{folder / 'x.nl'}: larger than {sets.REFERENCE_LIMIT / 1e6:g} MB")
    assert not (tmp_path / "work").exists()


# --------------------------------------------------------------------------
# item 1: the review page runs nothing that localStorage holds (headless Chromium)


def chromium_path() -> str | None:
    return os.environ.get("NLEN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    if chromium_path() is None:
        pytest.skip("no browser: Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("no browser driver: playwright is not installed (pip install playwright)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])  # root cannot sandbox
        yield b
        b.close()


PAYLOAD = '<img src=x onerror="window.__pwned=1;alert(1)">'
# Values planted under a bead's key, and keys planted beside them: each would, unescaped, have
# added an element (class attribute broken out of, badge text as HTML) or run script.
HOSTILE_VALUES = [
    'accept"><img src=x onerror="window.__pwned=1;alert(1)"><span class="',
    "reject " + PAYLOAD,
    PAYLOAD,
    "<script>window.__pwned=1;alert(1)</script>",
    {"toString": PAYLOAD},
    ["accept"],
    7,
]
# Elements and attributes that no review page has (its only scripts are the two in <body>'s end).
ACTIVE = "img, svg, iframe, object, embed, main script, header script, [onerror], [onload], [onmouseover]"
NOTHING_ADDED = f"document.querySelectorAll({json.dumps(ACTIVE)}).length === 0 && document.scripts.length === 2"


def page_id(html: Path) -> str:
    blob = re.search(r'<script id="corpus" type="application/json">(.*?)</script>', html.read_text("utf-8"), re.S)
    assert blob
    return json.loads(blob.group(1))["id"]


def open_review(browser, attacker: Path, review: Path, stored: str) -> tuple:
    """An attacker page on the same origin (file://) plants the text `stored`; then the review
    page opens."""
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    plant = f"localStorage.setItem({json.dumps('nlen-review:' + page_id(review))}, {json.dumps(stored)});"
    plant = plant.replace("<", "\\u003c")  # a "</script>" in the planted text would end the attacker's script
    attacker.write_text(f"<!DOCTYPE html><script>{plant} document.title = 'planted';</script>", encoding="utf-8")
    page.goto(attacker.as_uri())
    page.wait_for_function("document.title === 'planted'")
    page.goto(review.as_uri())
    page.wait_for_function("window.nlenReview !== undefined")
    return context, page, dialogs, errors


def test_item1_hostile_stored_decisions_run_nothing_in_chromium(browser, tmp_path, capsys):
    doc = '<img src=x onerror="window.__pwned=1;alert(1)">'  # a hostile document name, too
    tsv = corpus_tsv(tmp_path / "c.tsv", doc=doc)
    review = tmp_path / "review.html"
    code, _, _ = cli(["review", str(tsv), "--out", str(review)], capsys)
    assert code == 0
    keys = [f"{doc}:{i}:{i}" for i in range(3)]
    stored = {keys[0]: "reject", keys[1]: "accept"}  # two real decisions, kept
    for n, value in enumerate(HOSTILE_VALUES):
        stored[f"{keys[2]}" if n == 0 else f"{keys[2]}#{n}"] = value  # on a bead, and on unknown keys
        stored[PAYLOAD + str(n)] = "reject"  # a hostile key with a valid value: not this corpus's bead
    stored["__proto__"] = {"polluted": "reject"}
    context, page, dialogs, errors = open_review(browser, tmp_path / "attacker.html", review, json.dumps(stored))
    try:
        for show in ("all", "accepted", "rejected", "undecided"):  # each filter renders the rows again
            page.select_option("#show", show)
            assert page.evaluate(NOTHING_ADDED)
        page.select_option("#show", "all")
        assert page.evaluate("window.__pwned") is None
        assert page.evaluate("({}).polluted") is None
        # only the two valid decisions are kept, with their own badges and classes
        kept = page.evaluate("Object.assign({}, window.nlenReview.decisions())")
        assert kept == {keys[0]: "reject", keys[1]: "accept"}
        assert "1 accepted · 1 rejected" in page.inner_text("#status")
        assert page.locator("tr.bead.rejected").count() == 1 and page.locator("tr.bead.accepted").count() == 1
        badges = page.eval_on_selector_all("tr.bead td:last-child span", "els => els.map(e => e.className)")
        assert sorted(badges) == ["badge accept", "badge reject"]
        # the document name is shown as text, in the rows and in the jump list
        assert page.inner_text("tr.doc th") == doc
        assert page.eval_on_selector_all("#doc option", "els => els.map(e => e.textContent)")[1:] == [doc]
        # the page still works: deciding the third bead saves clean decisions only
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("r")
        saved = json.loads(page.evaluate(f"localStorage.getItem({json.dumps('nlen-review:' + page_id(review))})"))
        assert saved == {keys[0]: "reject", keys[1]: "accept", keys[2]: "reject"}
        assert page.evaluate(NOTHING_ADDED)
        assert not dialogs and not errors, (dialogs, errors)
    finally:
        context.close()


@pytest.mark.parametrize(
    "stored",
    [json.dumps(PAYLOAD), json.dumps(["reject", PAYLOAD]), "5", "null", "{" + PAYLOAD],
    ids=["string", "list", "number", "null", "not-json"],
)
def test_item1_stored_decisions_that_are_not_an_object_are_ignored(browser, tmp_path, capsys, stored):
    tsv = corpus_tsv(tmp_path / "c.tsv")
    review = tmp_path / "review.html"
    assert cli(["review", str(tsv), "--out", str(review)], capsys)[0] == 0
    context, page, dialogs, errors = open_review(browser, tmp_path / "attacker.html", review, stored)
    try:
        assert "0 accepted · 0 rejected" in page.inner_text("#status")
        assert page.locator("tr.bead").count() == 3
        assert page.evaluate(NOTHING_ADDED)
        assert page.evaluate("window.__pwned") is None
        assert not dialogs and not errors, (dialogs, errors)
    finally:
        context.close()


def test_item17_files_read_whole_or_by_line_are_capped(tmp_path, capsys):
    """Found by hand: `align /dev/zero …` and `eval --tsv /dev/zero` grew to 24 GB. Files read
    whole are capped (textio.WHOLE_FILE_LIMIT) and so are lines (textio.LINE_LIMIT)."""
    from pipeline import textio

    big = tmp_path / "big.nl"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(textio.InputError, match="larger than"):
        textio.read_bytes(big, "SRC", limit=1000)
    old = textio.WHOLE_FILE_LIMIT
    try:
        textio.WHOLE_FILE_LIMIT = 1000
        with pytest.raises(textio.InputError, match="larger than 0.001 MB, too large for a SRC"):
            textio.read_bytes(big, "SRC")
    finally:
        textio.WHOLE_FILE_LIMIT = old
    lines = tmp_path / "one-line.tsv"
    lines.write_bytes(b"nl\ten\n" + b"y" * 3000)
    old_line = textio.LINE_LIMIT
    try:
        textio.LINE_LIMIT = 1000
        with pytest.raises(textio.InputError, match="a line longer than"):
            list(textio.iter_lines(lines, "corpus TSV"))
    finally:
        textio.LINE_LIMIT = old_line
