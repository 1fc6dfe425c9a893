"""The `Translator` interface, generation settings and the backend registry."""

from __future__ import annotations

import copy
import importlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace

from pipeline.errors import UserError
from pipeline.translate.batching import make_batches

log = logging.getLogger(__name__)

# Backend name → module that registers it; imported only when asked for, so
# that choosing one backend never imports the other's heavy dependencies.
BACKEND_MODULES = {
    "transformers": "pipeline.translate.transformers_backend",
    "ctranslate2": "pipeline.translate.ctranslate2_backend",
}
BACKENDS: dict[str, type[Translator]] = {}
# Third-party backends: a package declares `[project.entry-points."nlen.backends"] NAME =
# "module:TranslatorClass"`; `--backend NAME` loads it and registers it with `register_backend`.
ENTRY_POINT_GROUP = "nlen.backends"


@dataclass(frozen=True)
class GenerationSettings:
    """Everything that changes the output, and how the work is laid out (batches,
    device, threads); recorded in the manifest. The cache key takes only what
    changes the output (pipeline/translate/cache.py).

    `None` means "the model's own default" (read from its generation config) or
    the backend's measured default, and is resolved by the backend, so the
    manifest always records concrete values.
    """

    num_beams: int | None = None
    max_new_tokens: int | None = None  # None: bounded relative to the input length
    length_penalty: float | None = None
    batch_size: int = 16  # paragraphs per batch (measured on CPU: make bench's sweep)
    batch_tokens: int | None = None  # source-token budget per batch (overrides batch_size)
    device: str = "auto"  # auto | cpu | cuda | cuda:N | cuda:N,M,… (see parse_device)
    compute_type: str | None = None  # ctranslate2 quantisation; transformers runs float32
    inter_threads: int | None = None  # ctranslate2 on CPU: translators working at once
    intra_threads: int | None = None  # ctranslate2 on CPU: threads per translator
    # Benchmark-only: forces every output to this many tokens (min = max new
    # tokens) so that engines do equal work. Not a user-facing option.
    min_new_tokens: int | None = None
    # Forbid any n-gram of this size to repeat in an output (None: allowed). The repair
    # decodes a looping sentence again with it (pipeline/document/repair.py); not a user option.
    no_repeat_ngram_size: int | None = None
    # Forbid any run of this many tokens that copies the source's words (names and numbers
    # excepted; pipeline/translate/nocopy.py). The repair decodes a sentence the model left in
    # Dutch again with it; not a user option. Backends that cannot honour it ignore it.
    no_copy_ngram_size: int | None = None

    def to_dict(self) -> dict:
        """The settings as a dict (for manifests and reports)."""
        return asdict(self)


def parse_device(device: str) -> tuple[str, list[int]]:
    """'auto', 'cpu', 'cuda', 'cuda:N' or 'cuda:N,M,…' → (kind, GPU indices);
    plain 'cuda' is GPU 0. A UserError for anything else (imports nothing)."""
    kind, _, indices = device.partition(":")
    if kind in ("auto", "cpu") and not indices:
        return kind, []
    if kind == "cuda":
        if not indices:
            return "cuda", [0]
        parts = indices.split(",")
        if all(p.isdigit() for p in parts) and len(set(parts)) == len(parts):
            return "cuda", [int(p) for p in parts]
    raise UserError(f"--device {device!r}: choose auto, cpu, cuda, cuda:N or cuda:N,M,… (distinct GPU numbers)")


def no_cuda_error(device: str, library: str) -> UserError:
    """The UserError for a `--device` that asks for CUDA where `library` sees no GPU."""
    return UserError(
        f"--device {device}: no CUDA device is available here ({library} sees none); use --device cpu or auto"
    )


def register_backend(name: str) -> Callable[[type[Translator]], type[Translator]]:
    """Class decorator: register a Translator under the backend `name` (and set its
    `backend_name`)."""

    def deco(cls: type[Translator]) -> type[Translator]:
        cls.backend_name = name
        BACKENDS[name] = cls
        return cls

    return deco


def resolve_device(device: str) -> str:
    """For torch: 'auto' → 'cuda' when a GPU is visible, else 'cpu'; 'cuda:N' is
    checked against the GPUs there are. Never requires CUDA."""
    import torch

    kind, indices = parse_device(device)
    if kind == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if kind == "cpu":
        return "cpu"
    if not torch.cuda.is_available():
        raise no_cuda_error(device, "torch")
    if len(indices) > 1:
        raise UserError(
            f"--device {device}: the transformers backend runs on one GPU; use --backend ctranslate2 for several"
        )
    if indices[0] >= torch.cuda.device_count():
        raise UserError(f"--device {device}: there are only {torch.cuda.device_count()} CUDA devices")
    return f"cuda:{indices[0]}"


