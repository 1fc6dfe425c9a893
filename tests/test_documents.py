"""Documents in, documents out (issue #21), end to end: each format is read, translated by the
pipeline (the tiny random model through `nlen translate --documents`, and the FLORES fault
stand-in of tests/paragraph_mt.py through the same core and writer), written back in its
own format, and read again with the same structure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import srt
import webvtt
from paragraph_mt import FaultPlan, ParagraphMT, flores_articles
from support import read_tsv_fields

from pipeline.cli import main
from pipeline.document.core import translate_documents
from pipeline.document.formats import format_for
from pipeline.document.formats.base import VERBATIM
from pipeline.document.inputs import read_document
from pipeline.document.output import document_name, place_blocks, render_document

HTML = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Nieuws uit Den Haag</title>
<meta name="description" content="Het kabinet presenteert vandaag de begroting.">
<script>var x = "Dit is code.";</script><style>p { color: red }</style></head>
<body><h1>Het kabinet presenteert de begroting</h1>
<p>De minister van <em>Financiën</em> sprak in de <a href="https://example.nl/kamer">Tweede Kamer</a>. Hij had {0} pagina's.</p>
<ul><li>De lasten stijgen met 3 procent.</li><li>Gebruik <code>nlen --help</code> voor hulp.</li></ul>
<table><tr><td>Amsterdam</td><td>Rotterdam ligt aan de Maas.</td></tr></table>
<pre>Dit blijft zoals het is.</pre>
<p><img src="kaart.png" alt="Een kaart van Nederland"> De kaart toont het land.</p>
</body></html>
"""

MARKDOWN = """---
title: Nieuws
date: 2023-09
---
# Het kabinet presenteert de begroting

De minister van *Financiën* sprak in de [Tweede Kamer](https://example.nl/kamer). Hij had %s pagina's.

- De lasten stijgen met 3 procent.
- Gebruik `nlen --help` voor hulp.

| Stad | Rivier |
|---|---|
| Rotterdam | De Maas stroomt hier. |

```
Dit blijft zoals het is.
```
"""

SRT = """1
00:00:01,000 --> 00:00:03,000
De minister sprak vandaag

2
00:00:03,200 --> 00:00:05,500
in de Tweede Kamer over de begroting.

3
00:00:06,000 --> 00:00:08,000
De lasten stijgen met drie procent.
"""

VTT = """WEBVTT

00:00:01.000 --> 00:00:03.000
De minister sprak vandaag

00:00:03.200 --> 00:00:05.500
in de Tweede Kamer over de begroting.

00:00:06.000 --> 00:00:08.000
<i>De lasten stijgen</i> met drie procent.
"""


def make_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.core_properties.title = "Nieuws uit Den Haag"
    d.add_heading("Het kabinet presenteert de begroting", level=1)
    p = d.add_paragraph("De minister van ")
    p.add_run("Financiën").bold = True
    p.add_run(" sprak in de Tweede Kamer. Hij had {0} pagina's.")
    d.add_paragraph("De lasten stijgen met 3 procent.", style="List Bullet")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Amsterdam"
    table.cell(0, 1).text = "Rotterdam ligt aan de Maas."
    d.save(str(path))


def write_samples(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "pagina.html", folder / "notities.md", folder / "toespraak.srt", folder / "ondertitels.vtt"]
    for path, text in zip(paths, (HTML, MARKDOWN, SRT, VTT)):
        path.write_text(text, encoding="utf-8")
    make_docx(folder / "verslag.docx")
    return [*paths, folder / "verslag.docx"]


TRANSLATED_ATTRIBUTE = re.compile(r'\s(?:alt|title)="[^"]*"')  # translated blocks of their own


def structure(path: Path):
    """What must survive a translation: the blocks' paths, and each block's links and
    verbatim pieces (placeholders, code) with their attributes."""
    fmt = format_for(path)
    parsed = fmt.parse(path.read_bytes(), path)
    keep = [
        [(s.kind, TRANSLATED_ATTRIBUTE.sub("", s.literal.strip()), tuple(a for a in s.attrs if a[0] != "space"))
         for s in b.spans if s.kind in VERBATIM or s.kind == "link"]
        for b in parsed.blocks
    ]
    return [b.path for b in parsed.blocks], keep, parsed.meta


def cue_timings(path: Path):
    if path.suffix == ".srt":
        return [(c.index, c.start, c.end) for c in srt.parse(path.read_text(encoding="utf-8"))]
    return [(c.start, c.end) for c in webvtt.read(str(path))]


