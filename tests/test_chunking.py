"""Long paragraphs are split, never truncated silently."""

from __future__ import annotations

import logging

from pipeline.translate.chunking import ChunkStats, chunk_paragraph


def words(texts):
    """Token counter standing in for a tokenizer: one token per word, plus eos."""
    return [len(t.split()) + 1 for t in texts]


def test_short_paragraph_is_one_chunk():
    stats = ChunkStats()
    assert chunk_paragraph(["Een twee.", "Drie."], words, 10, stats) == ["Een twee. Drie."]
    assert stats.to_dict() == {"translation_units": 0, "paragraphs_split": 0, "sentences_split": 0, "hard_cuts": 0}


def test_long_paragraph_splits_at_sentences_into_fewest_chunks():
    sentences = ["a b c.", "d e f.", "g h i.", "j k l.", "m n o."]
    stats = ChunkStats()
    chunks = chunk_paragraph(sentences, words, 7, stats)  # two sentences (6 words + eos) fit
    assert chunks == ["a b c. d e f.", "g h i. j k l.", "m n o."]
    assert " ".join(chunks) == " ".join(sentences)
    assert stats.paragraphs_split == 1 and stats.sentences_split == 0


def test_long_sentence_splits_at_clause_punctuation():
    sentence = "een twee drie, vier vijf zes; zeven acht negen: tien elf twaalf."
    stats = ChunkStats()
    chunks = chunk_paragraph([sentence], words, 5, stats)
    assert chunks == ["een twee drie,", "vier vijf zes;", "zeven acht negen:", "tien elf twaalf."]
    assert stats.sentences_split == 1 and stats.hard_cuts == 0


def test_hard_cut_is_last_resort_and_warned(caplog):
    sentence = " ".join(f"w{i}" for i in range(20)) + "."
    stats = ChunkStats()
    with caplog.at_level(logging.WARNING):
        chunks = chunk_paragraph([sentence], words, 6, stats)
    assert " ".join(chunks) == sentence  # nothing lost
    assert all(words([c])[0] <= 6 for c in chunks)
    assert stats.hard_cuts == 1 and "cutting" in caplog.text


def test_over_long_word_is_cut_by_bisection():
    """A URL longer than the limit: cut into the longest pieces that fit, nothing lost."""

    def chars(texts):
        return [len(t) // 4 + 1 for t in texts]  # a token per 4 characters, plus eos

    url = "https://example.org/" + "abcdefghij" * 30
    stats = ChunkStats()
    chunks = chunk_paragraph([f"Zie {url} voor meer."], chars, 20, stats)
    assert all(chars([c])[0] <= 20 for c in chunks)
    assert "".join(chunks).replace(" ", "") == f"Zie {url} voor meer.".replace(" ", "")
    assert stats.hard_cuts == 1
