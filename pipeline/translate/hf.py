"""What the two backends on a Hugging Face checkpoint share: loading with a
clear error, the model family's prompting, the input limit, the output bound,
token counting and the generation part of the provenance."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pipeline.errors import UserError
from pipeline.textio import file_problem
from pipeline.translate.base import Translator, parse_device
from pipeline.translate.families import resolve_family
from pipeline.translate.nocopy import Banned, copy_ngrams

log = logging.getLogger(__name__)

# Output bound when --max-new-tokens is not given: generous for nl→en (English
# is rarely more than 1.5× the Dutch in tokens) but never unbounded.
AUTO_MAX_NEW_TOKENS = "min(model limit, 2 x source tokens + 16 rounded up to a multiple of 32)"


# A model's input and output are bounded by this many positions at most.
MAX_POSITIONS = 512


def position_limit(model: str) -> int:
    """The most positions a model's input or output may have, as far as it can be
    known without loading the model (its config.json, when it is a local folder)."""
    limit = MAX_POSITIONS
    try:
        data = json.loads((Path(model).expanduser() / "config.json").read_text(encoding="utf-8"))
        n = data.get("max_position_embeddings")
        if isinstance(n, int) and n > 0:
            limit = min(limit, n)
    except (OSError, ValueError, AttributeError):
        pass
    return limit


def check_output_bound(model: str, max_new_tokens: int | None) -> None:
    """Refuse (UserError) a --max-new-tokens over the model's position limit, as far as it is
    known before loading."""
    limit = position_limit(model)
    if max_new_tokens and max_new_tokens > limit:
        raise UserError(f"--max-new-tokens {max_new_tokens} is over the model's limit of {limit} positions")


def missing_model_message(model: str, exc: Exception) -> str:
    """The error message for a hub model that is neither a local folder nor downloadable, with
    how to get it."""
    return (
        f"cannot load model {model!r}: it is not a local directory and could not be downloaded "
        f"({type(exc).__name__}). Download it once with `hf download {model}` (older huggingface_hub: "
        f"`huggingface-cli download {model}`), then run with HF_HUB_OFFLINE=1; or pass a local model "
        "directory with --model DIR / MODEL=DIR"
    )


def looks_like_path(model: str) -> bool:
    """A hub id is 'name' or 'org/name'; anything else is meant as a directory."""
    return model.startswith(("/", "./", "../", "~")) or model.count("/") > 1 or Path(model).exists()


def check_model_options(model: str, revision: str | None) -> None:
    """--revision pins a hub model; a local directory has none to pin (refused
    rather than silently ignored and then recorded in the manifest)."""
    if revision and looks_like_path(model):
        raise UserError(
            f"--revision {revision} applies to hub models, but {model} is a local directory "
            "(it has no revisions); drop --revision"
        )


def hub_preflight(model: str) -> None:
    """Before a hub model is loaded: when the hub's host cannot even be resolved
    (no network), switch this process to offline mode at once, so the local
    Hugging Face cache answers or the load fails now, instead of after a minute
    of retries. Each retry warning the hub logs is printed once (its own handler
    is removed; ours prints it)."""
    import socket
    from urllib.parse import urlparse

    from huggingface_hub import constants

    hub_log = logging.getLogger("huggingface_hub")
    for handler in list(hub_log.handlers):
        hub_log.removeHandler(handler)
    if looks_like_path(model) or constants.HF_HUB_OFFLINE:
        return
    host = urlparse(constants.ENDPOINT).hostname or ""
    try:
        socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        log.warning("the Hugging Face hub (%s) cannot be resolved (offline?): using the local cache only", host)
        os.environ["HF_HUB_OFFLINE"] = "1"  # child processes (conversion, Ray workers) too
        constants.HF_HUB_OFFLINE = True  # read at call time by huggingface_hub and transformers


def load_hf(model: str, revision: str | None, loader, what: str = "model"):
    """Load with the ordinary transformers path; a missing or broken model is a
    UserError naming the model (or directory) and the problem."""
    model = str(model)
    path = Path(model).expanduser()
    if looks_like_path(model):
        if not path.is_dir():
            problem = file_problem(path)  # None: a regular file
            problem = {None: "a file, not a model folder", "no such file or directory": "no such directory"}.get(
                problem, problem
            )
            raise UserError(f"cannot load model {model!r}: {problem}")
        if not (path / "config.json").is_file():
            raise UserError(
                f"cannot load model {model!r}: not a model directory (no config.json); "
                "pass a directory written by save_pretrained or `hf download --local-dir`"
            )
        model = str(path)
    try:
        return loader(model, revision=revision)
    except Exception as exc:  # noqa: BLE001 - any failure to load becomes one line naming the model
        detail = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:240]
        if path.is_dir():
            files = ", ".join(sorted(f.name for f in path.iterdir())) or "none"
            found = (missing_tokenizer_files(path) if what == "tokenizer" else "") or (
                broken_json(path) if isinstance(exc, json.JSONDecodeError) else ""
            )
            raise UserError(
                f"cannot load the {what} from model directory {model}: its files are missing or "
                f"damaged ({found or detail}); files there: {files}"
            ) from exc
        if isinstance(exc, (OSError, ValueError)):
            raise UserError(missing_model_message(model, exc)) from exc
        raise UserError(
            f"cannot load the {what} of {model!r} from the Hugging Face cache: it is damaged "
            f"({detail}); download it again with `hf download {model} --force-download`"
        ) from exc


def missing_tokenizer_files(folder: Path) -> str:
    """Which files the tokenizer class named in tokenizer_config.json needs and the
    folder lacks (its required file arguments), e.g. "source.spm, vocab.json missing";
    "" when that cannot be told."""
    import inspect

    try:
        name = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8")).get("tokenizer_class")
        import transformers

        cls: Any = getattr(transformers, str(name), None)  # None: its AttributeError below gives ""
        required = [
            k
            for k, p in inspect.signature(cls.__init__).parameters.items()
            if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD and k != "self"
        ]
        names = [cls.vocab_files_names[k] for k in required if k in cls.vocab_files_names]
    except Exception:  # noqa: BLE001 - no config, another layout: the loader's own error is shown
        return ""
    missing = [n for n in names if not (folder / n).is_file()]
    return f"{', '.join(missing)} missing ({name} needs {', '.join(names)})" if missing else ""


def broken_json(folder: Path) -> str:
    """The first .json file in `folder` that does not parse, e.g. "vocab.json is not valid
    JSON (line 2 column 1)" (a JSONDecodeError from transformers names no file)."""
    for file in sorted(folder.glob("*.json")):
        try:
            json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            where = f"line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else str(exc)
            return f"{file.name} is not valid JSON ({where})"
    return ""