def cue_texts(path: Path) -> list[str]:
    if path.suffix == ".srt":
        return [c.content for c in srt.parse(path.read_text(encoding="utf-8"))]
    return [c.text for c in webvtt.read(str(path))]


@pytest.fixture(scope="module")
def translated_documents(tiny_marian, tmp_path_factory):
    root = tmp_path_factory.mktemp("documents")
    sources = write_samples(root / "in")
    rc = main(["translate", str(root / "in"), "--out-dir", str(root / "out"), "--documents", str(root / "docs"),
               "--model", str(tiny_marian), "--no-cache", "--no-progress", "--max-new-tokens", "24"])
    assert rc == 0
    return root, sources


def test_every_format_round_trips_with_the_tiny_model(translated_documents):
    root, sources = translated_documents
    for source in sources:
        out = root / "docs" / f"{source.stem}.en{source.suffix}"
        assert out.is_file(), out
        if source.suffix in (".srt", ".vtt"):
            # the same cues and timings, none empty (cue groups follow the English's sentence ends)
            assert cue_timings(out) == cue_timings(source)
            assert all(text.strip() for text in cue_texts(out)), source.name
            continue
        paths, keep, meta = structure(source)
        paths_en, keep_en, _ = structure(out)
        assert paths_en == paths, source.name  # the same blocks, of the same kinds, in order
        # links, placeholders and code come back exactly, once each
        assert [sorted(k) for k in keep_en] == [sorted(k) for k in keep], source.name


def test_the_tsv_names_each_rows_block_and_the_manifest_holds_the_metadata(translated_documents):
    root, sources = translated_documents
    for source in sources:
        header, rows = read_tsv_fields(root / "out" / f"{source.stem}.tsv")
        blocks = [r[header.index("block")] for r in rows]
        paths, _, meta = structure(source)
        assert set(blocks) <= set(paths) and blocks, source.name
        manifest = json.loads((root / "out" / f"{source.stem}.json").read_text(encoding="utf-8"))
        assert manifest.get("meta", {}) == meta, source.name
        assert manifest["document"]["name"] == f"{source.stem}.en{source.suffix}"


def test_untouched_parts_stay(translated_documents):
    root, _ = translated_documents
    html = (root / "docs" / "pagina.en.html").read_text(encoding="utf-8")
    assert 'var x = "Dit is code.";' in html and "<pre>Dit blijft zoals het is.</pre>" in html
    assert 'href="https://example.nl/kamer"' in html and "<code>nlen --help</code>" in html
    md = (root / "docs" / "notities.en.md").read_text(encoding="utf-8")
    assert md.startswith("---\ntitle: Nieuws\ndate: 2023-09\n---\n") and "```\nDit blijft zoals het is.\n```" in md
    assert "`nlen --help`" in md and "(https://example.nl/kamer)" in md and "%s" in md


def test_a_rerun_skips_the_documents_and_redoes_a_missing_one(translated_documents, tiny_marian):
    root, sources = translated_documents
    before = {p.name: p.read_bytes() for p in (root / "docs").iterdir()}
    (root / "docs" / "pagina.en.html").unlink()
    rc = main(["translate", str(root / "in"), "--out-dir", str(root / "out"), "--documents", str(root / "docs"),
               "--model", str(tiny_marian), "--no-cache", "--no-progress", "--max-new-tokens", "24"])
    assert rc == 0
    assert {p.name: p.read_bytes() for p in (root / "docs").iterdir()} == before  # byte-identical


def test_the_seed_header_is_metadata(seed_article):
    doc = read_document(seed_article)
    assert doc.meta == {"date": "2023-09"}
    assert doc.paragraphs[0].sentences[0].text.startswith("Een zeldzame ontmoeting:")


# --- with the fault stand-in: real FLORES text, simulated paragraph MT faults -------------------

