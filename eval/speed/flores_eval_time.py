"""How long `make eval SET=flores` takes with the CTranslate2 backend: measured
with the full-size random bench model (opus-mt-nl-en's exact architecture,
bench/build_model.py), as an estimate for opus-mt-nl-en itself.

The random model never ends on its own, so every output is forced to `--tokens`
tokens (default 32: FLORES's English averages 21.6 words a line, about 30
SentencePiece pieces of a 32k-piece English vocabulary, plus the end token: an
assumption, as no real tokenizer is at hand). Its inputs are longer than the
real model's (the bench tokenizer, trained on one article, cuts FLORES's Dutch
into ~86 pieces a line where opus-mt's would make ~35), so the encoder does
more work than it would: the estimate errs high. `--kinds copy` adds the copy
model, whose outputs are as long as its inputs (~86 pieces): an upper bound.

Each run is a fresh `nlen eval --set flores --backend ctranslate2` process with
a fresh translation cache, after one warm-up run that converts the model to
CTranslate2 (timed apart: it happens once per model). The machine is shared
and noisy, so besides the wall time the process's CPU time (user + system,
from os.wait4) is reported: CTranslate2 runs two single-threaded translators
on two cores, so on an idle 2-core machine the wall time is about CPU / 2.

    .venv/bin/python eval/speed/flores_eval_time.py [--kinds random,copy] [--tokens 32]

Writes eval/reports/flores-eval-time.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from build_model import build  # noqa: E402


def timed_eval(model: Path, cache: Path, extra: list[str], out: Path, set_name: str = "flores") -> dict:
    """One `nlen eval` process: wall and CPU seconds, peak RSS, its report."""
    report = out / f"{model.name}-{set_name}.json"
    cmd = [sys.executable, "-m", "pipeline", "eval", "--set", set_name, "--model", str(model), "--backend", "ctranslate2",
           "--report", str(report), "--no-progress", *extra]
    env = {**os.environ, "NLEN_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status):
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read().decode()[-2000:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "load": (load_before + os.getloadavg()[0]) / 2, "report": data}


def settings_line(report: dict) -> str:
    """'beam 6, int8, batches of 16, 2 translators x 1 thread' from an eval
    report's model description (what the translator actually used)."""
    model = report["model"]
    gen, threads = model.get("generation") or {}, model.get("threads") or {}
    batches = (f"batches of up to {gen['batch_tokens']} source tokens" if gen.get("batch_tokens")
               else f"batches of {gen.get('batch_size', '?')}")
    layout = f", {threads['inter']} translator(s) x {threads['intra']} thread(s)" if "intra" in threads else ""
    return f"beam {gen.get('num_beams', '?')}, {model.get('compute_type', '?')}, {batches}{layout}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default="random", help="bench models, comma-separated: random, copy")
    parser.add_argument("--tokens", type=int, default=32, help="forced output length of the random model")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "flores-eval-time.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="nlen-flores-time-") as tmp:
        for kind in args.kinds.split(","):
            model = build(kind)
            cache = Path(tmp) / f"cache-{kind}"
            extra = ["--min-new-tokens", str(args.tokens), "--max-new-tokens", str(args.tokens)] if kind == "random" else []
            warm = timed_eval(model, cache, extra + ["--bootstrap", "10"], Path(tmp), "seed")  # converts once
            for db in cache.glob("translations.sqlite3*"):  # the warm-up's translations (and WAL) go
                db.unlink()
            run = timed_eval(model, cache, extra, Path(tmp))
            t = run["report"]["hypothesis"]["translation"]
            rows.append((kind, warm, run, t))
            print(f"{kind}: wall {run['wall']:.0f} s, CPU {run['cpu']:.0f} s, load {run['load']:.1f}", file=sys.stderr)
    lines = [
        "# `make eval SET=flores` with the CTranslate2 backend: time on this machine",
        "",
        f"Generated by `eval/speed/flores_eval_time.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"{platform.machine()}, {os.cpu_count()} CPU threads, no GPU. Models: opus-mt-nl-en's exact architecture "
        f"with random weights (bench/build_model.py), {settings_line(rows[0][2]['report'])} (as the eval "
        "reports record them), FLORES-200 devtest translated "
        "line by line (1,012 lines; the default unit on this set), fresh translation cache, then scored (1000 "
        "bootstrap resamples). Random model: every output forced to "
        f"{args.tokens} tokens. Copy model: outputs as long as its inputs (the bench tokenizer's ~86 pieces a line, "
        "2–3× a real model's): an upper bound.",
        "",
        "| model | lines | tokens generated | translation wall (s) | whole `nlen eval` wall (s) | process CPU (s) "
        "| load average | estimate on an idle 2-core CPU: CPU / 2 (s) | peak RSS (MiB) | one-time conversion wall (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, warm, run, t in rows:
        lines.append(f"| {kind} | {run['report']['reference']['sentences_nl']} | {t['target_tokens']} | {t['seconds']:.0f} "
                     f"| {run['wall']:.0f} | {run['cpu']:.0f} | {run['load']:.1f} | **{run['cpu'] / 2:.0f}** "
                     f"| {run['rss_mb']:.0f} | {warm['wall']:.0f} |")
    lines += ["", "The load average is that of the whole shared machine during the run (2 cores): above 2, other "
              "work competed for the CPU and the wall time overstates what an idle machine would take. The CPU "
              "time is the process's own; it is the basis of the estimate.", ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(args.out)


if __name__ == "__main__":
    main()
