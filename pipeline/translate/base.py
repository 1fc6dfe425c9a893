"""The `Translator` interface, generation settings and the backend registry."""

from __future__ import annotations

import importlib
import logging
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from typing import Callable, Mapping, Sequence

from pipeline.errors import UserError

log = logging.getLogger(__name__)

# Backend name → module that registers it; imported only when asked for, so
# that choosing one backend never imports the other's heavy dependencies.
BACKEND_MODULES = {
    "transformers": "pipeline.translate.transformers_backend",
    "ctranslate2": "pipeline.translate.ctranslate2_backend",
}
BACKENDS: dict[str, type["Translator"]] = {}


@dataclass(frozen=True)
class GenerationSettings:
    """Everything that changes the output; recorded in the manifest and cache key.

    `None` means "the model's own default" (read from its generation config) and
    is resolved by the backend, so the manifest always records concrete values.
    """

    num_beams: int | None = None
    max_new_tokens: int | None = None  # None: bounded relative to the input length
    length_penalty: float | None = None
    batch_size: int = 16  # paragraphs per batch
    batch_tokens: int | None = None  # source-token budget per batch (overrides batch_size)
    device: str = "auto"  # auto | cpu | cuda
    compute_type: str | None = None  # backend-specific quantisation (ctranslate2)
    # Benchmark-only: forces every output to this many tokens (min = max new
    # tokens) so that engines do equal work. Not a user-facing option.
    min_new_tokens: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def register_backend(name: str) -> Callable[[type["Translator"]], type["Translator"]]:
    def deco(cls: type[Translator]) -> type[Translator]:
        cls.backend_name = name
        BACKENDS[name] = cls
        return cls

    return deco


def resolve_device(device: str) -> str:
    """'auto' → 'cuda' when a GPU is visible, else 'cpu'. Never requires CUDA."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise UserError("--device cuda was asked for, but no CUDA device is available")
    if device not in ("cpu", "cuda"):
        raise UserError(f"unknown device {device!r} (choose auto, cpu or cuda)")
    return device


class Translator(ABC):
    """Translates a list of texts and returns the translations in the same order.

    Subclasses implement `_translate_batch` and `count_tokens`; sorting by length,
    batching and restoring the order live here, so every backend shares them.
    """

    backend_name: str = "?"
    max_input_tokens: int = 512

    def __init__(self, model: str, settings: GenerationSettings):
        self.model_name = str(model)
        self.settings = settings

    # --- what a backend implements -------------------------------------
    @abstractmethod
    def _translate_batch(self, texts: list[str]) -> list[str]:
        """Translate one batch (already sorted and sized)."""

    @abstractmethod
    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source-side token counts, eos included, as the model will see them."""

    @abstractmethod
    def describe(self) -> dict:
        """Provenance: model id, revision, backend, resolved generation parameters."""

    def close(self) -> None:
        """Free the model's memory (compare loads models one after another)."""

    # --- shared machinery ------------------------------------------------
    def translate(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
        on_batch: Callable[[list[str], list[str]], None] | None = None,
        known: Mapping[int, str] | None = None,
    ) -> list[str]:
        """Translate `texts`; `progress(n)` is called after each batch with its size.

        `on_batch(sources, translations)` is called as soon as a batch is done (the
        translation cache stores it there, so an interrupted run keeps it).
        `known` maps indices to translations already at hand: they keep their place
        in the batch plan but are not translated, so the batches still to do are
        the same ones an uninterrupted run would make (same padding, same output).
        """
        from pipeline.translate.batching import make_batches

        texts = list(texts)
        if not texts:
            return []
        known = known or {}
        unique = list(dict.fromkeys(texts))
        if len(unique) < len(texts):  # identical texts: translated once, the same English for each
            position = {text: i for i, text in enumerate(unique)}
            results = self.translate(unique, progress=progress, on_batch=on_batch,
                                     known={position[texts[i]]: t for i, t in known.items()})
            if progress:
                progress(len(texts) - len(unique))
            return [results[position[t]] for t in texts]
        lengths = self.count_tokens(texts)
        bounds = [self.output_bound(n) for n in lengths]
        out: list[str | None] = [known.get(i) for i in range(len(texts))]
        for batch in make_batches(lengths, self.settings.batch_size, self.settings.batch_tokens, groups=bounds):
            todo = [i for i in batch if i not in known]
            if todo:
                sources = [texts[i] for i in todo]
                results = self.translate_splitting(sources)
                for i, text in zip(todo, results):
                    out[i] = text
                if on_batch:
                    on_batch(sources, results)
            if progress:
                progress(len(batch))
        return [t if t is not None else "" for t in out]

    def output_bound(self, n_tokens: int) -> int | None:
        """The output length bound of a text of `n_tokens` source tokens. Texts with
        different bounds never share a batch, so the bound is the text's own."""
        return self.settings.max_new_tokens

    def translate_splitting(self, texts: list[str]) -> list[str]:
        """`_translate_batch`, but a batch that runs out of device memory is split
        in halves and retried; a single text that does not fit still fails."""
        try:
            return self._translate_batch(texts)
        except Exception as exc:  # noqa: BLE001 - only memory errors are handled
            if len(texts) < 2 or not self.is_out_of_memory(exc):
                raise
        self.oom_splits += 1
        log.warning("out of memory on a batch of %d; splitting it and retrying", len(texts))
        self.free_memory()
        half = len(texts) // 2
        return self.translate_splitting(texts[:half]) + self.translate_splitting(texts[half:])

    oom_splits: int = 0  # batches split after running out of memory
    target_tokens: int = 0  # tokens generated (end token included), for throughput in the manifest

    def is_out_of_memory(self, exc: BaseException) -> bool:
        """True if `exc` says the device ran out of memory (torch and CTranslate2
        both put "out of memory" in the message)."""
        if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
            return True
        return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()

    def free_memory(self) -> None:
        """Release cached device memory before a retry (backends override)."""

    def __enter__(self) -> "Translator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def load_translator(backend: str, model: str, settings: GenerationSettings, **options) -> Translator:
    """Import the backend's module on demand and build it; `options` go to the
    backend (e.g. revision=, family=)."""
    if backend not in BACKENDS:  # registered already (e.g. by a test) or imported on demand
        if backend not in BACKEND_MODULES:
            raise UserError(f"unknown backend {backend!r} (choose from {', '.join(sorted(BACKEND_MODULES))})")
        try:
            importlib.import_module(BACKEND_MODULES[backend])
        except ImportError as exc:
            raise UserError(f"backend {backend!r} needs a package that is not installed: {exc.name} (pip install {exc.name})") from exc
    return BACKENDS[backend](model, settings, **options)
