"""Model families: tiny random models of each family, built here, prove that the
language codes reach `generate` (a spy wraps `model.generate`)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import build_sentencepiece, build_tiny_marian, training_text

from pipeline.errors import UserError
from pipeline.translate.families import FAMILIES, resolve_family

SMALL = dict(d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2, decoder_attention_heads=2,
             encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=128)


def _save_m2m100_model(out: Path, tokenizer, seed: int = 0) -> Path:
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    # M2M100Tokenizer puts its language tokens (and "made-up words") above len(tokenizer)
    ids = list(tokenizer.get_vocab().values()) + list(getattr(tokenizer, "lang_code_to_id", {}).values())
    vocab_size = max(ids) + 1 + getattr(tokenizer, "num_madeup_words", 0)
    config = M2M100Config(vocab_size=vocab_size, pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
                          eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.eos_token_id, **SMALL)
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def build_tiny_nllb(out: Path) -> Path:
    """NLLB-200 layout: NllbTokenizer (a character-level BPE built from the test
    text; the 202 language codes are added by the tokenizer) + an M2M100 model."""
    from transformers import NllbTokenizer

    out.mkdir(parents=True, exist_ok=True)
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for ch in sorted({c for line in training_text() for c in line.replace(" ", "▁")} | {"▁"}):
        vocab.setdefault(ch, len(vocab))
    return _save_m2m100_model(out, NllbTokenizer(vocab=vocab, merges=[]))


def build_tiny_m2m100(out: Path) -> Path:
    """M2M100 layout: vocab.json + sentencepiece.bpe.model (trained on the test text)."""
    import sentencepiece as spm
    from transformers import M2M100Tokenizer

    out.mkdir(parents=True, exist_ok=True)
    proto = build_sentencepiece()
    (out / "sentencepiece.bpe.model").write_bytes(proto)
    sp = spm.SentencePieceProcessor(model_proto=proto)
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for i in range(sp.get_piece_size()):
        vocab.setdefault(sp.id_to_piece(i), len(vocab))
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = M2M100Tokenizer(str(out / "vocab.json"), str(out / "sentencepiece.bpe.model"))
    return _save_m2m100_model(out, tokenizer)


def build_tiny_opus_multi(out: Path, targets=(">>deu<<", ">>eng<<", ">>nld<<")) -> Path:
    """A multi-target OPUS-MT layout (like opus-mt-tc-big-gmw-gmw): Marian with
    target-language tokens in the vocabulary."""
    return build_tiny_marian(out, d_model=16, target_tokens=tuple(targets))


@pytest.fixture(scope="module")
def family_models(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("families")
    return {
        "nllb": build_tiny_nllb(base / "tiny-nllb"),
        "m2m100": build_tiny_m2m100(base / "tiny-m2m100"),
        "opus-multi": build_tiny_opus_multi(base / "tiny-opus-mt-gmw-gmw"),
    }


def load_with_spy(model_dir: Path, family: str | None = None):
    """A TransformersTranslator whose model.generate records its inputs and outputs."""
    from pipeline.translate import GenerationSettings, load_translator

    translator = load_translator("transformers", str(model_dir), GenerationSettings(num_beams=1, max_new_tokens=4, device="cpu"),
                                 family=family)
    calls: list[dict] = []
    original = translator.model.generate

    def spy(*args, **kwargs):
        result = original(*args, **kwargs)
        calls.append({"kwargs": kwargs, "input_ids": kwargs["input_ids"].tolist(), "output": result.tolist()})
        return result

    translator.model.generate = spy
    return translator, calls


@pytest.mark.parametrize("family, src_token, tgt_token", [
    ("nllb", "nld_Latn", "eng_Latn"),
    ("m2m100", "__nl__", "__en__"),
])
def test_language_codes_reach_generate(family_models, family, src_token, tgt_token):
    translator, calls = load_with_spy(family_models[family])
    assert translator.family.name == family
    tok = translator.tokenizer
    src_id, tgt_id = tok.convert_tokens_to_ids(src_token), tok.convert_tokens_to_ids(tgt_token)
    assert src_id != tok.unk_token_id and tgt_id != tok.unk_token_id
    out = translator.translate(["Een zeldzame ontmoeting.", "Rusland wil munitie."])
    assert len(out) == 2 and calls
    for call in calls:
        assert call["kwargs"]["forced_bos_token_id"] == tgt_id
        assert all(ids[0] == src_id for ids in call["input_ids"])  # the source language leads the input
        assert all(seq[1] == tgt_id for seq in call["output"])  # first generated token is the target language
    assert translator.describe()["generation"]["forced_bos_token_id"] == tgt_id
    translator.close()


def test_opus_multi_target_token_prefixes_every_source(family_models):
    translator, calls = load_with_spy(family_models["opus-multi"])
    assert translator.family.name == "opus-multi"
    assert translator.prefix == ">>eng<< "
    eng = translator.tokenizer.convert_tokens_to_ids(">>eng<<")
    translator.translate(["Een zeldzame ontmoeting.", "Rusland wil munitie."])
    assert calls and all(ids[0] == eng for call in calls for ids in call["input_ids"])
    assert "forced_bos_token_id" not in calls[0]["kwargs"]
    assert translator.describe()["source_prefix"] == ">>eng<< "
    translator.close()


@pytest.mark.parametrize("family, backend", [
    ("nllb", "transformers"), ("m2m100", "transformers"), ("opus-multi", "transformers"),
    # the tiny M2M100 model keeps ids above its tokenizer's size, which CTranslate2's converter refuses
    ("nllb", "ctranslate2"), ("opus-multi", "ctranslate2"),
])
def test_anti_copy_decoding_runs_on_every_family(family_models, family, backend):
    """The repair's retry for a sentence left in Dutch (pipeline/translate/nocopy.py) builds its
    forbidden n-grams with each family's tokenizer, and keeps the family's prompting."""
    from pipeline.translate import GenerationSettings, load_translator
    from pipeline.translate.nocopy import copy_ngrams

    settings = GenerationSettings(num_beams=2, max_new_tokens=8, device="cpu")
    with load_translator(backend, str(family_models[family]), settings) as translator:
        plain = translator.translate(["Een zeldzame ontmoeting.", "Rusland wil munitie."])
        assert copy_ngrams(translator.tokenizer, "Rusland wil munitie.", 2)
        forced = translator.with_settings(no_copy_ngram_size=2).translate(["Een zeldzame ontmoeting.", "Rusland wil munitie."])
        assert len(forced) == 2 and all(isinstance(t, str) for t in forced)
        assert translator.translate(["Een zeldzame ontmoeting.", "Rusland wil munitie."]) == plain


def test_plain_marian_gets_no_language_codes(tiny_marian):
    translator, calls = load_with_spy(tiny_marian)
    assert translator.family.name == "marian" and translator.prefix == ""
    translator.translate(["Een zin."])
    assert "forced_bos_token_id" not in calls[0]["kwargs"]
    translator.close()


def test_opus_multi_without_english_token_is_a_user_error(tmp_path):
    model = build_tiny_opus_multi(tmp_path / "no-eng", targets=(">>deu<<", ">>nld<<"))
    with pytest.raises(UserError, match="no English target token"):
        load_with_spy(model)


def test_explicit_family_that_does_not_fit_is_a_user_error(tiny_marian):
    with pytest.raises(UserError, match="nld_Latn"):
        load_with_spy(tiny_marian, family="nllb")


def test_unknown_family_name_is_a_user_error():
    with pytest.raises(UserError, match="unknown model family"):
        resolve_family("x", SimpleNamespace(model_type="marian"), None, "klingon")


class FakeTokenizer:
    unk_token_id, unk_token = 3, "<unk>"

    def __init__(self, vocab):
        self.vocab = vocab

    def get_vocab(self):
        return dict(self.vocab)

    def convert_tokens_to_ids(self, token):
        return self.vocab.get(token, self.unk_token_id)


def test_unknown_model_falls_back_to_seq2seq_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="pipeline.translate.families"):
        family = resolve_family("google/t5-small", SimpleNamespace(model_type="t5"), FakeTokenizer({"▁a": 4}))
    assert family is FAMILIES["seq2seq"]
    assert "no known family" in caplog.text and "t5-small" in caplog.text
    assert family.source_prefix(None) == "" and family.generate_kwargs(None) == {}


def test_detection_by_config_and_vocabulary():
    m2m = SimpleNamespace(model_type="m2m_100")
    marian = SimpleNamespace(model_type="marian")
    assert resolve_family("x", m2m, FakeTokenizer({"nld_Latn": 5, "eng_Latn": 6})).name == "nllb"
    assert resolve_family("x", m2m, FakeTokenizer({"__nl__": 5, "__en__": 6})).name == "m2m100"
    assert resolve_family("x", marian, FakeTokenizer({">>eng<<": 5})).name == "opus-multi"
    assert resolve_family("x", marian, FakeTokenizer({"▁a": 5})).name == "marian"
