"""nlen: Dutch→English paragraph translation and sentence alignment.

Stages, one module each: segment → translate → align → write → evaluate.
Heavy libraries (torch, transformers, ctranslate2) are imported lazily so
that `nlen --help`, `nlen align` and `nlen eval --tsv` start fast.
"""

__version__ = "0.1.0"
