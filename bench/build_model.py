"""Build the bench models: opus-mt-nl-en's exact architecture, no real weights.

The architecture is Helsinki-NLP/opus-mt-nl-en's: MarianConfig d_model 512,
6 encoder + 6 decoder layers, 8 heads, FFN 2048, vocabulary 67028 with <pad> =
67027 = decoder start, </s> = 0, swish activation, scaled and shared
embeddings, sinusoidal positions up to 512, beam size 6. The cost of a forward
pass depends on these shapes, not on the values of the weights.

Two kinds:

- ``random``: random weights. Its output is nonsense with no sentence
  structure, so the bench forces every output to the same length.
- ``copy``: the same random model with a copy circuit written into a few of its
  matrices, so that it outputs its input token by token and then the end token.
  Its output keeps the paragraph's sentences and ends where a real model's
  would (a Dutch→English opus-mt output has about as many tokens as its
  input), so nlen's alignment and coverage repair see what they see with a
  model that works. Every matrix stays dense and full size: the cost is the
  same as the random model's and the real one's. The circuit:
    * token embeddings (fixed norm, zero mean) live in 447 of the 512 dims;
      the other 65 carry only the sinusoidal positions: the sine and cosine of
      the 32 highest frequencies, and the lowest-frequency sine, which is ~0
      everywhere and so carries LayerNorm's mean (subtracted out below);
    * every self-attention and feed-forward output matrix is the random one
      scaled by 1e-3, so each post-norm layer passes its input on;
    * decoder layer 1's cross-attention matches positions in all 8 heads (query
      and key read the position dims, minus the mean dim): decoder position t
      attends to source position t; each head's value carries a 56-dim slice of
      the token dims, and its output adds the source token 4× over the decoder's
      own input token;
    * the tied output layer then scores source token t highest, and the last
      LayerNorm's gain (3) makes that choice sharp enough for beam search and
      int8 (CTranslate2 reproduces the copy exactly).

The tokenizer is a small SentencePiece model trained on the seed article (plus
digits and brackets, which the bench's copy tags use); its vocab.json is padded
with filler pieces ("▁w<id>") to 67028 entries, so the embedding and output
layers have the real size. Source token counts are therefore not those of the
real tokenizer (the real one has a larger vocabulary, so fewer, longer pieces).

    python bench/build_model.py [--kind random|copy] [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "nl" / "2023-09-kim-jong-un-poetin-vladivostok.txt"
CACHE = ROOT / ".cache"
VOCAB_SIZE = 67028
PAD = VOCAB_SIZE - 1
NUM_BEAMS = 6
KINDS = ("random", "copy")
VERSION = "2"  # bump when the recipe changes, so a stale build is rebuilt


def model_dir(kind: str) -> Path:
    return CACHE / ("bench-model" if kind == "random" else f"bench-model-{kind}")


def build(kind: str = "random", out: Path | None = None, seed: int = 0) -> Path:
    """Build (once) and return the directory of the bench model of this kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown bench model kind {kind!r}")
    out = out or model_dir(kind)
    stamp = out / "bench-model.json"
    if stamp.is_file() and json.loads(stamp.read_text()).get("version") == VERSION:
        return out
    if out.exists():
        shutil.rmtree(out)
    model, tokenizer = _random_model(out, seed)
    if kind == "copy":
        _install_copy_circuit(model, seed)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    n_params = sum(p.numel() for p in model.parameters())
    stamp.write_text(json.dumps({"version": VERSION, "kind": kind, "parameters": n_params,
                                 "recipe": __doc__.splitlines()[0]}))
    return out


