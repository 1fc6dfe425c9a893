"""Token-budget batching, order restoring and the out-of-memory split (CPU only)."""

from __future__ import annotations

import pytest
from doubles import EchoTranslator, MeteredEcho
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.translate.base import GenerationSettings, Translation, Translator, TranslatorWrapper
from pipeline.translate.batching import make_batches


class OutOfMemoryTranslator(EchoTranslator):
    """Test double for a GPU running out of memory: any batch holding more than
    `capacity` source tokens (padded) raises the RuntimeError torch raises on CUDA
    ("CUDA out of memory. Tried to allocate …"). Runs on CPU; nothing is allocated."""

    def __init__(self, capacity: int, settings: GenerationSettings | None = None, message: str | None = None):
        super().__init__(settings)
        self.capacity = capacity
        self.message = message or "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.77 GiB total capacity)"
        self.failed = 0

    def _translate_batch(self, texts: list[str]) -> list[str]:
        cost = max(self.count_tokens(texts)) * len(texts)
        if cost > self.capacity:
            self.failed += 1
            raise RuntimeError(self.message)
        return super()._translate_batch(texts)


def padded_cost(batch: list[int], lengths: list[int]) -> int:
    return max(max(1, lengths[i]) for i in batch) * len(batch)


@settings(max_examples=200, deadline=None)
@given(lengths=st.lists(st.integers(0, 120), max_size=60), budget=st.integers(1, 400))
def test_token_budget_batches_cover_everything_within_budget(lengths, budget):
    batches = list(make_batches(lengths, batch_size=16, batch_tokens=budget))
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))  # every item exactly once
    for b in batches:
        assert b, "no empty batch"
        if len(b) > 1:  # a single item over the budget goes alone
            assert padded_cost(b, lengths) <= budget
    # longest first: lengths never increase along the plan
    ordered = [lengths[i] for i in flat]
    assert ordered == sorted(ordered, reverse=True)


@settings(max_examples=100, deadline=None)
@given(lengths=st.lists(st.integers(0, 50), max_size=60), size=st.integers(1, 20))
def test_batch_size_without_budget(lengths, size):
    batches = list(make_batches(lengths, batch_size=size))
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(1 <= len(b) <= size for b in batches)
    assert all(len(b) == size for b in batches[:-1])


def test_batches_are_deterministic_and_stable():
    lengths = [5, 3, 5, 1, 3, 5]
    assert list(make_batches(lengths, 2)) == list(make_batches(lengths, 2))
    assert list(make_batches(lengths, 2)) == [[0, 2], [5, 1], [4, 3]]  # ties keep input order


def test_budget_packs_more_short_items():
    lengths = [10] * 4 + [2] * 20
    batches = list(make_batches(lengths, batch_size=16, batch_tokens=20))
    assert batches[0] == [0, 1]  # 2 × 10 tokens
    assert [len(b) for b in batches[2:]] == [10, 10]  # 10 × 2 tokens


@pytest.mark.parametrize("batch_tokens", [None, 12, 40])
def test_translate_restores_order(batch_tokens):
    texts = [" ".join(["w"] * n) + f" #{i}" for i, n in enumerate([3, 9, 1, 7, 7, 2, 12, 4])]
    tr = EchoTranslator(GenerationSettings(batch_size=3, batch_tokens=batch_tokens))
    assert tr.translate(texts) == [f"EN[{t}]" for t in texts]
    if batch_tokens:
        for batch in tr.batches:
            if len(batch) > 1:
                assert max(tr.count_tokens(batch)) * len(batch) <= batch_tokens


def test_progress_and_on_batch_callbacks():
    texts = [f"tekst {i}" for i in range(7)]
    tr = EchoTranslator(GenerationSettings(batch_size=3))
    done, stored = [], []
    tr.translate_detailed(texts, progress=done.append, on_batch=lambda src, tgt: stored.append(dict(zip(src, tgt))))
    assert sum(done) == 7 and len(stored) == 3
    assert {k: v.text for d in stored for k, v in d.items()} == {t: f"EN[{t}]" for t in texts}


def test_known_items_keep_the_batch_plan():
    """Translations already at hand are skipped, and the remaining batches are the
    ones a full run makes: an interrupted run resumes with the same batches."""
    texts = [" ".join(["w"] * n) + f" #{i}" for i, n in enumerate([3, 9, 1, 7, 7, 2, 12, 4, 5])]
    full = EchoTranslator(GenerationSettings(batch_size=2))
    full.translate(texts)
    done_batches = full.batches[:2]
    known = {texts.index(t): Translation(f"EN[{t}]") for b in done_batches for t in b}
    resumed = EchoTranslator(GenerationSettings(batch_size=2))
    assert [t.text for t in resumed.translate_detailed(texts, known=known)] == [f"EN[{t}]" for t in texts]
    assert resumed.batches == full.batches[2:]


