"""Fault cases of the `translate` job: what makes a configuration (shard size, thread counts), stale shards,
nothing to translate, Ray options without Ray.

Each asserts the exit code, no traceback, the one-line message, and that nothing was lost,
duplicated or half-written; translation uses the lookup double (tests/doubles.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import jsonl, merged, one_line, translate, tsv_docs

from pipeline.cli import main

pytestmark = pytest.mark.usefixtures("lookup_backends")


def test_another_shard_size_is_another_configuration(tmp_path, capsys):
    src, out = tmp_path / "d.jsonl", tmp_path / "o"
    jsonl(src, 12)
    assert translate(str(src), "--out-dir", str(out), "--shard-size", "3") == 0
    assert translate(str(src), "--out-dir", str(out), "--shard-size", "6") == 0  # not skipped as done
    capsys.readouterr()
    assert main(["merge", str(out)]) == 2
    line = one_line(capsys.readouterr().err)
    assert "holds outputs of 2 configurations" in line and "(4 units)" in line and "(2 units)" in line
    configs = sorted({p.name.split(".")[1] for p in out.glob("d-*.json")})
    bodies = set()
    for config in configs:
        result = merged(out, "--config", config, "-o", str(tmp_path / f"{config}.tsv"))
        assert result["documents"] == 12 and result["request"]["shard_size"] in (3, 6)
        bodies.add((tmp_path / f"{config}.tsv").read_bytes())
    assert len(bodies) == 1  # the same rows either way


def test_input_cut_short_its_stale_shards_are_named_not_merged(tmp_path, capsys):
    src, out = tmp_path / "d.jsonl", tmp_path / "o"
    docs = jsonl(src, 12)
    assert translate(str(src), "--out-dir", str(out), "--shard-size", "3") == 0
    jsonl(src, docs[:6])  # the same first six documents; shard 1 is now the last one
    assert translate(str(src), "--out-dir", str(out), "--shard-size", "3") == 0
    manifests = {int(p.name[2:7]): json.loads(p.read_text(encoding="utf-8")) for p in out.glob("d-*.json")}
    assert manifests[1]["input"]["final"] is True and manifests[3]["input"]["final"] is True  # redone, not skipped
    capsys.readouterr()
    assert main(["merge", str(out)]) == 2
    line = one_line(capsys.readouterr().err)
    assert "2 stale shards past its last one (shard 1)" in line and "d-00002." in line and "d-00003." in line
    assert "d-00001." not in line and "remove" in line
    assert not (out / "corpus.tsv").exists()
    for p in out.glob("d-0000[23].*"):
        p.unlink()
    assert merged(out)["documents"] == 6
    assert tsv_docs(out / "corpus.tsv") == [d["id"] for d in docs[:6]]


def test_thread_counts_are_not_in_the_configuration():
    from pipeline.job.spec import TranslateJob, config_hash
    from pipeline.translate.base import GenerationSettings

    def job(**settings) -> TranslateJob:
        return TranslateJob(
            out_dir=Path("o"),
            model="lookup",
            backend="test-faulty",
            settings=GenerationSettings(device="cpu", **settings),
        )

    assert config_hash(job()) == config_hash(job(inter_threads=2, intra_threads=1)) == config_hash(job(intra_threads=3))
    assert config_hash(job()) != config_hash(job(num_beams=3))


@pytest.mark.parametrize("content", ["", "\n  \n\n"])
def test_empty_jsonl_is_nothing_to_translate(content, tmp_path, capsys):
    (tmp_path / "e.jsonl").write_text(content, encoding="utf-8")
    rc = translate(str(tmp_path / "e.jsonl"), "--out-dir", str(tmp_path / "o"))
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and str(tmp_path / "e.jsonl") in line and "nothing to translate" in line


@pytest.mark.parametrize(
    "option", [["--workers", "2"], ["--cpus-per-worker", "1"], ["--gpus-per-worker", "0"], ["--ray-address", "auto"]]
)
def test_ray_options_without_ray_are_refused(option, tmp_path, capsys):
    jsonl(tmp_path / "d.jsonl", 1)
    rc = translate(str(tmp_path / "d.jsonl"), "--out-dir", str(tmp_path / "o"), *option)
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and f"{option[0]} is for --executor ray only" in line
    assert not (tmp_path / "o").exists()
