"""A hostile snapshot costs at most twice the memory of an ordinary large one (issue 12):
the snapshot limits bound what decoding one can build, measured with tracemalloc."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from companion.domain import model as m
from companion.domain.hlc import format_stamp
from companion.domain.ids import owned_id, tick_id
from companion.domain.records import make_op
from companion.store.bounded import MIB, Limits
from companion.store.signing import Signer
from companion.sync import segments

KEY, SPACE = os.urandom(32), "5" * 16
DEVICE, AUTHOR, OTHER = secrets.token_hex(8), secrets.token_hex(8), secrets.token_hex(8)
NOW = 1_764_000_000_000
SIGNER = Signer.generate()
ROOMY = Limits("a test's snapshot", inflated=64 * MIB, values=10_000_000, ops=1_000_000)


def op(i: int, record_type: str, fields: dict[str, Any], record_id: str = "") -> dict[str, Any]:
    stamp = format_stamp(NOW + i, 0, DEVICE)
    rid = record_id or owned_id(NOW + i, AUTHOR)
    return make_op("create", rid, record_type, stamp, DEVICE, AUTHOR, fields)


def ordinary() -> list[dict[str, Any]]:
    """The ten-year space's largest snapshot: 5,140 changes, notes and ticks of one device."""
    action = owned_id(NOW, AUTHOR)
    ops = []
    for i in range(5_140):
        if i % 3:
            day = f"20{16 + i // 700}-0{1 + i % 9}-1{i % 10}"
            rid = tick_id(action, dt.date.fromisoformat(day))
            ops.append(op(i, m.TICK, {"action": action, "date": day, "status": m.DONE}, rid))
        else:
            text = f"Thank you for the tea and for asking how my day went, evening {i}"
            ops.append(op(i, m.GRATITUDE, {"text": text, "to": OTHER, "read": True,
                                           "landed": True}))  # fmt: skip
    return ops


def fits(build: Callable[[int], list[dict[str, Any]]], start: int) -> bytes:
    """The largest snapshot `build(n)` makes that the limits still take (n shrinking by a
    tenth from `start`, a little over the limits)."""
    n = start
    while n > 1:
        data = encode(build(n))
        try:
            segments.decode_snapshot(KEY, SPACE, DEVICE, 1, 512, data)
            return data
        except segments.SegmentTooLarge:
            n = n * 9 // 10
    raise AssertionError("nothing fits")


def encode(ops: list[dict[str, Any]]) -> bytes:
    limits, segments.SNAPSHOT = segments.SNAPSHOT, ROOMY
    try:
        return segments.encode_snapshot(KEY, SPACE, DEVICE, 1, 512, "", "", ops, SIGNER)
    finally:
        segments.SNAPSHOT = limits


def peak(data: bytes) -> int:
    tracemalloc.start()
    try:
        with contextlib.suppress(segments.SegmentInvalid):
            segments.decode_snapshot(KEY, SPACE, DEVICE, 1, 512, data)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def tiny_values(n: int) -> list[dict[str, Any]]:
    per = max(n // 100 // 60, 1)
    return [op(i, m.GRATITUDE, {f"f{j}": [{} for _ in range(per)] for j in range(60)})
            for i in range(100)]  # fmt: skip


def long_strings(n: int) -> list[dict[str, Any]]:
    return [op(i, m.GRATITUDE, {f"f{j}": secrets.token_hex(n // 120) for j in range(60)})
            for i in range(4)]  # fmt: skip


def empty_changes(n: int) -> list[dict[str, Any]]:
    return [op(i, m.GRATITUDE, {}) for i in range(n)]


@pytest.mark.parametrize(
    ("build", "start"),
    [(tiny_values, 110_000), (long_strings, 4 * MIB), (empty_changes, 20_000)],
    ids=["tiny values", "long strings", "empty changes"],
)
def test_a_hostile_snapshot_costs_at_most_twice_an_ordinary_one(
    build: Callable[[int], list[dict[str, Any]]], start: int
) -> None:
    usual = encode(ordinary())
    assert len(segments.decode_snapshot(KEY, SPACE, DEVICE, 1, 512, usual).ops) == 5_140
    hostile = fits(build, start)
    assert peak(hostile) <= 2 * peak(usual), (peak(hostile), peak(usual))


def test_a_snapshot_past_the_limits_is_too_large_not_a_memory_hog() -> None:
    bomb = encode(tiny_values(3_000_000))
    with pytest.raises(segments.SegmentTooLarge):
        segments.decode_snapshot(KEY, SPACE, DEVICE, 1, 512, bomb)
    assert peak(bomb) <= 2 * peak(encode(ordinary()))
