"""`nlen cache stats|clear`: show or empty the translation cache."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

NAME = "cache"
HELP = "show (stats) or empty (clear) the translation cache ($NLEN_CACHE_DIR, else ~/.cache/nlen)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["stats", "clear"], help="stats: what is cached; clear: empty it")
    parser.add_argument("--cache-dir", type=Path, help="cache folder (default: $NLEN_CACHE_DIR, else ~/.cache/nlen)")
    parser.add_argument("--json", action="store_true", help="stats as JSON")
    parser.add_argument("--models", action="store_true",
                        help="with clear: also delete the converted CTranslate2 models (<cache>/ct2)")


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def run(args: argparse.Namespace) -> int:
    import shutil

    from pipeline.cache import TranslationCache, default_cache_dir

    directory = args.cache_dir or default_cache_dir()
    cache = TranslationCache(directory)
    try:
        if args.action == "clear":
            n = cache.clear()
            print(f"cleared {n} cached translations from {cache.path}")
            if args.models and (directory / "ct2").is_dir():
                shutil.rmtree(directory / "ct2")
                print(f"removed converted models in {directory / 'ct2'}")
            return 0
        stats = cache.stats()
        ct2 = directory / "ct2"
        stats["converted_models"] = sorted(p.name for p in ct2.iterdir() if p.is_dir() and not p.name.startswith(".")) if ct2.is_dir() else []
        if args.json:
            print(json.dumps(stats, indent=2, ensure_ascii=False))
            return 0
        print(f"cache: {stats['path']} ({_size(stats['bytes'])})")
        print(f"translations: {stats['translations']}")
        for c in stats["configs"]:
            print(f"  {c['translations']:>8}  {c['backend']:<13} {c['model']}  [{c['config']}]")
        if stats["converted_models"]:
            print(f"converted CTranslate2 models in {ct2}:")
            for name in stats["converted_models"]:
                print(f"  {name}")
        return 0
    finally:
        cache.close()
