"""Inline markup put back on the English words (pipeline/document/markup.py, issue #21 item 2):
identity for names and numbers, the lexicon for other words, placeholders exactly once
whatever the English did, spans properly nested, a flag where a place is not sure, and a
check on real FLORES sentences (eval/markup measures it on the whole set)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paragraph_mt import flores_articles, reword

from pipeline.document.formats.base import VERBATIM, Block, Span, nest, take_out_placeholders
from pipeline.document.markup import (
    MARKUP_FLAG,
    check_placeholders,
    learn_lexicon,
    place_markup,
    render_plain,
    words,
)

LEX = {
    "klik": {"click": 0.9},
    "op": {"on": 0.8},
    "om": {"to": 0.6},
    "verder": {"continue": 0.7},
    "te": {"to": 0.3},
    "gaan": {"go": 0.5},
    "de": {"the": 0.9},
    "rode": {"red": 0.9},
    "auto": {"car": 0.9},
    "het": {"it": 0.5},
    "kost": {"costs": 0.8},
    "huis": {"house": 0.9},
}


def dutch(text: str, *marks: tuple[str, str], **attrs: str) -> Block:
    """A Dutch block of `text` (placeholders taken out) with a span of kind k over the first
    occurrence of each (k, words)."""
    spans = []
    for kind, part in marks:
        at = text.index(part)
        spans.append(Span(at, at + len(part), kind, tuple(attrs.items()) if kind == "link" else ()))
    return take_out_placeholders(Block("p", text, sorted(spans, key=lambda s: (s.start, -s.end))))


def on(block: Block, kind: str) -> list[str]:
    """The text under each span of `kind` (a verbatim span: its literal)."""
    return [s.literal if s.kind in VERBATIM else block.text[s.start : s.end] for s in block.spans if s.kind == kind]


def test_names_and_numbers_by_identity_when_the_english_reorders():
    src = dutch(
        "Jan woont sinds 2010 in Amsterdam.", ("em", "Amsterdam"), ("strong", "2010"), ("link", "Jan"), href="/jan"
    )
    out = place_markup(src, "Since 2010, Jan has lived in Amsterdam.")
    assert out.text == "Since 2010, Jan has lived in Amsterdam."
    assert (on(out, "em"), on(out, "strong"), on(out, "link")) == (["Amsterdam"], ["2010"], ["Jan"])
    assert out.spans[1].attrs == (("href", "/jan"),) and out.path == src.path
    assert out.flags == () and out.well_formed()


def test_numbers_match_across_separators_and_cognates_by_prefix():
    src = dutch("Er kwamen 1.000 mensen voor de informatie.", ("em", "1.000"), ("strong", "informatie"))
    out = place_markup(src, "About 1,000 people came for the information.")
    assert on(out, "em") == ["1,000"] and on(out, "strong") == ["information"]


def test_lexicon_places_other_words():
    src = dutch("Klik op de rode knop.", ("em", "rode"), ("strong", "Klik"))
    unsure = place_markup(src, "Click the red button.")  # no lexicon: not sure, kept by position
    assert MARKUP_FLAG in unsure.flags and on(unsure, "em") == ["red"]
    out = place_markup(src, "Click the red button.", lexicon=LEX)
    assert on(out, "em") == ["red"] and on(out, "strong") == ["Click"]


def test_a_compound_takes_its_several_english_words():
    src = dutch("Een politiehelikopter stortte neer.", ("em", "politiehelikopter"))
    out = place_markup(
        src, "A police helicopter crashed.", lexicon={"politiehelikopter": {"police": 0.6, "helicopter": 0.5}}
    )
    assert on(out, "em") == ["police helicopter"] and out.flags == ()


def test_lexicon_as_mapping_of_pairs_or_function():
    src = dutch("Het huis is groot.", ("em", "huis"))
    for lex in ({("huis", "house"): 0.9}, lambda nl, en: 0.9 if (nl, en) == ("huis", "house") else 0.0):
        assert on(place_markup(src, "The house is big.", lexicon=lex), "em") == ["house"]


def test_placeholder_padded_after_the_counterpart_of_the_word_before_it():
    src = dutch("Klik op {0} om verder te gaan.")
    assert src.text == "Klik op om verder te gaan." and src.spans[0].attr("space") == "both"
    out = place_markup(src, "Click on to continue.", lexicon=LEX)
    assert render_plain(out) == "Click on {0} to continue."
    assert out.spans[0].start == len("Click on") and out.flags == ()
    src = dutch("Het kost {0}.")
    out = place_markup(src, "It costs.", lexicon=LEX)
    assert render_plain(out) == "It costs {0}." and check_placeholders(src, out)


@pytest.mark.parametrize(
    "english",
    [
        "Click on to continue.",  # as expected
        "To continue, click on.",  # reordered
        "Continue.",  # the words around the placeholders dropped
        "Something else entirely.",  # nothing aligned
        "",  # nothing at all
        "{0} %s",  # the literals appear in the English text itself
    ],
)
def test_every_placeholder_comes_back_exactly_once(english):
    src = dutch("Klik {{name}} op {0} om %s verder te gaan <x/>.")
    assert sorted(on(src, "placeholder")) == sorted(["{{name}}", "{0}", "%s", "<x/>"])
    out = place_markup(src, english, lexicon=LEX)
    assert sorted(s.literal.strip() for s in out.spans) == sorted(["{{name}}", "{0}", "%s", "<x/>"])
    assert all(s.start == s.end for s in out.spans) and out.well_formed()
    assert out.text == english
    rendered = render_plain(out)
    for literal in ("{{name}}", "<x/>"):
        assert rendered.count(literal) == 1
    assert check_placeholders(src, out)


def test_code_span_without_space_attr_is_padded_from_the_dutch_text():
    src = Block("p", "Gebruik om te zoeken.", [Span(8, 8, "code", (), "`grep`")])
    out = place_markup(src, "Use to search.", lexicon={"gebruik": {"use": 0.9}, **LEX})
    assert render_plain(out) == "Use `grep` to search." and check_placeholders(src, out)


def test_check_placeholders_catches_a_lost_or_doubled_placeholder():
    src = dutch("Klik op {0} om verder te gaan.")
    out = place_markup(src, "Click on to continue.", lexicon=LEX)
    assert check_placeholders(src, out)
    assert not check_placeholders(src, Block("p", out.text, []))
    assert not check_placeholders(src, Block("p", out.text, out.spans * 2))
    assert not check_placeholders(src, Block("p", "Click on {0} to continue.", out.spans))


def test_nested_spans_stay_nested():
    src = dutch("Klik op de rode auto.", ("link", "de rode auto"), ("em", "rode"), href="/auto")
    out = place_markup(src, "Click on the red car.", lexicon=LEX)
    assert on(out, "link") == ["the red car"] and on(out, "em") == ["red"]
    assert out.well_formed() and out.flags == ()
    assert [type(n).__name__ for n in nest(out)] == ["str", "Node", "str"]


def test_spans_that_would_cross_are_cut_back_and_flagged():
    # em's words and strong's words interleave in the English: strong is cut back to its own part
    src = dutch("De rode auto en het huis kost veel.", ("em", "rode auto"), ("strong", "huis kost"))
    out = place_markup(src, "The red house car costs a lot.", lexicon=LEX)
    assert out.well_formed() and MARKUP_FLAG in out.flags
    assert on(out, "em") == ["red house car"] and on(out, "strong") == ["costs"]


def test_siblings_that_meet_on_the_same_english_word_do_not_overlap():
    src = dutch("De rode auto.", ("em", "rode"), ("strong", "auto"))
    out = place_markup(src, "The car.", lexicon={"rode": {"car": 0.5}, "auto": {"car": 0.9}})
    assert out.well_formed()
    # "rode" has no sure word of its own: it keeps its relative place, and the block is flagged
    assert on(out, "strong") == ["car"] and on(out, "em") == ["The"] and MARKUP_FLAG in out.flags


def test_flag_when_no_word_is_sure_and_the_text_is_kept():
    src = dutch("Zij las het boek gisteren.", ("em", "gisteren"), ("strong", "Zij"))
    out = place_markup(src, "She read the book yesterday.")
    assert MARKUP_FLAG in out.flags and out.text == "She read the book yesterday."
    assert on(out, "em") == ["yesterday"] and out.well_formed()  # kept by position, never dropped


def test_deterministic():
    src = dutch("Klik op {0} de rode auto %s in Amsterdam.", ("em", "rode"), ("link", "Amsterdam"), href="/a")
    english = "Click {0} on the red car in Amsterdam."
    first = place_markup(src, english, lexicon=LEX)
    for _ in range(3):
        assert place_markup(src, english, lexicon=LEX) == first


def test_learn_lexicon_from_sentence_pairs():
    pairs = [
        ("Het huis is groot.", "The house is big."),
        ("Het huis is oud.", "The house is old."),
        ("De auto is groot.", "The car is big."),
        ("De auto is rood.", "The car is red."),
        ("Een oud huis.", "An old house."),
        ("Een rode auto.", "A red car."),
    ] * 2
    lex = learn_lexicon(pairs)
    assert lex("huis", "house") > 0.3 > lex("huis", "big")
    assert lex("auto", "car") > lex("auto", "house")
    src = dutch("Het oude huis is rood.", ("em", "huis"))
    assert on(place_markup(src, "The old house is red.", lexicon=lex), "em") == ["house"]
    assert learn_lexicon([])("huis", "house") == 0.0


def test_real_flores_sentences():
    """Names and numbers wrapped and followed by a placeholder in real FLORES sentences,
    translated by the reworded reference: each lands on its own English word."""
    pairs = [(n, e) for a in flores_articles()[:12] for n, e in zip(a.nl, a.en)]
    mt = [reword(e, f"test{k}") for k, (_, e) in enumerate(pairs)]
    lex = learn_lexicon([(n, m) for (n, _), m in zip(pairs, mt)])
    checked = 0
    for (nl_text, _), en_text in zip(pairs, mt):
        nl_words, en_words = words(nl_text), words(en_text)
        names = [w for w in nl_words[1:] if re.fullmatch(r"[A-Z][a-z]+|\d+", w.text)]
        names = [
            w
            for w in names
            if [x.text for x in en_words].count(w.text) == 1 == [x.text for x in nl_words].count(w.text)
        ]
        if not names:
            continue
        w = names[0]
        raw = nl_text[: w.end] + " {0}" + nl_text[w.end :]
        src = take_out_placeholders(Block("p", raw, [Span(w.start, w.end, "em")]))
        out = place_markup(src, en_text, lexicon=lex)
        target = next(x for x in en_words if x.text == w.text)
        assert on(out, "em") == [w.text] and check_placeholders(src, out) and out.well_formed()
        assert out.spans[-1].start == target.end or en_text[target.end : out.spans[-1].start].strip() == ""
        checked += 1
    assert checked >= 10


words_nl = st.sampled_from(["de", "rode", "auto", "Jan", "2010", "huis", "klik", "op", "om", "in", "Amsterdam", "kost"])
words_en = st.sampled_from(["the", "red", "car", "Jan", "2010", "house", "click", "on", "to", "in", "Amsterdam", "x"])
placeholders = st.sampled_from(["{0}", "%s", "{{name}}", "<x/>"])


@st.composite
def marked(draw):
    """A Dutch block: words and placeholders, with nested wrapping spans over word ranges."""
    tokens = draw(st.lists(st.one_of(words_nl, placeholders), min_size=1, max_size=12))
    text = " ".join(tokens)
    ws = words(text)
    spans = []
    for _ in range(draw(st.integers(0, 3))):
        if not ws:
            break
        a = draw(st.integers(0, len(ws) - 1))
        b = draw(st.integers(a, len(ws) - 1))
        cand = Span(ws[a].start, ws[b].end, draw(st.sampled_from(["em", "strong", "link", "format"])))
        if all(
            cand.end <= s.start
            or s.end <= cand.start
            or (s.start <= cand.start and cand.end <= s.end)
            or (cand.start <= s.start and s.end <= cand.end)
            for s in spans
        ):
            spans.append(cand)
    return take_out_placeholders(Block("p", text, sorted(spans, key=lambda s: (s.start, -s.end))))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(src=marked(), english=st.lists(words_en, max_size=12).map(" ".join))
def test_invariants_on_any_input(src, english):
    out = place_markup(src, english, lexicon=LEX)
    assert out.text == english and out.well_formed()
    assert check_placeholders(src, out)
    wrapping = [s for s in src.spans if s.kind not in VERBATIM]
    assert len([s for s in out.spans if s.kind not in VERBATIM]) <= len(wrapping)
    if len([s for s in out.spans if s.kind not in VERBATIM]) < len(wrapping):
        assert MARKUP_FLAG in out.flags
    assert place_markup(src, english, lexicon=LEX) == out


def test_a_long_block_is_placed_band_by_band():
    filler = " ".join(["de rode auto kost veel"] * 80)  # 400 words: only pairs near the diagonal are scored
    src = dutch(f"{filler} in Amsterdam {{0}} en {filler}.", ("em", "Amsterdam"))
    english = (
        " ".join(["the red car costs a lot"] * 80) + " in Amsterdam and " + " ".join(["the red car costs"] * 80) + "."
    )
    out = place_markup(src, english, lexicon=LEX)
    assert on(out, "em") == ["Amsterdam"] and out.well_formed()
    assert "Amsterdam {0} and" in render_plain(out)


def test_a_placeholder_first_or_last_in_its_text_stays_first_or_last():
    """Found in review: "{naam} aan het begin …" came back "at the {naam} beginning …" when the
    word after it had no sure counterpart."""
    start = place_markup(take_out_placeholders(Block("p", "{naam} aan het begin van de zin.")),
                         "at the beginning of the sentence.")
    assert render_plain(start) == "{naam} at the beginning of the sentence."
    end = place_markup(take_out_placeholders(Block("p", "Aan het eind staat %s")), "At the end stands")
    assert render_plain(end) == "At the end stands %s"


def test_a_wrapping_span_on_a_siblings_words_is_nested_not_dropped():
    """Found in review: with one English word for two spans, the link vanished."""
    src = Block("p", "Zie hier en daar voor meer.", [Span(4, 8, "strong"), Span(12, 16, "link", (("href", "x"),))])
    out = place_markup(src, "ooo")
    assert sorted(s.kind for s in out.spans) == ["link", "strong"] and out.well_formed()


def test_markup_kept_by_position_stays_in_its_row():
    """Found in review: with no sure word, markup kept by relative place landed in the
    neighbouring sentence's English; given the rows, it stays in its own row."""
    nl = "Eerste zin hier met veel woorden erin. Hij is heel erg moe."
    src = Block("p", nl, [Span(nl.index("heel"), nl.index(" moe"), "em")])
    english = "Qqq www eee rrr ttt yyy. Uuu iii ooo ppp aaa."
    rows = [((0, nl.index(" Hij")), (0, english.index(" Uuu"))),
            ((nl.index("Hij"), len(nl)), (english.index("Uuu"), len(english)))]
    out = place_markup(src, english, segments=rows)
    (em,) = out.spans
    assert em.start >= english.index("Uuu") and MARKUP_FLAG in out.flags
