"""How much this device keeps of the changes it doesn't merge: held, waiting or refused ones.

Each kind of change kept aside (a device's not yet confirmed, dated too far ahead, waiting for
its record, refused) lives in this replica until something lets it in; a hostile device could
otherwise send them without end and grow this device's copy without bound. So each kind keeps
at most `MAX_KEPT` changes and `MAX_KEPT_BYTES` of them; what arrives over that is reported,
not stored. It is not lost: its files stay in the shared folder, and `companion sync
--rebuild` reads them again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from companion.sync.problems import OVERFLOW, Problem

MAX_KEPT = 5_000
MAX_KEPT_BYTES = 4 * 1024 * 1024

T = TypeVar("T")


def size_of(value: Any) -> int:
    """How much a kept change weighs: its JSON's length."""
    try:
        return len(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError, RecursionError):
        return MAX_KEPT_BYTES  # can't be kept as it is anyway


def fit(kept: Iterable[T], new: Iterable[T], size: Callable[[T], int]) -> tuple[list[T], list[T]]:
    """`kept` (already stored, always kept), then as many of `new` as fit within the limits:
    returns (what to store, what is over the limits)."""
    stored = list(kept)
    count, used = len(stored), sum(size(item) for item in stored)
    over: list[T] = []
    for item in new:
        weight = size(item)
        if count + 1 > MAX_KEPT or used + weight > MAX_KEPT_BYTES:
            over.append(item)
            continue
        stored.append(item)
        count, used = count + 1, used + weight
    return stored, over


def report(
    problems: dict[tuple[str, str, int], dict[str, Any]], devices: Iterable[str], what: str
) -> None:
    """Tell, once per device, that changes of the kind `what` from it were over the limits."""
    for device in set(devices):
        message = (
            f"it sent more {what} than this device keeps aside ({MAX_KEPT:,} changes or "
            f"{MAX_KEPT_BYTES // (1024 * 1024)} MB), so those over that weren't kept here. "
            "companion never sends so many: if it isn't yours, compare the safety code with "
            "your partner in person (`companion devices`). They stay in the shared folder; "
            "once the device is dealt with, `companion sync --rebuild` reads them again."
        )
        problems[(OVERFLOW, device, 0)] = Problem(OVERFLOW, device, 0, message).to_dict()
