"""Standard test sets (FLORES-200 devtest, Tatoeba) scored as published, the
model's own output kept apart from the pipeline's repair, and sentence vs
paragraph units. Scores of the tiny random models are plumbing, never quality."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_nlen

from pipeline.errors import UserError
from pipeline.evaluation.score import SentencePair, aligned_segments, score_output
from pipeline.evaluation.sets import load_reference

FLORES = ROOT / "eval" / "flores200"


def test_standard_sets_load_with_documents_and_provenance():
    flores = load_reference("flores")
    assert flores.line_aligned and flores.documents
    assert len(flores.nl) == 281 and sum(map(len, flores.nl)) == sum(map(len, flores.en)) == 1012
    assert flores.gold[:2] == [((0,), (0,)), ((1,), (1,))]
    assert set(flores.files) == {"nl", "en", "documents"} and "CC BY-SA 4.0" in flores.about["licence"]
    assert flores.published_for("Helsinki-NLP/opus-mt-nl-en") == {"model": "Helsinki-NLP/opus-mt-nl-en", "BLEU": 29.6, "chrF2": 58.3}
    # exact hub ids only: the same name in a local folder or another organisation may be another model
    for other in ("models/opus-mt-nl-en", "someone/opus-mt-nl-en", "opus-mt-nl-en", "helsinki-nlp/opus-mt-nl-en",
                  "some/other-model", None, ""):
        assert flores.published_for(other) is None
    tatoeba = load_reference("tatoeba")
    assert tatoeba.line_aligned and not tatoeba.documents
    assert len(tatoeba.nl) == sum(map(len, tatoeba.en)) == 12696  # one line per paragraph
    assert tatoeba.published_for("Helsinki-NLP/opus-mt-nl-en")["BLEU"] == 60.7
    for folder in ("flores200", "tatoeba"):
        assert (ROOT / "eval" / folder / "LICENSE").is_file() and (ROOT / "eval" / folder / "README.md").is_file()


SET_OK = {"nl": "x.nl", "en": "x.en", "documents": {"file": "docs.tsv", "column": "URL"}}


@pytest.mark.parametrize("config, docs, problem", [
    ('{"nl": "x.nl",', None, "set.json: not valid JSON"),
    ("[1, 2]", None, "set.json: a set description is a JSON object, not list"),
    ({"nl": "x.nl"}, None, 'set.json: missing "en"'),
    ({**SET_OK, "en": 3}, None, 'set.json: "en" must be a string, not 3'),
    ({**SET_OK, "name": ["a"]}, None, 'set.json: "name" must be a string'),
    ({**SET_OK, "documents": "docs.tsv"}, None, 'set.json: "documents" must be a JSON object'),
    ({**SET_OK, "documents": {"file": "docs.tsv"}}, None, 'set.json: "documents" needs "column"'),
    ({**SET_OK, "published": "yes"}, None, 'set.json: "published" must be a JSON object'),
    ({**SET_OK, "published": {"scores": [{"model": "m", "BLEU": "30"}]}}, None, '"published"."scores"[0] must be'),
    (SET_OK, "", "docs.tsv: no header with a 'URL' column"),
    (SET_OK, "id\tURL\n1\n2\tb\n", "docs.tsv:2: 1 fields, the header has 2"),
    (SET_OK, "id\tURL\n1\ta\n", "docs.tsv: 1 rows after the header, the set has 2 lines"),
])
def test_a_malformed_set_description_is_one_line_and_exit_2(tmp_path, capsys, config, docs, problem):
    from pipeline.cli import main

    folder = tmp_path / "myset"
    folder.mkdir()
    (folder / "x.nl").write_text("Hallo.\nDag.\n", encoding="utf-8")
    (folder / "x.en").write_text("Hello.\nBye.\n", encoding="utf-8")
    (folder / "set.json").write_text(config if isinstance(config, str) else json.dumps(config), encoding="utf-8")
    if docs is None:
        (folder / "docs.tsv").write_text("id\tURL\n1\ta\n2\tb\n", encoding="utf-8")
    else:
        (folder / "docs.tsv").write_text(docs, encoding="utf-8")
    assert main(["eval", "--set", str(folder), "--tsv", str(tmp_path / "unused.tsv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"nlen: error: {folder}/") and problem in err, err


def test_set_messages_name_the_files_that_exist(tmp_path, capsys):
    """A folder set's English is its set.json's file, not <folder>.en; a folder
    without a set.json says so instead of naming <folder>.nl."""
    from pipeline.cli import main
    from pipeline.evaluation.hypotheses import check_counts

    with pytest.raises(UserError, match=r"reference eval/flores200/eng_Latn.devtest has 281"):
        check_counts(["x"], load_reference("flores"))
    (tmp_path / "plain").mkdir()
    assert main(["eval", "--set", str(tmp_path / "plain"), "--tsv", str(tmp_path / "unused.tsv")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'plain'}: a folder given as a set needs a set.json" in err and "plain.nl" not in err


def test_flores_is_scored_as_the_sacrebleu_command_line_scores_it(tmp_path):
    """The Dutch lines as a (bad) English hypothesis, against eng_Latn.devtest:
    the same numbers and signatures as `sacrebleu REF -i HYP` on the raw files."""
    ref = load_reference("flores")
    nl = [s for p in ref.nl for s in p]
    ours, _ = score_output([" ".join(p) for p in ref.nl], ref, sentences=nl, n_bootstrap=1, metrics=("BLEU", "chrF2"))
    assert ours["segments"] == "sentence"
    out = subprocess.run([sys.executable, "-m", "sacrebleu", str(FLORES / "eng_Latn.devtest"), "-i", str(FLORES / "nld_Latn.devtest"),
                          "-m", "bleu", "chrf", "-f", "json", "-w", "4"], capture_output=True, text=True, check=True)
    cli = {c["name"]: c for c in json.loads(out.stdout)}
    for name in ("BLEU", "chrF2"):
        assert ours["scores"][name]["signature"] == cli[name]["signature"]
        assert round(ours["scores"][name]["score"], 4) == pytest.approx(cli[name]["score"], abs=1e-4)
    assert ours["scores"]["BLEU"]["signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:")
    assert "|nc:6|nw:0|space:no|" in ours["scores"]["chrF2"]["signature"]
    assert set(ours["document_scores"]) == {"BLEU", "chrF2"}


def test_aligned_segments_keep_words_aligned_to_no_reference():
    pairs = [SentencePair(0, (), (0,), "Extra words.", "", ""), SentencePair(0, (0,), (1,), "A b.", "A b.", ""),
             SentencePair(0, (), (2,), "More.", "", ""), SentencePair(1, (1,), (), "", "C d.", "")]
    assert aligned_segments(pairs) == (["Extra words. A b. More.", ""], ["A b.", "C d."])


@pytest.mark.parametrize("unit", ["paragraph", "sentence"])
def test_model_faults_are_kept_apart_from_the_repair(unit):
    """A double that drops the second sentence of every paragraph of 3+ sentences
    (tests/doubles.py): the pipeline repairs it (BLEU 100), the model's own
    output shows the loss, and the drops are counted. By sentence there is nothing to drop."""
    from doubles import FaultyTranslator

    from pipeline.evaluation.hypotheses import translate_hypothesis
    from pipeline.evaluation.score import evaluate
    from pipeline.translate.base import GenerationSettings

    ref = load_reference("news")
    translator = FaultyTranslator("faulty", GenerationSettings())
    hyp = translate_hypothesis(translator, ref, unit=unit)
    report = evaluate(hyp, ref, n_bootstrap=1)
    long_paragraphs = sum(1 for p in ref.nl if len(p) >= 3)
    assert long_paragraphs > 0
    assert report["scores"]["BLEU"]["score"] == pytest.approx(100.0)
    faults = report["faults"]
    assert faults["unit"] == unit and faults["repetition"] == faults["untranslated"] == faults["empty"] == 0
    if unit == "paragraph":
        assert faults["texts"] == len(ref.nl) and faults["dropped"] == long_paragraphs
        assert report["model_output"]["scores"]["BLEU"]["score"] < 95
        # each dropped sentence, and its neighbours rebuilt from their own translations (pipeline/document/repair.py)
        assert long_paragraphs <= faults["repaired"] <= 3 * long_paragraphs
    else:
        assert faults["texts"] == sum(map(len, ref.nl)) and faults["dropped"] is None and faults["merged"] is None
        assert report["model_output"]["same_as_pipeline"] and faults["repaired"] == 0


def test_merges_and_sentences_left_without_english_are_counted():
    """'join' makes one English sentence of the first two Dutch ones (content
    kept): merged beads, nothing dropped or repaired. A sentence repeated once
    is no fault (eval/README.md says so). By sentence, a double that
    returns nothing for one sentence: that sentence is left without English, and
    the summary says so (unrepaired_1_0 counts only what a repair could not fill)."""
    from doubles import FaultyTranslator

    from pipeline.evaluation.hypotheses import translate_hypothesis
    from pipeline.evaluation.report import markdown_summary
    from pipeline.evaluation.score import evaluate
    from pipeline.translate.base import GenerationSettings

    ref = load_reference("news")
    joining = FaultyTranslator("faulty", GenerationSettings())
    joining.mode = "join"
    faults = evaluate(translate_hypothesis(joining, ref), ref, n_bootstrap=1)["faults"]
    long_paragraphs = sum(1 for p in ref.nl if len(p) >= 3)
    assert faults["merged"] == long_paragraphs > 0 and faults["dropped"] == faults["repaired"] == faults["no_english"] == 0
    # a sentence said twice is no loop the checks count, but its row would carry it twice:
    # the row is rebuilt from its sentence's own translation (pipeline/document/repair.py)
    repeating = FaultyTranslator("faulty", GenerationSettings())
    repeating.mode = "repeat"
    hyp = translate_hypothesis(repeating, ref)
    report = evaluate(hyp, ref, n_bootstrap=1)
    assert report["faults"]["repaired"] == long_paragraphs and report["scores"]["BLEU"]["score"] == pytest.approx(100)
    assert not any(report["faults"][k] for k in ("dropped", "merged", "repetition", "untranslated", "empty"))
    # English that translates nothing stays, aligned to no Dutch (a 0-1 row, flagged empty, score 0)
    adding = FaultyTranslator("faulty", GenerationSettings())
    adding.mode = "extra"
    hyp = translate_hypothesis(adding, ref)
    report = evaluate(hyp, ref, n_bootstrap=1)
    assert hyp.source["counts"]["beads"]["0-1"] == long_paragraphs and report["scores"]["BLEU"]["score"] < 95

    first = ref.nl[0][0]

    class Silent(FaultyTranslator):
        """Translates every sentence but the set's first to nothing."""

        def _translate_one(self, text):
            return "" if text == first else super()._translate_one(text)

    silent = Silent("silent", GenerationSettings())
    silent.mode = "none"
    report = evaluate(translate_hypothesis(silent, ref, unit="sentence"), ref, n_bootstrap=1)
    assert report["faults"]["no_english"] == report["faults"]["empty"] == 1 and report["faults"]["unrepaired_1_0"] == 0
    assert "repaired 0 sentences, 1 left without English." in markdown_summary(report)


