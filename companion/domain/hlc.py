"""Hybrid logical clock stamps: (wall ms, counter, device id), sortable as plain strings.

The clock is pure: callers pass the wall time in, so tests and merges never read a clock.
Causality holds whatever the clocks: a change to a record is stamped above every stamp the
record already holds (`Clock.stamp_above`), even one from far ahead that the clock itself
refuses to follow, so an edit made after seeing a value always wins over that value.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.errors import DataError

# A remote stamp further ahead than this is merged but never drags our clock along.
MAX_DRIFT_MS = 24 * 60 * 60 * 1000
_WALL_DIGITS = 15
_COUNTER_DIGITS = 6
_MAX_WALL = 10**_WALL_DIGITS - 1
_MAX_COUNTER = 10**_COUNTER_DIGITS - 1


class ClockExhausted(DataError):
    """This clock has no later stamp to give: it stands at the last millisecond there is."""

    def __init__(self) -> None:
        super().__init__(
            "This computer's clock reads a time past the year 33658, the last one companion "
            "can date a change by, so nothing was changed.",
            "Set the date and time on this computer right, then try again.",
        )


def format_stamp(wall_ms: int, counter: int, device: str) -> str:
    return f"{wall_ms:0{_WALL_DIGITS}d}.{counter:0{_COUNTER_DIGITS}d}.{device}"


def parse_stamp(stamp: str) -> tuple[int, int, str]:
    wall, counter, device = stamp.split(".", 2)
    # ASCII digits only: int() also takes other scripts' digits, which sort above "9"
    digits = wall + counter
    if (
        len(wall) != _WALL_DIGITS
        or len(counter) != _COUNTER_DIGITS
        or not device
        or not (digits.isascii() and digits.isdigit())
    ):
        raise ValueError(f"not a clock stamp: {stamp!r}")
    return int(wall), int(counter), device


def stamp_ms(stamp: str) -> int:
    return int(stamp[:_WALL_DIGITS])


def next_after(stamp: str, device: str) -> str | None:
    """The first stamp of `device` that sorts above `stamp` (None past the last one there is).

    Same wall time, next counter: it records that this change followed that one without
    claiming that any clock read a later time.
    """
    wall, counter, _ = parse_stamp(stamp)
    counter += 1
    if counter > _MAX_COUNTER:
        wall, counter = wall + 1, 0
    if wall > _MAX_WALL:
        return None
    return format_stamp(wall, counter, device)


@dataclass
class Clock:
    """One device's hybrid logical clock."""

    device: str
    wall_ms: int = 0
    counter: int = 0

    def tick(self, now_ms: int) -> str:
        """A new stamp, later than every stamp this clock has made or accepted.

        A clock reading past the last millisecond a stamp holds counts as that millisecond;
        once its counter is spent too there is no later stamp, and ClockExhausted says so
        (nothing is written) rather than a stamp of another form, which every reader refuses.
        """
        now_ms = min(now_ms, _MAX_WALL)
        if now_ms > self.wall_ms:
            self.wall_ms, self.counter = now_ms, 0
        elif self.counter < _MAX_COUNTER:
            self.counter += 1
        elif self.wall_ms < _MAX_WALL:  # a counter run up from elsewhere: the next ms
            self.wall_ms, self.counter = self.wall_ms + 1, 0
        else:
            raise ClockExhausted()
        return format_stamp(self.wall_ms, self.counter, self.device)

    def stamp_above(self, now_ms: int, floor: str | None) -> str:
        """A new stamp for a change that replaces what `floor` stamped (a record's newest).

        It is our clock's next stamp, or, when `floor` is further ahead than the clock will
        follow, the first stamp above `floor`: the change wins over what it replaces, and the
        clock stays where it is for every other record.
        """
        if floor is not None:
            self.observe(floor, now_ms)
        stamp = self.tick(now_ms)
        if floor is None or stamp > floor:
            return stamp
        return next_after(floor, self.device) or stamp

    def observe(self, stamp: str, now_ms: int) -> None:
        """Move past a stamp seen from elsewhere, unless it is implausibly far ahead."""
        wall, counter, _ = parse_stamp(stamp)
        if wall > now_ms + MAX_DRIFT_MS:
            return
        if wall > self.wall_ms:
            self.wall_ms, self.counter = wall, counter
        elif wall == self.wall_ms and counter > self.counter:
            self.counter = counter

    @property
    def last(self) -> str:
        return format_stamp(self.wall_ms, self.counter, self.device)
