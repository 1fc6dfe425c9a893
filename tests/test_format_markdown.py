"""Markdown documents in and out (pipeline/document/formats/markdown.py): blocks, inline
markup as spans, front matter as metadata, the untouched parts kept byte for byte, and the
round trip parse → "translate" → render → parse. The "translation" here is deterministic
(upper case, or Dutch words mapped through a small dictionary, spans kept on their words);
the end-to-end runs with the tiny model are elsewhere."""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from pipeline.document.formats.base import VERBATIM, Block, ParsedDocument, Span, format_for
from pipeline.document.formats.markdown import MarkdownFormat
from pipeline.errors import InputError

DOC = """\
---
title: Een zeldzame ontmoeting
date: 2023-09
tags: [vogels, natuur]
---

# Een *zeldzame* ontmoeting

De vogel werd gezien in [het park](https://example.org/park "Het park") door `Jan`.
Hij was **erg** blij.

- Eerste punt met {0} erin
- Tweede punt
  loopt door

1. Genummerd punt

> Een citaat van %s.

Tweede kop
----------

| Naam | Aantal |
|------|-------:|
| Kat  | drie   |

```python
print("niet vertalen")
```

    ingesprongen code

<div class="x">
Geen vertaling hier
</div>

Zie <https://example.org> of https://example.org/pad en ![een foto](foto.png).

Lees [de gids][ref] of [ref].

[ref]: https://example.org/ref "Gids"
"""

WORDS = {
    "een": "a",
    "zeldzame": "rare",
    "ontmoeting": "encounter",
    "de": "the",
    "vogel": "bird",
    "werd": "was",
    "gezien": "seen",
    "het": "the",
    "door": "by",
    "hij": "he",
    "was": "was",
    "erg": "very",
    "blij": "happy",
    "eerste": "first",
    "tweede": "second",
    "punt": "point",
    "met": "with",
    "erin": "inside",
    "loopt": "goes",
    "genummerd": "numbered",
    "citaat": "quote",
    "van": "of",
    "kop": "heading",
    "naam": "name",
    "aantal": "number",
    "kat": "cat",
    "drie": "three",
    "zie": "see",
    "of": "or",
    "en": "and",
    "lees": "read",
    "gids": "guide",
}


def parse(text: str | bytes, name: str = "doc.md") -> ParsedDocument:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return MarkdownFormat().parse(data, Path(name))


def padded(text: str, span: Span) -> Span:
    """A verbatim span with the spaces its `space` attr asks for (as the markup placer pads
    it): a space before and/or after, unless the English already has one there."""
    if span.kind not in VERBATIM:
        return span
    space, literal = span.attr("space"), span.literal
    if space in ("before", "both") and span.start > 0 and text[span.start - 1] != " ":
        literal = " " + literal
    if space in ("after", "both") and span.start < len(text) and text[span.start] != " ":
        literal += " "
    return Span(span.start, span.end, span.kind, span.attrs, literal)


def upper(block: Block) -> Block:
    """English by upper case: the same length, so every span keeps its offsets."""
    text = block.text.upper()
    return Block(block.path, text, [padded(text, s) for s in block.spans])


def by_words(block: Block) -> Block:
    """English by mapping each Dutch word through WORDS, spans moved with their words."""
    out: list[str] = []
    where = [0] * (len(block.text) + 1)
    last = 0
    for m in re.finditer(r"\w+", block.text):
        for i in range(last, m.start()):
            where[i] = len("".join(out))
            out.append(block.text[i])
        word = WORDS.get(m.group().lower(), m.group())
        word = word[0].upper() + word[1:] if m.group()[0].isupper() else word
        start = len("".join(out))
        for i in range(m.start(), m.end()):
            where[i] = start + min(i - m.start(), len(word))
        out.append(word)
        last = m.end()
    for i in range(last, len(block.text)):
        where[i] = len("".join(out))
        out.append(block.text[i])
    text = "".join(out)
    where[len(block.text)] = len(text)
    spans = [Span(where[s.start], where[s.end], s.kind, s.attrs, s.literal) for s in block.spans]
    return Block(block.path, text, [padded(text, s) for s in spans])


