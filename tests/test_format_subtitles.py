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
    paths = [b.path for b in parsed.blocks]
    assert paths == ["cue 1-2", "cue 3 line 1", "cue 3 line 2", "cue 5", "cue 6"]  # cue 4 has no text
    first, speaker1, speaker2, after_gap, placeholder = parsed.blocks
    assert first.text == "Dit is een lange zin die over twee cues gaat."
    assert first.spans == [Span(0, 10, "em", (("tag", "i"),))]
    # a dialogue cue: one block a speaker's turn, the dashes out of the text
    assert speaker1.text == "Hoi."
    assert [(s.start, s.kind, s.literal) for s in speaker1.spans] == [(0, "code", "{\\an8}")]
    assert speaker2.text == "Hallo daar!"
    assert speaker2.spans == [Span(0, 5, "format", (("tag", '<font color="red">'),))]
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
    assert first.spans == [Span(0, 12, "format", (("tag", "<v Jan>"),))]  # a voice wraps its words
    assert parsed.blocks[1].spans == [Span(0, 5, "strong", (("tag", "b"),))]


def test_vtt_round_trip_keeps_header_notes_styles_settings_and_identifiers():
    parsed, data, again = round_trip(VTT, "film.vtt")
    text = data.decode()
    assert timing_lines(text) == timing_lines(VTT)
    assert text.startswith(
        "WEBVTT - Een test\nKind: captions\nLanguage: en\n\nNOTE een opmerking\nover twee regels\n\n"
    )
    assert "STYLE\n::cue { color: yellow }\n\nintro\n00:00:01.000" in text
    assert "<v Jan>this is &amp; a</v>" in text
    assert again.meta == {**parsed.meta, "language": "en"}
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
    assert len(again.blocks) == 5


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
    assert [s.kind for s in again.blocks[0].spans] == ["em"]  # read back as one phrase


def test_vtt_text_is_escaped_where_it_needs_to_be():
    source = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA &lt; B &amp; C --&gt; D.\n"
    parsed = parse(source, "film.vtt")
    assert parsed.blocks[0].text == "A < B & C --> D."
    fmt = format_for("film.vtt")
    assert fmt is not None
    data = fmt.render(parsed, [Block("cue 1", "X < Y & Z --> W.")])
    assert data.decode().endswith("\nX &lt; Y &amp; Z --&gt; W.\n")
    assert parse(data, "film.vtt").blocks[0].text == "X < Y & Z --> W."


def well_nested(markup: str) -> bool:
    """Whether every tag in cue markup closes, in order (timestamps and overrides aside)."""
    stack = []
    for m in re.finditer(r"<(/?)([A-Za-z]+)[^<>]*>", markup):
        if not m.group(1):
            stack.append(m.group(2).lower())
        elif not stack or stack.pop() != m.group(2).lower():
            return False
    return not stack


DIALOGUE = """1
00:00:01,000 --> 00:00:03,000
- Wat doe je?
- Ik ben blij.

2
00:00:03,000 --> 00:00:05,000
Ja.
-Nee.

3
00:00:05,000 --> 00:00:06,000
- Dit is een lange zin die
"""


def test_a_dialogue_cue_is_one_block_a_speaker_and_keeps_each_dash_on_its_line():
    parsed = parse(DIALOGUE)
    paths = [b.path for b in parsed.blocks]
    assert paths == ["cue 1 line 1", "cue 1 line 2", "cue 2 line 1", "cue 2 line 2", "cue 3"]
    assert [b.text for b in parsed.blocks[:4]] == ["Wat doe je?", "Ik ben blij.", "Ja.", "Nee."]
    assert all(not b.spans for b in parsed.blocks)  # the dashes are not in the text sent to MT
    fmt = format_for("film.srt")
    assert fmt is not None
    long = "And this is a much longer answer that has to be wrapped over two lines."
    english = [Block(b.path, t) for b, t in zip(parsed.blocks, ["What do you?", long, "Yes.", "No.", "A b c"])]
    cues = [c.content for c in srt.parse(fmt.render(parsed, english).decode())]
    assert cues[0].split("\n")[0] == "- What do you?"
    assert cues[0].split("\n")[1].startswith("- And this")
    assert cues[1] == "Yes.\n-No."
    assert cues[2] == "- A b c"  # a lone speaker's dash stays at the start of the cue
    assert all(line.strip() not in ("-", "- ") for cue in cues for line in cue.split("\n"))


