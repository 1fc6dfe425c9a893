"""Fault injection: the translation cache, model folders, CTranslate2 conversions,
options a backend cannot honour, and an unreachable hub (issue 13, items 4, 5, 6,
7, 12, 13 and the cache/offline parts of 15).

Every case asserts the exit code, that no traceback is printed, the one-line
message, and that nothing was lost or half-written. The tiny model of
tests/conftest.py is the model; each case breaks a copy of it, or a cache.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, SEED
from faults.test_input_faults import cli, files_in, one_error

FAST = ["--no-progress", "--max-new-tokens", "8", "--num-beams", "2"]
DB = "translations.sqlite3"


@pytest.fixture()
def ct2_home(tmp_path, monkeypatch) -> Path:
    """Conversions go to <NLEN_CACHE_DIR>/ct2: a fresh one per test."""
    monkeypatch.setenv("NLEN_CACHE_DIR", str(tmp_path / "home"))
    return tmp_path / "home"


def translate(capsys, model: Path, out: Path, *extra: str) -> tuple[int, list[str]]:
    code, _, err = cli(["translate", str(SEED), "--out-dir", str(out), "--model", str(model), *FAST, *extra], capsys)
    return code, err


def checkpoint(db: Path) -> None:
    """Move the WAL into the database file, so bytes on disk are the rows."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


# -- the translation cache (items 4, 5, 15) -------------------------------------------------------

def test_damaged_cache_row_is_a_miss_with_one_warning(tiny_marian, ct2_home, tmp_path, capsys, caplog):
    cache = tmp_path / "cache"
    assert translate(capsys, tiny_marian, tmp_path / "a", "--cache-dir", str(cache))[0] == 0
    db = cache / DB
    checkpoint(db)
    con = sqlite3.connect(db)
    raw = max((t for (t,) in con.execute("SELECT target FROM translations")), key=len).encode("utf-8")
    con.close()
    assert len(raw) >= 4
    data, at = db.read_bytes(), -1
    for _ in range(3):  # overwrite two bytes inside three stored translations (same length, still UTF-8)
        at = data.index(raw, at + 1)
        data = data[:at + 1] + b"XY" + data[at + 3:]
    db.write_bytes(data)

    with caplog.at_level("WARNING", logger="pipeline"):
        code, err = translate(capsys, tiny_marian, tmp_path / "b", "--cache-dir", str(cache))
    assert code == 0 and not [line for line in err if "error" in line]
    warnings = [r.getMessage() for r in caplog.records if "checksum" in r.getMessage()]
    assert len(warnings) == 1 and "3 cached translations failed their checksum" in warnings[0]
    name = f"{SEED.stem}.tsv"
    assert (tmp_path / "b" / name).read_bytes() == (tmp_path / "a" / name).read_bytes()  # nothing damaged reached it
    group = json.loads((tmp_path / "b" / f"{SEED.stem}.json").read_text(encoding="utf-8"))["group"]
    assert group["cache"]["damaged"] == 3 and group["cache"]["misses"] == 3


@pytest.fixture()
def damaged_cache(tiny_marian, ct2_home, tmp_path, capsys) -> Path:
    """A cache with rows in it, then random bytes written at offset 4096 (past the header)."""
    cache = tmp_path / "cache"
    assert translate(capsys, tiny_marian, tmp_path / "first", "--cache-dir", str(cache))[0] == 0
    checkpoint(cache / DB)
    with open(cache / DB, "r+b") as f:
        f.seek(4096)
        f.write(os.urandom(4096))
    return cache


def test_damaged_cache_database(damaged_cache, tiny_marian, tmp_path, capsys):
    before = (damaged_cache / DB).read_bytes()
    code, err = translate(capsys, tiny_marian, tmp_path / "out", "--cache-dir", str(damaged_cache))
    assert code == 2
    one_error(err, str(damaged_cache / DB), "translation cache is damaged", "nlen cache clear", "--no-cache")
    assert files_in(tmp_path / "out") == []  # nothing written
    code, out, err = cli(["cache", "stats", "--cache-dir", str(damaged_cache)], capsys)
    assert code == 2 and out == ""
    one_error(err, "translation cache is damaged")
    assert (damaged_cache / DB).read_bytes() == before  # neither command changed it
    # `cache clear` removes what it cannot empty, and the cache works again
    code, out, err = cli(["cache", "clear", "--cache-dir", str(damaged_cache)], capsys)
    assert code == 0 and f"removed the damaged translation cache {damaged_cache / DB}" in out and not err
    assert not list(damaged_cache.glob(DB + "*"))
    assert translate(capsys, tiny_marian, tmp_path / "out", "--cache-dir", str(damaged_cache))[0] == 0


