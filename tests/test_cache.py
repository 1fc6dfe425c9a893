"""Translation cache: keys, edit-one-paragraph, two writers, `nlen cache`,
and resuming after a real SIGINT."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_nlen
from doubles import EchoTranslator

from pipeline.translate.base import GenerationSettings
from pipeline.translate.cache import CachedTranslator, TranslationCache, cache_config, default_cache_dir


class CountingTranslator(EchoTranslator):
    """Test double: a backend that counts how many texts it was asked to translate;
    `describe()` reports `num_beams` like a real backend so keys can differ."""

    def __init__(self, settings: GenerationSettings | None = None):
        super().__init__(settings or GenerationSettings(num_beams=4))
        self.translated: list[str] = []

    def _translate_batch(self, texts):
        self.translated.extend(texts)
        return super()._translate_batch(texts)

    def describe(self) -> dict:
        return {"backend": "test-counting", "model": "counting", "revision": "r1",
                "generation": {"num_beams": self.settings.num_beams, "batch_size": self.settings.batch_size}}


PARAGRAPHS = [f"Dit is alinea {i}. Ze heeft twee zinnen." for i in range(6)]


def test_default_location(monkeypatch, tmp_path):
    monkeypatch.setenv("NLEN_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("NLEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "nlen"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache" / "nlen"


def test_editing_one_paragraph_translates_only_that_one(tmp_path):
    inner = CountingTranslator()
    with CachedTranslator(inner, TranslationCache(tmp_path)) as tr:
        first = tr.translate(PARAGRAPHS)
        assert len(inner.translated) == 6 and (tr.counters.cache_hits, tr.counters.cache_misses) == (0, 6)
        edited = list(PARAGRAPHS)
        edited[3] = "Dit is de bewerkte alinea. Alleen deze is nieuw."
        second = tr.translate(edited)
        assert inner.translated[6:] == [edited[3]]  # one backend call, for the edited paragraph
        assert second == first[:3] + [f"EN[{edited[3]}]"] + first[4:]
        assert tr.describe() == inner.describe()  # provenance passes through
        assert tr.count_tokens(["a b"]) == inner.count_tokens(["a b"])


def test_cache_keeps_the_translation_details(tmp_path):
    """tokens, truncated and log-probability come back from the cache as the backend gave them."""
    from doubles import MeteredEcho

    texts = ["een twee", "een twee drie vier vijf zes zeven"]
    with CachedTranslator(MeteredEcho(), TranslationCache(tmp_path)) as tr:
        fresh = tr.translate_detailed(texts)
    again = MeteredEcho()
    with CachedTranslator(again, TranslationCache(tmp_path)) as tr:
        assert tr.translate_detailed(texts) == fresh and again.batches == []
        assert (tr.counters.cache_hits, tr.counters.translated, tr.counters.target_tokens) == (2, 0, 0)
    assert fresh[1].truncated and fresh[1].logprob == -0.5 and fresh[1].tokens == 6


def test_key_covers_generation_parameters_but_not_batching(tmp_path):
    cache = TranslationCache(tmp_path)
    with CachedTranslator(CountingTranslator(GenerationSettings(num_beams=4, batch_size=16)), cache) as tr:
        tr.translate(PARAGRAPHS)
    same = CountingTranslator(GenerationSettings(num_beams=4, batch_size=3))
    with CachedTranslator(same, TranslationCache(tmp_path)) as tr:
        tr.translate(PARAGRAPHS)
    assert same.translated == []  # batch size does not change the output
    other = CountingTranslator(GenerationSettings(num_beams=2))
    with CachedTranslator(other, TranslationCache(tmp_path)) as tr:
        tr.translate(PARAGRAPHS)
    assert len(other.translated) == 6  # another beam size is another key
    stats = TranslationCache(tmp_path).stats()
    assert stats["translations"] == 12 and len(stats["configs"]) == 2


def test_local_model_directory_is_fingerprinted(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    a = cache_config({"model": str(model), "revision": None, "generation": {}})
    (model / "model.safetensors").write_bytes(b"weights")
    b = cache_config({"model": str(model), "revision": None, "generation": {}})
    assert a["model_fingerprint"] != b["model_fingerprint"]


def test_failed_batch_keeps_finished_batches(tmp_path):
    """Batches are committed as they finish: an error (or Ctrl-C) later keeps them."""

    class FailsLate(CountingTranslator):
        """Test double: the third batch fails like an interrupted run."""

        def _translate_batch(self, texts):
            if len(self.batches) == 2:
                raise KeyboardInterrupt
            return super()._translate_batch(texts)

    inner = FailsLate(GenerationSettings(num_beams=4, batch_size=2))
    with pytest.raises(KeyboardInterrupt):
        with CachedTranslator(inner, TranslationCache(tmp_path)) as tr:
            tr.translate(PARAGRAPHS)
    assert TranslationCache(tmp_path).stats()["translations"] == 4
    again = CountingTranslator(GenerationSettings(num_beams=4, batch_size=2))
    with CachedTranslator(again, TranslationCache(tmp_path)) as tr:
        assert tr.translate(PARAGRAPHS) == [f"EN[{p}]" for p in PARAGRAPHS]
    assert len(again.translated) == 2  # only the two that never finished


WRITER = """
import sys
from pipeline.translate.cache import TranslationCache
from pipeline.translate import Translation
cache = TranslationCache(sys.argv[1], timeout=0.05)  # short busy timeout: the retries must do the work
cid = cache.register({"model": "m", "backend": "b", "writer": "shared"})
for i in range(int(sys.argv[3])):
    cache.put_many(cid, [(f"{sys.argv[2]}-{i}-{j}", Translation(f"t{i}", 3)) for j in range(5)])
    cache.get_many(cid, [f"{sys.argv[2]}-{i}-0"])
