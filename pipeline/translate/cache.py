"""Translation cache in SQLite: finished translations survive an interrupted run.

Location: `$NLEN_CACHE_DIR` if set, else `$XDG_CACHE_HOME/nlen`, else
`~/.cache/nlen`. The database is `<dir>/translations.sqlite3`; converted
CTranslate2 models live beside it in `<dir>/ct2/`.

A row is keyed by (config, source): `config` is the SHA-256 of everything that
changes the output — model id, resolved revision (or a fingerprint of a local
model directory), backend, quantisation / dtype, device, model family and the
generation parameters — and `source` is the SHA-256 of the source text unit.
Batch size, token budget, threads and GPU numbers are not part of the key: they
do not change the output. A row holds the `Translation` (text, generated
tokens, truncated, mean log-probability) and a checksum over the whole row: a
row damaged on disk fails it, counts as a miss (translated again and
overwritten) and is reported with one warning.

`CachedTranslator` is a layer over any `Translator` (pipeline/translate/base.py,
`TranslatorWrapper`): cached units are looked up, the rest are translated by
the inner backend, and each finished batch is committed at once. The database
runs in WAL mode with a busy timeout plus retries, so several processes can
share it. A database that cannot be used is one clear error (exit 2), typed
(pipeline/errors.py): a `DamagedCacheError` (damaged, or of a layout this nlen
cannot read), which `nlen cache clear` removes, or a `CacheError` (not
writable, locked, a folder in the way), which it leaves to the user.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from pipeline.errors import CacheError, DamagedCacheError
from pipeline.provenance import local_model_fingerprint
from pipeline.translate.base import Translation, Translator, TranslatorWrapper

log = logging.getLogger(__name__)

DB_NAME = "translations.sqlite3"
# Fields of describe()["generation"] that do not change the output.
NOT_IN_KEY = ("batch_size", "batch_tokens")
# Top-level describe() fields that are bookkeeping, not output-deciding.
NOT_IN_KEY_TOP = ("generation", "converted_model", "threads", "device_index")
SCHEMA_VERSION = 2  # 2: a Translation and a checksum per row


def default_cache_dir() -> Path:
    """`$NLEN_CACHE_DIR`, else `$XDG_CACHE_HOME/nlen`, else `~/.cache/nlen`."""
    if os.environ.get("NLEN_CACHE_DIR"):
        return Path(os.environ["NLEN_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "nlen"


def sha256_text(text: str) -> str:
    """The SHA-256 of the text's UTF-8 in hex (the cache's source key)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_config(described: Mapping) -> dict:
    """The part of a translator's `describe()` that decides its output."""
    config = {k: v for k, v in described.items() if k not in NOT_IN_KEY_TOP}
    config["generation"] = {k: v for k, v in (described.get("generation") or {}).items() if k not in NOT_IN_KEY}
    if not config.get("revision") and config.get("model"):
        config["model_fingerprint"] = local_model_fingerprint(config["model"])
    return config


def config_id(config: Mapping) -> str:
    """The id of a cache configuration: the SHA-256 of its canonical JSON."""
    return sha256_text(json.dumps(config, sort_keys=True, ensure_ascii=False, default=str, allow_nan=False))


def row_checksum(cid: str, source_sha256: str, text: str, tokens: int, truncated: bool, logprob: float | None) -> str:
    """The checksum a translations row is stored with (first 32 hex digits of a SHA-256 over
    all its fields), so that a row damaged on disk is noticed when read."""
    fields = (cid, source_sha256, text, str(int(tokens)), str(int(truncated)), repr(logprob))
    return hashlib.sha256("\0".join(fields).encode("utf-8")).hexdigest()[:32]


# SQLite primary result codes (sqlite3.Error.sqlite_errorcode & 0xff)
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_CORRUPT, SQLITE_CANTOPEN, SQLITE_NOTADB = (
    3,
    5,
    6,
    8,
    11,
    14,
    26,
)
NO_CACHE = ", or run with --no-cache"


