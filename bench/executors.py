"""`make bench` row: the Ray executor against the local executor on the same CPUs.

Both translate the same JSONL corpus (one document per tagged copy of the seed
article, one document per shard) with the copy bench model, int8, beam 6:

  local  `nlen translate --executor local --inter-threads 1 --intra-threads 2`:
         one process, one translator with 2 threads
  ray    `nlen translate --executor ray --workers 2 --cpus-per-worker 1`: a
         local Ray instance, 2 actors, each loading the model once and running
         one single-threaded translator
  local-2x1  the local executor with Ray's thread layout (`--inter-threads 2
         --intra-threads 1`, the CPU default)

Times are whole processes (start-up, Ray start, model loads, translation,
writing), so Ray's overhead is all in, after a warm-up run that converts the
model once; both merged corpora must be the same bytes.

    python bench/executors.py [--copies N] [--gpus G]     (or through bench/bench.py)

With `--gpus G` (a GPU machine; not run here, there is none) the two rows are
one process on one GPU (`--device cuda`) and G Ray actors with one GPU each,
and the copies default to 60, so that the GPUs have work.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from build_model import NUM_BEAMS, build  # noqa: E402

LAYOUTS = {
    "local": ["--executor", "local", "--inter-threads", "1", "--intra-threads", "2"],
    "ray": ["--executor", "ray", "--workers", "2", "--cpus-per-worker", "1"],
    # the same thread layout as the Ray row, in one process
    "local-2x1": ["--executor", "local", "--inter-threads", "2", "--intra-threads", "1"],
}
TARGET = 0.85


def write_jsonl(copies: int, work: Path) -> dict:
    """`copies` tagged copies of the seed article (bench.make_corpus_copies), one JSONL document each."""
    from bench import make_corpus_copies

    text_path = work / "corpus" / f"executors-{copies}.txt"
    info = make_corpus_copies(copies, text_path)
    paragraphs = text_path.read_text(encoding="utf-8").strip().split("\n\n")
    per_copy = len(paragraphs) // copies
    path = work / "corpus" / f"executors-{copies}.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for k in range(copies):
            f.write(json.dumps({"id": f"copy-{k + 1}", "text": "\n\n".join(paragraphs[k * per_copy:(k + 1) * per_copy])},
                               ensure_ascii=False) + "\n")
    return {**info, "path": path}


def gpu_layouts(gpus: int) -> dict[str, list[str]]:
    return {"local": ["--executor", "local", "--device", "cuda"],
            "ray": ["--executor", "ray", "--workers", str(gpus), "--gpus-per-worker", "1", "--cpus-per-worker", "1"]}


def layouts(gpus: int) -> list[str]:
    return ["local", "ray"] if gpus else list(LAYOUTS)


def run_layout(name: str, corpus: Path, model: Path, work: Path, env: dict, out: Path | None = None,
               gpus: int = 0) -> dict:
    out = out or work / f"out-executor-{name}"
    layout = gpu_layouts(gpus)[name] if gpus else ["--device", "cpu", *LAYOUTS[name]]
    cmd = [sys.executable, "-m", "pipeline", "translate", str(corpus), "--out-dir", str(out), "--model", str(model),
           "--backend", "ctranslate2", "--num-beams", str(NUM_BEAMS), "--no-cache", "--force",
           "--no-progress", "--shard-size", "1", *layout]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"bench: {name} executor failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    merge = subprocess.run([sys.executable, "-m", "pipeline", "merge", str(out)], capture_output=True, text=True,
                           env=env, cwd=ROOT)
    if merge.returncode != 0:
        raise SystemExit(f"bench: merge failed:\n{merge.stderr[-2000:]}")
    manifest = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    shards = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*.json")) if p.name != "corpus.json"]
    return {"wall": wall, "sentences": manifest["counts"]["sentences_nl"], "tsv": (out / "corpus.tsv").read_bytes(),
            "shard_seconds": sum(s["group"]["wall_time_s"] for s in shards)}


def measure(copies: int, work: Path, env: dict, gpus: int = 0) -> dict:
    model = build("copy")
    warm = write_jsonl(1, work)  # converts the model to CTranslate2 (once) and reads it into the page cache
    run_layout("local", warm["path"], model, work, env, out=work / "out-executor-warm-up", gpus=gpus)
    corpus = write_jsonl(copies, work)
    results = {name: run_layout(name, corpus["path"], model, work, env, gpus=gpus) for name in layouts(gpus)}
    local, ray = results["local"], results["ray"]
    return {"corpus": {k: v for k, v in corpus.items() if k != "path"}, **results, "gpus": gpus,
            "ratio": local["wall"] / ray["wall"],
            "identical": all(r["tsv"] == local["tsv"] for r in results.values())}


def section(r: dict) -> tuple[list[str], str]:
    """The report's section and its line under Targets."""
    c, gpus = r["corpus"], r.get("gpus", 0)
    labels = ((("local", "local executor, 1 process × 2 threads (`--inter-threads 1 --intra-threads 2`)"),
               ("ray", "Ray executor, 2 actors × 1 thread (`--workers 2 --cpus-per-worker 1`)"),
               ("local-2x1", "local executor, 1 process, 2 translators × 1 thread (`--inter-threads 2 "
                             "--intra-threads 1`, the default)")) if not gpus else
              (("local", "local executor, one process on one GPU (`--device cuda`)"),
               ("ray", f"Ray executor, {gpus} actors × 1 GPU (`--workers {gpus} --gpus-per-worker 1`)")))
    rows = []
    for name, label in labels:
        x = r[name]
        rows.append(f"| {label} | {x['sentences']} | {x['wall']:.1f} | {x['sentences'] / x['wall']:.2f} | "
                    f"{x['shard_seconds']:.1f} |")
    lines = ["## Executors: Ray against local " + ("on the same 2 cores" if not gpus else f"({gpus} GPUs against 1)"), "",
             f"The copy model, {'int8' if not gpus else 'int8_float16'}, beam {NUM_BEAMS}; {c['copies']} tagged copies of the seed article as "
             f"{c['copies']} JSONL documents ({c['sentences']} sentences), one document per shard. Times are whole "
             "`nlen translate` processes: start-up, Ray start-up and one model load per actor included.", "",
             "| executor | sentences | wall (s) | sentences/s | sum of shard times (s) |", "|---|---:|---:|---:|---:|",
             *rows, "",
             f"Merged corpora byte-identical across the rows: {'yes' if r['identical'] else 'NO'}. The rows run "
             "one after another, so other load on the machine moves them; the load average is in the header.", ""]
    if gpus:
        return lines, (f"- Ray executor ({gpus} GPUs) vs local executor (1 GPU), end to end: {r['ratio']:.2f}×"
                       f"{'' if r['identical'] else ' (merged corpora differ)'}")
    overhead = r["local-2x1"]["wall"] / r["ray"]["wall"]
    target = (f"- Ray executor (2 × 1 thread) vs local executor (1 × 2 threads), end to end: **{r['ratio']:.2f}×** — "
              f"target ≥ {TARGET}×: {'met' if r['ratio'] >= TARGET else 'NOT met'}"
              f"{'' if r['identical'] else ' (merged corpora differ!)'}; against the local executor with the same "
              f"2 × 1 threads: {overhead:.2f}× " + (
                  "(with one document per shard, a local task is about one batch, so its two translators are "
                  "rarely both busy, while each Ray actor has a shard of its own)" if overhead > 1 else
                  "(the local default runs the same two single-threaded translators in one process; the "
                  "difference is Ray's start-up and one model load per actor)"))
    return lines, target


def main() -> int:
    from bench import WORK

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, help="copies of the seed article (default: 6; 60 with --gpus)")
    parser.add_argument("--gpus", type=int, default=0, help="measure on this many GPUs instead of the 2 CPU cores")
    args = parser.parse_args()
    import os

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "NLEN_CACHE_DIR": str(WORK / "nlen-cache"), "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
    lines, target = section(measure(args.copies or (60 if args.gpus else 6), WORK, env, args.gpus))
    print("\n".join(lines + [target]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
