"""DOCX (pipeline/document/formats/docx.py): paragraphs, headings, list items, table cells
and headers as blocks, runs' formatting and hyperlinks as spans, images, fields, tabs and
footnote references kept verbatim, and the English written back with the formatting of
the runs it came from. Documents are built here with python-docx; the "translation" is a
word-for-word dictionary that keeps the spans on the same words."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from doubles import word_for_word

from pipeline.document.formats import Block, ParsedDocument, format_for
from pipeline.errors import InputError

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
WORDS = {
    "een": "a",
    "zeldzame": "rare",
    "ontmoeting": "meeting",
    "dit": "this",
    "vet": "bold",
    "en": "and",
    "schuin": "italic",
    "lees": "read",
    "de": "the",
    "website": "web site",
    "voor": "for",
    "meer.": "more.",
    "naam": "name",
    "kaas": "cheese",
}


def translate(block: Block) -> Block:
    return word_for_word(block, WORDS)


def add_fields(d) -> None:
    """A paragraph with a simple field (PAGE) and a complex one (NUMPAGES)."""
    fields = d.add_paragraph("Pagina ")
    fields._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    fields.add_run(" van ")
    for part in (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r><w:instrText xml:space="preserve"> NUMPAGES </w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
        "<w:r><w:t>9</w:t></w:r>",
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        fields._p.append(parse_xml(part.replace("<w:r>", f"<w:r {nsdecls('w')}>", 1)))
    fields.add_run(" pagina's.")


def build() -> bytes:
    """The test document: every kind of block, run formatting, link and verbatim element."""
    d = docx.Document()
    props = d.core_properties
    props.title, props.author, props.language = "Een test", "Jan", "nl-NL"
    props.created = datetime.datetime(2023, 9, 1, 12, 0, 0)
    d.add_heading("Een zeldzame ontmoeting", level=1)
    p = d.add_paragraph("Dit is ")
    p.add_run("vet").bold = True
    p.add_run(" en ")
    p.add_run("schuin").italic = True
    underlined = p.add_run(" met")
    underlined.underline = True
    p.add_run(" een tab").add_tab()
    p.add_run("en {0} tekst.")
    link = d.add_paragraph("Lees ")
    rid = d.part.relate_to("https://example.org/", RT.HYPERLINK, is_external=True)
    link._p.append(
        parse_xml(
            f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr>'
            "<w:t>de website</w:t></w:r></w:hyperlink>"
        )
    )
    link.add_run(" voor meer.")
    link._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            '<w:footnoteReference w:id="1"/></w:r>'
        )
    )
    add_fields(d)
    bookmark = d.add_paragraph()
    bookmark._p.append(parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="0" w:name="doel"/>'))
    bookmark.add_run("Een ")
    bookmark._p.append(parse_xml(f'<w:proofErr {nsdecls("w")} w:type="spellStart"/>'))
    bookmark.add_run("ankerr")
    bookmark._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="0"/>'))
    for text in ("Eerste punt", "Tweede punt"):
        d.add_paragraph(text, style="List Bullet")
    table = d.add_table(rows=2, cols=3)
    table.cell(0, 0).text, table.cell(0, 1).text = "Naam", "Waarde"
    table.cell(0, 1).merge(table.cell(0, 2))
    table.cell(1, 0).text, table.cell(1, 2).text = "Kaas", "Goed"
    picture = d.add_paragraph("Een plaatje: ")
    picture.add_run().add_picture(io.BytesIO(PNG))
    picture.add_run(" hier.")
    d.add_paragraph("")
    only_image = d.add_paragraph()
    only_image.add_run().add_picture(io.BytesIO(PNG))
    d.sections[0].header.paragraphs[0].text = "Koptekst van het document"
    d.sections[0].footer.paragraphs[0].text = "Voettekst"
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


DATA = build()


def parse(data: bytes = DATA, name: str = "brief.docx") -> ParsedDocument:
    fmt = format_for(name)
    assert fmt is not None
    return fmt.parse(data, Path(name))


def render(parsed: ParsedDocument, english: list[Block] | None = None) -> bytes:
    fmt = format_for("brief.docx")
    assert fmt is not None
    return fmt.render(parsed, english if english is not None else [translate(b) for b in parsed.blocks])


def kinds(block: Block) -> list[tuple[str, tuple[tuple[str, str], ...], str]]:
    """Each span's kind, attrs and literal; not which run it names (the writer joins runs)."""
    return [(s.kind, tuple(a for a in s.attrs if a[0] != "run"), s.literal) for s in block.spans]


