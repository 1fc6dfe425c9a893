"""The manifest format's shared parts: reading one back (strict JSON), checking a
unit's manifest before anything trusts it, and adding count dictionaries.

A unit's manifest names its TSV and rejects file; `merge`, `export` and
`review` read those files. A manifest is a file a user can edit, so every field
they use is checked here, in one place, and a name must be a file of the
manifest's own folder: a manifest cannot pull in a file from elsewhere.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from pipeline.errors import InputError

MAX_DEPTH = 32  # far deeper than any manifest nlen writes; deeper is an edit, refused before it recurses
MAX_BYTES = 256 << 20  # a shard's manifest lists its documents; this is millions of them
_SHA256 = re.compile("[0-9a-f]{64}")


def _not_json_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is out of range")
    return value


def parse_json(text: str):
    """`text` as strict JSON: no NaN or Infinity, no number that overflows to
    infinity. A ValueError (or a RecursionError, for deep nesting) when it is not."""
    return json.loads(text, parse_constant=_not_json_constant, parse_float=_finite_float)


def _depth(data) -> int:
    """How deeply `data` nests (iteratively: no recursion to run out of)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH and isinstance(item, (dict, list)):
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def load_manifest(path: Path) -> dict | None:
    """The manifest at `path` as a dict. None when it is missing or unreadable; an
    InputError naming it when it is there but not a strict JSON object of a sane depth."""
    try:
        if not path.is_file():  # a FIFO or a device named *.json is not read (it could block or never end)
            return None
        if path.stat().st_size > MAX_BYTES:
            raise InputError(path, f"larger than {MAX_BYTES >> 20} MiB, so not a manifest nlen wrote")
        text = path.read_bytes().decode("utf-8")
    except OSError:
        return None
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8, so not a manifest nlen wrote") from None
    try:
        data = parse_json(text)
    except (ValueError, RecursionError) as exc:
        problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).splitlines()[0][:120]
        raise InputError(path, f"not valid JSON ({problem})") from None
    if not isinstance(data, dict):
        raise InputError(path, "not a JSON object")
    if _depth(data) > MAX_DEPTH:
        raise InputError(path, f"nested more than {MAX_DEPTH} levels deep")
    return data


def read_manifest(path: Path) -> dict | None:
    """The manifest at `path` as a dict; None when it is missing, unreadable, not
    strict JSON or not a JSON object."""
    try:
        return load_manifest(path)
    except InputError:
        return None


def is_unit_manifest(data: dict) -> bool:
    """Whether `data` claims to be a translated unit's manifest (a merged corpus's
    lists `units`; an older run's has no configuration hash and is not used)."""
    return "units" not in data and "config" in data and ("input" in data or "output" in data)


def _int(value, minimum: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _file_name(folder: Path, name) -> str | None:
    """What is wrong with `name` as a file of `folder`: it must be a bare name,
    and not a link that leads out of the folder."""
    if name is None:
        return "is missing"
    if not isinstance(name, str) or not name:
        return "must be a file name"
    if name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        return f"{name!r} is not a file name in the manifest's folder"
    real = os.path.realpath(folder / name)
    if os.path.dirname(real) != os.path.realpath(folder):
        return f"{name!r} leads out of the manifest's folder (to {real})"
    return None


def _counts(value, depth: int = 0) -> bool:
    """Counts are whole numbers, in dictionaries nested a few levels at most."""
    if not isinstance(value, dict) or depth > 4:
        return False
    return all(isinstance(k, str) and (_int(v) or _counts(v, depth + 1)) for k, v in value.items())


def _input_problem(source) -> str | None:
    if not isinstance(source, dict):
        return "input must be a JSON object"
    if not isinstance(source.get("path"), str):
        return "input.path must be a string"
    if "shard" in source and not _int(source["shard"]):
        return "input.shard must be a whole number from 0"
    if not isinstance(source.get("final", False), bool):
        return "input.final must be true or false"
    if not isinstance(source.get("sha256", ""), (str, type(None))):
        return "input.sha256 must be a string"
    return None


def _output_problem(folder: Path, output) -> str | None:
    if not isinstance(output, dict):
        return "output must be a JSON object"
    problem = _file_name(folder, output.get("tsv"))
    if problem:
        return f"output.tsv {problem}"
    if "sha256" not in output:
        return "output.sha256 is missing"
    if not isinstance(output["sha256"], str) or not _SHA256.fullmatch(output["sha256"]):
        return "output.sha256 must be the SHA-256 of the TSV (64 hex digits)"
    if not _int(output.get("rows")):
        return "output.rows must be a whole number from 0"
    rejects = output.get("rejects")
    if rejects is None:
        return None
    if not isinstance(rejects, dict):
        return "output.rejects must be a JSON object or null"
    problem = _file_name(folder, rejects.get("path"))
    if problem:
        return f"output.rejects.path {problem}"
    if not isinstance(rejects.get("sha256"), str) or not _SHA256.fullmatch(rejects["sha256"]):
        return "output.rejects.sha256 must be the SHA-256 of the rejects file (64 hex digits)"
    if "count" in rejects and not _int(rejects["count"]):
        return "output.rejects.count must be a whole number from 0"
    return None


def unit_problem(folder: Path, data: dict) -> str | None:
    """What is wrong with the unit manifest `data` of the out-dir `folder`, in the
    fields that merge, export, review and resuming read; None when nothing is."""
    if not isinstance(data.get("config"), str) or not data["config"]:
        return "config must be a non-empty string"
    problem = _input_problem(data.get("input")) or _output_problem(folder, data.get("output"))
    if problem:
        return problem
    if data.get("counts") is not None and not _counts(data["counts"]):
        return "counts must be an object of whole numbers"
    for key in ("documents", "untranslated"):
        if not isinstance(data.get(key) or [], list):
            return f"{key} must be a list"
    if "shard" in (data.get("input") or {}) and not isinstance(data.get("documents"), list):
        return "documents must be a list (a shard's documents)"  # merge counts them
    if not isinstance(data.get("model") or {}, dict):
        return "model must be a JSON object"
    return None


def read_unit_manifest(path: Path) -> dict | None:
    """The unit manifest at `path`, checked. None when the file is not a unit's
    manifest (another JSON file, a merged corpus's, an older run's); an InputError
    naming it when it is a unit's (or is damaged, beside a TSV of its name) and
    malformed, with the way out."""
    fix = "remove it and rerun the same nlen translate command to redo its unit"
    try:
        data = load_manifest(path)
    except InputError as exc:
        if not path.with_suffix(".tsv").exists():
            return None  # some other file that is not JSON
        raise InputError(path, f"damaged unit manifest: {exc.problem}; {fix}") from None
    if data is None or not is_unit_manifest(data):
        return None
    problem = unit_problem(path.parent, data)
    if problem:
        raise InputError(path, f"not a valid unit manifest: {problem}; {fix}")
    return data


def add_counts(a: dict, b: dict) -> dict:
    """Sum two (nested) count dictionaries (where a key holds a number in one and
    a dictionary in the other, `b`'s wins)."""
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, dict):
            prior = out.get(k)
            out[k] = add_counts(prior if isinstance(prior, dict) else {}, v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            prior = out.get(k, 0)
            out[k] = (prior if isinstance(prior, (int, float)) and not isinstance(prior, bool) else 0) + v
    return out
