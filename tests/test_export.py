"""`nlen export`: TMX 1.4b (validated against its DTD), Moses, OPUS XCES (read
back with OpusTools' opus_read), JSONL; the filters and their counts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.corpus.filtering import Dedup, FilterChain, normalise
from pipeline.corpus.read import read_corpus, row_key
from pipeline.types import AlignedRow

DTD = Path(__file__).parent / "data" / "tmx14.dtd"


@pytest.fixture(scope="module")
def corpus(news_corpus) -> Path:
    return news_corpus


@pytest.fixture(scope="module")
def rows(corpus) -> list[AlignedRow]:
    rows = list(read_corpus([corpus]))
    # the fixture has what the exports must handle
    assert any(r.repaired for r in rows) and any(not r.nl for r in rows) and any(r.flags for r in rows)
    return rows


def both(rows):
    return [r for r in rows if r.nl.strip() and r.en.strip()]


def export(*args: str) -> tuple[int, dict]:
    """Run `nlen export` in-process; returns the exit code and its JSON report."""
    report = Path(args[args.index("--out") + 1] + ".report.json") if "--out" in args else None
    rc = main(["export", *args, "--report", str(report)])
    return rc, (json.loads(report.read_text(encoding="utf-8")) if rc == 0 else {})


def test_tmx_is_valid_tmx14b(corpus, rows, tmp_path):
    from lxml import etree

    out = tmp_path / "corpus.tmx"
    rc, report = export(str(corpus), "--format", "tmx", "--out", str(out))
    assert rc == 0
    tree = etree.parse(str(out))
    dtd = etree.DTD(str(DTD))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    root = tree.getroot()
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert {k: header.get(k) for k in ("creationtool", "segtype", "o-tmf", "adminlang", "srclang", "datatype")} == {
        "creationtool": "nlen", "segtype": "sentence", "o-tmf": "nlen-tsv", "adminlang": "en", "srclang": "nl",
        "datatype": "plaintext"}
    assert header.get("creationtoolversion")
    tus = root.findall("body/tu")
    kept = both(rows)
    assert len(tus) == len(kept) == report["export"]["written"]
    assert report["export"]["left_out"] == {"empty side": len(rows) - len(kept)} != {}
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for tu, row in zip(tus, kept):
        assert tu.get("tuid") == row_key(row)
        props = {p.get("type"): p.text for p in tu.findall("prop")}
        assert props["x-score"] == f"{row.score:.4f}" and props["x-repaired"] == ("1" if row.repaired else "0")
        assert props.get("x-flags") == (",".join(row.flags) or None)
        segs = {tuv.get(lang): tuv.findtext("seg") for tuv in tu.findall("tuv")}
        assert segs == {"nl": row.nl, "en": row.en}
    assert len({tu.get("tuid") for tu in tus}) == len(tus)


def test_moses_and_meta(corpus, rows, tmp_path):
    rc, report = export(str(corpus), "--format", "moses", "--out", str(tmp_path / "c"), "--meta")
    assert rc == 0
    nl = (tmp_path / "c.nl-en.nl").read_text(encoding="utf-8").split("\n")
    en = (tmp_path / "c.nl-en.en").read_text(encoding="utf-8").split("\n")
    meta = (tmp_path / "c.nl-en.meta").read_text(encoding="utf-8").split("\n")
    kept = both(rows)
    assert len(nl) == len(en) == len(meta) == len(kept) + 1  # + the empty string after the last newline
    assert all(nl[:-1]) and all(en[:-1])
    assert nl[:-1] == [r.nl for r in kept] and en[:-1] == [r.en for r in kept]
    doc, nl_ids, en_ids, score, repaired, flags = meta[1].split("\t")
    assert (doc, nl_ids, score) == (kept[1].doc, ",".join(map(str, kept[1].nl_ids)), f"{kept[1].score:.4f}")


def test_xces_reads_back_with_opus_read(corpus, rows, tmp_path, capsys):
    import gzip

    from lxml import etree

    out = tmp_path / "xces"
    rc, report = export(str(corpus), "--format", "xces", "--out", str(out))
    assert rc == 0 and report["export"]["written"] == len(rows)
    docs = len({r.doc for r in rows})
    assert len(report["export"]["files"]) == 1 + 2 * docs  # the report lists them all; stderr a few
    assert docs > 1 and f"{out / 'nl-en.xml.gz'}, " in (err := capsys.readouterr().err)
    assert f" and {2 * docs - 2} more files" in err
    links = etree.fromstring(gzip.decompress((out / "nl-en.xml.gz").read_bytes())).findall("linkGrp/link")
    assert len(links) == len(rows)
    assert [float(link.get("certainty")) for link in links] == [round(r.score, 4) for r in rows]
    one_zero = [link.get("xtargets") for link, r in zip(links, rows) if not r.nl]
    assert one_zero and all(x.startswith(";s") for x in one_zero)  # a 0-1 bead: empty Dutch side
    opus_read = Path(sys.executable).with_name("opus_read")
    result = subprocess.run(
        [str(opus_read), "-d", "nlen", "-s", "nl", "-t", "en", "-p", "raw", "-af", str(out / "nl-en.xml.gz"),
         "-dl", str(out), "-wm", "moses", "-w", str(tmp_path / "rb.nl"), str(tmp_path / "rb.en")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    back_nl = (tmp_path / "rb.nl").read_text(encoding="utf-8").splitlines()
    back_en = (tmp_path / "rb.en").read_text(encoding="utf-8").splitlines()
    assert len(back_nl) == len(back_en) == len(rows)  # every link, 1-0 and 0-1 included
    assert list(zip(back_nl, back_en)) == [(r.nl, r.en) for r in rows]


def test_jsonl_has_every_column(corpus, rows, tmp_path):
    rc, _ = export(str(corpus), "--format", "jsonl", "--out", str(tmp_path / "c.jsonl"))
    assert rc == 0
    lines = (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(rows)
    first = json.loads(lines[0])
    assert list(first) == ["nl", "en", "doc", "paragraph", "nl_ids", "en_ids", "score", "repaired", "flags", "logprob", "block"]
    back = [AlignedRow(**{**d, "nl_ids": tuple(d["nl_ids"]), "en_ids": tuple(d["en_ids"]), "flags": tuple(d["flags"])})
            for d in map(json.loads, lines)]
    assert back == rows


def test_same_rows_same_bytes(corpus, tmp_path):
    for fmt, name in (("tmx", "a.tmx"), ("xces", "x"), ("jsonl", "a.jsonl")):
        for run in ("1", "2"):
            assert main(["export", str(corpus), "--format", fmt, "--out", str(tmp_path / run / name)]) == 0
    for path in (tmp_path / "1").rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (tmp_path / "2" / path.relative_to(tmp_path / "1")).read_bytes(), path


def test_filters_count_what_they_remove(corpus, rows, tmp_path):
    cut = sorted(r.score for r in rows)[len(rows) // 4]  # a score some rows fall below
    decisions = tmp_path / "decisions.json"
    # decisions on rows the earlier filters keep, so that the decisions filter has rows to remove
    passing = [r for r in rows if r.score >= cut and not {"empty", "numbers"} & set(r.flags) and not r.repaired]
    rejected = [row_key(r) for r in passing[:3]]
    decisions.write_text(json.dumps({"decisions": {**{k: "reject" for k in rejected}, row_key(passing[3]): "accept"}}))
    rc, report = export(str(corpus), "--format", "jsonl", "--out", str(tmp_path / "f.jsonl"), "--min-score", repr(cut),
                        "--drop-flags", "empty,numbers", "--no-repaired", "--decisions", str(decisions),
                        "--dedup", "exact")
    assert rc == 0
    kept = [json.loads(line) for line in (tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    # the same filters by hand, in the same order
    expect, seen, removed = [], set(), [0, 0, 0, 0, 0]
    for r in rows:
        checks = [r.score >= cut, not {"empty", "numbers"} & set(r.flags), not r.repaired,
                  row_key(r) not in rejected, (r.nl, r.en) not in seen]
        if all(checks):
            seen.add((r.nl, r.en))
            expect.append(r)
        else:
            removed[checks.index(False)] += 1
    assert [(k["nl"], k["en"]) for k in kept] == [(r.nl, r.en) for r in expect]
    assert [v["rows"] for v in report["removed"].values()] == removed
    # each filter has rows to remove in this corpus (whether an earlier filter got them first
    # depends on the aligner's scores)
    assert any(r.score < cut for r in rows) and any({"empty", "numbers"} & set(r.flags) for r in rows)
    assert any(r.repaired for r in rows) and removed[3] and removed[4], removed
    assert report["rows"] == len(rows) and report["kept"]["rows"] == len(expect)
    assert report["kept"]["share"] == round(len(expect) / len(rows), 4)


def test_dedup_exact_and_normalised():
    def row(nl, en):
        return AlignedRow(nl, en, "d", 0, (0,), (0,), 1.0)

    rows = [row("Het is 3 uur.", "It is 3 o'clock."), row("Het is 3 uur.", "It is 3 o'clock."),
            row("het is 4 uur", "It is 4 o’clock!"), row("Iets anders.", "Something else.")]
    assert normalise("Het is 3 uur.") == normalise("het  is 4 UUR") == "hetisuur"
    for mode, expect in (("exact", 3), ("normalised", 2)):
        chain = FilterChain([Dedup(mode)])
        assert len(list(chain.apply(rows))) == expect
        assert chain.report()["removed"][f"duplicate ({mode})"]["rows"] == len(rows) - expect


def test_bad_inputs_are_one_line(corpus, tmp_path, capsys):
    bad = tmp_path / "bad.tsv"
    bad.write_text("nl\ten\nx\ty\n", encoding="utf-8")
    assert main(["export", str(bad), "--format", "tmx", "--out", str(tmp_path / "o.tmx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.tsv" in err[0] and "missing column" in err[0]
    assert not (tmp_path / "o.tmx").exists()
    decisions = tmp_path / "d.json"
    decisions.write_text("{not json", encoding="utf-8")
    assert main(["export", str(corpus), "--format", "tmx", "--out", str(tmp_path / "o.tmx"), "--decisions", str(decisions)]) == 2
    assert "d.json" in capsys.readouterr().err
    assert main(["export", str(corpus), "--format", "tmx", "--out", str(tmp_path / "o.tmx"), "--drop-flags", "nope"]) == 2
    assert "unknown flag" in capsys.readouterr().err
    latin1 = tmp_path / "latin1.tsv"
    latin1.write_bytes((corpus / "news-drop.tsv").read_bytes().replace("ë".encode(), b"\xeb"))
    assert main(["export", str(latin1), "--format", "tmx", "--out", str(tmp_path / "o.tmx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "latin1.tsv" in err[0] and "not valid UTF-8" in err[0] and "(line " in err[0]
    assert not list(tmp_path.glob(".*.tmp")) and not (tmp_path / "o.tmx").exists()


def test_sharded_out_dir_in_input_order(tmp_path):
    """A JSONL input translated in shards of 2 documents: export reads the out-dir's
    units as `nlen merge` does (in input order, whole, the merged corpus.tsv beside
    them not read twice)."""
    from doubles import FaultyTranslator, news_document_text

    from pipeline.job.run import run_translate
    from pipeline.job.spec import TranslateJob

    FaultyTranslator.mode = "drop"
    paragraphs = news_document_text().strip().split("\n\n")
    docs = [{"id": f"n{i:02d}", "text": p} for i, p in enumerate(paragraphs + paragraphs[::-1])]
    source = tmp_path / "news.jsonl"
    source.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    out = tmp_path / "out"
    job = TranslateJob(out_dir=out, model="lookup", backend="test-faulty", cache=False, progress=False, shard_size=2)
    assert run_translate([str(source)], job) == 0
    assert len(list(out.glob("news-*.tsv"))) == 10
    assert main(["merge", str(out)]) == 0
    merged = list(read_corpus([out / "corpus.tsv"]))
    assert list(dict.fromkeys(r.doc for r in merged)) == [d["id"] for d in docs]
    rc, report = export(str(out), "--format", "jsonl", "--out", str(tmp_path / "all.jsonl"))
    assert rc == 0 and report["rows"] == len(merged)  # the merged corpus.tsv beside the units is not read twice
    back = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(d["doc"], d["nl"], d["en"]) for d in back] == [(r.doc, r.nl, r.en) for r in merged]
    # a unit that does not match its manifest stops the export with one line
    unit = sorted(out.glob("news-*.tsv"))[0]
    unit.write_text(unit.read_text(encoding="utf-8") + "x\ty\tn0\t0\t\t\t0.5\t0\t\t\n", encoding="utf-8")
    assert main(["export", str(out), "--format", "jsonl", "--out", str(tmp_path / "bad.jsonl")]) == 2
