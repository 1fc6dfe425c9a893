"""Backend on CTranslate2: the same Hugging Face checkpoint, converted once and
run with int8 (CPU) or int8_float16 (CUDA) kernels.

On first use the model is converted with `ctranslate2.converters.TransformersConverter`
into `<cache>/ct2/<model>--<revision>--<quantisation>` (cache: `$NLEN_CACHE_DIR`,
else `~/.cache/nlen`). The conversion is written into a temporary folder beside
it and renamed into place, so a half-done conversion is never picked up; later
runs load the converted folder directly. Tokenisation uses the model's own
transformers tokenizer, so the token ids are the ones the transformers backend sees.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from pipeline.errors import UserError
from pipeline.translate.base import GenerationSettings, register_backend
from pipeline.translate.hf import HFTranslator, load_hf, quiet_transformers

log = logging.getLogger(__name__)

COMPUTE_TYPES = ("auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16", "float32")
# Quantisation used when converting for a compute type (a model converted to
# int8 can run as int8_float16 on a GPU; float types are converted as they run).
CONVERT_AS = {"int8_float32": "int8", "int8_float16": "int8", "int8_bfloat16": "int8"}


def cpu_threads() -> int:
    """$OMP_NUM_THREADS when set (a Ray actor's share of the CPUs), else every CPU this process may use."""
    if os.environ.get("OMP_NUM_THREADS", "").isdigit() and int(os.environ["OMP_NUM_THREADS"]) > 0:
        return int(os.environ["OMP_NUM_THREADS"])
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def resolve_ct2_device(device: str) -> str:
    """'auto' → 'cuda' when CTranslate2 sees a GPU, else 'cpu'. Never requires CUDA."""
    import ctranslate2

    cuda = ctranslate2.get_cuda_device_count() > 0
    if device == "auto":
        return "cuda" if cuda else "cpu"
    if device == "cuda" and not cuda:
        raise UserError("--device cuda was asked for, but CTranslate2 sees no CUDA device")
    if device not in ("cpu", "cuda"):
        raise UserError(f"unknown device {device!r} (choose auto, cpu or cuda)")
    return device


def resolve_compute_type(requested: str | None, device: str) -> str:
    """int8 on CPU; int8_float16 on CUDA (float16 if the GPU lacks int8 kernels)."""
    import ctranslate2

    supported = ctranslate2.get_supported_compute_types(device)
    if requested and requested != "auto":
        if requested not in COMPUTE_TYPES:
            raise UserError(f"unknown compute type {requested!r} (choose from {', '.join(COMPUTE_TYPES)})")
        if requested not in supported:
            raise UserError(f"compute type {requested} is not supported on {device} here "
                            f"(supported: {', '.join(sorted(supported))})")
        return requested
    for choice in (("int8_float16", "float16", "float32") if device == "cuda" else ("int8", "int8_float32", "float32")):
        if choice in supported:
            return choice
    return "float32"


def ct2_cache_root() -> Path:
    from pipeline.cache import default_cache_dir

    return default_cache_dir() / "ct2"


def converted_dir(model: str, revision: str | None, quantization: str, root: Path | None = None) -> Path:
    """`<root>/<model>--<revision>--<quantisation>`; a local model directory is
    keyed by its absolute path and a fingerprint of its files instead."""
    root = root or ct2_cache_root()
    if Path(model).is_dir():
        from pipeline.provenance import local_model_fingerprint

        absolute = str(Path(model).resolve())
        name = "local-" + re.sub(r"[^A-Za-z0-9._-]+", "_", Path(absolute).name)
        rev = hashlib.sha256(absolute.encode()).hexdigest()[:8] + "-" + local_model_fingerprint(model).split(":")[1]
    else:
        name = re.sub(r"[^A-Za-z0-9._-]+", "--", model)
        rev = revision or "unknown"
    return root / f"{name}--{rev}--{quantization}"


def convert_model(model: str, revision: str | None, quantization: str, target: Path) -> Path:
    """Convert atomically: into a temporary folder beside `target`, then rename."""
    if (target / "model.bin").is_file():
        return target
    from ctranslate2.converters import TransformersConverter

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    started = time.perf_counter()
    log.info("converting %s to CTranslate2 (%s) into %s; later runs reuse it", model, quantization, target)
    try:
        try:
            converter = TransformersConverter(model, revision=revision if not Path(model).is_dir() else None)
            converter.convert(str(tmp / "model"), quantization=quantization, force=True)
        except (OSError, ValueError) as exc:
            raise UserError(f"cannot convert model {model!r} to CTranslate2: {exc}".splitlines()[0]) from exc
        try:
            os.rename(tmp / "model", target)
        except OSError:
            if not (target / "model.bin").is_file():  # not a lost race with another process
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.debug("converted in %.1fs", time.perf_counter() - started)
    return target


@register_backend("ctranslate2")
class CTranslate2Translator(HFTranslator):
    def __init__(self, model: str, settings: GenerationSettings, revision: str | None = None, family: str | None = None):
        super().__init__(model, settings)
        import ctranslate2
        from transformers import AutoConfig, AutoTokenizer, GenerationConfig

        quiet_transformers()
        self.device = resolve_ct2_device(settings.device)
        self.compute_type = resolve_compute_type(settings.compute_type, self.device)
        self.quantization = CONVERT_AS.get(self.compute_type, self.compute_type)
        config = load_hf(model, revision, AutoConfig.from_pretrained)
        tokenizer = load_hf(model, revision, AutoTokenizer.from_pretrained)
        self.revision = getattr(config, "_commit_hash", None) or revision
        try:
            gen = GenerationConfig.from_pretrained(model, revision=revision)
        except (OSError, ValueError):
            gen = GenerationConfig.from_model_config(config)
        self.setup_prompting(config, tokenizer, gen, family)
        self.target_prefix = self._target_prefix()
        # transformers forces the end token as the last of max_new_tokens when the
        # model asks for it (opus-mt does); CTranslate2 stops after its last step
        # with no end token, so it gets one step fewer to produce the same tokens.
        self.forced_eos = getattr(gen, "forced_eos_token_id", None) is not None
        self.model_dir = convert_model(model, self.revision, self.quantization,
                                       converted_dir(model, self.revision, self.quantization))
        self.threads = cpu_threads()
        self.translator = ctranslate2.Translator(
            str(self.model_dir), device=self.device, compute_type=self.compute_type,
            inter_threads=1, intra_threads=self.threads if self.device == "cpu" else 0,
        )

    def _target_prefix(self) -> list[str] | None:
        """Family generate kwargs → CTranslate2: a forced first target token becomes
        the target prefix; nothing else is supported (fail loudly, not silently)."""
        kwargs = dict(self.family.generate_kwargs(self.tokenizer))
        prefix = None
        if kwargs.get("forced_bos_token_id") is not None:
            prefix = [self.tokenizer.convert_ids_to_tokens(kwargs.pop("forced_bos_token_id"))]
        kwargs.pop("forced_bos_token_id", None)
        if kwargs:
            raise UserError(f"model family {self.family.name} needs generate options the ctranslate2 "
                            f"backend does not map ({', '.join(sorted(kwargs))}); use --backend transformers")
        return prefix

    def _translate_batch(self, texts: list[str]) -> list[str]:
        ids = self.encode(texts)
        source = [self.tokenizer.convert_ids_to_tokens(x) for x in ids]
        limit = self.output_bound(max(len(x) for x in ids)) - (1 if self.forced_eos else 0)
        limit = max(1, limit)
        results = self.translator.translate_batch(
            source,
            target_prefix=[self.target_prefix] * len(source) if self.target_prefix else None,
            beam_size=self.num_beams,
            length_penalty=self.length_penalty,
            max_input_length=self.max_input_tokens,
            max_decoding_length=limit,
            min_decoding_length=min(self.settings.min_new_tokens or 1, limit),
            max_batch_size=0,
            return_scores=False,
        )
        # + the end token, which CTranslate2 does not return: there is one unless the output
        # was cut at the length limit without a forced end token (transformers counts alike)
        self.target_tokens += sum(len(r.hypotheses[0]) + (1 if self.forced_eos or len(r.hypotheses[0]) < limit else 0)
                                  for r in results)
        out = []
        for r in results:
            target_ids = self.tokenizer.convert_tokens_to_ids(r.hypotheses[0])
            out.append(self.tokenizer.decode(target_ids, skip_special_tokens=True).strip())
        return out

    def describe(self) -> dict:
        return {
            "backend": self.backend_name,
            "model": self.model_name,
            "revision": self.revision,
            "family": self.family.name,
            "device": self.device,
            "compute_type": self.compute_type,
            "converted_model": str(self.model_dir),
            "generation": self.describe_generation(**({"target_prefix": self.target_prefix} if self.target_prefix else {})),
            "source_prefix": self.prefix,
            "threads": self.threads if self.device == "cpu" else None,
        }

    def close(self) -> None:
        self.translator = None
