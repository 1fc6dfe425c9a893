"""`make bench`: throughput of nlen against a naive baseline and raw CTranslate2.

Every engine translates the same units (the paragraphs of a fixed corpus: the
seed article's paragraphs repeated to at least 500 sentences) with the same
beam size, on models with opus-mt-nl-en's exact architecture
(bench/build_model.py), so all engines do the same work:

  random   random weights; every output is forced to the same length (min = max
           new tokens). Its output has no sentence structure, so nlen's coverage
           repair re-translates most sentences one by one: the worst case.
  copy     the same architecture with a copy circuit: it outputs its input, then
           the end token. Outputs end naturally, about as long as a real Dutch→
           English output, and keep the sentences, as a working model's do.

Engines, each run in a fresh child process so that its peak RSS is its own:
  naive            transformers, one `generate` call per paragraph, float32 — what
                   `pipeline("translation")` did per input (transformers 5 removed
                   that pipeline task, so the same steps are written out)
  nlen-transformers  `nlen translate --backend transformers --no-cache`
  nlen-ct2         `nlen translate --backend ctranslate2 --no-cache` (int8 on CPU), run through
                   `pipeline.cli.main` in a worker that also times each engine call
  raw-ct2          `ctranslate2.Translator.translate_batch` on the same pre-tokenised units
                   (plus the sentences nlen's repair translated again)
  aligner          `pipeline.align.align` alone on a 50,000-sentence synthetic document

Times for the naive baseline and raw CTranslate2 cover translation only (model
loaded, text tokenised). For the `nlen translate` rows the time is the command's
group wall time from its manifest (tokenisation, translation, sentence
splitting, alignment, repair) — the "end to end" column adds interpreter
start-up, model loading, reading and writing files, measured around the whole
process.

    python bench/bench.py [--quick] [--models random,copy] [--out eval/reports/bench.md]
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

from build_model import KINDS, NUM_BEAMS, SEED, build  # noqa: E402

WORK = ROOT / ".cache" / "bench-work"


# --- corpus ------------------------------------------------------------------
def make_corpus(min_sentences: int, path: Path) -> dict:
    """The seed's paragraphs repeated (whole article at a time) to ≥ min_sentences."""
    from pipeline.document.inputs import read_document

    per_copy = len(read_document(SEED, "nl").sentences)
    return make_corpus_copies(max(1, -(-min_sentences // per_copy)), path)


def make_corpus_copies(copies: int, path: Path) -> dict:
    """`copies` copies of the seed article in which every sentence carries its
    copy number ("… munitie (3)."): nlen translates identical texts once, and
    the bench must give every engine the same work, so no two sentences (and
    no two paragraphs) may be equal."""
    import re

    from pipeline.document.inputs import read_document

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
    from pipeline.document.inputs import read_document

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
            length = {"min_new_tokens": args.tokens, "max_new_tokens": args.tokens} if args.tokens else {"max_new_tokens": 512}
            out = model.generate(**enc, num_beams=args.beams, **length)
            n_tokens += out.shape[1] - 1  # minus the decoder start token
            tok.batch_decode(out, skip_special_tokens=True)
    return {"seconds": time.perf_counter() - started, "target_tokens": n_tokens, "units": len(units)}


def worker_raw_ct2(args) -> dict:
    import ctranslate2
    from transformers import AutoTokenizer

    from pipeline.translate.ctranslate2_backend import cpu_threads, default_threads

    units = corpus_units(Path(args.corpus))
    tok = AutoTokenizer.from_pretrained(args.model)
    source = [tok.convert_ids_to_tokens(ids) for ids in tok(units)["input_ids"]]
    extra = [tok.convert_ids_to_tokens(ids) for ids in tok(repair_sentences(Path(args.corpus), args.extra))["input_ids"]] if args.extra else []
    inter, intra = default_threads(cpu_threads())  # nlen's layout; CTranslate2 spreads sub-batches over them
    translator = ctranslate2.Translator(args.ct2_dir, device="cpu", compute_type="int8",
                                        inter_threads=inter, intra_threads=intra)
    # the last of `tokens` is the forced end token, as in nlen; unforced, outputs end on their own
    steps = {"min_decoding_length": args.tokens - 1, "max_decoding_length": args.tokens - 1} if args.tokens else {"max_decoding_length": 511}
    started = time.perf_counter()
    results = []
    for batch in (source, extra):  # paragraphs, then the sentence-level pass nlen's repair step made
        if batch:
            results += translator.translate_batch(
                batch, beam_size=args.beams, max_batch_size=args.batch_size, max_input_length=512,
                **steps,
            )
    seconds = time.perf_counter() - started
    n_tokens = sum(len(r.hypotheses[0]) + 1 for r in results)  # + the end token
    return {"seconds": seconds, "target_tokens": n_tokens, "units": len(units) + len(extra)}


def repair_sentences(corpus: Path, n: int) -> list[str]:
    """The first `n` sentences of multi-sentence paragraphs: the sentence-level
    translations nlen's coverage repair asked for (it flags whole paragraphs whose
    alignment looks wrong, which on random-weight output is most of them)."""
    from pipeline.document.inputs import read_document

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
    """As `nlen translate` aligns: paragraph blocks, statistics estimated per document
    (here 20 paragraphs)."""
    from pipeline.align import align_block_list

    paragraphs = synthetic_document(args.align_sentences)
    started = time.perf_counter()
    beads = 0
    for k in range(0, len(paragraphs), 20):
        doc = paragraphs[k : k + 20]
        beads += sum(len(b) for b in align_block_list([nl for nl, _ in doc], [en for _, en in doc]))
    return {"seconds": time.perf_counter() - started, "sentences": args.align_sentences,
            "paragraphs": len(paragraphs), "beads": beads}


def worker_convert(args) -> dict:
    """Convert the model for the ctranslate2 backend once, outside the timings."""
    from pipeline.translate import GenerationSettings, load_translator

    tr = load_translator("ctranslate2", str(args.model), GenerationSettings(device="cpu", compute_type="int8"))
    return {"ct2_dir": str(tr.model_dir)}


def nlen_argv(backend: str, args, out_dir: Path) -> list[str]:
    return ["translate", str(args.corpus), "--out-dir", str(out_dir), "--model", str(args.model), "--backend", backend,
            "--device", "cpu", "--no-cache", "--force", "--no-progress", "--num-beams", str(args.beams),
            "--batch-size", str(args.batch_size),
            *(["--max-new-tokens", str(args.tokens), "--min-new-tokens", str(args.tokens)] if args.tokens else []),
            *(["--repair-threshold", "1"] if args.repair_all else [])]


def worker_nlen_ct2(args) -> dict:
    """`nlen translate --backend ctranslate2`, run through `pipeline.cli.main` in this
    process; afterwards the translator's counters say how long its translate calls
    took (tokenisation and CTranslate2, several batches in flight): the rest of the
    run is the pipeline's own work (sentence splitting, alignment, repair
    bookkeeping), measured at the same moment as the engine (so other load on the
    machine does not skew it)."""
    import pipeline.job.worker as worker
    from pipeline.cli import main as nlen_main

    opened = []
    real_open = worker.open_stack

    def open_translator(*a, **k):
        opened.append(real_open(*a, **k))
        return opened[-1]

    worker.open_stack = open_translator  # where the job opens its translator stack
    out_dir = WORK / "out-ctranslate2"
    rc = nlen_main(nlen_argv("ctranslate2", args, out_dir))
    if rc:
        raise SystemExit(rc)
    described = opened[0].describe()
    return {"engine_seconds": opened[0].counters.seconds, "threads": described["threads"]}


# CPU layouts and batch sizes for `--sweep`: (inter_threads, intra_threads) on all cores.
SWEEP_BATCHES = (4, 8, 16, 32)


def sweep_layouts(cores: int) -> list[tuple[int, int]]:
    """One translator on every core, and one single-threaded translator per core
    (and, on 4+ cores, pairs of threads)."""
    layouts = [(1, cores), (cores, 1)]
    if cores >= 4:
        layouts.append((cores // 2, 2))
    return list(dict.fromkeys(layouts))


def worker_sweep(args) -> dict:
    """nlen's ctranslate2 backend (`translate_detailed`: its length-sorted batches,
    several in flight) on the corpus, for each threads layout × batch size. Every
    round runs every setting once (in an order rotated each round), so each
    setting's speed can be taken relative to the baseline's in the same round: on
    a shared machine the load drifts between rounds, much less within one. One
    more setting, 'one batch at a time', runs the many-translator layout without
    batches in flight (what feeding CTranslate2 enough work buys)."""
    from pipeline.translate import GenerationSettings, load_translator
    from pipeline.translate.ctranslate2_backend import cpu_threads

    units = corpus_units(Path(args.corpus))
    cores = cpu_threads()
    many = (cores, 1)
    configs = [(inter, intra, batch, True) for inter, intra in sweep_layouts(cores) for batch in SWEEP_BATCHES]
    configs.append((*many, 8, False))
    seconds: dict[str, list[float]] = {}
    cpu_seconds: dict[str, list[float]] = {}  # all of this process's threads
    outputs: dict[str, list[str]] = {}
    for round_ in range(args.rounds):
        shift = round_ % len(configs)
        for inter, intra, batch, in_flight in configs[shift:] + configs[:shift]:
            settings = GenerationSettings(device="cpu", compute_type="int8", num_beams=args.beams, batch_size=batch,
                                          inter_threads=inter, intra_threads=intra)
            tr = load_translator("ctranslate2", args.model, settings)
            if not in_flight:
                tr.parallel = 1  # one batch at a time: the other translators wait
            tr.translate_detailed(units[:2])  # warm-up, not timed
            started, cpu = time.perf_counter(), time.process_time()
            out = tr.translate_detailed(units)
            key = f"{inter}x{intra}/{batch}" + ("" if in_flight else "/serial")
            seconds.setdefault(key, []).append(time.perf_counter() - started)
            cpu_seconds.setdefault(key, []).append(time.process_time() - cpu)
            outputs.setdefault(key, [t.text for t in out])
            tr.close()
    # threads never change the output; batch size may (int8 padding), so compare within a batch size
    same = all(outputs[f"{i}x{j}/{b}"] == outputs[f"{many[0]}x{many[1]}/{b}"]
               for i, j in sweep_layouts(cores) for b in SWEEP_BATCHES)
    return {"units": len(units), "cores": cores, "rounds": args.rounds, "seconds": seconds, "cpu_seconds": cpu_seconds,
            "same_output_across_layouts": same}


WORKERS = {"sweep": worker_sweep, "nlen-ct2": worker_nlen_ct2, "naive": worker_naive, "raw-ct2": worker_raw_ct2, "aligner": worker_aligner, "convert": worker_convert}


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
           "--align-sentences", str(args.align_sentences), "--rounds", str(args.rounds)]
    if getattr(args, "ct2_dir", None):
        cmd += ["--ct2-dir", args.ct2_dir]
    if getattr(args, "extra", 0):
        cmd += ["--extra", str(args.extra)]
    if args.repair_all:
        cmd += ["--repair-all"]
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
    return {"seconds": manifest["group"]["wall_time_s"], "wall": wall, "rss": rss, "units": units, "repair": repaired,
            "target_tokens": manifest["group"]["target_tokens"], "sentences": counts["sentences_nl"],
            "copied": copied_rows(out_dir / f"{Path(args.corpus).stem}.tsv"), **extra}


def copied_rows(tsv: Path) -> tuple[int, int]:
    """(rows whose English equals their Dutch, rows): how faithfully the copy model copied."""
    rows = [line.split("\t") for line in tsv.read_text(encoding="utf-8").splitlines()[1:]]
    return sum(1 for r in rows if r[0] == r[1]), len(rows)


def help_latency(env: dict, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True, env=env, cwd=ROOT, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


LABELS = {
    "naive": "naive: transformers, one call per paragraph, float32",
    "nlen-transformers": "`nlen translate --backend transformers`",
    "nlen-ct2": "`nlen translate --backend ctranslate2` (int8, cache off)",
    "raw-ct2": "raw CTranslate2 `translate_batch` (int8)",
    "nlen-ct2-all": "`nlen translate --backend ctranslate2 --repair-threshold 1` (every paragraph also sentence by sentence)",
}
SLOW = ("naive", "nlen-transformers")


def run_model(kind: str, args, env: dict, engines: list[str], full: Path, small: Path, info: dict) -> dict:
    """Every translation engine on one bench model; returns {engine: result}."""
    args.model = build(kind)
    args.tokens = args.forced_tokens if kind == "random" else 0
    args.corpus = full
    args.ct2_dir = run_worker("convert", args, env)["ct2_dir"]
    results: dict[str, dict] = {}
    for name in LABELS:
        if name not in engines or (name == "nlen-ct2-all" and kind != "copy"):  # the random model repairs most anyway
            continue
        args.repair_all = name == "nlen-ct2-all"
        slow = name in SLOW
        args.corpus = small if slow else full
        corpus = info["small"] if slow else info["full"]
        args.extra = results["nlen-ct2"]["repair"] if name == "raw-ct2" and "nlen-ct2" in results else 0
        print(f"bench: {kind} model: {name} on {corpus['sentences']} sentences…", file=sys.stderr)
        if name.startswith("nlen-"):
            r = run_nlen("transformers" if name == "nlen-transformers" else "ctranslate2", args, env)
            args.repair_all = False
        else:
            r = run_worker(name, args, env)
        r["sentences"] = corpus["sentences"]
        results[name] = r
        print(f"bench: {kind} model: {name}: {r['seconds']:.1f}s, {r['sentences'] / r['seconds']:.2f} sentences/s, "
              f"{r['target_tokens'] / r['seconds']:.0f} tok/s", file=sys.stderr)
    args.corpus = full
    return results


def run_sweep(args, env: dict) -> dict:
    """The CPU layout × batch size sweep, on the copy model (natural output lengths)."""
    args.model = build("copy")
    args.tokens = 0
    args.corpus = WORK / "corpus" / "sweep.txt"
    corpus = make_corpus_copies(args.sweep_copies, args.corpus)
    run_worker("convert", args, env)
    print(f"bench: sweep on {corpus['paragraphs']} paragraphs, {args.rounds} rounds…", file=sys.stderr)
    load = os.getloadavg()[0]
    result = run_worker("sweep", args, env)
    result["corpus"] = corpus
    result["load"] = f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    return result


def sweep_section(sweep: dict, args) -> list[str]:
    from pipeline.translate import GenerationSettings
    from pipeline.translate.ctranslate2_backend import default_threads

    cores, units, rounds = sweep["cores"], sweep["units"], sweep["rounds"]
    seconds = sweep["seconds"]
    base = f"1x{cores}/16"  # the layout and batch size before the sweep
    # speed relative to the baseline in the same round, then the median over rounds
    relative = {key: statistics.median(b / t for t, b in zip(times, seconds[base])) for key, times in seconds.items()}
    inter, intra = default_threads(cores)
    chosen = f"{inter}x{intra}/{GenerationSettings().batch_size}"
    out = ["## CPU layout and batch size (ctranslate2)", "",
           f"`bench/bench.py --sweep`: nlen's ctranslate2 backend (`translate_detailed`: its length-sorted batches, "
           f"one batch in flight per translator and one more queued) on the copy model, int8, beam {args.beams}, "
           f"{cores} cores, the seed article × {sweep['corpus']['copies']} ({units} paragraphs). *inter × intra*: "
           f"CTranslate2 translators × threads each. {rounds} rounds; each round runs every setting once, in an "
           f"order rotated each round, and each setting's speed is taken relative to the baseline "
           f"(1 × {cores}, batch 16: the settings before this sweep) in the same round; the table gives the median of "
           f"those ratios (load on a shared machine drifts between rounds more than within one), and the "
           f"best round's units/s. *CPU s/unit*: the process's CPU time (all threads) per unit, median of rounds: "
           f"the work a setting costs, which other load disturbs less than wall time. Output is the same in every "
           f"layout at a given batch size: {'yes' if sweep['same_output_across_layouts'] else 'NO'}. Load average "
           f"during the sweep: {sweep.get('load', '?')}.", "",
           "| inter × intra | batch | × baseline (median of rounds) | units/s (best round) | CPU s/unit |",
           "|---|---:|---:|---:|---:|"]
    for key in sorted(seconds, key=lambda k: (k.endswith("serial"), k.split("/")[0], int(k.split("/")[1]))):
        layout, batch, *serial = key.split("/")
        name = layout.replace("x", " × ") + (" (one batch at a time)" if serial else "")
        mark = " **(default)**" if key == chosen else ""
        cpu = statistics.median(sweep["cpu_seconds"][key]) / units
        out.append(f"| {name}{mark} | {batch} | {relative[key]:.2f}× | {units / min(seconds[key]):.2f} | {cpu:.2f} |")
    out += ["", f"Default: {inter} × {intra}, batches of {GenerationSettings().batch_size} "
                f"(`default_threads` in pipeline/translate/ctranslate2_backend.py, `GenerationSettings.batch_size`).", ""]
    return out


def ratio(results: dict, a: str, b: str, per: str = "sentences", wall: bool = False) -> float | None:
    """Throughput of engine `a` over engine `b` (per sentence or per target token)."""
    if a not in results or b not in results:
        return None
    x, y = results[a], results[b]
    return (x[per] / x["wall" if wall else "seconds"]) / (y[per] / y["seconds"])


def model_section(kind: str, results: dict, args) -> list[str]:
    if kind == "random":
        title = f"## Random weights, every output forced to {args.forced_tokens} tokens"
        about = ("Random weights, as the issue asks. Every output is forced to the same length (min = max new "
                 "tokens, end token included), so every engine decodes the same number of tokens per unit.")
    else:
        title = "## Copy model: outputs end on their own and keep their sentences"
        about = ("The same architecture with a copy circuit written into it (bench/build_model.py): it outputs its "
                 "input, then the end token. No length is forced: every engine's outputs end where the model ends "
                 "them (target tokens counted by each engine), and they keep the paragraph's sentences, as a "
                 "working model's do. A real Dutch→English output has about as many tokens as its input.")
    out = [title, "", about, "",
           "| engine | sentences | units | sentences/s | target tokens/s | time (s) | end to end (s) | peak RSS (MiB) "
           "| × naive (sentences/s) | × naive (tokens/s) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        s_ratio, t_ratio = ratio(results, name, "naive"), ratio(results, name, "naive", "target_tokens")
        wall = f"{r['wall']:.1f}" if name.startswith("nlen-") else "–"
        times = lambda x: f"{x:.1f}×" if x else "–"  # noqa: E731
        out.append(f"| {LABELS[name]} | {r['sentences']} | {r['units']} | {r['sentences'] / r['seconds']:.2f} | "
                   f"{r['target_tokens'] / r['seconds']:.0f} | {r['seconds']:.1f} | {wall} | "
                   f"{r['rss'] / 2**20:.0f} | {times(s_ratio)} | {times(t_ratio)} |")
    out.append("")
    if "nlen-ct2" in results:
        r = results["nlen-ct2"]
        same, rows = r["copied"]
        note = (f"Coverage repair (pipeline/document/repair.py) in the `nlen translate --backend ctranslate2` run: "
                f"{r['repair']} of {r['sentences']} sentences translated again one by one. ")
        if kind == "random":
            note += ("This model's output has no sentence structure, so most paragraphs are flagged: the worst case, "
                     "which a working model does not reach. ")
        else:
            note += f"The copy model's English equalled its Dutch in {same} of {rows} TSV rows. "
        if r["repair"]:
            note += ("Those extra translations are counted as work (*units*, *target tokens*), and raw CTranslate2 "
                     "is given the same extra sentences, so the two do the same work.")
        out += [note, ""]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="nlen throughput benchmark (writes eval/reports/bench.md)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 copy of the seed, 8 tokens, 2,000 aligner sentences")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "bench.md")
    parser.add_argument("--models", default=",".join(KINDS), help="bench models to run, of: %(default)s")
    parser.add_argument("--engines", default="naive,nlen-transformers,nlen-ct2,raw-ct2,nlen-ct2-all,aligner,help,executors")
    # worker mode (internal)
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--ct2-dir", help=argparse.SUPPRESS)
    parser.add_argument("--extra", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--repair-all", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--slow-copies", type=int, default=1,
                        help="copies of the seed article the slow engines (naive, nlen transformers) translate; "
                             "their rate is per sentence, so a whole-article subset measures it (default: %(default)s)")
    parser.add_argument("--beams", type=int, default=NUM_BEAMS, help="beam size for every engine (default: the model's, %(default)s)")
    parser.add_argument("--tokens", type=int, dest="forced_tokens",
                        help="forced output length on the random model (default: 32; 8 with --quick)")
    parser.add_argument("--batch-size", type=int, help="units per batch for nlen and raw CT2 (default: nlen's)")
    parser.add_argument("--sentences", type=int, help="corpus size in sentences, at least (default: 500; 37 with --quick)")
    parser.add_argument("--align-sentences", type=int, help="aligner document size (default: 50,000; 2,000 with --quick)")
    parser.add_argument("--sweep", action=argparse.BooleanOptionalAction,
                        help="sweep the ctranslate2 CPU layout (inter × intra threads) × batch size on the copy "
                             "model, the report section the CPU defaults are chosen from (default: on, off with --quick)")
    parser.add_argument("--sweep-copies", type=int, default=4, help="copies of the seed article the sweep translates (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=5, help="sweep rounds (default: %(default)s)")
    args = parser.parse_args()
    if args.batch_size is None:
        from pipeline.translate import GenerationSettings

        args.batch_size = GenerationSettings().batch_size
    args.align_sentences = args.align_sentences or (2000 if args.quick else 50_000)
    if args.sweep is None:
        args.sweep = not args.quick

    if args.worker:
        args.tokens = args.forced_tokens or 0  # workers get the resolved length; 0: outputs end on their own
        print(json.dumps(WORKERS[args.worker](args)))
        return 0
    args.forced_tokens = args.forced_tokens or (8 if args.quick else 32)
    kinds = [k for k in args.models.split(",") if k]
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown bench model(s): {', '.join(sorted(unknown))}")

    # OMP_WAIT_POLICY=PASSIVE for every engine alike: on a shared machine, OpenMP threads
    # that spin while waiting lose most of their time to the other load (measured 5× here).
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "NLEN_CACHE_DIR": str(WORK / "nlen-cache"), "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
    engines = args.engines.split(",")
    started_all = time.perf_counter()
    full, small = WORK / "corpus" / "bench.txt", WORK / "corpus" / "bench-small.txt"
    info = {"full": make_corpus(args.sentences or (1 if args.quick else 500), full)}
    info["small"] = make_corpus_copies(min(args.slow_copies, info["full"]["copies"]), small)
    print(f"bench: corpus {info['full']}; slow engines: {info['small']}", file=sys.stderr)

    sweep = run_sweep(args, env) if args.sweep else None
    by_model = {}
    for kind in kinds:
        print(f"bench: building the {kind} model (cached in .cache/)…", file=sys.stderr)
        by_model[kind] = run_model(kind, args, env, engines, full, small, info)
    align = None
    if "aligner" in engines:
        print(f"bench: aligner on {args.align_sentences} sentences…", file=sys.stderr)
        align = run_worker("aligner", args, env)
    help_s = help_latency(env) if "help" in engines else None
    executors = None
    if "executors" in engines:  # Ray executor vs local executor (bench/executors.py)
        from executors import measure

        print("bench: Ray executor (2 × 1 thread) vs local executor (1 × 2 threads)…", file=sys.stderr)
        executors = measure(2 if args.quick else 6, WORK, env)

    import ctranslate2
    import torch
    import transformers

    full_c, small_c = info["full"], info["small"]
    out = [
        "# Benchmark" + (" (quick smoke test — not a measurement)" if args.quick else ""),
        "",
        f"Generated by `make bench` (`bench/bench.py{' --quick' if args.quick else ''}`) on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} CPU threads, no GPU; torch {torch.__version__}, transformers "
        f"{transformers.__version__}, ctranslate2 {ctranslate2.__version__}; OMP_WAIT_POLICY={env['OMP_WAIT_POLICY']} "
        f"for every engine. Load average at the end: {os.getloadavg()[0]:.1f} (absolute numbers vary between "
        f"machines and with other load; compare the ratios).",
        "",
        f"Models: opus-mt-nl-en's exact architecture (bench/build_model.py), in two kinds below. Corpus: the seed "
        f"article × {full_c['copies']} = {full_c['paragraphs']} paragraphs, {full_c['sentences']} sentences, every "
        f"sentence tagged with its copy number (nlen translates identical texts once; the tags keep the work equal). "
        f"The two slow engines (naive, nlen transformers) translate the first {small_c['copies']} "
        f"cop{'y' if small_c['copies'] == 1 else 'ies'} ({small_c['sentences']} sentences); rates are per sentence "
        f"and the corpus is whole copies of the article, so the rates compare. Beam size {args.beams} everywhere. "
        f"nlen and raw CTranslate2 use batches of {args.batch_size} units sorted by length.",
        "",
        "*units*: translations made (paragraphs, plus sentence-level repairs). *target tokens*: tokens generated, "
        "end token included, as each engine counted them. *time*: translation only for the naive and raw rows "
        "(model loaded, text tokenised); for the `nlen translate` rows the manifest's group wall time "
        "(tokenisation, translation, sentence splitting, alignment, repair; reading and writing files are in *end to end*). "
        "*end to end*: the whole `nlen translate` process, "
        "including interpreter start-up and model loading. *peak RSS*: of that engine's own process (os.wait4).",
        "",
    ]
    for kind, results in by_model.items():
        out += model_section(kind, results, args)
    if sweep:
        out += sweep_section(sweep, args)

    checks = []
    for kind, results in by_model.items():
        label = "random model" if kind == "random" else "copy model"
        r = ratio(results, "nlen-ct2", "naive")
        if r is not None:
            e2e = ratio(results, "nlen-ct2", "naive", wall=True)
            tok = ratio(results, "nlen-ct2", "naive", "target_tokens")
            checks.append(f"- {label}: `nlen translate` (ctranslate2) vs naive baseline, sentences/s: **{r:.1f}×** "
                          f"({e2e:.1f}× end to end; {tok:.1f}× in target tokens/s) — target ≥ 5×: "
                          f"{'met' if r >= 5 else 'NOT met'}")
        r = ratio(results, "nlen-ct2-all", "naive")
        if r is not None:
            checks.append(f"- {label}, worst case: every paragraph also translated sentence by sentence "
                          f"(`--repair-threshold 1`, {results['nlen-ct2-all']['repair']} sentences): **{r:.1f}×** the "
                          f"naive baseline in sentences/s — target ≥ 5×: {'met' if r >= 5 else 'NOT met'}")
        r = ratio(results, "nlen-transformers", "naive")
        if r is not None:
            checks.append(f"- {label}: `nlen translate` (transformers) vs naive baseline, sentences/s: {r:.1f}×")
        r = ratio(results, "nlen-ct2", "raw-ct2", "target_tokens")
        if r is not None:
            a = results["nlen-ct2"]
            e2e = ratio(results, "nlen-ct2", "raw-ct2", "target_tokens", wall=True)
            inside = a["engine_seconds"] / a["seconds"]
            checks.append(f"- {label}: pipeline vs raw CTranslate2 on the same work, target tokens/s: **{r:.2f}×** "
                          f"({e2e:.2f}× end to end; the two runs are minutes apart, so load on the machine moves "
                          f"this) — target ≥ 0.8×: {'met' if r >= 0.8 else 'NOT met'}")
            checks.append(f"- {label}: inside the same `nlen translate` run, the translator's calls (tokenisation and "
                          f"CTranslate2, batches in flight) took {a['engine_seconds']:.1f} s of {a['seconds']:.1f} s: "
                          f"sentence splitting, alignment and repair bookkeeping cost **{100 * (1 - inside):.1f}%**, "
                          f"i.e. the pipeline runs at "
                          f"**{inside:.2f}×** its engine's throughput (load-independent) — target ≥ 0.8×: "
                          f"{'met' if inside >= 0.8 else 'NOT met'}")
    if align:
        checks.append(f"- aligner alone (`pipeline.align.align_block_list`, default method, paragraph blocks, "
                      f"documents of 20 paragraphs): "
                      f"{align['sentences']:,} synthetic sentences in {align['paragraphs']:,} paragraphs in "
                      f"{align['seconds']:.1f} s = {align['sentences'] / align['seconds']:,.0f} sentences/s, "
                      f"peak RSS {align['rss'] / 2**20:.0f} MiB")
    if help_s is not None:
        checks.append(f"- `nlen --help`: {help_s:.2f} s (median of 5) — target < 0.5 s: {'met' if help_s < 0.5 else 'NOT met'}")
    if executors:
        from executors import section

        lines, target = section(executors)
        out += lines
        checks.append(target)
    out += ["## Targets", ""] + checks + ["", f"Bench wall time: {time.perf_counter() - started_all:.0f} s.", ""]
    text = "\n".join(out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