def test_a_dialogue_turn_left_without_english_is_kept_as_written():
    parsed = parse(DIALOGUE)
    fmt = format_for("film.srt")
    assert fmt is not None
    english = [Block(b.path, t) for b, t in zip(parsed.blocks, ["What do you?", "", "Yes.", "No.", "A"])]
    cues = [c.content for c in srt.parse(fmt.render(parsed, english).decode())]
    assert cues[0] == "- What do you?\n- Ik ben blij."


def test_the_same_formatting_on_two_lines_is_one_span():
    source = "1\n00:00:05,000 --> 00:00:06,000\n<i>Hij is moe</i>\n<i>en ik ben blij.</i>\n"
    parsed, data, _ = round_trip(source)
    assert parsed.blocks[0].text == "Hij is moe en ik ben blij."
    assert parsed.blocks[0].spans == [Span(0, 26, "em", (("tag", "i"),))]
    assert srt.parse(data.decode()).__next__().content == "<i>HIJ is MOE EN IK BEN BLIJ.</i>"
    # across two cues too; but not where one span would cross another
    two = "1\n00:00:01,000 --> 00:00:02,000\n<i>Dit is</i>\n\n2\n00:00:02,000 --> 00:00:03,000\n<i>een zin.</i>\n"
    assert parse(two).blocks[0].spans == [Span(0, 15, "em", (("tag", "i"),))]
    crossing = "1\n00:00:01,000 --> 00:00:02,000\n<i>Dit</i>\n<b><i>is</i> een zin.</b>\n"
    assert [(s.start, s.end, s.kind) for s in parse(crossing).blocks[0].spans] == [
        (0, 3, "em"),
        (4, 15, "strong"),
        (4, 6, "em"),
    ]


VTT_TAGS = """WEBVTT

00:00:01.000 --> 00:00:02.000
<c.yellow>Wij gaan</c> naar school.

00:00:02.000 --> 00:00:03.000
<ruby>Kat<rt>neko</rt></ruby> zit.

00:00:03.000 --> 00:00:04.000
<v.loud Jan>Dit is een

00:00:04.000 --> 00:00:05.000
<lang en>lange</lang> zin</i> die gaat.
"""


def test_vtt_class_voice_and_language_tags_wrap_their_words_and_a_ruby_is_kept_whole():
    parsed = parse(VTT_TAGS, "film.vtt")
    yellow, ruby, voice = parsed.blocks
    assert yellow.spans == [Span(0, 8, "format", (("tag", "<c.yellow>"),))]
    assert ruby.text == "zit."
    assert [(s.kind, s.literal) for s in ruby.spans] == [("code", "<ruby>Kat<rt>neko</rt></ruby>")]
    # an open voice closes at the end of its cue; a closing tag that closes nothing is dropped
    assert voice.text == "Dit is een lange zin die gaat."
    assert voice.spans == [
        Span(0, 10, "format", (("tag", "<v.loud Jan>"),)),
        Span(11, 16, "format", (("tag", "<lang en>"),)),
    ]
    fmt = format_for("film.vtt")
    assert fmt is not None
    # English with the spans moved to other words: each tag still opens and closes in order
    english = [
        Block(yellow.path, "We go to school.", [Span(6, 15, "format", (("tag", "<c.yellow>"),))]),
        Block(ruby.path, "sits.", [Span(5, 5, "code", ruby.spans[0].attrs, " " + ruby.spans[0].literal)]),
        Block(
            voice.path,
            "This is a long sentence that goes.",
            [
                Span(0, 14, "format", (("tag", "<v.loud Jan>"),)),
                Span(10, 14, "format", (("tag", "<lang en>"),)),
            ],
        ),
    ]
    text = fmt.render(parsed, english).decode()
    captions = [c.raw_text for c in webvtt.from_string(text).captions]
    assert captions[0] == "We go <c.yellow>to school</c>."
    assert captions[1] == "sits. <ruby>Kat<rt>neko</rt></ruby>"
    assert captions[2].startswith("<v.loud Jan>This is a") and captions[2].endswith("</v>")
    assert "<lang en>" in captions[3] and all(well_nested(c) for c in captions)


