"""Compaction: the fewest operations that merge to the same records as a run of them does
(what a snapshot holds in place of the segments it folds)."""

from __future__ import annotations

from typing import Any

from companion.domain.records import DELETED, merge


def compact(ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fewest operations that merge to the same records as `ops` do."""
    states: dict[str, dict[str, Any]] = {}
    authors: dict[str, str] = {}
    for op in ops:
        states[op["id"]] = merge(states.get(op["id"]), op)
        authors[op["hlc"]] = op["author"]
    out: list[dict[str, Any]] = []
    for state in states.values():
        by_stamp: dict[str, dict[str, Any]] = {}
        for name, stamp in state["clocks"].items():
            by_stamp.setdefault(stamp, {})[name] = state["fields"][name]
        created = state["created"]
        if created is not None:
            fields = by_stamp.pop(created, {})
            if fields.get(DELETED, False) is False:
                fields.pop(DELETED, None)
                out.append(_op("create", state, created, state["author"], state["device"], fields))
            else:
                out.append(
                    _op(
                        "create",
                        state,
                        created,
                        state["author"],
                        state["device"],
                        {k: v for k, v in fields.items() if k != DELETED},
                    )
                )
                by_stamp.setdefault(created, {})[DELETED] = True
        if state["hlc"] not in state["clocks"].values():
            by_stamp.setdefault(state["hlc"], {})  # an op that changed nothing still counts
        for stamp, fields in sorted(by_stamp.items()):
            device = stamp.split(".", 2)[2]
            author = authors.get(stamp) or state["author"] or ""
            if fields.get(DELETED) is True and len(fields) == 1:
                out.append(_op("delete", state, stamp, author, device, {}))
            elif DELETED in fields and fields[DELETED] is False:
                rest = {k: v for k, v in fields.items() if k != DELETED}
                out.append(_op("create", state, stamp, author, device, rest))
            else:
                out.append(_op("set", state, stamp, author, device, fields))
    return out


def _op(
    kind: str,
    state: dict[str, Any],
    stamp: str,
    author: str | None,
    device: str,
    fields: dict[str, Any],
) -> dict[str, Any]:
    return {
        "op": kind,
        "id": state["id"],
        "type": state["type"],
        "hlc": stamp,
        "device": device,
        "author": author or "",
        "fields": fields,
    }
