"""Operations and the per-field last-writer-wins merge that turns them into records.

An operation is a plain dict, exactly what travels inside a segment:

    {"op": "create" | "set" | "delete", "id", "type", "hlc", "device", "author", "fields"}

`author` is the partner who made the change. A record's own author and device are those of
its earliest create. Every field (and the `deleted` flag) keeps the stamp that last wrote
it; a later stamp wins, ties broken by the value itself so that even two devices that share
an id converge. The merge is commutative, associative and idempotent, so any order,
duplication or delay of delivery ends in the same state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

OP_KINDS = ("create", "set", "delete")
DELETED = "deleted"


def make_op(
    kind: str,
    record_id: str,
    record_type: str,
    stamp: str,
    device: str,
    author: str,
    fields: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if kind not in OP_KINDS:
        raise ValueError(f"unknown operation kind {kind!r}")
    return {
        "op": kind,
        "id": record_id,
        "type": record_type,
        "hlc": stamp,
        "device": device,
        "author": author,
        "fields": dict(fields or {}),
    }


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def merge(state: dict[str, Any] | None, op: dict[str, Any]) -> dict[str, Any]:
    """Fold one operation into a record's stored state (mutating it) and return it."""
    if state is None:
        state = {
            "id": op["id"],
            "type": op["type"],
            "author": None,
            "device": None,
            "created": None,
            "hlc": op["hlc"],
            "fields": {},
            "clocks": {},
        }
    stamp = op["hlc"]
    changes = dict(op.get("fields") or {})
    if op["op"] == "create":
        changes.setdefault(DELETED, False)
        origin = (stamp, op["author"], op["device"])
        current = state["created"]
        if current is None or origin < (current, state["author"], state["device"]):
            state["created"], state["author"], state["device"] = origin
            state["type"] = op["type"]
    elif op["op"] == "delete":
        changes = {DELETED: True}
    fields, clocks = state["fields"], state["clocks"]
    for name, value in changes.items():
        known = clocks.get(name)
        if (
            known is None
            or stamp > known
            or (stamp == known and _canon(value) > _canon(fields.get(name)))
        ):
            fields[name] = value
            clocks[name] = stamp
    if stamp > state["hlc"]:
        state["hlc"] = stamp
    return state


@dataclass(frozen=True)
class Record:
    """A merged record as the rest of the app reads it."""

    id: str
    type: str
    author: str
    device: str
    created: str
    hlc: str
    deleted: bool
    fields: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]


def record_from_state(state: dict[str, Any]) -> Record | None:
    """The readable record, or None while its create has not arrived yet."""
    if state.get("created") is None:
        return None
    values = dict(state["fields"])
    deleted = bool(values.pop(DELETED, False))
    return Record(
        id=state["id"],
        type=state["type"],
        author=state["author"],
        device=state["device"],
        created=state["created"],
        hlc=state["hlc"],
        deleted=deleted,
        fields=values,
    )
