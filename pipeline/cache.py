"""Translation cache in SQLite: finished translations survive an interrupted run.

Location: `$NLEN_CACHE_DIR` if set, else `$XDG_CACHE_HOME/nlen`, else
`~/.cache/nlen`. The database is `<dir>/translations.sqlite3`; converted
CTranslate2 models live beside it in `<dir>/ct2/`.

A row is keyed by (config, source): `config` is the SHA-256 of everything that
changes the output — model id, resolved revision (or a fingerprint of a local
model directory), backend, quantisation / dtype, device, model family and the
generation parameters — and `source` is the SHA-256 of the source text unit.
Batch size and token budget are not part of the key: they only change padding.

`CachedTranslator` wraps any `Translator` (it is one itself), so callers do not
change: cached units are looked up, the rest are translated by the wrapped
backend, and each finished batch is committed at once. The database runs in WAL
mode with a busy timeout plus retries, so several processes can share it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from pipeline.errors import UserError
from pipeline.provenance import local_model_fingerprint
from pipeline.translate.base import Translator

log = logging.getLogger(__name__)

DB_NAME = "translations.sqlite3"
# Fields of describe()["generation"] that do not change the output.
NOT_IN_KEY = ("batch_size", "batch_tokens")
# Top-level describe() fields that are bookkeeping, not output-deciding.
NOT_IN_KEY_TOP = ("generation", "converted_model", "threads")


def default_cache_dir() -> Path:
    """`$NLEN_CACHE_DIR`, else `$XDG_CACHE_HOME/nlen`, else `~/.cache/nlen`."""
    if os.environ.get("NLEN_CACHE_DIR"):
        return Path(os.environ["NLEN_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "nlen"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_config(described: Mapping) -> dict:
    """The part of a translator's `describe()` that decides its output."""
    config = {k: v for k, v in described.items() if k not in NOT_IN_KEY_TOP}
    config["generation"] = {k: v for k, v in (described.get("generation") or {}).items() if k not in NOT_IN_KEY}
    if not config.get("revision") and config.get("model"):
        config["model_fingerprint"] = local_model_fingerprint(config["model"])
    return config


def config_id(config: Mapping) -> str:
    return sha256_text(json.dumps(config, sort_keys=True, ensure_ascii=False, default=str))


