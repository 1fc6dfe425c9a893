"""SRT and WebVTT (pipeline/document/formats/subtitles.py): cues joined into sentence
groups, inline tags as spans, and the English split back across the same cues and
timings. The "translation" here is a word-for-word dictionary that keeps the spans on
the same words; the real pipeline's round trip is tested end to end elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import srt
import webvtt
from doubles import word_for_word

from pipeline.document.formats import Block, ParsedDocument, Span, format_for
from pipeline.document.formats.subtitles import LINE_WIDTH, _cut
from pipeline.errors import InputError

WORDS = {
    "dit": "this",
    "is": "is",
    "een": "a",
    "lange": "long",
    "zin": "sentence",
    "die": "that",
    "over": "goes",
    "twee": "across",
    "cues": "two cues",
    "gaat.": "nicely.",
    "hoi.": "hi.",
    "hallo": "hello",
    "daar!": "there!",
    "na": "after",
    "pauze": "break",
}


def translate(block: Block) -> Block:
    return word_for_word(block, WORDS)


def parse(text: str | bytes, name: str = "film.srt") -> ParsedDocument:
    fmt = format_for(name)
    assert fmt is not None
    return fmt.parse(text.encode() if isinstance(text, str) else text, Path(name))


def round_trip(text: str | bytes, name: str = "film.srt") -> tuple[ParsedDocument, bytes, ParsedDocument]:
    parsed = parse(text, name)
    fmt = format_for(name)
    assert fmt is not None
    data = fmt.render(parsed, [translate(b) for b in parsed.blocks])
    return parsed, data, fmt.parse(data, Path(name))


SRT = """1
00:00:01,000 --> 00:00:03,000
<i>Dit is een</i> lange zin die

2
00:00:03,100 --> 00:00:05,000
over twee cues gaat.

3
00:00:06,000 --> 00:00:08,000
{\\an8}- Hoi.
- <font color="red">Hallo</font> daar!

4
00:00:08,500 --> 00:00:09,000


5
00:00:20,000 --> 00:00:21,000
Na een pauze

6
00:00:30,000 --> 00:00:31,000
Met {0} erin.
"""

VTT = """WEBVTT - Een test
Kind: captions
Language: nl

NOTE een opmerking
over twee regels

STYLE
::cue { color: yellow }

intro
00:00:01.000 --> 00:00:03.000 align:start position:10%
<v Jan>Dit is &amp; een</v> lange zin die

00:00:03.100 --> 00:00:05.000 line:0
over twee cues gaat, en daarna volgt een lange regel die op twee regels moet.