def test_damaged_cache_is_found_before_the_model_loads(damaged_cache, tmp_path, capsys):
    broken = tmp_path / "no-model"
    broken.mkdir()
    (broken / "config.json").write_text("{ not json", encoding="utf-8")
    code, err = translate(capsys, broken, tmp_path / "out", "--cache-dir", str(damaged_cache))
    assert code == 2
    one_error(err, "translation cache is damaged")  # not the model's error: the cache is checked first


def test_cache_path_that_is_a_file(tiny_marian, ct2_home, tmp_path, capsys):
    path = tmp_path / "cache-file"
    path.write_bytes(b"my notes")
    code, err = translate(capsys, tiny_marian, tmp_path / "out", "--cache-dir", str(path))
    assert code == 2
    one_error(err, str(path), "is a file, not a folder", "--no-cache")
    for action in ("stats", "clear"):
        code, out, err = cli(["cache", action, "--cache-dir", str(path)], capsys)
        assert code == 2 and out == ""
        one_error(err, str(path), "is a file, not a folder")
    assert path.read_bytes() == b"my notes" and files_in(tmp_path / "out") == []


def test_stats_on_a_missing_cache_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "never" / "made"
    code, out, err = cli(["cache", "stats", "--cache-dir", str(missing)], capsys)
    assert code == 0 and "not created yet" in out and "translations: 0" in out and not err
    code, out, _ = cli(["cache", "stats", "--cache-dir", str(missing), "--json"], capsys)
    assert json.loads(out)["translations"] == 0
    assert not (tmp_path / "never").exists()


UNPRIVILEGED = 65534  # nobody


