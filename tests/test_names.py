"""Which words belong to names (pipeline/names.py): copying those from the Dutch is right,
so neither the `untranslated` check nor anti-copy decoding holds them against a translation."""

from __future__ import annotations

import pytest

from pipeline.names import is_headline, name_mask


@pytest.mark.parametrize("text, names", [
    ("He visited Vincent van Gogh yesterday", "Vincent van Gogh"),
    ("The Partij voor de Vrijheid won", "Partij voor de Vrijheid"),
    ("They live in Koog aan de Zaan now", "Koog aan de Zaan"),
    ("in Saint-Georges de l'Oyapock", "Saint-Georges de l'Oyapock"),
    ("my iPhone broke", "iPhone"),
    ("NRC wrote it", "NRC"),  # a first word with a capital after its first letter
    ("Tom is in Boston", "Boston"),  # a first word is capitalised as an opener
    ("Then I went home", ""),  # one letter
    ("tussen Trump en de Turkse president", "Trump Turkse"),  # "en" is not a particle
    ("Jan ter Horst wil munitie", "ter Horst"),  # "Jan" may be an opener; the particles after it join "Horst"
])
def test_names(text, names):
    tokens = text.split()
    assert " ".join(t for t, name in zip(tokens, name_mask(tokens)) if name) == names


@pytest.mark.parametrize("text", ["Rusland Wil Munitie van Noord-Korea", "DE REGERING IS GEVALLEN", "Kim Jong-Un Ontmoet Poetin",
                                  "Het Kabinet Valt Vandaag over Het Pensioenakkoord en De Lonen"])
def test_a_headline_in_title_case_or_capitals_tells_no_names(text):
    assert is_headline(text.split()) and not any(name_mask(text.split(), headline=True))


@pytest.mark.parametrize("text", ["Mark Rutte en Angela Merkel ontmoetten Emmanuel Macron in Parijs",
                                  "Kim Jong-un ontmoette Poetin in Vladivostok", "Poetin", "De PVV won"])
def test_a_sentence_full_of_names_is_no_headline(text):
    assert not is_headline(text.split())
