"""Aligner API: contract, galechurch baseline, default aligner, suspicious()."""

from __future__ import annotations

import time

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
    assert Bead((2,), (), beads[2].score) in beads
    assert 2 in suspicious(beads, NL, en, threshold=0.0)


def test_suspicious_flags_merge_against_length():
    beads = [Bead((0, 1), (0,), 1.0), Bead((2,), (1,), 1.0)]
    src = ["x" * 100, "y" * 100, "z" * 50]
    tgt = ["x" * 100, "z" * 50]  # the merge covers 200 chars with 100
    assert suspicious(beads, src, tgt, threshold=0.5) == [0, 1]


def test_large_block_is_fast():
    src = [f"Zin nummer {i} met wat tekst erin." * (1 + i % 3) for i in range(20000)]
    tgt = [f"Sentence number {i} with some text." * (1 + i % 3) for i in range(20000)]
    t0 = time.perf_counter()
    beads = align(src, tgt, method="galechurch")
    assert time.perf_counter() - t0 < 10
    check_cover(beads, len(src), len(tgt))