@dataclass(frozen=True)
class Translation:
    """One text's translation and what the backend knows about how it ended.

    `tokens`: tokens generated, the end token included (0 where a backend does
    not count). `truncated`: the output hit its length bound (`output_bound`)
    instead of ending with the model's own end token. `logprob`: the mean
    natural-log probability per token the model chose, end token included (an
    end token forced at the bound is not a choice and is left out), from the
    model's log-softmax over the tokens it may generate (single tokens the model
    bans, like opus-mt's <pad>, excluded; no length penalty); None where the
    backend does not give it. The transformers and ctranslate2 backends compute
    it the same way, so values compare across them (up to int8 quantisation);
    under the repair's bans (`no_repeat_ngram_size`, `no_copy_ngram_size`) both
    score the distribution with the banned tokens removed, as the search saw it.
    """

    text: str
    tokens: int = 0
    truncated: bool = False
    logprob: float | None = None
    # a chunk before the last one was cut (a long text translated in chunks): the cut is
    # somewhere inside the text, not at its end
    cut_inside: bool = False

    @staticmethod
    def join(parts: Sequence[Translation]) -> Translation:
        """The translations of a text's chunks as one: texts joined by a space,
        tokens added, truncated if any chunk was, log-probability averaged over
        the tokens (None unless every chunk has one)."""
        if len(parts) == 1:
            return parts[0]
        tokens = sum(p.tokens for p in parts)
        logprob: float | None = None
        known = [p.logprob for p in parts if p.logprob is not None]
        if parts and len(known) == len(parts) and tokens:
            logprob = sum(lp * p.tokens for lp, p in zip(known, parts)) / tokens
        return Translation(
            " ".join(p.text for p in parts if p.text).strip(),
            tokens,
            any(p.truncated for p in parts),
            logprob,
            any(p.truncated or p.cut_inside for p in parts[:-1]) or parts[-1].cut_inside,
        )


@dataclass
class TranslatorCounters:
    """What a translator stack did, added up. One object is shared by every layer
    (backend, cache, …), so a caller reads it from the outermost layer:
    `before = tr.counters.snapshot(); …; tr.counters.since(before)`."""

    translated: int = 0  # texts the backend translated
    target_tokens: int = 0  # tokens it generated, end tokens included
    truncated: int = 0  # of its outputs, those that hit their length bound
    oom_splits: int = 0  # batches split after running out of device memory
    cache_hits: int = 0  # texts answered from the translation cache
    cache_misses: int = 0  # texts the cache passed on to the backend
    cache_damaged: int = 0  # cached rows that failed their checksum (translated again)
    seconds: float = 0.0  # wall time inside the outermost translate call
    _depth: int = field(default=0, repr=False, compare=False)

    def add(self, results: Sequence[Translation]) -> None:
        """Count translated results: texts, generated tokens, truncated outputs."""
        self.translated += len(results)
        self.target_tokens += sum(r.tokens for r in results)
        self.truncated += sum(1 for r in results if r.truncated)

    @contextmanager
    def timing(self) -> Iterator[None]:
        """Time the outermost of nested translate calls only (a wrapper calls its inner layer)."""
        self._depth += 1
        started = time.perf_counter()
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.seconds += time.perf_counter() - started

    def snapshot(self) -> TranslatorCounters:
        """A copy of the counts now, for `since`."""
        return replace(self, _depth=0)

    def since(self, before: TranslatorCounters) -> dict:
        """The counts added since `before` (a snapshot), as a dict."""
        out = {f.name: getattr(self, f.name) - getattr(before, f.name) for f in fields(self) if f.compare}
        out["seconds"] = round(out["seconds"], 3)
        return out


