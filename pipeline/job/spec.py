"""The job's settings: what the user asked for (`TranslateJob`), the device it
resolves to, and the configuration hash that names equal output."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.document.jsonl import DEFAULT_SHARD_SIZE
from pipeline.document.repair import DEFAULT_THRESHOLD
from pipeline.errors import UserError
from pipeline.provenance import local_model_fingerprint, package_versions
from pipeline.translate.base import GenerationSettings

# Packages whose version can change the output bytes (with nlen's own: splitter
# rules, aligner, repair): part of the configuration hash.
# py3langid (with numpy, which it and the aligner compute with) decides the flags column.
OUTPUT_PACKAGES = (
    "torch",
    "transformers",
    "tokenizers",
    "sentencepiece",
    "ctranslate2",
    "sentence-splitter",
    "sacrebleu",
    "py3langid",
    "numpy",
)
# Settings that lay the work out without changing a byte of it (as the translation
# cache holds: pipeline/translate/cache.py); left out of the request, so of the config hash.
LAYOUT_SETTINGS = ("inter_threads", "intra_threads")


@dataclass
class TranslateJob:
    """Everything one `nlen translate` run was asked to do."""

    out_dir: Path
    model: str
    backend: str = "ctranslate2"
    revision: str | None = None
    family: str | None = None
    settings: GenerationSettings = field(default_factory=GenerationSettings)
    unit: str = "paragraph"  # what the model translates at once: paragraph or sentence (pipeline/document/core.py)
    aligner: str = "default"
    repair_threshold: float = DEFAULT_THRESHOLD  # bead confidence below which sentences are re-translated alone
    force: bool = False  # redo units whose outputs are up to date
    progress: bool = True
    cache: bool = True  # translation cache (pipeline/translate/cache.py)
    cache_dir: Path | None = None  # default: $NLEN_CACHE_DIR or ~/.cache/nlen
    shard_size: int = DEFAULT_SHARD_SIZE  # JSONL records per shard
    executor: str = "local"  # local | ray
    ray_address: str | None = None  # None: $RAY_ADDRESS, else a Ray started on this machine
    workers: int | None = None  # Ray actors; None: as many as the cluster's CPUs (or GPUs) hold
    cpus_per_worker: float = 1.0
    gpus_per_worker: float = 0.0
    translate_all: bool = False  # also send sentences identified as English to the model
    documents: Path | None = None  # write each translated document here, in its own format
    extract: bool = False  # HTML: the main content of a crawled page only (trafilatura)

    def request(self) -> dict:
        """What the user asked for; equal requests on equal input give equal output.
        The shard size is in it: shards of another size are other units."""
        settings = {k: v for k, v in self.settings.to_dict().items() if k not in LAYOUT_SETTINGS}
        return {
            "model": self.model,
            "backend": self.backend,
            "revision": self.revision,
            "family": self.family,
            "model_fingerprint": local_model_fingerprint(self.model),
            "settings": settings,
            "unit": self.unit,
            "aligner": self.aligner,
            "repair_threshold": self.repair_threshold,
            "shard_size": self.shard_size,
            "translate_all": self.translate_all,
            "extract": self.extract,
            "nlen": __version__,
        }


def resolved_device(job: TranslateJob) -> str:
    """The device the translators will use; it changes the output, so it is part of the config."""
    device = job.settings.device
    if job.executor == "ray":  # one GPU per actor, or none
        if device.startswith("cuda") and not job.gpus_per_worker:
            raise UserError(f"--device {device} with --executor ray needs --gpus-per-worker (e.g. 1)")
        if device not in ("auto", "cpu", "cuda"):
            raise UserError(
                f"--device {device}: on Ray each actor gets its own GPU (--gpus-per-worker); use --device auto"
            )
        if device == "cpu" and job.gpus_per_worker:
            raise UserError("--gpus-per-worker was given with --device cpu; drop one of them")
        return "cuda" if job.gpus_per_worker else "cpu"
    if device != "auto":
        return device
    if job.backend == "ctranslate2":
        import ctranslate2

        count = ctranslate2.get_cuda_device_count()
        return f"cuda:{','.join(map(str, range(count)))}" if count else "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def config_hash(job: TranslateJob) -> str:
    """12 hex digits of the SHA-256 of everything that changes the output: the
    request (model, revision or local fingerprint, backend, compute type, beam and
    the other generation settings but the thread counts, aligner, repair
    threshold, JSONL shard size, nlen version), the device it resolves to, and the
    versions of the packages that compute it."""
    data = {"request": job.request(), "device": resolved_device(job), "packages": package_versions(OUTPUT_PACKAGES)}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str, allow_nan=False).encode()).hexdigest()[:12]
