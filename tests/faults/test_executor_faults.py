"""Fault injection for the executor and output layer (issue 13): each case
asserts the exit code, no traceback, the message, and that nothing was lost or
half-written.

Most cases use `FaultyTranslator(mode="none")` from tests/doubles.py (it
translates the news set by lookup, instantly); `EmptyTranslator` below
simulates a model that returns nothing for some paragraphs, as the full-size
bench model does for emoji-only or Hebrew-only paragraphs.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Sequence

import doubles  # noqa: F401 - registers the test-faulty backend
import pytest
from doubles import NEWS_NL, FaultyTranslator, news_document_text
from support import LOOKUP_ARGS, one_line, run_without_write_permission, shared_folder

from pipeline.cli import main
from pipeline.translate.base import register_backend
from pipeline.translate.chunking import ChunkStats, translate_segments

pytestmark = pytest.mark.usefixtures("lookup_backends")


def articles(folder: Path, *names: str | bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else name.encode())
        with open(path, "w", encoding="utf-8") as f:
            f.write(news_document_text())


# --- 13.1: a file name that is not UTF-8 -------------------------------------------
def test_non_utf8_file_name_is_reported_and_the_others_go_through(tmp_path, capsys):
    articles(tmp_path / "d", "a.txt", b"bad\xff.txt", "c.txt")
    rc = main(["translate", str(tmp_path / "d"), "--out-dir", str(tmp_path / "o"), *LOOKUP_ARGS])
    line = one_line(capsys.readouterr().err)
    assert rc == 2
    assert "bad\\xff.txt" in line and "not valid UTF-8" in line
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["a.json", "a.tsv", "c.json", "c.tsv"]


# --- 13.2: rows without English never score high ------------------------------------
@register_backend("test-empty")
class EmptyTranslator(FaultyTranslator):
    """Simulates a model that returns an empty string for a text with no
    letters, as the full-size bench model does for emoji-only paragraphs."""

    def _translate_one(self, text: str) -> str:
        return "" if not any(ch.isalpha() for ch in text) else super()._translate_one(text)


def test_untranslated_rows_score_zero_and_are_reported(tmp_path, capsys, caplog):
    src = tmp_path / "in" / "doc.txt"
    src.parent.mkdir()
    src.write_text("🙂🙂 🎉\n\n" + news_document_text(), encoding="utf-8")
    rc = main(["translate", str(src), "--out-dir", str(tmp_path / "o"), "--backend", "test-empty", "--model", "x",
               "--no-cache", "--no-progress"])
    assert rc == 0
    rows = [line.split("\t") for line in (tmp_path / "o" / "doc.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    empty = [r for r in rows if r[0] and not r[1]]
    assert empty and all(r[6] == "0.0000" and "empty" in r[8].split(",") for r in empty)  # score 0, flagged
    manifest = json.loads((tmp_path / "o" / "doc.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["untranslated"] == len(empty)
    assert manifest["untranslated"] == [{"doc": "doc", "paragraph": 0, "nl_ids": [0]}]
    warnings = [r.getMessage() for r in caplog.records if "came back with no English" in r.getMessage()]
    assert warnings == ["doc: sentence 0 (paragraph 0) came back with no English; scored 0 and listed as "
                        "untranslated in the manifest"]
    assert "1 row with no English (scored 0)" in caplog.text  # the end-of-run summary
    assert "Traceback" not in capsys.readouterr().err


# --- 13.3 and 11: disk full while the manifest is written -----------------------------
def fsync_fails_for(monkeypatch, suffix: str) -> None:
    """Simulates ENOSPC from fsync (how a full disk shows with delayed allocation)
    on the temporary of any output whose name ends with `suffix`."""
    real = os.fsync

    def fsync(fd):
        name = os.readlink(f"/proc/self/fd/{fd}") if os.path.exists(f"/proc/self/fd/{fd}") else ""
        if name.endswith(".tmp") and suffix + "." in Path(name).name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("layout", ["article", "shard"])
def test_disk_full_on_the_manifest_leaves_the_old_pair(layout, tmp_path, monkeypatch, capsys):
    if layout == "article":
        src = tmp_path / "news.txt"
        src.write_text(news_document_text(), encoding="utf-8")
        edited = news_document_text().replace(NEWS_NL[0][0], NEWS_NL[1][0], 1)
    else:
        src = tmp_path / "news.jsonl"
        docs = [{"id": f"n{k}", "text": " ".join(block)} for k, block in enumerate(NEWS_NL)]
        src.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
        docs[0]["text"] = NEWS_NL[1][0]
        edited = "".join(json.dumps(d) + "\n" for d in docs)
    out = tmp_path / "o"
    assert main(["translate", str(src), "--out-dir", str(out), *LOOKUP_ARGS]) == 0
    before = snapshot(out)
    src.write_text(edited, encoding="utf-8")  # new input: the unit must be redone
    with monkeypatch.context() as m:
        fsync_fails_for(m, ".json")
        rc = main(["translate", str(src), "--out-dir", str(out), *LOOKUP_ARGS])
    line = one_line(capsys.readouterr().err)
    manifest = next(name for name in before if name.endswith(".json"))
    assert rc == 2
    assert f"{out / manifest}: cannot write output: No space left on device" in line and ".tmp" not in line
    assert snapshot(out) == before  # the old TSV and manifest, together; no temporary left
    assert main(["translate", str(src), "--out-dir", str(out), *LOOKUP_ARGS]) == 0  # and a rerun redoes it
    assert snapshot(out) != before


def test_tsv_renamed_but_manifest_not_is_redone(tmp_path, caplog):
    """A crash between the two renames leaves a new TSV beside the old manifest:
    the manifest's TSV hash no longer matches, so the unit is redone."""
    src = tmp_path / "news.txt"
    src.write_text(news_document_text(), encoding="utf-8")
    out = tmp_path / "o"
    assert main(["translate", str(src), "--out-dir", str(out), *LOOKUP_ARGS]) == 0
    good = (out / "news.tsv").read_bytes()
    lines = good.split(b"\n")
    head, first = lines[0].split(b"\t"), lines[1].split(b"\t")
    first[head.index(b"score")] = b"0.1234"  # a TSV that is not the one the manifest describes
    (out / "news.tsv").write_bytes(b"\n".join([lines[0], b"\t".join(first), *lines[2:]]))
    assert (out / "news.tsv").read_bytes() != good
    assert main(["translate", str(src), "--out-dir", str(out), *LOOKUP_ARGS]) == 0
    assert "up to date" not in caplog.text
    assert (out / "news.tsv").read_bytes() == good


