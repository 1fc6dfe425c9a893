"""Sentence mode against paragraph mode on FLORES-200 devtest, with the random
models this project can run (no real weights can be downloaded here): what
`make compare SET=flores MODELS="M@ctranslate2" ARGS="--units sentence,paragraph"`
reports, for the README's table.

Two models, each one `nlen compare M@ctranslate2 --units sentence,paragraph
--set flores` process (all 1,012 lines, 281 documents):

* tiny: the tiny random Marian of the tests (tests/conftest.py), generation
  options as the model ships them;
* bench: the full-size random model with opus-mt-nl-en's architecture
  (bench/build_model.py). It never ends on its own, so every output is forced
  to `--tokens` tokens (as eval/speed/flores_eval_time.py does): a sentence's
  and a whole paragraph's alike, so its paragraph outputs are cut short.

Random weights: the scores and fault counts show what the pipeline does with a
model that translates nothing, and the speeds what each unit costs on this
machine; none of it says anything about translation quality.

    .venv/bin/python eval/speed/units_flores.py [--models tiny,bench] [--tokens 32] [--render]

Writes eval/reports/units-flores.md, and each compare report beside it in
eval/reports/units-flores/.
"""

from __future__ import annotations

import argparse
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "eval" / "reports"
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))


def build_model(name: str, tmp: Path) -> Path:
    if name == "tiny":
        from conftest import build_tiny_marian  # the tests' tiny model (sets the offline environment)

        return build_tiny_marian(tmp / "tiny-marian")
    from build_model import build

    return build("random")


def run_compare(name: str, model: Path, tokens: int, reports: Path) -> tuple[dict, float, float]:
    """One `nlen compare` process; its JSON report, wall seconds and load average."""
    extra = ["--min-new-tokens", str(tokens), "--max-new-tokens", str(tokens)] if name == "bench" else []
    cmd = [sys.executable, "-m", "pipeline", "compare", f"{model}@ctranslate2", "--units", "sentence,paragraph",
           "--set", "flores", "--reports-dir", str(reports), "--no-progress", *extra]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    report = sorted(reports.glob("compare-*.json"))[-1]
    return json.loads(report.read_text(encoding="utf-8")), wall, (load + os.getloadavg()[0]) / 2


BULKY = ("hypotheses", "sentences", "model_hypotheses", "paragraph_chrF2")


def fault_cell(faults: dict) -> str:
    parts = []
    if faults.get("dropped") is not None:
        parts.append(f"{faults['dropped']:,} dropped, {faults['merged']} merged")
    for key in ("repetition", "untranslated", "truncated", "empty"):
        if faults.get(key):
            parts.append(f"{faults[key]:,} {key}")
    return f"{faults['texts']:,} {faults['unit']}s: " + (", ".join(parts) or "none")


LOCAL_PATH = re.compile(r"(?<![\w.-])/(?:[^\s\"'|`]+/)+([^\s\"'|`/]+)")


def scrub_paths(value):
    """Absolute paths of the machine that ran it (the built model, its CTranslate2 conversion
    in a temporary cache) → the file or folder's name: a committed report names a model by
    its folder, never by where one machine kept it."""
    if isinstance(value, str):
        return LOCAL_PATH.sub(r"\1", value)
    if isinstance(value, list):
        return [scrub_paths(v) for v in value]
    if isinstance(value, dict):
        return {k: scrub_paths(v) for k, v in value.items()}
    return value


def keep_reports(name: str, reports: Path, keep: Path, wall: float, load: float) -> None:
    """Copy one compare run's report into `keep` as <name>.md / .json / .png;
    the JSON without the outputs themselves (MBs), with the run's wall time and
    load average added."""
    keep.mkdir(parents=True, exist_ok=True)
    for path in reports.glob("compare-*"):
        target = keep / f"{name}{path.suffix}"
        if path.suffix == ".md":  # the report links its plot by name
            text = path.read_text(encoding="utf-8").replace(f"]({path.with_suffix('.png').name})", f"]({name}.png)")
            target.write_text(text, encoding="utf-8")
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            for row in data["models"]:
                for key in BULKY:
                    row.pop(key, None)
            data = scrub_paths(data)
            data["left_out"] = f"per model: {', '.join(BULKY)} (eval/speed/units_flores.py)"
            data["run"] = {"wall_s": round(wall, 1), "load_average": round(load, 2)}
            target.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        else:
            shutil.copyfile(path, target)


