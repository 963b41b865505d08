"""The one gate every operation from the shared folder passes before it may merge.

The engine asks `admit` once per operation read from a device's files (the partner's and this
device's own: a restored or copied profile could have written anything). Today it checks the
operation against its record type's schema; the checks of who may change what, and of whose
signature a change carries, belong here too, so that every refusal is kept and reported alike.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from companion.domain import schema
from companion.domain.schema import Invalid


class Admission(NamedTuple):
    """What merges (`op`, without fields this version doesn't know), or why nothing does."""

    op: dict[str, Any] | None
    refused: Invalid | None


def admit(op: dict[str, Any]) -> Admission:
    """Whether an operation read from a device's files may merge, and in what form."""
    invalid = schema.check_op(op)
    if invalid is not None:
        return Admission(None, invalid)
    return Admission(schema.known_fields(op), None)
