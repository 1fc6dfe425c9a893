"""The aligner interface and the name → implementation registry."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

from pipeline.errors import UserError
from pipeline.types import Bead


class Aligner(ABC):
    """Aligns one block (paragraph or document) of source and target sentences."""

    name: str = ""

    def __init__(self, max_size: int = 3) -> None:
        if max_size < 1:
            raise UserError(f"--max-size must be at least 1, got {max_size}")
        self.max_size = max_size

    @abstractmethod
    def align(
        self,
        src: Sequence[str],
        tgt: Sequence[str],
        src_mt: Sequence[str] | None = None,
    ) -> list[Bead]:
        """Beads covering every src and tgt index exactly once, in order."""


ALIGNERS: dict[str, type[Aligner]] = {}


def register(cls: type[Aligner]) -> type[Aligner]:
    ALIGNERS[cls.name] = cls
    return cls


def get_aligner(name: str = "default", max_size: int = 3) -> Aligner:
    from pipeline.align import DEFAULT_METHOD  # late: the package registers implementations

    key = DEFAULT_METHOD if name == "default" else name
    try:
        cls = ALIGNERS[key]
    except KeyError:
        known = ", ".join(sorted(ALIGNERS))
        raise UserError(f"unknown alignment method {name!r} (known: {known}, default)") from None
    return cls(max_size=max_size)