def cache_problem(path: Path, exc: BaseException) -> CacheError:
    """One line for a cache that cannot be used, typed by what is wrong: a
    `DamagedCacheError` is cured only by removing the database (`nlen cache clear`
    does), a plain `CacheError` by another --cache-dir or permissions."""
    detail = " ".join((str(exc) or type(exc).__name__).split())
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in detail or "not a database" in detail:
        return DamagedCacheError(
            path, f"translation cache is damaged ({detail}); remove it with `nlen cache clear`" + NO_CACHE
        )
    if isinstance(exc, sqlite3.OperationalError) and (
        "no such table" in detail or "no such column" in detail or "has no column" in detail
    ):
        return DamagedCacheError(
            path,
            f"translation cache is not laid out as nlen's ({detail}); remove it with `nlen cache clear`" + NO_CACHE,
        )
    if code in (SQLITE_READONLY, SQLITE_PERM) or isinstance(exc, PermissionError) or "readonly" in detail:
        return CacheError(path, f"translation cache is not writable ({detail}); pick another --cache-dir" + NO_CACHE)
    if code == SQLITE_CANTOPEN:
        return CacheError(
            path,
            f"translation cache cannot be opened ({detail}: check that its folder is writable); "
            "pick another --cache-dir" + NO_CACHE,
        )
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in detail:
        return CacheError(
            path,
            f"translation cache stayed locked by another process ({detail}); try again, or pick "
            "another --cache-dir" + NO_CACHE,
        )
    return CacheError(path, f"translation cache not usable ({detail}); pick another --cache-dir" + NO_CACHE)


def check_cache_dir(directory: Path, advice: str = "pick another --cache-dir" + NO_CACHE) -> None:
    """A cache folder that is a file, or cannot be made under one, is one line now."""
    if directory.exists() and not directory.is_dir():
        raise CacheError(directory, f"the cache folder is a file, not a folder; {advice}")
    for parent in directory.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CacheError(directory, f"the cache folder cannot be made: {parent} is a file; {advice}")
            break


