"""`nlen cache stats|clear`: show or empty the translation cache and the
converted CTranslate2 models kept beside it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.errors import CacheError, DamagedCacheError
from pipeline.translate.cache import DB_NAME, TranslationCache, check_cache_dir, default_cache_dir, remove_database
from pipeline.translate.ctranslate2_backend import conversions

NAME = "cache"
HELP = "show (stats) or empty (clear) the translation cache ($NLEN_CACHE_DIR, else ~/.cache/nlen)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `nlen cache`."""
    parser.add_argument(
        "action",
        choices=["stats", "clear"],
        help="stats: what is cached; clear: empty it (a damaged database is removed)",
    )
    parser.add_argument("--cache-dir", type=Path, help="cache folder (default: $NLEN_CACHE_DIR, else ~/.cache/nlen)")
    parser.add_argument("--json", action="store_true", help="stats as JSON")
    parser.add_argument(
        "--conversions",
        "--models",
        action="store_true",
        help="with clear: also delete the converted CTranslate2 models (<cache>/ct2)",
    )


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def clear(directory: Path, conversions: bool) -> list[str]:
    """Empty the cache; a database too damaged to open or empty is removed."""
    import shutil

    check_cache_dir(directory)
    lines = []
    if not (directory / DB_NAME).exists():
        lines.append(f"no translation cache at {directory / DB_NAME}")
    else:
        try:
            cache = TranslationCache(directory)
            try:
                lines.append(f"cleared {cache.clear()} cached translations from {cache.path}")
            finally:
                cache.close()
        except DamagedCacheError as exc:  # cannot be opened or emptied as a cache: removed whole
            remove_database(directory)
            lines.append(f"removed {directory / DB_NAME}: {exc.problem.split(';')[0]}")
    ct2 = directory / "ct2"
    if conversions and ct2.is_dir():
        try:
            shutil.rmtree(ct2)
        except OSError as exc:
            raise CacheError(
                exc.filename or ct2, f"cannot remove the converted models ({exc.strerror or exc})"
            ) from None
        lines.append(f"removed converted models in {ct2}")
    return lines


def stats(directory: Path) -> dict:
    """What is cached; reads only, creates nothing (a missing cache is empty)."""

    check_cache_dir(directory)
    if (directory / DB_NAME).exists():
        cache = TranslationCache(directory, readonly=True)
        try:
            out = cache.stats()
        finally:
            cache.close()
    else:
        out = {"path": str(directory / DB_NAME), "translations": 0, "bytes": 0, "configs": [], "missing": True}
    out["conversions"] = conversions(directory / "ct2")
    return out


def run(args: argparse.Namespace) -> int:
    """Run `nlen cache`; returns the exit code."""

    directory = args.cache_dir or default_cache_dir()
    if args.action == "clear":
        for line in clear(directory, args.conversions):
            print(line)
        return 0
    info = stats(directory)
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False, allow_nan=False))
        return 0
    print(f"cache: {info['path']} ({'not created yet' if info.get('missing') else _size(info['bytes'])})")
    print(f"translations: {info['translations']}")
    for c in info["configs"]:
        print(f"  {c['translations']:>8}  {c['backend']:<13} {c['model']}  [{c['config']}]")
    if info["conversions"]:
        total = sum(c["bytes"] for c in info["conversions"])
        print(f"converted CTranslate2 models in {directory / 'ct2'} ({_size(total)}):")
        for c in info["conversions"]:
            problem = f"  (damaged: {c['problem']}; converted again on next use)" if c["problem"] else ""
            print(f"  {_size(c['bytes']):>10}  {c['name']}{problem}")
    return 0
