"""Backend on Hugging Face transformers: any Marian or seq2seq checkpoint."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

from pipeline.errors import UserError
from pipeline.translate.base import GenerationSettings, Translator, register_backend, resolve_device
from pipeline.translate.families import resolve_family

log = logging.getLogger(__name__)

# Output bound when --max-new-tokens is not given: generous for nl→en (English
# is rarely more than 1.5× the Dutch in tokens) but never unbounded.
AUTO_MAX_NEW_TOKENS = "min(model limit, 2 x longest source in batch + 16)"


def missing_model_message(model: str, exc: Exception) -> str:
    return (
        f"cannot load model {model!r}: it is not a local directory and could not be downloaded "
        f"({type(exc).__name__}). Download it once with `hf download {model}` (older huggingface_hub: "
        f"`huggingface-cli download {model}`), then run with HF_HUB_OFFLINE=1; or pass a local model "
        "directory with --model DIR / MODEL=DIR"
    )


def load_hf(model: str, revision: str | None, loader):
    """Load with the ordinary transformers path; a missing model is a UserError."""
    try:
        return loader(model, revision=revision)
    except (OSError, ValueError) as exc:
        if Path(model).is_dir():
            raise UserError(f"cannot load model from directory {model}: {exc}".splitlines()[0]) from exc
        raise UserError(missing_model_message(model, exc)) from exc


@register_backend("transformers")
class TransformersTranslator(Translator):
    def __init__(self, model: str, settings: GenerationSettings, revision: str | None = None, family: str | None = None):
        super().__init__(model, settings)
        import torch
        import transformers
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        if not log.isEnabledFor(logging.DEBUG):
            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()
        self.device = resolve_device(settings.device)
        self.tokenizer = load_hf(model, revision, AutoTokenizer.from_pretrained)
        self.model = load_hf(model, revision, AutoModelForSeq2SeqLM.from_pretrained)
        self.model.to(self.device).eval()
        self.revision = getattr(self.model.config, "_commit_hash", None) or revision
        self.family = resolve_family(model, self.model.config, self.tokenizer, family)
        self.family.prepare_tokenizer(self.tokenizer)
        self.prefix = self.family.source_prefix(self.tokenizer)
        gen = self.model.generation_config
        self.num_beams = settings.num_beams or gen.num_beams or 1
        self.length_penalty = settings.length_penalty if settings.length_penalty is not None else gen.length_penalty
        if self.length_penalty is None:  # unset in the config; transformers 5 beam search needs a number
            self.length_penalty = 1.0
        limits = [
            getattr(self.tokenizer, "model_max_length", None),
            getattr(self.model.config, "max_position_embeddings", None),
        ]
        self.max_input_tokens = min(x for x in limits + [512] if isinstance(x, int) and x > 0)
        self._torch = torch

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        ids = self.tokenizer([self.prefix + t for t in texts], truncation=False)["input_ids"]
        return [len(x) for x in ids]

    def max_new_tokens(self, longest_source: int) -> int:
        if self.settings.max_new_tokens:
            return self.settings.max_new_tokens
        return min(self.max_input_tokens, 2 * longest_source + 16)

    def _translate_batch(self, texts: list[str]) -> list[str]:
        torch = self._torch
        enc = self.tokenizer([self.prefix + t for t in texts], return_tensors="pt", padding=True, truncation=False)
        enc = {k: v.to(self.device) for k, v in enc.items()}
        with torch.inference_mode():
            out = self.model.generate(
                **enc,
                num_beams=self.num_beams,
                length_penalty=self.length_penalty,
                max_new_tokens=self.max_new_tokens(enc["input_ids"].shape[1]),
                do_sample=False,
                **({"min_new_tokens": self.settings.min_new_tokens} if self.settings.min_new_tokens else {}),
                **self.family.generate_kwargs(self.tokenizer),
            )
        return [t.strip() for t in self.tokenizer.batch_decode(out, skip_special_tokens=True)]

    def describe(self) -> dict:
        return {
            "backend": self.backend_name,
            "model": self.model_name,
            "revision": self.revision,
            "family": self.family.name,
            "device": self.device,
            "dtype": str(self.model.dtype).replace("torch.", ""),
            "generation": {
                "num_beams": self.num_beams,
                "length_penalty": self.length_penalty,
                "do_sample": False,
                "max_new_tokens": self.settings.max_new_tokens or AUTO_MAX_NEW_TOKENS,
                "max_input_tokens": self.max_input_tokens,
                "batch_size": self.settings.batch_size,
                "batch_tokens": self.settings.batch_tokens,
                **({"min_new_tokens": self.settings.min_new_tokens} if self.settings.min_new_tokens else {}),
                **{k: v for k, v in self.family.generate_kwargs(self.tokenizer).items()},
            },
            "source_prefix": self.prefix,
        }

    def free_memory(self) -> None:
        if self.device == "cuda":
            self._torch.cuda.empty_cache()

    def close(self) -> None:
        self.model = None
        if self.device == "cuda":
            self._torch.cuda.empty_cache()