def run_without_write_permission(args: list[str], shared: Path) -> subprocess.CompletedProcess:
    """`nlen ARGS` as a user who cannot write into the read-only cache: this user
    when not root (root writes anyway), else `nobody` via setpriv."""
    env = {**os.environ, "NLEN_CACHE_DIR": str(shared / "home"), "HOME": str(shared)}
    cmd = [sys.executable, "-m", "pipeline", *args]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("root, and no setpriv to drop to an unprivileged user")
        cmd = ["setpriv", f"--reuid={UNPRIVILEGED}", f"--regid={UNPRIVILEGED}", "--clear-groups", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def test_read_only_cache(tiny_marian, ct2_home, capsys):
    shared = Path(tempfile.mkdtemp(prefix="nlen-ro-"))  # readable by the unprivileged user too
    try:
        shared.chmod(0o755)
        cache = shared / "cache"
        assert translate(capsys, tiny_marian, shared / "first", "--cache-dir", str(cache))[0] == 0
        checkpoint(cache / DB)
        (cache / DB).chmod(0o444)
        cache.chmod(0o555)
        article = shared / "artikel.txt"
        shutil.copy(SEED, article)
        out = shared / "out"
        out.mkdir(mode=0o777)
        out.chmod(0o777)
        before = (cache / DB).read_bytes()

        res = run_without_write_permission(["translate", str(article), "--out-dir", str(out), "--model", "/nowhere/model",
                                            "--cache-dir", str(cache), *FAST], shared)
        assert res.returncode == 2 and "Traceback" not in res.stderr
        one_error(res.stderr.splitlines(), str(cache), "translation cache", "not writable", "--no-cache")
        res = run_without_write_permission(["cache", "stats", "--cache-dir", str(cache)], shared)
        assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
        assert "translations: " in res.stdout and "translations: 0" not in res.stdout  # read without writing
        res = run_without_write_permission(["cache", "clear", "--cache-dir", str(cache)], shared)
        assert res.returncode == 2 and "Traceback" not in res.stderr
        one_error(res.stderr.splitlines(), str(cache), "not writable")
        assert (cache / DB).read_bytes() == before and files_in(out) == []
    finally:
        for folder in (shared / "cache", shared):
            if folder.exists():
                folder.chmod(0o755)
        shutil.rmtree(shared, ignore_errors=True)


# -- broken model folders (item 6), both backends ----------------------------------------------------

@pytest.fixture(scope="module")
def broken_models(tiny_marian, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("broken-models")
    no_tokenizer = root / "no-tokenizer"
    shutil.copytree(tiny_marian, no_tokenizer)
    for name in ("source.spm", "target.spm", "vocab.json"):
        (no_tokenizer / name).unlink()
    bad_weights = root / "bad-weights"
    shutil.copytree(tiny_marian, bad_weights)
    with open(bad_weights / "model.safetensors", "r+b") as f:
        f.write(os.urandom(4096))
    return {"tokenizer": no_tokenizer, "model weights": bad_weights}


@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
@pytest.mark.parametrize("broken", ["tokenizer", "model weights"])
def test_broken_model_folder(broken_models, backend, broken, ct2_home, tmp_path, capsys):
    model = broken_models[broken]
    code, err = translate(capsys, model, tmp_path / "out", "--backend", backend, "--no-cache")
    assert code == 2
    line = one_error(err, str(model), "missing or damaged")
    if broken == "tokenizer" or backend == "transformers":
        assert f"cannot load the {broken} from model directory" in line
    else:  # ctranslate2 reads the weights when it converts them
        assert "cannot convert model" in line and "SafetensorError" in line
    assert files_in(tmp_path / "out") == []
    assert not list((ct2_home / "ct2").glob("*"))  # no half-done conversion left


# -- CTranslate2 conversions (item 7) ----------------------------------------------------------------

def conversion(home: Path) -> Path:
    [folder] = [p for p in (home / "ct2").iterdir() if not p.name.startswith(".")]
    return folder


@pytest.mark.parametrize("damage", ["model.bin removed", "model.bin corrupt", "record removed"])
def test_damaged_conversion_is_converted_again(tiny_marian, ct2_home, tmp_path, capsys, caplog, damage):
    assert translate(capsys, tiny_marian, tmp_path / "a", "--no-cache")[0] == 0
    folder = conversion(ct2_home)
    if damage == "model.bin removed":
        (folder / "model.bin").unlink()
    elif damage == "model.bin corrupt":
        with open(folder / "model.bin", "r+b") as f:
            f.seek(200)
            f.write(os.urandom(64))
    else:
        (folder / "nlen-conversion.json").unlink()
    with caplog.at_level("WARNING", logger="pipeline"):
        code, err = translate(capsys, tiny_marian, tmp_path / "b", "--no-cache")
    assert code == 0 and not err
    warned = [r.getMessage() for r in caplog.records if "converting again" in r.getMessage()]
    assert len(warned) == 1 and str(folder) in warned[0]
    assert conversion(ct2_home) == folder and (folder / "model.bin").is_file()
    assert [p.name for p in (ct2_home / "ct2").iterdir()] == [folder.name]  # no temporary left
    name = f"{SEED.stem}.tsv"
    assert (tmp_path / "b" / name).read_bytes() == (tmp_path / "a" / name).read_bytes()


def test_cache_lists_and_clears_conversions(tiny_marian, ct2_home, tmp_path, capsys):
    assert translate(capsys, tiny_marian, tmp_path / "a")[0] == 0
    folder = conversion(ct2_home)
    code, out, _ = cli(["cache", "stats", "--json"], capsys)
    [listed] = json.loads(out)["conversions"]
    assert code == 0 and listed["name"] == folder.name and listed["problem"] is None
    assert listed["bytes"] == sum(f.stat().st_size for f in folder.iterdir())
    code, out, _ = cli(["cache", "stats"], capsys)
    assert folder.name in out and "KiB" in out
    code, out, _ = cli(["cache", "clear"], capsys)
    assert code == 0 and folder.is_dir()  # conversions stay unless asked for
    code, out, _ = cli(["cache", "clear", "--conversions"], capsys)
    assert code == 0 and "removed converted models" in out and not (ct2_home / "ct2").exists()


# -- options that would not be honoured (items 12, 13) ---------------------------------------------------

@pytest.mark.parametrize("args, parts", [
    (["--revision", "abc123"], ("--revision abc123 applies to hub models", "local directory")),
    (["--backend", "transformers", "--compute-type", "int8"], ("--compute-type int8 is a ctranslate2 option", "float32")),
    (["--compute-type", "int3"], ("unknown --compute-type 'int3'",)),
    (["--device", "cuda:0,1", "--backend", "transformers"], ("--device cuda:0,1",)),
])
def test_options_refused_before_the_model_loads(broken_models, ct2_home, tmp_path, capsys, args, parts):
    model = broken_models["model weights"]  # loading it would fail: the refusal must come first
    code, err = translate(capsys, model, tmp_path / "out", "--no-cache", *args)
    assert code == 2
    one_error(err, *parts)
    assert files_in(tmp_path / "out") == [] and not (ct2_home / "ct2").exists()


@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
def test_cuda_asked_for_where_there_is_none(tiny_marian, ct2_home, tmp_path, capsys, backend):
    for device in ("cuda", "cuda:0,1"):
        code, err = translate(capsys, tiny_marian, tmp_path / "out", "--no-cache", "--backend", backend,
                              "--device", device)
        assert code == 2
        if backend == "transformers" and device == "cuda:0,1":
            one_error(err, "--device cuda:0,1")  # several GPUs: refused, or no CUDA: either is one line
        else:
            one_error(err, f"--device {device}: no CUDA device is available here", "--device cpu")
    with pytest.raises(SystemExit) as exit:
        cli(["translate", str(SEED), "--device", "gpu"], capsys)
    err = capsys.readouterr().err
    assert exit.value.code == 2 and "argument --device: choose auto, cpu, cuda" in err and "Traceback" not in err


# -- no network (item 15) ------------------------------------------------------------------------------

def run_offline(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """`nlen ARGS` where the hub host cannot be resolved (a .invalid name fails in
    the local resolver: no traffic leaves the machine) and offline mode is NOT
    set, as on a user's laptop without network."""
    env = {**os.environ, "HF_ENDPOINT": "http://nlen-test.invalid", "HF_HOME": str(tmp_path / "hf"),
           "NLEN_CACHE_DIR": str(tmp_path / "home"), "OMP_NUM_THREADS": "1"}
    env.pop("HF_HUB_OFFLINE", None)
    env.pop("TRANSFORMERS_OFFLINE", None)
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_unresolvable_hub_fails_at_once_with_each_warning_once(tmp_path):
    started = time.monotonic()
    res = run_offline(tmp_path, "translate", str(SEED), "--out-dir", str(tmp_path / "out"), "--model",
                      "Helsinki-NLP/opus-mt-nl-en", "--no-progress")
    took = time.monotonic() - started
    assert res.returncode == 2 and "Traceback" not in res.stderr
    lines = res.stderr.splitlines()
    one_error(lines, "Helsinki-NLP/opus-mt-nl-en", "could not be downloaded", "hf download")
    assert sum("cannot be resolved" in line for line in lines) == 1
    assert not [line for line in lines if "Retry" in line]  # no retries: the host does not exist
    assert len(lines) == len(set(lines))  # nothing printed twice
    assert took < 40, took  # was ~51 s of retries (generous: a busy machine starts Python slowly)
    assert files_in(tmp_path / "out") == []


def test_unresolvable_hub_uses_the_local_hub_cache(tiny_marian, tmp_path):
    """A hub model downloaded earlier still works when the host cannot be resolved."""
    snapshot = tmp_path / "hf" / "hub" / "models--nlen-test--tiny" / "snapshots" / ("0" * 40)
    shutil.copytree(tiny_marian, snapshot)
    (snapshot.parent.parent / "refs").mkdir()
    (snapshot.parent.parent / "refs" / "main").write_text("0" * 40)
    res = run_offline(tmp_path, "translate", str(SEED), "--out-dir", str(tmp_path / "out"), "--model", "nlen-test/tiny",
                      *FAST)
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr[-2000:]
    assert sum("cannot be resolved" in line for line in res.stderr.splitlines()) == 1
    manifest = json.loads((tmp_path / "out" / f"{SEED.stem}.json").read_text(encoding="utf-8"))
    assert manifest["model"]["revision"] == "0" * 40
