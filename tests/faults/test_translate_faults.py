"""Fault injection: the translation cache, model folders, CTranslate2 conversions,
options a backend cannot honour, and an unreachable hub (issue 13, items 4, 5, 6,
7, 12, 13 and the cache/offline parts of 15).

Every case asserts the exit code, that no traceback is printed, the one-line
message, and that nothing was lost or half-written. The tiny model of
tests/conftest.py is the model; each case breaks a copy of it, or a cache.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEED
from support import cli, files_in, one_error, run_without_write_permission, shared_folder

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
    # two characters overwritten inside three stored translations, as a bad disk would (the
    # rows' checksums no longer match; SQLite itself sees nothing wrong)
    keys = con.execute("SELECT config, source_sha256 FROM translations WHERE length(target) >= 4 "
                       "ORDER BY length(target) DESC, source_sha256 LIMIT 3").fetchall()
    assert len(keys) == 3
    con.executemany("UPDATE translations SET target = substr(target, 1, 1) || 'XY' || substr(target, 4) "
                    "WHERE config = ? AND source_sha256 = ?", keys)
    con.commit()
    con.close()

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
    assert code == 0 and f"removed {damaged_cache / DB}: translation cache is damaged" in out and not err
    assert not list(damaged_cache.glob(DB + "*"))
    assert translate(capsys, tiny_marian, tmp_path / "out", "--cache-dir", str(damaged_cache))[0] == 0


def test_damaged_cache_is_found_before_the_model_loads(damaged_cache, tmp_path, capsys):
    broken = tmp_path / "no-model"
    broken.mkdir()
    (broken / "config.json").write_text("{ not json", encoding="utf-8")
    code, err = translate(capsys, broken, tmp_path / "out", "--cache-dir", str(damaged_cache))
    assert code == 2
    one_error(err, "translation cache is damaged")  # not the model's error: the cache is checked first


@pytest.mark.parametrize("layout", ["newer nlen", "foreign"])
def test_cache_of_another_layout_is_refused_and_cleared(ct2_home, tmp_path, capsys, layout):
    """Not damaged, but not a cache this nlen can use: one line, and `cache clear` removes it."""
    from pipeline.errors import DamagedCacheError
    from pipeline.translate.cache import TranslationCache

    cache = tmp_path / "cache"
    cache.mkdir()
    con = sqlite3.connect(cache / DB)
    con.execute("CREATE TABLE configs (a)" if layout == "foreign" else "CREATE TABLE later (a)")
    con.execute(f"PRAGMA user_version = {2 if layout == 'foreign' else 99}")  # 2: this nlen's layout number
    con.commit()
    con.close()
    with pytest.raises(DamagedCacheError):  # the type `cache clear` removes by
        TranslationCache(cache)
    code, err = translate(capsys, tmp_path / "no-model", tmp_path / "out", "--cache-dir", str(cache))
    assert code == 2
    one_error(err, str(cache / DB), "newer nlen (layout 99)" if layout == "newer nlen" else "not laid out as nlen's",
              "nlen cache clear")
    code, out, err = cli(["cache", "clear", "--cache-dir", str(cache)], capsys)
    assert code == 0 and out.startswith(f"removed {cache / DB}: ") and not err
    assert not list(cache.glob(DB + "*")) and files_in(tmp_path / "out") == []


@pytest.mark.parametrize("where", ["a file", "under a file", "database is a folder"])
def test_cache_path_that_is_a_file(tiny_marian, ct2_home, tmp_path, capsys, where):
    notes = tmp_path / "cache-file"
    notes.write_bytes(b"my notes")
    path, message = {"a file": (notes, "is a file, not a folder"),
                     "under a file": (notes / "sub", f"the cache folder cannot be made: {notes} is a file"),
                     "database is a folder": (tmp_path, f"{tmp_path / DB}: is not a file, so not a translation cache")}[where]
    if where == "database is a folder":
        (tmp_path / DB).mkdir()
    code, err = translate(capsys, tiny_marian, tmp_path / "out", "--cache-dir", str(path))
    assert code == 2
    one_error(err, str(path), message, "--no-cache")
    for action in ("stats", "clear"):
        code, out, err = cli(["cache", action, "--cache-dir", str(path)], capsys)
        assert code == 2 and out == ""
        one_error(err, str(path), message)
    assert notes.read_bytes() == b"my notes" and files_in(tmp_path / "out") == []
    assert (tmp_path / DB).is_dir() == (where == "database is a folder")  # never removed: it is not ours


def test_conversion_folder_that_cannot_be_written(tiny_marian, tmp_path, capsys, monkeypatch):
    """Conversions go to $NLEN_CACHE_DIR/ct2, even with --no-cache: a file in the way
    is refused before the model loads, a folder that cannot be made when converting."""
    monkeypatch.setenv("NLEN_CACHE_DIR", str(SEED))  # a file
    code, err = translate(capsys, tmp_path / "no-model", tmp_path / "out", "--no-cache")
    assert code == 2
    one_error(err, f"{SEED}/ct2: the cache folder cannot be made", "NLEN_CACHE_DIR", "--backend transformers")
    monkeypatch.setenv("NLEN_CACHE_DIR", "/proc/nlen-test-cache")  # cannot be made, even by root
    code, err = translate(capsys, tiny_marian, tmp_path / "out", "--no-cache")
    assert code == 2
    one_error(err, "/proc/nlen-test-cache", f"cannot write the CTranslate2 conversion of {tiny_marian}",
              "NLEN_CACHE_DIR")
    assert files_in(tmp_path / "out") == []

    from ctranslate2.converters import TransformersConverter

    def disk_full(self, output_dir, *args, **kwargs):  # simulates ENOSPC halfway through writing model.bin
        os.makedirs(output_dir, exist_ok=True)
        Path(output_dir, "model.bin").write_bytes(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    home = tmp_path / "home"
    monkeypatch.setenv("NLEN_CACHE_DIR", str(home))
    monkeypatch.setattr(TransformersConverter, "convert", disk_full)
    code, err = translate(capsys, tiny_marian, tmp_path / "out", "--no-cache")
    assert code == 2
    one_error(err, f"{home / 'ct2'}/", "cannot write the CTranslate2 conversion", "No space left on device")
    assert files_in(home / "ct2") == [] and files_in(tmp_path / "out") == []  # nothing half-written kept


def test_stats_on_a_missing_cache_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "never" / "made"
    code, out, err = cli(["cache", "stats", "--cache-dir", str(missing)], capsys)
    assert code == 0 and "not created yet" in out and "translations: 0" in out and not err
    code, out, _ = cli(["cache", "stats", "--cache-dir", str(missing), "--json"], capsys)
    assert json.loads(out)["translations"] == 0
    assert not (tmp_path / "never").exists()





def test_read_only_cache(tiny_marian, ct2_home, capsys):
    with shared_folder() as shared:
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
    bad_values = root / "bad-values"  # the header intact, bytes inside the tensors overwritten
    shutil.copytree(tiny_marian, bad_values)
    with open(bad_values / "model.safetensors", "r+b") as f:
        header = int.from_bytes(f.read(8), "little")
        f.seek(8 + header + 4096)
        f.write(b"\xff\xff\xff\x7f" * 16)  # NaN in float32, as random bytes often are
    bad_vocab = root / "bad-vocab"
    shutil.copytree(tiny_marian, bad_vocab)
    with open(bad_vocab / "vocab.json", "r+b") as f:
        f.seek(100)
        f.write(b"\x00garbage")
    return {"tokenizer": no_tokenizer, "vocabulary": bad_vocab, "model weights": bad_weights,
            "weight values": bad_values}


@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
@pytest.mark.parametrize("broken, problem", [
    ("tokenizer", "source.spm, target.spm, vocab.json missing (MarianTokenizer needs"),
    ("vocabulary", "vocab.json is not valid JSON (line "),
    ("model weights", "SafetensorError"),
    ("weight values", "16 of the 1024 values of"),
])
def test_broken_model_folder(broken_models, backend, broken, problem, ct2_home, tmp_path, capsys):
    model = broken_models[broken]
    code, err = translate(capsys, model, tmp_path / "out", "--backend", backend, "--no-cache")
    assert code == 2
    line = one_error(err, str(model), "missing or damaged", problem)
    what = {"vocabulary": "tokenizer", "weight values": "model weights"}.get(broken, broken)
    if what == "tokenizer" or backend == "transformers":
        assert f"cannot load the {what} from model directory" in line
    else:  # ctranslate2 reads the weights when it converts them
        assert "cannot convert model" in line
    assert files_in(tmp_path / "out") == []
    assert not list((ct2_home / "ct2").glob("*"))  # no half-done conversion left


# -- a real model that returns nothing (item 2) ------------------------------------------------------

@pytest.fixture(scope="module")
def mute_model(tiny_marian, tmp_path_factory) -> Path:
    """The tiny model, with its output bias set so that it ends every output at once
    (the end token first; <unk>, dropped when decoded, where CTranslate2 wants one
    token at least): a model that returns empty English, as the full-size bench
    model does for emoji-only paragraphs, through the real backends."""
    from safetensors.torch import load_file, save_file

    model = tmp_path_factory.mktemp("mute") / "mute-marian"
    shutil.copytree(tiny_marian, model)
    weights = load_file(model / "model.safetensors")
    bias = weights["final_logits_bias"].clone()
    bias[0, 0], bias[0, 1] = 1000.0, 500.0  # </s> = 0, <unk> = 1 (tests/conftest.py)
    weights["final_logits_bias"] = bias
    save_file(weights, model / "model.safetensors", metadata={"format": "pt"})
    return model


@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
def test_model_that_returns_nothing(mute_model, backend, ct2_home, tmp_path, capsys, caplog):
    src = tmp_path / "stil.txt"
    src.write_text("Dit is een zin. Nog een zin.\n\nTweede alinea.\n", encoding="utf-8")
    with caplog.at_level("INFO", logger="pipeline"):
        code, _, err = cli(["translate", str(src), "--out-dir", str(tmp_path / "out"), "--model", str(mute_model),
                            "--backend", backend, "--no-cache", "--no-progress"], capsys)
    assert code == 0 and not [line for line in err if "error" in line]
    rows = [line.split("\t") for line in (tmp_path / "out" / "stil.tsv").read_text(encoding="utf-8").splitlines()]
    score, flags = rows[0].index("score"), rows[0].index("flags")
    assert [(r[0], r[1], r[score], r[flags]) for r in rows[1:]] == [
        ("Dit is een zin.", "", "0.0000", "empty"), ("Nog een zin.", "", "0.0000", "empty"),
        ("Tweede alinea.", "", "0.0000", "empty")]  # every Dutch sentence kept, none looks translated
    manifest = json.loads((tmp_path / "out" / "stil.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["untranslated"] == 3 and [u["nl_ids"] for u in manifest["untranslated"]] == [[0], [1], [2]]
    warned = [r.getMessage() for r in caplog.records if "came back with no English" in r.getMessage()]
    assert warned == [f"stil: sentence {i} (paragraph {p}) came back with no English; scored 0 and listed as "
                      "untranslated in the manifest" for i, p in ((0, 0), (1, 0), (2, 1))]
    assert "3 rows with no English (scored 0)" in caplog.text  # the end-of-run summary


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


@pytest.mark.parametrize("command", ["eval", "align", "compare"])
@pytest.mark.parametrize("args, parts", [
    (["--family", "bogus"], ("unknown model family 'bogus'",)),
    (["--max-new-tokens", "100000"], ("--max-new-tokens 100000 is over the model's limit of 512 positions",)),
    (["--backend", "transformers", "--compute-type", "int8"], ("--compute-type int8 is a ctranslate2 option",)),
])
def test_other_commands_refuse_before_the_model_loads(broken_models, ct2_home, tmp_path, capsys, command, args, parts):
    """eval, align --mt-model and compare open models as translate does: the same checks come first."""
    model = str(broken_models["model weights"])
    argv = {"eval": ["eval", "--model", model, "--reports-dir", str(tmp_path / "out"), "--no-cache"],
            "align": ["align", str(SEED), str(SEED), "--mt-model", model, "--no-cache"],
            "compare": ["compare", model, "--reports-dir", str(tmp_path / "out")]}[command]
    code, out, err = cli([*argv, *args], capsys)
    assert code == 2 and out == ""
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
    """Was ~51 s of retries, each warning printed twice. "At once" is shown by what
    happened (offline mode from the start: not one retry), not by a timing."""
    res = run_offline(tmp_path, "-v", "translate", str(SEED), "--out-dir", str(tmp_path / "out"), "--model",
                      "Helsinki-NLP/opus-mt-nl-en", "--no-progress")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    lines = res.stderr.splitlines()
    one_error(lines, "Helsinki-NLP/opus-mt-nl-en", "could not be downloaded", "hf download")
    assert sum("cannot be resolved" in line for line in lines) == 1
    assert not [line for line in lines if "Retry" in line or "retry" in line]  # even with -v (debug logging)
    assert len(lines) == len(set(lines))  # nothing printed twice
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
