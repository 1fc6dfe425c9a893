"""JSONL inputs, shards, `nlen merge`, and the Ray executor.

40 JSONL documents (4 bad lines among them) in 5 shards, translated by the tiny
random Marian model: locally, on a local Ray instance (`ray.init(num_cpus=2)`,
no dashboard) with 2 actors, with an actor killed mid-run, and interrupted by
SIGINT and resumed. The merged corpus must be byte-identical every time.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import threading
import time
from pathlib import Path

import pytest
from conftest import SEED

from pipeline.cli import main
from pipeline.corpus.write import COLUMNS
from pipeline.document.inputs import segment_text

SHARD = ["--shard-size", "9"]  # 44 records (40 good, 4 bad) → 5 shards
BAD_LINES = {7: "not JSON", 15: "duplicate id 'doc-3'", 24: "no 'id' field", 35: "'text' must be a string"}


def write_jsonl(path: Path) -> list[dict]:
    """40 documents of one or two of the seed article's paragraphs, with a bad
    line after documents 5, 12, 20 and 30; returns the good ones in order."""
    rng = random.Random(1)
    paragraphs = SEED.read_text(encoding="utf-8").strip().split("\n\n")
    good, lines = [], []
    for i in range(40):
        doc = {"id": f"doc-{i}", "text": "\n\n".join(rng.sample(paragraphs, rng.choice((1, 2)))), "source": "seed"}
        good.append(doc)
        lines.append(json.dumps(doc, ensure_ascii=False))
        lines += {5: ["not json"], 12: [json.dumps({"id": "doc-3", "text": "dup"})],
                  20: [json.dumps({"text": "no id"})], 30: [json.dumps({"id": "x30", "text": 5})]}.get(i, [])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return good


def translate(source: Path, out: Path, model: Path, *extra: str) -> int:
    return main(["translate", str(source), "--out-dir", str(out), "--model", str(model), "--max-new-tokens", "24",
                 "--no-progress", *SHARD, *extra])


def merged(out: Path) -> tuple[bytes, bytes]:
    assert main(["merge", str(out)]) == 0
    return (out / "corpus.tsv").read_bytes(), (out / "corpus.json").read_bytes()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("jsonl")
    good = write_jsonl(folder / "docs.jsonl")
    return folder / "docs.jsonl", good


@pytest.fixture(scope="module")
def local_run(corpus, tiny_marian, tmp_path_factory):
    """The reference: the local executor, in this process, cache on."""
    out = tmp_path_factory.mktemp("local")
    assert translate(corpus[0], out, tiny_marian) == 0
    return out, merged(out)


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield ray
    ray.shutdown()


def test_shards_rejects_and_merged_corpus(local_run, corpus, caplog):
    out, (tsv, manifest_bytes) = local_run
    source, good = corpus
    names = sorted(p.name for p in out.iterdir())
    config = json.loads(manifest_bytes)["config"]
    assert [n for n in names if n.endswith(".tsv") and n != "corpus.tsv"] == [f"docs-{k:05d}.{config}.tsv" for k in range(5)]
    assert not [n for n in names if n.endswith(".tmp")]
    # every bad line: in its shard's rejects file with its line number and reason
    rejects = [json.loads(line) for p in sorted(out.glob("docs-*.rejects.jsonl")) for line in p.read_text().splitlines()]
    assert [(r["line"], BAD_LINES[r["line"]] in r["reason"]) for r in rejects] == [(n, True) for n in BAD_LINES]
    assert (out / "corpus.rejects.jsonl").read_text().count("\n") == 4
    # the merged corpus: one header, every good document's sentences once, in order
    lines = tsv.decode("utf-8").split("\n")
    assert lines[0] == "\t".join(COLUMNS) and lines[-1] == ""
    rows = [line.split("\t") for line in lines[1:-1]]
    assert all(len(r) == len(COLUMNS) for r in rows)
    expected = [(doc["id"], s.id, s.text) for doc in good for p in segment_text(doc["text"], "nl") for s in p.sentences]
    got = [(r[2], int(i)) for r in rows for i in r[4].split(",") if i]
    assert got == [(d, i) for d, i, _ in expected]
    manifest = json.loads(manifest_bytes)
    assert manifest["documents"] == 40 and manifest["rejects"] == 4 and len(manifest["units"]) == 5
    assert manifest["output"]["rows"] == len(rows)
    assert manifest["counts"]["sentences_nl"] == len(expected)
    shard0 = json.loads((out / f"docs-00000.{config}.json").read_text())
    assert shard0["documents"][0]["extra"] == {"source": "seed"} and shard0["input"]["lines"] == [1, 9]
    assert shard0["output"]["rejects"]["count"] == 1


def test_gzip_input_gives_the_same_corpus(local_run, corpus, tiny_marian, tmp_path):
    source = tmp_path / "docs.jsonl.gz"
    source.write_bytes(gzip.compress(corpus[0].read_bytes()))
    assert translate(source, tmp_path / "out", tiny_marian) == 0  # the cache makes this quick
    assert merged(tmp_path / "out")[0] == local_run[1][0]


def test_rerun_skips_done_shards_and_redoes_a_damaged_one(local_run, corpus, tiny_marian, caplog):
    out, (tsv, _) = local_run
    config = json.loads((out / "corpus.json").read_text())["config"]
    damaged = out / f"docs-00002.{config}.tsv"
    damaged.write_text("half a file", encoding="utf-8")  # a TSV that no longer matches its manifest
    (out / f".docs-00003.{config}.tsv.{os.uname().nodename.replace('.', '-')}.999999999.abcdefgh.tmp").write_text("x")
    caplog.clear()
    assert translate(corpus[0], out, tiny_marian) == 0
    assert "4 units already done" in caplog.text and "1 temporary file" in caplog.text
    assert not list(out.glob(".*.tmp"))
    assert merged(out)[0] == tsv


def test_merge_to_stdout(local_run, capfd):
    out, (tsv, _) = local_run
    assert main(["merge", str(out), "-o", "-"]) == 0
    assert capfd.readouterr().out.encode("utf-8") == tsv


def test_merge_refuses_an_incomplete_out_dir(local_run, tmp_path, capsys):
    out, _ = local_run
    config = json.loads((out / "corpus.json").read_text())["config"]
    for p in out.glob(f"docs-0000[0134].{config}.*"):
        (tmp_path / p.name).write_bytes(p.read_bytes())
    assert main(["merge", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "shards 2 are not done" in err[0] and "docs.jsonl" in err[0]
    assert not (tmp_path / "corpus.tsv").exists()


def actor_pids() -> list[int]:
    """Processes of this machine running our Ray actor (its class name is in the process title)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"ShardWorker" in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def when_first_shard_is_done(out: Path, action) -> threading.Thread:
    def watch():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list(out.glob("docs-*.json")):
            time.sleep(0.05)
        action()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_ray_actor_killed_mid_run(ray_cluster, local_run, corpus, tiny_marian, tmp_path):
    """Ray with 2 actors gives the local executor's corpus byte for byte, even
    when one actor is SIGKILLed once the first shard is committed: Ray restarts
    it and its shard is redone from scratch; nothing is lost or doubled."""
    out = tmp_path / "ray-kill"
    killed = []

    def kill_one():
        pids = actor_pids()
        if pids:
            os.kill(pids[0], signal.SIGKILL)  # an actor this test's run started
            killed.append(pids[0])

    watcher = when_first_shard_is_done(out, kill_one)
    assert translate(corpus[0], out, tiny_marian, "--executor", "ray", "--workers", "2", "--no-cache") == 0
    watcher.join(5)
    assert killed, "no actor was found to kill"
    assert merged(out) == local_run[1]  # TSV and top-level manifest
    assert not list(out.glob(".*.tmp"))