@pytest.fixture(scope="module")
def flores_mini(tmp_path_factory) -> Path:
    """The first 4 FLORES documents (12 lines), laid out like eval/flores200."""
    out = tmp_path_factory.mktemp("sets") / "flores-mini"
    out.mkdir()
    lines = {name: (FLORES / name).read_text(encoding="utf-8").split("\n") for name in ("nld_Latn.devtest", "eng_Latn.devtest")}
    (out / "nl.txt").write_text("\n".join(lines["nld_Latn.devtest"][:12]) + "\n", encoding="utf-8")
    (out / "en.txt").write_text("\n".join(lines["eng_Latn.devtest"][:12]) + "\n", encoding="utf-8")
    meta = (FLORES / "metadata_devtest.tsv").read_text(encoding="utf-8").split("\n")[:13]
    (out / "meta.tsv").write_text("\n".join(meta) + "\n", encoding="utf-8")
    (out / "set.json").write_text(json.dumps({"name": "flores-mini", "nl": "nl.txt", "en": "en.txt",
                                              "documents": {"file": "meta.tsv", "column": "URL"}}), encoding="utf-8")
    return out


def test_eval_on_a_flores_slice_by_sentence_and_by_paragraph(tiny_marian, flores_mini, tmp_path, capsys):
    from pipeline.cli import main

    common = ["eval", "--set", str(flores_mini), "--model", str(tiny_marian), "--num-beams", "1", "--max-new-tokens", "8",
              "--bootstrap", "20", "--reports-dir", str(tmp_path), "--no-progress"]
    assert main(common) == 0  # a line-aligned set: by sentence unless asked
    assert main(common + ["--unit", "paragraph"]) == 0
    out = capsys.readouterr().out
    by_sentence = json.loads((tmp_path / "tiny-marian-flores-mini.json").read_text(encoding="utf-8"))
    by_paragraph = json.loads((tmp_path / "tiny-marian-flores-mini-paragraph.json").read_text(encoding="utf-8"))
    assert (by_sentence["unit"], by_sentence["segments"]) == ("sentence", "sentence")
    assert (by_paragraph["unit"], by_paragraph["segments"]) == ("paragraph", "sentence (aligned)")
    for report in (by_sentence, by_paragraph):
        assert report["reference"]["paragraphs"] == 4 and report["reference"]["sentences_en"] == 12
        assert set(report["document_scores"]) == {"BLEU", "chrF2", "chrF2++"}
        assert set(report["model_output"]["scores"]) == {"BLEU", "chrF2", "chrF2++", "TER"}
        assert report["hypothesis"]["cache"]["misses"] + report["hypothesis"]["cache"]["hits"] > 0
    assert by_paragraph["faults"]["texts"] == 4 and by_sentence["faults"]["texts"] == 12
    assert "| document chrF2 |" in out and "Model faults over 12 sentences" in out


