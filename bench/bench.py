"""`make bench`: throughput of nlen against a naive baseline and raw CTranslate2.

Every engine translates the same units (the paragraphs of a fixed corpus: the
seed article's paragraphs repeated to at least 500 sentences) with the same
beam size, and every output is forced to the same length (min = max new
tokens), so all engines do the same work. The model has opus-mt-nl-en's exact
architecture with random weights (bench/build_model.py).

Engines, each run in a fresh child process so that its peak RSS is its own:
  naive            transformers, one `generate` call per paragraph, float32 — what
                   `pipeline("translation")` did per input (transformers 5 removed
                   that pipeline task, so the same steps are written out)
  nlen-transformers  `nlen translate --backend transformers --no-cache`
  nlen-ct2         `nlen translate --backend ctranslate2 --no-cache` (int8 on CPU)
  raw-ct2          `ctranslate2.Translator.translate_batch` on the same pre-tokenised units
  aligner          `pipeline.align.align` alone on a 50,000-sentence synthetic document

Times for the naive baseline and raw CTranslate2 cover translation only (model
loaded, text tokenised). For the `nlen translate` rows the time is the command's
own per-document wall time from its manifest (segmentation, translation,
alignment, writing) — the "end to end" column adds interpreter start-up and model
loading, measured around the whole process.

    python bench/bench.py [--quick] [--out eval/reports/bench.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from build_model import DEFAULT_OUT as MODEL_DIR, NUM_BEAMS, SEED, build  # noqa: E402

WORK = ROOT / ".cache" / "bench-work"


# --- corpus ------------------------------------------------------------------
def make_corpus(min_sentences: int, path: Path) -> dict:
    """The seed's paragraphs repeated (whole article at a time) to ≥ min_sentences."""
    from pipeline.segment import read_document

    seed = read_document(SEED, "nl")
    per_copy = sum(len(p.sentences) for p in seed.paragraphs)
    copies = max(1, -(-min_sentences // per_copy))
    text = SEED.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join([text] * copies) + "\n", encoding="utf-8")
    doc = read_document(path, "nl")
    return {"copies": copies, "paragraphs": len(doc.paragraphs), "sentences": sum(len(p.sentences) for p in doc.paragraphs)}


def corpus_units(path: Path) -> list[str]:
    """The translation units nlen makes (paragraph text = its sentences joined)."""
    from pipeline.segment import read_document

    doc = read_document(path, "nl")
    return [" ".join(s.text for s in p.sentences) for p in doc.paragraphs]


# --- workers (run in child processes) -------------------------------------------
def worker_naive(args) -> dict:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    units = corpus_units(Path(args.corpus))
    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForSeq2SeqLM.from_pretrained(args.model, dtype=torch.float32).eval()
    n_tokens = 0
    started = time.perf_counter()
    with torch.inference_mode():
        for text in units:  # one call per paragraph, as pipeline("translation") would
            enc = tok([text], return_tensors="pt", truncation=True)
            out = model.generate(**enc, num_beams=args.beams, min_new_tokens=args.tokens, max_new_tokens=args.tokens)
            n_tokens += out.shape[1] - 1  # minus the decoder start token
            tok.batch_decode(out, skip_special_tokens=True)
    return {"seconds": time.perf_counter() - started, "target_tokens": n_tokens, "units": len(units)}


def worker_raw_ct2(args) -> dict:
    import ctranslate2
    from transformers import AutoTokenizer

    from pipeline.translate.ctranslate2_backend import cpu_threads

    units = corpus_units(Path(args.corpus))
    tok = AutoTokenizer.from_pretrained(args.model)
    source = [tok.convert_ids_to_tokens(ids) for ids in tok(units)["input_ids"]]
    translator = ctranslate2.Translator(args.ct2_dir, device="cpu", compute_type="int8",
                                        inter_threads=1, intra_threads=cpu_threads())
    steps = args.tokens - 1  # the last of `tokens` is the forced end token, as in nlen
    started = time.perf_counter()
    results = translator.translate_batch(
        source, beam_size=args.beams, max_batch_size=args.batch_size, max_input_length=512,
        min_decoding_length=steps, max_decoding_length=steps,
    )
    seconds = time.perf_counter() - started
    n_tokens = sum(len(r.hypotheses[0]) + 1 for r in results)  # + the end token
    return {"seconds": seconds, "target_tokens": n_tokens, "units": len(units)}


def synthetic_document(n_sentences: int, seed: int = 0):
    """Paragraphs of 1–12 Dutch-like sentences and an 'English' side in which
    about 10% of sentences are merged with the next one and 5% are dropped."""
    rng = random.Random(seed)
    words = "de het een van en in is dat op te met voor niet zijn er door aan ook als bij om maar nog wel".split()
    paragraphs, made = [], 0
    while made < n_sentences:
        k = min(rng.randint(1, 12), n_sentences - made)
        nl = [" ".join(rng.choice(words) for _ in range(rng.randint(3, 30))).capitalize() + "." for _ in range(k)]
        en, i = [], 0
        while i < k:
            r = rng.random()
            if r < 0.10 and i + 1 < k:
                en.append(nl[i] + " " + nl[i + 1]); i += 2
            elif r < 0.15:
                i += 1
            else:
                en.append(" ".join(w for w in nl[i].split() if rng.random() > 0.1) or nl[i]); i += 1
        paragraphs.append((nl, en))
        made += k
    return paragraphs


def worker_aligner(args) -> dict:
    from pipeline.align import align

    paragraphs = synthetic_document(args.align_sentences)
    started = time.perf_counter()
    beads = 0
    for nl, en in paragraphs:
        beads += len(align(nl, en))
    return {"seconds": time.perf_counter() - started, "sentences": args.align_sentences,
            "paragraphs": len(paragraphs), "beads": beads}


def worker_convert(args) -> dict:
    """Convert the model for the ctranslate2 backend once, outside the timings."""
    from pipeline.translate import GenerationSettings, load_translator

    tr = load_translator("ctranslate2", args.model, GenerationSettings(device="cpu", compute_type="int8"))
    return {"ct2_dir": str(tr.model_dir)}


WORKERS = {"naive": worker_naive, "raw-ct2": worker_raw_ct2, "aligner": worker_aligner, "convert": worker_convert}


# --- driver --------------------------------------------------------------------
def run_child(cmd: list[str], env: dict) -> tuple[subprocess.CompletedProcess, float, int]:
    """Run `cmd`; returns (result, wall seconds, peak RSS in bytes of that child)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)  # reaps the child and reads its own rusage
        wall = time.perf_counter() - started
        proc.returncode = rc = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if rc != 0:
        raise SystemExit(f"bench: {' '.join(cmd[:5])}… failed ({rc}):\n{stderr[-3000:]}")
    return subprocess.CompletedProcess(cmd, rc, stdout, stderr), wall, usage.ru_maxrss * 1024


def run_worker(name: str, args, env: dict) -> dict:
    cmd = [sys.executable, str(Path(__file__)), "--worker", name, "--corpus", str(args.corpus), "--model", str(args.model),
           "--beams", str(args.beams), "--tokens", str(args.tokens), "--batch-size", str(args.batch_size),
           "--align-sentences", str(args.align_sentences)]
    if getattr(args, "ct2_dir", None):
        cmd += ["--ct2-dir", args.ct2_dir]
    res, wall, rss = run_child(cmd, env)
    data = json.loads(res.stdout.strip().splitlines()[-1])
    data.update(wall=wall, rss=rss)
    return data


def run_nlen(backend: str, args, env: dict) -> dict:
    out_dir = WORK / f"out-{backend}"
    cmd = [sys.executable, "-m", "pipeline", "translate", str(args.corpus), "--out-dir", str(out_dir),
           "--model", str(args.model), "--backend", backend, "--device", "cpu", "--no-cache", "--force",
           "--no-progress", "--num-beams", str(args.beams), "--batch-size", str(args.batch_size),
           "--max-new-tokens", str(args.tokens), "--min-new-tokens", str(args.tokens)]
    _, wall, rss = run_child(cmd, env)
    manifest = json.loads((out_dir / f"{Path(args.corpus).stem}.json").read_text(encoding="utf-8"))
    units = manifest["counts"]["translation_units"]
    return {"seconds": manifest["wall_time_s"], "wall": wall, "rss": rss, "units": units,
            "target_tokens": units * args.tokens, "manifest": manifest}


def help_latency(env: dict, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True, env=env, cwd=ROOT, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def fmt_table(rows: list[dict], naive_rate: float) -> str:
    lines = ["| engine | sentences/s | target tokens/s | time (s) | end to end (s) | peak RSS (MiB) | × naive |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['engine']} | {r['sent_s']:.1f} | {r['tok_s']:.0f} | {r['seconds']:.1f} | "
                     f"{r.get('wall_str', '–')} | {r['rss'] / 2**20:.0f} | {r['sent_s'] / naive_rate:.2f}× |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="nlen throughput benchmark (writes eval/reports/bench.md)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 copy of the seed, 8 tokens, 2,000 aligner sentences")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "bench.md")
    parser.add_argument("--engines", default="naive,nlen-transformers,nlen-ct2,raw-ct2,aligner,help")
    # worker mode (internal)
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--ct2-dir", help=argparse.SUPPRESS)
    parser.add_argument("--beams", type=int, default=NUM_BEAMS, help="beam size for every engine (default: the model's, %(default)s)")
    parser.add_argument("--tokens", type=int, help="forced output length (default: 32; 8 with --quick)")
    parser.add_argument("--batch-size", type=int, default=16, help="units per batch for nlen and raw CT2 (default: %(default)s)")
    parser.add_argument("--sentences", type=int, help="corpus size in sentences, at least (default: 500; 37 with --quick)")
    parser.add_argument("--align-sentences", type=int, help="aligner document size (default: 50,000; 2,000 with --quick)")
    args = parser.parse_args()
    args.tokens = args.tokens or (8 if args.quick else 32)
    args.align_sentences = args.align_sentences or (2000 if args.quick else 50_000)

    if args.worker:
        print(json.dumps(WORKERS[args.worker](args)))
        return 0

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "NLEN_CACHE_DIR": str(WORK / "nlen-cache")}
    engines = args.engines.split(",")
    started_all = time.perf_counter()
    print("bench: building the model (cached in .cache/bench-model)…", file=sys.stderr)
    args.model = build()
    args.corpus = WORK / "corpus" / "bench.txt"
    corpus = make_corpus(args.sentences or (1 if args.quick else 500), args.corpus)
    n_sent = corpus["sentences"]
    print(f"bench: corpus {corpus}", file=sys.stderr)
    args.ct2_dir = run_worker("convert", args, env)["ct2_dir"]

    results: dict[str, dict] = {}
    for name in ("naive", "nlen-transformers", "nlen-ct2", "raw-ct2"):
        if name not in engines:
            continue
        print(f"bench: {name}…", file=sys.stderr)
        if name.startswith("nlen-"):
            results[name] = run_nlen("transformers" if name == "nlen-transformers" else "ctranslate2", args, env)
        else:
            results[name] = run_worker(name, args, env)
        r = results[name]
        print(f"bench: {name}: {r['seconds']:.1f}s, {n_sent / r['seconds']:.1f} sentences/s", file=sys.stderr)
    align = None
    if "aligner" in engines:
        print("bench: aligner…", file=sys.stderr)
        align = run_worker("aligner", args, env)
    help_s = help_latency(env) if "help" in engines else None

    labels = {
        "naive": "naive: transformers, one call per paragraph, float32",
        "nlen-transformers": "`nlen translate --backend transformers`",
        "nlen-ct2": "`nlen translate --backend ctranslate2` (int8, cache off)",
        "raw-ct2": "raw CTranslate2 `translate_batch` (int8)",
    }
    rows = []
    for name, r in results.items():
        rows.append({"engine": labels[name], "sent_s": n_sent / r["seconds"], "tok_s": r["target_tokens"] / r["seconds"],
                     "seconds": r["seconds"], "rss": r["rss"],
                     "wall_str": f"{r['wall']:.1f}" if name.startswith("nlen-") else "–"})
    naive_rate = n_sent / results["naive"]["seconds"] if "naive" in results else float("nan")

    import ctranslate2
    import torch
    import transformers

    out = [
        "# Benchmark" + (" (quick smoke test — not a measurement)" if args.quick else ""),
        "",
        f"Generated by `make bench` (`bench/bench.py{' --quick' if args.quick else ''}`) on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.processor() or platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} CPU threads, no GPU used; torch {torch.__version__}, transformers "
        f"{transformers.__version__}, ctranslate2 {ctranslate2.__version__}.",
        "",
        f"Model: opus-mt-nl-en's architecture with random weights (bench/build_model.py). Corpus: the seed article "
        f"× {corpus['copies']} = {corpus['paragraphs']} paragraphs (translation units), {n_sent} sentences. "
        f"Beam size {args.beams} everywhere; every output forced to {args.tokens} tokens "
        f"(min = max new tokens, end token included), so target tokens = units × {args.tokens}. "
        f"nlen and raw CTranslate2 use batches of {args.batch_size} units sorted by length.",
        "",
        fmt_table(rows, naive_rate),
        "",
        "*time*: translation only for the naive and raw rows; for the `nlen translate` rows the manifest's "
        "per-document wall time (segmentation, translation, alignment, writing). *end to end*: the whole "
        "`nlen translate` process, including interpreter start-up and model loading. *peak RSS*: of that "
        "engine's own process (os.wait4).",
        "",
    ]
    checks = []
    if "nlen-ct2" in results and "naive" in results:
        ratio = results["naive"]["seconds"] / results["nlen-ct2"]["seconds"]
        e2e = results["naive"]["seconds"] / results["nlen-ct2"]["wall"]
        checks.append(f"- `nlen translate` (ctranslate2) vs naive baseline: **{ratio:.1f}×** "
                      f"({e2e:.1f}× end to end) — target ≥ 5×: {'met' if ratio >= 5 else 'NOT met'}")
    if "nlen-transformers" in results and "naive" in results:
        ratio = results["naive"]["seconds"] / results["nlen-transformers"]["seconds"]
        checks.append(f"- `nlen translate` (transformers) vs naive baseline: {ratio:.1f}×")
    if "nlen-ct2" in results and "raw-ct2" in results:
        ratio = results["raw-ct2"]["seconds"] / results["nlen-ct2"]["seconds"]
        e2e = results["raw-ct2"]["seconds"] / results["nlen-ct2"]["wall"]
        checks.append(f"- pipeline vs raw CTranslate2: **{ratio:.2f}×** of raw throughput "
                      f"({e2e:.2f}× end to end) — target ≥ 0.8×: {'met' if ratio >= 0.8 else 'NOT met'}")
    if align:
        checks.append(f"- aligner alone: {align['sentences']:,} synthetic sentences in {align['paragraphs']:,} "
                      f"paragraphs in {align['seconds']:.1f} s = {align['sentences'] / align['seconds']:,.0f} sentences/s, "
                      f"peak RSS {align['rss'] / 2**20:.0f} MiB")
    if help_s is not None:
        checks.append(f"- `nlen --help`: {help_s:.2f} s (median of 5) — target < 0.5 s: {'met' if help_s < 0.5 else 'NOT met'}")
    out += ["## Targets", ""] + checks + ["", f"Bench wall time: {time.perf_counter() - started_all:.0f} s.", ""]
    text = "\n".join(out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
