"""The one gate every operation from the shared folder passes before it may merge.

The engine asks `admit` once per operation read from a device's files (the partner's and this
device's own: a restored or copied profile could have written anything). Today it checks the
operation against its record type's schema; `admit_changes` then judges the whole pass's
admitted operations against the owners of the records they change (that needs the other
operations of the pass, so it can't be asked of one operation alone). The check of whose
signature a change carries belongs here too, so that every refusal is kept and reported alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from companion.domain import schema
from companion.domain.schema import Invalid
from companion.sync.ownership import Arrival, Judged, OwnerLookup, judge_all


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


def admit_changes(
    arrivals: list[Arrival],
    owners: OwnerLookup,
    partners: Iterable[str],
) -> Judged:
    """Who may change what: the pass's admitted operations judged against their records'
    owners (`owners` looks up those already merged). Refused ones are kept and reported like
    the schema's; those whose record hasn't arrived yet wait for it."""
    return judge_all(arrivals, owners, partners)