print("ok")
"""


def test_two_processes_write_at_once(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name, "150"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in ("a", "b")]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    con = sqlite3.connect(tmp_path / "translations.sqlite3")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT COUNT(*) FROM translations").fetchone()[0] == 2 * 150 * 5


def test_cache_command_stats_and_clear(tmp_path):
    inner = CountingTranslator()
    with CachedTranslator(inner, TranslationCache(tmp_path)) as tr:
        tr.translate(PARAGRAPHS)
    res = run_nlen("cache", "stats", "--cache-dir", str(tmp_path), "--json")
    assert res.returncode == 0, res.stderr
    stats = json.loads(res.stdout)
    assert stats["translations"] == 6 and stats["configs"][0]["model"] == "counting"
    res = run_nlen("cache", "clear", "--cache-dir", str(tmp_path))
    assert res.returncode == 0 and "cleared 6" in res.stdout
    res = run_nlen("cache", "stats", "--cache-dir", str(tmp_path))
    assert "translations: 0" in res.stdout
    assert run_nlen("cache", "bogus").returncode == 2


# --- end to end with the tiny model: resume after SIGINT, edit one paragraph ----------
def unique_document(n_paragraphs: int) -> str:
    """Every sentence and paragraph distinct, each paragraph 2–3 sentences."""
    words = ["Rusland", "munitie", "Noord-Korea", "steun", "China", "oorlog", "leider", "overleg"]
    paragraphs = []
    for p in range(n_paragraphs):
        k = 2 + p % 2
        paragraphs.append(" ".join(f"Zin {s} van alinea {p} gaat over {words[(p + s) % 8]} en {words[(p * 3 + s) % 8]}."
                                   for s in range(k)))
    return "\n\n".join(paragraphs) + "\n"


def cache_rows(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


def translate_in_process(doc: Path, model: Path, out: Path, cache_dir: Path | None) -> dict:
    """`nlen translate` in this process (torch is already loaded here), same settings
    as the subprocess runs below. Returns the manifest."""
    import torch

    from pipeline.job.run import run_translate
    from pipeline.job.spec import TranslateJob

    job = TranslateJob(out_dir=out, model=str(model), settings=GenerationSettings(num_beams=2, max_new_tokens=12, batch_size=2),
                       progress=False, cache=cache_dir is not None, cache_dir=cache_dir)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as OMP_NUM_THREADS=1 below: a tiny model, a shared machine
    try:
        assert run_translate([str(doc)], job) == 0
    finally:
        torch.set_num_threads(threads)
    return json.loads((out / f"{doc.stem}.json").read_text(encoding="utf-8"))


def test_interrupted_run_resumes_without_retranslating(tmp_path, tiny_marian):
    doc = tmp_path / "in" / "artikel.txt"
    doc.parent.mkdir()
    doc.write_text(unique_document(30), encoding="utf-8")
    cache_dir = tmp_path / "cache"
    db = cache_dir / "translations.sqlite3"
    # One thread: the tiny model gains nothing from more, and a shared CI machine stays responsive.
    env = {**os.environ, "NLEN_CACHE_DIR": str(tmp_path / "nlen-home"), "OMP_NUM_THREADS": "1"}
    victim = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "translate", str(doc), "--model", str(tiny_marian), "--no-progress",
         "--batch-size", "2", "--num-beams", "2", "--max-new-tokens", "12", "--out-dir", str(tmp_path / "out"),
         "--cache-dir", str(cache_dir)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while cache_rows(db) < 4 and victim.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        victim.send_signal(signal.SIGINT)  # a real Ctrl-C, mid-run
        _, err = victim.communicate(timeout=120)
    finally:
        if victim.poll() is None:
            victim.kill()
    assert victim.returncode == 130, err[-2000:]
    assert "interrupted" in err
    assert not (tmp_path / "out" / "artikel.tsv").exists()  # nothing half-written
    done = cache_rows(db)
    assert done >= 4

    manifest = translate_in_process(doc, tiny_marian, tmp_path / "out", cache_dir)  # the rerun
    total = cache_rows(db)
    assert done < total, "the interrupt came after the run had finished translating"
    # Every translation finished before the interrupt is reused, and nothing else is.
    assert manifest["group"]["cache"] == {"hits": done, "misses": total - done}
    translate_in_process(doc, tiny_marian, tmp_path / "ref", None)  # uninterrupted, no cache
    assert (tmp_path / "out" / "artikel.tsv").read_bytes() == (tmp_path / "ref" / "artikel.tsv").read_bytes()


def test_editing_one_paragraph_end_to_end(tmp_path, tiny_marian):
    doc = tmp_path / "artikel.txt"
    doc.write_text(unique_document(8), encoding="utf-8")
    cache_dir = tmp_path / "cache"
    first = translate_in_process(doc, tiny_marian, tmp_path / "out", cache_dir)["group"]["cache"]
    assert first["hits"] == 0
    text = doc.read_text(encoding="utf-8").split("\n\n")
    text[5] = "Deze alinea is nieuw geschreven. Ze gaat over iets anders."
    doc.write_text("\n\n".join(text), encoding="utf-8")
    rows = cache_rows(cache_dir / "translations.sqlite3")
    counts = translate_in_process(doc, tiny_marian, tmp_path / "out", cache_dir)["group"]["cache"]
    # The edited paragraph, plus at most the sentence-level repairs of its own two
    # sentences and their decoding again without loops (pipeline/document/repair.py); everything
    # else comes from the cache.
    assert 1 <= counts["misses"] <= 5
    assert cache_rows(cache_dir / "translations.sqlite3") - rows == counts["misses"]
