"""Two partners under one name: noticed after each pass, and told with what to do.

Whether a name was the other's when it was set can't be judged as changes arrive: a change
dated back before the other's name was set, or two renames made offline at once, would be
refused or merged depending on which file came first, and the replicas would drift apart.
So names merge like any field, and the merged pair is looked at instead: the same whatever
order the files came in. Where the two read as one (model.name_key), each device shows the
other partner with a mark (model.shown_names), never under its own partner's name, and this
problem says so until one of the two names changes.
"""

from __future__ import annotations

from typing import Any

from companion.domain import model as m
from companion.domain.hlc import parse_stamp
from companion.domain.text import inert
from companion.store.replica import CORE, Replica
from companion.sync.problems import SAME_NAME, Problem


def note_same_name(
    replica: Replica, me: str, problems: dict[tuple[str, str, int], dict[str, Any]]
) -> None:
    """Report (or clear) the other partner's name reading as mine, as merged now."""
    for key in [k for k in problems if k[0] == SAME_NAME]:
        del problems[key]
    names = {
        r.id: r.get("name")
        for r in replica.records_of([m.PARTNER], [CORE])
        if isinstance(r.get("name"), str) and not r.deleted
    }
    mine = names.get(me)
    if not isinstance(mine, str):
        return
    for pid, name in names.items():
        if pid == me or not isinstance(name, str) or m.name_key(name) != m.name_key(mine):
            continue
        device = _device_of(replica.field_stamp(pid, m.PARTNER, "name"))
        shown = inert(m.TOLD_APART.format(name=name))
        message = (
            f"your partner's name now reads as yours ({inert(name)}), so here they are shown "
            f"as {shown}. Names are yours to choose: if neither of you chose this, their app "
            "isn't one that companion makes; either of you can choose another name in "
            "Settings, and the mark goes away."
        )
        problems[(SAME_NAME, device, 0)] = Problem(SAME_NAME, device, 0, message).to_dict()


def _device_of(stamp: str | None) -> str:
    """The device a stamp names ("" if there is none): the one that set the name."""
    try:
        return parse_stamp(stamp)[2] if stamp else ""
    except ValueError:
        return ""
