"""`nlen translate` end to end with a tiny random-weight Marian model."""

from __future__ import annotations

import json
import os

import pytest
from conftest import run_nlen
from support import check_corpus

from pipeline.cli import main
from pipeline.corpus.write import COLUMNS, atomic_write_text
from pipeline.document.inputs import read_document


@pytest.fixture(scope="module")
def translated(tiny_marian, seed_article, tmp_path_factory):
    out = tmp_path_factory.mktemp("parallel")
    rc = main(["translate", str(seed_article), "--out-dir", str(out), "--model", str(tiny_marian), "--no-cache",
               "--max-new-tokens", "24"])
    assert rc == 0
    return out


def test_end_to_end_on_seed_article(translated, seed_article, tiny_marian):
    out = translated
    tsv = out / f"{seed_article.stem}.tsv"
    rows = check_corpus(tsv, seed_article)
    assert any(r[1] for r in rows)  # the model produced English
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]  # no temp files left

    manifest = json.loads((out / f"{seed_article.stem}.json").read_text(encoding="utf-8"))
    # the header `date 2023-09` is metadata, not text: the first row starts at the article
    assert manifest["meta"] == {"date": "2023-09"} and rows[0][0].startswith("Een zeldzame ontmoeting:")
    assert manifest["model"]["model"] == str(tiny_marian)
    assert manifest["model"]["backend"] == "ctranslate2"  # the default
    assert manifest["model"]["compute_type"] == "int8"  # on CPU
    assert "revision" in manifest["model"]
    gen = manifest["model"]["generation"]
    assert gen["num_beams"] == 4  # the model's own default, made explicit
    assert gen["do_sample"] is False and gen["max_new_tokens"]
    doc = read_document(seed_article)
    assert manifest["input"]["sha256"] == doc.sha256
    counts = manifest["counts"]
    assert counts["paragraphs"] == len(doc.paragraphs) == 14
    assert counts["sentences_nl"] == len(doc.sentences)
    assert sum(counts["beads"].values()) == len(rows)
    for package in ("torch", "transformers", "sentencepiece", "sacrebleu"):
        assert manifest["packages"][package]
    assert manifest["group"]["wall_time_s"] >= 0 and manifest["group"]["documents"] == 1


def test_rerun_is_byte_identical(translated, seed_article, tiny_marian, tmp_path):
    """A second run, in a fresh process, writes the same bytes."""
    out = translated
    proc = run_nlen("translate", str(seed_article), "--out-dir", str(tmp_path), "--model", str(tiny_marian),
                    "--no-cache", "--no-progress", "--max-new-tokens", "24")
    assert proc.returncode == 0, proc.stderr
    name = f"{seed_article.stem}.tsv"
    assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


def test_up_to_date_outputs_are_skipped(translated, seed_article, tiny_marian, caplog):
    out = translated
    before = (out / f"{seed_article.stem}.json").read_bytes()
    rc = main(["translate", str(seed_article), "--out-dir", str(out), "--model", str(tiny_marian), "--no-cache", "--no-progress", "--max-new-tokens", "24"])
    assert rc == 0
    assert "up to date" in caplog.text
    assert (out / f"{seed_article.stem}.json").read_bytes() == before


def test_folder_input_and_bad_files_do_not_stop_the_others(tiny_marian, tmp_path, capsys, caplog):
    src = tmp_path / "in"
    src.mkdir()
    (src / "goed.txt").write_bytes(b"\xef\xbb\xbfDit is goed.\r\nEcht waar.\r\n\r\nTweede alinea!\r\n")
    (src / "kapot.txt").write_bytes(b"Dit is kapot: \xff\xfe einde.")
    (src / "leeg.txt").write_bytes(b"")
    (src / "notes.pdf").write_text("not an input", encoding="utf-8")
    out = tmp_path / "out"
    rc = main(["translate", str(src), "--out-dir", str(out), "--model", str(tiny_marian), "--no-cache", "--no-progress", "--max-new-tokens", "24"])
    err = capsys.readouterr().err
    assert rc == 2
    lines = [line for line in err.splitlines() if "kapot.txt" in line]
    assert len(lines) == 1 and "byte offset 14" in lines[0] and "UTF-8" in lines[0]
    assert not (out / "kapot.tsv").exists() and not (out / "kapot.json").exists()
    rows = check_corpus(out / "goed.tsv", src / "goed.txt")
    assert [r[3] for r in rows][-1] == "1"  # two paragraphs
    # empty file: header-only TSV and a warning
    assert (out / "leeg.tsv").read_text(encoding="utf-8") == "\t".join(COLUMNS) + "\n"
    assert "leeg.txt" in caplog.text and "header-only" in caplog.text
    assert not (out / "notes.tsv").exists()


def test_non_utf8_exit_code_and_one_line_no_traceback(tiny_marian, tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf".encode() + b"\xe9.")
    proc = run_nlen("translate", str(bad), "--out-dir", str(tmp_path / "out"), "--model", str(tiny_marian), "--no-cache", "--max-new-tokens", "24")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"nlen: error: {bad}: not valid UTF-8: byte 0xe9 at byte offset 3 (line 1); ")
    assert "iconv -f WINDOWS-1252 -t UTF-8" in lines[0]


