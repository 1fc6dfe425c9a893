"""Round 2 fault cases (#22) of `nlen align --max-size`, long tokens cut to the model's input
limit, and the Ray executor:

- item 16: `--max-size` outside 1..16 is one argparse line (it was "math domain error" at 200,
  gigabytes at 100000), and the aligner's bead types are bounded by the input's longest block;
- item 18: a token with no spaces is cut in time linear in its length (counted: the characters
  the tokenizer is given), with the same pieces as before;
- item 19: an unreachable `--ray-address` (or $RAY_ADDRESS) is one line naming it, not a hang;
- item 20: SIGINT at several moments of a Ray run: exit 130, one line, no traceback, no second
  Ray instance, and no process of the run left behind.

Each asserts the exit code, no traceback, the one-line message, and that nothing was written
outside the named folders and the inputs are unchanged."""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from conftest import ROOT, SEED
from support import files_in, one_line

from pipeline.cli import main
from pipeline.commands import align as align_command
from pipeline.errors import UserError
from pipeline.translate.chunking import ChunkStats, chunk_paragraph

NL = (
    "Dit is de eerste zin.\nHier komt de tweede zin, die wat langer is.\n\n"
    "Een nieuw blok begint hier.\nEn het eindigt hier!\n"
)
EN = (
    "This is the first sentence.\nHere comes the second sentence, which is longer.\n\n"
    "A new block starts here.\nAnd it ends here!\n"
)
INTERRUPTED = "nlen: interrupted; finished work is kept, rerun to resume"


def pair(folder: Path) -> tuple[Path, Path]:
    src, tgt = folder / "a.nl", folder / "a.en"
    src.write_text(NL, encoding="utf-8")
    tgt.write_text(EN, encoding="utf-8")
    return src, tgt


# --- item 16: --max-size ----------------------------------------------------------------
@pytest.mark.parametrize("size", ["0", "17", "200", "100000", "-1", "x", "2.5"])
def test_16_max_size_outside_1_to_16_is_one_line(size, tmp_path, capsys):
    src, tgt = pair(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["align", str(src), str(tgt), "--max-size", size])
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == "" and "Traceback" not in err
    errors = [line for line in err.splitlines() if "error" in line]  # argparse: its usage, then one line
    assert errors == [f"nlen align: error: argument --max-size: must be a whole number from 1 to 16, got {size}"]
    assert files_in(tmp_path) == ["a.en", "a.nl"] and src.read_text(encoding="utf-8") == NL


def test_16_the_library_refuses_the_same_sizes_and_both_limits_agree():
    from pipeline.align import MAX_SIZE_LIMIT, align, get_aligner

    assert align_command.MAX_SIZE_LIMIT == MAX_SIZE_LIMIT == 16
    for size in (0, 17, 100000):
        with pytest.raises(UserError, match=f"^--max-size must be from 1 to 16, got {size}$"):
            get_aligner("nlen", max_size=size)
        with pytest.raises(UserError):
            align(["a."], ["b."], max_size=size)


