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
        assert [t.text for t in ct._translate_batch(PARAGRAPHS[:3])] == [t.strip() for t in hf_text]
        # and through the shared batching, the whole translate_detailed() agrees: same text,
        # same generated tokens (the manifest's target_tokens), same truncation, and the
        # same mean log-probability (float32 both; the two compute it alike)
        a, b = ct.translate_detailed(PARAGRAPHS), hf.translate_detailed(PARAGRAPHS)
        assert [t.text for t in a] == [t.text for t in b]
        assert [(t.tokens, t.truncated) for t in a] == [(t.tokens, t.truncated) for t in b]
        assert all(t.truncated for t in a)  # a random model never ends on its own within 20 tokens
        assert [t.logprob for t in a] == pytest.approx([t.logprob for t in b], abs=2e-3)
        assert ct.counters.target_tokens == hf.counters.target_tokens > len(PARAGRAPHS)
    finally:
        hf.close()
        ct.close()


@pytest.mark.parametrize("changes", [{"no_repeat_ngram_size": 3}, {"no_copy_ngram_size": 4},
                                     {"no_repeat_ngram_size": 3, "no_copy_ngram_size": 4}])
def test_the_repairs_decoding_bans_give_the_same_output_and_logprob_on_both_backends(tiny_marian, cache_dir, changes):
    """The repair decodes loops and copies again with n-gram bans; both backends then give the
    same tokens, and the same mean log-probability: the transformers rescoring forbids what the
    search forbade, as CTranslate2's own score does. The inputs are the model's own outputs,
    which it copies (tests/test_nocopy.py), so the bans bind."""
    settings = GenerationSettings(num_beams=2, max_new_tokens=24, compute_type="float32", device="cpu")
    with load_translator("transformers", str(tiny_marian), settings) as hf, \
            load_translator("ctranslate2", str(tiny_marian), settings) as ct:
        texts = [t.lower() for t in hf.translate(PARAGRAPHS[:3])]  # lower-cased: no names to exempt
        plain = hf.translate_detailed(texts)
        a = ct.with_settings(**changes).translate_detailed(texts)
        b = hf.with_settings(**changes).translate_detailed(texts)
        assert [t.text for t in a] == [t.text for t in b] != [t.text for t in plain]  # the bans bind
        assert [t.logprob for t in a] == pytest.approx([t.logprob for t in b], abs=2e-3)


@pytest.mark.parametrize("changes", [{}, {"no_repeat_ngram_size": 3}, {"no_copy_ngram_size": 4}])
def test_outputs_that_end_at_different_lengths_have_finite_equal_logprobs(ending_marian, cache_dir, changes):
    """Found in review: in a batch whose outputs end at different steps, the padding after an
    end token (a token the model may not generate: -inf) times its mask 0 made transformers'
    mean log-probability NaN. The random tiny model never ends, so only a model that does
    (conftest.build_ending_marian) shows it. Greedy, both backends agree."""
    import math

    texts = ["Rusland wil munitie van Noord-Korea kopen.", "Wat wil Noord-Korea daarvoor terug?", "de man", "ja",
             "Het kabinet valt vandaag over het pensioenakkoord en de lonen.", "Poetin", "daar daar", "vo"]
    settings = GenerationSettings(num_beams=1, max_new_tokens=40, compute_type="float32", device="cpu")
    with load_translator("transformers", str(ending_marian), settings) as hf, \
            load_translator("ctranslate2", str(ending_marian), settings) as ct:
        a = (hf.with_settings(**changes) if changes else hf).translate_detailed(texts)
        b = (ct.with_settings(**changes) if changes else ct).translate_detailed(texts)
        assert any(not t.truncated for t in a) and len({t.tokens for t in a}) > 1  # some end, at other lengths
        assert all(math.isfinite(t.logprob) for t in a + b)
        assert [(t.text, t.tokens, t.truncated) for t in a] == [(t.text, t.tokens, t.truncated) for t in b]
        assert [t.logprob for t in a] == pytest.approx([t.logprob for t in b], abs=2e-3)


@pytest.mark.parametrize("beams, penalty", [(1, 1.0), (3, 0.6)])
def test_logprob_is_the_mean_of_the_chosen_tokens(tiny_marian, cache_dir, beams, penalty):
    """CTranslate2's score, turned into a mean, equals the chosen tokens'
    log-probabilities as `score_batch` computes them, for outputs that end on
    their own (an end token the model picks) and outputs cut at the bound."""
    settings = GenerationSettings(num_beams=beams, length_penalty=penalty, compute_type="float32", device="cpu")
    ct = load_translator("ctranslate2", str(tiny_marian), settings)
    try:
        source = [ct.tokenizer.convert_ids_to_tokens(x) for x in ct.encode(PARAGRAPHS[:3])]
        # the random model never picks its end token, so one of its frequent tokens stands in for it
        first = ct.translator.translate_batch(source, beam_size=1, max_decoding_length=30)
        end = max(set(first[0].hypotheses[0][2:]), key=first[0].hypotheses[0].count)
        for limit, end_token in ((30, end), (8, None)):
            results = ct.translator.translate_batch(source, beam_size=beams, length_penalty=penalty,
                                                    max_decoding_length=limit, return_scores=True, end_token=end_token)
            ended = [r.hypotheses[0] + [end] for r in results] if end_token else [r.hypotheses[0] for r in results]
            scored = ct.translator.score_batch(source, ended)
            for r, tokens, s in zip(results, ended, scored):
                t = ct._translation(r, limit)
                chosen = s.log_probs[:len(tokens)]  # score_batch adds the model's own end token: not chosen
                assert t.truncated == (end_token is None)
                assert t.logprob == pytest.approx(sum(chosen) / len(chosen), abs=1e-3)
    finally:
        ct.close()


def test_several_translators_give_the_same_output(tiny_marian, cache_dir):
    """inter_threads 2: two batches in flight at once, collected in order; the
    output is the one a single translator gives, batch for batch."""
    texts = PARAGRAPHS * 2 + [p[:40] for p in PARAGRAPHS]
    base = dict(num_beams=2, max_new_tokens=10, batch_size=3, device="cpu")
    one = load_translator("ctranslate2", str(tiny_marian), GenerationSettings(**base, inter_threads=1))
    two = load_translator("ctranslate2", str(tiny_marian), GenerationSettings(**base, inter_threads=2, intra_threads=1))
    assert (one.parallel, two.parallel) == (1, 2)
    assert two.describe()["threads"] == {"inter": 2, "intra": 1}
    assert one.translate_detailed(texts) == two.translate_detailed(texts)


def test_describe_and_explicit_settings(tiny_marian, cache_dir):
    ct = load_translator("ctranslate2", str(tiny_marian), GenerationSettings(device="cpu"))
    d = ct.describe()
    assert d["backend"] == "ctranslate2" and d["device"] == "cpu"
    assert d["compute_type"] == "int8"  # default on CPU
    assert d["device_index"] is None and d["threads"]["intra"] == 1
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


def test_cpu_thread_layout():
    assert ct2b.default_threads(2) == (2, 1)  # measured: make bench ARGS=--sweep
    assert ct2b.cpu_layout(8, None, None) == (8, 1)
    assert ct2b.cpu_layout(8, 1, None) == (1, 8) and ct2b.cpu_layout(8, None, 4) == (2, 4)
    assert ct2b.cpu_layout(8, 3, 3) == (3, 3)  # both given: as asked


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
