"""Length-sorted batching; the caller restores the original order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence


def make_batches(
    lengths: Sequence[int], batch_size: int, batch_tokens: int | None = None, groups: Sequence | None = None
) -> Iterator[list[int]]:
    """Yield lists of indices, longest first, so padding inside a batch is small.

    With `batch_tokens`, a batch holds as many items as fit in that many padded
    source tokens (longest item × count); an item longer than the budget goes alone.
    Otherwise a batch holds at most `batch_size` items. The sort is stable, so
    batches are deterministic. With `groups`, items of different groups never
    share a batch (the output bound is a group's, so an item's translation does
    not depend on its batch-mates).
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batch: list[int] = []
    longest = 0
    for i in order:
        n = max(1, lengths[i])
        if batch:
            too_many = batch_tokens is None and len(batch) >= batch_size
            too_big = batch_tokens is not None and max(longest, n) * (len(batch) + 1) > batch_tokens
            other_group = groups is not None and groups[i] != groups[batch[0]]
            if too_many or too_big or other_group:
                yield batch
                batch, longest = [], 0
        batch.append(i)
        longest = max(longest, n)
    if batch:
        yield batch
