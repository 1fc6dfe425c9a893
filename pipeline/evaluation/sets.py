"""Reference sets: the hand-made references (`seed`, `news`, with their gold alignments) and
line-aligned sets described by a `set.json` (FLORES-200, Tatoeba), read and checked."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pipeline.errors import PathError, UserError
from pipeline.textio import decode, read_bytes, read_lines, read_text
from pipeline.textio import read_blocks as blocks

ROOT = Path(__file__).resolve().parents[2]  # the checkout: pipeline/evaluation/ → ..
REFERENCE_DIR = ROOT / "eval" / "reference"
# Named sets: a hand-made reference (prefix of .nl/.en/.gold), or a folder with a set.json.
NAMED_SETS = {
    "seed": REFERENCE_DIR / "seed",
    "news": REFERENCE_DIR / "news",
    "flores": ROOT / "eval" / "flores200",
    "tatoeba": ROOT / "eval" / "tatoeba",
}
# Files read whole are capped, so /dev/zero or a runaway file is one line, not all memory.
REFERENCE_LIMIT = 256_000_000  # FLORES devtest is 150 kB a side, Tatoeba 430 kB
SET_JSON_LIMIT = 1_000_000  # a set.json is a few lines


# --------------------------------------------------------------------------
# reference sets


@dataclass
class Reference:
    """A sentence-aligned reference set.

    Hand-made (`<prefix>.nl`, `<prefix>.en`, `<prefix>.gold`): paragraphs of
    sentences, scored on paragraph segments. Line-aligned (a folder with a
    `set.json`: FLORES, Tatoeba): Dutch line i is translated by English line i,
    scored on those lines, as the published leaderboards do; its paragraphs are
    its documents (consecutive lines of one document), or single lines."""

    name: str
    prefix: Path
    nl: list[list[str]]  # paragraphs → sentences
    en: list[list[str]]
    gold: list[tuple[tuple[int, ...], tuple[int, ...]]] | None  # global ids among non-empty lines
    files: dict[str, dict] = field(default_factory=dict)
    line_aligned: bool = False  # Dutch sentence i ↔ English sentence i
    documents: bool = False  # the paragraphs are whole documents (scored at document level too)
    about: dict = field(default_factory=dict)  # title, licence, source (set.json)
    published: list[dict] = field(default_factory=list)  # published scores: {"model", "BLEU", "chrF2"}
    paths: dict[str, Path] = field(default_factory=dict)  # "nl", "en": the files read (default: prefix.nl, prefix.en)

    def path(self, side: str) -> Path:
        """The file holding the `side` ("nl" or "en") lines, for messages."""
        return self.paths.get(side) or self.prefix.parent / f"{self.prefix.name}.{side}"

    @property
    def nl_paragraphs(self) -> list[str]:
        """Each Dutch paragraph as one text, its sentences joined by a space."""
        return [" ".join(p) for p in self.nl]

    @property
    def en_paragraphs(self) -> list[str]:
        """Each English paragraph as one text, its sentences joined by a space."""
        return [" ".join(p) for p in self.en]

    def summary(self) -> dict:
        """The set as reports describe it: name, prefix, sizes, its set.json facts and its files."""
        return {
            "name": self.name,
            "prefix": relative_to_checkout(self.prefix),
            "paragraphs": len(self.en),
            "sentences_nl": sum(map(len, self.nl)),
            "sentences_en": sum(map(len, self.en)),
            "line_aligned": self.line_aligned,
            "paragraphs_are_documents": self.documents,
            **self.about,
            "files": self.files,
        }

    def published_for(self, model: str | None) -> dict | None:
        """The published scores of `model`, matched by its exact hub id only: a
        model of another organisation, or a local folder, with the same name may
        be a different model (a fine-tune, a conversion), so it gets none."""
        return next((entry for entry in self.published if model and model == entry["model"]), None)


def relative_to_checkout(path: Path | str) -> str:
    """The path relative to the checkout when it is inside it (so reports do not show the
    machine's absolute paths), else as given."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def resolve_set(value: str) -> tuple[str, Path]:
    """A named set (seed, news, flores, tatoeba); a folder with a set.json; or a
    path prefix P of P.nl, P.en (and P.gold) (a trailing .nl/.en/.gold is
    dropped, so `eval/reference/seed.en` works too)."""
    if value in NAMED_SETS:
        return value, NAMED_SETS[value]
    prefix = Path(value)
    if (prefix / "set.json").is_file():
        return prefix.name, prefix
    if prefix.suffix in (".nl", ".en", ".gold"):
        prefix = prefix.with_suffix("")
    return prefix.name, prefix


def read_reference_text(path: Path, limit: int = REFERENCE_LIMIT) -> str:
    """A reference file's text; a file that cannot be read, or is over `limit` bytes, is an
    InputError."""

    return read_text(path, "reference file", limit)  # an InputError is a UserError: one line, exit 2


def read_blocks(path: Path) -> list[list[str]]:
    """One sentence per line, an empty line between paragraphs."""

    return blocks(read_reference_text(path))


def _read_recorded(path: Path, files: dict[str, dict], key: str) -> str:
    """The text of reference file `path`, its checksum recorded as `files[key]` from the same
    bytes (a pipe can be read only once)."""
    data = read_bytes(path, "reference file", REFERENCE_LIMIT)
    files[key] = _file_info(path, data)
    return decode(data, path)


def parse_gold(path: Path, n_src: int, n_tgt: int) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Ladder format `[i]:[j]`, `[i, i+1]:[j]`; checked to cover every line once, in order."""
    from pipeline.align.ladder import parse_ladder

    beads = [(b.src, b.tgt) for b in parse_ladder(read_reference_text(path).split("\n"), str(path))]
    for side, n, ids in (
        ("Dutch", n_src, [i for b in beads for i in b[0]]),
        ("English", n_tgt, [j for b in beads for j in b[1]]),
    ):
        if ids != list(range(n)):
            raise UserError(f"{path}: the gold alignment does not cover the {n} {side} sentences once each, in order")
    return beads


def _file_info(path: Path, data: bytes) -> dict:
    return {"path": relative_to_checkout(path), "sha256": hashlib.sha256(data).hexdigest()}


def load_reference(value: str = "seed") -> Reference:
    """The reference set `value` names (see `resolve_set`), with its gold alignment where there is
    one, read and checked; a missing, empty or mismatched file is a UserError."""
    name, prefix = resolve_set(value)
    if (prefix / "set.json").is_file():
        return load_line_set(prefix)
    if prefix.is_dir():
        raise UserError(
            f"{value}: a folder given as a set needs a set.json describing its files (see eval/flores200/set.json)"
        )
    nl_path, en_path, gold_path = (prefix.parent / f"{prefix.name}.{ext}" for ext in ("nl", "en", "gold"))
    files: dict[str, dict] = {}
    nl, en = (blocks(_read_recorded(path, files, side)) for path, side in ((nl_path, "nl"), (en_path, "en")))
    if not en:
        raise UserError(f"reference file {en_path} holds no text")
    if len(nl) != len(en):
        raise UserError(f"reference {prefix}: {nl_path.name} has {len(nl)} paragraphs but {en_path.name} has {len(en)}")
    gold = None
    if gold_path.is_file():
        gold = parse_gold(gold_path, sum(map(len, nl)), sum(map(len, en)))
        files["gold"] = _file_info(gold_path, gold_path.read_bytes())  # a regular file, read above within the cap
    return Reference(name, prefix, nl, en, gold, files, paths={"nl": nl_path, "en": en_path})


SET_FIELDS = {
    "name": str,
    "nl": str,
    "en": str,
    "title": str,
    "licence": str,
    "source": str,
    "documents": dict,
    "published": dict,
}


def read_set_config(path: Path) -> dict:
    """`set.json`, checked: {"nl", "en": file names inside its folder (one segment a
    line); optional "name" (a plain name: it names the report file), "title", "licence",
    "source": strings; "documents": {"file": a TSV with a header inside the folder,
    "column": the column holding each line's document id}; "published": {"note": a
    string, "scores": [{"model": a hub id, "BLEU": a number, "chrF2": a number}, …]}}.
    A problem is a PathError naming the file and the field."""
    try:
        config = json.loads(read_text(path, "set description", SET_JSON_LIMIT))
    except ValueError as exc:
        raise PathError(path, f"not valid JSON ({exc})") from None
    except RecursionError:  # the C parser recurses once per nested [ or {
        raise PathError(path, "not a set description: JSON nested too deeply") from None

    def bad(problem: str) -> UserError:
        return PathError(path, problem)

    if not isinstance(config, dict):
        raise bad(f"a set description is a JSON object, not {type(config).__name__}")
    for key in ("nl", "en"):
        if key not in config:
            raise bad(f'missing "{key}" (the file name of the {"Dutch" if key == "nl" else "English"} lines)')
    for key, kind in SET_FIELDS.items():
        if key in config and not isinstance(config[key], kind):
            raise bad(
                f'"{key}" must be a {"string" if kind is str else "JSON object"}, not {json.dumps(config[key])[:60]}'
            )
    _check_names(config, bad)
    if config.get("published") is not None:
        _check_published(config["published"], bad)
    return config


def _check_names(config: dict, bad: Callable[[str], UserError]) -> None:
    """The set's name and file names: a name is one plain file-name part (the report is
    named after it); a file is inside the set's folder (nothing outside it is read)."""
    name = config.get("name")
    if name is not None and (not name.strip() or not name.isprintable() or any(c in name for c in ("/", "\\", ".."))):
        raise bad(f'"name" must be a plain name (no "/", "\\" or ".."), it names the report: {json.dumps(name)[:60]}')
    for key in ("nl", "en"):
        if not config[key].strip():
            raise bad(f'"{key}" is an empty file name')
    docs = config.get("documents")
    if docs is not None:
        for key in ("file", "column"):
            if not isinstance(docs.get(key), str) or not docs[key]:
                raise bad(f'"documents" needs "{key}": a non-empty string')
    for label, value in (
        ('"nl"', config["nl"]),
        ('"en"', config["en"]),
        ('"documents"."file"', (docs or {}).get("file")),
    ):
        if value is None:
            continue
        if value.startswith(("/", "\\")) or ".." in PurePosixPath(value).parts or not value.isprintable():
            raise bad(f"{label} must name a file inside the set's folder, not {json.dumps(value)[:60]}")


