"""The CTranslate2 backend on the tiny test model (CPU; CUDA is never required)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED, run_nlen

pytest.importorskip("ctranslate2")

from pipeline.errors import UserError  # noqa: E402
from pipeline.translate import GenerationSettings, load_translator  # noqa: E402
from pipeline.translate import ctranslate2_backend as ct2b  # noqa: E402

PARAGRAPHS = [p.replace("\n", " ") for p in SEED.read_text(encoding="utf-8").split("\n\n") if p.strip()][:8]


@pytest.fixture(autouse=True)
def one_thread():
    """The tiny model gains nothing from threads; on a shared machine they cost."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("NLEN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.parametrize("beams", [1, 3])
def test_same_tokens_as_transformers_in_float32(tiny_marian, cache_dir, beams):
    settings = GenerationSettings(num_beams=beams, max_new_tokens=20, compute_type="float32", device="cpu")
    hf = load_translator("transformers", str(tiny_marian), settings)
    ct = load_translator("ctranslate2", str(tiny_marian), settings)
    try:
        assert ct.count_tokens(PARAGRAPHS) == hf.count_tokens(PARAGRAPHS)
        ids = hf.tokenizer(PARAGRAPHS[:3], return_tensors="pt", padding=True)
        hf_tokens = hf.model.generate(**ids, num_beams=beams, max_new_tokens=20, do_sample=False, length_penalty=1.0)
        hf_text = [hf.tokenizer.decode(t, skip_special_tokens=True) for t in hf_tokens]
        source = [hf.tokenizer.convert_ids_to_tokens(x) for x in hf.tokenizer(PARAGRAPHS[:3])["input_ids"]]
        res = ct.translator.translate_batch(source, beam_size=beams, max_decoding_length=19, length_penalty=1.0)
        ct_ids = [hf.tokenizer.convert_tokens_to_ids(r.hypotheses[0]) for r in res]
        # same token ids (transformers adds the start token and the forced end token)
        assert [[i for i in t.tolist() if i not in (hf.tokenizer.pad_token_id, 0)] for t in hf_tokens] == ct_ids
        assert ct._translate_batch(PARAGRAPHS[:3]) == [t.strip() for t in hf_text]
        # and through the shared batching, the whole translate() agrees, and both
        # count the same generated tokens (the manifest's target_tokens)
        hf.target_tokens = ct.target_tokens = 0
        assert ct.translate(PARAGRAPHS) == hf.translate(PARAGRAPHS)
        assert ct.target_tokens == hf.target_tokens > len(PARAGRAPHS)
    finally:
        hf.close()
        ct.close()


def test_describe_and_explicit_settings(tiny_marian, cache_dir):
    ct = load_translator("ctranslate2", str(tiny_marian), GenerationSettings(device="cpu"))
    d = ct.describe()
    assert d["backend"] == "ctranslate2" and d["device"] == "cpu"
    assert d["compute_type"] == "int8"  # default on CPU
    assert d["generation"]["num_beams"] == 4  # the model's own, not CTranslate2's default of 2
    assert d["generation"]["max_input_tokens"] == 512
    assert Path(d["converted_model"]).parent == cache_dir / "ct2"
    assert d["converted_model"].endswith("--int8")
    assert ct.translate(["Rusland wil munitie."])[0]  # int8 runs


def test_conversion_is_reused(tiny_marian, cache_dir, monkeypatch):
    s = GenerationSettings(device="cpu", compute_type="float32")
    first = load_translator("ctranslate2", str(tiny_marian), s).model_dir

    def no_conversion(*a, **k):
        raise AssertionError("converted again")

    import ctranslate2.converters

    monkeypatch.setattr(ctranslate2.converters, "TransformersConverter", no_conversion)
    assert load_translator("ctranslate2", str(tiny_marian), s).model_dir == first


def test_interrupted_conversion_is_never_used(tiny_marian, cache_dir, monkeypatch):
    import ctranslate2.converters

    real = ctranslate2.converters.TransformersConverter

    class Crashing:
        """Test double: a converter killed half-way (a partial model.bin is written)."""

        def __init__(self, *a, **k):
            pass

        def convert(self, out, **k):
            Path(out).mkdir(parents=True)
            (Path(out) / "model.bin").write_bytes(b"half")
            raise KeyboardInterrupt

    monkeypatch.setattr(ctranslate2.converters, "TransformersConverter", Crashing)
    s = GenerationSettings(device="cpu", compute_type="float32")
    with pytest.raises(KeyboardInterrupt):
        load_translator("ctranslate2", str(tiny_marian), s)
    root = cache_dir / "ct2"
    assert list(root.iterdir()) == []  # neither the final folder nor the temporary one is left
    monkeypatch.setattr(ctranslate2.converters, "TransformersConverter", real)
    assert load_translator("ctranslate2", str(tiny_marian), s).translate(["Wat wil Noord-Korea?"])


def test_converted_dir_is_keyed_by_model_revision_and_quantisation(tmp_path):
    a = ct2b.converted_dir("Helsinki-NLP/opus-mt-nl-en", "abc123", "int8", tmp_path)
    assert a == tmp_path / "Helsinki-NLP--opus-mt-nl-en--abc123--int8"
    assert ct2b.converted_dir("Helsinki-NLP/opus-mt-nl-en", "abc123", "float16", tmp_path) != a
    assert ct2b.converted_dir("Helsinki-NLP/opus-mt-nl-en", "def456", "int8", tmp_path) != a


def test_compute_type_choices():
    assert ct2b.resolve_compute_type(None, "cpu") == "int8"
    assert ct2b.resolve_compute_type("float32", "cpu") == "float32"
    with pytest.raises(UserError):
        ct2b.resolve_compute_type("int3", "cpu")


def test_missing_model_is_a_clear_error(cache_dir):
    with pytest.raises(UserError, match="huggingface-cli download"):
        load_translator("ctranslate2", "Helsinki-NLP/opus-mt-does-not-exist", GenerationSettings(device="cpu"))


def test_cli_end_to_end(tiny_marian, tmp_path):
    out = tmp_path / "out"
    res = run_nlen("translate", str(SEED), "--out-dir", str(out), "--model", str(tiny_marian), "--backend", "ctranslate2",
                   "--no-progress", "--max-new-tokens", "8", "--batch-tokens", "300", "--no-cache",
                   env={"NLEN_CACHE_DIR": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"})
    assert res.returncode == 0, res.stderr[-2000:]
    manifest = json.loads((out / f"{SEED.stem}.json").read_text(encoding="utf-8"))
    assert manifest["model"]["backend"] == "ctranslate2"
    assert manifest["model"]["compute_type"] == "int8"
    assert manifest["model"]["generation"]["batch_tokens"] == 300
    assert "cache" not in manifest["group"]  # --no-cache
    assert manifest["group"]["target_tokens"] >= manifest["counts"]["translation_units"]