class TranslationCache:
    """The SQLite store. Safe to share between processes (WAL, busy retries).

    `readonly=True` opens an existing database for reading only (`nlen cache
    stats`): it creates nothing and works on a read-only folder."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS configs (
        id TEXT PRIMARY KEY, model TEXT, backend TEXT, config TEXT NOT NULL, created REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS translations (
        config TEXT NOT NULL, source_sha256 TEXT NOT NULL, target TEXT NOT NULL,
        tokens INTEGER NOT NULL, truncated INTEGER NOT NULL, logprob REAL, checksum TEXT NOT NULL,
        created REAL NOT NULL,
        PRIMARY KEY (config, source_sha256)
    ) WITHOUT ROWID;
    """

    def __init__(
        self, directory: str | Path | None = None, *, timeout: float = 30.0, retries: int = 20, readonly: bool = False
    ):
        self.dir = Path(directory) if directory else default_cache_dir()
        self.path = self.dir / DB_NAME
        self.retries = retries
        check_cache_dir(self.dir)
        if self.path.exists() and not self.path.is_file():  # not ours to remove: it may hold anything
            raise CacheError(
                self.path,
                "is not a file, so not a translation cache; move it away or pick another --cache-dir" + NO_CACHE,
            )
        if not readonly:
            try:
                self.dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CacheError(
                    self.dir,
                    f"cannot make the cache folder ({exc.strerror or exc}); pick another --cache-dir" + NO_CACHE,
                ) from None
        self.conn: sqlite3.Connection
        conn: sqlite3.Connection | None = None  # to close if opening fails part-way
        try:
            if readonly:
                self.conn = conn = self._connect_readonly(timeout)
            else:
                self.conn = conn = sqlite3.connect(
                    self.path, timeout=timeout, isolation_level=None, check_same_thread=False
                )
                self._retry(lambda: self.conn.execute("PRAGMA journal_mode=WAL"))
                self.conn.execute("PRAGMA synchronous=NORMAL")
                self._migrate()
            self._probe()
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, (OSError, sqlite3.Error)):
                raise cache_problem(self.path, exc) from None
            raise

    def _probe(self) -> None:
        """Read the small configs table whole (and its index) and the first page of
        translations: damage there shows now, before a model is loaded. Damage deeper
        in a large cache shows when those rows are read, as the same one-line error."""
        for query in (
            "SELECT * FROM configs",
            "SELECT id FROM configs ORDER BY id",
            "SELECT * FROM translations LIMIT 1",
            "SELECT config, source_sha256 FROM translations LIMIT 1",
        ):
            self._retry(lambda query=query: self.conn.execute(query).fetchall())

    def _connect_readonly(self, timeout: float) -> sqlite3.Connection:
        """Read-only; on a read-only folder SQLite cannot make the WAL index, so
        the file is then read as immutable (what a last checkpoint holds)."""
        uri = self.path.resolve().as_uri()
        try:
            conn = sqlite3.connect(
                f"{uri}?mode=ro", uri=True, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            return conn
        except sqlite3.OperationalError:
            return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None, check_same_thread=False)

    def _migrate(self) -> None:
        """Create the tables; rows of an older layout are dropped (it is a cache)."""

        def once(c):
            version = c.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise DamagedCacheError(
                    self.path,
                    f"translation cache written by a newer nlen (layout {version}); "
                    "use another --cache-dir, or remove it with `nlen cache clear`",
                )
            if version < SCHEMA_VERSION:
                if version or c.execute("SELECT 1 FROM sqlite_master WHERE name = 'translations'").fetchone():
                    log.info("%s: translation cache from an older nlen; starting it afresh", self.path)
                c.execute("DROP TABLE IF EXISTS translations")
                c.execute("DROP TABLE IF EXISTS configs")
                for statement in self.SCHEMA.split(";"):
                    if statement.strip():
                        c.execute(statement)
                c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

        self._write(once)

    # --- retries on a locked / busy database; anything else is one clear error ---
    def _retry(self, fn: Callable):
        delay = 0.05
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                msg = str(exc).lower()
                if attempt == self.retries or not ("locked" in msg or "busy" in msg):
                    raise cache_problem(self.path, exc) from None
                log.debug("cache busy (%s); retrying in %.2fs", exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
            except sqlite3.DatabaseError as exc:
                raise cache_problem(self.path, exc) from None

    def _write(self, statements: Callable[[sqlite3.Connection], object]) -> None:
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
        """Record the configuration (once) and return its id, the key its translations are stored under."""
        cid = config_id(config)
        row = (
            cid,
            str(config.get("model")),
            str(config.get("backend")),
            json.dumps(config, sort_keys=True, ensure_ascii=False, default=str, allow_nan=False),
            time.time(),
        )
        self._write(lambda c: c.execute("INSERT OR IGNORE INTO configs VALUES (?, ?, ?, ?, ?)", row))
        return cid

    def get_many(self, cid: str, hashes: Iterable[str]) -> tuple[dict[str, Translation], int]:
        """The cached translations of these source hashes, and how many rows
        failed their checksum (left out: the caller translates them again)."""
        hashes = list(dict.fromkeys(hashes))
        found: dict[str, Translation] = {}
        damaged = 0
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._retry(
                lambda chunk=chunk, marks=marks: self.conn.execute(
                    "SELECT source_sha256, CAST(target AS BLOB), tokens, truncated, logprob, checksum "
                    f"FROM translations WHERE config = ? AND source_sha256 IN ({marks})",
                    (cid, *chunk),
                ).fetchall()
            )
            for source, raw, tokens, truncated, logprob, checksum in rows:
                try:
                    text = bytes(raw).decode("utf-8")
                    ok = (
                        isinstance(tokens, int)
                        and truncated in (0, 1)
                        and (logprob is None or isinstance(logprob, float))
                        and checksum == row_checksum(cid, source, text, tokens, bool(truncated), logprob)
                    )
                except (UnicodeDecodeError, TypeError):
                    ok = False
                if ok:
                    found[source] = Translation(text, tokens, bool(truncated), logprob)
                else:
                    damaged += 1
        return found, damaged

    def put_many(self, cid: str, pairs: Iterable[tuple[str, Translation]]) -> None:
        """Store (source text, translation) pairs under configuration `cid` in one transaction,
        replacing what was there."""
        now = time.time()
        rows = []
        for src, t in pairs:
            h = sha256_text(src)
            rows.append(
                (
                    cid,
                    h,
                    t.text,
                    int(t.tokens),
                    int(t.truncated),
                    t.logprob,
                    row_checksum(cid, h, t.text, t.tokens, t.truncated, t.logprob),
                    now,
                )
            )
        self._write(
            lambda c: c.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        )

    def stats(self) -> dict:
        """What `nlen cache stats` shows: the database path, its number of translations and bytes,
        and the translations per configuration."""
        rows = self._retry(
            lambda: self.conn.execute(
                "SELECT c.model, c.backend, c.id, COUNT(t.source_sha256) FROM configs c "
                "LEFT JOIN translations t ON t.config = c.id GROUP BY c.id ORDER BY c.model, c.backend"
            ).fetchall()
        )
        total = self._retry(lambda: self.conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0])
        return {
            "path": str(self.path),
            "translations": total,
            "bytes": database_bytes(self.dir),
            "configs": [{"model": m, "backend": b, "config": cid[:12], "translations": n} for m, b, cid, n in rows],
        }

    def clear(self) -> int:
        """Delete every translation and configuration and shrink the file; returns how many
        translations there were."""
        n = self._retry(lambda: self.conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0])

        def wipe(c):
            c.execute("DELETE FROM translations")
            c.execute("DELETE FROM configs")

        self._write(wipe)
        self._retry(lambda: self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)"))
        self._retry(lambda: self.conn.execute("VACUUM"))
        return n

    def close(self) -> None:
        """Close the database connection."""
        self.conn.close()


