#!/usr/bin/env python3
"""Check the invariants of the hand-made reference set in eval/reference/.

Stdlib only.  Run from anywhere:

    python3 eval/reference/check.py            # checks seed.* and news.*
    python3 eval/reference/check.py --quiet    # only problems and the summary

Exit status 0 when every check passes, 1 otherwise.

What is checked
---------------
For every pair (seed, news):
  * files are UTF-8, NFC, LF line endings, end with a newline, no tabs, no
    leading/trailing spaces on a line, no blank line at the start or end, never
    two blank lines in a row (a single empty line separates blocks);
  * .nl and .en have the same number of blocks;
  * .gold is in ladder format, one bead per line: "[i]:[j]", "[i, i+1]:[j]",
    "[i]:[j, j+1]", "[i]:[]" or "[]:[j]", where i and j are 0-based positions
    among the NON-EMPTY lines of .nl and .en, counted across blocks;
  * beads are in order (monotonic), consecutive on each side, cover every line
    of both files exactly once, and never cross a block boundary (both sides of
    a bead lie in the same block number);
  * every bead has the same number of straight double quotes (") on both sides
    and no curly quotes are used anywhere;
  * the numbers in a bead agree once Dutch and English separators are
    normalised (3,5 ~ 3.5; 1.200 ~ 1,200; 12.30 ~ 12:30) -- an error for news,
    a warning for seed (the seed spells out "4 uur" as "four hours");
  * no obviously untranslated Dutch word/name appears in the English.
Only for seed:
  * each block of seed.nl, its sentences joined with single spaces, is exactly
    the corresponding paragraph of the source article (whitespace-normalised);
  * no line of seed.nl contains an internal sentence boundary, and no line
    starts with punctuation (so an attribution such as ', vertelt ...' stays
    with its quoted sentence).
Only for news:
  * .nl and .en have exactly the same line layout (blank lines in the same
    places), every bead is 1-1, and every block has 2-5 sentences.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_SOURCE = os.path.join(
    REPO, "corpus", "nl", "2023-09-kim-jong-un-poetin-vladivostok.txt")

BEAD_RE = re.compile(r"^\[((?:\d+)(?:, \d+)*)?\]:\[((?:\d+)(?:, \d+)*)?\]$")
ALLOWED_TYPES = {(1, 1), (2, 1), (1, 2), (1, 0), (0, 1)}

# Dutch abbreviations that may be followed by a space and a capital/digit
# without ending the sentence.
NL_ABBREV = {"o.a.", "bijv.", "dhr.", "mevr.", "prof.", "dr.", "ca.", "mln.",
             "mld.", "nr.", "enz.", "mr.", "blz.", "jl.", "a.s.", "m.b.t.",
             "i.p.v.", "t.o.v.", "z.g.a.n.", "e.d.", "evt."}
EN_ABBREV = {"No.", "Prof.", "Dr.", "Mr.", "Mrs.", "St.", "etc.", "e.g.",
             "i.e.", "approx."}

# Dutch words/names that must not survive into the English references.
# Plain substrings, plus Dutch function words followed by a lower-case word
# (so that names such as "Jens de Wit" or "Els de Boer" are not flagged).
UNTRANSLATED = ["Poetin", "Rusland", "Oekraïne", "Oekraine", "Noord-Korea",
                "Westen", "Zijderoute", "Tweede Kamer", "Eerste Kamer",
                "Den Haag", "procent", " uur", "Europa ", "Luxemburg", " mld.",
                " mln.", "o.a.", "bijv.", "dhr.", "mevr.", "enz.", "km/u"]
UNTRANSLATED_RE = re.compile(r"\b(?:en|de|het|van|een|niet|ook|dat|maar)"
                             r" [a-zà-ÿ]")


class Report:
    def __init__(self, quiet: bool):
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.quiet = quiet

    def error(self, msg: str) -> None:
        self.errors.append(msg)
        print("ERROR:", msg)

    def warn(self, msg: str) -> None:
        self.warnings.append(msg)
        print("warning:", msg)

    def info(self, msg: str) -> None:
        if not self.quiet:
            print(msg)


def norm_ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def read_lines(path: str, rep: Report) -> list[str]:
    """Read a sentence-per-line file and check its formatting."""
    name = os.path.basename(path)
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        rep.error(f"{name}: not UTF-8 ({exc})")
        text = raw.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        rep.error(f"{name}: starts with a BOM")
    if "\r" in text:
        rep.error(f"{name}: contains CR characters (use LF line endings)")
    if not unicodedata.is_normalized("NFC", text):
        rep.error(f"{name}: not in Unicode NFC")
    if not text.endswith("\n"):
        rep.error(f"{name}: does not end with a newline")
    if text.endswith("\n\n"):
        rep.error(f"{name}: ends with a blank line")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    if lines and lines[0] == "":
        rep.error(f"{name}: starts with a blank line")
    for n, line in enumerate(lines, 1):
        if "\t" in line:
            rep.error(f"{name}:{n}: contains a tab")
        if line != line.strip(" "):
            rep.error(f"{name}:{n}: leading/trailing spaces")
        if line.strip() == "" and line != "":
            rep.error(f"{name}:{n}: whitespace-only line (must be empty)")
        if "  " in line:
            rep.error(f"{name}:{n}: double space")
        if re.search("[\u201c\u201d\u201e\u2018\u2019\u00ab\u00bb]", line):
            rep.error(f"{name}:{n}: curly/guillemet quotes; use straight \" and '")
        if n > 1 and line == "" and lines[n - 2] == "":
            rep.error(f"{name}:{n}: two blank lines in a row")
    return lines


def to_blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line == "":
            if blocks[-1]:
                blocks.append([])
        else:
            blocks[-1].append(line)
    return [b for b in blocks if b]


def block_index(blocks: list[list[str]]) -> list[int]:
    """For each non-empty line (0-based, across blocks) its block number."""
    out = []
    for b, block in enumerate(blocks):
        out.extend([b] * len(block))
    return out


def parse_gold(path: str, rep: Report) -> list[tuple[list[int], list[int]]]:
    name = os.path.basename(path)
    beads = []
    lines = read_lines(path, rep)
    for n, line in enumerate(lines, 1):
        m = BEAD_RE.match(line)
        if not m:
            rep.error(f"{name}:{n}: not a ladder bead: {line!r}")
            continue
        src = [int(x) for x in m.group(1).split(", ")] if m.group(1) else []
        tgt = [int(x) for x in m.group(2).split(", ")] if m.group(2) else []
        beads.append((src, tgt))
    return beads


def check_gold(name: str, beads, nl_blocks, en_blocks, rep: Report):
    nl_bi, en_bi = block_index(nl_blocks), block_index(en_blocks)
    types = collections.Counter()
    next_src = next_tgt = 0
    last_block = 0
    for k, (src, tgt) in enumerate(beads):
        where = f"{name} bead {k} {src}:{tgt}"
        t = (len(src), len(tgt))
        types[t] += 1
        if t not in ALLOWED_TYPES:
            rep.error(f"{where}: bead type {t[0]}-{t[1]} not allowed")
        for side, idx, start, total in (("nl", src, next_src, len(nl_bi)),
                                        ("en", tgt, next_tgt, len(en_bi))):
            if idx and idx != list(range(idx[0], idx[0] + len(idx))):
                rep.error(f"{where}: {side} indices not consecutive")
            if idx and idx[0] != start:
                rep.error(f"{where}: {side} starts at {idx[0]}, expected {start}"
                          " (gap, overlap or out of order)")
            if idx and idx[-1] >= total:
                rep.error(f"{where}: {side} index {idx[-1]} out of range"
                          f" (only {total} lines)")
        if src:
            next_src = src[-1] + 1
        if tgt:
            next_tgt = tgt[-1] + 1
        blocks = set()
        blocks.update(nl_bi[i] for i in src if i < len(nl_bi))
        blocks.update(en_bi[j] for j in tgt if j < len(en_bi))
        if len(blocks) > 1:
            rep.error(f"{where}: crosses a block boundary (blocks {sorted(blocks)})")
        elif blocks:
            b = blocks.pop()
            if b < last_block:
                rep.error(f"{where}: block {b} after block {last_block}")
            last_block = b
    if next_src != len(nl_bi):
        rep.error(f"{name}: gold covers nl lines 0..{next_src - 1},"
                  f" but there are {len(nl_bi)}")
    if next_tgt != len(en_bi):
        rep.error(f"{name}: gold covers en lines 0..{next_tgt - 1},"
                  f" but there are {len(en_bi)}")
    return types


NUMBER_WORDS = {str(i): w for i, w in enumerate(
    "zero one two three four five six seven eight nine ten".split())}


def numbers(s: str, lang: str) -> list[str]:
    pat = r"\d+(?:[.,]\d+)*" if lang == "nl" else r"\d+(?:[.,:]\d+)*"
    return sorted(re.sub(r"\D", "", m) for m in re.findall(pat, s))


def check_bead_content(name, beads, nl_flat, en_flat, rep, numbers_strict):
    for k, (src, tgt) in enumerate(beads):
        if any(i >= len(nl_flat) for i in src) or any(j >= len(en_flat) for j in tgt):
            continue
        nl = " ".join(nl_flat[i] for i in src)
        en = " ".join(en_flat[j] for j in tgt)
        if nl.count('"') != en.count('"'):
            rep.error(f"{name} bead {k} {src}:{tgt}: {nl.count(chr(34))} double"
                      f" quotes in nl, {en.count(chr(34))} in en")
        nn, ne = numbers(nl, "nl"), numbers(en, "en")
        # a small number written as a digit in Dutch may be spelled out in
        # English news style ("4 uur" -> "four hours")
        en_words = set(re.findall(r"[a-z]+", en.lower()))
        rest, kept = list(ne), []
        for x in nn:
            if x in rest:
                rest.remove(x)
                kept.append(x)
            elif NUMBER_WORDS.get(x) not in en_words:
                kept.append(x)
        if sorted(kept) != ne:
            msg = f"{name} bead {k} {src}:{tgt}: numbers differ: nl {nn} en {ne}"
            (rep.error if numbers_strict else rep.warn)(msg)


def check_untranslated(name, en_flat, rep):
    for j, line in enumerate(en_flat):
        padded = f" {line} "
        hits = [w.strip() for w in UNTRANSLATED if w in padded]
        hits += UNTRANSLATED_RE.findall(line)
        for w in hits:
            rep.error(f"{name} en line {j}: looks untranslated ({w!r}): {line}")


def internal_boundary(line: str, abbrevs: set[str]) -> str | None:
    """Return the offending fragment if `line` seems to hold two sentences."""
    for m in re.finditer(r'(\S*[.?!])("?)\s+(?=["(]?[A-Z0-9À-Ý])', line):
        token = m.group(1)
        if not m.group(2) and (token in abbrevs or token.lower() in abbrevs
                               or re.fullmatch(r"[A-Z]\.", token)):
            continue
        return line[max(0, m.start() - 15):m.end() + 15]
    return None


def check_pair(stem: str, rep: Report, source: str | None,
               directory: str = HERE) -> dict:
    nl_path = os.path.join(directory, stem + ".nl")
    en_path = os.path.join(directory, stem + ".en")
    gold_path = os.path.join(directory, stem + ".gold")
    nl_lines = read_lines(nl_path, rep)
    en_lines = read_lines(en_path, rep)
    nl_blocks, en_blocks = to_blocks(nl_lines), to_blocks(en_lines)
    nl_flat = [s for b in nl_blocks for s in b]
    en_flat = [s for b in en_blocks for s in b]

    if len(nl_blocks) != len(en_blocks):
        rep.error(f"{stem}: {len(nl_blocks)} blocks in .nl, {len(en_blocks)} in .en")

    if source is not None:
        with open(source, encoding="utf-8") as fh:
            src_text = fh.read()
        # the seed's leading header is metadata, not text (pipeline/document/inputs.py read_header)
        src_text = re.sub(r"^\s*date \d{4}(?:-\d{2}){0,2}\s+", "", src_text)
        paras = [norm_ws(p) for p in re.split(r"\n[ \t]*\n", src_text) if p.strip()]
        if len(paras) != len(nl_blocks):
            rep.error(f"{stem}: source has {len(paras)} paragraphs,"
                      f" seed.nl has {len(nl_blocks)} blocks")
        for b, (para, block) in enumerate(zip(paras, nl_blocks)):
            joined = " ".join(block)
            if joined != para:
                i = next((k for k, (x, y) in enumerate(zip(joined, para)) if x != y),
                         min(len(joined), len(para)))
                rep.error(f"{stem}: block {b} differs from source paragraph {b}"
                          f" at char {i}: nl {joined[i - 20:i + 20]!r}"
                          f" vs source {para[i - 20:i + 20]!r}")
        for i, line in enumerate(nl_flat):
            frag = internal_boundary(line, NL_ABBREV)
            if frag:
                rep.error(f"{stem}.nl line {i}: internal sentence boundary? ...{frag}...")
            if re.match(r"[,;:.!?)]", line):
                rep.error(f"{stem}.nl line {i}: starts with punctuation: {line}")
        for b, block in enumerate(nl_blocks):
            for line in block:
                if len(block) > 1 and not re.search(r'[.?!]"?$', line):
                    rep.error(f"{stem}.nl block {b}: sentence without final"
                              f" punctuation in a multi-sentence block: {line}")
    else:
        if [bool(x) for x in nl_lines] != [bool(x) for x in en_lines]:
            rep.error(f"{stem}: .nl and .en do not have the same line layout"
                      f" ({len(nl_lines)} vs {len(en_lines)} lines, blank lines"
                      " must be in the same places)")
        for b, block in enumerate(nl_blocks):
            if not 2 <= len(block) <= 5:
                rep.error(f"{stem}.nl block {b} has {len(block)} sentences (want 2-5)")
        for i, line in enumerate(nl_flat):
            frag = internal_boundary(line, NL_ABBREV)
            if frag:
                rep.error(f"{stem}.nl line {i}: internal sentence boundary? ...{frag}...")
            if not re.search(r'[.?!]"?$', line):
                rep.error(f"{stem}.nl line {i}: no final punctuation: {line}")

    for i, line in enumerate(en_flat):
        # English number conventions: 3.5 (not 3,5), 1,200 (not 1.200)
        for m in re.finditer(r"\d+(?:[.,]\d+)+", line):
            num = m.group(0)
            if re.search(r"\.\d{3}(?!\d)", num) or re.search(r",\d{1,2}(?!\d)|,\d{4,}", num):
                rep.error(f"{stem}.en line {i}: Dutch-style number {num!r}: {line}")
        frag = internal_boundary(line, EN_ABBREV)
        if frag:
            rep.warn(f"{stem}.en line {i}: internal sentence boundary? ...{frag}...")

    beads = parse_gold(gold_path, rep)
    types = check_gold(stem + ".gold", beads, nl_blocks, en_blocks, rep)
    if source is None and set(types) - {(1, 1)}:
        rep.error(f"{stem}.gold: all beads must be 1-1, found {dict(types)}")
    check_bead_content(stem + ".gold", beads, nl_flat, en_flat, rep,
                       numbers_strict=source is None)
    check_untranslated(stem, en_flat, rep)

    counts = {
        "blocks": len(nl_blocks),
        "nl_sentences": len(nl_flat),
        "en_sentences": len(en_flat),
        "beads": len(beads),
        "bead_types": {f"{a}-{b}": n for (a, b), n in sorted(types.items())},
        "nl_tokens": sum(len(s.split()) for s in nl_flat),
        "en_tokens": sum(len(s.split()) for s in en_flat),
    }
    rep.info(f"{stem}: {counts}")
    return counts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", default=DEFAULT_SOURCE,
                    help="the Dutch source article of the seed set")
    ap.add_argument("--dir", default=HERE,
                    help="folder holding seed.* and news.* (default: this one)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    rep = Report(args.quiet)
    check_pair("seed", rep, args.source, args.dir)
    check_pair("news", rep, None, args.dir)
    status = "OK" if not rep.errors else "FAILED"
    print(f"{status}: {len(rep.errors)} error(s), {len(rep.warnings)} warning(s)")
    return 0 if not rep.errors else 1


if __name__ == "__main__":
    sys.exit(main())
