"""OPUS XCES: the layout `opus_read` (OpusTools) reads.

    OUT/nl-en.xml.gz        cesAlign link file: one <linkGrp> per document
    OUT/nl/<doc>.xml.gz     Dutch sentences of the document, <s id="sN">
    OUT/en/<doc>.xml.gz     English sentences

Read it back with
`opus_read -d nlen -s nl -t en -af OUT/nl-en.xml.gz -dl OUT` (`-dl` is where
the sentence files are found; `-d` is only a label here).

Sentence ids are the TSV's (`s` + the id), so `s3` is the TSV's sentence 3 of
that document. The TSV keeps a bead's sentences joined, so they are split
again with the splitter that made them; when that does not give back as many
sentences as the bead has ids, the bead's side is written as one `<s>` with its
first id (counted as `unsplit`). The English of a repaired bead has no ids in
the TSV (it is a sentence-level re-translation); it gets one `<s>` numbered
after the document's last English id. Every bead is a `<link>`, with its score
as `certainty`; a 1-0 bead has an empty side (`xtargets="s4;"`). Files are gzip
without a timestamp, so the same rows give the same bytes.
"""

from __future__ import annotations

import gzip
import os
import secrets
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from pipeline.corpus.export.base import SRC_LANG, TGT_LANG, Exporter, ExportStats, register_exporter, xml_text
from pipeline.corpus.write import atomic_stream
from pipeline.document.sentences import split_sentences
from pipeline.errors import UserError
from pipeline.types import AlignedRow

ALIGN_DOCTYPE = '<!DOCTYPE cesAlign PUBLIC "-//CES//DTD XML cesAlign//EN" "">'


@contextmanager
def gzip_stream(path: Path):
    """An atomic gzip file without name or time in its header (byte-identical reruns)."""
    with atomic_stream(path) as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        yield gz
        gz.write(b"\n")  # after the root element, which lxml's xmlfile cannot write


def split_side(text: str, ids: tuple[int, ...], lang: str, stats: Counter) -> list[tuple[int, str]]:
    """A bead side → (id, sentence) pairs, as many as ids when the splitter agrees."""

    if len(ids) <= 1:
        return [(ids[0], text)] if ids else []
    pieces = split_sentences(text, lang)
    if len(pieces) == len(ids):
        return list(zip(ids, pieces))
    stats["unsplit"] += 1
    return [(ids[0], text)]


def documents(rows: Iterable[AlignedRow]) -> Iterator[list[AlignedRow]]:
    """Rows grouped by document; a document must come in one run."""
    seen: set[str] = set()
    current: list[AlignedRow] = []
    for row in rows:
        if current and row.doc != current[0].doc:
            yield current
            current = []
        if not current:
            if row.doc in seen:
                raise UserError(
                    f"document {row.doc!r} appears twice in the input (two corpora with the same "
                    "document name?); XCES needs one sentence file per document"
                )
            seen.add(row.doc)
        current.append(row)
    if current:
        yield current


def safe_name(doc: str) -> str:
    """A document name as a file name: path separators would leave the folder."""
    name = doc.replace("/", "_").replace("\\", "_")
    return "_" + name if name.startswith(".") or not name else name


