"""Shared fixtures. Tests never touch the network: models are built here.

`tiny_marian` trains a tiny SentencePiece vocabulary on the test text and saves
a MarianMTModel with random weights via `save_pretrained`. It translates
nonsense, but it runs every line the real opus-mt model would run.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# The translation cache and converted models go to a throw-away folder, never ~/.cache.
os.environ["NLEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="nlen-test-cache-")
atexit.register(shutil.rmtree, os.environ["NLEN_CACHE_DIR"], True)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "nl" / "2023-09-kim-jong-un-poetin-vladivostok.txt"

# English text so the tiny vocabulary covers both sides.
ENGLISH = """A rare meeting: North Korean leader Kim Jong-un is visiting Vladivostok today for talks with Russian President Vladimir Putin.
Russia wants ammunition. "It is about shells, old tank parts. North Korea has plenty of them."
What does North Korea want? The expert continues: "North Korea has a food shortage."
Mr. Smith said on 3 May that prices rose by 3.5% to $1,000. Is that true? Yes!"""


@pytest.fixture(scope="session", autouse=True)
def aligner_kernels_compiled():
    """The aligner's numba kernels compiled (or loaded from their cache) once, before any
    test starts `nlen` in a subprocess that would otherwise compile them for itself."""
    from pipeline.align import compile_kernels

    compile_kernels()


def training_text() -> list[str]:
    lines = SEED.read_text(encoding="utf-8").splitlines() + ENGLISH.splitlines()
    return [line for line in lines if line.strip()]


def build_sentencepiece(vocab_size: int = 250) -> bytes:
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(training_text()), model_writer=buf, vocab_size=vocab_size,
        model_type="unigram", character_coverage=1.0, bos_id=-1, eos_id=0, unk_id=1, pad_id=-1,
        hard_vocab_limit=False, minloglevel=2,
    )
    return buf.getvalue()


def build_tiny_marian(out: Path, *, seed: int = 0, d_model: int = 32, layers: int = 1, num_beams: int = 4,
                      target_tokens: tuple[str, ...] = ()) -> Path:
    """A Marian checkpoint laid out like opus-mt: source.spm, target.spm, vocab.json;
    eos = 0, <pad> = last id = decoder start. `target_tokens` (e.g. '>>eng<<') make
    it a multi-target OPUS model like opus-mt-tc-big-gmw-gmw."""
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    proto = build_sentencepiece()
    (out / "source.spm").write_bytes(proto)
    (out / "target.spm").write_bytes(proto)
    sp = spm.SentencePieceProcessor(model_proto=proto)
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    for token in target_tokens:
        vocab[token] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(str(out / "source.spm"), str(out / "target.spm"), str(out / "vocab.json"),
                                source_lang="nl", target_lang="en", model_max_length=512)
    pad = len(vocab) - 1
    config = MarianConfig(
        vocab_size=len(vocab), d_model=d_model, encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=2 * d_model,
        decoder_ffn_dim=2 * d_model, max_position_embeddings=512, pad_token_id=pad,
        decoder_start_token_id=pad, eos_token_id=0, forced_eos_token_id=0, bos_token_id=0,
        activation_function="swish", scale_embedding=True, share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    model.generation_config.num_beams = num_beams
    model.generation_config.max_length = 512
    model.generation_config.bad_words_ids = [[pad]]
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def build_ending_marian(out: Path) -> Path:
    """The tiny model made to end its outputs at lengths that depend on the input, as a real
    model's do (the random one never picks its end token): its end token gets a bias, and its
    encoder's last layer norm a large gain so that the input weighs on every step."""
    import torch
    from transformers import MarianMTModel

    build_tiny_marian(out)
    model = MarianMTModel.from_pretrained(out)
    with torch.no_grad():
        model.final_logits_bias[0, 0] = 0.25
        model.model.encoder.layers[-1].final_layer_norm.weight.mul_(20.0)
    model.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def ending_marian(tmp_path_factory) -> Path:
    """Path to the tiny model whose outputs end on their own (`build_ending_marian`)."""
    return build_ending_marian(tmp_path_factory.mktemp("models") / "ending-marian")


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    """Tiny models run faster on one thread, above all on a busy 2-core machine.
    Subprocesses are not affected: they run as a user's would."""
    try:
        import torch
    except ImportError:  # pragma: no cover
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory) -> Path:
    """Path to a tiny random-weight Marian model directory (built once per session)."""
    return build_tiny_marian(tmp_path_factory.mktemp("models") / "tiny-marian")


@pytest.fixture(scope="session")
def seed_article() -> Path:
    return SEED


@pytest.fixture(scope="session")
def news_corpus(tmp_path_factory) -> Path:
    """A translated corpus folder with repairs, 0-1 beads and flags (tests/corpusdata.py)."""
    from corpusdata import build_news_corpus

    return build_news_corpus(tmp_path_factory.mktemp("news"))


def run_nlen(*args: str, input: str | None = None, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess, as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], input=input, capture_output=True, text=True,
        env=full_env, timeout=timeout, cwd=ROOT,
    )
