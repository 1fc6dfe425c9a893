"""The aligner interface and the name → implementation registry."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from pipeline.errors import UserError
from pipeline.types import Bead

# The largest --max-size: the bead types grow as its square, and so do the aligner's time and
# memory (on a 1000-sentence block, 16 takes 1.7 times the memory of 4; 64, 2 GB and 30 times the time).
MAX_SIZE_LIMIT = 16


class Aligner(ABC):
    """Aligns one block (paragraph or document) of source and target sentences."""

    name: str = ""
    options: tuple[str, ...] = ()  # keyword options the constructor takes besides max_size

    def __init__(self, max_size: int = 4) -> None:
        if not 1 <= max_size <= MAX_SIZE_LIMIT:
            raise UserError(f"--max-size must be from 1 to {MAX_SIZE_LIMIT}, got {max_size}")
        self.max_size = max_size

    @abstractmethod
    def align(
        self,
        src: Sequence[str],
        tgt: Sequence[str],
        src_mt: Sequence[str] | None = None,
    ) -> list[Bead]:
        """Beads covering every src and tgt index exactly once, in order."""

    def align_blocks(
        self,
        src_blocks: Sequence[Sequence[str]],
        tgt_blocks: Sequence[Sequence[str]],
        mt_blocks: Sequence[Sequence[str]] | None = None,
    ) -> list[list[Bead]]:
        """Align block k with block k (ids within each block). An aligner that
        estimates from its input overrides this to estimate once over all blocks."""
        return [
            self.align(s, t, None if mt_blocks is None else mt_blocks[k])
            for k, (s, t) in enumerate(zip(src_blocks, tgt_blocks))
        ]


ALIGNERS: dict[str, type[Aligner]] = {}


DEFAULT_METHOD = "nlen"  # registered when the package is imported (pipeline/align/__init__.py)
DEFAULT_MAX_SIZE = 4  # most sentences on one side of a bead (real gold has 1-4 and 2-3 beads)


def register(cls: type[Aligner]) -> type[Aligner]:
    """Class decorator: make the aligner available to `get_aligner` under its `name`."""
    ALIGNERS[cls.name] = cls
    return cls


def get_aligner(name: str = "default", max_size: int | None = None, **options) -> Aligner:
    """The aligner registered under `name`; `options` (e.g. dictionary=PATH) go to
    aligners that take them and must be None for the others."""
    key = DEFAULT_METHOD if name == "default" else name
    try:
        cls = ALIGNERS[key]
    except KeyError:
        known = ", ".join(sorted(ALIGNERS))
        raise UserError(f"unknown alignment method {name!r} (known: {known}, default)") from None
    given = {k: v for k, v in options.items() if v is not None}
    unknown = sorted(set(given) - set(cls.options))
    if unknown:
        raise UserError(f"the {cls.name} aligner does not take --{unknown[0].replace('_', '-')}")
    return cls(max_size=DEFAULT_MAX_SIZE if max_size is None else max_size, **given)
