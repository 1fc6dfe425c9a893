"""Which words belong to names (pipeline/names.py): copying those from the Dutch is right,
so neither the `untranslated` check nor anti-copy decoding holds them against a translation."""

from __future__ import annotations

import pytest

from pipeline.names import name_mask


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
