"""English sentences in a Dutch document (pipeline/document/language.py): found and copied
through, while Dutch, however English its names, and short sentences stay to be translated.
The sentences are real (FLORES-200 devtest, eval/flores200; Tatoeba, eval/tatoeba) unless a
test says otherwise; their mixing into paragraphs is made here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.document import language
from pipeline.document.checks import language as checks_language
from pipeline.document.language import Evidence, Rule, decide, english_sentences, evidence

REPORT = Path(__file__).resolve().parent.parent / "eval" / "mixed" / "report.json"

# FLORES devtest Dutch, lines 1-3 (one article), with English lines of another article (600, 601).
DUTCH = [
    "'Inmiddels hebben we muizen van 4 maanden oud die geen diabetes hebben, maar dat eerder wel hebben,'"
    " voegde hij er nog aan toe.",
    "Professor Ehud Ur in de geneeskunde aan Dalhousie University in Halifax, Nova Scotia, tevens voorzitter"
    " van de klinische en wetenschappelijke divisie van de Canadian Diabetes Association, herinnerde eraan dat"
    " ze nog maar net zijn begonnen met het onderzoek.",
    "Net als sommige andere deskundigen, is hij sceptisch over de vraag of zijn diabetes kan worden genezen,"
    " waarbij hij opmerkt dat deze bevindingen geen waarde hebben voor mensen die al type 1-diabetes hebben.",
]
ENGLISH = [
    "The Hershey and Chase experiment was one of the leading suggestions that DNA was a genetic material.",
    "Hershey and Chase used phages, or viruses, to implant their own DNA into a bacterium.",
]

# FLORES Dutch that keeps English names and titles (lines 121, 183, 214, 237, 269, 285).
DUTCH_WITH_ENGLISH_NAMES = [
    "De prachtige postzegel 'Great Deeds by Swedish Kings', gemaakt door David Klöcker Ehrenstrahl in 2000 en die"
    " vermeld wordt in het Guinness Book of Records, was zijn 1.000ste postzegel.",
    "Er kwamen bij de United States Geological Survey (USGS) en het National Earthquake Information Centrum geen"
    " schademeldingen binnen.",
    "Hij verleende in de jaren 80 zijn medewerking aan shows zoals Taxi, Cheers en The Tracy Ullman Show.",
    "Donderdag onthulde Satoru Iwata, de directeur van Nintendo, tijdens de keynotepresentatie van de Tokyo Game"
    " Show het ontwerp van de controller voor de nieuwe Nintendo Revolution.",
    "Naar verwachting worden Huhne en Pryce op 16 februari voorgeleid voor de Westminster Magistrates Court.",
    "Aanvankelijk werd hij opgenomen in Great Yarmouth, in het James Paget Hospital.",
    # made here: a Dutch sentence quoting an English phrase (as the mixed set's `nl-quotes-en`)
    'De minister sprak over de ramp, met de woorden "the worst storm in decades".',
]


def test_english_sentences_are_found_in_a_dutch_paragraph():
    paragraph = [DUTCH[0], ENGLISH[0], DUTCH[1], ENGLISH[1], DUTCH[2]]
    assert english_sentences(paragraph) == [False, True, False, True, False]


def test_a_dutch_paragraph_alone_has_no_english():
    assert english_sentences(DUTCH) == [False, False, False]
    assert english_sentences([]) == []


@pytest.mark.parametrize("sentence", DUTCH_WITH_ENGLISH_NAMES)
def test_dutch_with_english_names_and_titles_is_not_passed_through(sentence):
    assert english_sentences([sentence]) == [False]
    assert english_sentences([ENGLISH[0], sentence, ENGLISH[1]]) == [True, False, True]


@pytest.mark.parametrize(
    "sentence",
    [
        # English of one or two words (Tatoeba)
        "Get lost.",
        "Thank you!",
        "Donate blood.",
        "Goodnight!",
        # names and numbers only (made here)
        "The New York Times",
        "Donald J. Trump",
        "2023-09 / 14:30",
        "Foto: ANP",
        # mostly words written alike in Dutch and English (Tatoeba Dutch, and made here)
        "Tom is in Boston.",
        "Mary was in Japan.",
    ],
)
def test_short_sentences_and_names_are_never_passed_through(sentence):
    assert english_sentences([sentence]) == [False]
    assert english_sentences([ENGLISH[0], sentence, ENGLISH[1]]) == [True, False, True]


def test_short_dutch_sentences_are_not_passed_through():
    tatoeba_dutch = ["Ik lust thee.", "Dat was gênant.", "Tom is stoned.", "Welke T-shirt is rood?", "Alles is prima."]
    assert english_sentences(tatoeba_dutch) == [False] * len(tatoeba_dutch)


def test_short_english_with_own_words_is_passed_through():
    assert english_sentences(["I'm four weeks pregnant.", "You tried staying calm."]) == [True, True]


def test_the_decision_is_deterministic_and_per_sentence():
    paragraph = [DUTCH[0], ENGLISH[0], "Get lost.", DUTCH[1], ENGLISH[1], "Tom is in Boston.", DUTCH[2]]
    first = english_sentences(paragraph)
    evidence.cache_clear()
    assert english_sentences(paragraph) == first
    assert english_sentences(list(reversed(paragraph))) == list(reversed(first))
    assert [english_sentences([s])[0] for s in paragraph] == first  # no context by default
    assert evidence(ENGLISH[0]) == evidence(ENGLISH[0])


def test_the_shared_identifier_is_not_restricted():
    english_sentences(ENGLISH + DUTCH)
    assert checks_language("Die Bundesregierung hat am Mittwoch ein neues Gesetz beschlossen.") == "de"
    assert checks_language(ENGLISH[0]) == "en"


def test_context_lets_a_neighbour_of_english_pass_with_a_lower_margin():
    sure, weak, dutch = Evidence(50.0, 10, 0, 2), Evidence(3.0, 10, 0, 2), Evidence(-40.0, 10, 0, 2)
    rule = Rule(margin=8.0, context_margin=2.0)
    assert decide([sure, weak, dutch], rule) == [True, True, False]
    assert decide([dutch, weak, dutch], rule) == [False, False, False]
    assert decide([sure, weak], Rule(margin=8.0, context_margin=None)) == [True, False]
    short = Evidence(3.0, 2, 0, 0)
    assert decide([sure, short], rule) == [True, False]  # the safeguards still hold


def test_the_constants_are_the_committed_report_s_choice():
    chosen = json.loads(REPORT.read_text(encoding="utf-8"))["chosen"]
    assert (chosen["margin"], chosen["context_margin"]) == (language.ENGLISH_MARGIN, language.CONTEXT_MARGIN)
    assert (chosen["min_words"], chosen["min_own_words"], chosen["max_shared_share"]) == (
        language.MIN_WORDS,
        language.MIN_OWN_WORDS,
        language.MAX_SHARED_SHARE,
    )
    assert chosen["rivals"] == "+".join(language.RIVALS)


@pytest.mark.parametrize(
    "sentence",
    [
        'Hij zei: "We will never give up on this fight for our freedom and our future."',
        '"This is not acceptable at all," aldus de minister.',
        'De film "The Lord of the Rings: The Return of the King" won elf prijzen.',
        '"I have a dream that one day this nation will rise up," zei hij gisteren in het huis.',
    ],
)
def test_a_dutch_sentence_quoting_english_is_translated(sentence):
    """Found in review: a long English quotation gives a Dutch sentence a large English margin;
    one Dutch function word of its own keeps it Dutch (it would stay untranslated otherwise)."""
    assert english_sentences([sentence]) == [False]