@pytest.mark.parametrize("line", ["Language: nl", "language:NL", "LANGUAGE: nl-BE", "Language: nld "])
def test_the_vtt_language_header_becomes_english(line):
    source = f"WEBVTT\nKind: captions\n{line}\n\n00:00:01.000 --> 00:00:02.000\nHallo daar!\n"
    parsed, data, _ = round_trip(source, "film.vtt")
    head = data.decode().split("\n\n")[0].split("\n")
    assert head[0] == "WEBVTT" and head[1] == "Kind: captions"
    assert head[2].split(":")[1].strip() == "en" and head[2].split(":")[0] == line.split(":")[0]
    other = "WEBVTT\nLanguage: de\n\n00:00:01.000 --> 00:00:02.000\nLanguage: nl\n"
    fmt = format_for("film.vtt")
    assert fmt is not None
    assert fmt.render(parse(other, "film.vtt"), [Block("cue 1", "Language: nl")]).decode() == other


def test_a_group_with_fewer_english_words_than_cues_repeats_the_last_word():
    source = "".join(f"{i}\n00:00:0{i},000 --> 00:00:0{i},900\nNou{'.' if i == 3 else ''}\n\n" for i in (1, 2, 3))
    parsed = parse(source)
    assert [b.path for b in parsed.blocks] == ["cue 1-3"]
    fmt = format_for("film.srt")
    assert fmt is not None
    cues = [c.content for c in srt.parse(fmt.render(parsed, [Block("cue 1-3", "Well.")]).decode())]
    assert cues == ["Well.", "Well.", "Well."]  # no cue left empty (documented)


def test_srt_paths_name_cues_by_their_own_index():
    source = (
        "5\n00:00:01,000 --> 00:00:02,000\nHallo daar!\n\n"
        "7\n00:00:03,000 --> 00:00:04,000\nDit is een\n\n"
        "12\n00:00:04,100 --> 00:00:05,000\nlange zin.\n"
    )
    assert [b.path for b in parse(source).blocks] == ["cue 5", "cue 7-12"]
    vtt = "WEBVTT\n\n7\n00:00:01.000 --> 00:00:02.000\nHallo daar!\n\nx\n00:00:03.000 --> 00:00:04.000\nDag.\n"
    assert [b.path for b in parse(vtt, "film.vtt").blocks] == ["cue 1", "cue 2"]  # WebVTT: by place


def test_a_cue_of_only_a_ruby_is_left_as_it_is():
    source = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<ruby>猫<rt>neko</rt></ruby>\n\n"
        "00:00:02.000 --> 00:00:03.000\nHallo daar!\n"
    )
    parsed, data, _ = round_trip(source, "film.vtt")
    assert [b.path for b in parsed.blocks] == ["cue 2"]
    assert data.decode() == source.replace("Hallo daar!", "hello there!")


def test_markup_over_both_speakers_of_a_dialogue_cue_is_kept_on_each():
    source = "1\n00:00:01,000 --> 00:00:03,000\n<i>- Wat doe je?\n-<b>Niks</b> hoor.</i>\n"
    parsed, data, _ = round_trip(source)
    assert [(b.path, b.text) for b in parsed.blocks] == [
        ("cue 1 line 1", "Wat doe je?"),
        ("cue 1 line 2", "Niks hoor."),
    ]
    assert [s.kind for s in parsed.blocks[1].spans] == ["em", "strong"]
    assert next(srt.parse(data.decode())).content == "- <i>WAT DOE JE?</i>\n-<i><b>NIKS</b> HOOR.</i>"
