"""Dated changes outside the space's lifetime, judged over the whole shared folder as sync
judges them (companion/sync/lifetime.py), so that verify tells every file sync keeps aside."""

from __future__ import annotations

from pathlib import Path

from companion.domain import model as m
from companion.domain.hlc import stamp_ms
from companion.domain.schema import TYPE_LABELS, with_article
from companion.service.clock import wall_ms
from companion.sync import lifetime
from companion.sync.ownership import Arrival
from companion.verify.report import INVALID, Report

# With no partner's record in the folder there is no beginning to measure from: sync then
# bounds dates only by its clock, and so does this.
_NO_BEGINNING = -(2**62)


def check_lifetime(
    arrivals: list[tuple[Path, Arrival]], me: str, report: Report
) -> list[tuple[Path, Arrival]]:
    """Report each file holding a change dated outside the lifetime (one finding per file,
    none where the schema already refused something in it); the rest, to be judged on.
    `me`: this device's partner, whose own record says when the space began, as in sync."""
    said = lifetime.began_ms([], me, [(a.device, a.seq, a.op) for _, a in arrivals])
    began = (
        said
        if said is not None
        else min(
            (
                stamp_ms(str(a.op["hlc"]))
                for _, a in arrivals
                if a.op["type"] == m.PARTNER and a.op["op"] == "create"
            ),
            default=_NO_BEGINNING + lifetime.BEFORE_MS,
        )
    )
    now = wall_ms()
    told = {(p.device, p.seq) for p in report.problems if p.kind == INVALID}
    kept: list[tuple[Path, Arrival]] = []
    outside: dict[tuple[str, int], tuple[Path, list[Arrival]]] = {}
    for path, arrival in arrivals:
        if lifetime.within_lifetime_of(arrival.op, began, now):
            kept.append((path, arrival))
        else:
            outside.setdefault((arrival.device, arrival.seq), (path, []))[1].append(arrival)
    for (device, seq), (path, refused) in sorted(outside.items()):
        if (device, seq) in told:
            continue
        more = f" (and {len(refused) - 1} more like it)" if len(refused) > 1 else ""
        what = with_article(TYPE_LABELS.get(str(refused[0].op["type"]), "record"))
        report.problem(
            INVALID,
            path,
            f"It holds {what} dated outside the space's lifetime"
            f"{more}; sync keeps such changes aside and never shows them. Everything else in "
            "it merges.",
            "The app dates a record near the day it is made: a clock set far off or a modified "
            "app wrote this one. Check the clocks on both devices and talk it over together.",
            device=device,
            seq=seq,
        )
    return kept