def test_ray_resume_after_sigint(ray_cluster, local_run, corpus, tiny_marian, tmp_path, capsys, caplog):
    """Ctrl-C once the first shard is committed: exit 130, done shards kept;
    the same command again finishes the rest, and the corpus is the same."""
    out = tmp_path / "ray-int"
    watcher = when_first_shard_is_done(out, lambda: os.kill(os.getpid(), signal.SIGINT))
    rc = translate(corpus[0], out, tiny_marian, "--executor", "ray", "--workers", "2", "--no-cache")
    watcher.join(5)
    err = capsys.readouterr().err
    assert rc == 130 and "interrupted" in err and "Traceback" not in err
    # An actor busy with its shard when the driver was interrupted may still commit it (the
    # commit is atomic) while Ray tears the pool down: count once the commits have settled.
    done, since, deadline = -1, time.monotonic(), time.monotonic() + 30
    while time.monotonic() < deadline:
        now = len(list(out.glob("docs-*.json")))
        if now != done or list(out.glob(".*.tmp")):
            done, since = now, time.monotonic()
        elif time.monotonic() - since > 3:
            break
        time.sleep(0.1)
    assert 1 <= done < 5
    assert translate(corpus[0], out, tiny_marian, "--executor", "ray", "--workers", "2", "--no-cache") == 0
    assert f"{done} unit{'s' * (done > 1)} already done" in caplog.text
    assert merged(out)[0] == local_run[1][0]
    assert not list(out.glob(".*.tmp"))


