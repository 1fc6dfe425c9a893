"""Reading and paragraph segmentation (the sentence splitter has its own tests)."""

from __future__ import annotations

import pytest

from pipeline.document.inputs import read_document, split_paragraphs
from pipeline.errors import InputError
from pipeline.textio import decode


def test_paragraphs_split_on_blank_lines_and_join_line_breaks():
    text = "Eerste regel\nloopt door.\n\n\n  \nTweede alinea.\n \nDerde."
    assert split_paragraphs(text) == ["Eerste regel loopt door.", "Tweede alinea.", "Derde."]


def test_bom_and_crlf_are_accepted(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbfEen zin.\r\nNog een.\r\n\r\nTweede alinea.\r\n")
    doc = read_document(p)
    assert [para.text for para in doc.paragraphs] == ["Een zin. Nog een.", "Tweede alinea."]
    assert not doc.paragraphs[0].text.startswith("\ufeff")


def test_control_characters_are_removed():
    assert decode(b"Een\x00 zin\x07 met\x1b rommel.\x7f", "x") == "Een zin met rommel."
    # tab survives decoding but never a paragraph: whitespace is normalised
    assert split_paragraphs(decode(b"a\tb", "x")) == ["a b"]


def test_non_utf8_names_file_and_byte_offset(tmp_path):
    p = tmp_path / "latin1.txt"
    p.write_bytes("Goedemorgen, caf".encode() + b"\xe9 open.")
    with pytest.raises(InputError) as err:
        read_document(p)
    msg = str(err.value)
    assert str(p) in msg and "byte offset 16" in msg and "\n" not in msg


def test_sentence_ids_run_through_the_document(seed_article):
    doc = read_document(seed_article)
    ids = [s.id for s in doc.sentences]
    assert ids == list(range(len(ids)))
    assert len(doc.paragraphs) == 14
    # no character of a paragraph is lost by sentence splitting
    for para in doc.paragraphs:
        assert " ".join(s.text for s in para.sentences) == para.text


def test_empty_file_gives_no_paragraphs(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"\n \n\r\n")
    assert read_document(p).paragraphs == []


def test_separator_controls_become_line_breaks_not_glue():
    """pdftotext puts a form feed between pages; NEL and VT separate lines too."""
    assert split_paragraphs(decode("huis.\x0cDe volgende dag\x85kwam\x0bhij.".encode(), "x")) == [
        "huis. De volgende dag kwam hij."
    ]
