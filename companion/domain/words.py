"""How the receiver's word on a care action reads, on either side: the receiver's own labels,
and the sentence the giver sees ("Sam's word on last week: …")."""

from __future__ import annotations

from collections.abc import Sequence

# How the receiver names each verdict (a stored "missed" reads as "didn't reach me").
VERDICT_LABELS = {"landed": "landed", "missed": "didn't reach me", "not-needed": "not needed"}
# The verdicts as typed on the command line: the app's own words first, then the stored
# name, which stays accepted (scripts use it) and is what `--json` prints.
VERDICT_WORDS = {
    "landed": "landed",
    "didnt-reach-me": "missed",
    "not-needed": "not-needed",
    "missed": "missed",
}


def giver_verdict(verdict: str, receiver: str) -> str:
    """A verdict as the giver reads it."""
    return {
        "landed": "landed",
        "missed": f"didn't reach {receiver}",
        "not-needed": "wasn't needed",
    }.get(verdict, verdict)


def their_word(receiver: str, said: Sequence[tuple[str, str, str | None]], when: str) -> str:
    """One kind sentence from the receiver's reviews: (title, verdict, their few words) each.

    Where something didn't land, the giver is asked what to do with it, never told off.
    """
    parts = []
    for title, verdict, note in said:
        part = f"‘{title}’ {giver_verdict(verdict, receiver)}"
        if note:
            part += f" (what would help instead: {note})"
        parts.append(part)
    text = f"{receiver}'s word on {when}: " + "; ".join(parts)
    if any(verdict != "landed" for _, verdict, _ in said):
        text += " — keep, change or retire?"
    return text
