"""The manifest format's shared parts: reading one back, and adding count dictionaries."""

from __future__ import annotations

import json
from pathlib import Path


def read_manifest(path: Path) -> dict | None:
    """The manifest at `path` as a dict; None when it is missing, unreadable or not a JSON object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def add_counts(a: dict, b: dict) -> dict:
    """Sum two (nested) count dictionaries."""
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, dict):
            out[k] = add_counts(out.get(k) or {}, v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[k] = out.get(k, 0) + v
    return out
