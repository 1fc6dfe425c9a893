"""`nlen merge`: the units of an out-dir (articles and JSONL shards) → one corpus.

Units are taken in input order (inputs by path; a JSONL input's shards by
number) and must all be done: every shard of an input from 0 to its final one,
each TSV matching the SHA-256 its manifest records. The merged TSV has one
header and every unit's rows; the top-level manifest carries the counts, the
configuration hash and the unit list, and nothing that depends on how or where
the units were made, so the same input and settings give the same bytes
whatever the executor, the number of workers or the interruptions.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.corpus.manifest import add_counts, parse_json, read_unit_manifest
from pipeline.corpus.write import atomic_stream, commit_files, json_text, sha256_file
from pipeline.errors import InputError, UserError

# describe() fields that are bookkeeping of the process that made a unit, not of its output
LOCAL_FIELDS = ("converted_model", "threads")


def units_by_config(out_dir: Path) -> dict[str, list[tuple[Path, dict]]]:
    """The unit manifests in `out_dir`, by configuration hash (empty: no units).
    Each is checked (corpus/manifest.py): a malformed one is an InputError naming it."""
    by_config: dict[str, list[tuple[Path, dict]]] = {}
    for path in sorted(out_dir.glob("*.json")):
        manifest = read_unit_manifest(path)
        if manifest is None:
            continue  # not a unit's manifest (a merged corpus's, or an older run's without a config hash)
        by_config.setdefault(manifest["config"], []).append((path, manifest))
    return by_config


def find_units(out_dir: Path, config: str | None) -> tuple[str, list[tuple[Path, dict]]]:
    """The unit manifests of one configuration, in input order."""
    if not out_dir.is_dir():
        raise UserError(f"{out_dir}: no such folder")
    by_config = units_by_config(out_dir)
    if not by_config:
        raise UserError(f"{out_dir}: no translated units here (run nlen translate … --out-dir {out_dir} first)")
    if config is None:
        if len(by_config) > 1:
            listed = ", ".join(f"{c} ({len(u)} units)" for c, u in sorted(by_config.items()))
            raise UserError(
                f"{out_dir}: holds outputs of {len(by_config)} configurations: {listed}; choose one with --config"
            )
        config = next(iter(by_config))
    elif config not in by_config:
        raise UserError(f"{out_dir}: no units of configuration {config} (found: {', '.join(sorted(by_config))})")
    units = by_config[config]
    units.sort(key=lambda u: (u[1]["input"].get("path", ""), u[1]["input"].get("shard", 0)))
    return config, units


def check_complete(out_dir: Path, units: list[tuple[Path, dict]]) -> None:
    """Every shard of every JSONL input is there, and every TSV is whole."""
    check_unique(units)
    shards: dict[str, list[dict]] = {}
    for path, manifest in units:
        if "shard" in manifest["input"]:
            shards.setdefault(manifest["input"]["path"], []).append(manifest["input"])
        out = manifest["output"]
        tsv = out_dir / out.get("tsv", "")
        if sha256_file(tsv) != out.get("sha256"):
            raise UserError(
                f"{tsv}: does not match its manifest {path.name} (interrupted or edited); "
                "rerun the same nlen translate command to redo it"
            )
        rejects = out.get("rejects")
        if rejects and sha256_file(out_dir / rejects["path"]) != rejects.get("sha256"):
            raise UserError(
                f"{out_dir / rejects['path']}: does not match its manifest {path.name}; rerun nlen translate"
            )
    for source, items in shards.items():
        have = sorted(i["shard"] for i in items)
        finals = sorted(i["shard"] for i in items if i.get("final"))
        last = finals[0] if finals else max(have)
        stale = [n for n in have if n > last]
        if stale:  # left by an earlier run on a longer version of the input (or with the input's last shard redone)
            names = [p.stem for p, m in units if m["input"].get("path") == source and m["input"].get("shard") in stale]
            shown = ", ".join(names[:10]) + (" …" if len(names) > 10 else "")
            raise UserError(
                f"{source}: {len(stale)} stale shard{'s' * (len(stale) > 1)} past its last one (shard {last}), "
                f"left by a run on a longer version of the input: {shown}; remove their .tsv/.json/"
                ".rejects.jsonl files (or translate into a fresh --out-dir), then merge"
            )
        missing = sorted(set(range(last + 1)) - set(have))
        if missing or not finals:
            what = (
                f"shards {', '.join(map(str, missing[:10]))}{' …' * (len(missing) > 10)} are"
                if missing
                else "the last shard is"
            )
            raise UserError(f"{source}: {what} not done yet; rerun the same nlen translate command, then merge")


def check_unique(units: list[tuple[Path, dict]]) -> None:
    """No two manifests name the same TSV or the same shard of an input (a copied or
    edited manifest): their rows would be merged twice."""
    seen: dict[tuple, Path] = {}
    for path, manifest in units:
        source = manifest["input"]
        keys: dict[tuple, str] = {("tsv", manifest["output"]["tsv"]): f"TSV {manifest['output']['tsv']}"}
        if "shard" in source:
            keys["shard", source["path"], source["shard"]] = f"shard {source['shard']} of {source['path']}"
        for key, what in keys.items():
            other = seen.setdefault(key, path)
            if other != path:
                raise InputError(
                    path, f"names the same {what} as {other.name} (a copied manifest?); remove the copy, then merge"
                )


def check_output_names(out_dir: Path, outputs: list[Path]) -> None:
    """The merged corpus's files must not be a unit's own (an article named
    corpus.txt has the units corpus.tsv and corpus.json): merging would
    overwrite that article's translation."""
    taken = {}
    for config_units in units_by_config(out_dir).values():
        for path, manifest in config_units:
            out = manifest["output"]
            names = [path.name, out.get("tsv")] + (
                [out["rejects"].get("path")] if isinstance(out.get("rejects"), dict) else []
            )
            for name in filter(None, names):
                taken[(out_dir / name).resolve()] = (path.stem, manifest["input"].get("path"))
    if len({p.resolve() for p in outputs}) < len(outputs):
        raise UserError(
            f"{outputs[0]}: the merged TSV needs a name that does not end in .json (that name is its manifest's)"
        )
    for output in outputs:
        if output.resolve() in taken:
            unit, source = taken[output.resolve()]
            raise UserError(
                f"{output}: is a file of the translated unit {unit} (from {source}), which merging "
                f"would overwrite; name the merged corpus with -o, e.g. -o {out_dir / 'merged.tsv'}"
            )


