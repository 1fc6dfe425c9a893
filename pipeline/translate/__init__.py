"""Translation backends behind one `Translator` interface, found by name.

    from pipeline.translate import load_translator
    tr = load_translator("transformers", "Helsinki-NLP/opus-mt-nl-en", settings)
    english = tr.translate(dutch_paragraphs)
"""

from pipeline.translate.base import (
    BACKENDS,
    GenerationSettings,
    Translator,
    load_translator,
    register_backend,
)

__all__ = ["BACKENDS", "GenerationSettings", "Translator", "load_translator", "register_backend"]
