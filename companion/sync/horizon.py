"""The admission horizon: a change dated far ahead of everything is held, not merged to win.

A stamp decides which value of a field wins, so one dated years ahead would beat every later
edit made without seeing it, and one at the very end of time could never be overtaken. A
change from another device is therefore merged only when its stamp is at most a day
(`HORIZON_MS`) beyond this computer's clock or beyond the newest stamp merged from that
device before (its own clock may be a few days off, and that is told as a clock problem,
service/skew.py). A device's first changes set where its clock stands, and no change is
more than a week (`FAR_MS`) ahead of this computer's clock. One further ahead is held, kept
(not lost) and reported with what to do; it is looked at again on every pass and merges
once the clocks catch up with it.
"""

from __future__ import annotations

from typing import Any

from companion.domain.hlc import MAX_DRIFT_MS, stamp_ms
from companion.store.replica import QUARANTINE, Replica
from companion.sync import caps
from companion.sync.problems import FUTURE, Problem

HORIZON_MS = MAX_DRIFT_MS
# Never further ahead of this computer's clock than this, whatever came before: a device's
# changes may each be a day beyond its last, so this is how far any device can get ahead,
# its first change included. A week covers a clock a few days off (set to the wrong day,
# or a time zone taken for another), which merges and is told as a clock problem
# (service/skew.py); a clock further off is set wrong, and its changes wait until ours
# reaches them rather than win against every edit made meanwhile without seeing them.
FAR_MS = 7 * MAX_DRIFT_MS
# Held changes by device, each as [file number, change] (in the quarantine partition).
HELD = "future"
# The newest stamp's wall time merged from each device (local bookkeeping).
NEWEST = "newest_wall"

Change = tuple[str, int, dict[str, Any]]


def held(replica: Replica) -> dict[str, list[list[Any]]]:
    """The changes held for being dated too far ahead, by device."""
    found = replica.meta(HELD, {}, partition=QUARANTINE)
    return found if isinstance(found, dict) else {}


def admit_in_time(
    replica: Replica,
    own_device: str,
    incoming: list[Change],
    now_ms: int,
    problems: dict[tuple[str, str, int], dict[str, Any]],
) -> list[Change]:
    """Of `incoming` and the changes held before, those dated within the horizon, in the
    order they came; the rest are held and reported."""
    stored = held(replica)
    if not incoming and not stored:
        return []
    before: dict[str, int] = dict(replica.meta(NEWEST, {}, partition=QUARANTINE) or {})
    newest = dict(before)
    by_device: dict[str, list[Change]] = {}
    for device, pairs in stored.items():
        by_device.setdefault(device, []).extend((device, seq, op) for seq, op in pairs)
    for change in incoming:
        by_device.setdefault(change[0], []).append(change)
    if not stored and all(_wall(c[2]) <= now_ms + HORIZON_MS for c in incoming):
        # the common pass, nothing ahead of our clock: it all comes in, in its order
        _note_newest(replica, before, incoming)
        _clear(problems, set())
        return incoming
    admitted: list[Change] = []
    still: dict[str, list[list[Any]]] = {}
    # in stamp order over every device: an edit stamped just above a value another device
    # wrote ahead of our clock (hlc.py's stamp_above) comes in with that value
    everything = sorted(
        (c for changes in by_device.values() for c in changes), key=lambda c: str(c[2]["hlc"])
    )
    reach = max([now_ms, *newest.values()])
    for change in everything:
        device, wall = change[0], _wall(change[2])
        if device != own_device:  # this device's own stamps are its own clock's
            # a device's first change sets where its clock stands, within bounds
            anchor = newest.get(device, wall)
            if wall > now_ms + FAR_MS or wall > max(reach, anchor) + HORIZON_MS:
                still.setdefault(device, []).append([change[1], change[2]])
                continue
        admitted.append(change)
        newest[device] = max(newest.get(device, wall), wall)
        reach = max(reach, wall)
    still = _within_caps(stored, still, problems)
    _clear(problems, set(still))
    for device, pairs in still.items():
        problems[(FUTURE, device, 0)] = Problem(FUTURE, device, 0, _message(len(pairs))).to_dict()
    if still != stored:
        replica.set_meta(partition=QUARANTINE, future=still)
    if newest != before:
        replica.set_meta(partition=QUARANTINE, newest_wall=newest)
    # the order they came in: a device's changes in the order its files hold them
    order = {id(c[2]): i for i, c in enumerate(c for cs in by_device.values() for c in cs)}
    return sorted(admitted, key=lambda c: order[id(c[2])])


def _within_caps(
    stored: dict[str, list[list[Any]]],
    still: dict[str, list[list[Any]]],
    problems: dict[tuple[str, str, int], dict[str, Any]],
) -> dict[str, list[list[Any]]]:
    """What stays held, within caps.py's limits: what was held before first."""
    before = {(d, int(seq), str(op.get("hlc"))) for d, pairs in stored.items() for seq, op in pairs}
    old: list[tuple[str, list[Any]]] = []
    new: list[tuple[str, list[Any]]] = []
    for device, pairs in still.items():
        for seq, op in pairs:
            (old if (device, int(seq), str(op.get("hlc"))) in before else new).append(
                (device, [seq, op])
            )
    if not new:
        return still
    kept, over = caps.fit(old, new, lambda item: caps.size_of(item[1]), lambda item: item[0])
    if not over:
        return still
    caps.report(problems, (d for d, _ in over), "changes dated far ahead")
    out: dict[str, list[list[Any]]] = {}
    for device, pair in kept:
        out.setdefault(device, []).append(pair)
    return out


def _note_newest(replica: Replica, before: dict[str, int], changes: list[Change]) -> None:
    newest = dict(before)
    for device, _, op in changes:
        newest[device] = max(newest.get(device, 0), _wall(op))
    if newest != before:
        replica.set_meta(partition=QUARANTINE, newest_wall=newest)


def _clear(problems: dict[tuple[str, str, int], dict[str, Any]], keep: set[str]) -> None:
    for key in [k for k in problems if k[0] == FUTURE and k[1] not in keep]:
        del problems[key]


def _wall(op: dict[str, Any]) -> int:
    try:
        return stamp_ms(str(op["hlc"]))
    except ValueError:  # the reader refuses such stamps; never merge one that slipped by
        return 10**15


def _message(count: int) -> str:
    return (
        f"{count} change(s) from it are dated more than a day ahead of this computer's clock "
        "and of that device's earlier changes: they are held, not merged and not lost, and "
        "come in once the clocks agree. Check the date and time on this computer and on that "
        "device."
    )