def check_same_model(units: list[tuple[Path, dict]]) -> dict:
    """Every unit was made by the same resolved model (a hub model that moved
    between runs would mix two models in one corpus)."""

    def key(manifest):
        model = manifest.get("model") or {}
        return json.dumps(
            {k: v for k, v in model.items() if k not in LOCAL_FIELDS}, sort_keys=True, default=str, allow_nan=False
        )

    first = key(units[0][1])
    for path, manifest in units[1:]:
        if key(manifest) != first:
            raise UserError(
                f"{path.name}: made by a different model or revision than {units[0][0].name}, though the "
                "configuration is the same; remove one of them and rerun nlen translate"
            )
    return {k: v for k, v in (units[0][1].get("model") or {}).items() if k not in LOCAL_FIELDS}


def merge(out_dir: Path, output: str | None = None, config: str | None = None) -> dict:
    """Write the merged corpus (TSV, rejects, manifest last); returns the manifest."""

    config, units = find_units(out_dir, config)
    check_complete(out_dir, units)
    model = check_same_model(units)
    to_stdout = output == "-"
    tsv_path, rejects_path, manifest_path = output_paths(out_dir, output)
    if not to_stdout:
        check_output_names(out_dir, [tsv_path, rejects_path, manifest_path])
    totals = total_units(out_dir, units)  # first: a damaged rejects file leaves no merged TSV behind
    write_rows(out_dir, units, None if to_stdout else tsv_path)
    result: dict[str, Any] = {
        "nlen": __version__,
        "config": config,
        "output": {
            "tsv": tsv_path.name if not to_stdout else "-",
            "rows": totals.rows,
            "sha256": None if to_stdout else sha256_file(tsv_path),
        },
        "documents": totals.documents,
        "rejects": len(totals.rejects),
        "untranslated": totals.untranslated,
        "counts": totals.counts,
        "model": model,
        "request": units[0][1].get("request"),
        "units": totals.units,
    }
    if not to_stdout:
        commit_manifest(result, totals.rejects, rejects_path, manifest_path)
    return result