00:00:05.000 --> 00:00:06.000
<b>Hallo</b> daar!
"""


def timing_lines(data: bytes | str) -> list[str]:
    text = data.decode() if isinstance(data, bytes) else data
    return [line for line in text.splitlines() if "-->" in line]


def test_srt_cues_are_joined_into_sentences():
    parsed = parse(SRT)
    assert [b.path for b in parsed.blocks] == ["cue 1-2", "cue 3", "cue 5", "cue 6"]  # cue 4 has no text
    first, dialogue, after_gap, placeholder = parsed.blocks
    assert first.text == "Dit is een lange zin die over twee cues gaat."
    assert first.spans == [Span(0, 10, "em", (("tag", "i"),))]
    assert dialogue.text == "Hoi. Hallo daar!"
    codes = [(s.start, s.literal, s.attr("speaker")) for s in dialogue.spans]
    assert codes == [
        (0, "{\\an8}", ""),
        (0, "- ", "- "),
        (5, "- ", "- "),
        (5, '<font color="red">', ""),
        (10, "</font>", ""),
    ]
    assert all(s.kind == "code" and s.start == s.end for s in dialogue.spans)
    assert after_gap.text == "Na een pauze"
    assert placeholder.text == "Met erin."
    assert [(s.kind, s.literal) for s in placeholder.spans] == [("placeholder", "{0}")]
    assert parsed.meta == {}


def test_groups_end_at_gaps_at_six_cues_and_not_at_a_continued_ellipsis():
    cues = []
    for i in range(8):
        cues.append(f"{i + 1}\n00:00:{i:02d},000 --> 00:00:{i:02d},900\nwoord {i}\n")
    cues.append("9\n00:00:10,000 --> 00:00:10,500\nIk dacht dat...\n")  # 2.1 s after cue 8
    cues.append("10\n00:00:10,600 --> 00:00:11,000\n...je weg was.\n")
    cues.append("11\n00:00:11,200 --> 00:00:12,000\nLater...\n")
    cues.append("12\n00:00:12,100 --> 00:00:13,000\nDaarna.\n")
    parsed = parse("\n".join(cues))
    assert [b.path for b in parsed.blocks] == ["cue 1-6", "cue 7-8", "cue 9-10", "cue 11", "cue 12"]


def test_srt_round_trip_keeps_cues_timings_and_markup():
    parsed, data, again = round_trip(SRT)
    text = data.decode()
    assert timing_lines(text) == timing_lines(SRT)
    assert [s.index for s in srt.parse(text)] == [1, 2, 3, 4, 5, 6]
    assert [b.path for b in again.blocks] == [b.path for b in parsed.blocks]
    for before, after in zip(parsed.blocks, again.blocks):
        assert [(s.kind, s.literal) for s in after.spans] == [(s.kind, s.literal) for s in before.spans]
    cues = list(srt.parse(text))
    assert cues[0].content == "<i>this is a</i> long sentence that"
    assert cues[1].content == "goes across two cues nicely."
    assert cues[2].content == '{\\an8}- hi.\n- <font color="red">hello</font> there!'
    assert cues[3].content == ""  # a cue without text is left as it was
    assert cues[5].content == "MET {0} ERIN."


def test_render_does_not_change_the_parse():
    parsed = parse(SRT)
    before = repr(parsed.blocks)
    english = [translate(b) for b in parsed.blocks]
    fmt = format_for("film.srt")
    assert fmt is not None
    assert fmt.render(parsed, english) == fmt.render(parsed, english)
    assert repr(parsed.blocks) == before


def test_english_is_split_in_proportion_and_wrapped():
    source = (
        "1\n00:00:01,000 --> 00:00:02,000\nKort\n\n"
        "2\n00:00:02,000 --> 00:00:06,000\nen dan een veel langer stuk tekst tot het einde.\n"
    )
    parsed = parse(source)
    fmt = format_for("film.srt")
    assert fmt is not None
    english = Block(
        parsed.blocks[0].path, "Short and then a much longer piece of text that runs on to the very end of it all."
    )
    cues = list(srt.parse(fmt.render(parsed, [english]).decode()))
    assert cues[0].content == "Short"
    lines = cues[1].content.split("\n")
    assert len(lines) == 2 and all(len(line) <= LINE_WIDTH for line in lines)
    assert " ".join(lines) == english.text[len("Short ") :]


def test_cut_gives_every_cue_a_word_and_avoids_sentence_ends():
    assert _cut("a b c d", [1, 1]) == [(0, 3), (4, 7)]
    assert _cut("Yes.", [3, 3, 3]) == [(0, 4)] * 3  # fewer words than cues: the last word repeats
    assert _cut("One two", [1, 1, 1]) == [(0, 3), (4, 7), (4, 7)]
    ranges = _cut("No. I will go there tomorrow then", [1, 3])
    assert ranges[0] != (0, 3)  # "No." alone would read as a sentence of its own
    assert all(a < b for a, b in ranges)


def test_vtt_parse_reads_header_cues_and_entities():
    parsed = parse(VTT, "film.vtt")
    assert parsed.meta == {"header": "- Een test", "kind": "captions", "language": "nl"}
    assert [b.path for b in parsed.blocks] == ["cue 1-2", "cue 3"]
    first = parsed.blocks[0]
    assert first.text.startswith("Dit is & een lange zin die over twee cues gaat,")
    assert [(s.start, s.kind, s.literal) for s in first.spans] == [(0, "code", "<v Jan>"), (12, "code", "</v>")]
    assert parsed.blocks[1].spans == [Span(0, 5, "strong", (("tag", "b"),))]


def test_vtt_round_trip_keeps_header_notes_styles_settings_and_identifiers():
    parsed, data, again = round_trip(VTT, "film.vtt")
    text = data.decode()
    assert timing_lines(text) == timing_lines(VTT)
    assert text.startswith(
        "WEBVTT - Een test\nKind: captions\nLanguage: nl\n\nNOTE een opmerking\nover twee regels\n\n"
    )
    assert "STYLE\n::cue { color: yellow }\n\nintro\n00:00:01.000" in text
    assert "<v Jan>this is &amp; a</v>" in text
    assert again.meta == parsed.meta
    assert [b.path for b in again.blocks] == [b.path for b in parsed.blocks]
    vtt = webvtt.from_string(text)
    assert len(vtt.captions) == 3 and vtt.captions[0].identifier == "intro"
    assert [c.settings for c in vtt.captions][:2] == [c.settings for c in webvtt.from_string(VTT).captions][:2]
    for caption in vtt.captions:
        assert caption.text.strip() and len(caption.lines) <= 2
        assert all(len(re.sub(r"<[^>]*>", "", line)) <= LINE_WIDTH for line in caption.lines)


def test_crlf_and_bom_are_kept():
    source = b"\xef\xbb\xbf" + SRT.encode().replace(b"\n", b"\r\n")
    _, data, again = round_trip(source)
    assert data.startswith(b"\xef\xbb\xbf1\r\n00:00:01,000 --> 00:00:03,000\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert len(again.blocks) == 4


def test_empty_english_leaves_the_cues_as_they_were():
    parsed = parse(SRT)
    fmt = format_for("film.srt")
    assert fmt is not None
    english = [Block(b.path, "") for b in parsed.blocks]
    assert fmt.render(parsed, english).decode() == SRT


@pytest.mark.parametrize(
    "name, data, problem",
    [
        ("bad.srt", b"1\n00:00:01,000 --> 00:00:02,000\nHallo\n\n2\n00:00:0x --> 00:00:03,000\nDaar\n", "line 5"),
        ("bad.srt", b"", "no subtitle cues"),
        ("bad.srt", b"1\n00:00:01,000 --> 00:00:02,000\n\n", "no text"),
        ("bad.srt", "1\n00:00:01,000 --> 00:00:02,000\ncaf\xe9\n".encode("latin-1"), "UTF-8"),
        ("bad.vtt", b"1\n00:00:01.000 --> 00:00:02.000\nHallo\n", "WEBVTT"),
        ("bad.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:0x:02.000\nHallo\n", "line 3"),
        ("bad.vtt", b"WEBVTT\n\nNOTE alleen een opmerking\n", "no subtitle cues"),
    ],
)
def test_bad_input_is_one_line_naming_the_file(name, data, problem):
    with pytest.raises(InputError) as info:
        parse(data, name)
    message = str(info.value)
    assert message.startswith(f"{name}: ") and problem in message and "\n" not in message


def test_too_large_is_refused():
    fmt = format_for("big.srt")
    assert fmt is not None
    fmt.max_bytes = 10  # type: ignore[misc]
    with pytest.raises(InputError, match="big.srt: .*larger"):
        fmt.parse(SRT.encode(), Path("big.srt"))


def test_markup_over_two_cues_is_closed_in_each():
    source = (
        "1\n00:00:01,000 --> 00:00:02,000\n<i>Dit is een\n\n2\n00:00:02,100 --> 00:00:03,000\nlange zin die</i> gaat.\n"
    )
    parsed, data, again = round_trip(source)
    assert parsed.blocks[0].spans == [Span(0, 24, "em", (("tag", "i"),))]
    cues = [c.content for c in srt.parse(data.decode())]
    assert cues == ["<i>this is a long</i>", "<i>sentence that</i> nicely."]  # cut by length, not by word
    assert [s.kind for s in again.blocks[0].spans] == ["em", "em"]


def test_vtt_text_is_escaped_where_it_needs_to_be():
    source = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA &lt; B &amp; C --&gt; D.\n"
    parsed = parse(source, "film.vtt")
    assert parsed.blocks[0].text == "A < B & C --> D."
    fmt = format_for("film.vtt")
    assert fmt is not None
    data = fmt.render(parsed, [Block("cue 1", "X < Y & Z --> W.")])
    assert data.decode().endswith("\nX &lt; Y &amp; Z --&gt; W.\n")
    assert parse(data, "film.vtt").blocks[0].text == "X < Y & Z --> W."