class Translator(ABC):
    """Translates a list of texts and returns the translations in the same order.

    The interface every caller uses: `translate_detailed` (the one path: a
    `Translation` per text), `translate` (the same, strings only), `count_tokens`,
    `max_input_tokens`, `output_bound`, `describe`, `counters`, `close`.

    Backends implement `_translate_batch` (and may override `translate_batches`
    to run several batches at once); sorting by length, batching, identical texts
    and restoring the order live here, so every backend shares them. Layers over
    a backend (the cache) derive from `TranslatorWrapper`.
    """

    backend_name: str = "?"
    max_input_tokens: int = 512

    def __init__(self, model: str, settings: GenerationSettings):
        self.model_name = str(model)
        self.settings = settings
        self.counters = TranslatorCounters()

    # --- what a backend implements -------------------------------------
    @abstractmethod
    def _translate_batch(self, texts: list[str]) -> Sequence[Translation | str]:
        """Translate one batch (already sorted and sized). A backend that knows
        nothing but the text may return plain strings."""

    @abstractmethod
    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source-side token counts, eos included, as the model will see them."""

    @abstractmethod
    def describe(self) -> dict:
        """Provenance: model id, revision, backend, resolved generation parameters."""

    def close(self) -> None:
        """Free the model's memory (compare loads models one after another)."""

    def with_settings(self, **changes) -> Translator:
        """The same loaded model with some settings changed (the repair decodes loops
        again with `no_repeat_ngram_size`); it shares this translator's counters."""
        other = copy.copy(self)
        other.settings = replace(self.settings, **changes)
        return other

    @classmethod
    def check_options(cls, model: str, settings: GenerationSettings, revision: str | None) -> None:
        """Refuse, with a UserError, options this backend would not honour; runs
        before anything is loaded (backends override)."""

    # --- shared machinery ------------------------------------------------
    def translate(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> list[str]:
        """`translate_detailed`, the texts only."""
        return [t.text for t in self.translate_detailed(texts, progress=progress)]

    def translate_detailed(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
        on_batch: Callable[[list[str], list[Translation]], None] | None = None,
        known: Mapping[int, Translation] | None = None,
    ) -> list[Translation]:
        """Translate `texts`: one `Translation` (text, tokens, truncated, logprob)
        per text, in order. `progress(n)` is called after each batch with its size.

        `on_batch(sources, translations)` is called as soon as a batch is done (the
        translation cache stores it there, so an interrupted run keeps it).
        `known` maps indices to translations already at hand: they keep their place
        in the batch plan but are not translated, so the batches still to do are
        the same ones an uninterrupted run would make (same padding, same output).
        Identical texts are translated once and share their translation.
        """
        with self.counters.timing():
            return self._translate_planned(list(texts), progress, on_batch, dict(known or {}))

    def _translate_planned(
        self, texts: list[str], progress, on_batch, known: dict[int, Translation]
    ) -> list[Translation]:

        if not texts:
            return []
        unique = list(dict.fromkeys(texts))
        if len(unique) < len(texts):  # identical texts: translated once, the same English for each
            position = {text: i for i, text in enumerate(unique)}
            results = self._translate_planned(
                unique, progress, on_batch, {position[texts[i]]: t for i, t in known.items()}
            )
            if progress:
                progress(len(texts) - len(unique))
            return [results[position[t]] for t in texts]
        lengths = self.count_tokens(texts)
        bounds = [self.output_bound(n) for n in lengths]
        plan = list(make_batches(lengths, self.settings.batch_size, self.settings.batch_tokens, groups=bounds))
        todo = [[i for i in batch if i not in known] for batch in plan]
        done = self.translate_batches([[texts[i] for i in indices] for indices in todo if indices])
        out: list[Translation | None] = [known.get(i) for i in range(len(texts))]
        for batch, indices in zip(plan, todo):
            if indices:
                results = next(done)
                self.counters.add(results)
                for i, result in zip(indices, results):
                    out[i] = result
                if on_batch:
                    on_batch([texts[i] for i in indices], results)
            if progress:
                progress(len(batch))
        return [t if t is not None else Translation("") for t in out]

    def translate_batches(self, batches: Sequence[list[str]]) -> Iterator[list[Translation]]:
        """Translate the batches in order, yielding each one's results as it is
        done. A backend that runs several batches at once overrides this (and
        still yields in order, so the output does not depend on the timing)."""
        for texts in batches:
            yield self.translate_splitting(texts)

    def output_bound(self, n_tokens: int) -> int | None:
        """The output length bound of a text of `n_tokens` source tokens. Texts with
        different bounds never share a batch, so the bound is the text's own."""
        return self.settings.max_new_tokens

    def translate_splitting(self, texts: list[str]) -> list[Translation]:
        """`_translate_batch`, but a batch that runs out of device memory is split
        in halves and retried; a single text that does not fit still fails."""
        try:
            return [r if isinstance(r, Translation) else Translation(r) for r in self._translate_batch(texts)]
        except Exception as exc:  # noqa: BLE001 - only memory errors are handled
            if len(texts) < 2 or not self.is_out_of_memory(exc):
                raise
        self.counters.oom_splits += 1
        log.warning("out of memory on a batch of %d; splitting it and retrying", len(texts))
        self.free_memory()
        half = len(texts) // 2
        return self.translate_splitting(texts[:half]) + self.translate_splitting(texts[half:])

    def is_out_of_memory(self, exc: BaseException) -> bool:
        """True if `exc` says the device ran out of memory (torch and CTranslate2
        both put "out of memory" in the message)."""
        if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
            return True
        return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()

    def free_memory(self) -> None:
        """Release cached device memory before a retry (backends override)."""

    def __enter__(self) -> Translator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class TranslatorWrapper(Translator):
    """A layer over another translator (e.g. the cache): the same interface,
    the same `counters` object, and everything it does not change forwarded to
    `inner` explicitly (nothing else is proxied)."""

    def __init__(self, inner: Translator):
        super().__init__(inner.model_name, inner.settings)
        self.inner = inner
        self.counters = inner.counters
        self.backend_name = inner.backend_name

    @property
    def max_input_tokens(self) -> int:  # type: ignore[override]
        """The inner translator's."""
        return self.inner.max_input_tokens

    def translate_detailed(self, texts, progress=None, on_batch=None, known=None) -> list[Translation]:
        """Forwarded to the inner translator (a layer overrides it to do its part)."""
        return self.inner.translate_detailed(texts, progress=progress, on_batch=on_batch, known=known)

    def _translate_batch(self, texts: list[str]) -> Sequence[Translation | str]:
        return self.inner._translate_batch(texts)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Forwarded to the inner translator."""
        return self.inner.count_tokens(texts)

    def with_settings(self, **changes) -> Translator:
        """A copy of this layer over the inner translator's `with_settings(**changes)`."""
        other = copy.copy(self)
        other.inner = self.inner.with_settings(**changes)
        other.settings = other.inner.settings
        return other

    def output_bound(self, n_tokens: int) -> int | None:
        """Forwarded to the inner translator."""
        return self.inner.output_bound(n_tokens)

    def describe(self) -> dict:
        """Forwarded to the inner translator."""
        return self.inner.describe()

    def close(self) -> None:
        """Closes the inner translator."""
        self.inner.close()


def _entry_points() -> dict:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def backend_names() -> list[str]:
    """Every backend `--backend` accepts: built in, registered, or declared by an installed package."""
    return sorted(set(BACKEND_MODULES) | set(BACKENDS) | set(_entry_points()))


def load_entry_point(name: str) -> type[Translator]:
    """Load the `nlen.backends` entry point `name` and register its class under `name`."""
    ep = _entry_points().get(name)
    if ep is None:
        raise UserError(f"unknown backend {name!r} (choose from {', '.join(backend_names())})")
    try:
        cls = ep.load()
    except Exception as exc:  # noqa: BLE001 - a third-party module can fail in any way
        raise UserError(
            f"backend {name!r}: entry point {ep.value} cannot be loaded ({type(exc).__name__}: {exc})"
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, Translator)):
        raise UserError(f"backend {name!r}: entry point {ep.value} is not a Translator subclass")
    return register_backend(name)(cls)


def backend_class(backend: str) -> type[Translator]:
    """The backend registered under `backend`, its module imported on demand (a built-in
    one) or its entry point loaded (a third-party one)."""
    if backend not in BACKENDS:  # registered already (e.g. by a test) or imported on demand
        if backend not in BACKEND_MODULES:
            return load_entry_point(backend)
        try:
            importlib.import_module(BACKEND_MODULES[backend])
        except ImportError as exc:
            raise UserError(
                f"backend {backend!r} needs a package that is not installed: {exc.name} (pip install {exc.name})"
            ) from exc
    return BACKENDS[backend]


def load_translator(backend: str, model: str, settings: GenerationSettings, **options) -> Translator:
    """Build a backend; `options` go to it (e.g. revision=, family=). Options it
    cannot honour are refused before the model is loaded (`check_options`).
    Commands use `pipeline.translate.open_translator`, which adds the cache."""
    cls = backend_class(backend)
    cls.check_options(str(model), settings, options.get("revision"))
    return cls(str(model), settings, **options)