def render(keep: Path, names: list[str]) -> str:
    """The summary, from the kept reports alone (so `--render` redoes it without running anything)."""
    reports = {name: json.loads((keep / f"{name}.json").read_text(encoding="utf-8")) for name in names}
    first = next(iter(reports.values()))
    forced = {name: (r["models"][0].get("described") or {}).get("generation", {}).get("min_new_tokens")
              for name, r in reports.items()}
    lines = [
        "# Sentence against paragraph mode on FLORES-200 devtest, random models",
        "",
        f"Generated by `eval/speed/units_flores.py` from compare runs made {first['created'][:16].replace('T', ' ')} UTC "
        f"(git {first.get('git_commit')}, sacrebleu {first['packages'].get('sacrebleu')}, ctranslate2 "
        f"{first['packages'].get('ctranslate2')}); {os.cpu_count()} CPU threads, no GPU. Each model is one "
        "`nlen compare MODEL@ctranslate2 --units sentence,paragraph --set flores` process: all 1,012 lines "
        "(281 documents). **Random weights: speed and behaviour of the pipeline only, not translation "
        f"quality.** The full compare reports are in `{keep.name}/` (`<model>.md`, `.json`, `.png`).",
        "",
        "- **tiny**: the tests' tiny random Marian (tests/conftest.py), its own generation settings.",
        "- **bench**: the full-size random model with opus-mt-nl-en's architecture (bench/build_model.py); every "
        f"output forced to {forced.get('bench')} tokens, a whole paragraph's too, so every paragraph output is cut "
        "short (truncated); the repair fills in the Dutch sentences the alignment then finds dropped.",
        "",
        "| model | unit | BLEU / chrF2 on the lines | chrF2 per document: pipeline / model | model faults "
        "| repaired | left without English | sentences/s | settings |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, report in reports.items():
        for r in report["models"]:
            if r["status"] != "ok":
                lines.append(f"| {name} | {r['unit']} | failed ({r['stage']}): {r['error']} | | | | | | |")
                continue
            d, mo, f = r["described"], r.get("model_output") or {}, r["faults"]
            gen = d.get("generation") or {}
            bound = gen.get("max_new_tokens")
            settings = (f"beam {gen.get('num_beams')}, {d.get('compute_type')}, batches of {gen.get('batch_size')}, "
                        + (f"{bound} new tokens" if isinstance(bound, int) else "output bound 2 x source tokens + 16"))
            segments = "" if r["segments"] == "sentence" else " (aligned)"
            lines.append(
                f"| {name} | {r['unit']} | {r['scores']['BLEU']['score']:.2f} / {r['scores']['chrF2']['score']:.2f}"
                f"{segments} | {r['document_scores']['chrF2']['score']:.2f} / "
                f"{mo.get('document_scores', {}).get('chrF2', {}).get('score', float('nan')):.2f} "
                f"| {fault_cell(f)} | {f['repaired']:,} | {f['no_english']} | {r['speed']['sentences_per_s']} "
                f"| {settings} |")
    lines += ["", "| model | p (paragraph vs sentence, per document) BLEU bs / ar | chrF2 bs / ar "
                  "| whole compare wall (s) | load average |", "|---|---|---|---|---|"]
    for name, report in reports.items():
        second = report["models"][1] if len(report["models"]) > 1 else {}
        p = second.get("p_values") or {}
        cell = (lambda m: f"{p[m]['bs']:.4f} / {p[m]['ar']:.4f}" if m in p else "–")
        run = report.get("run") or {}
        lines.append(f"| {name} | {cell('BLEU')} | {cell('chrF2')} | {run.get('wall_s', float('nan')):.0f} "
                     f"| {run.get('load_average', float('nan')):.1f} |")
    lines += ["", "Speeds are translation calls only (compare's own measure), on a shared 2-core machine: compare "
              "them within a model's pair of rows, not across runs. The load average is the whole machine's during "
              "the run; above 2, other work competed for the cores. Equal scores get p = 1 (nlen's rule, see "
              "eval/README.md).", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="tiny,bench", help="comma-separated: tiny, bench")
    parser.add_argument("--tokens", type=int, default=32, help="forced output length of the bench model")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "units-flores.md")
    parser.add_argument("--render", action="store_true", help="only rewrite the summary from the kept reports")
    args = parser.parse_args()
    keep = args.out.with_suffix("")  # the compare reports, beside the summary
    names = args.models.split(",")
    for name in names if args.render else ():  # kept reports from before paths were scrubbed
        path = keep / f"{name}.json"
        path.write_text(json.dumps(scrub_paths(json.loads(path.read_text(encoding="utf-8"))), ensure_ascii=False,
                                   indent=1) + "\n", encoding="utf-8")
    if not args.render:
        with tempfile.TemporaryDirectory(prefix="nlen-units-") as tmp:
            runs = []
            for name in names:
                model = build_model(name, Path(tmp))
                reports = Path(tmp) / f"reports-{name}"
                _, wall, load = run_compare(name, model, args.tokens, reports)
                runs.append((name, reports, wall, load))
                print(f"{name}: {wall:.0f} s wall, load {load:.1f}", file=sys.stderr)
            for name, reports, wall, load in runs:  # after all runs: a later run's git commit is not made dirty
                keep_reports(name, reports, keep, wall, load)
    args.out.write_text(render(keep, names), encoding="utf-8")
    print(args.out)


if __name__ == "__main__":
    main()
