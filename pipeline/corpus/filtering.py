"""Row filters for `nlen export`, OpusFilter-style: one small object per filter,
applied in order; each counts the rows it removed (a row removed by an
earlier filter is not seen by later ones, so the counts add up).

    min_score     the aligner's confidence below P
    drop_flags    any of the named quality flags (pipeline/document/checks.py)
    no_repaired   English from the sentence-level repair
    decisions     beads rejected on the review page (`nlen review`)
    dedup         a bead seen before: exact, or after OpusFilter's normalisation
                  (case, whitespace, punctuation and digits folded)
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from pipeline.corpus.read import row_key
from pipeline.errors import InputError
from pipeline.textio import read_text
from pipeline.types import AlignedRow


class RowFilter(ABC):
    """One filter of the chain; `removed` counts the rows it removed."""

    name: str = "?"

    def __init__(self):
        self.removed = 0

    @abstractmethod
    def keep(self, row: AlignedRow) -> bool:
        """True to keep the row."""

    def describe(self) -> str:
        """What the filter removes, as the report names it (here: the filter's name)."""
        return self.name


class MinScore(RowFilter):
    """Removes beads whose score is below `threshold`."""

    name = "min_score"

    def __init__(self, threshold: float):
        super().__init__()
        self.threshold = threshold

    def keep(self, row: AlignedRow) -> bool:
        """Keeps rows scored at or above the threshold."""
        return row.score >= self.threshold

    def describe(self) -> str:
        """Names the threshold."""
        return f"score < {self.threshold:g}"


class DropFlags(RowFilter):
    """Removes beads that carry any of the given quality flags."""

    name = "drop_flags"

    def __init__(self, flags: Iterable[str]):
        super().__init__()
        self.flags = frozenset(flags)

    def keep(self, row: AlignedRow) -> bool:
        """Keeps rows with none of the flags."""
        return not self.flags.intersection(row.flags)

    def describe(self) -> str:
        """Names the flags."""
        return "flagged " + ",".join(sorted(self.flags))


class NoRepaired(RowFilter):
    """Removes beads whose English comes from the sentence-level repair."""

    name = "no_repaired"

    def keep(self, row: AlignedRow) -> bool:
        """Keeps rows that were not repaired."""
        return not row.repaired

    def describe(self) -> str:
        """Says 'repaired'."""
        return "repaired"


# A review page's download is about 60 bytes a decision: a million decisions fit.
DECISIONS_LIMIT = 64_000_000


class Decisions(RowFilter):
    """Drops the beads a reviewer rejected. The file is what the review page
    downloads: {"decisions": {"<doc:nl_ids:en_ids>": "accept" | "reject", ...}}."""

    name = "decisions"

    def __init__(self, rejected: Iterable[str]):
        super().__init__()
        self.rejected = frozenset(rejected)

    @classmethod
    def from_file(cls, path: Path | str) -> Decisions:
        """The filter of a decisions file; a file that is not one is an InputError."""

        try:
            data = json.loads(read_text(path, "decisions file", DECISIONS_LIMIT))
        except ValueError as exc:
            raise InputError(path, f"not JSON: {exc}") from None
        except RecursionError:  # the C parser recurses once per nested [ or {
            raise InputError(path, "not a review decisions file: JSON nested too deeply") from None
        decisions = data.get("decisions") if isinstance(data, dict) else None
        if not isinstance(decisions, dict) or not all(v in ("accept", "reject") for v in decisions.values()):
            raise InputError(path, 'not a review decisions file (expected {"decisions": {bead: "accept"|"reject"}})')
        return cls(k for k, v in decisions.items() if v == "reject")

    def keep(self, row: AlignedRow) -> bool:
        """Keeps rows whose bead key was not rejected."""
        return row_key(row) not in self.rejected

    def describe(self) -> str:
        """Says 'rejected in review'."""
        return "rejected in review"


def normalise(text: str) -> str:
    """OpusFilter's duplicate key: lower case, letters only (whitespace,
    punctuation and digits removed), after NFKC."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalpha())


class Dedup(RowFilter):
    """Keeps the first of beads with the same (nl, en), compared exactly or
    normalised. Holds a 16-byte digest per distinct bead, not the text."""

    name = "dedup"

    def __init__(self, mode: str):
        super().__init__()
        if mode not in ("exact", "normalised"):
            raise ValueError(mode)
        self.mode = mode
        self.seen: set[bytes] = set()

    def keep(self, row: AlignedRow) -> bool:
        """Keeps a row unless its (nl, en), exact or normalised, was seen before."""
        nl, en = (normalise(row.nl), normalise(row.en)) if self.mode == "normalised" else (row.nl, row.en)
        key = hashlib.blake2b(f"{nl}\t{en}".encode(), digest_size=16).digest()
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def describe(self) -> str:
        """Names the mode."""
        return f"duplicate ({self.mode})"


class FilterChain:
    """Applies filters in order and counts what each removed."""

    def __init__(self, filters: Sequence[RowFilter]):
        self.filters = list(filters)
        self.total = 0
        self.kept = 0

    def apply(self, rows: Iterable[AlignedRow]) -> Iterator[AlignedRow]:
        """The rows every filter keeps, lazily; each removed row is counted on the first filter
        that removed it."""
        for row in rows:
            self.total += 1
            for f in self.filters:
                if not f.keep(row):
                    f.removed += 1
                    break
            else:
                self.kept += 1
                yield row

    def report(self) -> dict:
        """Rows read, removed per filter and kept, each with its share of those read (after `apply`
        has been consumed)."""

        def share(n):
            return round(n / self.total, 4) if self.total else 0.0

        return {
            "rows": self.total,
            "removed": {f.describe(): {"rows": f.removed, "share": share(f.removed)} for f in self.filters},
            "kept": {"rows": self.kept, "share": share(self.kept)},
        }