def test_translate_by_sentence_gives_one_row_per_sentence(tiny_marian, tmp_path):
    src = tmp_path / "kort.txt"
    src.write_text("Rusland wil munitie. Het was de tweede keer.\n\nWat wil Noord-Korea?\n", encoding="utf-8")
    from pipeline.cli import main

    assert main(["translate", str(src), "--model", str(tiny_marian), "--unit", "sentence", "--out-dir", str(tmp_path / "out"),
                 "--num-beams", "1", "--max-new-tokens", "8", "--no-progress", "--no-cache"]) == 0
    header, *rows = (tmp_path / "out" / "kort.tsv").read_text(encoding="utf-8").splitlines()
    fields = [r.split("\t") for r in rows]
    assert [(f[0], f[3], f[4]) for f in fields] == [("Rusland wil munitie.", "0", "0"), ("Het was de tweede keer.", "0", "1"),
                                                    ("Wat wil Noord-Korea?", "1", "2")]
    # score 1 for a row, under 0.5 where its English is known to be bad (the random model's
    # outputs run into the 8-token bound: truncated), 0 where it is empty; nothing is repaired
    bad = {"empty", "untranslated", "repetition", "truncated"}
    assert all(f[7] == "0" for f in fields)
    assert all(f[6] == ("0.0000" if not f[1] else "0.4500" if bad & set(f[8].split(",")) else "1.0000")
               for f in fields)
    manifest = json.loads((tmp_path / "out" / "kort.json").read_text(encoding="utf-8"))
    assert manifest["request"]["unit"] == "sentence" and manifest["counts"]["repair"]["sentences_retranslated"] == 0