def render(parsed: ParsedDocument, translate=upper) -> bytes:
    return MarkdownFormat().render(parsed, [translate(b) for b in parsed.blocks])


def shape(parsed: ParsedDocument) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Each block's path and its spans' kinds, hrefs and literals."""
    return [(b.path, [(s.kind, s.attr("href"), s.literal) for s in b.spans]) for b in parsed.blocks]


def block_kinds(data: bytes) -> list[str]:
    """The block structure markdown-it reads (opening and leaf tokens)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(data.decode("utf-8"))
    return [t.type for t in tokens if t.nesting >= 0 and t.type != "inline"]


def test_registered_by_suffix():
    assert isinstance(format_for(Path("a.md")), MarkdownFormat)
    assert isinstance(format_for("b.MARKDOWN"), MarkdownFormat)


def test_blocks_paths_and_texts():
    parsed = parse(DOC)
    assert [(b.path, b.text) for b in parsed.blocks] == [
        ("h1", "Een zeldzame ontmoeting"),
        ("p", "De vogel werd gezien in het park door. Hij was erg blij."),
        ("li", "Eerste punt met erin"),
        ("li", "Tweede punt loopt door"),
        ("li", "Genummerd punt"),
        ("blockquote", "Een citaat van."),
        ("h2", "Tweede kop"),
        ("td[1,1]", "Naam"),
        ("td[1,2]", "Aantal"),
        ("td[2,1]", "Kat"),
        ("td[2,2]", "drie"),
        ("p", "Zie of en."),
        ("p", "Lees de gids of ref."),
    ]
    for block in parsed.blocks:
        assert "\n" not in block.text and "\t" not in block.text and block.text == block.text.strip()


def test_front_matter_is_metadata_not_text():
    parsed = parse(DOC)
    assert parsed.meta == {"title": "Een zeldzame ontmoeting", "date": "2023-09", "tags": '["vogels", "natuur"]'}
    assert all("title" not in b.text and "2023" not in b.text for b in parsed.blocks)


def test_inline_markup_as_spans():
    blocks = parse(DOC).blocks
    heading, para, item = blocks[0], blocks[1], blocks[2]
    assert [(s.start, s.end, s.kind) for s in heading.spans] == [(4, 12, "em")]
    link, code, strong = para.spans
    assert para.text[link.start : link.end] == "het park" and link.kind == "link"
    assert link.attr("href") == "https://example.org/park" and link.attr("title") == "Het park"
    assert link.attr("source") == '(https://example.org/park "Het park")'
    assert (code.kind, code.literal, code.start, code.end, code.attr("space")) == ("code", "`Jan`", 37, 37, "before")
    assert para.text[strong.start : strong.end] == "erg" and strong.kind == "strong"
    assert [(s.kind, s.literal, s.attr("space")) for s in item.spans] == [("placeholder", "{0}", "both")]
    assert [(s.kind, s.literal) for s in blocks[5].spans] == [("placeholder", "%s")]
    # autolink, bare URL and image: verbatim, as written
    assert [(s.kind, s.literal) for s in blocks[11].spans] == [
        ("code", "<https://example.org>"),
        ("code", "https://example.org/pad"),
        ("code", "![een foto](foto.png)"),
    ]
    # reference links keep the reference: [text][ref] as is, [ref] as [ref][ref]
    assert [(s.attr("href"), s.attr("source")) for s in blocks[12].spans] == [
        ("https://example.org/ref", "[ref]"),
        ("https://example.org/ref", "[ref]"),
    ]


def test_markup_without_words_is_one_verbatim_piece():
    parsed = parse("Zie [`parse()`](api.md) en [![badge](b.svg)](https://ci.example) *`x`* nu.\n")
    assert parsed.blocks[0].text == "Zie en nu."
    assert [s.literal for s in parsed.blocks[0].spans] == [
        "[`parse()`](api.md)",
        "[![badge](b.svg)](https://ci.example)",
        "*`x`*",
    ]


