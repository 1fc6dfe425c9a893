"""Coverage guarantee: whatever the model drops, every Dutch sentence leaves translated."""

from __future__ import annotations

import json

import pytest
from doubles import LEXICON, FaultyTranslator, news_document_text
from support import check_corpus

from pipeline.cli import main
from pipeline.document.inputs import read_document
from pipeline.job.run import run_translate
from pipeline.job.spec import TranslateJob


def translate_news(tmp_path, mode: str, threshold: float = 0.5):
    src = tmp_path / "news.txt"
    src.write_text(news_document_text(), encoding="utf-8")
    FaultyTranslator.mode = mode
    job = TranslateJob(out_dir=tmp_path / "out", model="reference-lookup", backend="test-faulty", cache=False,
                       progress=False, repair_threshold=threshold)
    assert run_translate([str(src)], job) == 0
    rows = check_corpus(tmp_path / "out" / "news.tsv", src)
    manifest = json.loads((tmp_path / "out" / "news.json").read_text(encoding="utf-8"))
    return src, rows, manifest


def dutch_rows(rows):
    return [r for r in rows if r[0]]


@pytest.mark.parametrize("mode", ["drop", "merge", "repeat"])
def test_faulty_model_loses_no_sentence(tmp_path, mode):
    src, rows, manifest = translate_news(tmp_path, mode)
    doc = read_document(src)
    faults = sum(1 for p in doc.paragraphs if len(p.sentences) >= 3)
    assert faults >= 5
    # every Dutch sentence has English, and that English contains its reference translation
    english_of = {}
    for r in dutch_rows(rows):
        assert r[1].strip(), f"untranslated: {r[0]}"
        for i in r[4].split(","):
            english_of[int(i)] = r[1]
    for s in doc.sentences:
        assert LEXICON[s.text] in english_of[s.id] or mode == "merge", s.text
    repair = manifest["counts"]["repair"]
    assert repair["unrepaired_1_0"] == 0
    if mode in ("drop", "merge"):
        # each lost sentence was found and filled with its own sentence-level translation; its
        # neighbours (where a merge may keep a scrap of it) are rebuilt from theirs. The double's
        # exact answers are the point here: a repaired row must hold exactly its sentences' own
        # translations (row truth under realistic, reworded faults: tests/test_row_truth.py).
        assert faults <= repair["repaired"] <= 3 * faults
        repaired = [r for r in rows if r[7] == "1"]
        assert len(repaired) == repair["repaired"]
        assert all(r[1] == LEXICON[r[0]] for r in repaired)
    else:
        # a repeat loses nothing, but a row would carry the sentence twice: it is rebuilt
        # from the sentence's own translation, and the copy's id stays in its en_ids
        assert manifest["counts"]["beads"].get("0-1", 0) + manifest["counts"]["beads"].get("1-2", 0) >= faults
        assert repair["repaired"] == faults
    # nothing of the English is lost either: every English sentence id is in exactly one row
    en_ids = [int(j) for r in rows for j in r[5].split(",") if j]
    assert en_ids == list(range(manifest["counts"]["sentences_en"]))


def test_well_behaved_model_pays_little(tmp_path):
    src, rows, manifest = translate_news(tmp_path, "none")
    repair = manifest["counts"]["repair"]
    assert repair["repaired"] == 0
    n = manifest["counts"]["sentences_nl"]
    assert repair["sentences_retranslated"] <= n // 10  # the check re-translates almost nothing
    assert all(r[7] == "0" for r in rows)


def test_threshold_one_retranslates_every_paragraph(tmp_path):
    src, rows, manifest = translate_news(tmp_path, "none", threshold=1.0)
    counts = manifest["counts"]
    doc = read_document(src)
    # every paragraph of several sentences; a one-sentence paragraph's translation already is one
    assert counts["repair"]["sentences_retranslated"] == sum(len(p.sentences) for p in doc.paragraphs
                                                             if len(p.sentences) > 1)
    assert counts["repair"]["paragraphs_realigned"] == counts["paragraphs"]
    assert counts["repair"]["repaired"] == 0  # a well-behaved model's rows stay as they were
    assert all(r[7] == "0" for r in rows)


def test_one_sentence_paragraph_is_not_translated_twice():
    """Its sentence-level translation would be the same text translated again."""
    from doubles import EchoTranslator

    from pipeline.align import align
    from pipeline.document.repair import repair_coverage
    from pipeline.translate.base import GenerationSettings

    echo = EchoTranslator(GenerationSettings(max_new_tokens=64))
    src = [["Een enkele zin."], ["Twee zinnen hier.", "En nog een."]]
    tgt = [["EN[Een enkele zin.]"], ["EN[Twee zinnen hier. En nog een.]"]]
    blocks, stats = repair_coverage(src, tgt, [align(s, t) for s, t in zip(src, tgt)], echo, threshold=1.0)
    assert sorted(t for batch in echo.batches for t in batch) == ["En nog een.", "Twee zinnen hier."]
    assert [s.sentences_retranslated for s in stats] == [0, 2]
    assert [s.paragraphs_realigned for s in stats] == [1, 1]
    assert [[b.kind for b in block.beads] for block in blocks][0] == ["1-1"]