def test_parse_reads_blocks_in_order_with_their_paths():
    parsed = parse()
    assert [(b.path, b.text) for b in parsed.blocks] == [
        ("h1", "Een zeldzame ontmoeting"),
        ("p", "Dit is vet en schuin met een tab en tekst."),
        ("p", "Lees de website voor meer."),
        ("p", "Pagina 1 van 9 pagina's."),  # the fields' results are text
        ("p", "Een ankerr"),
        ("li", "Eerste punt"),
        ("li", "Tweede punt"),
        ("td[1,1]", "Naam"),
        ("td[1,2]", "Waarde"),  # merged over columns 2 and 3
        ("td[2,1]", "Kaas"),
        ("td[2,3]", "Goed"),
        ("p", "Een plaatje: hier."),
        ("header", "Koptekst van het document"),
        ("footer", "Voettekst"),
    ]


def test_parse_reads_runs_links_and_verbatim_elements_as_spans():
    blocks = parse().blocks
    formatted = blocks[1]
    assert [
        (formatted.text[s.start : s.end], s.kind, s.attr("run"))
        for s in formatted.spans
        if s.kind != "code" and s.kind != "placeholder"
    ] == [
        ("vet", "strong", "1"),
        ("schuin", "em", "3"),
        ("met", "format", "4"),
    ]
    verbatim = [(s.start, s.kind, s.literal) for s in formatted.spans if s.kind in ("code", "placeholder")]
    assert verbatim == [(32, "code", "⟦tab0⟧"), (36, "placeholder", "{0}")]
    linked = blocks[2]
    link = next(s for s in linked.spans if s.kind == "link")
    assert linked.text[link.start : link.end] == "de website" and link.attr("r:id").startswith("rId")
    assert [s.kind for s in linked.spans] == ["link", "format", "code"]
    assert linked.spans[-1].attr("element") == "footnote" and linked.spans[-1].start == len(linked.text)
    fields = [(blocks[3].text[s.start : s.end], s.kind, s.attr("element")) for s in blocks[3].spans]
    assert fields == [("1", "format", "field"), ("9", "format", "field")]  # a simple and a complex field
    assert [s.attr("element") for s in blocks[11].spans] == ["image"]
    assert blocks[4].spans == []  # bookmarks and proofing marks are no spans


def test_parse_reads_core_properties_as_metadata():
    meta = parse().meta
    assert meta["title"] == "Een test" and meta["author"] == "Jan" and meta["language"] == "nl-NL"
    assert meta["created"].startswith("2023-09-01T12:00:00")
    assert all(isinstance(v, str) for v in meta.values())
    assert not any("Een test" in b.text for b in parse().blocks)


def test_round_trip_keeps_structure_formatting_and_links():
    parsed = parse()
    data = render(parsed)
    again = parse(data, "brief.en.docx")
    assert [b.path for b in again.blocks] == [b.path for b in parsed.blocks]
    for before, after in zip(parsed.blocks, again.blocks):
        assert kinds(after) == kinds(before), before.text
    assert again.blocks[0].text == "a rare meeting"
    assert again.blocks[1].text == "this IS bold and italic MET a TAB and TEKST."  # {0} is a span again
    assert again.blocks[2].text == "read the web site for more."
    original, english = docx.Document(io.BytesIO(DATA)), docx.Document(io.BytesIO(data))
    assert len(english.paragraphs) == len(original.paragraphs)
    assert len(english.tables) == len(original.tables)
    assert [p.style and p.style.name for p in english.paragraphs] == [
        p.style and p.style.name for p in original.paragraphs
    ]
    assert len(english.styles) == len(original.styles)
    runs = {r.text: r for r in english.paragraphs[1].runs}
    assert runs["bold"].bold and runs["italic"].italic and runs["MET"].underline
    assert not runs["this IS "].bold
    assert english.core_properties.title == "Een test"  # metadata is not translated


