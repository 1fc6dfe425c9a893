#!/usr/bin/env python3
"""Build the SYNTHETIC aligner regression sets in eval/align/synthetic/ from hand-written parallel text.

Source text: eval/align/source/articles_*.txt (one "Dutch ||| English" pair per
line, an empty line between paragraphs, "# ..." starts an article) and, when
present, eval/reference/news.{nl,en} (1-1, paragraphs as blocks).

Perturbations are seeded, so the gold alignment is known:
  * join two or three adjacent English sentences into one line (2-1, 3-1)
  * join two or three adjacent Dutch sentences into one line (1-2, 1-3)
  * re-split two sentences at a different place on the English side (2-2)
  * drop an English sentence (1-0) or a Dutch sentence (0-1)
The MT file (`.mt`, line by line with `.nl`) is SIMULATED: the English
reference of each Dutch sentence with word drops, substitutions by random
corpus words and adjacent swaps. It is not the output of an MT system.

    python eval/align/make_synthetic.py   # rewrites eval/align/synthetic/*
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


@dataclass(frozen=True)
class Config:
    name: str
    seed: int
    blocks: str  # "paragraph" or "article"
    p_drop_en: float
    p_drop_nl: float
    p_join_en: float  # 2-1 (and 3-1 with p_three)
    p_join_nl: float  # 1-2 (and 1-3)
    p_resplit: float  # 2-2
    p_three: float
    mt_noise: float  # per-word probability of a drop / substitution / swap


CONFIGS = [
    Config("para", 11, "paragraph", 0.05, 0.03, 0.08, 0.06, 0.02, 0.25, 0.20),
    Config("doc", 23, "article", 0.07, 0.04, 0.10, 0.08, 0.03, 0.25, 0.30),
    # Same text, other seeds: never used by tune.py, so their scores are not tuned on.
    Config("para-heldout", 101, "paragraph", 0.05, 0.03, 0.08, 0.06, 0.02, 0.25, 0.20),
    Config("doc-heldout", 202, "article", 0.07, 0.04, 0.10, 0.08, 0.03, 0.25, 0.30),
]


def load_pairs() -> list[list[list[tuple[str, str]]]]:
    """Articles → paragraphs → (nl, en) pairs."""
    articles: list[list[list[tuple[str, str]]]] = []
    for path in sorted((HERE / "source").glob("articles_*.txt")):
        para: list[tuple[str, str]] = []
        for line in path.read_text(encoding="utf-8").splitlines() + [""]:
            line = line.strip()
            if line.startswith("#"):
                articles.append([])
                continue
            if not line:
                if para:
                    articles[-1].append(para)
                para = []
                continue
            nl, en = (x.strip() for x in line.split("|||"))
            para.append((nl, en))
    ref = ROOT / "eval" / "reference"
    if (ref / "news.nl").exists() and (ref / "news.en").exists():
        nl_blocks = (ref / "news.nl").read_text(encoding="utf-8").strip().split("\n\n")
        en_blocks = (ref / "news.en").read_text(encoding="utf-8").strip().split("\n\n")
        if len(nl_blocks) == len(en_blocks):
            art = []
            for nb, eb in zip(nl_blocks, en_blocks):
                ns, es = nb.splitlines(), eb.splitlines()
                if len(ns) == len(es):
                    art.append(list(zip(ns, es)))
            if art:
                articles.append(art)
    return articles


def noisy(text: str, rng: random.Random, vocab: list[str], p: float) -> str:
    words = text.split()
    out: list[str] = []
    for w in words:
        r = rng.random()
        if r < p / 3:
            continue  # drop
        if r < 2 * p / 3:
            out.append(rng.choice(vocab))  # substitute
            continue
        out.append(w)
    for k in range(len(out) - 1):
        if rng.random() < p / 3:
            out[k], out[k + 1] = out[k + 1], out[k]
    return " ".join(out) if out else (words[0] if words else text)


def perturb(pairs: list[tuple[str, str]], cfg: Config, rng: random.Random, vocab: list[str]):
    """One block → (nl lines, en lines, mt lines, beads with block-local ids)."""
    nl: list[str] = []
    en: list[str] = []
    mt: list[str] = []
    beads: list[tuple[list[int], list[int]]] = []
    k = 0
    while k < len(pairs):
        r = rng.random()
        left = len(pairs) - k
        size = 3 if rng.random() < cfg.p_three and left >= 3 else 2
        take = 1
        if r < cfg.p_drop_en:
            beads.append(([len(nl)], []))
            nl.append(pairs[k][0])
            mt.append(noisy(pairs[k][1], rng, vocab, cfg.mt_noise))
        elif r < cfg.p_drop_en + cfg.p_drop_nl:
            beads.append(([], [len(en)]))
            en.append(pairs[k][1])
        elif r < cfg.p_drop_en + cfg.p_drop_nl + cfg.p_join_en and left >= 2:
            take = min(size, left)
            ids = list(range(len(nl), len(nl) + take))
            for q in range(take):
                nl.append(pairs[k + q][0])
                mt.append(noisy(pairs[k + q][1], rng, vocab, cfg.mt_noise))
            beads.append((ids, [len(en)]))
            en.append(" ".join(pairs[k + q][1] for q in range(take)))
        elif r < cfg.p_drop_en + cfg.p_drop_nl + cfg.p_join_en + cfg.p_join_nl and left >= 2:
            take = min(size, left)
            ids = list(range(len(en), len(en) + take))
            for q in range(take):
                en.append(pairs[k + q][1])
            beads.append(([len(nl)], ids))
            nl.append(" ".join(pairs[k + q][0] for q in range(take)))
            mt.append(noisy(" ".join(pairs[k + q][1] for q in range(take)), rng, vocab, cfg.mt_noise))
        elif r < cfg.p_drop_en + cfg.p_drop_nl + cfg.p_join_en + cfg.p_join_nl + cfg.p_resplit and left >= 2:
            # 2-2: the English boundary moves to a word boundary inside the second sentence.
            take = 2
            e1, e2 = pairs[k][1], pairs[k + 1][1]
            w2 = e2.split()
            cut = max(1, len(w2) // 2)
            ids_nl = [len(nl), len(nl) + 1]
            for q in range(2):
                nl.append(pairs[k + q][0])
                mt.append(noisy(pairs[k + q][1], rng, vocab, cfg.mt_noise))
            beads.append((ids_nl, [len(en), len(en) + 1]))
            en.append(e1 + " " + " ".join(w2[:cut]))
            en.append(" ".join(w2[cut:]) or w2[-1])
        else:
            beads.append(([len(nl)], [len(en)]))
            nl.append(pairs[k][0])
            en.append(pairs[k][1])
            mt.append(noisy(pairs[k][1], rng, vocab, cfg.mt_noise))
        k += take
    return nl, en, mt, beads


def build(cfg: Config, articles) -> dict[str, int]:
    rng = random.Random(cfg.seed)
    vocab = sorted({w for art in articles for para in art for _, en in para for w in en.split()})
    if cfg.blocks == "paragraph":
        blocks = [para for art in articles for para in art]
    else:
        blocks = [[pair for para in art for pair in para] for art in articles]
    out = {"nl": [], "en": [], "mt": [], "gold": []}
    so = to = 0
    stats = {"blocks": 0, "nl": 0, "en": 0, "beads": 0}
    for bi, block in enumerate(blocks):
        nl, en, mt, beads = perturb(block, cfg, rng, vocab)
        if not nl or not en:  # a file cannot hold an empty block: keep this one intact
            nl, en = [p[0] for p in block], [p[1] for p in block]
            mt = [noisy(e, rng, vocab, cfg.mt_noise) for e in en]
            beads = [([k], [k]) for k in range(len(block))]
        if stats["blocks"]:
            for key in ("nl", "en", "mt"):
                out[key].append("")
        out["nl"] += nl
        out["en"] += en
        out["mt"] += mt
        for s, t in beads:
            src = ", ".join(str(i + so) for i in s)
            tgt = ", ".join(str(j + to) for j in t)
            out["gold"].append(f"[{src}]:[{tgt}]")
        so += len(nl)
        to += len(en)
        stats["blocks"] += 1
        stats["beads"] += len(beads)
    stats["nl"], stats["en"] = so, to
    dev = HERE / "synthetic"
    dev.mkdir(exist_ok=True)
    for key, lines in out.items():
        (dev / f"{cfg.name}.{key}").write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return stats


def main() -> None:
    articles = load_pairs()
    for cfg in CONFIGS:
        stats = build(cfg, articles)
        print(cfg.name, stats)


if __name__ == "__main__":
    main()
