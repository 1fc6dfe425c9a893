"""Tests for pipeline.document.sentences.split_sentences (Dutch and English)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.document.sentences import _DATA_DIR, _parse_list_file, _splitter, split_sentences

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "nl" / "2023-09-kim-jong-un-poetin-vladivostok.txt"

# (text, expected sentences). Each case is written as the expected sentences;
# the input is their single-space join.
NL_CASES: list[tuple[str, list[str]]] = [
    # --- titles and forms of address ---
    ("dhr", ["Dhr. Pietersen opende de vergadering.", "Daarna sprak mevr. Yilmaz."]),
    ("mevr", ["Het woord is aan mevr. De Groot.", "Zij reageert kort."]),
    ("prof", ["Prof. Van den Berg leidt het onderzoek.", "Hij is hoogleraar in Leiden."]),
    ("dr", ["Volgens dr. Ahmed is het virus niet gevaarlijker.", "Toch blijft voorzichtigheid geboden."]),
    ("ir", ["Het ontwerp is van ir. W. Kok.", "Hij werkte eerder voor Rijkswaterstaat."]),
    ("mr", ["Advocaat mr. G. Spong stond de verdachte bij.", "De zaak dient in mei."]),
    ("prof-dr-ir", ["Het rapport is geschreven door prof. dr. ir. L. Meijer.", "Het telt 300 pagina's."]),
    ("dhr-quoted-name", ['Het interview met dhr. "Bram" Peters verscheen gisteren.']),
    # --- mid-sentence abbreviations ---
    ("o.a.", ["Er waren o.a. ministers en Kamerleden aanwezig.", "Ook de koning kwam."]),
    ("O.a.-initial", ["O.a. Shell en Unilever doen mee.", "De rest twijfelt."]),
    ("d.w.z.", ["De wet geldt per 1 juli, d.w.z. over drie weken.", "Bedrijven moeten zich voorbereiden."]),
    ("bijv.", ["Denk aan bijv. Vlaardingen of Schiedam.", "Beide gemeenten groeien."]),
    ("Bijv.-initial", ["Bijv. De Telegraaf meldde het als eerste.", "Andere kranten volgden."]),
    ("m.b.t.", ["Er zijn vragen m.b.t. de Europese regels.", "De minister antwoordt schriftelijk."]),
    ("i.p.v.", ["Ze nam de trein i.p.v. de auto.", "Dat scheelde een uur."]),
    ("i.v.m.", ["De weg is afgesloten i.v.m. werkzaamheden.", "Omrijden kan via de A12."]),
    ("ca.", ["Het project kost ca. 40.000 euro.", "De gemeente betaalt de helft."]),
    # --- before numbers ---
    ("art.", ["Dat staat in art. 23 van de Grondwet.", "Daar gaat het debat over."]),
    ("nr.", ["De motie met nr. 12 werd verworpen.", "Een andere motie haalde het wel."]),
    ("blz.", ["Zie blz. 45 van het rapport.", "Daar staan de cijfers."]),
    ("okt.", ["Het voorstel is op 3 okt. 2023 ingediend.", "De behandeling volgt."]),
    # --- mln./mld.: may end a sentence; split only before a sentence opener ---
    ("mln.", ["De gemeente trekt 2,5 mln. euro uit voor de haven.", "Dat is een record."]),
    ("mln.-final", ["De schade bedraagt zo'n 3 mln.", "De verzekeraar betaalt."]),
    ("mln.-noun", ["Ruim 1,2 mln. Nederlanders hebben zonnepanelen.", "Dat aantal groeit snel."]),
    ("mld.", ["Het kabinet trekt 4 mld. euro uit voor defensie.", "De oppositie is kritisch."]),
    # --- enz., e.d., jl., a.s.: ambiguous at a sentence end. Rule (see
    # abbreviations-nl.txt, #FINAL#): they usually close a list or a date, so
    # before a capitalised word they end the sentence; before lowercase never.
    ("enz.-mid", ["Er wordt gekookt, gebakken enz. en iedereen helpt mee."]),
    ("enz.-final", ["Ze verkopen brood, kaas, melk enz.", "Het assortiment is groot."]),
    ("e.d.-final", ["Denk aan stoelen, tafels e.d.", "Alles moet weg."]),
    ("e.d.-mid", ["Stoelen, tafels e.d. zijn al verkocht."]),
    ("jl.-final", ["De brand brak uit op 3 mei jl.", "Niemand raakte gewond."]),
    ("jl.-mid", ["Op zaterdag 3 mei jl. brak er brand uit."]),
    ("a.s.-mid", ["De uitslag volgt a.s. maandag.", "Tot die tijd is het stil."]),
    ("a.s.-final", ["De vergadering is op 12 juni a.s.", "De agenda volgt later."]),
    # --- numbers ---
    ("decimal-comma", ["De economie groeide met 3,5 procent.", "Dat is meer dan verwacht."]),
    ("thousands-dot", ["Er kwamen 1.000 mensen op af.", "Ook 12.500 mensen keken online."]),
    ("time", ["De trein vertrekt om 12.30 uur.", "Hij komt om 14.05 uur aan."]),
    ("time-final", ["De winkel sluit om 17.30.", "Daarna is het stil."]),
    ("year-final", ["Het bedrijf werd opgericht in 1998.", "Het groeide snel."]),
    # --- initials and acronyms ---
    ("initials", ["Oud-premier J.P. Balkenende was ook aanwezig.", "Hij hield een toespraak."]),
    ("initials-mid", ["Volgens kenner A. Jansen klopt dat niet."]),
    ("acronym-final", ["Ze woont sinds 2010 in de V.S.", "Het bevalt haar goed."]),
    # --- quoted speech ---
    (
        "quote-3-sentences",
        [
            '"Het gaat om granaten, oude tankonderdelen.',
            "Noord-Korea heeft die in overvloed.",
            'En Rusland heeft tekort aan grondstoffen, zoals koper", vertelt Rusland-kenner Helga Salemon.',
        ],
    ),
    ("quote-zegt", ['"Dat klopt niet", zegt de burgemeester.', "Hij wil opheldering."]),
    ("quote-colon", ['De minister zei: "We gaan door.', 'Er is geen weg terug."', "Daarna verliet hij de zaal."]),
    ("quote-question", ['"Waarom nu?", vroeg een Kamerlid.', "Niemand antwoordde."]),
    ("quote-question-lower", ['"Wat nu?" vroeg hij zich af.']),
    ("low-9-quotes", ["Ze zei: \u201eHet is voorbij.", "Echt.\u201d", "Toen ging ze weg."]),
    ("single-quotes", ["'Het is klaar', zegt Jansen.", "'Nu gaan we verder.'"]),
    # --- ellipses, ? and ! ---
    ("ellipsis", ["Hij twijfelde...", "Toen besloot hij toch te gaan."]),
    ("ellipsis-char", ["Het was stil\u2026", "Te stil."]),
    ("ellipsis-lower", ["Het was... nou ja, bijzonder."]),
    ("question-exclamation", ["Komt er een nieuwe verkiezing?", "Niemand weet het!", "Toch gaan de campagnes door."]),
    ("interrobang", ["Is dit nu echt?!", "Ja."]),
    # --- stock-list corrections and Dutch specifics ---
    ("al-is-a-word", ["Dat wist hij al.", "Maar niemand luisterde."]),
    ("Jan-is-a-name", ["Het doelpunt kwam van Jan.", "Hij scoorde in de laatste minuut."]),
    ("'s-avonds", ["De storm ging liggen.", "'s Avonds kwamen de eerste mensen terug."]),
    ("parenthesis", ["De partij (opgericht in 2006) groeit.", "(Bron: Ipsos.)"]),
    # --- paragraphs of the seed article ---
    ("seed-headline", ["Rusland wil munitie"]),
    (
        "seed-colon-quote",
        [
            'Zeker is volgens haar dat Rusland met die wapens geen vooruitgang gaat boeken in de oorlog tegen Oekraïne: "Ze zijn van Sovjetkwaliteit.',
            'Het is alleen een middel om bezette gebieden vast te houden, in de hoop dat de steun voor Oekraïne door het Westen ophoudt."',
        ],
    ),
    (
        "seed-question-in-quote",
        [
            "De vraag is volgens haar niet hoe Rusland en Noord-Korea op elkaars verzoek ingaan, maar óók hoe China daar weer op reageert.",
            '"Dat is de afwezige derde.',
            "Noord-Korea speelt Rusland tegen China uit.",
            'Gaat Rusland onderdelen voor het kernwapenprogramma leveren, dan is de vraag: wat gaat China doen?"',
        ],
    ),
    (
        "seed-quote-then-narration",
        [
            '"Als China niets zegt, dan keuren ze het goed", legt Salemon uit.',
            '"Terwijl China juist probeert om banden met de VS en Europa te herstellen.',
            "China wil ook de wereld veroveren, maar op een economische manier.",
            'Vandaar ook de Nieuwe Zijderoute."',
        ],
    ),
]

EN_CASES: list[tuple[str, list[str]]] = [
    ("Mr./Mrs.", ["Mr. Rutte met Mrs. Clinton in Paris.", "They talked for an hour."]),
    ("Dr.", ["Dr. Chen leads the study.", "She is a virologist."]),
    ("Gov.", ["Gov. Newsom signed the bill.", "It takes effect in January."]),
    ("U.S.-mid", ["The U.S. economy added 200,000 jobs.", "Wages rose."]),
    ("U.S.-name", ["He met U.S. President Joe Biden on Monday."]),
    ("U.S.-final", ["The company moved its headquarters to the U.S.", "The move cost $3 billion."]),
    ("D.C.-mid", ["He flew to Washington, D.C. on Monday."]),
    ("e.g.", ["Some countries, e.g. France and Italy, objected.", "Others abstained."]),
    ("i.e.", ["The deadline, i.e. the end of March, is near.", "Talks continue."]),
    ("a.m.-mid", ["The meeting started at 9 a.m. and ended at noon."]),
    ("p.m.-final", ["The polls close at 8 p.m.", "Results are expected overnight."]),
    ("a.m.-weekday", ["Power returned by 7 a.m. Tuesday for most customers."]),
    ("decimal", ["Inflation fell to 3.2 percent.", "That was below forecasts."]),
    ("money", ["Shares rose 4.5% to $12.75.", "Trading volume was high."]),
    ("quote-multi", ['"We will rebuild.', 'It will take time," the mayor said.', "Crews are on site."]),
    ("quote-question", ['"Why now?" she asked.', "Nobody answered."]),
    ("curly-quotes", ["\u201cIt is over.", "We lost.\u201d", "The coach left the room."]),
    ("ellipsis", ["He paused...", "Then he left."]),
    ("question-exclamation", ["Is it over?", "Not yet!", "The count continues."]),
    ("Inc.-final", ["The deal was announced by Acme Inc.", "The shares jumped."]),
    ("Inc.-mid", ["Acme Inc. Chief Executive Jane Doe resigned."]),
    ("Jr.", ["Martin Luther King Jr. gave the speech in 1963.", "It became famous."]),
    ("initials", ["J.K. Rowling published a new book.", "It sold well."]),
    ("No.", ["He lives at No. 10 Downing Street.", "It is famous."]),
    ("etc.", ["They sold apples, pears, etc.", "Business was good."]),
    ("St.", ["She grew up in St. Louis.", "Later she moved to Chicago."]),
]


@pytest.mark.parametrize(("name", "expected"), NL_CASES, ids=[c[0] for c in NL_CASES])
def test_dutch(name: str, expected: list[str]) -> None:
    assert split_sentences(" ".join(expected), "nl") == expected


@pytest.mark.parametrize(("name", "expected"), EN_CASES, ids=[c[0] for c in EN_CASES])
def test_english(name: str, expected: list[str]) -> None:
    assert split_sentences(" ".join(expected), "en") == expected


def test_table_sizes() -> None:
    assert len(NL_CASES) >= 40 and len(EN_CASES) >= 20


def test_whitespace_is_normalised() -> None:
    assert split_sentences("  Hallo.\n\nDag\t daar. ", "nl") == ["Hallo.", "Dag daar."]


@pytest.mark.parametrize("text", ["", " ", "\n\t "])
def test_empty(text: str) -> None:
    assert split_sentences(text, "nl") == []


@pytest.mark.parametrize("lang", ["de", "fr", "NL", "nl-BE", "en_GB", "nld", "eng", "zz", "x", "", "123", "chinese"])
def test_other_languages_fall_back(lang: str) -> None:
    out = split_sentences("Dit is een zin. Dat is er nog een.", lang)
    assert " ".join(out) == "Dit is een zin. Dat is er nog een."
    assert out == ["Dit is een zin.", "Dat is er nog een."]


def test_language_codes_are_normalised() -> None:
    assert split_sentences("Hij zei al. Maar ja.", "nl-BE") == split_sentences("Hij zei al. Maar ja.", "nl")


def test_splitter_is_cached() -> None:
    assert _splitter("nl") is _splitter("nl")


def test_deterministic() -> None:
    text = '"Het gaat om granaten. Noord-Korea heeft die", zegt ze. Dhr. X. Y. kwam ca. 12.30 uur.'
    assert len({tuple(split_sentences(text, "nl")) for _ in range(5)}) == 1


def _entries(lang: str, marker: str) -> list[str]:
    entries, _ = _parse_list_file(_DATA_DIR / f"abbreviations-{lang}.txt")
    return [e for e, m in entries.items() if m == marker]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_list_never_final_entries_hold(lang: str) -> None:
    # Every unmarked entry keeps a following capitalised name in its sentence.
    for abbr in _entries(lang, ""):
        text = f"Het gaat om {abbr}. Jansen en de anderen."
        assert split_sentences(text, lang) == [text], abbr


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_list_numeric_only_entries_hold(lang: str) -> None:
    for abbr in _entries(lang, "NUMERIC_ONLY"):
        text = f"Zie {abbr}. 12 en verder."
        assert split_sentences(text, lang) == [text], abbr


def test_list_final_entries_split_before_capital() -> None:
    for abbr in _entries("nl", "FINAL"):
        assert len(split_sentences(f"Dat was het {abbr}. Daarna ging hij.", "nl")) == 2, abbr
        assert len(split_sentences(f"Dat was het {abbr}. daarna ging hij.", "nl")) == 1, abbr


# The seed article, paragraph by paragraph: number of sentences expected.
SEED_COUNTS = [2, 3, 1, 4, 2, 1, 3, 2, 1, 4, 4, 1, 4, 5]


def test_seed_article() -> None:
    if not SEED.is_file():
        pytest.skip("seed article not present")
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    counts = []
    for para in paragraphs:
        out = split_sentences(" ".join(para.split()), "nl")
        assert " ".join(out) == " ".join(para.split())
        counts.append(len(out))
    assert counts == SEED_COUNTS
    # The splitter keeps the source header with the first sentence; the reader takes it out
    # as metadata before splitting (pipeline/document/inputs.py read_header).
    assert split_sentences(paragraphs[0], "nl")[0].startswith("date 2023-09 Een zeldzame ontmoeting:")


def test_imports_nothing_heavy() -> None:
    code = (
        "import sys, pipeline.document.sentences as s; s.split_sentences('Een. Twee.', 'nl');"
        "heavy = {'torch', 'transformers', 'spacy', 'nltk', 'stanza'} & set(sys.modules);"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


_TEXT_ALPHABET = st.sampled_from(
    list("aAbBzZéÉ01239 .,;:?!…'\"“”„‘’«»()[]-%$\n\t\u00a0")
    + ["dhr.", "enz.", " 's ", "U.S.", "mln.", "a.m.", "...", "J.P.", " De ", " The "]
)
_LANGS = st.sampled_from(["nl", "en", "de", "xx", "nl-BE", ""])


def _check_lossless(text: str, lang: str) -> None:
    out = split_sentences(text, lang)
    assert " ".join(out) == " ".join(text.split())
    assert all(s and s == s.strip() for s in out)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT_ALPHABET, max_size=60).map("".join), _LANGS)
def test_no_character_lost_punctuation_heavy(text: str, lang: str) -> None:
    _check_lossless(text, lang)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), _LANGS)
def test_no_character_lost_arbitrary(text: str, lang: str) -> None:
    _check_lossless(text, lang)
