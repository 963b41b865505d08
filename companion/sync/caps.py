"""How much this device keeps of the changes it doesn't merge: held, waiting or refused ones.

Each kind of change kept aside (a device's not yet confirmed, dated too far ahead, waiting for
its record, refused) lives in this replica until something lets it in; a hostile device could
otherwise send them without end and grow this device's copy without bound. So, per kind,
each device has its own allowance (`MAX_KEPT` changes, `MAX_KEPT_BYTES`), and all devices
together at most twice that: when that is full, a device that holds less than another takes
room from the one that holds the most (its newest change kept aside goes), so a device that
sends many can't crowd out another's few. What isn't kept is reported, not stored. It is not
lost: its files stay in the shared folder, and `companion sync --rebuild` reads them again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from companion.sync.problems import OVERFLOW, Problem

MAX_KEPT = 5_000
MAX_KEPT_BYTES = 4 * 1024 * 1024
# All devices together, per kind: room for two devices' full allowance.
MAX_KEPT_ALL = 2 * MAX_KEPT
MAX_KEPT_ALL_BYTES = 2 * MAX_KEPT_BYTES

T = TypeVar("T")


def size_of(value: Any) -> int:
    """How much a kept change weighs: its JSON's length."""
    try:
        return len(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError, RecursionError):
        return MAX_KEPT_BYTES  # can't be kept as it is anyway


def fit(
    kept: Iterable[T], new: Iterable[T], size: Callable[[T], int], device_of: Callable[[T], str]
) -> tuple[list[T], list[T]]:
    """`kept` (already stored), then as many of `new` as fit within each device's allowance
    and the total: returns (what to store, what isn't kept). A change kept before is given
    up only to make room for a device that holds less than the one giving it up."""
    stored: dict[str, list[T]] = {}
    count: dict[str, int] = {}
    used: dict[str, int] = {}
    total = total_bytes = 0
    for item in kept:
        device, weight = device_of(item), size(item)
        stored.setdefault(device, []).append(item)
        count[device] = count.get(device, 0) + 1
        used[device] = used.get(device, 0) + weight
        total, total_bytes = total + 1, total_bytes + weight
    over: list[T] = []
    for item in new:
        device, weight = device_of(item), size(item)
        mine, my_bytes = count.get(device, 0), used.get(device, 0)
        if mine + 1 > MAX_KEPT or my_bytes + weight > MAX_KEPT_BYTES:
            over.append(item)
            continue
        while total + 1 > MAX_KEPT_ALL or total_bytes + weight > MAX_KEPT_ALL_BYTES:
            most = max(count, key=lambda d: (count[d], used[d], d))
            if count[most] <= mine + 1:
                break  # nobody holds more than this device then would: it waits its turn
            given_up = stored[most].pop()
            count[most] -= 1
            used[most] -= size(given_up)
            total, total_bytes = total - 1, total_bytes - size(given_up)
            over.append(given_up)
        if total + 1 > MAX_KEPT_ALL or total_bytes + weight > MAX_KEPT_ALL_BYTES:
            over.append(item)
            continue
        stored.setdefault(device, []).append(item)
        count[device], used[device] = mine + 1, my_bytes + weight
        total, total_bytes = total + 1, total_bytes + weight
    return [item for items in stored.values() for item in items], over


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
