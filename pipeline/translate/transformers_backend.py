"""Backend on Hugging Face transformers: any Marian or seq2seq checkpoint, in
float32 (the reference the faster ctranslate2 backend is measured against)."""

from __future__ import annotations

from pipeline.errors import UserError
from pipeline.translate.base import GenerationSettings, Translation, register_backend, resolve_device
from pipeline.translate.hf import (
    HFTranslator,
    check_finite_weights,
    hub_preflight,
    load_hf,
    quiet_transformers,
    resolved_revision,
)
from pipeline.translate.nocopy import Banned, NoCopyLogitsProcessor

# What this backend runs; --compute-type is a ctranslate2 option.
COMPUTE_TYPE = "float32"


def _renormalise(input_ids, scores):
    """A logits processor: log-probabilities of what the earlier processors left."""
    return scores.log_softmax(dim=-1)


@register_backend("transformers")
class TransformersTranslator(HFTranslator):
    """The backend that runs the checkpoint with transformers' `generate` in float32."""

    @classmethod
    def check_options(cls, model: str, settings: GenerationSettings, revision: str | None) -> None:
        """Also refuses a compute type other than float32, and a CUDA device where there is none."""
        super().check_options(model, settings, revision)
        if settings.compute_type not in (None, "auto", COMPUTE_TYPE):
            raise UserError(
                f"--compute-type {settings.compute_type} is a ctranslate2 option; the transformers "
                f"backend runs {COMPUTE_TYPE} (use --backend ctranslate2 to quantise)"
            )
        if settings.device.startswith("cuda"):
            resolve_device(settings.device)  # no CUDA here: refused before the model loads

    def __init__(
        self, model: str, settings: GenerationSettings, revision: str | None = None, family: str | None = None
    ):
        super().__init__(model, settings)
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        quiet_transformers()
        self.device = resolve_device(settings.device)
        hub_preflight(model)
        tokenizer = load_hf(model, revision, AutoTokenizer.from_pretrained, "tokenizer")
        self.model = load_hf(
            model,
            revision,
            lambda m, revision: check_finite_weights(AutoModelForSeq2SeqLM.from_pretrained(m, revision=revision)),
            "model weights",
        )
        self.model.to(self.device).eval()
        self.revision = resolved_revision(model, revision, self.model.config)
        self.setup_prompting(self.model.config, tokenizer, self.model.generation_config, family)
        self.forced_eos = getattr(self.model.generation_config, "forced_eos_token_id", None) is not None
        bad = getattr(self.model.generation_config, "bad_words_ids", None) or []
        self.never_generated = sorted({ids[0] for ids in bad if len(ids) == 1})  # e.g. opus-mt's <pad>
        self._torch = torch

    def _translate_batch(self, texts: list[str]) -> list[Translation]:
        from transformers.modeling_outputs import BaseModelOutput

        torch = self._torch
        enc = self.tokenizer([self.prefix + t for t in texts], return_tensors="pt", padding=True, truncation=False)
        enc = {k: v.to(self.device) for k, v in enc.items()}
        bound = self.output_bound(enc["input_ids"].shape[1])
        bans = self.copy_bans(texts)
        with torch.inference_mode():
            # encoded once, for the search and the scoring pass (generate expands
            # the object it is given in place, so it gets a copy)
            states = self.model.get_encoder()(**enc).last_hidden_state
            out = self.model.generate(
                **enc,
                encoder_outputs=BaseModelOutput(last_hidden_state=states),
                num_beams=self.num_beams,
                length_penalty=self.length_penalty,
                max_new_tokens=bound,
                do_sample=False,
                **({"min_new_tokens": self.settings.min_new_tokens} if self.settings.min_new_tokens else {}),
                **(
                    {"no_repeat_ngram_size": self.settings.no_repeat_ngram_size}
                    if self.settings.no_repeat_ngram_size
                    else {}
                ),
                **self.family.generate_kwargs(self.tokenizer),
                **self._no_copy(bans),
            )
            logprobs = self._mean_logprobs(enc, states, out, bound, bans)
        # out[:, 0] is the decoder start; padding after a finished output is not work done
        tokens = (out[:, 1:] != self.tokenizer.pad_token_id).sum(dim=1).tolist()
        texts_out = self.tokenizer.batch_decode(out, skip_special_tokens=True)
        return [Translation(text.strip(), n, n >= bound, lp) for text, n, lp in zip(texts_out, tokens, logprobs)]

    def _no_copy(self, bans: list[Banned]) -> dict:
        """generate's `logits_processor`: one that forbids copying each text's words, when asked
        for; and, under any ban, one that renormalises what is left, as CTranslate2 does (beam
        search adds up log-probabilities, so without it a hypothesis that lost banned tokens
        would be scored lower than CTranslate2 scores it)."""
        n_copy = self.settings.no_copy_ngram_size
        processors: list = [NoCopyLogitsProcessor(bans, n_copy)] if n_copy else []
        if n_copy or self.settings.no_repeat_ngram_size:
            processors.append(_renormalise)
        if not processors:
            return {}
        from transformers import LogitsProcessorList

        return {"logits_processor": LogitsProcessorList(processors)}

    def _forbidden(self, out: list[list[int]], bans: list[Banned]) -> list[tuple[int, int, list[int]]]:
        """(row, step, token ids) the search forbade at that step of each output (`out`: the
        decoder start, then the tokens): repeated n-grams, copies of the source. The rescoring
        forbids them too, so its log-probabilities are the search's, as CTranslate2's are."""
        n_repeat, n_copy = self.settings.no_repeat_ngram_size or 0, self.settings.no_copy_ngram_size or 0
        found: list[tuple[int, int, list[int]]] = []
        if not (n_repeat or n_copy):
            return found
        for row, seq in enumerate(out):
            seen: dict[tuple[int, ...], set[int]] = {}
            for t in range(1, len(seq)):
                prefix = seq[:t]
                ids: set[int] = set()
                if n_repeat and t >= n_repeat:
                    seen.setdefault(tuple(prefix[t - n_repeat : t - 1]), set()).add(prefix[t - 1])
                    ids |= seen.get(tuple(prefix[t - n_repeat + 1 :]), set())
                if n_copy and t >= n_copy - 1:
                    ids |= bans[row].get(tuple(prefix[t - n_copy + 1 :]), frozenset())
                ids.discard(seq[t])  # the search chose it, so it was allowed
                if ids:
                    found.append((row, t - 1, sorted(ids)))
        return found

    def _mean_logprobs(self, enc, states, out, bound: int, bans: list[Banned]) -> list[float]:
        """Each output scored once more under the model (teacher forcing, on the
        encoder states already computed): the mean log-softmax of the tokens it
        chose. Beam search's own scores would need every step's full vocabulary
        kept in memory; this pass costs one decoder step's worth of work per batch."""
        torch = self._torch
        target = out[:, 1:]
        from transformers.modeling_outputs import BaseModelOutput

        logits = self.model(
            attention_mask=enc["attention_mask"],
            encoder_outputs=BaseModelOutput(last_hidden_state=states),
            decoder_input_ids=out[:, :-1],
        ).logits
        logits = logits.float()
        if self.never_generated:  # as in the search (and in CTranslate2's conversion): never a candidate
            logits[..., self.never_generated] = float("-inf")
        for row, step, ids in self._forbidden(out.tolist(), bans):
            logits[row, step, ids] = float("-inf")
        chosen = torch.log_softmax(logits, dim=-1).gather(-1, target.unsqueeze(-1)).squeeze(-1)
        mask = target != self.tokenizer.pad_token_id
        lengths = mask.sum(dim=1)
        if self.forced_eos:  # an end token forced at the bound was not the model's choice
            forced = (lengths >= bound) & (
                target.gather(1, (lengths - 1).clamp(min=0).unsqueeze(1)).squeeze(1)
                == self.model.generation_config.forced_eos_token_id
            )
            mask[forced, (lengths[forced] - 1)] = False
        # after the end token the target is padding, which the model may not generate (-inf):
        # masked out, not multiplied by 0 (-inf * 0 is NaN)
        sums = chosen.masked_fill(~mask, 0.0).sum(dim=1)
        return [float(s) / int(n) if int(n) else 0.0 for s, n in zip(sums.tolist(), mask.sum(dim=1).tolist())]

    def describe(self) -> dict:
        """Adds the torch device and dtype, and the family's generate arguments."""
        return {
            "backend": self.backend_name,
            "model": self.model_name,
            "revision": self.revision,
            "family": self.family.name,
            "device": self.device.split(":")[0],
            "device_index": [int(self.device.split(":")[1])] if ":" in self.device else None,
            "compute_type": COMPUTE_TYPE,
            "dtype": str(self.model.dtype).replace("torch.", ""),
            "generation": self.describe_generation(**self.family.generate_kwargs(self.tokenizer)),
            "source_prefix": self.prefix,
        }

    def free_memory(self) -> None:
        """Empties torch's CUDA cache (on CUDA only)."""
        if self.device.startswith("cuda"):
            self._torch.cuda.empty_cache()

    def close(self) -> None:
        """Drops the model and empties the CUDA cache."""
        self.model = None
        self.free_memory()
