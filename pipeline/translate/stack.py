"""The translator stack: a backend, with the translation cache layered over it.

`open_translator` is the one way commands get a translator. It checks the
options and opens the cache before the model is loaded (a refused option or a
damaged cache fails in a moment, not after seconds of loading), then loads the
backend and layers the cache over it. Every layer shares one `counters` object,
so callers read what was done from the translator they hold.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

from pipeline.translate.base import GenerationSettings, Translator, backend_class
from pipeline.translate.cache import CachedTranslator, TranslationCache
from pipeline.translate.families import check_family
from pipeline.translate.hf import check_output_bound


def check_request(model: str, settings: GenerationSettings, family: str | None) -> None:
    """What needs no model to refuse: an unknown --family, an output bound over
    the model's position limit (read from its config.json when it is local)."""

    check_family(family)
    check_output_bound(str(model), settings.max_new_tokens)


def open_translator(
    backend: str,
    model: str,
    settings: GenerationSettings,
    *,
    revision: str | None = None,
    family: str | None = None,
    cache: bool = False,
    cache_dir: Path | None = None,
) -> Translator:
    """Backend `backend` on `model`, behind the translation cache when `cache`
    (in `cache_dir`, default $NLEN_CACHE_DIR or ~/.cache/nlen). Use it as a
    context manager, or `close()` it."""
    check_request(model, settings, family)
    cls = backend_class(backend)
    cls.check_options(str(model), settings, revision)
    store = None
    if cache:
        store = TranslationCache(cache_dir)
    try:
        # Backends take revision= and family= (the abstract base's constructor does not name them).
        make = cast(Callable[..., Translator], cls)
        translator = make(str(model), settings, revision=revision, family=family)
    except BaseException:
        if store:
            store.close()
        raise
    if store is None:
        return translator

    return CachedTranslator(translator, store)