def test_16_the_largest_size_costs_only_what_the_input_needs(tmp_path, capsys, monkeypatch):
    """Item 16: at --max-size 16 the aligner builds the bead types of the longest block (2
    sentences a side), not 16 × 16, and gives exactly the beads of --max-size 2."""
    import pipeline.align.nlen as nlen_aligner

    src, tgt = pair(tmp_path)
    sizes: list[int] = []
    real = nlen_aligner.bead_types
    monkeypatch.setattr(nlen_aligner, "bead_types", lambda k: sizes.append(k) or real(k))
    outputs = []
    for size in ("16", "2"):
        assert main(["align", str(src), str(tgt), "--max-size", size, "--format", "tsv"]) == 0
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        outputs.append(out)
    assert outputs[0] == outputs[1] and len(outputs[0].splitlines()) == 5
    assert sizes and set(sizes) == {2}
    # a 40-sentence block at the largest size: it runs, its types bounded by 16 (was a math domain
    # error from 163 up)
    long_src, long_tgt = tmp_path / "long.nl", tmp_path / "long.en"
    long_src.write_text("".join(f"Zin nummer {k} gaat over huis {k % 7}.\n" for k in range(40)), encoding="utf-8")
    long_tgt.write_text("".join(f"Sentence number {k} is about house {k % 7}.\n" for k in range(40)), encoding="utf-8")
    sizes.clear()
    assert main(["align", str(long_src), str(long_tgt), "--max-size", "16"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) >= 3 and "Traceback" not in err and set(sizes) == {16}


# --- item 18: a long token cut in linear time -------------------------------------------
LIMIT = 128  # tokens; the counter below makes a token of about 4 characters


def tokens(text: str) -> int:
    return len(text) // 4 + 1


def cut_cost(n: int) -> tuple[int, int]:
    """Chunk one sentence that is a single n-character token: (characters given to the
    tokenizer, texts given to it); the chunks checked."""
    given = {"chars": 0, "texts": 0}

    def count_tokens(texts):
        given["chars"] += sum(len(t) for t in texts)
        given["texts"] += len(texts)
        return [tokens(t) for t in texts]

    word = "".join(chr(ord("a") + (k * 7) % 26) for k in range(n))
    stats = ChunkStats()
    chunks = chunk_paragraph([word], count_tokens, LIMIT, stats)
    assert "".join(chunks) == word and stats.hard_cuts == 1
    assert all(tokens(c) <= LIMIT for c in chunks)
    assert all(tokens(c + "x") > LIMIT for c in chunks[:-1])  # each piece the longest that fits
    return given["chars"], given["texts"]


def test_18_a_long_token_is_cut_in_linear_time():
    """Item 18: the work (characters and texts given to the tokenizer) grows linearly with the
    token's length: bisection over the whole rest of the word took 3.3 s at 80k characters and
    36 s at 320k."""
    costs = {n: cut_cost(n) for n in (20_000, 40_000, 80_000)}
    for n, (chars, _) in costs.items():
        assert chars <= 20 * n, (n, chars)
    for k in (0, 1):  # 4 times the length, about 4 times the work
        assert costs[80_000][k] / costs[20_000][k] <= 4.5, costs


def test_18_the_pieces_are_the_longest_prefixes_that_fit():
    """Item 18: galloping then bisection finds what bisection over the whole word found."""
    from pipeline.translate.chunking import _cut_word

    def bisection(word, fits):
        pieces = []
        while word:
            lo, hi = 1, len(word)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                lo, hi = (mid, hi) if fits(word[:mid]) else (lo, mid - 1)
            pieces.append(word[:lo])
            word = word[lo:]
        return pieces

    for limit in (1, 2, 3, 7, 16, 33):
        for n in (1, 2, 5, 31, 32, 33, 100, 257):
            word = "".join("ab/:."[(k * k) % 5] for k in range(n))

            def fits(text, limit=limit):
                return sum(2 if c in "/:" else 1 for c in text) <= limit  # some characters cost more

            assert _cut_word(word, fits) == bisection(word, fits), (limit, n)


# --- item 19: an unreachable Ray cluster -------------------------------------------------
def no_ray_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    return {**env, "HF_HUB_OFFLINE": "1", **extra}


@pytest.mark.parametrize("how", ["option", "ray-client", "environment"])
def test_19_an_unreachable_ray_address_is_one_line(how, tmp_path, tiny_marian):
    pytest.importorskip("ray")
    src = tmp_path / "in" / "d.jsonl"
    src.parent.mkdir()
    src.write_text(json.dumps({"id": "a", "text": "Dit is een zin."}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    with socket.socket() as closed:  # bound and never listening: a connection is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        address = f"ray://127.0.0.1:{port}" if how == "ray-client" else f"127.0.0.1:{port}"
        args = [] if how == "environment" else ["--ray-address", address]
        env = no_ray_env(RAY_ADDRESS=address) if how == "environment" else no_ray_env()
        cmd = [sys.executable, "-m", "pipeline", "translate", str(src), "--out-dir", str(out), "--executor", "ray"]
        cmd += ["--model", str(tiny_marian), "--no-cache", "--no-progress", *args]
        # the timeout is a safety net (a hang ran past 120 s), not a speed check
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert proc.returncode == 2
    assert one_line(proc.stderr) == (
        f"nlen: error: cannot connect to the Ray cluster at {address}: "
        f"nothing answers at 127.0.0.1:{port} (Connection refused)"
    )
    assert files_in(tmp_path) == ["in"] and files_in(src.parent) == ["d.jsonl"]


def test_19_an_address_that_answers_but_is_not_ray_is_one_line(tmp_path, tiny_marian):
    """Found by hand: an HTTP server at the address made ray.init retry for minutes; an address
    that does not answer gRPC (HTTP/2) is refused in one line."""
    import http.server
    import threading

    pytest.importorskip("ray")
    src = tmp_path / "d.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Dit is een zin."}) + "\n", encoding="utf-8")
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        address = f"127.0.0.1:{server.server_address[1]}"
        cmd = [sys.executable, "-m", "pipeline", "translate", str(src), "--out-dir", str(tmp_path / "out"),
               "--executor", "ray", "--ray-address", address, "--model", str(tiny_marian), "--no-cache"]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=no_ray_env(), cwd=ROOT, timeout=300)
    finally:
        server.shutdown()
    assert proc.returncode == 2
    assert one_line(proc.stderr).startswith(
        f"nlen: error: cannot connect to the Ray cluster at {address}: {address} answers, but not as a Ray cluster"
    )


