"""Aligner API: contract, galechurch baseline, default aligner, suspicious()."""

from __future__ import annotations

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
    from pipeline.document.inputs import read_document

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


def test_large_block_covers_every_sentence():
    """Its time is measured by bench/align_timings.py (eval/reports/align-timings.md), not here."""
    src = [f"Zin nummer {i} met wat tekst erin." * (1 + i % 3) for i in range(5000)]
    tgt = [f"Sentence number {i} with some text." * (1 + i % 3) for i in range(5000)]
    beads = align(src, tgt, method="galechurch")
    check_cover(beads, len(src), len(tgt))


def test_units_are_language_agnostic():
    from pipeline.align.units import unit_strings

    assert "#35" in unit_strings("kost 3,5 miljoen") and "#35" in unit_strings("costs 3.5 million")
    assert "#1000" in unit_strings("1.000 mensen") and "#1000" in unit_strings("1,000 people")
    units = unit_strings('„Waarom?" vraagt Henk Visser! Café Crème')
    assert units.count('"') == 2 and "?" in units and "!" in units and "henk" in units
    assert "cafe" in units and "crem" in units  # lower case, no accents, cut to 4 characters


def test_model1_learns_word_pairs_from_the_input():
    from pipeline.align.lexicon import train_model1
    from pipeline.align.units import Vocabulary

    vocab = Vocabulary()
    nl = vocab.encode(["de hond blaft", "de kat slaapt", "de hond slaapt", "een kat blaft", "een hond"])
    en = vocab.encode(["the dog barks", "the cat sleeps", "the dog sleeps", "a cat barks", "a dog"])
    table = train_model1(nl, en, len(vocab))
    e, f, p = table.pairs()
    best = {int(x): int(y) for x, y, _ in sorted(zip(e, f, p), key=lambda r: r[2])}  # last (highest) wins
    assert best[vocab.ids["hond"]] == vocab.ids["dog"]
    assert best[vocab.ids["kat"]] == vocab.ids["cat"]



def test_with_mt_model1_learns_the_mts_own_words():
    """A test double for a weak MT: the synthetic `doc` set's simulated MT (SYNTHETIC text) with
    every lower-case word spelt backwards, so no ordinary word matches the target as it
    stands, as with a system that leaves words untranslated or picks other words. Model 1,
    trained from the MT's words to the target's, learns those words back: the aligner
    explains much of the target by translation (lam) and aligns nearly as with the MT as is."""
    import sys

    root = Path(__file__).resolve().parents[1] / "eval" / "align"
    sys.path.insert(0, str(root))
    import evaluate

    from pipeline.align.ladder import score

    nl, en, mt, gold = evaluate.load_synthetic(root / "synthetic" / "doc")
    src, tgt, mt = ([s for block in side for s in block] for side in (nl, en, mt))
    backwards = [" ".join(w[::-1] + "q" if w.isalpha() and w.islower() else w for w in s.split()) for s in mt]
    aligner = get_aligner("nlen")
    beads = aligner.align(src, tgt, backwards)
    assert aligner.last_params.lam_fwd > 0.3
    assert score(gold, beads)["f1_strict"] >= 0.95

def test_default_with_mt_finds_a_dropped_sentence():
    nl = NL + ["Het college reageert volgende week op de kritiek van de bewoners."]
    en = EN[:1] + EN[2:] + ["The executive will respond to the residents' criticism next week."]
    gold = [((0,), (0,)), ((1,), ()), ((2,), (1,)), ((3,), (2,)), ((4,), (3,)), ((5,), (4,))]
    beads = align(nl, en, src_mt=EN + ["The board responds next week to the criticism from residents."])
    assert [(b.src, b.tgt) for b in beads] == gold


def test_empty_and_tiny_strings():
    for method in ("galechurch", "nlen"):
        beads = align(["", "a"], ["", "", "b"], ["", "x"], method=method)
        check_cover(beads, 2, 3)


def test_bead_ids_are_plain_ints():
    """Ids go into JSON manifests and TSVs: numpy integers would not serialise."""
    from pipeline.align import align_block_list

    for blocks in align_block_list([NL[:2], NL[2:]], [EN[:2], EN[2:]]):
        assert all(type(i) is int for b in blocks for i in b.src + b.tgt)
