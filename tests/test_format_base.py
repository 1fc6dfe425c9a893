"""The document-format registry and the helpers every format shares (pipeline/document/formats/base.py)."""

from __future__ import annotations

import pytest

from pipeline.document.formats import Block, Span, format_for
from pipeline.document.formats.base import nest, take_out_placeholders


def placed(text: str):
    block = take_out_placeholders(Block("p", text))
    return block.text, [(s.start, s.literal, s.attr("space")) for s in block.spans]


@pytest.mark.parametrize(
    ("text", "plain", "spans"),
    [
        ("Hallo {name}, welkom bij %s!", "Hallo, welkom bij!", [(5, "{name}", "before"), (17, "%s", "before")]),
        ("{0} bestanden verwijderd", "bestanden verwijderd", [(0, "{0}", "after")]),
        ("Klik <x/> hier {{ user }}", "Klik hier", [(5, "<x/>", "both"), (9, "{{ user }}", "before")]),
        ("Je hebt %(n)d berichten", "Je hebt berichten", [(8, "%(n)d", "both")]),
        ("a {0} {1} b", "a b", [(2, "{0}", "both"), (2, "{1}", "both")]),
        ("{0}{1} b", "b", [(0, "{0}", "none"), (0, "{1}", "after")]),
        ("{0} {1}", "", [(0, "{0}", "after"), (0, "{1}", "none")]),
    ],
)
def test_placeholders_are_taken_out_once_each_in_order(text, plain, spans):
    assert placed(text) == (plain, spans)


def test_spans_move_with_the_text_taken_out():
    block = take_out_placeholders(Block("p", "Zie {0} de grote site", [Span(8, 21, "link", (("href", "x"),))]))
    link = next(s for s in block.spans if s.kind == "link")
    assert block.text[link.start : link.end] == "de grote site"


def test_nest_builds_the_tree_writers_need():
    block = Block("p", "Zie de grote site nu", [Span(4, 17, "link"), Span(4, 6, "em"), Span(20, 20, "code", literal="`x`")])
    tree = nest(block)
    assert tree[0] == "Zie "
    assert tree[1].span.kind == "link" and tree[1].children[0].span.kind == "em"
    assert tree[1].children[0].children == ["de"] and tree[1].children[1] == " grote site"
    assert tree[2] == " nu" and tree[3].span.literal == "`x`" and tree[3].children == []


def test_formats_are_found_by_suffix():
    assert format_for("a.txt") is None and format_for("a.jsonl") is None
    for suffix, name in ((".HTML", "html"), (".md", "markdown"), (".docx", "docx"), (".srt", "srt"), (".vtt", "webvtt")):
        fmt = format_for(f"a{suffix}")
        assert fmt is not None and fmt.name.lower().startswith(name[:3]), suffix
