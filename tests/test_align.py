"""Aligner API: contract, galechurch baseline, default aligner, suspicious()."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline.align import ALIGNERS, align, get_aligner, suspicious
from pipeline.align.base import Aligner
from pipeline.errors import UserError
from pipeline.types import Bead

NL = [
    "De gemeenteraad van Utrecht heeft dinsdag ingestemd met het nieuwe plan.",
    "Volgens wethouder Jansen kost het project 3,5 miljoen euro.",
    "Bewoners zijn niet blij.",
    "\"Wij zijn nooit gehoord,\" zegt een buurtbewoner.",
    "Is dit het einde van de discussie?",
]
EN = [
    "Utrecht city council on Tuesday approved the new plan.",
    "According to alderman Jansen, the project costs 3.5 million euros.",
    "Residents are not happy.",
    "\"We were never heard,\" says a local resident.",
    "Is this the end of the discussion?",
]


def check_cover(beads: list[Bead], n: int, m: int) -> None:
    src = [i for b in beads for i in b.src]
    tgt = [j for b in beads for j in b.tgt]
    assert src == list(range(n))  # exactly once and in order (monotonic)
    assert tgt == list(range(m))
    assert all(0.0 <= b.score <= 1.0 for b in beads)
    assert all(b.src or b.tgt for b in beads)


@pytest.mark.parametrize("method", sorted(ALIGNERS) + ["default"])
def test_identity_alignment(method):
    beads = align(NL, EN, method=method)
    check_cover(beads, len(NL), len(EN))
    assert [b.kind for b in beads] == ["1-1"] * 5


def test_a_text_aligned_with_itself_is_all_confident_1_1():
    """A merged bead must not gain from a name that recurs in its sentences: a sum
    of pairwise anchor dots counted it once per pair, so two identical sentences
    naming the same countries were merged into a 2-2 bead (found with the bench's
    copy model, whose output equals its input)."""
    from pipeline.segment import read_document

    doc = read_document(Path(__file__).resolve().parent.parent / "corpus" / "nl" /
                        "2023-09-kim-jong-un-poetin-vladivostok.txt", "nl")
    for paragraph in doc.paragraphs:
        text = [s.text for s in paragraph.sentences]
        beads = align(text, text)
        assert [b.kind for b in beads] == ["1-1"] * len(text), text
        assert not suspicious(beads), text


@pytest.mark.parametrize("method", sorted(ALIGNERS))
def test_merge_on_target_side(method):
    en = [EN[0] + " " + EN[1]] + EN[2:]
    beads = align(NL, en, method=method)
    check_cover(beads, len(NL), len(en))
    assert beads[0].src == (0, 1) and beads[0].tgt == (0,)


@pytest.mark.parametrize("method", sorted(ALIGNERS))
def test_empty_sides(method):
    assert align([], [], method=method) == []
    assert [b.kind for b in align(NL, [], method=method)] == ["1-0"] * 5
    assert [b.kind for b in align([], EN, method=method)] == ["0-1"] * 5


def test_registry_and_interface():
    assert {"galechurch", "nlen"} <= set(ALIGNERS)
    for name in ALIGNERS:
        aligner = get_aligner(name)
        assert isinstance(aligner, Aligner) and aligner.name == name
    with pytest.raises(UserError):
        get_aligner("nope")


def test_src_mt_length_mismatch():
    with pytest.raises(UserError, match="2 sentences but the source has 5"):
        align(NL, EN, src_mt=EN[:2])


def test_max_size_respected():
    en = [" ".join(EN)]
    for size in (1, 2, 3):
        beads = align(NL, en, max_size=size)
        check_cover(beads, len(NL), 1)
        assert all(len(b.src) <= size and len(b.tgt) <= size for b in beads)


def test_suspicious_flags_dropped_sentence():
    en = EN[:2] + EN[3:]  # sentence 2 has no translation
    beads = align(NL, en, src_mt=EN)
    bead = next(b for b in beads if 2 in b.src)
    # A short dropped sentence is either left out (1-0) or merged into a neighbour;
    # never passed off as a 1-1 translation (the coverage repair checks non-1-1 beads).
    assert bead.tgt == () or len(bead.src) > 1
    if bead.tgt == ():
        assert 2 in suspicious(beads, threshold=0.5)
    # with a long dropped sentence there is no doubt
    nl = NL[:2] + ["Het college van burgemeester en wethouders reageert pas volgende week uitgebreid op de plannen."] + NL[2:]
    mt = EN[:2] + ["The mayor and aldermen will only respond to the plans in detail next week."] + EN[2:]
    beads = align(nl, EN, src_mt=mt)
    assert Bead((2,), (), beads[2].score) == beads[2]
    assert 2 in suspicious(beads, threshold=0.5)


def test_suspicious_flags_every_bead_that_is_not_1_1_or_unsure():
    beads = [Bead((0, 1), (0,), 1.0), Bead((2,), (1,), 1.0), Bead((3,), (2,), 0.2), Bead((4,), (), 1.0),
             Bead((), (3,), 1.0), Bead((5,), (4,), 1.0)]
    assert suspicious(beads, threshold=0.5) == [0, 1, 3, 4]
    assert suspicious(beads, threshold=1.0) == [0, 1, 2, 3, 4, 5]


def test_large_block_is_fast():
    src = [f"Zin nummer {i} met wat tekst erin." * (1 + i % 3) for i in range(5000)]
    tgt = [f"Sentence number {i} with some text." * (1 + i % 3) for i in range(5000)]
    t0 = time.perf_counter()
    beads = align(src, tgt, method="galechurch")
    assert time.perf_counter() - t0 < 10
    check_cover(beads, len(src), len(tgt))


def test_anchor_tokens_are_language_agnostic():
    from pipeline.align.features import anchor_tokens, anchors

    assert "#35" in anchor_tokens("kost 3,5 miljoen") and "#35" in anchor_tokens("costs 3.5 million")
    assert "#1000" in anchor_tokens("1.000 mensen") and "#1000" in anchor_tokens("1,000 people")
    toks = anchor_tokens('"Waarom?" vraagt Henk Visser!')
    assert toks.count('P"') == 2 and "P?" in toks and "P!" in toks and "NHenk" in toks
    # capitalised tokens count only when both sides have them
    anc = anchors(["Henk zegt Hallo."], ["Henk says hello."])
    assert anc.src.counts[0] == 1 and anc.tgt.counts[0] == 1


def test_hashed_ngram_overlap_matches_exact_counts():
    """The signed-hash dot product estimates the shared character n-grams."""
    from collections import Counter

    from pipeline.align.features import hash_ngrams

    a = ["the city council approved the new plan on tuesday evening"]
    b = ["on tuesday evening the council of the city approved a new plan"]
    ha, hb = hash_ngrams(a, dim=4096), hash_ngrams(b, dim=4096)
    est = float(ha.dense(0, 1)[0] @ hb.dense(0, 1)[0])

    def grams(text):
        return Counter(text[k : k + n] for n in (3, 4, 5) for k in range(len(text) - n + 1))

    ga, gb = grams(a[0]), grams(b[0])
    exact = sum(ga[g] * gb[g] for g in ga)
    assert ha.counts[0] == sum(ga.values())
    assert abs(est - exact) < 0.15 * exact


def test_default_is_better_than_galechurch_on_dropped_sentence():
    nl = NL + ["Het college reageert volgende week op de kritiek van de bewoners."]
    en = EN[:1] + EN[2:] + ["The executive will respond to the residents' criticism next week."]
    gold = [((0,), (0,)), ((1,), ()), ((2,), (1,)), ((3,), (2,)), ((4,), (3,)), ((5,), (4,))]
    beads = align(nl, en, src_mt=EN + ["The board responds next week to the criticism from residents."])
    assert [(b.src, b.tgt) for b in beads] == gold


def test_empty_and_tiny_strings():
    for method in ("galechurch", "nlen"):
        beads = align(["", "a"], ["", "", "b"], ["", "x"], method=method)
        check_cover(beads, 2, 3)
