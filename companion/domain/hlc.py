"""Hybrid logical clock stamps: (wall ms, counter, device id), sortable as plain strings.

The clock is pure: callers pass the wall time in, so tests and merges never read a clock.
"""

from __future__ import annotations

from dataclasses import dataclass

# A remote stamp further ahead than this is merged but never drags our clock along.
MAX_DRIFT_MS = 24 * 60 * 60 * 1000
_WALL_DIGITS = 15
_COUNTER_DIGITS = 6


def format_stamp(wall_ms: int, counter: int, device: str) -> str:
    return f"{wall_ms:0{_WALL_DIGITS}d}.{counter:0{_COUNTER_DIGITS}d}.{device}"


def parse_stamp(stamp: str) -> tuple[int, int, str]:
    wall, counter, device = stamp.split(".", 2)
    if len(wall) != _WALL_DIGITS or len(counter) != _COUNTER_DIGITS or not device:
        raise ValueError(f"not a clock stamp: {stamp!r}")
    return int(wall), int(counter), device


def stamp_ms(stamp: str) -> int:
    return int(stamp[:_WALL_DIGITS])


@dataclass
class Clock:
    """One device's hybrid logical clock."""

    device: str
    wall_ms: int = 0
    counter: int = 0

    def tick(self, now_ms: int) -> str:
        """A new stamp, later than every stamp this clock has made or accepted."""
        if now_ms > self.wall_ms:
            self.wall_ms, self.counter = now_ms, 0
        else:
            self.counter += 1
        return format_stamp(self.wall_ms, self.counter, self.device)

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