def output_paths(out_dir: Path, output: str | None) -> tuple[Path, Path, Path]:
    """The merged TSV (`output`, else corpus.tsv in `out_dir`), and the rejects and manifest
    files beside it. With `output` "-" the TSV goes to standard output, and these name what
    corpus.tsv would have had."""
    tsv_path = Path(output) if output and output != "-" else out_dir / "corpus.tsv"
    stem = tsv_path.with_suffix("")
    return tsv_path, stem.with_name(stem.name + ".rejects.jsonl"), stem.with_name(stem.name + ".json")


def write_rows(out_dir: Path, units: list[tuple[Path, dict]], tsv_path: Path | None) -> None:
    """Every unit's TSV rows under the first unit's header, to `tsv_path` (None: standard output)."""

    def rows_of(unit_tsv: Path, first: bool):
        with open(unit_tsv, "rb") as f:
            header = f.readline()
            if first:
                yield header
            yield from f

    def write_to(sink) -> None:
        for k, (_path, manifest) in enumerate(units):
            for line in rows_of(out_dir / manifest["output"]["tsv"], k == 0):
                sink.write(line)

    if tsv_path is None:
        write_to(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        with atomic_stream(tsv_path) as f:
            write_to(f)


@dataclass
class UnitTotals:
    """What the merged manifest sums and lists over the units."""

    rows: int = 0
    counts: dict = field(default_factory=dict)
    documents: int = 0
    untranslated: int = 0
    units: list[dict] = field(default_factory=list)  # one entry per unit
    rejects: list[str] = field(default_factory=list)  # the merged rejects file's lines, each naming its input


def total_units(out_dir: Path, units: list[tuple[Path, dict]]) -> UnitTotals:
    """The units' counts summed, their list, and their rejects (read from their files)."""
    totals = UnitTotals()
    for path, manifest in units:
        out, source = manifest["output"], manifest["input"]
        totals.rows += out.get("rows", 0)
        totals.counts = add_counts(totals.counts, manifest.get("counts") or {})
        totals.documents += len(manifest.get("documents") or []) if "shard" in source else 1  # an article is one
        totals.untranslated += len(manifest.get("untranslated") or [])
        totals.units.append(
            {
                "name": path.stem,
                "input": source.get("path"),
                **({"shard": source["shard"]} if "shard" in source else {}),
                "rows": out.get("rows"),
                "sha256": out.get("sha256"),
            }
        )
        if out.get("rejects"):
            totals.rejects += (
                json.dumps({"input": source.get("path"), **reject}, ensure_ascii=False, allow_nan=False) + "\n"
                for reject in read_rejects(out_dir / out["rejects"]["path"])
            )
    return totals


def read_rejects(path: Path) -> list[dict]:
    """The rejected lines a unit's rejects file lists, one JSON object a line. Split
    on LF only: a rejected line may hold U+2028 or U+0085, which JSON writes as is."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(path, f"cannot read rejects file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not valid UTF-8 at byte offset {exc.start}") from None
    rejects = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            reject = parse_json(line)
        except (ValueError, RecursionError):
            reject = None
        if not isinstance(reject, dict):
            raise InputError(f"{path}:{number}", "not a JSON object as nlen writes a rejected line")
        rejects.append(reject)
    return rejects


def commit_manifest(result: dict, rejects: list[str], rejects_path: Path, manifest_path: Path) -> None:
    """Write the rejects (if any, named in `result`) and the manifest, the manifest last."""
    files = []
    if rejects:
        files.append((rejects_path, "".join(rejects).encode("utf-8")))
        result["output"]["rejects"] = rejects_path.name
    files.append((manifest_path, json_text(result).encode("utf-8")))
    commit_files(files)