# --- 13.10: nothing to do ------------------------------------------------------------
def nothing_here(tmp_path: Path, case: str) -> Path:
    folder = tmp_path / ("x.txt" if case == "folder named x.txt" else "in")
    folder.mkdir()
    if case == "no .txt":
        (folder / "notes.pdf").write_text("not an input", encoding="utf-8")
    elif case == "only broken symlinks":
        (folder / "a.txt").symlink_to(tmp_path / "gone.txt")
        (folder / "b.txt").symlink_to(tmp_path / "also-gone.txt")
    return folder


@pytest.mark.parametrize("case", ["no .txt", "only broken symlinks", "folder named x.txt"])
def test_nothing_to_translate_is_exit_2(case, tmp_path, capsys):
    folder = nothing_here(tmp_path, case)
    rc = main(["translate", str(folder), "--out-dir", str(tmp_path / "o"), *LOOKUP_ARGS])
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and str(folder) in line and "nothing to translate" in line
    assert ("2 skipped; a.txt: broken symbolic link" in line) == (case == "only broken symlinks")
    assert not (tmp_path / "o").exists()


# --- 13.13: checks that need no model come before it loads --------------------------
@pytest.mark.parametrize("option, message", [
    (["--family", "bogus"], "unknown model family 'bogus'"),
    (["--max-new-tokens", "100000"], "--max-new-tokens 100000 is over the model's limit of 512 positions"),
    (["--out-dir", "/sys/nlen-test-out"], "--out-dir is not writable"),
    (["--out-dir", "/sys/kernel"], "--out-dir is not writable"),
])
def test_refused_before_the_model_loads(option, message, tmp_path, capsys):
    if option[0] == "--out-dir" and os.access("/sys", os.W_OK) and os.getuid() != 0:
        pytest.skip("/sys is writable here")
    args = ["translate", news_file(tmp_path), "--model", "/no/such/model", "--no-cache", "--no-progress"]
    if option[0] != "--out-dir":
        args += ["--out-dir", str(tmp_path / "o")]
    rc = main(args + option)
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and message in line  # not the missing model, which loading would have found
    assert not (tmp_path / "o").exists()


def test_read_only_out_dir_as_an_ordinary_user():
    """As a user who cannot write there (root drops to `nobody`)."""

    with shared_folder() as shared:
        out = shared / "o"
        out.mkdir()
        out.chmod(0o555)
        res = run_without_write_permission(["translate", news_file(shared), "--out-dir", str(out), "--model",
                                            "/no/such/model", "--no-cache"], shared)
        assert res.returncode == 2 and f"{out}: --out-dir is not writable" in one_line(res.stderr)
        assert list(out.iterdir()) == []


def news_file(tmp_path: Path) -> str:
    src = tmp_path / "news.txt"
    src.write_text(news_document_text(), encoding="utf-8")
    return str(src)


# --- 15: progress in units that move ---------------------------------------------------
class ShortLimit(FaultyTranslator):
    """The lookup double with a 40-token input limit, so one long paragraph
    becomes many units (as a 2 MB paragraph does with a real model)."""

    max_input_tokens = 40

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]


def test_one_long_paragraph_shows_progress_as_its_chunks_finish():
    from pipeline.translate.base import GenerationSettings

    sentences = [s for block in NEWS_NL for s in block]
    tr = ShortLimit("lookup", GenerationSettings(batch_size=1))
    seen: list[int] = []
    translate_segments(tr, [sentences], ChunkStats(), progress=seen.append)
    assert len(seen) > 5 and sum(seen) == len(sentences)  # many steps, ending at the sentence count


# --- a damaged .gz input --------------------------------------------------------------------
def test_truncated_gzip_keeps_the_shards_before_the_damage(tmp_path, capsys):
    import gzip

    lines = "".join(json.dumps({"id": f"n{k}", "text": " ".join(block)}) + "\n" for k, block in enumerate(NEWS_NL * 4))
    whole = gzip.compress(lines.encode("utf-8"), mtime=0)
    src = tmp_path / "news.jsonl.gz"
    src.write_bytes(whole[: len(whole) * 3 // 4])  # cut off: as a download that stopped
    out = tmp_path / "o"
    rc = main(["translate", str(src), "--out-dir", str(out), "--shard-size", "4", *LOOKUP_ARGS])
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and str(src) in line and "cannot read past line" in line
    done = sorted(p.name for p in out.glob("*.json"))
    assert done and all((out / name.replace(".json", ".tsv")).exists() for name in done)
    assert not list(out.glob(".*.tmp"))
    src.write_bytes(whole)  # the whole file again: the rerun does the rest
    assert main(["translate", str(src), "--out-dir", str(out), "--shard-size", "4", *LOOKUP_ARGS]) == 0
    assert main(["merge", str(out)]) == 0
    merged = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    assert merged["documents"] == len(NEWS_NL) * 4
