"""HTML documents (pipeline/document/formats/html.py): blocks, inline markup and metadata read
with lxml.html, the English written back into the same page, and bad input in one line.

The "translation" here is a word-for-word dictionary (unknown words upper-cased) that keeps
each span on the same words; the round trips with the real pipeline are in the end-to-end tests.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import lxml.html
import pytest

from pipeline.document.formats import FORMATS, format_for
from pipeline.document.formats.base import VERBATIM, Block, Span
from pipeline.document.formats.html import HtmlFormat, extract_main
from pipeline.document.markup import place_markup
from pipeline.errors import InputError, UserError

PAGE = """<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>Een zeldzame ontmoeting</title>
<meta name="description" content="Kim bezoekt {city} vandaag">
<meta property="og:title" content="Ontmoeting in Vladivostok">
<meta name="author" content="De Redactie">
<style>p { color: red } /* niet vertalen */</style>
<script>var tekst = "<p>niet vertalen</p>";</script>
</head>
<body>
<!-- navigatie: niet vertalen -->
<h1 title="Het nieuws">Een <em>zeldzame</em> ontmoeting</h1>
<p>
  Kim bezoekt <strong>vandaag</strong>
  <a href="https://example.org/vladivostok" class="plaats">de <i>stad</i> Vladivostok</a>.
  Voer <code>ls -l</code> uit en zie <span class="hl" data-x="1">de kaart</span>.<br>
  Je hebt {0} berichten van %s. <img src="kaart.png" alt="Een kaart van Rusland">
</p>
<ul>
  <li>Eerste punt<ul><li>Een <b>genest</b> punt</li></ul></li>
  <li><p>Alinea in een punt</p></li>
</ul>
<table>
  <caption>De gasten</caption>
  <thead><tr><th>Naam</th><th>Land</th></tr></thead>
  <tbody><tr><td colspan="2">Kim</td><td>Korea</td></tr>
  <tr><td>Poetin<table><tr><td>binnen</td></tr></table></td></tr></tbody>
</table>
<blockquote>Een citaat</blockquote>
<dl><dt>Term</dt><dd>Uitleg</dd></dl>
<figure><img src="foto.jpg" alt=""><figcaption>De haven</figcaption></figure>
<div>Losse tekst<p>binnen</p>na de alinea</div>
<pre>code blok
    blijft zoals het is</pre>