def _check_published(published: dict, bad: Callable[[str], UserError]) -> None:
    """The "published" object: a note and a list of scores, each a model and finite BLEU and chrF2."""
    if not isinstance(published.get("note", ""), str):
        raise bad('"published"."note" must be a string')
    scores = published.get("scores", [])
    if not isinstance(scores, list):
        raise bad('"published"."scores" must be a list')
    for n, entry in enumerate(scores):
        ok = (
            isinstance(entry, dict)
            and isinstance(entry.get("model"), str)
            and all(
                isinstance(entry.get(m), (int, float))
                and not isinstance(entry.get(m), bool)
                and math.isfinite(entry[m])  # NaN would make the report not JSON
                for m in ("BLEU", "chrF2")
            )
        )
        if not ok:
            raise bad(f'"published"."scores"[{n}] must be {{"model": a hub id, "BLEU": a number, "chrF2": a number}}')


def document_ids(path: Path, column: str, n_lines: int, text: str | None = None) -> list[str]:
    """The document id of each of the set's `n_lines` lines: `column` of a TSV
    with a header and one row per line (`text`: the file's text, when already read)."""
    text = read_reference_text(path) if text is None else text
    table = [line.split("\t") for line in text.split("\n") if line]
    if not table or column not in table[0]:
        raise UserError(f"{path}: no header with a {column!r} column")
    at = table[0].index(column)
    if len(table) - 1 != n_lines:
        raise UserError(f"{path}: {len(table) - 1} rows after the header, the set has {n_lines} lines")
    for number, row in enumerate(table[1:], 2):
        if len(row) != len(table[0]):
            raise UserError(f"{path}:{number}: {len(row)} fields, the header has {len(table[0])}")
    return [row[at] for row in table[1:]]