class NonFiniteWeights(Exception):
    """Weights that parse but are not finite numbers: random bytes inside a weights file."""


def check_finite_weights(model):
    """`model`, if its weights are finite numbers and its buffers hold no NaN (a
    buffer may hold -inf as a mask). Else every output would be empty or garbage,
    with no error."""
    import torch

    tensors: list[tuple[str, torch.Tensor, Callable[[torch.Tensor], torch.Tensor]]]
    tensors = [(name, t, torch.isfinite) for name, t in model.named_parameters()]
    tensors += [(name, t, lambda x: ~torch.isnan(x)) for name, t in model.named_buffers()]
    for name, tensor, ok in tensors:
        if tensor.is_floating_point() and not bool(ok(tensor).all()):
            bad = tensor.numel() - int(ok(tensor).sum())
            raise NonFiniteWeights(f"{bad} of the {tensor.numel()} values of {name} are not finite numbers")
    return model


def resolved_revision(model: str, revision: str | None, config) -> str | None:
    """The commit a hub model was loaded from: transformers' `_commit_hash`, else
    the snapshot folder the local hub cache holds for it (offline loads may not
    set the hash); None for a local directory."""
    commit = getattr(config, "_commit_hash", None)
    if commit or looks_like_path(model):
        return commit or None
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(model, "config.json", revision=revision)
    except Exception:  # noqa: BLE001 - provenance falls back to what was asked for
        found = None
    return Path(found).parent.name if isinstance(found, str) else revision


