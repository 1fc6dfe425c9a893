"""What `nlen compare` measures around a model and how it names one: model specs
(`MODEL[@BACKEND][#REVISION]`), the peak memory probe, size on disk, parameter count, and
the warm-up that keeps set-up costs out of every model's figures."""

from __future__ import annotations

import logging
import re
import resource
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.document.checks import flag_rows
from pipeline.document.sentences import split_sentences
from pipeline.errors import UserError
from pipeline.translate.base import BACKEND_MODULES, backend_names
from pipeline.types import AlignedRow

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------
# model specs


@dataclass(frozen=True)
class ModelSpec:
    """One MODEL[@BACKEND][#REVISION] argument of `nlen compare`, parsed."""

    spec: str  # as given on the command line
    model: str  # hub id or local directory
    backend: str
    revision: str | None = None


def display_name(spec: ModelSpec, others: Sequence[ModelSpec] = ()) -> str:
    """The spec as reports and plots show it: a local model by its folder's name, never by the
    absolute path of the machine that ran it (a hub id is shown as given), unless another
    model of the run has a folder of the same name."""
    if not Path(spec.model).is_absolute():
        return spec.spec
    name = Path(spec.model).name
    if any(o.model != spec.model and Path(o.model).name == name for o in others):
        return spec.spec
    return spec.spec.replace(spec.model, name, 1)


def parse_spec(spec: str, default_backend: str = "transformers") -> ModelSpec:
    """`MODEL[@BACKEND][#REVISION]`, the suffixes in either order: e.g.
    `Helsinki-NLP/opus-mt-nl-en`, `models/opus-ct2@ctranslate2`,
    `facebook/nllb-200-distilled-600M#main`, `m@ctranslate2#abc` = `m#abc@ctranslate2`.
    A local path that exists is taken whole, '@' and '#' included."""

    if Path(spec).exists():
        return ModelSpec(spec, spec, default_backend, None)

    # MODEL, then up to one '@BACKEND' and one '#REVISION' in either order. The first
    # '#' ends the model (outside an existing path); after it, an '@' starts the backend
    # and must name a known one; a revision never holds '@', so a second '@' after the
    # '#' ('m#a@ctranslate2@transformers') is refused rather than read as revision 'a@ctranslate2'.
    def known(tail: str) -> str:
        if tail not in backend_names():
            raise UserError(
                f"model {spec!r}: unknown backend {tail!r} after '@' (choose from {', '.join(backend_names())})"
            )
        return tail

    rest, revision, backend = spec, None, None
    if "#" in rest:
        rest, revision = rest.split("#", 1)
        if revision.count("@") > 1:
            raise UserError(
                f"model {spec!r}: more than one '@' after '#' (a revision holds no '@'); "
                "give one backend: MODEL[@BACKEND][#REVISION]"
            )
        if "@" in revision:
            revision, tail = revision.split("@")
            backend = known(tail)
        if "#" in revision or not revision:
            raise UserError(f"model {spec!r}: give one revision after '#': MODEL[@BACKEND][#REVISION]")
    if "@" in rest and not Path(rest).exists():
        head, tail = rest.rsplit("@", 1)
        if backend is not None:
            raise UserError(f"model {spec!r}: two backends; give one: MODEL[@BACKEND][#REVISION]")
        rest, backend = head, known(tail)
    if not rest:
        raise UserError(f"model {spec!r}: no model before '@' / '#'")
    return ModelSpec(spec, rest, backend or default_backend, revision)


# --------------------------------------------------------------------------
# measurements


def _proc_status() -> dict[str, int]:
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return {}
    return {k: int(v) * 1024 for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.M)}


