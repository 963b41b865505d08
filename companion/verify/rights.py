"""Who may change what, judged over the whole shared folder: every device's changes against
the owners of the records they change, as sync judges them (companion/sync/ownership.py)."""

from __future__ import annotations

from pathlib import Path

from companion.domain import model as m
from companion.sync.ownership import Arrival, judge_all
from companion.verify.report import NOT_ALLOWED, Report


def check_rights(arrivals: list[tuple[Path, Arrival]], me: str, report: Report) -> None:
    """Report each file holding a change its author may not make (one finding per file).

    The folder holds every create (compaction keeps them), so the owners come from the
    changes themselves; a change whose record isn't in the folder at all is not judged.
    """
    paths = {(a.device, a.seq): path for path, a in arrivals}
    judged = judge_all([a for _, a in arrivals], lambda ids: {}, [])
    names = {
        a.op["id"]: a.op["fields"]["name"]
        for a in judged.allowed
        if a.op["type"] == m.PARTNER and isinstance(a.op["fields"].get("name"), str)
    }
    by_file: dict[tuple[str, int], list[str]] = {}
    for arrival, why in judged.refused:
        who = names.get(why.author, "a partner")
        told = f"{who}'s device {why.describe(names, me)}"
        by_file.setdefault((arrival.device, arrival.seq), []).append(told)
    for (device, seq), tolds in sorted(by_file.items()):
        more = f" (and {len(tolds) - 1} more change(s) like it)" if len(tolds) > 1 else ""
        report.problem(
            NOT_ALLOWED,
            paths[(device, seq)],
            f"It holds a change its author may not make: {tolds[0]}{more}. Sync keeps such "
            "changes aside and never shows them; everything else in it merges.",
            "companion never writes such a change: a modified app or another program did. "
            "Talk it through with your partner.",
            device=device,
            seq=seq,
        )