class TranslationCache:
    """The SQLite store. Safe to share between processes (WAL, busy retries)."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS configs (
        id TEXT PRIMARY KEY, model TEXT, backend TEXT, config TEXT NOT NULL, created REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS translations (
        config TEXT NOT NULL, source_sha256 TEXT NOT NULL, target TEXT NOT NULL, created REAL NOT NULL,
        PRIMARY KEY (config, source_sha256)
    ) WITHOUT ROWID;
    """

    def __init__(self, directory: str | Path | None = None, *, timeout: float = 30.0, retries: int = 20):
        self.dir = Path(directory) if directory else default_cache_dir()
        self.path = self.dir / DB_NAME
        self.retries = retries
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
            self._retry(lambda: self.conn.execute("PRAGMA journal_mode=WAL"))
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self._retry(lambda: self.conn.executescript(self.SCHEMA))
        except (OSError, sqlite3.Error) as exc:
            raise UserError(f"{self.path}: translation cache not usable ({exc}); "
                            "remove it (nlen cache clear), pick another --cache-dir, or use --no-cache") from None

    # --- retries on a locked / busy database --------------------------------
    def _retry(self, fn: Callable):
        delay = 0.05
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                msg = str(exc).lower()
                if attempt == self.retries or not ("locked" in msg or "busy" in msg):
                    raise
                log.debug("cache busy (%s); retrying in %.2fs", exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _write(self, statements: Callable[[sqlite3.Connection], None]) -> None:
        """Run `statements` in one IMMEDIATE transaction, retrying if busy."""
        def once():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                statements(self.conn)
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

        self._retry(once)

    # --- API ----------------------------------------------------------------
    def register(self, config: Mapping) -> str:
        cid = config_id(config)
        row = (cid, str(config.get("model")), str(config.get("backend")),
               json.dumps(config, sort_keys=True, ensure_ascii=False, default=str), time.time())
        self._write(lambda c: c.execute("INSERT OR IGNORE INTO configs VALUES (?, ?, ?, ?, ?)", row))
        return cid

    def get_many(self, cid: str, hashes: Iterable[str]) -> dict[str, str]:
        hashes = list(dict.fromkeys(hashes))
        found: dict[str, str] = {}
        for start in range(0, len(hashes), 500):
            chunk = hashes[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._retry(lambda: self.conn.execute(
                f"SELECT source_sha256, target FROM translations WHERE config = ? AND source_sha256 IN ({marks})",
                (cid, *chunk)).fetchall())
            found.update(rows)
        return found

    def put_many(self, cid: str, pairs: Iterable[tuple[str, str]]) -> None:
        now = time.time()
        rows = [(cid, sha256_text(src), tgt, now) for src, tgt in pairs]
        self._write(lambda c: c.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?)", rows))

    def stats(self) -> dict:
        rows = self._retry(lambda: self.conn.execute(
            "SELECT c.model, c.backend, c.id, COUNT(t.source_sha256) FROM configs c "
            "LEFT JOIN translations t ON t.config = c.id GROUP BY c.id ORDER BY c.model, c.backend").fetchall())
        total = self._retry(lambda: self.conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0])
        size = sum(p.stat().st_size for p in self.dir.glob(DB_NAME + "*") if p.is_file())
        return {
            "path": str(self.path),
            "translations": total,
            "bytes": size,
            "configs": [{"model": m, "backend": b, "config": cid[:12], "translations": n} for m, b, cid, n in rows],
        }

    def clear(self) -> int:
        n = self._retry(lambda: self.conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0])

        def wipe(c):
            c.execute("DELETE FROM translations")
            c.execute("DELETE FROM configs")

        self._write(wipe)
        self._retry(lambda: self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)"))
        self._retry(lambda: self.conn.execute("VACUUM"))
        return n

    def close(self) -> None:
        self.conn.close()


class CachedTranslator(Translator):
    """A `Translator` that answers from the cache and stores what the wrapped
    backend translates, one committed batch at a time."""

    def __init__(self, inner: Translator, cache: TranslationCache):
        self.inner = inner
        self.cache = cache
        self.model_name = inner.model_name
        self.settings = inner.settings
        self.backend_name = inner.backend_name
        self.max_input_tokens = inner.max_input_tokens
        self.config = cache_config(inner.describe())
        self.config_id = cache.register(self.config)
        self.hits = 0  # units answered from the cache
        self.misses = 0  # units the backend translated

    def translate(self, texts: Sequence[str], progress=None, on_batch=None, known=None) -> list[str]:
        texts = list(texts)
        hashes = [sha256_text(t) for t in texts]
        found = self.cache.get_many(self.config_id, hashes)
        known = dict(known or {})
        known.update({i: found[h] for i, h in enumerate(hashes) if h in found and i not in known})
        self.hits += len(known)
        self.misses += len(texts) - len(known)

        def store(sources: list[str], results: list[str]) -> None:
            self.cache.put_many(self.config_id, zip(sources, results))
            if on_batch:
                on_batch(sources, results)

        if len(known) == len(texts):
            if progress:
                progress(len(texts))
            return [known[i] for i in range(len(texts))]
        return self.inner.translate(texts, progress=progress, on_batch=store, known=known)

    def _translate_batch(self, texts: list[str]) -> list[str]:
        return self.translate(texts)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.inner.count_tokens(texts)

    def describe(self) -> dict:
        return self.inner.describe()

    def cache_counts(self) -> dict:
        return {"hits": self.hits, "misses": self.misses, "path": str(self.cache.path)}

    def close(self) -> None:
        try:
            self.inner.close()
        finally:
            self.cache.close()

    def __getattr__(self, name):  # anything backend-specific (tokenizer, device, …)
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)