def test_verbatim_pieces_leave_one_space_and_say_where_it_was():
    cases = {
        "a `x` b": ("a b", 2, "both"),
        "a `x`.": ("a.", 1, "before"),
        "`x` b": ("b", 0, "after"),
        "a`x`b": ("ab", 1, "none"),
    }
    for source, (text, at, space) in cases.items():
        block = parse(source + "\n").blocks[0]
        assert (block.text, block.spans[0].start, block.spans[0].attr("space")) == (text, at, space), source


def test_hard_line_breaks_are_verbatim_and_come_back():
    source = "Regel een  \nregel twee\\\nregel drie\n\n- punt een  \n  punt twee\n\n> citaat een\\\n> citaat twee\n"
    blocks = parse(source).blocks
    assert [b.text for b in blocks] == [
        "Regel een regel twee regel drie",
        "punt een punt twee",
        "citaat een citaat twee",
    ]
    breaks = [(s.start, s.literal, s.attr("break"), s.attr("space")) for s in blocks[0].spans]
    assert breaks == [(10, "  \n", "spaces", "both"), (21, "  \n", "backslash", "both")]
    out = render(parse(source), by_words).decode()
    # each break where its words went, in the form the source wrote it; later lines keep their containers
    assert out == "Regel a   \nregel twee \\\nregel three\n\n- point a   \n  point twee\n\n> quote a \\\n> quote twee\n"
    assert shape(parse(out)) == shape(parse(source))
    assert block_kinds(out.encode()) == block_kinds(source.encode())


def test_hard_line_breaks_never_make_a_blank_line_or_a_stray_backslash():
    parsed = parse("Een\\\ntwee\n")
    code = parsed.blocks[0].spans[0]
    english = Block(
        "p",
        "One two",
        [Span(0, 0, "code", code.attrs, code.literal), *[Span(3, 3, "code", code.attrs, code.literal)] * 2]
        + [Span(7, 7, "code", code.attrs, code.literal)],
    )
    assert MarkdownFormat().render(parsed, [english]) == b"One\\\ntwo\n"  # no break at either end, one between
    # placed before a full stop (its Dutch word's end), it goes after it: no line starts with "."
    english = Block("p", "One. Two.", [Span(3, 3, "code", code.attrs, code.literal)])
    assert MarkdownFormat().render(parsed, [english]) == b"One.\\\nTwo.\n"
    # in a table cell or an ATX heading (one line) a break is a space
    cell = parse("| a |\n|---|\n| b |\n")
    out = MarkdownFormat().render(cell, [Block("td", "x y", [Span(1, 1, "code", code.attrs, code.literal)])] * 2)
    assert out == b"| x y |\n|---|\n| x y |\n"


def test_untouched_parts_stay_byte_for_byte():
    out = render(parse(DOC)).decode("utf-8")
    for kept in (
        "---\ntitle: Een zeldzame ontmoeting\ndate: 2023-09\ntags: [vogels, natuur]\n---\n",
        '```python\nprint("niet vertalen")\n```\n',
        "\n    ingesprongen code\n",
        '<div class="x">\nGeen vertaling hier\n</div>\n',
        '[ref]: https://example.org/ref "Gids"\n',
        "|------|-------:|\n",
    ):
        assert kept in out
    # markers, heading marks, setext underline and pipes stay; each block's text is replaced
    assert "# EEN *ZELDZAME* ONTMOETING\n" in out
    assert "- EERSTE PUNT MET {0} ERIN\n- TWEEDE PUNT LOOPT DOOR\n\n1. GENUMMERD PUNT\n" in out
    assert "> EEN CITAAT VAN %s.\n" in out
    assert "TWEEDE KOP\n----------\n" in out
    assert "| NAAM | AANTAL |\n" in out and "| KAT  | DRIE   |\n" in out


def test_identity_render_of_one_line_blocks_is_the_file():
    source = "# Kop\n\nEen *alinea* met [link](u.md) en `code`.\n\n- punt\n\n| a | b |\n|---|---|\n| c | d |\n"
    assert render(parse(source), lambda b: Block(b.path, b.text, [padded(b.text, s) for s in b.spans])) == (
        source.encode()
    )


