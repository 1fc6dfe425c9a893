"""Backend on CTranslate2: the same Hugging Face checkpoint, converted once and
run with int8 (CPU) or int8_float16 (CUDA) kernels. The default backend.

On first use the model is converted with `ctranslate2.converters.TransformersConverter`
into `<cache>/ct2/<model>--<revision>--<quantisation>` (cache: `$NLEN_CACHE_DIR`,
else `~/.cache/nlen`). The conversion is written into a temporary folder beside
it, with a record of its files' sizes and SHA-256 (`nlen-conversion.json`), and
renamed into place, so a half-done conversion is never picked up. Later runs
check the record and load the folder; a damaged one (a file missing, changed
or unloadable) is converted again and swapped in. Tokenisation uses the model's
own transformers tokenizer, so the token ids are the ones the transformers
backend sees.

Several batches are in flight at once, one per CTranslate2 translator (CPU:
`inter_threads`; GPU: one per device in `--device cuda:0,1`), and their
results are taken in order, so the output does not depend on the timing.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

from pipeline.errors import UserError
from pipeline.provenance import local_model_fingerprint
from pipeline.translate.base import GenerationSettings, Translation, no_cuda_error, parse_device, register_backend
from pipeline.translate.cache import check_cache_dir, default_cache_dir
from pipeline.translate.hf import (
    HFTranslator,
    check_finite_weights,
    hub_preflight,
    load_hf,
    quiet_transformers,
    resolved_revision,
)
from pipeline.translate.nocopy import as_token_sequences

log = logging.getLogger(__name__)

COMPUTE_TYPES = (
    "auto",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)
# Quantisation used when converting for a compute type (a model converted to
# int8 can run as int8_float16 on a GPU; float types are converted as they run).
CONVERT_AS = {"int8_float32": "int8", "int8_float16": "int8", "int8_bfloat16": "int8"}
RECORD = "nlen-conversion.json"  # files of a finished conversion, with sizes and hashes
WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)  # OSErrors of writing, not of a damaged model
CONVERSION_ADVICE = "set NLEN_CACHE_DIR to a writable folder, or use --backend transformers"


def cpu_threads() -> int:
    """The cores this process may use: its CPU affinity, capped by OMP_NUM_THREADS
    when set (Ray sets it to an actor's CPUs)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    omp = os.environ.get("OMP_NUM_THREADS", "")
    if omp.isdigit() and int(omp) > 0:
        n = min(n, int(omp))
    return max(1, n)


def default_threads(cores: int) -> tuple[int, int]:
    """(inter_threads, intra_threads) on CPU: one single-threaded translator per
    core, each working on its own batch. Measured by `make bench`'s sweep
    (eval/reports/bench.md): on 2 cores, 2 × 1 ran about 1.5× as fast as 1 × 2
    at every batch size (README, Speed). Not measured beyond 2 cores."""
    return cores, 1


def cpu_layout(cores: int, inter: int | None, intra: int | None) -> tuple[int, int]:
    """(inter, intra) threads: the measured default, or what was asked for, the
    other one filling the cores (--inter-threads 1 alone gives 1 × cores)."""
    if inter and intra:
        return inter, intra
    if inter:
        return inter, max(1, cores // inter)
    if intra:
        return max(1, cores // intra), intra
    return default_threads(cores)


def resolve_ct2_device(device: str) -> tuple[str, list[int]]:
    """'auto' → every GPU CTranslate2 sees, else the CPU; 'cuda:N,M' → those GPUs.
    Never requires CUDA: asking for it where there is none is one clear error."""
    import ctranslate2

    kind, indices = parse_device(device)
    count = ctranslate2.get_cuda_device_count()
    if kind == "auto":
        return ("cuda", list(range(count))) if count else ("cpu", [])
    if kind == "cpu":
        return "cpu", []
    if not count:
        raise no_cuda_error(device, "CTranslate2")
    if max(indices) >= count:
        raise UserError(
            f"--device {device}: CTranslate2 sees only {count} CUDA device{'s' if count > 1 else ''} "
            f"(numbered 0 to {count - 1})"
        )
    return "cuda", indices


def resolve_compute_type(requested: str | None, device: str) -> str:
    """int8 on CPU; int8_float16 on CUDA (float16 if the GPU lacks int8 kernels)."""
    import ctranslate2

    supported = ctranslate2.get_supported_compute_types(device)
    if requested and requested != "auto":
        check_compute_type(requested)
        if requested not in supported:
            raise UserError(
                f"--compute-type {requested} is not supported on {device} here "
                f"(supported: {', '.join(sorted(supported))})"
            )
        return requested
    for choice in ("int8_float16", "float16", "float32") if device == "cuda" else ("int8", "int8_float32", "float32"):
        if choice in supported:
            return choice
    return "float32"


def check_compute_type(requested: str | None) -> None:
    """Refuse (UserError) a --compute-type that is not one of COMPUTE_TYPES; None is fine."""
    if requested and requested not in COMPUTE_TYPES:
        raise UserError(f"unknown --compute-type {requested!r} (choose from {', '.join(COMPUTE_TYPES)})")


def ct2_cache_root() -> Path:
    """The folder that holds converted models: `ct2` in the cache folder."""

    return default_cache_dir() / "ct2"


def converted_dir(model: str, revision: str | None, quantization: str, root: Path | None = None) -> Path:
    """`<root>/<model>--<revision>--<quantisation>`; a local model directory is
    keyed by its absolute path and a fingerprint of its files instead."""
    root = root or ct2_cache_root()
    if Path(model).is_dir():
        absolute = str(Path(model).resolve())
        name = "local-" + re.sub(r"[^A-Za-z0-9._-]+", "_", Path(absolute).name)
        fingerprint = local_model_fingerprint(model)
        assert fingerprint is not None  # only None for a non-directory, and model is one
        rev = hashlib.sha256(absolute.encode()).hexdigest()[:8] + "-" + fingerprint.split(":")[1]
    else:
        name = re.sub(r"[^A-Za-z0-9._-]+", "--", model)
        rev = revision or "unknown"
    return root / f"{name}--{rev}--{quantization}"


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def conversion_problem(folder: Path) -> str | None:
    """Why a converted folder cannot be used as is (None: it matches its record)."""
    if not folder.is_dir():
        return "missing"
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        files = record["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return f"no valid {RECORD} (an interrupted or older conversion)"
    for name, want in files.items():
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != want["size"] or _file_sha256(path) != want["sha256"]:
            return f"{name} does not match its recorded size and SHA-256"
    return None


def _checked_converter():
    from ctranslate2.converters import TransformersConverter

    class CheckedConverter(TransformersConverter):
        """Refuses weights that are not finite numbers (random bytes inside a
        weights file still parse) rather than converting them."""

        def load_model(self, model_class, model_name_or_path, **kwargs):
            return check_finite_weights(super().load_model(model_class, model_name_or_path, **kwargs))

    return CheckedConverter


def convert_model(model: str, revision: str | None, quantization: str, target: Path) -> Path:
    """Convert atomically: into a temporary folder beside `target`, with the
    record of its files, then rename into place (a broken folder there is
    moved aside in the same step and removed)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise UserError(
            f"{exc.filename or target.parent}: cannot write the CTranslate2 conversion of {model} "
            f"({exc.strerror or exc}); {CONVERSION_ADVICE}"
        ) from None
    started = time.perf_counter()
    log.info("converting %s to CTranslate2 (%s) into %s; later runs reuse it", model, quantization, target)
    try:
        out = tmp / "model"
        try:
            converter = _checked_converter()(model, revision=revision if not Path(model).is_dir() else None)
            converter.convert(str(out), quantization=quantization, force=True)
        except Exception as exc:  # noqa: BLE001 - the weights are read here: a damaged file fails here
            if isinstance(exc, OSError) and exc.errno in WRITE_ERRNOS:
                raise
            detail = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:240]
            raise UserError(
                f"cannot convert model {model} to CTranslate2: its files are missing or damaged ({detail})"
            ) from exc
        files = {
            f.name: {"size": f.stat().st_size, "sha256": _file_sha256(f)} for f in sorted(out.iterdir()) if f.is_file()
        }
        record = {"model": model, "revision": revision, "quantization": quantization, "files": files}
        (out / RECORD).write_text(json.dumps(record, indent=1, allow_nan=False) + "\n", encoding="utf-8")
        if target.exists():  # broken (checked by the caller): moved aside, then replaced
            os.rename(target, tmp / "broken")
        try:
            os.rename(out, target)
        except OSError:
            if conversion_problem(target) is not None:  # not a lost race with another process
                raise
    except OSError as exc:  # a full disk, a folder made read-only meanwhile: the conversion is not kept
        raise UserError(
            f"{target}: cannot write the CTranslate2 conversion of {model} ({exc.strerror or exc}); {CONVERSION_ADVICE}"
        ) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.debug("converted in %.1fs", time.perf_counter() - started)
    return target


def conversions(root: Path | None = None) -> list[dict]:
    """The converted models under `root`: name, path, bytes, and any problem."""
    root = root or ct2_cache_root()
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        out.append({"name": folder.name, "path": str(folder), "bytes": size, "problem": conversion_problem(folder)})
    return out


@register_backend("ctranslate2")
class CTranslate2Translator(HFTranslator):
    """The default backend: the checkpoint converted to CTranslate2 (see the module docstring)."""

    @classmethod
    def check_options(cls, model: str, settings: GenerationSettings, revision: str | None) -> None:
        """Also refuses a compute type or device this machine lacks, and a converted-model folder
        that cannot be written."""
        super().check_options(model, settings, revision)
        check_compute_type(settings.compute_type)
        # A GPU or compute type this machine lacks is refused before any input is read or model loaded.
        resolve_compute_type(settings.compute_type, resolve_ct2_device(settings.device)[0])

        check_cache_dir(ct2_cache_root(), CONVERSION_ADVICE)  # a file in the way fails now, not after loading

    def __init__(
        self, model: str, settings: GenerationSettings, revision: str | None = None, family: str | None = None
    ):
        super().__init__(model, settings)
        import ctranslate2
        from transformers import AutoConfig, AutoTokenizer, GenerationConfig

        quiet_transformers()
        self.device, self.device_index = resolve_ct2_device(settings.device)
        self.compute_type = resolve_compute_type(settings.compute_type, self.device)
        self.quantization = CONVERT_AS.get(self.compute_type, self.compute_type)
        hub_preflight(model)
        config = load_hf(model, revision, AutoConfig.from_pretrained, "configuration")
        tokenizer = load_hf(model, revision, AutoTokenizer.from_pretrained, "tokenizer")
        self.revision = resolved_revision(model, revision, config)
        try:
            # None is the hub's default branch at run time; the annotation says str only
            gen = GenerationConfig.from_pretrained(model, revision=revision)  # type: ignore[arg-type]
        except (OSError, ValueError):
            gen = GenerationConfig.from_model_config(config)
        self.setup_prompting(config, tokenizer, gen, family)
        self.target_prefix = self._target_prefix()
        # transformers forces the end token as the last of max_new_tokens when the
        # model asks for it (opus-mt does); CTranslate2 stops after its last step
        # with no end token, so it gets one step fewer to produce the same tokens.
        self.forced_eos = getattr(gen, "forced_eos_token_id", None) is not None
        if self.device == "cpu":
            self.threads = cpu_layout(cpu_threads(), settings.inter_threads, settings.intra_threads)
        else:
            self.threads = (settings.inter_threads or 1, 0)
        self.parallel = self.threads[0] * max(1, len(self.device_index))  # batches CTranslate2 runs at once
        self.model_dir = converted_dir(model, self.revision, self.quantization)
        self.translator = self._load(ctranslate2, model)

    def _load(self, ctranslate2, model: str):
        """Load the conversion, converting (again) when it is missing or damaged."""
        problem = conversion_problem(self.model_dir)
        for attempt in (1, 2):
            if problem:
                if problem != "missing":
                    log.warning("%s: %s; converting again", self.model_dir, problem)
                convert_model(model, self.revision, self.quantization, self.model_dir)
            try:
                return ctranslate2.Translator(
                    str(self.model_dir),
                    device=self.device,
                    device_index=self.device_index or 0,
                    compute_type=self.compute_type,
                    inter_threads=self.threads[0],
                    intra_threads=self.threads[1],
                )
            except (RuntimeError, ValueError, OSError) as exc:
                problem = f"cannot be loaded ({' '.join(str(exc).split())[:200]})"
                if attempt == 2:
                    raise UserError(f"{self.model_dir}: the CTranslate2 conversion of {model} {problem}") from exc

    def _target_prefix(self) -> list[str] | None:
        """Family generate kwargs → CTranslate2: a forced first target token becomes
        the target prefix; nothing else is supported (fail loudly, not silently)."""
        kwargs = dict(self.family.generate_kwargs(self.tokenizer))
        prefix = None
        if kwargs.get("forced_bos_token_id") is not None:
            prefix = [self.tokenizer.convert_ids_to_tokens(kwargs.pop("forced_bos_token_id"))]
        kwargs.pop("forced_bos_token_id", None)
        if kwargs:
            raise UserError(
                f"model family {self.family.name} needs generate options the ctranslate2 "
                f"backend does not map ({', '.join(sorted(kwargs))}); use --backend transformers"
            )
        return prefix

    # --- translation: batches are submitted asynchronously and collected in order
    def _submit(self, texts: list[str]):
        ids = self.encode(texts)
        source = [self.tokenizer.convert_ids_to_tokens(x) for x in ids]
        limit = max(1, self.output_bound(max(len(x) for x in ids)) - (1 if self.forced_eos else 0))
        if self.settings.no_copy_ngram_size:
            # CTranslate2 suppresses sequences for a whole batch: each text on its own
            bans = self.copy_bans(texts)
            pending = []
            for one, banned in zip(source, bans):
                suppress = as_token_sequences(self.tokenizer, banned) or None
                pending += self._translate_async([one], limit, suppress_sequences=suppress)
            return limit, pending
        return limit, self._translate_async(source, limit)

    def _translate_async(self, source: list[list[str]], limit: int, **extra):
        return self.translator.translate_batch(
            source,
            target_prefix=[self.target_prefix] * len(source) if self.target_prefix else None,
            beam_size=self.num_beams,
            length_penalty=self.length_penalty,
            max_input_length=self.max_input_tokens,
            max_decoding_length=limit,
            min_decoding_length=min(self.settings.min_new_tokens or 1, limit),
            no_repeat_ngram_size=self.settings.no_repeat_ngram_size or 0,
            max_batch_size=0,
            return_scores=True,
            asynchronous=True,
            **extra,
        )

    def _collect(self, limit: int, pending) -> list[Translation]:
        return [self._translation(r.result(), limit) for r in pending]

    def _translation(self, result, limit: int) -> Translation:
        hypothesis = result.hypotheses[0]
        ended = len(hypothesis) < limit  # else cut at the limit, with no end token
        chosen = len(hypothesis) + (1 if ended else 0)  # tokens the model chose, end token included
        # CTranslate2's score is the sum of the chosen tokens' log-probabilities over
        # chosen ** length_penalty (greedy and beam alike; checked against score_batch
        # in tests/test_ctranslate2.py), so the mean is score * chosen ** (penalty - 1)
        score = result.scores[0] * chosen ** (self.length_penalty - 1)
        text = self.tokenizer.decode(self.tokenizer.convert_tokens_to_ids(hypothesis), skip_special_tokens=True)
        # + the end token, which CTranslate2 does not return: there is one unless the output
        # was cut at the length limit without a forced end token (transformers counts alike)
        return Translation(
            text.strip(),
            len(hypothesis) + (1 if self.forced_eos or ended else 0),
            truncated=not ended,
            logprob=float(score),
        )

    def _translate_batch(self, texts: list[str]) -> list[Translation]:
        return self._collect(*self._submit(texts))

    def translate_batches(self, batches: Sequence[list[str]]) -> Iterator[list[Translation]]:
        """Keep one batch more in flight than CTranslate2 has translators, so none
        waits for Python; yield the results in order. A batch that ran out of
        memory is done again on its own, split in halves as needed."""
        if self.parallel < 2:
            yield from super().translate_batches(batches)
            return
        in_flight: deque = deque()

        def collect(texts, limit, pending):
            try:
                return self._collect(limit, pending)
            except Exception as exc:  # noqa: BLE001 - only memory errors are handled
                if len(texts) < 2 or not self.is_out_of_memory(exc):
                    raise
                return self.translate_splitting(texts)

        for texts in batches:
            in_flight.append((texts, *self._submit(texts)))
            if len(in_flight) > self.parallel:
                yield collect(*in_flight.popleft())
        while in_flight:
            yield collect(*in_flight.popleft())

    def describe(self) -> dict:
        """Adds the device, compute type, converted model folder and threads."""
        return {
            "backend": self.backend_name,
            "model": self.model_name,
            "revision": self.revision,
            "family": self.family.name,
            "device": self.device,
            "device_index": self.device_index or None,
            "compute_type": self.compute_type,
            "converted_model": str(self.model_dir),
            "generation": self.describe_generation(
                **({"target_prefix": self.target_prefix} if self.target_prefix else {})
            ),
            "source_prefix": self.prefix,
            "threads": {"inter": self.threads[0], "intra": self.threads[1]}
            if self.device == "cpu"
            else {"inter": self.threads[0]},
        }

    def close(self) -> None:
        """Drops the CTranslate2 translator, and with it the model's memory."""
        self.translator = None