def _random_model(out: Path, seed: int):
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines.append(" ".join(f"({k})" for k in range(100)))  # the copy tags' characters
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=buf, vocab_size=600, model_type="unigram",
        character_coverage=1.0, bos_id=-1, eos_id=0, unk_id=1, pad_id=-1, hard_vocab_limit=False, minloglevel=2,
    )
    (out / "source.spm").write_bytes(buf.getvalue())
    (out / "target.spm").write_bytes(buf.getvalue())
    sp = spm.SentencePieceProcessor(model_proto=buf.getvalue())
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    for i in range(len(vocab), PAD):
        vocab[f"\u2581w{i}"] = i
    vocab["<pad>"] = PAD
    assert len(vocab) == VOCAB_SIZE
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(str(out / "source.spm"), str(out / "target.spm"), str(out / "vocab.json"),
                                source_lang="nl", target_lang="en", model_max_length=512)
    config = MarianConfig(
        vocab_size=VOCAB_SIZE, d_model=512, encoder_layers=6, decoder_layers=6,
        encoder_attention_heads=8, decoder_attention_heads=8, encoder_ffn_dim=2048, decoder_ffn_dim=2048,
        max_position_embeddings=512, pad_token_id=PAD, decoder_start_token_id=PAD, eos_token_id=0,
        forced_eos_token_id=0, bos_token_id=0, activation_function="swish", scale_embedding=True,
        share_encoder_decoder_embeddings=True, static_position_embeddings=True,
        normalize_embedding=False, normalize_before=False, add_bias_logits=False,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    model.generation_config.num_beams = NUM_BEAMS
    model.generation_config.max_length = 512
    model.generation_config.bad_words_ids = [[PAD]]
    return model, tokenizer


def _install_copy_circuit(model, seed: int, n_freq: int = 32, token_scale: float = 0.05,
                          sharpness: float = 60.0, copy_gain: float = 4.0, out_gain: float = 3.0) -> None:
    """Overwrite a few matrices so that the model copies its input (see the module doc)."""
    import torch

    d, heads = model.config.d_model, model.config.decoder_attention_heads
    head_dim, half = d // heads, d // 2
    pos_dims = list(range(n_freq)) + list(range(half, half + n_freq))  # sin, cos of the highest frequencies
    mean_dim = half - 1  # sin of the lowest frequency: ~0 at every position
    token_dims = [i for i in range(d) if i not in set(pos_dims) and i != mean_dim]
    slice_len = -(-len(token_dims) // heads)
    g = torch.Generator().manual_seed(seed + 1)

    def noise(*shape):  # dense, never exactly zero: int8 quantisation needs a non-zero row scale
        return torch.randn(*shape, generator=g) * 1e-4

    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 2 and ("out_proj" in name or "fc2" in name):
                p.mul_(1e-3)
        vectors = torch.randn(model.config.vocab_size, len(token_dims), generator=g)
        vectors -= vectors.mean(1, keepdim=True)
        vectors *= len(token_dims) ** 0.5 / vectors.norm(dim=1, keepdim=True)
        embedding = noise(model.config.vocab_size, d)
        embedding[:, token_dims] = token_scale * vectors
        model.model.shared.weight.copy_(embedding)
        for module in model.modules():
            if isinstance(module, torch.nn.LayerNorm):
                module.weight.fill_(1.0)
                module.bias.zero_()
        q, k, v, o = (noise(d, d) for _ in range(4))
        for h in range(heads):
            for j, dim in enumerate(pos_dims):
                q[h * head_dim + j, dim], q[h * head_dim + j, mean_dim] = sharpness, -sharpness
                k[h * head_dim + j, dim], k[h * head_dim + j, mean_dim] = 1.0, -1.0
            for j, dim in enumerate(token_dims[h * slice_len:(h + 1) * slice_len]):
                v[h * head_dim + j, dim] = 1.0
                o[dim, h * head_dim + j] = copy_gain
        attention = model.model.decoder.layers[0].encoder_attn
        for linear, weight in ((attention.q_proj, q), (attention.k_proj, k), (attention.v_proj, v), (attention.out_proj, o)):
            linear.weight.copy_(weight)
            linear.bias.zero_()
        model.model.decoder.layers[-1].final_layer_norm.weight.fill_(out_gain)
        model.final_logits_bias.zero_()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=KINDS, default="random")
    parser.add_argument("--out", type=Path, help="default: .cache/bench-model[-KIND]")
    args = parser.parse_args()
    print(build(args.kind, args.out))


if __name__ == "__main__":
    main()