def sentence_file(path: Path, paragraphs: list[tuple[int, list[tuple[int, str]]]]) -> None:
    """Write one gzipped sentence file: a `<p id="pN">` per (N, sentences), an
    `<s id="sI">` per (I, text)."""
    from lxml import etree

    with gzip_stream(path) as gz, etree.xmlfile(gz, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("text"):
            xf.write("\n")
            for index, sentences in paragraphs:
                p = etree.Element("p", id=f"p{index}")
                for sid, text in sentences:
                    etree.SubElement(p, "s", id=f"s{sid}").text = xml_text(text)
                xf.write(p, pretty_print=True)


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and those above it that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


@contextmanager
def staged_folder(out: Path):
    """A new hidden folder to write an export into, beside `out` (inside it when it
    exists already: the same file system). When the block ends without an error
    its files are moved into `out` (the link file last), or it becomes `out`; on
    an error it is removed, with any folder made for it."""
    parent = out if out.is_dir() else out.parent
    made = _missing_folders(parent)
    stage = parent / f".nlen-xces.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        stage.mkdir(parents=True)  # as open() would make it: the umask applies, unlike mkdtemp's 0700
    except OSError as exc:
        raise UserError(f"{out}: cannot write output: {exc.strerror or exc}") from None
    try:
        yield stage
        _move_into(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        for folder in made:
            with suppress(OSError):
                folder.rmdir()
        raise


def _move_into(stage: Path, out: Path) -> None:
    """The staged files into `out`: the whole folder when `out` is new, else file by
    file, sentence files first and the link file, which lists them, last."""
    if not out.exists():
        with suppress(OSError):  # made meanwhile: moved file by file below
            os.rename(stage, out)
            return
    files = sorted((p for p in stage.rglob("*") if p.is_file()), key=lambda p: (p.parent == stage, str(p)))
    targets = [out / p.relative_to(stage) for p in files]
    for target in targets:
        if target.is_dir() or (target.parent.exists() and not target.parent.is_dir()):
            raise UserError(f"{target}: cannot write output: a folder or a file is in the way")
    for source, target in zip(files, targets):
        try:
            target.parent.mkdir(exist_ok=True)
            os.replace(source, target)
        except OSError as exc:
            raise UserError(f"{target}: cannot write output: {exc.strerror or exc}") from None
    shutil.rmtree(stage, ignore_errors=True)


@register_exporter("xces")
class XcesExporter(Exporter):
    """Writes the OPUS XCES folder: the link file and a sentence file per document and language."""

    out_kind = "folder"

    def write(self, rows: Iterable[AlignedRow], out: Path | str) -> ExportStats:
        """Writes a `<linkGrp>` per document to the link file, and its two sentence files:
        all into a hidden folder first, moved into `out` when every file is written, so
        that an export that fails midway (a name too long, a document twice) leaves nothing."""
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise UserError(f"{out}: --out for xces is a folder, and this is a file")
        with staged_folder(out) as stage:
            try:
                return self._write(rows, stage, out)
            except UserError as exc:  # name the file as it would have been, not its staged copy
                raise UserError(str(exc).replace(str(stage), str(out))) from None

    def _write(self, rows: Iterable[AlignedRow], stage: Path, out: Path) -> ExportStats:
        from lxml import etree

        align_name = f"{SRC_LANG}-{TGT_LANG}.xml.gz"
        stats = ExportStats(files=[str(out / align_name)])
        names: dict[str, str] = {}
        with gzip_stream(stage / align_name) as gz, etree.xmlfile(gz, encoding="utf-8") as xf:
            xf.write_declaration()
            xf.write_doctype(ALIGN_DOCTYPE)
            with xf.element("cesAlign", version="1.0"):
                xf.write("\n")
                for doc_rows in documents(rows):
                    doc = doc_rows[0].doc
                    name = safe_name(doc)
                    if names.setdefault(name, doc) != doc:
                        raise UserError(f"documents {names[name]!r} and {doc!r} both need the file name {name}.xml.gz")
                    group = self._document(doc_rows, stage, name, stats)
                    xf.write(group, pretty_print=True)
        stats.files = [stats.files[0], *(str(out / Path(f).relative_to(stage)) for f in stats.files[1:])]
        return stats

    def _document(self, rows: list[AlignedRow], out: Path, name: str, stats: ExportStats):
        from lxml import etree

        paths = {lang: f"{lang}/{name}.xml.gz" for lang in (SRC_LANG, TGT_LANG)}
        group = etree.Element("linkGrp", targType="s", fromDoc=paths[SRC_LANG], toDoc=paths[TGT_LANG])
        next_en = 1 + max((j for r in rows for j in r.en_ids), default=-1)
        sides: dict[str, list[tuple[int, list[tuple[int, str]]]]] = {SRC_LANG: [], TGT_LANG: []}
        for row in rows:
            nl = split_side(row.nl, row.nl_ids, SRC_LANG, stats.notes)
            if row.en_ids:
                en = split_side(row.en, row.en_ids, TGT_LANG, stats.notes)
            elif row.en.strip():  # a repaired bead's English: no ids in the TSV
                en, next_en = [(next_en, row.en)], next_en + 1
            else:
                en = []
            for lang, sentences in ((SRC_LANG, nl), (TGT_LANG, en)):
                if not sentences:
                    continue
                side = sides[lang]
                if not side or side[-1][0] != row.paragraph:
                    side.append((row.paragraph, []))
                side[-1][1].extend(sentences)
            xtargets = ";".join(" ".join(f"s{i}" for i, _ in side) for side in (nl, en))
            etree.SubElement(group, "link", xtargets=xtargets, certainty=f"{row.score:.4f}")
            stats.written += 1
        for lang in (SRC_LANG, TGT_LANG):
            path = out / paths[lang]
            sentence_file(path, sides[lang])
            stats.files.append(str(path))
        return group