def test_compare_units_one_model_both_ways(monkeypatch, flores_mini):
    """`--units paragraph,sentence` on one model: two rows, labelled by unit,
    tested against each other on the documents (the segments both share)."""
    from doubles import FaultyTranslator

    import pipeline.evaluation.compare.run as compare_module
    from pipeline.errors import UserError
    from pipeline.evaluation.compare.measure import parse_spec
    from pipeline.evaluation.compare.run import compare, expand_runs
    from pipeline.translate.base import GenerationSettings

    class Echo(FaultyTranslator):
        """Returns the Dutch unchanged (no lexicon for FLORES)."""

        def _translate_one(self, text: str) -> str:
            return text

    monkeypatch.setattr(compare_module, "load_translator", lambda backend, model, settings, **kw: Echo(model, settings))
    spec = parse_spec("echo")
    report = compare([spec], load_reference(str(flores_mini)), GenerationSettings(), units=["paragraph", "sentence"],
                     n_bootstrap=20, ar_trials=50, progress=False)
    first, second = report["models"]
    assert (first["label"], second["label"]) == ("echo [paragraph]", "echo [sentence]")
    assert (first["segments"], second["segments"]) == ("sentence (aligned)", "sentence")
    assert report["significance"]["segments"] == "document" and set(second["p_values"]) == {"BLEU", "chrF2"}
    assert second["faults"]["untranslated"] > 0  # the echo copies its source
    assert [u for _, u in expand_runs([spec, spec], ["sentence"])] == ["sentence", "sentence"]
    with pytest.raises(UserError, match="--units has 3 entries for 2 models"):
        expand_runs([spec, spec], ["sentence", "paragraph", "sentence"])