class MemoryProbe:
    """Peak RSS while one model is loaded (see the module docstring)."""

    def __init__(self, device: str | None = None):
        self.device = device
        self.reset = False
        self.before = 0

    def start(self) -> None:
        """Start measuring: reset the peak RSS where /proc allows it (and CUDA's peak), and note
        the RSS now."""
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # resets VmHWM to the current RSS
            self.reset = "VmHWM" in _proc_status()
        except OSError:
            self.reset = False
        self.before = _proc_status().get("VmRSS", 0)
        if self._cuda():
            import torch

            torch.cuda.reset_peak_memory_stats()

    def _cuda(self) -> bool:
        if "torch" not in sys.modules:
            return False
        torch = sys.modules["torch"]
        return bool(torch.cuda.is_available() and torch.cuda.is_initialized())

    def stop(self) -> dict:
        """The peak RSS since `start`, the RSS at `start` and their difference in MB, with how
        the peak was measured, and CUDA's peak allocation when CUDA is in use."""
        mb = 1024 * 1024
        if self.reset:
            peak, how = _proc_status()["VmHWM"], "VmHWM, reset before this model"
        else:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            how = "ru_maxrss of the whole process so far (could not reset the peak)"
        out = {
            "peak_rss_mb": round(peak / mb, 1),
            "rss_before_mb": round(self.before / mb, 1),
            "peak_rss_delta_mb": round((peak - self.before) / mb, 1),
            "measured": how,
        }
        if self._cuda():
            import torch

            out["cuda_peak_allocated_mb"] = round(torch.cuda.max_memory_allocated() / mb, 1)
        return out


def disk_size(model: str, revision: str | None) -> tuple[int | None, str | None]:
    """Bytes of the model's files: a local directory, or the hub cache snapshot."""
    path = Path(model)
    if not path.is_dir():
        try:
            from huggingface_hub import snapshot_download

            path = Path(snapshot_download(model, revision=revision, local_files_only=True))
        except Exception:  # noqa: BLE001 - unknown size is reported as such
            return None, None
    total = sum(f.resolve().stat().st_size for f in path.rglob("*") if f.is_file())
    return total, str(path)


def parameter_count(translator) -> int | None:
    """The number of parameters of the translator's torch model; None when it has none (e.g.
    CTranslate2)."""
    model = getattr(translator, "model", None)
    if model is None:
        return None
    try:
        return int(sum(p.numel() for p in model.parameters()))
    except Exception:  # noqa: BLE001 - not a torch model (e.g. ctranslate2)
        return None


# --------------------------------------------------------------------------
# one model


WARM_NL = ["De minister sprak op vrijdag in Den Haag met de pers.", "Daarna vertrok hij naar Brussel."]
WARM_EN = ["The minister spoke to the press in The Hague on Friday.", "Then he left for Brussels."]


def warm_core() -> None:
    """Run once what every model's translation runs after the model: the
    sentence splitter (Dutch and English), the aligner, the repair's chrF, and
    the reference-free checks with py3langid's model, so that their imports and
    one-time set-up are not charged to the first model measured."""
    from sacrebleu.metrics import CHRF

    from pipeline.align import align

    split_sentences(" ".join(WARM_NL), "nl")
    en = split_sentences(" ".join(WARM_EN), "en")
    align(WARM_NL, en, src_mt=WARM_EN)
    CHRF().sentence_score(WARM_EN[0], [WARM_EN[1]])
    rows = [
        AlignedRow(nl=nl, en=en, doc="warm-up", paragraph=0, nl_ids=(i,), en_ids=(i,), score=1.0)
        for i, (nl, en) in enumerate(zip(WARM_NL, WARM_EN))
    ]
    flag_rows(rows, {0: " ".join(WARM_NL)})


def warm_libraries(spec: ModelSpec) -> None:
    """Import what loading the model will import (the backend's libraries and,
    for transformers, the model's architecture module), run one tensor op, and
    run the core's own libraries once (`warm_core`), before the peak-memory
    counter is reset, so one-time library memory is not charged to whichever
    model happens to come first. Failures are left to the loader, which reports
    them."""
    import importlib

    warm_core()
    try:
        importlib.import_module(BACKEND_MODULES.get(spec.backend, "pipeline.translate.base"))
        if spec.backend != "transformers":
            return
        import torch
        from transformers import AutoConfig, AutoModelForSeq2SeqLM

        (torch.ones(8, 8) @ torch.ones(8, 8)).sum().item()
        config = AutoConfig.from_pretrained(spec.model, revision=spec.revision)
        AutoModelForSeq2SeqLM._model_mapping[type(config)]  # imports the modeling module
    except Exception:  # noqa: BLE001 - the loader reports real problems
        log.debug("library warm-up for %s failed", spec.spec, exc_info=True)