@pytest.mark.parametrize("translate", [upper, by_words], ids=["upper", "words"])
def test_round_trip_keeps_structure(translate):
    parsed = parse(DOC)
    out = render(parsed, translate)
    again = parse(out)
    assert shape(again) == shape(parsed)  # same blocks, markup kinds, hrefs, code and placeholders
    assert [b.text for b in again.blocks] == [translate(b).text for b in parsed.blocks]
    assert block_kinds(out) == block_kinds(DOC.encode())
    assert again.meta == parsed.meta
    text = out.decode()
    for once in ("{0}", "%s", "`Jan`", "<https://example.org>", "![een foto](foto.png)"):
        assert text.count(once) == 1, once


def test_word_translation_puts_markup_on_english_words():
    out = render(parse(DOC), by_words).decode()
    assert "# A *rare* encounter\n" in out
    assert '[the park](https://example.org/park "Het park") by `Jan`. He was **very** happy.' in out
    assert "Read [the guide][ref] or [ref][ref]." in out


def test_english_with_markdown_characters_is_escaped():
    source = "# Kop\n\nTekst.\n\n- Punt\n\n| a | b |\n|---|---|\n| c | d |\n"
    parsed = parse(source)
    tricky = ["1. C# *not* _em_ [x] <div> & &amp; | \\ `", "- Item #", "# not a heading ##", "> no quote", "=== ~~~"]

    def tricky_english(block: Block) -> Block:
        return Block(block.path, tricky[parsed.blocks.index(block) % len(tricky)])

    out = MarkdownFormat().render(parsed, [tricky_english(b) for b in parsed.blocks])
    again = parse(out)
    assert [b.path for b in again.blocks] == [b.path for b in parsed.blocks]
    assert [b.text for b in again.blocks] == [tricky_english(b).text for b in parsed.blocks]
    assert all(not b.spans for b in again.blocks)
    assert block_kinds(out) == block_kinds(source.encode())


def test_table_cells_with_pipes_and_code():
    source = "| `a\\|b` en c | x \\| y |\n|---|---|\n| een | twee |\n"
    parsed = parse(source)
    assert [(b.path, b.text) for b in parsed.blocks] == [
        ("td[1,1]", "en c"),
        ("td[1,2]", "x | y"),
        ("td[2,1]", "een"),
        ("td[2,2]", "twee"),
    ]
    out = render(parsed)
    assert out.startswith(b"| `a\\|b` EN C | X \\| Y |\n|---|---|\n")
    assert shape(parse(out)) == shape(parsed)


def test_containers_and_nesting():
    source = "> - punt in citaat\n>   vervolg\n>\n> ## Kop in citaat\n\n- a\n  - b *c*\n\n  tweede alinea\n"
    parsed = parse(source)
    assert [(b.path, b.text) for b in parsed.blocks] == [
        ("li", "punt in citaat vervolg"),
        ("h2", "Kop in citaat"),
        ("li", "a"),
        ("li", "b c"),
        ("li", "tweede alinea"),
    ]
    out = render(parsed)
    assert out == b"> - PUNT IN CITAAT VERVOLG\n>\n> ## KOP IN CITAAT\n\n- A\n  - B *C*\n\n  TWEEDE ALINEA\n"
    assert block_kinds(out) == block_kinds(source.encode())


def test_line_endings_and_byte_order_mark_kept():
    out = render(parse(b"\xef\xbb\xbf# Kop\r\n\r\nEen\r\ntwee\r\n"))
    assert out == b"\xef\xbb\xbf# KOP\r\n\r\nEEN TWEE\r\n"


def test_render_leaves_the_parse_unchanged():
    parsed = parse(DOC)
    before = copy.deepcopy(parsed)
    first, second = render(parsed, by_words), render(parsed, by_words)
    assert first == second
    assert parsed.blocks == before.blocks and parsed.meta == before.meta and parsed.tree == before.tree


def test_empty_translation_keeps_the_source_block():
    parsed = parse("- Een punt\n- Twee\n")
    out = MarkdownFormat().render(parsed, [Block("li", ""), upper(parsed.blocks[1])])
    assert out == b"- Een punt\n- TWEE\n"


