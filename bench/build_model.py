"""Build a random-weight model with opus-mt-nl-en's exact architecture.

Real weights are not needed to measure speed: the cost of a forward pass depends
on the shapes, not the values. The architecture is Helsinki-NLP/opus-mt-nl-en's:
MarianConfig d_model 512, 6 encoder + 6 decoder layers, 8 heads, FFN 2048,
vocabulary 67028 with <pad> = 67027 = decoder start, </s> = 0, swish activation,
scaled and shared embeddings, sinusoidal positions up to 512, beam size 6.

The tokenizer is a small SentencePiece model trained on the seed article; its
vocab.json is padded with filler pieces ("▁w<id>") to 67028 entries, so the
embedding and output layers have the real size and the random model's outputs
decode to words. Source token counts are therefore not those of the real
tokenizer (the real one has a larger vocabulary, so fewer, longer pieces).

    python bench/build_model.py [--out .cache/bench-model]
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "nl" / "2023-09-kim-jong-un-poetin-vladivostok.txt"
DEFAULT_OUT = ROOT / ".cache" / "bench-model"
VOCAB_SIZE = 67028
PAD = VOCAB_SIZE - 1
NUM_BEAMS = 6
VERSION = "1"  # bump when the recipe changes, so a stale build is rebuilt


def build(out: Path = DEFAULT_OUT, seed: int = 0) -> Path:
    stamp = out / "bench-model.json"
    if stamp.is_file() and json.loads(stamp.read_text()).get("version") == VERSION:
        return out
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
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
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    n_params = sum(p.numel() for p in model.parameters())
    stamp.write_text(json.dumps({"version": VERSION, "parameters": n_params, "recipe": __doc__.splitlines()[0]}))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    print(build(args.out))


if __name__ == "__main__":
    main()
