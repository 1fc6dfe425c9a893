"""Anti-copy decoding (pipeline/translate/nocopy.py): the repair's retry for a sentence the
model gave back in Dutch. A random-weight model's output hardly depends on its input, so
its own output, given back to it as input, comes back nearly copied: a model that copies,
on the real code path of both backends."""

from __future__ import annotations

import pytest

from pipeline.document.repair import NO_COPY_NGRAM_SIZE
from pipeline.translate import load_translator
from pipeline.translate.base import GenerationSettings
from pipeline.translate.nocopy import NoCopyLogitsProcessor, as_token_sequences, copy_ngrams

N = NO_COPY_NGRAM_SIZE


def copied(tokenizer, source: str, output: str) -> int:
    """How many token n-grams of `output` (either segmentation) copy `source`'s words."""
    banned = copy_ngrams(tokenizer, source, N)
    hits = 0
    for ids in (tokenizer(output, add_special_tokens=False)["input_ids"],
                tokenizer(text_target=output, add_special_tokens=False)["input_ids"]):
        hits += sum(1 for k in range(len(ids) - N + 1) if ids[k + N - 1] in banned.get(tuple(ids[k:k + N - 1]), ()))
    return hits


@pytest.fixture(scope="module")
def tokenizer(tiny_marian):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(tiny_marian))


def test_names_and_numbers_alone_may_be_copied(tokenizer):
    text = "Poetin sprak met Kim Jong-un in 2023"
    banned = copy_ngrams(tokenizer, text, 2)
    kim, jong = tokenizer(["Kim", "Jong-un"], add_special_tokens=False)["input_ids"]
    assert banned and jong[0] not in banned.get((kim[-1],), ())  # "Kim Jong-un" may be copied
    assert copy_ngrams(tokenizer, "Kim Jong-un wil munitie", 2)  # Dutch words: forbidden
    # a headline in Title Case or capitals: case tells no name apart, every word may be Dutch
    assert copy_ngrams(tokenizer, "Rusland Wil Munitie Van Noord-Korea", 2)
    assert copy_ngrams(tokenizer, "wil", 8) == {}  # shorter than n


def test_both_segmentations_are_forbidden(tiny_marian, tmp_path):
    """A Marian model writes a copied word in its target segmentation: built here with a
    target vocabulary that cuts words differently from the source one."""
    import io
    import shutil

    import sentencepiece as spm
    from transformers import MarianTokenizer

    from conftest import training_text

    folder = tmp_path / "two-vocabularies"
    shutil.copytree(tiny_marian, folder)
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(training_text()), model_writer=buf, vocab_size=120,
                                   model_type="unigram", character_coverage=1.0, bos_id=-1, eos_id=0, unk_id=1,
                                   pad_id=-1, hard_vocab_limit=False, minloglevel=2)
    (folder / "target.spm").write_bytes(buf.getvalue())
    tok = MarianTokenizer.from_pretrained(str(folder))
    text = "heeft een voedseltekort en wil technologie voor satellieten"
    source = tok(text, add_special_tokens=False)["input_ids"]
    target = tok(text_target=text, add_special_tokens=False)["input_ids"]
    assert source != target  # the two vocabularies cut the words differently
    banned = copy_ngrams(tok, text, N)
    for ids in (source, target):
        for k in range(len(ids) - N + 1):
            assert ids[k + N - 1] in banned[tuple(ids[k:k + N - 1])]


def test_the_processor_forbids_each_texts_own_ngrams_per_beam():
    import torch

    banned = [{(5, 6): frozenset({7})}, {(5, 6): frozenset({8})}]
    processor = NoCopyLogitsProcessor(banned, 3)
    ids = torch.tensor([[1, 5, 6]] * 4)  # two texts, two beams each
    scores = processor(ids, torch.zeros(4, 10))
    assert torch.isinf(scores[0, 7]) and torch.isinf(scores[1, 7]) and not torch.isinf(scores[0, 8])
    assert torch.isinf(scores[2, 8]) and torch.isinf(scores[3, 8]) and not torch.isinf(scores[2, 7])
    assert torch.isfinite(processor(torch.tensor([[1, 6, 5]] * 4), torch.zeros(4, 10))).all()


def test_token_sequences_for_ctranslate2_are_in_a_fixed_order(tokenizer):
    text = "De expert gaat verder: Noord-Korea heeft een voedseltekort."
    first = as_token_sequences(tokenizer, copy_ngrams(tokenizer, text, N))
    assert first and all(len(seq) == N for seq in first)
    assert first == as_token_sequences(tokenizer, copy_ngrams(tokenizer, text, N))


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_a_model_that_copies_cannot_copy_with_no_copy_ngram_size(tiny_marian, backend):
    settings = GenerationSettings(max_new_tokens=48)
    with load_translator(backend, str(tiny_marian), settings) as tr:
        # lower-cased: its capitalised pieces would count as names, which may be copied
        inputs = [t.lower() for t in tr.translate(["Rusland wil munitie van Noord-Korea.", "Wat wil Noord-Korea?"])]
        plain = tr.translate(inputs)
        assert all(copied(tr.tokenizer, s, out) > 0 for s, out in zip(inputs, plain))  # it copies
        variant = tr.with_settings(no_copy_ngram_size=N)
        forced = variant.translate(inputs)
        assert all(copied(tr.tokenizer, s, out) == 0 for s, out in zip(inputs, forced))
        assert variant.describe()["generation"]["no_copy_ngram_size"] == N
        assert "no_copy_ngram_size" not in tr.describe()["generation"]
        assert tr.translate(inputs) == plain  # the loaded model is unchanged