@pytest.mark.parametrize("options, message", [
    (["--gpus-per-worker", "1"], "--gpus-per-worker 1: the Ray cluster has 0 GPUs"),
    (["--device", "cuda"], "--device cuda with --executor ray needs --gpus-per-worker"),
])
def test_ray_gpu_requests_without_gpus_are_one_line(ray_cluster, corpus, tiny_marian, tmp_path, capsys, options, message):
    rc = translate(corpus[0], tmp_path / "o", tiny_marian, "--executor", "ray", *options)
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert rc == 2 and len(err) == 1 and message in err[0]
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


@pytest.mark.parametrize("broken", ["model", "cache"])
def test_ray_actor_that_cannot_start_is_one_line(ray_cluster, corpus, tiny_marian, tmp_path, capsys, broken):
    """A model or cache the actors cannot use: one line and exit 2 (issue 13), not Ray's
    tracebacks from actors dying and being restarted."""
    model, extra = tiny_marian, ["--no-cache"]
    if broken == "model":
        model = tmp_path / "bad-model"
        model.mkdir()
        for f in tiny_marian.iterdir():
            (model / f.name).write_bytes(f.read_bytes())
        with open(model / "model.safetensors", "r+b") as f:
            f.write(b"\xff" * 64)  # the header is damaged
    else:
        (tmp_path / "cache").mkdir()
        (tmp_path / "cache" / "translations.sqlite3").write_bytes(b"\x00not a database" * 256)
        extra = ["--cache-dir", str(tmp_path / "cache")]
    rc = translate(corpus[0], tmp_path / "o", model, "--executor", "ray", "--workers", "2", "--backend", "transformers",
                   *extra)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("nlen: error:")]
    assert rc == 2 and "Traceback" not in err and len(lines) == 1, err
    assert ("cannot load the model weights" if broken == "model" else "translation cache is damaged") in lines[0]
    assert not list((tmp_path / "o").glob("*.tsv"))


def test_default_pool_fills_the_cluster(ray_cluster, tmp_path):
    from pipeline.job.ray_executor import pool_size
    from pipeline.job.spec import TranslateJob

    job = TranslateJob(out_dir=tmp_path, model="m", executor="ray")
    assert pool_size(job, tasks=5) == 2  # ray.init(num_cpus=2), one CPU an actor
    assert pool_size(job, tasks=1) == 1
    assert pool_size(TranslateJob(out_dir=tmp_path, model="m", executor="ray", workers=3), tasks=5) == 3