def test_front_matter_edge_cases():
    assert parse("---\n---\nTekst\n").meta == {}
    # a bare scalar: a thematic break and a setext heading, as CommonMark reads it
    parsed = parse("---\nGewoon een zin\n---\nTekst\n")
    assert parsed.meta == {} and [b.path for b in parsed.blocks] == ["h2", "p"]


def test_front_matter_that_is_a_list_is_kept_not_translated():
    source = "---\n- een\n- lijst\n---\n\nDe kat zit op de mat.\n"
    parsed = parse(source)
    assert parsed.meta == {} and [(b.path, b.text) for b in parsed.blocks] == [("p", "De kat zit op de mat.")]
    assert render(parsed).decode() == "---\n- een\n- lijst\n---\n\nDE KAT ZIT OP DE MAT.\n"


TOML = """+++
title = "Een zeldzame ontmoeting"
date = 2023-09-01
tags = ["vogels", "natuur"]
draft = false

[params]
kleur = "rood"
+++

# Een kop
"""


def test_toml_front_matter_is_metadata_not_text(monkeypatch):
    parsed = parse(TOML)
    assert parsed.meta == {
        "title": "Een zeldzame ontmoeting",
        "date": "2023-09-01",
        "tags": '["vogels", "natuur"]',
        "draft": "false",
        "params": '{"kleur": "rood"}',
    }
    assert [(b.path, b.text) for b in parsed.blocks] == [("h1", "Een kop")]
    assert render(parsed).decode() == TOML.replace("# Een kop", "# EEN KOP")
    monkeypatch.setitem(sys.modules, "tomllib", None)  # Python 3.10: a small reader of key = value lines
    assert parse(TOML).meta == {
        "title": "Een zeldzame ontmoeting",
        "date": "2023-09-01",
        "tags": '["vogels", "natuur"]',
        "draft": "false",
    }


def test_footnotes_keep_their_marks():
    source = (
        "Een zin met een voetnoot[^1] erin.\n\n[^1]: De voetnoot tekst.\n\n"
        "[^lang]: Een lange voetnoot\n    met twee regels.\n\n    En een tweede alinea.\n\n"
        "Geen voetnoot: [^x](https://example.org) en `[^1]`.\n"
    )
    parsed = parse(source)
    assert [(b.path, b.text) for b in parsed.blocks] == [
        ("p", "Een zin met een voetnoot erin."),
        ("footnote", "De voetnoot tekst."),
        ("footnote", "Een lange voetnoot met twee regels."),
        ("footnote", "En een tweede alinea."),
        ("p", "Geen voetnoot: ^x en."),
    ]
    assert [(s.kind, s.literal, s.attr("space")) for s in parsed.blocks[0].spans] == [("code", "[^1]", "after")]
    assert [s.kind for s in parsed.blocks[4].spans] == ["link", "code"]
    out = render(parsed, by_words).decode()
    assert out.startswith("A zin with a voetnoot[^1] inside.\n\n[^1]: The voetnoot tekst.\n\n[^lang]: A lange")
    assert "\n\n    And a second alinea.\n\n" in out
    assert shape(parse(out)) == shape(parsed)


@pytest.mark.parametrize(
    "data, problem",
    [
        ("caf\xe9 en thee\n".encode("latin-1"), "not valid UTF-8"),
        (b"", "no text"),
        (b"```\nprint(1)\n```\n\n<div>x</div>\n", "no text"),
        (b"---\ntitle: [open\n---\nTekst\n", "front matter is not valid YAML"),
        (b"+++\ntitle = \n+++\nTekst\n", "front matter is not valid TOML: Invalid value (at line 2, column 9)"),
    ],
    ids=["latin1", "empty", "only-code", "bad-front-matter", "bad-toml"],
)
def test_bad_input_is_one_line_naming_the_file(data, problem):
    with pytest.raises(InputError) as err:
        parse(data, "kapot.md")
    message = str(err.value)
    assert message.startswith("kapot.md: ") and problem in message and "\n" not in message


def test_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(MarkdownFormat, "max_bytes", 100)
    with pytest.raises(InputError, match=r"groot\.md: .*larger than"):
        parse("Tekst. " * 50, "groot.md")
