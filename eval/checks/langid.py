"""Choose the language identifier for the `not_dutch` check: accuracy and speed
on the FLORES-200 devtest nld/eng lines (real text we did not write); writes results.md.

    .venv/bin/python eval/checks/langid.py [--data ../shared/data/flores200-nld-eng] [--out eval/checks/langid.md]

The decision measured is the one the check makes: "is this text Dutch?". Every
Dutch line should say yes and every English line no. Each identifier is asked
one text at a time (as the check asks it), after a warm-up call, so model loading
is timed apart. "short" repeats the test on each line's first four words, the
length of a heading or a caption.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing


# Dutch, and what text in a Dutch corpus is likely to be instead (or be taken for).
SUBSET = ("DUTCH", "ENGLISH", "GERMAN", "FRENCH", "AFRIKAANS", "SPANISH", "ITALIAN", "PORTUGUESE",
          "DANISH", "SWEDISH", "BOKMAL", "TURKISH", "ARABIC", "POLISH", "LATIN", "INDONESIAN")


def candidates():
    """name → (package, loader); a loader returns `is_dutch(text) -> bool`."""

    def py3langid_all():
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE)
        return lambda text: ident.classify(text)[0] == "nl"

    def lingua_all(low_accuracy: bool):
        def load():
            from lingua import Language, LanguageDetectorBuilder

            builder = LanguageDetectorBuilder.from_all_languages()
            if low_accuracy:
                builder = builder.with_low_accuracy_mode()
            detector = builder.with_preloaded_language_models().build()
            return lambda text: detector.detect_language_of(text) == Language.DUTCH
        return load

    def lingua_subset():
        from lingua import Language, LanguageDetectorBuilder

        languages = [getattr(Language, n) for n in SUBSET]
        detector = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
        return lambda text: detector.detect_language_of(text) == Language.DUTCH

    def pipeline_check():
        from pipeline.document.checks import is_dutch

        return is_dutch

    return {
        "py3langid (97 languages)": ("py3langid", py3langid_all),
        "lingua, high accuracy (75 languages)": ("lingua-language-detector", lingua_all(False)),
        "lingua, low accuracy (75 languages)": ("lingua-language-detector", lingua_all(True)),
        f"lingua, high accuracy ({len(SUBSET)} languages)": ("lingua-language-detector", lingua_subset),
        "nlen `not_dutch` (pipeline.document.checks.is_dutch)": ("nlen", pipeline_check),
    }


def measure(is_dutch, lines_nl: list[str], lines_en: list[str]) -> dict:
    started = time.perf_counter()
    right_nl = sum(1 for t in lines_nl if is_dutch(t))
    right_en = sum(1 for t in lines_en if not is_dutch(t))
    seconds = time.perf_counter() - started
    n = len(lines_nl) + len(lines_en)
    return {"acc_nl": right_nl / len(lines_nl), "acc_en": right_en / len(lines_en),
            "acc": (right_nl + right_en) / n, "ms": 1000 * seconds / n}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "flores200-nld-eng")
    ap.add_argument("--out", type=Path, default=HERE / "langid.md")
    args = ap.parse_args()
    from pipeline.textio import read_lines, read_text

    nl = read_lines(read_text(args.data / "nld_Latn.devtest"))
    en = read_lines(read_text(args.data / "eng_Latn.devtest"))
    short_nl = [" ".join(t.split()[:4]) for t in nl]
    short_en = [" ".join(t.split()[:4]) for t in en]
    rows = []
    for name, (package, load) in candidates().items():
        try:
            version = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            print(f"{name}: {package} not installed, skipped", file=sys.stderr)
            continue
        started = time.perf_counter()
        is_dutch = load()
        is_dutch("Dit is een gewone zin in het Nederlands.")  # warm-up: lazy model loading is counted as load time
        load_s = time.perf_counter() - started
        full = measure(is_dutch, nl, en)
        short = measure(is_dutch, short_nl, short_en)
        # lingua keeps loaded language models process-wide: later detectors reuse the first one's
        load = f"{load_s:.2f}" if not (package.startswith("lingua") and any(r[0].startswith("lingua") for r in rows)) else "(shared)"
        rows.append((name, version, load, full, short))
        print(f"{name}: {full} short {short} load {load_s:.2f}s", file=sys.stderr)

    out = [
        "# Language identification for the `not_dutch` check",
        "",
        f"FLORES-200 devtest, {len(nl)} Dutch and {len(en)} English lines (`{args.data.name}`). Accuracy of the",
        "decision \"is this Dutch?\" (Dutch lines must say yes, English lines no); ms per text, one text per call,",
        "on this 2-core machine, model loading apart. `short`: each line's first four words (nlen's",
        "check does not judge texts of under five words: it calls them Dutch).",
        "Written by `eval/checks/langid.py`.",
        "",
        "| identifier | version | accuracy | nl → nl | en → not nl | ms/sentence | short: accuracy | short: nl → nl | short: ms | load s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, version, load, full, short in rows:
        out.append(f"| {name} | {version} | {full['acc']:.2%} | {full['acc_nl']:.2%} | {full['acc_en']:.2%} | "
                   f"{full['ms']:.3f} | {short['acc']:.2%} | {short['acc_nl']:.2%} | {short['ms']:.3f} | {load} |")
    text = "\n".join(out) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
