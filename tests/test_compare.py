"""`nlen compare`: two tiny random models on the seed reference, a table with
p-values, and a model that fails to load getting its own row."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import build_tiny_marian

from pipeline.errors import UserError
from pipeline.evaluation.compare.measure import parse_spec
from pipeline.evaluation.compare.run import significance

FAST = ["--num-beams", "1", "--max-new-tokens", "8", "--bootstrap", "200", "--ar-trials", "1000", "--no-progress"]


@pytest.fixture(scope="module")
def second_model(tmp_path_factory) -> Path:
    return build_tiny_marian(tmp_path_factory.mktemp("models") / "tiny-marian-seed1", seed=1)


def nlen(capsys, *args: str) -> tuple[int, str, str]:
    from pipeline.cli import main

    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_compare_two_tiny_models_writes_table_with_p_values(tiny_marian, second_model, tmp_path, capsys):
    rc, out, err = nlen(capsys, "compare", str(tiny_marian), str(second_model), "--reports-dir", str(tmp_path), *FAST)
    assert rc == 0, err
    md = list(tmp_path.glob("compare-*.md"))
    js = list(tmp_path.glob("compare-*.json"))
    assert len(md) == 1 and len(js) == 1 and md[0].stem == js[0].stem
    table = md[0].read_text(encoding="utf-8")
    assert table in out
    sections = {part.split("\n", 1)[0]: part for part in table.split("\n## ")[1:]}
    assert set(sections) == {"Scores", "Model and pipeline", "Cost"}
    rows = [line for line in sections["Scores"].splitlines() if re.match(r"^\| \d+ \|", line)]
    assert len(rows) == 2
    assert "baseline" in rows[0]
    assert re.search(r"\| \d\.\d{4} / \d\.\d{4} \| \d\.\d{4} / \d\.\d{4} \|", rows[1])  # p BLEU, p chrF2 (bs / ar)
    faults = [line for line in sections["Model and pipeline"].splitlines() if re.match(r"^\| \d+ \|", line)]
    assert len(faults) == 2 and all("14 paragraphs: dropped " in line for line in faults)
    cost = [line for line in sections["Cost"].splitlines() if re.match(r"^\| \d+ \|", line)]
    assert len(cost) == 2 and all("| ctranslate2 (int8) |" in line for line in cost)  # the default, on CPU
    png = md[0].with_suffix(".png")
    assert png.read_bytes().startswith(b"\x89PNG") and f"]({png.name})" in table
    report = json.loads(js[0].read_text(encoding="utf-8"))
    first, second = report["models"]
    assert first["status"] == second["status"] == "ok" and first["baseline"] is True
    assert report["significance"]["baseline"] == tiny_marian.name  # a local model by its folder's name
    assert report["significance"]["segments"] == "paragraph"
    for row in report["models"]:  # the model's own output and its faults, apart from the pipeline's
        assert row["unit"] == "paragraph" and len(row["model_hypotheses"]) == 14
        assert set(row["model_output"]["scores"]) == {"BLEU", "chrF2", "chrF2++", "TER"}
        f = row["faults"]
        assert {"dropped", "merged", "repetition", "untranslated", "truncated", "empty"} <= set(f)
        assert f["dropped"] == row["counts"]["model_faults"]["dropped"] and f["texts"] == 14
        assert len(row["paragraph_chrF2"]) == 14
    for metric in ("BLEU", "chrF2", "TER"):
        p = second["p_values"][metric]
        assert 0 < p["bs"] <= 1 and 0 < p["ar"] <= 1
    assert "bs:200" in report["significance"]["signatures"]["bs"]["BLEU"]
    assert "ar:1000" in report["significance"]["signatures"]["ar"]["BLEU"]
    for row in report["models"]:
        assert row["speed"]["sentences"] == 37 and row["speed"]["sentences_per_s"] > 0
        assert row["speed"]["target_tokens"] > 0 and row["speed"]["target_tokens_per_s"] > 0
        assert row["memory"]["peak_rss_mb"] > 0 and "measured" in row["memory"]
        assert row["size_mb"] > 0
        if row["backend"] == "ctranslate2":  # the size of what runs: the conversion, not the checkpoint
            assert row["size_path"] == row["described"]["converted_model"] != row["checkpoint_path"] == row["model"]
            assert row["checkpoint_size_mb"] > 0 and row["size_mb"] != row["checkpoint_size_mb"]
        assert row["parameters"] > 0 if row["backend"] == "transformers" else row["parameters"] is None  # ct2: not counted
        assert set(row["scores"]) == {"BLEU", "chrF2", "chrF2++", "TER"}
        assert len(row["hypotheses"]) == 14
    assert report["packages"]["sacrebleu"] and report["packages"]["py3langid"] and "git_commit" in report
    # different random weights → different output
    assert first["hypotheses"] != second["hypotheses"]


def test_compare_model_that_fails_to_load_gets_a_row_and_exit_2(tiny_marian, tmp_path, capsys):
    missing = tmp_path / "no-such-model"
    rc, out, err = nlen(capsys, "compare", str(missing), str(tiny_marian), "--reports-dir", str(tmp_path), *FAST)
    assert rc == 2
    assert "cannot load model" in err
    report = json.loads(next(tmp_path.glob("compare-*.json")).read_text(encoding="utf-8"))
    failed, ok = report["models"]
    assert failed["status"] == "failed" and failed["stage"] == "load" and "cannot load model" in failed["error"]
    assert ok["status"] == "ok" and ok["baseline"] is True  # the first model that loaded is the baseline
    assert report["significance"]["baseline"] == tiny_marian.name  # a local model by its folder's name
    assert "failed (load): cannot load model" in out


@pytest.mark.parametrize("spec, expected", [
    ("Helsinki-NLP/opus-mt-nl-en", ("Helsinki-NLP/opus-mt-nl-en", "transformers", None)),
    ("models/opus-ct2@ctranslate2", ("models/opus-ct2", "ctranslate2", None)),
    ("facebook/nllb-200-distilled-600M#abc123", ("facebook/nllb-200-distilled-600M", "transformers", "abc123")),
    # both orders of the two suffixes
    ("facebook/nllb-200-distilled-600M@ctranslate2#abc123", ("facebook/nllb-200-distilled-600M", "ctranslate2", "abc123")),
    ("facebook/nllb-200-distilled-600M#abc123@ctranslate2", ("facebook/nllb-200-distilled-600M", "ctranslate2", "abc123")),
    ("m#abc@transformers", ("m", "transformers", "abc")),
])
def test_parse_spec(spec, expected):
    s = parse_spec(spec, default_backend="transformers")
    assert (s.model, s.backend, s.revision) == expected


@pytest.mark.parametrize("spec, message", [
    ("x@nope", "unknown backend 'nope'"),
    ("m#abc@nope", "unknown backend 'nope'"),
    ("m@ctranslate2#abc@transformers", "two backends"),
    ("m#a@ctranslate2@transformers", "more than one '@' after '#'"),
    ("m#a@b@transformers", "more than one '@' after '#'"),
    ("m#", "give one revision"),
    ("m#a#b", "give one revision"),
    ("@ctranslate2", "no model"),
])
def test_parse_spec_refuses_unclear_specs(spec, message):
    with pytest.raises(UserError, match=message):
        parse_spec(spec)


def test_parse_spec_takes_an_existing_local_path_whole(tmp_path):
    odd = tmp_path / "model@v2#1"
    odd.mkdir()
    s = parse_spec(str(odd), default_backend="ctranslate2")
    assert (s.model, s.backend, s.revision) == (str(odd), "ctranslate2", None)


def test_significance_is_seeded_and_reproducible_and_pairs_shared_segments():
    from pipeline.evaluation.sets import Reference

    refs = [f"The minister said on {d} May that prices rose by {d}.5 percent." for d in range(1, 13)]
    a = [r.replace("rose", "went up") for r in refs]
    b = [r.replace("minister", "man").replace("prices", "it") for r in refs]
    # line-aligned, four documents of three lines (as FLORES)
    ref = Reference("t", Path("t"), [refs[i:i + 3] for i in range(0, 12, 3)], [refs[i:i + 3] for i in range(0, 12, 3)],
                    [((i,), (i,)) for i in range(12)], line_aligned=True, documents=True)

    def run(seed, b_by_sentence=True):
        rows = [{"status": "ok", "label": "A", "hypotheses": [" ".join(a[i:i + 3]) for i in range(0, 12, 3)], "sentences": a},
                {"status": "ok", "label": "B", "hypotheses": [" ".join(b[i:i + 3]) for i in range(0, 12, 3)],
                 "sentences": b if b_by_sentence else None}]
        info = significance(rows, ref, n_bootstrap=300, ar_trials=500, seed=seed)
        return info, rows[1]["p_values"]

    info1, p1 = run(12345)
    info2, p2 = run(12345)
    assert p1 == p2 and info1 == info2
    assert info1["baseline"] == "A" and "seed:12345" in info1["signatures"]["ar"]["BLEU"]
    assert info1["segments"] == "sentence" and set(p1) == {"BLEU", "chrF2", "TER"}
    assert p1["BLEU"]["ar"] < 0.05  # B damages every sentence
    # the same output twice: equal scores, p = 1 (sacrebleu itself would give its smallest p)
    rows = [{"status": "ok", "label": name, "hypotheses": a, "sentences": a} for name in ("A", "A again")]
    significance(rows, ref, n_bootstrap=100, ar_trials=100, seed=1)
    assert rows[1]["p_values"]["BLEU"] == {"bs": 1.0, "ar": 1.0}
    # B translated by paragraph: the only segments both share are the documents (no TER there: too slow)
    info3, p3 = run(12345, b_by_sentence=False)
    assert info3["segments"] == "document" and set(p3) == {"BLEU", "chrF2"}


def test_models_are_loaded_one_at_a_time_and_freed(monkeypatch, tmp_path):
    """A fake backend records load/close: each model is closed before the next
    loads, and a model that breaks while translating gets a failed row."""
    import pipeline.evaluation.compare.run as compare_module
    from pipeline.evaluation.compare.run import compare
    from pipeline.evaluation.sets import load_reference
    from pipeline.translate import GenerationSettings, Translator

    events: list[str] = []

    class Fake(Translator):
        def __init__(self, model, settings, **options):
            super().__init__(model, settings)
            events.append(f"load {model}")

        def _translate_batch(self, texts):
            if self.model_name == "broken":
                raise RuntimeError("CUDA out of memory (pretend)")
            return [t.upper() if self.model_name == "shouting" else t for t in texts]

        def count_tokens(self, texts):
            return [len(t.split()) + 1 for t in texts]

        def describe(self):
            return {"model": self.model_name, "device": "cpu"}

        def close(self):
            events.append(f"close {self.model_name}")

    monkeypatch.setattr(compare_module, "load_translator", lambda backend, model, settings, **kw: Fake(model, settings, **kw))
    specs = [parse_spec(s) for s in ("echo", "broken", "shouting")]
    report = compare(specs, load_reference("seed"), GenerationSettings(), n_bootstrap=50, ar_trials=100, progress=False)
    # the first model of a backend is loaded once unmeasured (the backend's one-time set-up), then measured
    assert events == ["load echo", "close echo", "load echo", "close echo", "load broken", "close broken",
                      "load shouting", "close shouting"]
    echo, broken, shouting = report["models"]
    assert broken["status"] == "failed" and broken["stage"] == "translate" and "out of memory" in broken["error"]
    assert "memory" in broken
    assert echo["baseline"] and set(shouting["p_values"]) == {"BLEU", "chrF2", "TER"}
    assert shouting["speed"]["target_tokens"] is None  # this double does not count what it generates


def test_warm_up_initialises_what_every_model_runs_before_memory_is_measured():
    """The splitter, py3langid's model and the aligner are set up by the warm-up,
    not by the first model measured (compare's memory Δ would depend on order)."""
    from pipeline.document import checks, sentences
    from pipeline.evaluation.compare.measure import warm_libraries

    checks._identifier.cache_clear()
    checks.language.cache_clear()
    sentences._splitter.cache_clear()
    sentences._splitter_for.cache_clear()
    warm_libraries(parse_spec("m@ctranslate2"))
    assert checks._identifier.cache_info().currsize == 1
    assert sentences._splitter.cache_info().currsize >= 2  # Dutch and English


def test_fill_readme_target_is_checked_before_any_model_runs(tmp_path, capsys):
    missing, plain = tmp_path / "no-README.md", tmp_path / "README.md"
    plain.write_text("# no table here\n", encoding="utf-8")
    for readme, problem in ((missing, "README not found"), (plain, "no table between")):
        rc, out, err = nlen(capsys, "compare", str(tmp_path / "no-such-model"), "--fill-readme", str(readme),
                            "--reports-dir", str(tmp_path), *FAST)
        assert rc == 2 and err.startswith(f"nlen: error: {readme}: ") and problem in err, err
        assert "cannot load model" not in err and not list(tmp_path.glob("compare-*"))