def test_round_trip_puts_verbatim_elements_back_once():
    data = render(parse())
    english = docx.Document(io.BytesIO(data))
    body = english.element.body
    original = docx.Document(io.BytesIO(DATA)).element.body
    for tag in (
        "w:tab",
        "w:drawing",
        "w:footnoteReference",
        "w:fldSimple",
        "w:fldChar",
        "w:instrText",
        "w:bookmarkStart",
        "w:bookmarkEnd",
    ):
        assert len(body.findall(f".//{qn(tag)}")) == len(original.findall(f".//{qn(tag)}")), tag
    assert body.findall(f".//{qn('w:proofErr')}") == []
    link = body.find(f".//{qn('w:hyperlink')}")
    assert english.part.rels[link.get(qn("r:id"))].target_ref == "https://example.org/"
    footnote_run = body.find(f".//{qn('w:footnoteReference')}").getparent()
    assert footnote_run.find(f"{qn('w:rPr')}/{qn('w:vertAlign')}").get(qn("w:val")) == "superscript"
    fields = english.paragraphs[3]._p
    assert "".join(t.text for t in fields.iter(qn("w:t"))) == "PAGINA 1 VAN 9 PAGINA'S."
    bookmark = english.paragraphs[4]._p
    assert [etree_name(c) for c in bookmark][:2] == ["bookmarkStart", "r"] and etree_name(bookmark[-1]) == "bookmarkEnd"


def etree_name(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def test_untouched_parts_stay_as_they_were():
    data = render(parse())
    with zipfile.ZipFile(io.BytesIO(DATA)) as before, zipfile.ZipFile(io.BytesIO(data)) as after:
        assert sorted(before.namelist()) == sorted(after.namelist())
        for name in before.namelist():
            if name.startswith("word/media/") or name.endswith("styles.xml") or name.endswith("numbering.xml"):
                assert before.read(name) == after.read(name), name
    english = docx.Document(io.BytesIO(data))
    assert english.paragraphs[-2].text == ""  # the empty paragraph, and the one that is only an image
    assert english.paragraphs[-1]._p.find(f".//{qn('w:drawing')}") is not None


def test_english_that_lost_a_verbatim_piece_does_not_lose_the_element():
    parsed = parse()
    english = [translate(b) for b in parsed.blocks]
    english[11] = Block(english[11].path, "A PICTURE: HERE.")  # the image's code span dropped
    document = docx.Document(io.BytesIO(render(parsed, english)))
    assert document.paragraphs[-3]._p.find(f".//{qn('w:drawing')}") is not None
    assert document.paragraphs[-3].text == "A PICTURE: HERE."


def test_render_does_not_change_the_parse():
    parsed = parse()
    before = repr(parsed.blocks), dict(parsed.meta)
    first = parse(render(parsed)).blocks
    assert parse(render(parsed)).blocks == first
    assert (repr(parsed.blocks), parsed.meta) == before


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_output(tmp_path):
    path = tmp_path / "brief.en.docx"
    path.write_bytes(render(parse()))
    result = subprocess.run(
        ["soffice", "--headless", "--convert-to", "txt:Text", "--outdir", str(tmp_path), str(path)],
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0
    assert "a rare meeting" in (tmp_path / "brief.en.txt").read_text(encoding="utf-8-sig")


def zipped(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def empty_docx() -> bytes:
    out = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("   ")
    d.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"Dit is gewoon tekst.", "not a ZIP"),
        (zipped({"hallo.txt": "hallo"}), "not a DOCX"),
        (empty_docx(), "no text"),
    ],
)
def test_bad_input_is_one_line_naming_the_file(data, problem):
    with pytest.raises(InputError) as info:
        parse(data, "kapot.docx")
    message = str(info.value)
    assert message.startswith("kapot.docx: ") and problem in message and "\n" not in message


def test_too_large_is_refused():
    fmt = format_for("groot.docx")
    assert fmt is not None
    fmt.max_bytes = 1000  # type: ignore[misc]
    with pytest.raises(InputError, match="groot.docx: .*larger"):
        fmt.parse(DATA, Path("groot.docx"))


def test_paths_follow_styles_outline_levels_and_numbering():
    d = docx.Document()
    d.add_paragraph("De titel", style="Title")
    custom = d.styles.add_style("Eigen kop", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = d.styles["Heading 2"]
    d.add_paragraph("Een eigen kop", style="Eigen kop")
    outline = d.add_paragraph("Een overzichtsniveau")
    outline._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="2"/>'))
    numbered = d.add_paragraph("Een genummerd punt")
    numbered._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>')
    )
    d.add_paragraph("Gewone tekst", style="Body Text")
    out = io.BytesIO()
    d.save(out)
    assert [b.path for b in parse(out.getvalue()).blocks] == ["h1", "h2", "h3", "li", "p"]