def database_bytes(directory: Path) -> int:
    """Bytes of the cache database in `directory`, its WAL and other side files included."""
    return sum(p.stat().st_size for p in directory.glob(DB_NAME + "*") if p.is_file())


def remove_database(directory: Path) -> list[Path]:
    """Delete the cache database and its WAL files whatever state they are in
    (`nlen cache clear` on a damaged cache). Returns what was removed."""
    check_cache_dir(directory)
    removed = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = directory / (DB_NAME + suffix)
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CacheError(path, f"cannot remove the translation cache ({exc.strerror or exc})") from None
    return removed


class CachedTranslator(TranslatorWrapper):
    """A layer that answers from the cache and stores what the inner translator
    translates, one committed batch at a time. Counts go to the shared
    `counters` (cache_hits, cache_misses)."""

    def __init__(self, inner: Translator, cache: TranslationCache):
        super().__init__(inner)
        self.cache = cache
        self.config = cache_config(inner.describe())
        self.config_id = cache.register(self.config)

    def translate_detailed(self, texts: Sequence[str], progress=None, on_batch=None, known=None) -> list[Translation]:
        """Answers what the cache holds and sends only the rest to the inner translator, storing
        each of its batches as it is committed."""
        with self.counters.timing():
            texts = list(texts)
            hashes = [sha256_text(t) for t in texts]
            found, damaged = self.cache.get_many(self.config_id, hashes)
            if damaged:
                if not self.counters.cache_damaged:
                    log.warning(
                        "%s: %d cached translation%s failed %s checksum (damaged on disk); translating %s again",
                        self.cache.path,
                        damaged,
                        "s" if damaged > 1 else "",
                        "their" if damaged > 1 else "its",
                        "them" if damaged > 1 else "it",
                    )
                self.counters.cache_damaged += damaged
            known = dict(known or {})
            known.update({i: found[h] for i, h in enumerate(hashes) if h in found and i not in known})
            self.counters.cache_hits += len(known)
            self.counters.cache_misses += len(texts) - len(known)

            def store(sources: list[str], results: list[Translation]) -> None:
                self.cache.put_many(self.config_id, zip(sources, results))
                if on_batch:
                    on_batch(sources, results)

            if len(known) == len(texts):
                if progress:
                    progress(len(texts))
                return [known[i] for i in range(len(texts))]
            return self.inner.translate_detailed(texts, progress=progress, on_batch=store, known=known)

    def with_settings(self, **changes) -> Translator:
        """The variant's outputs differ, so they are cached under their own configuration: the
        changes are part of it even where a backend's `describe()` does not report them."""
        other = super().with_settings(**changes)
        assert isinstance(other, CachedTranslator)
        changed = {**self.config.get("settings_changed", {}), **changes}  # a variant of a variant keeps both
        other.config = {**cache_config(other.inner.describe()), "settings_changed": dict(sorted(changed.items()))}
        other.config_id = self.cache.register(other.config)
        return other

    def close(self) -> None:
        """Closes the inner translator, then the cache."""
        try:
            self.inner.close()
        finally:
            self.cache.close()
