"""Journal files padded to a few sizes, so that a file's size tells little of what it holds.

Anyone who can list the shared folder sees every file's size. Unpadded, a segment's size
gives away the kind of change in it and a note's length; padded, a segment or snapshot is
1, 2, 4, 8… KiB (the next power of two from 1 KiB), and past the largest power of two a
reader takes, the next multiple of 64 KiB. The padding is zero bytes after the compressed
JSON, inside the sealed and signed plaintext, so it is authenticated like the rest; readers
check that it is zeros, and files from before padding (none) read as they always did.
"""

from __future__ import annotations

from companion.store.bounded import KIB

SMALLEST = 1 * KIB
# Where the next power of two would pass what a reader takes: steps of this size.
STEP = 64 * KIB


def bucket(size: int, most: int) -> int:
    """The size a file of `size` bytes is padded to, never more than `most` (the largest
    file a reader takes) unless `size` itself is more."""
    target = max(SMALLEST, 1 << (size - 1).bit_length())
    if target > most:
        target = min(most, -(-size // STEP) * STEP)
    return max(target, size)


def pad(plain: bytes, overhead: int, most: int) -> bytes:
    """`plain` with zero bytes after it, so that with `overhead` more bytes (header, nonce,
    tag, signature) the file comes to its bucket's size."""
    size = overhead + len(plain)
    return plain + bytes(bucket(size, most) - size)