def test_several_processes_share_an_out_dir(local_run, corpus, tiny_marian, tmp_path):
    """Two `nlen translate` processes on one out-dir at once (as on two machines
    without Ray): each skips the shards the other has committed when it reaches
    them; a shard both translate is committed twice with the same bytes. The
    merged corpus is the one-process corpus, and no temporary is left."""
    import subprocess
    import sys

    out = tmp_path / "two"
    args = [sys.executable, "-m", "pipeline", "translate", str(corpus[0]), "--out-dir", str(out), "--model",
            str(tiny_marian), "--max-new-tokens", "24", "--no-progress", *SHARD]
    procs = [subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errs = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    assert merged(out) == local_run[1]
    assert not list(out.glob(".*.tmp"))


def test_jsonl_is_read_in_constant_memory(tmp_path):
    """Scanning holds one shard at a time: reading 4× the documents costs only
    the duplicate-id digests (about 85 bytes each), not the text."""
    import tracemalloc

    from pipeline.document.jsonl import scan_jsonl

    text = "Een zin van een paar woorden. " * 60  # about 1.8 kB a document
    peaks = []
    for n in (1000, 4000):
        path = tmp_path / f"{n}.jsonl"
        path.write_text("".join(json.dumps({"id": f"d{i}", "text": text}) + "\n" for i in range(n)), encoding="utf-8")
        tracemalloc.start()
        shards = sum(1 for _ in scan_jsonl(path, 10))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert shards == n // 10
    growth = (peaks[1] - peaks[0]) / 3000  # bytes per extra document; its text alone is 1,800
    assert peaks[1] < 2_000_000 and growth < 200, (peaks, growth)


def test_config_hash_names_what_changes_the_output(tmp_path):
    """Shard names carry a hash of what changes the output, and not of the thread layout."""

    from pipeline.job.spec import TranslateJob, config_hash
    from pipeline.translate.base import GenerationSettings

    def job(settings=None, **kw):
        return TranslateJob(out_dir=tmp_path, model="m", settings=GenerationSettings(device="cpu", **(settings or {})), **kw)

    base = config_hash(job())
    assert config_hash(job({"inter_threads": 2, "intra_threads": 1})) == base
    assert config_hash(job({"inter_threads": 1, "intra_threads": 2})) == base
    changed = [job({"num_beams": 2}), job({"compute_type": "float32"}), job({"max_new_tokens": 64}),
               job(backend="transformers"), job(revision="abc"), TranslateJob(out_dir=tmp_path, model="other"),
               job(aligner="galechurch"), job(repair_threshold=0.3), job(shard_size=7), job(unit="sentence")]
    hashes = [config_hash(j) for j in changed]
    assert base not in hashes and len(set(hashes)) == len(hashes)


@pytest.mark.parametrize("options, message", [
    (["--device", "cuda:0,1"], "--device cuda:0,1: no CUDA device is available here (CTranslate2 sees none)"),
    (["--compute-type", "int8_float16"], "--compute-type int8_float16 is not supported on cpu here"),
    (["--backend", "transformers", "--device", "cuda"], "--device cuda: no CUDA device is available here (torch sees none)"),
])
def test_gpu_requests_without_cuda_are_one_line(corpus, tiny_marian, tmp_path, capsys, options, message):
    """The GPU paths cannot run here; asking for them is one line and exit code 2,
    before any input is read or anything written."""
    import ctranslate2

    if ctranslate2.get_cuda_device_count():
        pytest.skip("this machine has CUDA")
    rc = translate(corpus[0], tmp_path / "o", tiny_marian, *options)
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert rc == 2 and len(err) == 1 and message in err[0], err
    assert not (tmp_path / "o").exists()