def test_19_cluster_addresses_are_read_as_host_and_port():
    from pipeline.job.ray_executor import _host_port

    assert _host_port("127.0.0.1:1") == ("127.0.0.1", 1)
    assert _host_port("ray://head.example:10001") == ("head.example", 10001)
    assert _host_port("[::1]:6379") == ("::1", 6379)
    assert _host_port("head.example") == ("head.example", None)  # no port: left to Ray
    assert _host_port("host:99999") == ("host:99999", None)


# --- item 20: SIGINT during a Ray run ----------------------------------------------------
def run_processes(tag: str) -> dict[int, str]:
    """Live processes of the run marked `tag` (its environment, which every process Ray
    starts inherits): pid → command."""
    found = {}
    for folder in glob.glob("/proc/[0-9]*"):
        try:
            with open(f"{folder}/environ", "rb") as f:
                if f"NLEN_TEST_RUN={tag}".encode() not in f.read().split(b"\0"):
                    continue
            with open(f"{folder}/cmdline", "rb") as f:
                found[int(folder[6:])] = f.read().split(b"\0")[0].decode(errors="replace")
        except OSError:  # gone, or not ours to read
            continue
    return found


def started(process_name: str):
    return lambda tag, out: any(process_name in c for c in run_processes(tag).values())


# The moments, in the order a run reaches them, each seen in the run's processes or files (not
# by the clock). A Ctrl-C while the CLI is still importing is left out: under heavy load it once
# exited -2 with the right line (cause unknown; the issue note says so).
MOMENTS = {
    "Ray starting (GCS up)": started("gcs_server"),
    "Ray starting (raylet up)": started("raylet"),
    "actors loading the model": started("MapWorker"),
    "first shard committed": lambda tag, out: bool(list(out.glob("docs-*.json"))),
}
ROUNDS = int(os.environ.get("NLEN_TEST_SIGINT_ROUNDS", "1"))  # more for a soak run


@pytest.fixture(scope="module")
def docs_jsonl(tmp_path_factory) -> Path:
    """12 documents in 6 shards of 2."""
    paragraphs = SEED.read_text(encoding="utf-8").strip().split("\n\n")
    path = tmp_path_factory.mktemp("sigint") / "docs.jsonl"
    lines = [json.dumps({"id": f"d{k}", "text": paragraphs[k % len(paragraphs)]}) for k in range(12)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds the run's processes in /proc")
@pytest.mark.parametrize("moment", [m for _ in range(ROUNDS) for m in MOMENTS])
def test_20_sigint_during_a_ray_run(moment, docs_jsonl, tiny_marian, tmp_path):
    """Item 20: Ctrl-C (SIGINT to the process group, as a terminal sends it) at each moment:
    exit 130, the one "interrupted" line and nothing else on stderr, at most one Ray session
    (none started after it), and no process of the run left once they have exited."""
    pytest.importorskip("ray")
    tag, out = uuid.uuid4().hex, tmp_path / "out"
    ray_tmp = Path(tempfile.mkdtemp(prefix="nlenray-", dir="/tmp"))  # short: Ray's socket paths
    before = docs_jsonl.read_bytes()
    cmd = [sys.executable, "-m", "pipeline", "translate", str(docs_jsonl), "--out-dir", str(out), "--executor", "ray"]
    cmd += ["--model", str(tiny_marian), "--max-new-tokens", "24", "--shard-size", "2", "--workers", "2"]
    cmd += ["--no-cache", "--no-progress"]
    env = no_ray_env(NLEN_TEST_RUN=tag, RAY_TMPDIR=str(ray_tmp))
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell job has
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # not ignored, as under `cmd &`
    )
    try:
        while proc.poll() is None and not MOMENTS[moment](tag, out):
            time.sleep(0.05)
        assert proc.poll() is None, f"the run ended before {moment}"
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=240)  # a safety net, not a speed check
        left = run_processes(tag)
        for _ in range(600):  # a safety net for processes still exiting (not a speed check)
            if not left:
                break
            time.sleep(0.2)
            left = run_processes(tag)
        assert proc.returncode == 130, (proc.returncode, err)
        assert "Traceback" not in err and one_line(err) == INTERRUPTED
        assert not left, f"left running after {moment}: {left}"
        sessions = [p for p in glob.glob(f"{ray_tmp}/**/session_2*", recursive=True) if not os.path.islink(p)]
        assert len(sessions) <= 1, sessions  # no second Ray instance
        assert sessions  # (the check above looks in the right place)
        assert not list(out.glob(".*.tmp")) and docs_jsonl.read_bytes() == before
        assert set(files_in(tmp_path)) <= {"out"}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in run_processes(tag):  # only this run's, found by its tag
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(ray_tmp, ignore_errors=True)