def test_out_of_memory_batch_is_split_and_retried():
    texts = [" ".join(["w"] * 9) + f" #{i}" for i in range(8)]  # 11 tokens each
    tr = OutOfMemoryTranslator(capacity=25, settings=GenerationSettings(batch_size=8))
    assert tr.translate(texts) == [f"EN[{t}]" for t in texts]
    assert tr.failed > 0 and tr.counters.oom_splits == tr.failed
    assert all(len(b) <= 2 for b in tr.batches)  # 8 → 4 → 2 fits 25 tokens


def test_ctranslate2_style_oom_message_is_recognised():
    tr = OutOfMemoryTranslator(capacity=25, settings=GenerationSettings(batch_size=4),
                               message="CUDA failed with error out of memory")
    texts = [" ".join(["w"] * 9) + f" #{i}" for i in range(4)]
    assert tr.translate(texts) == [f"EN[{t}]" for t in texts]


def test_single_text_out_of_memory_still_fails():
    tr = OutOfMemoryTranslator(capacity=5)
    with pytest.raises(RuntimeError, match="out of memory"):
        tr.translate(["een heel lange zin die niet past"])


def test_other_errors_are_not_retried():
    class Broken(EchoTranslator):
        """Test double: a backend bug (not a memory error) on every batch."""

        def _translate_batch(self, texts):
            self.batches.append(texts)
            raise ValueError("backend bug")

    tr = Broken(GenerationSettings(batch_size=4))
    with pytest.raises(ValueError):
        tr.translate(["a", "b", "c"])
    assert len(tr.batches) == 1


class BoundEcho(Translator):
    """Test double: 'translates' by reporting the output bound its batch ran with,
    the way a real model's output depends on max_new_tokens."""

    def __init__(self):
        super().__init__("echo", GenerationSettings(batch_size=8))
        self.batches: list[list[str]] = []

    def count_tokens(self, texts):
        return [len(t.split()) + 1 for t in texts]

    def output_bound(self, n_tokens):
        return -(-(2 * n_tokens + 16) // 32) * 32

    def _translate_batch(self, texts):
        self.batches.append(texts)
        bound = self.output_bound(max(self.count_tokens(texts)))
        return [f"{t}|{bound}" for t in texts]

    def describe(self):
        return {"backend": "echo"}


def test_a_texts_translation_does_not_depend_on_its_batch_mates():
    short, long = "kort", " ".join(["lang"] * 40)
    alone = BoundEcho().translate([short])
    together = BoundEcho().translate([long, short, long + " meer"])
    assert together[1] == alone[0]


def test_identical_texts_are_translated_once_and_get_the_same_english():
    tr = BoundEcho()
    seen = []
    out = tr.translate(["a b", "c", "a b", "c", "a b"], progress=seen.append)
    assert out == ["a b|32", "c|32", "a b|32", "c|32", "a b|32"]
    assert sorted(t for batch in tr.batches for t in batch) == ["a b", "c"]
    assert sum(seen) == 5



def test_detailed_results_and_shared_counters():
    texts = ["een twee", "een twee drie vier vijf zes zeven", "een twee", "drie"]
    inner = MeteredEcho()
    outer = TranslatorWrapper(inner)  # any layer shares the backend's counters
    assert outer.counters is inner.counters
    before = outer.counters.snapshot()
    out = outer.translate_detailed(texts)
    assert [t.text for t in out] == [f"EN[{t}]" for t in texts]
    assert [t.truncated for t in out] == [False, True, False, False]
    assert out[0] is out[2]  # identical texts: translated once, the same result
    done = outer.counters.since(before)
    # the first call: 3 distinct texts, 3 + 6 + 2 tokens, one truncated
    assert (done["translated"], done["target_tokens"], done["truncated"]) == (3, 11, 1)
    assert outer.translate(texts) == [t.text for t in out]  # strings only, the same path
    assert outer.counters.translated == 6 and outer.counters.seconds > 0


def test_chunks_join_into_one_translation():
    parts = [Translation("a", 3, False, -1.0), Translation("b", 1, True, -2.0)]
    joined = Translation.join(parts)
    assert joined == Translation("a b", 4, True, -1.25)  # log-probability weighted by tokens
    assert Translation.join([Translation("a", 2, False, None), parts[1]]).logprob is None
