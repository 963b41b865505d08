"""Finding the record a person means: an id prefix or a few words of its title."""

from __future__ import annotations

from collections.abc import Callable

from companion.domain.records import Record
from companion.errors import UsageError

Title = Callable[[Record], str]


def title_of(record: Record) -> str:
    """The words a person knows a record by, whatever its type."""
    return record.get("title") or record.get("text") or record.get("name") or ""


def matches(ref: str, record: Record, title: Title) -> bool:
    needle = ref.strip().lower()
    return record.id.lower().startswith(needle) or needle in title(record).lower()


def resolve(ref: str, candidates: list[Record], title: Title, what: str) -> Record:
    """An id prefix or a unique, case-insensitive part of the title; else a helpful error."""
    needle = (ref or "").strip().lower()
    if not needle:
        raise UsageError(f"Say which {what}: an id prefix or a few words of it.")
    by_id = [r for r in candidates if r.id.lower().startswith(needle)]
    if len(by_id) == 1:
        return by_id[0]
    exact = [r for r in candidates if title(r).strip().lower() == needle]
    if len(exact) == 1:
        return exact[0]
    found = by_id or [r for r in candidates if needle in title(r).lower()]
    if len(found) == 1:
        return found[0]
    if not found:
        listing = "\n".join(f"  {r.id[:8]}  {title(r)}" for r in candidates[:20])
        raise UsageError(
            f"No {what} matches '{ref}'.",
            f"These are the candidates:\n{listing}" if candidates else f"There is no {what} yet.",
        )
    listing = "\n".join(f"  {r.id[:8]}  {title(r)}" for r in found[:20])
    raise UsageError(
        f"'{ref}' matches {len(found)} of them.",
        f"Say which with more words or an id prefix:\n{listing}",
    )
