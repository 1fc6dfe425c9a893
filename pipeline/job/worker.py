"""What both executors do with a job: open its translator stack and the context
(settings and manifest) every task of it runs in."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pipeline import __version__
from pipeline.document.repair import repair_settings
from pipeline.job.spec import TranslateJob
from pipeline.job.tasks import RunContext
from pipeline.provenance import git_commit, package_versions
from pipeline.translate import open_translator as open_stack


def open_translator(job: TranslateJob, device: str | None = None):
    """The job's translator stack: its backend (on `device` instead of the
    requested one, if given), behind the translation cache unless it is off."""

    settings = dataclasses.replace(job.settings, device=device) if device else job.settings
    return open_stack(
        job.backend,
        job.model,
        settings,
        revision=job.revision,
        family=job.family,
        cache=job.cache,
        cache_dir=job.cache_dir,
    )


def run_context(job: TranslateJob, translator, config: str) -> RunContext:
    """The worker's context: where and how to write, and the manifest facts every unit of the
    job shares (model, aligner, request, versions)."""
    from pipeline.align import get_aligner  # numba: imported where the aligner runs

    return RunContext(
        out_dir=job.out_dir,
        config=config,
        unit=job.unit,
        aligner=job.aligner,
        repair_threshold=job.repair_threshold,
        cache=job.cache,
        translate_all=job.translate_all,
        documents_dir=job.documents,
        manifest={
            "nlen": __version__,
            "model": translator.describe(),
            "aligner": {
                "method": get_aligner(job.aligner).name,
                "repair_threshold": job.repair_threshold,
                "repair": repair_settings(),
            },
            "request": job.request(),
            "packages": package_versions(),
            "nlen_git_commit": git_commit(Path(__file__).resolve().parent),
        },
    )
