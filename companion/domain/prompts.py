"""The check-in's guided steps and the prompts that rotate through them, week by week.

A prompt is optional help beside a step's answer, never a field of its own. Each couple
gets one prompt per step each week, the same on both partners' devices (it depends only on
the check-in week and a seed they share), and no prompt comes back to a step within
REST_WEEKS weeks.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from companion.domain.prompt_library import LIBRARY

# No prompt comes back to a step sooner than this many weeks after it was offered.
REST_WEEKS = 12


class Step(NamedTuple):
    field: str  # the check-in record's field this step's answer goes in
    title: str  # the step's name, as the form and the shell head it


# The order of a good weekly talk: thanks first, then what worked, one issue, one request.
STEPS = (
    Step("supported", "Appreciation"),
    Step("victory", "What went right"),
    Step("attention", "One thing needing attention"),
    Step("request", "One request"),
)


class Prompt(NamedTuple):
    step: Step
    number: int  # the prompt's place in its step's library, from 0
    template: str  # the words, with {partner} where the partner's name goes

    def text(self, partner: str) -> str:
        """The prompt in the words a person reads, with the partner's name in it."""
        return self.template.replace("{partner}", partner)


def couple_seed(space_id: str) -> bytes:
    """The seed a couple's prompts rotate by: from their space id, which both devices hold."""
    import hashlib  # here: the first paint shows no prompts

    return hashlib.sha256(f"companion prompts v1|{space_id}".encode()).digest()


def week_prompts(week: str, seed: bytes) -> list[Prompt]:
    """This week's prompt for each step, in the steps' order."""
    return [prompt_for(step, week, seed) for step in STEPS]


def prompt_for(step: Step, week: str, seed: bytes) -> Prompt:
    """One step's prompt in a week ('YYYY-Www'): the same for any device given the same seed.

    The weeks run on without a break across years (week 52 or 53, then week 1), in cycles as
    long as the step's library: each prompt comes once a cycle. A cycle's places are cut into
    a few blocks of at most `len(library) - REST_WEEKS + 1`; which prompts make up a block is
    the couple's own and stays, only their order within the block changes from cycle to
    cycle. So a prompt offered at place i of a block [s, e) comes back no sooner than at
    place s of the next cycle: `len(library) - i + s >= len(library) - (e - s - 1)`, which
    is at least REST_WEEKS.
    """
    library = LIBRARY[step.field]
    size = len(library)
    index = _week_number(week) + _number(_digest(seed, step.field, "start")) % size
    cycle, place = divmod(index, size)
    dealt = sorted(range(size), key=lambda n: _digest(seed, step.field, "deal", n))
    start, end = _block_around(place, size)
    shuffled = sorted(dealt[start:end], key=lambda n: _digest(seed, step.field, cycle, n))
    number = shuffled[place - start]
    return Prompt(step, number, library[number])


def _week_number(week: str) -> int:
    """Weeks since the calendar began, counted through year ends without a gap."""
    year, _, num = week.partition("-W")
    monday = dt.date.fromisocalendar(int(year), int(num), 1)
    return (monday.toordinal() - 1) // 7


def _block_around(place: int, size: int) -> tuple[int, int]:
    """The block of a cycle's places that `place` falls in: as even as they can be, none
    longer than `size - REST_WEEKS + 1`."""
    longest = size - REST_WEEKS + 1
    count = -(-size // longest)
    base, extra = divmod(size, count)
    start = 0
    for block in range(count):
        end = start + base + (1 if block < extra else 0)
        if place < end:
            return start, end
        start = end
    raise ValueError(f"place {place} is outside a cycle of {size}")


def _digest(seed: bytes, *parts: object) -> bytes:
    import hashlib

    return hashlib.sha256(seed + "|".join(map(str, parts)).encode()).digest()


def _number(digest: bytes) -> int:
    return int.from_bytes(digest[:8], "big")