# --- issue #21 review: text that was cut, the language, the bytes, OLE files -----------------

W = nsdecls("w", "r")
VML = 'xmlns:v="urn:schemas-microsoft-com:vml"'
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
WPS = 'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'


def body_docx(*elements: str, language: str | None = None) -> bytes:
    """A document whose body holds `elements` (XML, namespaces declared by each)."""
    d = docx.Document()
    body = d.element.body
    for xml in elements:
        body.insert(len(body) - 1, parse_xml(xml))
    if language is not None:
        d.core_properties.language = language
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def body_of(data: bytes):
    """The body element of a DOCX's bytes."""
    return docx.Document(io.BytesIO(data)).element.body


def field_runs(instruction: str, result: str) -> str:
    """The runs of a complex field: begin, instruction, separate, result (Hyperlink style), end."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{instruction}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr><w:t>{result}</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def test_an_inline_content_control_is_text_and_comes_back_around_the_english():
    data = body_docx(
        f'<w:p {W}><w:r><w:t xml:space="preserve">Dit is </w:t></w:r>'
        '<w:sdt><w:sdtPr><w:alias w:val="Keuze"/><w:id w:val="7"/></w:sdtPr>'
        "<w:sdtContent><w:r><w:t>een zeldzame</w:t></w:r></w:sdtContent></w:sdt>"
        '<w:r><w:t xml:space="preserve"> ontmoeting.</w:t></w:r></w:p>'
    )
    block = parse(data).blocks[0]
    assert block.text == "Dit is een zeldzame ontmoeting."  # was "Dit is ontmoeting."
    (span,) = block.spans
    assert (block.text[span.start : span.end], span.kind, span.attr("element")) == ("een zeldzame", "format", "control")
    out = render(parse(data))
    assert parse(out).blocks[0].text == "this IS a rare ONTMOETING."
    sdt = body_of(out).find(f".//{qn('w:sdt')}")
    assert sdt.find(f"{qn('w:sdtPr')}/{qn('w:alias')}").get(qn("w:val")) == "Keuze"
    assert "".join(t.text for t in sdt.iter(qn("w:t"))) == "a rare"


def test_a_content_control_with_no_words_stays_verbatim():
    data = body_docx(
        f"<w:p {W}><w:sdt><w:sdtContent><w:r><w:t>☐</w:t></w:r></w:sdtContent></w:sdt>"
        '<w:r><w:t xml:space="preserve"> Kaas</w:t></w:r></w:p>'
    )
    block = parse(data).blocks[0]
    assert block.text == "Kaas" and [s.literal for s in block.spans] == ["⟦control0⟧"]
    out = body_of(render(parse(data)))
    assert [t.text for t in out.iter(qn("w:t"))] == ["☐", " cheese"]


def test_a_complex_fields_result_is_text_and_its_instruction_stays():
    data = body_docx(
        f'<w:p {W}><w:r><w:t xml:space="preserve">Lees </w:t></w:r>'
        + field_runs(' HYPERLINK "https://example.org/" ', "de website")
        + '<w:r><w:t xml:space="preserve"> voor meer.</w:t></w:r></w:p>'
    )
    block = parse(data).blocks[0]
    assert block.text == "Lees de website voor meer."  # was "Lees voor meer."
    link = next(s for s in block.spans if s.kind == "link")
    assert block.text[link.start : link.end] == "de website" and link.attr("element") == "field"
    out = render(parse(data))
    assert parse(out).blocks[0].text == "read the web site for more."
    p = body_of(out).find(qn("w:p"))
    marks = [
        c.find(qn("w:fldChar")).get(qn("w:fldCharType"))
        if c.find(qn("w:fldChar")) is not None
        else c.findtext(qn("w:t"))
        for c in p.iter(qn("w:r"))
        if c.find(qn("w:instrText")) is None
    ]
    assert marks == ["read ", "begin", "separate", "the web site", "end", " for more."]
    assert [t.text for t in p.iter(qn("w:instrText"))] == [' HYPERLINK "https://example.org/" ']
    assert p.iter(qn("w:r")).__next__().find(qn("w:rPr")) is None
    result = [r for r in p.iter(qn("w:r")) if r.findtext(qn("w:t")) == "the web site"][0]
    assert result.find(f"{qn('w:rPr')}/{qn('w:rStyle')}").get(qn("w:val")) == "Hyperlink"


def test_a_field_or_control_the_english_lost_comes_back_empty_at_the_end():
    data = body_docx(
        f'<w:p {W}><w:r><w:t xml:space="preserve">Lees </w:t></w:r>'
        + field_runs(" PAGE ", "de website")
        + '<w:sdt><w:sdtPr><w:id w:val="3"/></w:sdtPr><w:sdtContent><w:r><w:t xml:space="preserve"> voor</w:t></w:r>'
        '</w:sdtContent></w:sdt><w:r><w:t xml:space="preserve"> meer.</w:t></w:r></w:p>'
    )
    parsed = parse(data)
    out = body_of(render(parsed, [Block("p", "Read the web site for more.")]))  # no spans at all
    p = out.find(qn("w:p"))
    assert [t.text for t in p.iter(qn("w:t"))] == ["Read the web site for more."]
    kinds_ = [
        c.find(qn("w:fldChar")).get(qn("w:fldCharType"))
        for c in p.iter(qn("w:r"))
        if c.find(qn("w:fldChar")) is not None
    ]
    assert kinds_ == ["begin", "separate", "end"] and len(list(p.iter(qn("w:instrText")))) == 1
    assert p[-1].tag == qn("w:sdt") and p[-1].find(f"{qn('w:sdtPr')}/{qn('w:id')}") is not None


def test_block_level_content_controls_are_looked_through():
    data = body_docx(
        f'<w:sdt {W}><w:sdtPr><w:id w:val="1"/></w:sdtPr><w:sdtContent>'
        "<w:p><w:r><w:t>Een zeldzame ontmoeting</w:t></w:r></w:p></w:sdtContent></w:sdt>",
        f"<w:tbl {W}><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>"
        "<w:sdt><w:sdtContent><w:tr>"
        "<w:tc><w:p><w:r><w:t>Naam</w:t></w:r></w:p></w:tc>"
        "<w:sdt><w:sdtContent><w:tc><w:sdt><w:sdtContent><w:p><w:r><w:t>Kaas</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt></w:tc></w:sdtContent></w:sdt>"
        "</w:tr></w:sdtContent></w:sdt></w:tbl>",
    )
    parsed = parse(data)
    assert [(b.path, b.text) for b in parsed.blocks] == [
        ("p", "Een zeldzame ontmoeting"),
        ("td[1,1]", "Naam"),
        ("td[1,2]", "Kaas"),
    ]
    out = render(parsed)
    assert [b.text for b in parse(out).blocks] == ["a rare meeting", "name", "cheese"]
    assert len(body_of(out).findall(f".//{qn('w:sdt')}")) == 4  # every control kept


def textbox(text: str) -> str:
    """A text box's content: one paragraph of `text`."""
    return f"<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"