<p translate="no">Niet vertalen</p>
<p>De <abbr title="Noord-Atlantische Verdragsorganisatie">NAVO</abbr> kijkt mee.</p>
<template><p>sjabloon tekst</p></template>
<svg><text>svg tekst</text></svg>
<p><code>alleen code</code></p>
<p><a href="/home"><img src="logo.png" alt="Het logo"></a></p>
</body>
</html>
"""

EXPECTED = [
    ("meta[description]", "Kim bezoekt vandaag"),
    ("h1[title]", "Het nieuws"),
    ("h1", "Een zeldzame ontmoeting"),
    ("p", "Kim bezoekt vandaag de stad Vladivostok. Voer uit en zie de kaart. Je hebt berichten van."),
    ("img[alt]", "Een kaart van Rusland"),
    ("li", "Eerste punt"),
    ("li", "Een genest punt"),
    ("p", "Alinea in een punt"),
    ("caption", "De gasten"),
    ("th[1,1]", "Naam"),
    ("th[1,2]", "Land"),
    ("td[2,1]", "Kim"),
    ("td[2,3]", "Korea"),
    ("td[3,1]", "Poetin"),
    ("td[3,1]/td[1,1]", "binnen"),
    ("blockquote", "Een citaat"),
    ("dt", "Term"),
    ("dd", "Uitleg"),
    ("figcaption", "De haven"),
    ("div", "Losse tekst"),
    ("p", "binnen"),
    ("div", "na de alinea"),
    ("p", "De NAVO kijkt mee."),
    ("abbr[title]", "Noord-Atlantische Verdragsorganisatie"),
    ("img[alt]", "Het logo"),
]

WORDS = {
    "Een": "A",
    "zeldzame": "rare",
    "ontmoeting": "meeting",
    "Kim": "Kim",
    "bezoekt": "visits",
    "vandaag": "today",
    "de": "the",
    "De": "The",
    "stad": "city",
    "Vladivostok": "Vladivostok",
    "Voer": "Run",
    "uit": "out",
    "en": "and",
    "zie": "see",
    "kaart": "map",
    "Je": "You",
    "hebt": "have",
    "berichten": "messages",
    "van": "from",
    "Hallo": "Hello",
    "wereld": "world",
}
NAME = Path("page.html")


def translate(block: Block, words: dict[str, str] | None = WORDS) -> Block:
    """The block word for word through `words` (None: unchanged; unknown words upper-cased),
    each span moved with its words, verbatim pieces padded with the space they stood with."""
    cuts = {0, len(block.text)} | {i for s in block.spans for i in (s.start, s.end)}
    cuts |= {i for m in re.finditer(r"\w+", block.text) for i in m.span()}
    out: list[str] = []
    where = {0: 0}
    bounds = sorted(cuts)
    for start, end in zip(bounds, bounds[1:]):
        piece = block.text[start:end]
        if words is not None and piece.isalnum():
            piece = words.get(piece, piece.upper())
        out.append(piece)
        where[end] = where[start] + len(piece)
    spans = []
    for span in block.spans:
        literal = span.literal
        if span.kind in VERBATIM:
            space = span.attr("space")
            literal = (" " if space == "before" else "") + literal + (" " if space in ("both", "after") else "")
        spans.append(Span(where[span.start], where[span.end], span.kind, span.attrs, literal))
    return Block(block.path, "".join(out), spans)


def parse(data: bytes | str, name: Path = NAME):
    return HtmlFormat().parse(data.encode("utf-8") if isinstance(data, str) else data, name)


def round_trip(data: bytes | str, words: dict[str, str] | None = WORDS):
    fmt = HtmlFormat()
    parsed = parse(data)
    english = [translate(b, words) for b in parsed.blocks]
    out = fmt.render(parsed, english)
    return parsed, english, out, fmt.parse(out, Path("page.en.html"))


def test_registered_by_suffix():
    assert FORMATS[".html"] is HtmlFormat and FORMATS[".htm"] is HtmlFormat
    assert isinstance(format_for(Path("Nieuws.HTM")), HtmlFormat)


def test_blocks_in_reading_order_with_their_paths():
    parsed = parse(PAGE)
    assert [(b.path, b.text) for b in parsed.blocks] == EXPECTED
    for block in parsed.blocks:
        assert block.text == block.text.strip() and "  " not in block.text and "\n" not in block.text


def test_inline_markup_becomes_spans():
    block = parse(PAGE).blocks[3]
    spans = {(s.kind, block.text[s.start : s.end] or s.literal): s for s in block.spans}
    assert ("strong", "vandaag") in spans
    link = spans["link", "de stad Vladivostok"]
    assert link.attrs == (("href", "https://example.org/vladivostok"), ("class", "plaats"), ("tag", "a"))
    assert spans["em", "stad"].attr("tag") == "i"
    assert spans["format", "de kaart"].attrs == (("class", "hl"), ("data-x", "1"), ("tag", "span"))
    code = spans["code", "<code>ls -l</code>"]
    assert code.start == code.end == block.text.index("uit")
    assert ("code", "<br>") in spans and ("code", '<img src="kaart.png" alt="Een kaart van Rusland">') in spans
    assert {s.literal for s in block.spans if s.kind == "placeholder"} == {"{0}", "%s"}
    assert block.spans == sorted(block.spans, key=lambda s: (s.start, -s.end))


def test_metadata_is_read_not_translated():
    parsed = parse(PAGE)
    assert parsed.meta == {
        "title": "Een zeldzame ontmoeting",
        "lang": "nl",
        "description": "Kim bezoekt {city} vandaag",
        "og:title": "Ontmoeting in Vladivostok",
        "author": "De Redactie",
    }
    description = parsed.blocks[0]
    assert [(s.kind, s.literal) for s in description.spans] == [("placeholder", "{city}")]
    texts = " ".join(b.text for b in parsed.blocks)
    for untouched in ("niet vertalen", "Niet vertalen", "sjabloon", "svg tekst", "blijft", "alleen code", "Redactie"):
        assert untouched not in texts


def test_round_trip_keeps_the_structure():
    parsed, english, out, again = round_trip(PAGE)
    assert [b.path for b in again.blocks] == [b.path for b in parsed.blocks]
    assert [b.text for b in again.blocks] == [b.text for b in english]
    for before, after in zip(parsed.blocks, again.blocks):
        assert [s.kind for s in after.spans] == [s.kind for s in before.spans]
        assert [s.attr("href") for s in after.spans] == [s.attr("href") for s in before.spans]
        placeholders = [s.literal for s in before.spans if s.kind == "placeholder"]
        assert [s.literal for s in after.spans if s.kind == "placeholder"] == placeholders
    assert again.meta == parsed.meta | {"lang": "en", "description": "Kim visits {city} today"}
    assert "Run <code>ls -l</code> out" in out.decode()


def test_render_keeps_everything_else():
    _, _, out, _ = round_trip(PAGE)
    text = out.decode("utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in text and '<meta charset="utf-8">' in text
    for kept in (
        '<script>var tekst = "<p>niet vertalen</p>";</script>',
        "<style>p { color: red } /* niet vertalen */</style>",
        "<!-- navigatie: niet vertalen -->",
        "<pre>code blok\n    blijft zoals het is</pre>",
        '<p translate="no">Niet vertalen</p>',
        "<template><p>sjabloon tekst</p></template>",
        "<svg><text>svg tekst</text></svg>",
        "<p><code>alleen code</code></p>",
        "<title>Een zeldzame ontmoeting</title>",
        '<meta property="og:title" content="Ontmoeting in Vladivostok">',
        '<td colspan="2">Kim</td>',
    ):
        assert kept in text, kept
    assert '<meta name="description" content="Kim visits {city} today">' in text
    assert '<img src="kaart.png" alt="A map from RUSLAND">' in text
    assert '<abbr title="NOORD-ATLANTISCHE VERDRAGSORGANISATIE">NAVO</abbr>' in text
    assert '<a href="https://example.org/vladivostok" class="plaats">the <i>city</i> Vladivostok</a>' in text
    assert '<a href="/home"><img src="logo.png" alt="HET LOGO"></a>' in text
    assert '<h1 title="HET NIEUWS">A <em>rare</em> meeting</h1>' in text
    assert "<p>\n  Kim visits" in text  # the source's whitespace around a block stays


def test_unchanged_english_gives_the_same_page():
    parsed, _, out, again = round_trip(PAGE, words=None)
    assert [(b.path, b.text, b.spans) for b in again.blocks] == [(b.path, b.text, b.spans) for b in parsed.blocks]
    tree = lxml.html.document_fromstring(out)
    assert tree.find(".//table//table//td").text == "binnen"


def test_render_does_not_change_the_parse():
    fmt = HtmlFormat()
    parsed = parse(PAGE)
    blocks = copy.deepcopy(parsed.blocks)
    english = [translate(b) for b in parsed.blocks]
    first = fmt.render(parsed, english)
    assert fmt.render(parsed, english) == first
    assert parsed.blocks == blocks
    assert fmt.render(parsed, [translate(b, None) for b in parsed.blocks]) != first


def test_spans_the_source_did_not_have_and_nesting_that_changed():
    fmt = HtmlFormat()
    parsed = parse("<p><b><i>beide</i> vet</b> en meer</p>")
    block = parsed.blocks[0]
    assert block.text == "beide vet en meer"
    swapped = Block(
        "p",
        "both bold and more",
        [
            Span(0, 9, "em", (("tag", "i"),)),
            Span(0, 4, "strong", (("tag", "b"),)),
            Span(10, 13, "link", (("href", "https://example.org"), ("tag", "a"))),
            Span(18, 18, "code", (), " <kbd>Ctrl</kbd>"),
        ],
    )
    out = fmt.render(parsed, [swapped]).decode()
    assert '<p><i><b>both</b> bold</i> <a href="https://example.org">and</a> more <kbd>Ctrl</kbd></p>' in out


def test_malformed_html_is_parsed_as_browsers_do():
    parsed, english, out, again = round_trip(
        "<p>Hallo <b>wereld<p>Tweede alinea<ul><li>los punt<li>nog een</ul><div>eind"
    )
    assert [(b.path, b.text) for b in parsed.blocks] == [
        ("p", "Hallo wereld"),
        ("p", "Tweede alinea"),
        ("li", "los punt"),
        ("li", "nog een"),
        ("div", "eind"),
    ]
    assert [b.text for b in again.blocks] == [b.text for b in english]
    assert not out.startswith(b"<html")  # a fragment is written back as a fragment


def test_fragment_stays_a_fragment():
    page = "<style>p {}</style>\n<p>Hallo <em>wereld</em> &amp; meer</p>\n<p>Tweede &lt;x/&gt; alinea</p>\n"
    _, _, out, again = round_trip(page)
    expected = "<style>p {}</style>\n<p>Hello <em>world</em> &amp; MEER</p>\n<p>TWEEDE &lt;x/&gt; ALINEA</p>\n"
    assert out.decode() == expected
    assert [s.literal for s in again.blocks[1].spans] == ["<x/>"]


def test_declared_charset_is_read_and_written_as_utf8():
    page = '<html><head><meta charset="windows-1252"><title>Café</title></head><body><p>Café “open”</p>'
    parsed = parse(page.encode("cp1252"))
    assert parsed.meta["title"] == "Café" and parsed.blocks[0].text == "Café “open”"
    out = HtmlFormat().render(parsed, [Block("p", "Café “open”")])
    assert '<meta charset="utf-8">' in out.decode("utf-8") and "Café “open”".encode() in out
    http_equiv = b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>Caf\xe9</p>'
    parsed = parse(http_equiv)
    assert parsed.blocks[0].text == "Café"
    assert b"charset=utf-8" in HtmlFormat().render(parsed, parsed.blocks)


def test_whitespace_and_tables_in_sections():
    page = (
        "<table><tbody><tr><td>\n  een\n  twee\t drie </td></tr></tbody><tfoot><tr><td>x</td><td>voet</td></tr></tfoot>"
    )
    parsed = parse(page)
    assert [(b.path, b.text) for b in parsed.blocks] == [
        ("td[1,1]", "een twee drie"),
        ("td[2,1]", "x"),
        ("td[2,2]", "voet"),
    ]
    out = HtmlFormat().render(parsed, [Block(b.path, b.text.upper()) for b in parsed.blocks]).decode()
    assert "<td>\n  EEN TWEE DRIE </td>" in out
    assert parse("<p>een<b> </b>twee<wbr>drie&nbsp;vier</p>").blocks[0].text == "een tweedrie vier"


def test_content_after_the_closing_html_tag_is_part_of_the_body():
    # lxml drops what follows </html>; browsers show it in the body, and so do we
    parsed, english, out, again = round_trip("<html><body><p>Hallo.</p></body></html><p>Tweede <b>alinea</b>.</p>")
    assert [b.text for b in parsed.blocks] == ["Hallo.", "Tweede alinea."]
    assert out.decode() == "<html><body><p>Hello.</p><p>TWEEDE <b>ALINEA</b>.</p></body></html>"
    assert [b.text for b in again.blocks] == [b.text for b in english]
    # after </body>, text on its own, and in a fragment
    assert [b.text for b in parse("<html><body><p>Een</p></body>los<p>Twee</p></html>").blocks] == [
        "Een",
        "los",
        "Twee",
    ]
    assert [b.text for b in parse("<p>Een</p></html>\n<!-- c --><p>Twee</p>").blocks] == ["Een", "Twee"]
    # an end tag in a script, a comment or an attribute is no end tag; trailing comments stay where they were
    page = (
        '<html><body><script>var s = "</body></html>";</script><!-- </html> -->'
        '<p title="</html>">Een</p></body></html>\n<!-- einde -->\n'
    )
    _, _, out, again = round_trip(page)
    assert [b.text for b in again.blocks] == ["</HTML>", "A"]
    assert '<script>var s = "</body></html>";</script><!-- </html> -->' in out.decode()
    assert out.decode().endswith("</p></body></html><!-- einde -->")


def test_nested_tables_have_paths_of_their_own():
    page = (
        "<table><tr><td>Buiten <table><tr><td>binnen een</td><td>binnen twee</td></tr>"
        "<tr><th>kop</th></tr></table> na</td><td>naast</td></tr></table>"
    )
    assert [(b.path, b.text) for b in parse(page).blocks] == [
        ("td[1,1]", "Buiten"),
        ("td[1,1]/td[1,1]", "binnen een"),
        ("td[1,1]/td[1,2]", "binnen twee"),
        ("td[1,1]/th[2,1]", "kop"),
        ("td[1,1]", "na"),
        ("td[1,2]", "naast"),
    ]


def test_non_breaking_spaces_come_back_between_the_same_words():
    page = '<p title="Kim&nbsp;Vladivostok">Prijs&nbsp;van het huis: <b>&euro;</b>&nbsp;5 en Kim&nbsp;Vladivostok.</p>'
    parsed = parse(page)
    assert [b.text for b in parsed.blocks] == ["Kim Vladivostok", "Prijs van het huis: € 5 en Kim Vladivostok."]
    _, _, out, _ = round_trip(page)
    # "Prijs van" became "PRIJS from": no longer the same two words, so a plain space there
    expected = '<p title="Kim\xa0Vladivostok">PRIJS from HET HUIS: <b>€</b>\xa05 and Kim\xa0Vladivostok.</p>'
    assert expected in out.decode()
    _, _, out, _ = round_trip(page, words=None)  # unchanged (an English passage copied through)
    expected = '<p title="Kim\xa0Vladivostok">Prijs\xa0van het huis: <b>€</b>\xa05 en Kim\xa0Vladivostok.</p>'
    assert expected in out.decode()


def test_footnote_marks_are_one_verbatim_piece():
    page = '<p>De kat<sup>[1]</sup> zit op de mat<sup><a href="#fn1">2</a></sup>.</p>'
    block = parse(page).blocks[0]
    assert block.text == "De kat zit op de mat."
    assert [(s.kind, s.literal) for s in block.spans] == [
        ("code", "<sup>[1]</sup>"),
        ("code", '<sup><a href="#fn1">2</a></sup>'),
    ]
    # word-for-word English: each mark comes back once, where its word went, the link in it
    lexicon = {"de": {"the": 1.0}, "kat": {"cat": 1.0}, "zit": {"sits": 1.0}, "op": {"on": 1.0}, "mat": {"mat": 1.0}}
    english = place_markup(block, "The cat sits on the mat.", lexicon)
    out = HtmlFormat().render(parse(page), [english]).decode()
    assert out == '<p>The cat<sup>[1]</sup> sits on the mat<sup><a href="#fn1">2</a></sup>.</p>'
    # a link around the mark, and a number that is part of a word or letters: not marks
    block = parse(
        '<p>Zie<a href="#n"><sup>3</sup></a>. H<sub>2</sub>O, CO<sub>2</sub>-uitstoot, de 1<sup>e</sup>.</p>'
    ).blocks[0]
    assert block.text == "Zie. H2O, CO2-uitstoot, de 1e."
    assert [(s.kind, s.literal or block.text[s.start : s.end]) for s in block.spans] == [
        ("code", '<a href="#n"><sup>3</sup></a>'),
        ("format", "2"),
        ("format", "2"),
        ("format", "e"),
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"<p>caf\xe9</p>", "not valid UTF-8"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (bytes(range(256)) * 16, "not valid UTF-8"),
        (b"\x00\x00\x00\x01\x00\x00\x00\x02" * 500, "NUL"),
        (b"<html><head><script>var x;</script></head><body><pre>x</pre><!-- y --></body></html>", "no text"),
        (b"<html><body><p>   </p><img src='a.png'></body></html>", "no text"),
        (b'<meta charset="shift_jis"><p>\x82\xa0\xff\xff</p>', "shift_jis"),
    ],
)
def test_bad_input_is_one_line_naming_the_file(data, problem):
    with pytest.raises(InputError) as caught:
        HtmlFormat().parse(data, Path("slecht.html"))
    message = str(caught.value)
    assert message.startswith("slecht.html: ") and problem in message and "\n" not in message


def test_a_file_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(InputError, match=r"^huge\.html: 100 MB is larger than the 50 MB"):
        HtmlFormat().parse(b" " * 100_000_000, Path("huge.html"))


ARTICLE = """<html lang="nl"><head><title>Nieuws</title><meta name="author" content="Redactie"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>Een zeldzame ontmoeting</h1>
<p>De Noord-Koreaanse leider Kim Jong-un bezoekt vandaag Vladivostok voor gesprekken met de Russische president
Vladimir Poetin. Het is een <em>zeldzame</em> reis naar het buitenland, de eerste in vier jaar.</p>
<p>Rusland wil munitie. Volgens <a href="https://example.org/experts">experts</a> gaat het om granaten en oude
onderdelen van tanks, waar Noord-Korea er veel van heeft liggen in zijn depots.</p>
<p>Wat wil Noord-Korea? De expert gaat verder: het land heeft een voedseltekort en wil technologie voor
satellieten en onderzeeboten, die Rusland wel heeft.</p>
</article><footer>Copyright 2023 De Krant. Alle rechten voorbehouden.</footer></body></html>"""


def test_extract_main_keeps_the_article_and_the_metadata():
    main = extract_main(ARTICLE.encode(), Path("nieuws.html"))
    parsed = parse(main)
    paths = [b.path for b in parsed.blocks]
    texts = " ".join(b.text for b in parsed.blocks)
    assert paths[0] == "h1" and paths.count("p") == 3
    assert "Home" not in texts and "Copyright" not in texts
    assert parsed.meta == {"title": "Nieuws", "lang": "nl", "author": "Redactie"}
    link = next(s for b in parsed.blocks for s in b.spans if s.kind == "link")
    assert link.attr("href") == "https://example.org/experts"


def test_extract_main_without_content_or_without_trafilatura(monkeypatch):
    with pytest.raises(InputError, match="no main content"):
        extract_main(b"<html><body><script>var x;</script><img src='a.png'></body></html>", Path("leeg.html"))
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import trafilatura raises ImportError
    with pytest.raises(UserError, match="pip install trafilatura"):
        extract_main(ARTICLE.encode(), Path("nieuws.html"))