def quiet_transformers() -> None:
    """transformers' own info logs and progress bars stay off unless -v."""
    import transformers

    if not log.isEnabledFor(logging.DEBUG):
        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()


class HFTranslator(Translator):
    """A backend that tokenises with the checkpoint's own transformers tokenizer."""

    tokenizer: Any
    prefix: str = ""

    @classmethod
    def check_options(cls, model: str, settings, revision: str | None) -> None:
        """Checks the --device spelling, and refuses --revision for a local model folder."""

        parse_device(settings.device)
        check_model_options(model, revision)

    def setup_prompting(self, config: Any, tokenizer: Any, generation_config: Any, family: str | None) -> None:
        """Family, source prefix, beam size, length penalty and input limit,
        resolved from the settings or else the model's own configuration."""
        settings = self.settings
        self.tokenizer = tokenizer
        self.family = resolve_family(self.model_name, config, tokenizer, family)
        self.family.prepare_tokenizer(tokenizer)
        self.prefix = self.family.source_prefix(tokenizer)
        self.num_beams = settings.num_beams or generation_config.num_beams or 1
        penalty = settings.length_penalty if settings.length_penalty is not None else generation_config.length_penalty
        self.length_penalty = 1.0 if penalty is None else penalty  # unset: transformers' default
        limits = [getattr(tokenizer, "model_max_length", None), getattr(config, "max_position_embeddings", None)]
        self.max_input_tokens = min(x for x in limits + [MAX_POSITIONS] if isinstance(x, int) and x > 0)
        # Everything else the checkpoint's generation config sets (bad_words_ids, …) applies too: record it.
        self.model_generation_config = generation_config.to_diff_dict()
        if settings.max_new_tokens and settings.max_new_tokens > self.max_input_tokens:
            raise UserError(
                f"--max-new-tokens {settings.max_new_tokens} is over the model's limit of "
                f"{self.max_input_tokens} positions"
            )

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text with the family's source prefix, not truncated."""
        return self.tokenizer([self.prefix + t for t in texts], truncation=False)["input_ids"]

    def copy_bans(self, texts: Sequence[str]) -> list[Banned]:
        """Per text, the token n-grams that would copy its words (empty without `no_copy_ngram_size`)."""
        n = self.settings.no_copy_ngram_size
        return [copy_ngrams(self.tokenizer, t, n) if n else {} for t in texts]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """The lengths of `encode`'s token ids."""
        return [len(ids) for ids in self.encode(texts)]

    def output_bound(self, n_tokens: int) -> int:
        """--max-new-tokens, else 2 × source tokens + 16 rounded up to a multiple
        of 32 (so that batches can share a bound), within the model's limit."""
        if self.settings.max_new_tokens:
            return self.settings.max_new_tokens
        return min(self.max_input_tokens, -(-(2 * n_tokens + 16) // 32) * 32)

    def describe_generation(self, **extra) -> dict:
        """The resolved generation parameters for `describe`, with `extra` (a backend's own)
        and the checkpoint's generation config."""
        s = self.settings
        return {
            "num_beams": self.num_beams,
            "length_penalty": self.length_penalty,
            "do_sample": False,
            "max_new_tokens": s.max_new_tokens or AUTO_MAX_NEW_TOKENS,
            "max_input_tokens": self.max_input_tokens,
            "batch_size": s.batch_size,
            "batch_tokens": s.batch_tokens,
            **({"min_new_tokens": s.min_new_tokens} if s.min_new_tokens else {}),
            **({"no_repeat_ngram_size": s.no_repeat_ngram_size} if s.no_repeat_ngram_size else {}),
            **({"no_copy_ngram_size": s.no_copy_ngram_size} if s.no_copy_ngram_size else {}),
            **extra,
            "model_generation_config": self.model_generation_config,
        }
