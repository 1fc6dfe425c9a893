"""Documents in and out: HTML, Markdown, DOCX, SRT and WebVTT, one reader/writer pair per
format, found by suffix (pipeline/document/formats/base.py)."""

from pipeline.document.formats.base import (
    FORMATS,
    Block,
    DocumentFormat,
    ParsedDocument,
    Span,
    document_suffixes,
    format_for,
    register_format,
)

__all__ = [
    "FORMATS",
    "Block",
    "DocumentFormat",
    "ParsedDocument",
    "Span",
    "document_suffixes",
    "format_for",
    "register_format",
]
