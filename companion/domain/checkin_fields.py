"""The weekly check-in's questions: each answer's field, how it is asked, how it is named.

One list for every place that asks, checks or shows a check-in (the TUI's form and cards,
history, the export, the messages about an answer that can't be kept).
"""

from __future__ import annotations

from typing import NamedTuple


class CheckinField(NamedTuple):
    name: str  # the check-in record's field
    question: str  # how the check-in asks it, and heads the answer where it is shown
    label: str  # how a sentence names it: "The {label} is empty."


# In the order they are asked and shown: that of a good weekly talk (thanks, what worked, one
# issue, one request; prompts.py guides these four), then how much I have to give this week.
CHECKIN_QUESTIONS = (
    CheckinField("supported", "A moment I felt supported", "moment you felt supported"),
    CheckinField("victory", "What went right", "small victory"),
    CheckinField("attention", "Needs more attention", "area needing more attention"),
    CheckinField("request", "My request for next week", "request for next week"),
    CheckinField("energy", "My energy this week", "energy"),
    CheckinField("limits", "Limits to respect", "limits to respect"),
    # In each other's words: after the reveal, each guess is read beside what the other wrote
    # about their own week (`PAIRED`).
    CheckinField("my_week", "How this week felt for me", "word on how your week felt"),
    CheckinField(
        "their_week", "How I think the week felt for my partner", "guess at your partner's week"
    ),
)
CHECKIN_FIELDS = tuple(field.name for field in CHECKIN_QUESTIONS)
CHECKIN_LABELS = {field.name: field.label for field in CHECKIN_QUESTIONS}
QUESTIONS = {field.name: field.question for field in CHECKIN_QUESTIONS}
# The role-reversal pair: my guess at my partner's week, read beside their own word on it.
GUESS, OWN_WORD = "their_week", "my_week"
PAIRED = frozenset({GUESS, OWN_WORD})
# How each energy answer reads where it is shown.
ENERGY_LABELS = {
    1: "running on empty",
    2: "low",
    3: "steady",
    4: "good",
    5: "plenty to give",
}