@pytest.mark.real_model
@pytest.mark.skipif(not os.environ.get("NLEN_REAL_MODEL"), reason="set NLEN_REAL_MODEL=<local opus-mt-nl-en dir>")
def test_real_model_reproduces_the_published_flores_score(tmp_path):
    """opus-mt-nl-en, transformers backend, beam 6, sentence by sentence: BLEU 29.6 ± 0.5 (OPUS-MT leaderboard)."""
    report = tmp_path / "flores.json"
    proc = run_nlen("eval", "--set", "flores", "--model", os.environ["NLEN_REAL_MODEL"], "--backend", "transformers",
                    "--num-beams", "6", "--unit", "sentence", "--no-cache", "--bootstrap", "100", "--report", str(report),
                    "--no-progress", timeout=3600)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    bleu = data["scores"]["BLEU"]
    assert bleu["signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:")
    assert bleu["ci_signature"].startswith("nrefs:1|bs:100|seed:12345|case:mixed|eff:no|tok:13a|smooth:exp")
    assert abs(bleu["score"] - 29.6) <= 0.5, f"BLEU {bleu['score']:.2f}, chrF2 {data['scores']['chrF2']['score']:.2f}"


def test_fill_readme_writes_measured_scores_of_published_models_only():
    from pipeline.evaluation.compare.report import fill_readme

    readme = ("intro\n<!-- nlen compare --fill-readme: x -->\n| model | flores: published | flores: measured |\n|---|---|---|\n"
              "| [Helsinki-NLP/opus-mt-nl-en](https://hf.co/x) (default) | 29.6 / 58.3 | – |\n"
              "| [facebook/m2m100_418M](https://hf.co/y) | 25.2 / 54.6 | – |\n<!-- /nlen compare --fill-readme -->\nend\n")
    scores = {"BLEU": {"score": 29.43}, "chrF2": {"score": 58.11}}
    flores = load_reference("flores")
    row = {"status": "ok", "unit": "sentence", "backend": "ctranslate2", "scores": scores,
           "described": {"compute_type": "int8", "generation": {"num_beams": 6}}, "published": flores.published_for("Helsinki-NLP/opus-mt-nl-en")}
    report = {"created": "2026-12-01T04:00:00+00:00",
              "models": [row, {**row, "unit": "paragraph", "published": flores.published_for("facebook/m2m100_418M")}]}
    text, filled = fill_readme(readme, report, flores)
    assert filled == ["Helsinki-NLP/opus-mt-nl-en"]  # the m2m100 run was by paragraph: not the published protocol
    assert "| 29.6 / 58.3 | 29.4 / 58.1 (2026-12-01, ctranslate2 int8, beam 6) |" in text
    assert "| 25.2 / 54.6 | – |" in text and text.startswith("intro\n") and text.endswith("end\n")
    assert fill_readme(readme, report, load_reference("tatoeba")) == (readme, [])  # no tatoeba column there