def flores_document(suffix: str, folder: Path) -> Path:
    """Two FLORES articles as a document of the format: each article's first sentence a
    heading, the rest a paragraph (a cue a sentence for subtitles), with a link on the first
    word of each paragraph where the format has links."""
    articles = [a for a in flores_articles() if len(a.nl) >= 4][:2]
    parts = [(a.nl[0], a.nl[1:]) for a in articles]
    path = folder / f"flores{suffix}"
    if suffix in (".html", ".md"):
        out = []
        for heading, rest in parts:
            first, tail = rest[0].split(" ", 1)
            body = " ".join([tail, *rest[1:]])
            if suffix == ".html":
                out.append(f'<h2>{heading}</h2><p><a href="https://example.org/{len(out)}">{first}</a> {body}</p>')
            else:
                out.append(f"## {heading}\n\n[{first}](https://example.org/{len(out)}) {body}\n\n")
        path.write_text("<html><body>" + "".join(out) + "</body></html>" if suffix == ".html" else "".join(out),
                        encoding="utf-8")
    elif suffix == ".docx":
        import docx

        d = docx.Document()
        for heading, rest in parts:
            d.add_heading(heading, level=2)
            d.add_paragraph(" ".join(rest))
        d.save(str(path))
    else:  # subtitles: one sentence a cue
        sentences = [s for a in articles for s in a.nl]
        cues = [srt.Subtitle(k + 1, srt.timedelta(seconds=2 * k), srt.timedelta(seconds=2 * k + 1.5), s)
                for k, s in enumerate(sentences)]
        text = srt.compose(cues)
        if suffix == ".vtt":
            lines = [ln.replace(",", ".") if "-->" in ln else ln for ln in text.splitlines() if not ln.isdigit()]
            text = "WEBVTT\n\n" + "\n".join(lines) + "\n"
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".html", ".md", ".docx", ".srt", ".vtt"])
@pytest.mark.parametrize("seed", [0, 1])
def test_every_format_round_trips_with_the_fault_stand_in(suffix, seed, tmp_path):
    source = flores_document(suffix, tmp_path)
    doc = read_document(source)
    stand_in = ParagraphMT(plan=FaultPlan(seed=seed, rate=1.0))  # a fault in every paragraph that can have one
    result = translate_documents([doc], stand_in)[0]
    # every Dutch sentence exactly once, in order
    assert [i for r in result.rows for i in r.nl_ids] == [s.id for s in doc.sentences]
    blocks, rows = place_blocks(doc, result.rows)
    out = tmp_path / document_name(doc)
    out.write_bytes(render_document(doc, rows, blocks))
    if suffix in (".srt", ".vtt"):
        assert cue_timings(out) == cue_timings(source) and all(t.strip() for t in cue_texts(out))
    else:
        assert structure(out)[:2] == structure(source)[:2]


def test_extract_translates_the_main_content_only(tmp_path):
    pytest.importorskip("trafilatura")
    article = " ".join(flores_articles()[5].nl)
    page = ("<html lang='nl'><head><title>Nieuws</title></head><body><nav><a href='/'>Home</a> "
            "<a href='/sport'>Sport</a> <a href='/weer'>Weer</a></nav><article><h1>Een bericht</h1>"
            f"<p>{article}</p><p>{article}</p></article><footer>Alle rechten voorbehouden.</footer></body></html>")
    path = tmp_path / "pagina.html"
    path.write_text(page, encoding="utf-8")
    whole, main_only = read_document(path), read_document(path, extract=True)
    assert "Alle rechten voorbehouden." in [s.text for s in whole.sentences]
    assert "Alle rechten voorbehouden." not in [s.text for s in main_only.sentences]
    assert flores_articles()[5].nl[0] in [s.text for s in main_only.sentences]
    assert main_only.meta.get("title") == "Nieuws"


def test_english_passages_are_copied_through_and_flagged(tmp_path):
    """FLORES Dutch with a FLORES English sentence (another article's) inserted: the English
    row is the sentence itself, flagged `source_english`; --translate-all sends it to the model."""
    a, other = flores_articles()[6], flores_articles()[40]
    english = other.en[0]
    path = tmp_path / "gemengd.txt"
    path.write_text(" ".join([a.nl[0], english, *a.nl[1:]]) + "\n", encoding="utf-8")
    doc = read_document(path)
    stand_in = ParagraphMT(plan=FaultPlan(seed=0, rate=0.0))
    rows = translate_documents([doc], stand_in)[0].rows
    assert [i for r in rows for i in r.nl_ids] == [s.id for s in doc.sentences]
    copied = [r for r in rows if "source_english" in r.flags]
    assert [(r.nl, r.en, r.nl_ids) for r in copied] == [(english, english, (1,))]
    assert english not in " ".join(text for text, _ in stand_in.log)  # never sent to the model
    assert all(r.en != r.nl for r in rows if r not in copied)
    from doubles import EchoTranslator

    echo = EchoTranslator()
    rows = translate_documents([doc], echo, translate_all=True)[0].rows
    assert not any("source_english" in r.flags for r in rows)
    assert any(english in t for batch in echo.batches for t in batch)  # --translate-all: sent to the model


