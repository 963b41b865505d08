"""What a batch of this device's operations should leave in the records it touches.

A change that loses the merge (a later stamp already holds the field) must not be reported
as done: the service compares what its operations meant with what the records now hold.
"""

from __future__ import annotations

from typing import Any

from companion.domain.records import DELETED, Record


def expected_values(ops: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(record id, type) → field → the value the batch's newest write to it set."""
    newest: dict[tuple[str, str, str], tuple[str, Any]] = {}
    for op in ops:
        fields = dict(op.get("fields") or {})
        if op["op"] == "create":
            fields.setdefault(DELETED, False)
        elif op["op"] == "delete":
            fields = {DELETED: True}
        for name, value in fields.items():
            key = (op["id"], op["type"], name)
            if key not in newest or op["hlc"] > newest[key][0]:
                newest[key] = (op["hlc"], value)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for (record_id, record_type, name), (_, value) in newest.items():
        out.setdefault((record_id, record_type), {})[name] = value
    return out


def holds(record: Record, expected: dict[str, Any]) -> bool:
    """Whether the merged record holds every value the batch set."""
    for name, value in expected.items():
        current = record.deleted if name == DELETED else record.fields.get(name)
        if current != value:
            return False
    return True