def load_line_set(folder: Path) -> Reference:
    """A line-aligned set described by `folder/set.json` (see `read_set_config`)."""

    config_path = folder / "set.json"
    config = read_set_config(config_path)
    nl_path, en_path = folder / config["nl"], folder / config["en"]
    files: dict[str, dict] = {}
    nl, en = (read_lines(_read_recorded(path, files, side)) for path, side in ((nl_path, "nl"), (en_path, "en")))
    if len(nl) != len(en) or not en:
        raise UserError(
            f"{folder}: {nl_path.name} has {len(nl)} lines and {en_path.name} has {len(en)}; "
            "a line-aligned set needs equal, non-zero counts"
        )
    for path, lines in ((nl_path, nl), (en_path, en)):
        if "" in lines:
            raise UserError(f"{path}:{lines.index('') + 1}: empty line in a line-aligned set")
    docs = config.get("documents")
    ids: list[str] | list[int]  # a document id per line
    if docs:
        doc_path = folder / docs["file"]
        ids = document_ids(doc_path, docs["column"], len(nl), _read_recorded(doc_path, files, "documents"))
    else:
        ids = list(range(len(nl)))  # every line its own paragraph
    starts = [i for i in range(len(ids)) if i == 0 or ids[i] != ids[i - 1]] + [len(ids)]
    nl_par = [nl[a:b] for a, b in zip(starts, starts[1:])]
    en_par = [en[a:b] for a, b in zip(starts, starts[1:])]
    about = {k: config[k] for k in ("title", "licence", "source") if k in config}
    published = (config.get("published") or {}).get("scores", [])
    if published:
        about["published_note"] = config["published"].get("note", "")
    return Reference(
        config.get("name", folder.name),
        folder,
        nl_par,
        en_par,
        [((i,), (i,)) for i in range(len(nl))],
        files,
        line_aligned=True,
        documents=bool(docs),
        about=about,
        published=published,
        paths={"nl": nl_path, "en": en_path},
    )
