"""Backend on Hugging Face transformers: any Marian or seq2seq checkpoint."""

from __future__ import annotations

from pipeline.translate.base import GenerationSettings, register_backend, resolve_device
from pipeline.translate.hf import HFTranslator, load_hf, quiet_transformers


@register_backend("transformers")
class TransformersTranslator(HFTranslator):
    def __init__(self, model: str, settings: GenerationSettings, revision: str | None = None, family: str | None = None):
        super().__init__(model, settings)
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        quiet_transformers()
        self.device = resolve_device(settings.device)
        tokenizer = load_hf(model, revision, AutoTokenizer.from_pretrained)
        self.model = load_hf(model, revision, AutoModelForSeq2SeqLM.from_pretrained)
        self.model.to(self.device).eval()
        self.revision = getattr(self.model.config, "_commit_hash", None) or revision
        self.setup_prompting(self.model.config, tokenizer, self.model.generation_config, family)
        self._torch = torch

    def _translate_batch(self, texts: list[str]) -> list[str]:
        torch = self._torch
        enc = self.tokenizer([self.prefix + t for t in texts], return_tensors="pt", padding=True, truncation=False)
        enc = {k: v.to(self.device) for k, v in enc.items()}
        with torch.inference_mode():
            out = self.model.generate(
                **enc,
                num_beams=self.num_beams,
                length_penalty=self.length_penalty,
                max_new_tokens=self.output_bound(enc["input_ids"].shape[1]),
                do_sample=False,
                **({"min_new_tokens": self.settings.min_new_tokens} if self.settings.min_new_tokens else {}),
                **self.family.generate_kwargs(self.tokenizer),
            )
        # out[:, 0] is the decoder start; padding after a finished output is not work done
        self.target_tokens += int((out[:, 1:] != self.tokenizer.pad_token_id).sum())
        return [t.strip() for t in self.tokenizer.batch_decode(out, skip_special_tokens=True)]

    def describe(self) -> dict:
        return {
            "backend": self.backend_name,
            "model": self.model_name,
            "revision": self.revision,
            "family": self.family.name,
            "device": self.device,
            "dtype": str(self.model.dtype).replace("torch.", ""),
            "generation": self.describe_generation(**self.family.generate_kwargs(self.tokenizer)),
            "source_prefix": self.prefix,
        }

    def free_memory(self) -> None:
        if self.device == "cuda":
            self._torch.cuda.empty_cache()

    def close(self) -> None:
        self.model = None
        self.free_memory()