def test_missing_model_gives_one_clear_error(seed_article, tmp_path):
    proc = run_nlen("translate", str(seed_article), "--out-dir", str(tmp_path), "--model", "Helsinki-NLP/no-such-model-xyz",
                    "--no-cache", env={"HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "hf download Helsinki-NLP/no-such-model-xyz" in lines[0] and "--model" in lines[0]
    assert not list(tmp_path.iterdir())


def test_missing_input_file(tmp_path, capsys):
    rc = main(["translate", str(tmp_path / "nope.txt"), "--out-dir", str(tmp_path)])
    assert rc == 2
    assert "nope.txt: no such file or directory" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error():
    proc = run_nlen("translate", "x.txt", "--frobnicate")
    assert proc.returncode == 2
    assert "usage:" in proc.stderr and "--frobnicate" in proc.stderr


def test_interrupted_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.tsv"
    target.write_text("old\n", encoding="utf-8")

    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(target, "new data " * 1000 + "\ud800")  # lone surrogate cannot be encoded
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.tsv"]


@pytest.mark.real_model
@pytest.mark.skipif(not os.environ.get("NLEN_REAL_MODEL"), reason="set NLEN_REAL_MODEL=<local opus-mt-nl-en dir>")
def test_real_model_translates_the_seed(seed_article, tmp_path):
    model = os.environ["NLEN_REAL_MODEL"]
    proc = run_nlen("translate", str(seed_article), "--out-dir", str(tmp_path), "--model", model, "--no-cache")
    assert proc.returncode == 0, proc.stderr
    rows = check_corpus(tmp_path / f"{seed_article.stem}.tsv", seed_article)
    english = " ".join(r[1] for r in rows)
    assert "Russia" in english and "North Korea" in english


@pytest.mark.real_model
@pytest.mark.skipif(not os.environ.get("NLEN_REAL_MODEL"), reason="set NLEN_REAL_MODEL=<local opus-mt-nl-en dir>")
@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_real_model_translates_when_copying_is_forbidden(seed_article, backend):
    """The repair's last retry for a sentence left in Dutch (no_copy_ngram_size) still gives
    English on the real model, with no run of the Dutch copied (names and numbers may be)."""
    from pipeline.document.repair import NO_COPY_NGRAM_SIZE, bad_english
    from pipeline.translate import load_translator
    from pipeline.translate.base import GenerationSettings

    sentences = [s.text for s in read_document(seed_article).sentences][:20]
    with load_translator(backend, os.environ["NLEN_REAL_MODEL"], GenerationSettings()) as tr:
        forced = tr.with_settings(no_copy_ngram_size=NO_COPY_NGRAM_SIZE).translate(sentences)
    assert not [(s, e) for s, e in zip(sentences, forced) if "untranslated" in bad_english(s, e)]
    assert "Russia" in " ".join(forced)


@pytest.mark.parametrize("model, message", [
    ("/no/such/model-dir", "cannot load model '/no/such/model-dir': no such directory"),
    ("{tmp}", "not a model directory (no config.json)"),
])
def test_bad_local_model_directory(seed_article, tmp_path, capsys, model, message):
    model = model.format(tmp=tmp_path)
    rc = main(["translate", str(seed_article), "--out-dir", str(tmp_path / "out"), "--model", model, "--no-cache"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and message in err[0]
    assert not (tmp_path / "out").exists()


def test_cache_on_and_off_give_the_same_bytes(tiny_marian, tmp_path, monkeypatch):
    """With the default (per-text) output bound, a heading translated in a batch
    of paragraphs and again alone in the repair step gets the same English."""
    src = tmp_path / "kort.txt"
    src.write_text("Rusland wil munitie\n\nHet was de tweede keer. Ze spraken steun uit. Dat is alles.\n\n"
                   "Wat wil Noord-Korea?\n", encoding="utf-8")
    monkeypatch.setenv("NLEN_CACHE_DIR", str(tmp_path / "cache"))
    base = ["translate", str(src), "--model", str(tiny_marian), "--no-progress"]
    assert main(base + ["--out-dir", str(tmp_path / "on")]) == 0
    assert main(base + ["--out-dir", str(tmp_path / "off"), "--no-cache"]) == 0
    assert (tmp_path / "on" / "kort.tsv").read_bytes() == (tmp_path / "off" / "kort.tsv").read_bytes()


def test_out_dir_that_is_a_file_fails_before_any_work(seed_article, tmp_path, capsys):
    target = tmp_path / "not-a-folder"
    target.write_text("x", encoding="utf-8")
    rc = main(["translate", str(seed_article), "--out-dir", str(target), "--model", "/no/model"])
    assert rc == 2 and "--out-dir is a file" in capsys.readouterr().err


def test_corrupt_cache_is_one_clear_error(tiny_marian, seed_article, tmp_path, capsys):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "translations.sqlite3").write_bytes(b"this is not a database" * 100)
    rc = main(["translate", str(seed_article), "--out-dir", str(tmp_path / "out"), "--model", str(tiny_marian),
               "--cache-dir", str(tmp_path / "cache"), "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "translation cache is damaged" in err[0] and "--no-cache" in err[0]


def test_outputs_get_ordinary_file_permissions(translated, seed_article):
    mask = os.umask(0)
    os.umask(mask)
    for suffix in (".tsv", ".json"):
        mode = (translated / f"{seed_article.stem}{suffix}").stat().st_mode & 0o777
        assert mode == 0o666 & ~mask
