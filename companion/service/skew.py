"""Whether another device's clock is far from ours, told to a person with what to do.

Stamps from elsewhere may sit a little ahead of our clock (the clocks follow each other up to
a day, `MAX_DRIFT_MS`), and a sync tool's delays only ever make them older. A device whose
newest stamps lie more than that day ahead of this computer's time has a clock set wrong,
or ours is: the edits still land in the right order (see hlc.py), but the times shown, the
days notes were written and ticks were made, are off until someone sets the date right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from companion.domain import model as m
from companion.domain.hlc import MAX_DRIFT_MS, stamp_ms
from companion.service.core import SessionCore

# Past this, the clocks disagree: our clock no longer follows theirs (see MAX_DRIFT_MS).
FAR_APART_MS = MAX_DRIFT_MS
_HOUR_MS = 60 * 60 * 1000


@dataclass(frozen=True)
class ClockSkew:
    """Another device whose newest changes are stamped far ahead of this computer's clock."""

    device: str
    owner: str  # the name of the partner whose device it is
    mine: bool  # another device of my own
    label: str
    ahead_ms: int

    @property
    def amount(self) -> str:
        hours = round(self.ahead_ms / _HOUR_MS)
        if hours < 48:
            return f"about {hours} hours"
        return f"about {round(hours / 24)} days"

    @property
    def whose(self) -> str:
        return f"your {self.label}" if self.mine else f"{self.owner}'s {self.label}"

    @property
    def message(self) -> str:
        return (
            f"The changes from {self.whose} are dated {self.amount} ahead of this computer's "
            "clock: one of the two clocks is set wrong."
        )

    @property
    def hint(self) -> str:
        other = "your other device" if self.mine else f"{self.owner}'s"
        return (
            f"Check the date and time on this computer and on {other}; nothing is lost "
            "meanwhile, but times shown may be off."
        )

    def to_dict(self) -> dict[str, Any]:
        """The shape `status --json` shows."""
        return {
            "device": self.device,
            "owner": self.owner,
            "mine": self.mine,
            "label": self.label,
            "ahead_hours": round(self.ahead_ms / _HOUR_MS, 1),
            "message": self.message,
            "hint": self.hint,
        }


class SkewPart(SessionCore):
    """How this device's clock stands against the others', for a Session."""

    def clock_skew(self) -> ClockSkew | None:
        """The device whose newest stamps are furthest ahead of our clock, if far ahead."""
        now = self.now()
        names = self.partners()
        worst: ClockSkew | None = None
        for device_id, cursor in self.cursors().items():
            last = cursor.get("last_hlc")
            if device_id == self.device_id or not isinstance(last, str) or not last:
                continue
            try:
                ahead = stamp_ms(last) - now
            except ValueError:
                continue
            if ahead <= FAR_APART_MS or (worst is not None and ahead <= worst.ahead_ms):
                continue
            device = self.replica.get(device_id, m.DEVICE)
            owner = device.get("partner") if device is not None else None
            label = device.get("label") if device is not None else None
            worst = ClockSkew(
                device=device_id,
                owner=names.get(owner or "", "your partner"),
                mine=owner == self.me,
                label=label if isinstance(label, str) and label else "device",
                ahead_ms=ahead,
            )
        return worst
