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
  nlen-ct2         `nlen translate --backend ctranslate2 --no-cache` (int8 on CPU), run through
                   `pipeline.cli.main` in a worker that also times each engine call
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

    per_copy = len(read_document(SEED, "nl").sentences)
    return make_corpus_copies(max(1, -(-min_sentences // per_copy)), path)


def make_corpus_copies(copies: int, path: Path) -> dict:
    """`copies` copies of the seed article in which every sentence carries its
    copy number ("… munitie (3)."): nlen translates identical texts once, and
    the bench must give every engine the same work, so no two sentences (and
    no two paragraphs) may be equal."""
    import re

    from pipeline.segment import read_document

    seed = read_document(SEED, "nl")
    tail = re.compile(r"^(.*?)([.!?…:;\"'”»)]*)$")

    def tagged(sentence: str, k: int) -> str:
        body, end = tail.match(sentence).groups()
        return f"{body} ({k}){end}"

    text = "\n\n".join(" ".join(tagged(s.text, k + 1) for s in p.sentences)
                         for k in range(copies) for p in seed.paragraphs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    doc = read_document(path, "nl")
    assert len(doc.sentences) == copies * len(seed.sentences), "tagging changed the sentence split"
    assert len({s.text for s in doc.sentences}) == len(doc.sentences)
    return {"copies": copies, "paragraphs": len(doc.paragraphs), "sentences": len(doc.sentences)}


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
    extra = [tok.convert_ids_to_tokens(ids) for ids in tok(repair_sentences(Path(args.corpus), args.extra))["input_ids"]] if args.extra else []
    translator = ctranslate2.Translator(args.ct2_dir, device="cpu", compute_type="int8",
                                        inter_threads=1, intra_threads=cpu_threads())
    steps = args.tokens - 1  # the last of `tokens` is the forced end token, as in nlen
    started = time.perf_counter()
    results = []
    for batch in (source, extra):  # paragraphs, then the sentence-level pass nlen's repair step made
        if batch:
            results += translator.translate_batch(
                batch, beam_size=args.beams, max_batch_size=args.batch_size, max_input_length=512,
                min_decoding_length=steps, max_decoding_length=steps,
            )
    seconds = time.perf_counter() - started
    n_tokens = sum(len(r.hypotheses[0]) + 1 for r in results)  # + the end token
    return {"seconds": seconds, "target_tokens": n_tokens, "units": len(units) + len(extra)}


def repair_sentences(corpus: Path, n: int) -> list[str]:
    """The first `n` sentences of multi-sentence paragraphs: the sentence-level
    translations nlen's coverage repair asked for (it flags whole paragraphs whose
    alignment looks wrong, which on random-weight output is most of them)."""
    from pipeline.segment import read_document

    doc = read_document(corpus, "nl")
    sentences = [s.text for p in doc.paragraphs if len(p.sentences) > 1 for s in p.sentences]
    return sentences[:n]


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


def nlen_argv(backend: str, args, out_dir: Path) -> list[str]:
    return ["translate", str(args.corpus), "--out-dir", str(out_dir), "--model", str(args.model), "--backend", backend,
            "--device", "cpu", "--no-cache", "--force", "--no-progress", "--num-beams", str(args.beams),
            "--batch-size", str(args.batch_size), "--max-new-tokens", str(args.tokens), "--min-new-tokens", str(args.tokens)]


def worker_nlen_ct2(args) -> dict:
    """`nlen translate --backend ctranslate2`, run through `pipeline.cli.main` in this
    process, with a stopwatch around each CTranslate2 `translate_batch` call: the
    share of the run spent outside the engine is the pipeline's own overhead,
    measured at the same moment as the engine (so other load on the machine
    does not skew it)."""
    from pipeline.cli import main as nlen_main
    from pipeline.translate import ctranslate2_backend as backend

    engine = {"seconds": 0.0, "calls": 0}

    class TimedEngine:
        def __init__(self, inner):
            self.inner = inner

        def translate_batch(self, *a, **k):
            started = time.perf_counter()
            try:
                return self.inner.translate_batch(*a, **k)
            finally:
                engine["seconds"] += time.perf_counter() - started
                engine["calls"] += 1

    original_init = backend.CTranslate2Translator.__init__

    def init(self, *a, **k):
        original_init(self, *a, **k)
        self.translator = TimedEngine(self.translator)

    backend.CTranslate2Translator.__init__ = init
    out_dir = WORK / "out-ctranslate2"
    rc = nlen_main(nlen_argv("ctranslate2", args, out_dir))
    if rc:
        raise SystemExit(rc)
    return {"engine_seconds": engine["seconds"], "engine_calls": engine["calls"]}


WORKERS = {"nlen-ct2": worker_nlen_ct2, "naive": worker_naive, "raw-ct2": worker_raw_ct2, "aligner": worker_aligner, "convert": worker_convert}


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
    if getattr(args, "extra", 0):
        cmd += ["--extra", str(args.extra)]
    res, wall, rss = run_child(cmd, env)
    data = json.loads(res.stdout.strip().splitlines()[-1])
    data.update(wall=wall, rss=rss)
    return data


def run_nlen(backend: str, args, env: dict) -> dict:
    out_dir = WORK / f"out-{backend}"
    extra = {}
    if backend == "ctranslate2":  # same code path, plus a stopwatch on the engine (worker_nlen_ct2)
        extra = run_worker("nlen-ct2", args, env)
        wall, rss = extra.pop("wall"), extra.pop("rss")
    else:
        _, wall, rss = run_child([sys.executable, "-m", "pipeline", *nlen_argv(backend, args, out_dir)], env)
    manifest = json.loads((out_dir / f"{Path(args.corpus).stem}.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    repaired = counts.get("repair", {}).get("sentences_retranslated", 0)
    units = counts["translation_units"]  # paragraphs, their chunks and the repair's sentences
    return {"seconds": manifest["wall_time_s"], "wall": wall, "rss": rss, "units": units, "repair": repaired,
            "target_tokens": units * args.tokens, "sentences": counts["sentences_nl"], **extra}


def help_latency(env: dict, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True, env=env, cwd=ROOT, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _unused_fmt_table(rows: list[dict], naive_rate: float) -> str:
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
    parser.add_argument("--extra", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--slow-copies", type=int, default=1,
                        help="copies of the seed article the slow engines (naive, nlen transformers) translate; "
                             "their rate is per sentence, so a whole-article subset measures it (default: %(default)s)")
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

    # OMP_WAIT_POLICY=PASSIVE for every engine alike: on a shared machine, OpenMP threads
    # that spin while waiting lose most of their time to the other load (measured 5× here).
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "NLEN_CACHE_DIR": str(WORK / "nlen-cache"), "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
    engines = args.engines.split(",")
    started_all = time.perf_counter()
    print("bench: building the model (cached in .cache/bench-model)…", file=sys.stderr)
    args.model = build()
    full = WORK / "corpus" / "bench.txt"
    corpus = make_corpus(args.sentences or (1 if args.quick else 500), full)
    small = WORK / "corpus" / "bench-small.txt"
    small_info = make_corpus_copies(min(args.slow_copies, corpus["copies"]), small)
    print(f"bench: corpus {corpus}; slow engines: {small_info}", file=sys.stderr)
    args.corpus = full
    args.ct2_dir = run_worker("convert", args, env)["ct2_dir"]

    results: dict[str, dict] = {}
    for name in ("naive", "nlen-transformers", "nlen-ct2", "raw-ct2"):
        if name not in engines:
            continue
        slow = name in ("naive", "nlen-transformers")
        args.corpus = small if slow else full
        info = small_info if slow else corpus
        args.extra = results["nlen-ct2"]["repair"] if name == "raw-ct2" and "nlen-ct2" in results else 0
        print(f"bench: {name} on {info['sentences']} sentences…", file=sys.stderr)
        if name.startswith("nlen-"):
            r = run_nlen("transformers" if name == "nlen-transformers" else "ctranslate2", args, env)
        else:
            r = run_worker(name, args, env)
        r["sentences"] = info["sentences"]
        r["corpus"] = info
        results[name] = r
        print(f"bench: {name}: {r['seconds']:.1f}s, {r['sentences'] / r['seconds']:.2f} sentences/s, "
              f"{r['target_tokens'] / r['seconds']:.0f} tok/s", file=sys.stderr)
    args.corpus = full
    align = None
    if "aligner" in engines:
        print(f"bench: aligner on {args.align_sentences} sentences…", file=sys.stderr)
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
        rows.append({"engine": labels[name], "sentences": r["sentences"], "units": r["units"],
                     "sent_s": r["sentences"] / r["seconds"], "tok_s": r["target_tokens"] / r["seconds"],
                     "seconds": r["seconds"], "rss": r["rss"],
                     "wall_str": f"{r['wall']:.1f}" if name.startswith("nlen-") else "–"})
    naive_rate = rows[0]["sent_s"] if "naive" in results else float("nan")
    naive_tok = rows[0]["tok_s"] if "naive" in results else float("nan")

    import ctranslate2
    import torch
    import transformers

    repair_note = ""
    if "nlen-ct2" in results:
        r = results["nlen-ct2"]
        repair_note = (
            f"`nlen translate` also runs its coverage repair (pipeline/repair.py): on this random-weight model, whose "
            f"output has no sentence structure, it re-translated {r['repair']} of {r['sentences']} sentences one by one "
            f"(a real model triggers it rarely). Those sentence-level translations are counted as work (*units*, "
            f"*target tokens*), and raw CTranslate2 is given the same extra sentences, so the two do the same work.")
    out = [
        "# Benchmark" + (" (quick smoke test — not a measurement)" if args.quick else ""),
        "",
        f"Generated by `make bench` (`bench/bench.py{' --quick' if args.quick else ''}`) on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} CPU threads, no GPU; torch {torch.__version__}, transformers "
        f"{transformers.__version__}, ctranslate2 {ctranslate2.__version__}; OMP_WAIT_POLICY={env['OMP_WAIT_POLICY']} "
        f"for every engine. Load average at the end: {os.getloadavg()[0]:.1f} (other work shared the machine, "
        f"so absolute numbers are noisy; compare the ratios).",
        "",
        f"Model: opus-mt-nl-en's architecture with random weights (bench/build_model.py). Corpus: the seed article "
        f"× {corpus['copies']} = {corpus['paragraphs']} paragraphs, {corpus['sentences']} sentences. The two slow "
        f"engines (naive, nlen transformers) translate the first {small_info['copies']} cop"
        f"{'y' if small_info['copies'] == 1 else 'ies'} ({small_info['sentences']} sentences); rates are per "
        f"sentence and the corpus is whole copies of the article, so the rates compare. Beam size {args.beams} "
        f"everywhere; every output forced to {args.tokens} tokens (min = max new tokens, end token included). "
        f"nlen and raw CTranslate2 use batches of {args.batch_size} units sorted by length.",
        "",
        "| engine | sentences | units | sentences/s | target tokens/s | time (s) | end to end (s) | peak RSS (MiB) | × naive (sentences/s) | × naive (tokens/s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(f"| {r['engine']} | {r['sentences']} | {r['units']} | {r['sent_s']:.2f} | {r['tok_s']:.0f} | "
                   f"{r['seconds']:.1f} | {r['wall_str']} | {r['rss'] / 2**20:.0f} | {r['sent_s'] / naive_rate:.1f}× | "
                   f"{r['tok_s'] / naive_tok:.1f}× |")
    out += [
        "",
        "*units*: translations made (paragraphs, plus sentence-level repairs). *time*: translation only for the "
        "naive and raw rows (model loaded, text tokenised); for the `nlen translate` rows the manifest's "
        "per-document wall time (segmentation, translation, alignment, repair, writing). *end to end*: the whole "
        "`nlen translate` process, including interpreter start-up and model loading. *peak RSS*: of that "
        "engine's own process (os.wait4).",
        "",
        repair_note,
        "",
    ]
    checks = []
    if "nlen-ct2" in results and "naive" in results:
        ratio = rows[[*results].index("nlen-ct2")]["sent_s"] / naive_rate
        e2e = (results["nlen-ct2"]["sentences"] / results["nlen-ct2"]["wall"]) / naive_rate
        tok = rows[[*results].index("nlen-ct2")]["tok_s"] / naive_tok
        checks.append(f"- `nlen translate` (ctranslate2) vs naive baseline, sentences/s: **{ratio:.1f}×** "
                      f"({e2e:.1f}× end to end) — target ≥ 5×: {'met' if ratio >= 5 else 'NOT met'}. Per unit of "
                      f"decoding work (target tokens/s, which discounts the repair step's extra translations): **{tok:.1f}×**")
    if "nlen-transformers" in results and "naive" in results:
        ratio = rows[[*results].index("nlen-transformers")]["sent_s"] / naive_rate
        checks.append(f"- `nlen translate` (transformers) vs naive baseline, sentences/s: {ratio:.1f}×")
    if "nlen-ct2" in results and "raw-ct2" in results:
        a, b = results["nlen-ct2"], results["raw-ct2"]
        ratio = (a["target_tokens"] / a["seconds"]) / (b["target_tokens"] / b["seconds"])
        e2e = (a["target_tokens"] / a["wall"]) / (b["target_tokens"] / b["seconds"])
        inside = a["engine_seconds"] / a["seconds"]
        checks.append(f"- pipeline vs raw CTranslate2 on the same work, target tokens/s: **{ratio:.2f}×** "
                      f"({e2e:.2f}× end to end; the two runs are minutes apart, so load on the machine moves this) "
                      f"— target ≥ 0.8×: {'met' if ratio >= 0.8 else 'NOT met'}")
        checks.append(f"- inside the same `nlen translate` run, CTranslate2 `translate_batch` took {a['engine_seconds']:.1f} s "
                      f"of {a['seconds']:.1f} s: segmentation, tokenisation, alignment, repair bookkeeping and I/O cost "
                      f"**{100 * (1 - inside):.1f}%**, i.e. the pipeline runs at **{inside:.2f}×** its engine's throughput "
                      f"(load-independent) — target ≥ 0.8×: {'met' if inside >= 0.8 else 'NOT met'}")
    if align:
        checks.append(f"- aligner alone (`pipeline.align.align`, default method, paragraph by paragraph): "
                      f"{align['sentences']:,} synthetic sentences in {align['paragraphs']:,} paragraphs in "
                      f"{align['seconds']:.1f} s = {align['sentences'] / align['seconds']:,.0f} sentences/s, "
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