def test_bad_documents_are_one_line_each_and_the_others_go_through(tiny_marian, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "goed.html").write_text("<p>Dit is goed. <b>Echt waar.</b></p>", encoding="utf-8")
    (folder / "kapot.docx").write_bytes(b"not a zip file")
    (folder / "tijden.srt").write_text("1\n00:00:01,000 --> nonsense\nHallo daar.\n", encoding="utf-8")
    (folder / "leeg.md").write_text("```\ncode only\n```\n", encoding="utf-8")
    (folder / "kop.vtt").write_text("00:00:01.000 --> 00:00:02.000\nGeen kop.\n", encoding="utf-8")
    rc = main(["translate", str(folder), "--out-dir", str(tmp_path / "o"), "--model", str(tiny_marian),
               "--no-cache", "--no-progress", "--max-new-tokens", "24"])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err
    for name in ("kapot.docx", "tijden.srt", "leeg.md", "kop.vtt"):
        lines = [line for line in err.splitlines() if name in line]
        assert len(lines) == 1, (name, err)
        assert not (tmp_path / "o" / f"{Path(name).stem}.tsv").exists()
    assert (tmp_path / "o" / "goed.tsv").is_file()


def test_placeholders_stay_in_the_rows_once_each(tmp_path):
    path = tmp_path / "meldingen.html"
    path.write_text("<p>Klik op {0} om verder te gaan. Hallo {name}, welkom bij %s!</p><p>Geen plaats hier.</p>",
                    encoding="utf-8")
    from doubles import EchoTranslator

    doc = read_document(path)
    assert "{0}" not in doc.paragraphs[0].text  # taken out before translation
    _, rows = place_blocks(doc, translate_documents([doc], EchoTranslator())[0].rows)
    nl, en = " ".join(r.nl for r in rows), " ".join(r.en for r in rows)
    for placeholder in ("{0}", "{name}", "%s"):
        assert nl.count(placeholder) == 1 and en.count(placeholder) == 1, placeholder
    assert rows[0].nl == "Klik op {0} om verder te gaan." and "Hallo {name}, welkom bij %s!" in nl
    assert all("\t" not in r.nl + r.en and "  " not in r.nl + r.en for r in rows)


def test_a_translated_document_never_replaces_an_input_or_a_file_nlen_did_not_write(tiny_marian, tmp_path, capsys):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").write_text("<p>De kat zit op de mat.</p>", encoding="utf-8")
    mine = folder / "index.en.html"
    mine.write_text("<p>Mijn eigen pagina.</p>", encoding="utf-8")
    args = ["--out-dir", str(tmp_path / "o"), "--documents", str(folder), "--model", str(tiny_marian),
            "--no-cache", "--no-progress", "--max-new-tokens", "24"]
    # named as an input: refused whatever --force says
    assert main(["translate", str(folder / "index.html"), str(mine), *args, "--force"]) == 2
    err = capsys.readouterr().err
    assert "would overwrite one of the inputs" in err and "Traceback" not in err
    assert mine.read_text(encoding="utf-8") == "<p>Mijn eigen pagina.</p>"
    # in the folder, not an input, but not written by nlen: refused unless --force
    assert main(["translate", str(folder), *args]) == 2
    assert "nlen did not write it" in capsys.readouterr().err
    assert mine.read_text(encoding="utf-8") == "<p>Mijn eigen pagina.</p>"
    assert main(["translate", str(folder), *args, "--force"]) == 0
    assert "Mijn eigen" not in mine.read_text(encoding="utf-8")
    # now nlen wrote it: a rerun may replace it
    assert main(["translate", str(folder), *args, "--force"]) == 0


def test_documents_folder_that_is_a_file_is_refused_before_the_model_loads(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Een zin.\n", encoding="utf-8")
    (tmp_path / "docs").write_text("", encoding="utf-8")
    rc = main(["translate", str(tmp_path / "a.txt"), "--out-dir", str(tmp_path / "o"), "--documents",
               str(tmp_path / "docs"), "--model", str(tmp_path / "no-such-model")])
    err = capsys.readouterr().err
    assert rc == 2 and "--documents is a file, not a folder" in err and len(err.strip().splitlines()) == 1


def test_adjacent_placeholders_keep_their_order_in_the_rows(tmp_path):
    """Found in review: two placeholders at one place came back in reverse order in the TSV."""
    from doubles import EchoTranslator

    path = tmp_path / "twee.html"
    path.write_text("<p>Twee placeholders {0}{1} naast elkaar.</p>", encoding="utf-8")
    doc = read_document(path)
    _, rows = place_blocks(doc, translate_documents([doc], EchoTranslator())[0].rows)
    assert rows[0].nl.index("{0}") < rows[0].nl.index("{1}")
    assert rows[0].en.index("{0}") < rows[0].en.index("{1}")