@pytest.mark.parametrize("value", ["1.5", "-0.1", "x"])
def test_threshold_out_of_range_is_a_usage_error(tmp_path, value, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["translate", str(tmp_path), "--repair-threshold", value])
    assert exc.value.code == 2
    assert "--repair-threshold" in capsys.readouterr().err


def test_tiny_marian_plumbing(tiny_marian, seed_article, tmp_path):
    """The random model drops and merges freely; the pipeline still covers every sentence."""
    out = tmp_path / "out"
    rc = main(["translate", str(seed_article), "--out-dir", str(out), "--model", str(tiny_marian),
               "--no-cache", "--no-progress", "--max-new-tokens", "24"])
    assert rc == 0
    rows = check_corpus(out / f"{seed_article.stem}.tsv", seed_article)
    assert all(r[1].strip() for r in dutch_rows(rows))
    repair = json.loads((out / f"{seed_article.stem}.json").read_text(encoding="utf-8"))["counts"]["repair"]
    assert repair["unrepaired_1_0"] == 0
    assert repair["sentences_retranslated"] >= repair["repaired"]


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_loops_are_decoded_again_without_repeated_ngrams(tiny_marian, seed_article, backend):
    """The random model loops on every sentence; decoded again with no_repeat_ngram_size (the
    repair's retry), no token trigram repeats, on both backends (transformers' generate
    option and CTranslate2's), and the variant records the setting in its provenance."""
    from pipeline.document.inputs import read_document
    from pipeline.document.repair import NO_REPEAT_NGRAM_SIZE
    from pipeline.translate import load_translator
    from pipeline.translate.base import GenerationSettings

    def repeats(text: str, tokenizer) -> bool:
        ids = tokenizer(text_target=text)["input_ids"]
        grams = [tuple(ids[i:i + NO_REPEAT_NGRAM_SIZE]) for i in range(len(ids) - NO_REPEAT_NGRAM_SIZE + 1)]
        return len(grams) != len(set(grams))

    sentences = [s.text for s in read_document(seed_article).sentences][:12]
    with load_translator(backend, str(tiny_marian), GenerationSettings(max_new_tokens=24)) as tr:
        variant = tr.with_settings(no_repeat_ngram_size=NO_REPEAT_NGRAM_SIZE)
        assert any(repeats(t, tr.tokenizer) for t in tr.translate(sentences))
        assert not any(repeats(t, tr.tokenizer) for t in variant.translate(sentences))
        assert variant.describe()["generation"]["no_repeat_ngram_size"] == NO_REPEAT_NGRAM_SIZE
        assert "no_repeat_ngram_size" not in tr.describe()["generation"]


def test_a_sentence_that_loops_and_then_stays_dutch_keeps_both_bans():
    """Found in review: the copy retry started from the plain settings, so a loop fixed by the
    first retry came back. A model that loops plainly, copies when loops are forbidden, loops
    again when only copies are, and translates under both bans (a double written for this)."""
    from pipeline.document.repair import NO_COPY_NGRAM_SIZE, NO_REPEAT_NGRAM_SIZE, RepairStats, bad_english, sentence_translations
    from pipeline.translate.base import GenerationSettings, Translator

    src = "Het spijt me heel erg dat ik gisteren niet kon komen naar het feest."
    good = "I am very sorry that I could not come to the party yesterday."
    asked = []

    class LoopsThenCopies(Translator):
        def _translate_batch(self, texts):
            s = self.settings
            asked.append((s.no_repeat_ngram_size, s.no_copy_ngram_size))
            if s.no_repeat_ngram_size and s.no_copy_ngram_size:
                return [good for _ in texts]
            if s.no_copy_ngram_size:
                return ["I'm sorry, I'm sorry, I'm sorry, I'm sorry that I could not come." for _ in texts]
            return [src if s.no_repeat_ngram_size else src + " het feest het feest het feest" for _ in texts]

        def count_tokens(self, texts):
            return [len(t.split()) + 1 for t in texts]

        def describe(self):
            return {"backend": "loops-then-copies", "generation": {}}

    stats = [RepairStats()]
    out = sentence_translations(LoopsThenCopies("m", GenerationSettings()), [(0, 0)], [[src]], None, stats)
    assert asked == [(None, None), (NO_REPEAT_NGRAM_SIZE, None), (NO_REPEAT_NGRAM_SIZE, NO_COPY_NGRAM_SIZE)]
    assert out[(0, 0)].text == good and not bad_english(src, good)
    assert stats[0].loops_redecoded == stats[0].copies_redecoded == 1