def test_text_boxes_are_blocks_after_their_anchor():
    vml = (
        f'<w:p {W} {VML}><w:r><w:t xml:space="preserve">Een zeldzame ontmoeting </w:t></w:r>'
        f'<w:r><w:pict><v:shape style="width:100pt"><v:textbox>{textbox("Lees de website")}'
        "</v:textbox></v:shape></w:pict></w:r></w:p>"
    )
    shape = (
        f"<w:p {W} {MC} {WPS} {A} {VML}><w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><a:graphic><a:graphicData><wps:wsp><wps:txbx>'
        f"{textbox('Naam en kaas')}</wps:txbx></wps:wsp></a:graphicData></a:graphic></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{textbox('Naam en kaas')}</v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    data = body_docx(vml, shape, f"<w:p {W}><w:r><w:t>Dit</w:t></w:r></w:p>")
    parsed = parse(data)
    assert [(b.path, b.text) for b in parsed.blocks] == [
        ("p", "Een zeldzame ontmoeting"),
        ("textbox", "Lees de website"),
        ("textbox", "Naam en kaas"),  # once: the fallback is the same box
        ("p", "Dit"),
    ]
    out = body_of(render(parsed))
    boxes = ["".join(t.text for t in box.iter(qn("w:t"))) for box in out.iter(qn("w:txbxContent"))]
    assert boxes == ["read the web site", "name and cheese", "name and cheese"]  # the fallback too


def test_tracked_changes_are_read_and_written_accepted():
    date = 'w:author="a" w:date="2020-01-01T00:00:00Z"'
    data = body_docx(
        f'<w:p {W}><w:r><w:t xml:space="preserve">Een </w:t></w:r>'
        f'<w:ins w:id="1" {date}><w:r><w:t xml:space="preserve">zeldzame </w:t></w:r></w:ins>'
        f'<w:del w:id="2" {date}><w:r><w:delText xml:space="preserve">gewone </w:delText></w:r></w:del>'
        "<w:r><w:t>ontmoeting</w:t></w:r></w:p>"
    )
    parsed = parse(data)
    assert parsed.blocks[0].text == "Een zeldzame ontmoeting"
    out = body_of(render(parsed))
    assert out.find(f".//{qn('w:del')}") is None and out.find(f".//{qn('w:ins')}") is None
    assert "".join(t.text for t in out.iter(qn("w:t"))) == "a rare meeting"


def test_the_english_document_says_it_is_english():
    lang = '<w:rPr><w:lang w:val="nl-NL" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr>'
    data = body_docx(
        f"<w:p {W}><w:pPr>{lang}</w:pPr><w:r>{lang}<w:t>Een zeldzame ontmoeting</w:t></w:r></w:p>",
        f'<w:p {W}><w:r><w:rPr><w:lang w:val="fr-FR"/></w:rPr><w:t>Dit</w:t></w:r></w:p>',
        language="nl-BE",
    )
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = z.read("word/styles.xml").decode().replace('w:val="en-US" w:eastAsia', 'w:val="nl-NL" w:eastAsia')
    data = zipped_like(data, {"word/styles.xml": styles})
    out = render(parse(data))
    english = docx.Document(io.BytesIO(out))
    langs = [
        (x.get(qn("w:val")), x.get(qn("w:eastAsia")), x.get(qn("w:bidi")))
        for x in english.element.body.iter(qn("w:lang"))
    ]
    assert langs == [("en-US", "zh-CN", "ar-SA"), ("en-US", "zh-CN", "ar-SA"), ("fr-FR", None, None)]
    assert english.core_properties.language == "en-US"
    style_langs = {x.get(qn("w:val")) for x in english.styles.element.iter(qn("w:lang"))}
    assert style_langs == {"en-US"}


def test_core_properties_are_not_invented_where_the_file_has_none():
    data = zipped_like(DATA, {}, drop="docProps/core.xml")
    with zipfile.ZipFile(io.BytesIO(render(parse(data)))) as z:
        assert "docProps/core.xml" not in z.namelist()  # python-docx would add one, dated now


def zipped_like(data: bytes, replace: dict[str, str], drop: str = "") -> bytes:
    """`data` (a DOCX) with some entries replaced, and one left out (with its relationship)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if name == drop:
                continue
            blob = replace[name].encode() if name in replace else src.read(name)
            if drop and name == "_rels/.rels":
                blob = b"".join(line for line in re.split(rb"(?=<Relationship )", blob) if drop.encode() not in line)
            dst.writestr(name, blob)
    return out.getvalue()


def test_the_same_input_and_english_give_the_same_bytes(monkeypatch):
    first = render(parse())
    with zipfile.ZipFile(io.BytesIO(first)) as z, zipfile.ZipFile(io.BytesIO(DATA)) as original:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.namelist() == original.namelist()  # the original order
        assert [i.compress_type for i in z.infolist()] == [i.compress_type for i in original.infolist()]
    later = time.struct_time((2031, 7, 9, 13, 45, 2, 2, 190, 0))
    monkeypatch.setattr(time, "localtime", lambda *args: later)  # what zipfile dates an entry by
    assert hashlib.sha256(render(parse())).hexdigest() == hashlib.sha256(first).hexdigest()


def test_an_ole_file_is_named_for_what_it_is():
    ole = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
    with pytest.raises(InputError) as info:
        parse(ole, "geheim.docx")
    message = str(info.value)
    assert message == "geheim.docx: not a DOCX file: an encrypted document or a legacy .doc, not a .docx"
