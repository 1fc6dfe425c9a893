"""Translation backends behind one `Translator` interface, found by name.

from pipeline.translate import GenerationSettings, open_translator
with open_translator("ctranslate2", "Helsinki-NLP/opus-mt-nl-en", GenerationSettings(), cache=True) as tr:
    english = tr.translate(dutch_paragraphs)            # strings
    details = tr.translate_detailed(dutch_paragraphs)   # Translation(text, tokens, truncated, logprob)
    tr.counters                                         # tokens generated, cache hits, time, …
"""

from pipeline.translate.base import (
    BACKENDS,
    GenerationSettings,
    Translation,
    Translator,
    TranslatorCounters,
    TranslatorWrapper,
    load_translator,
    register_backend,
)
from pipeline.translate.stack import open_translator

__all__ = [
    "BACKENDS",
    "GenerationSettings",
    "Translation",
    "Translator",
    "TranslatorCounters",
    "TranslatorWrapper",
    "load_translator",
    "open_translator",
    "register_backend",
]
