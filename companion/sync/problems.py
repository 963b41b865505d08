"""What a sync pass found wrong with one device's files, as it is kept and as it is shown.

The replica's meta keeps problems as plain dicts (`replica.meta("problems")`); this is their
one typed shape for reading them back and for showing them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

# The kinds of problem a pass reports (verify names its findings after them too).
DAMAGED = "damaged"
FORKED = "forked"
ROLLED_BACK = "rolled-back"
FOREIGN_OPS = "foreign-ops"
SHARED_ID = "shared-id"
STUCK = "stuck"
# Changes that open but hold a value their record can't (a field of the wrong type or out of
# range): kept aside, never merged or shown.
INVALID = "invalid"
# Changes their author may not make (another's note rewritten, an acceptance forged): kept
# aside, never merged or shown.
NOT_ALLOWED = "not-allowed"
# Changes a device made out as someone else's (an author who doesn't own the device, a device
# record written for another device or with another key): kept aside, never merged or shown.
FORGED = "forged"
# A file that opens but that its device can't have written: signed with another key than the
# one pinned for it, or unsigned after its first signed file.
SIGNER = "signer"
# Changes dated more than a day ahead of every clock here: held until the clocks agree.
FUTURE = "future"
# More changes kept aside (held, waiting, refused) arrived from a device than are kept.
OVERFLOW = "too-many"
# A partner's check-in whose shared key doesn't open it (it would stay sealed unsaid).
UNOPENED = "unopened"
# The other partner's name reads as this device's partner's: shown with a mark (names.py).
SAME_NAME = "same-name"
# An approval naming a device no file holds a record of.
UNKNOWN_DEVICE = "unknown-device"
# A device not confirmed yet: its changes are held until a trusted device approves it.
UNCONFIRMED = "unconfirmed"

# Where companion keeps a folder (its space folder, `devices`, a device's folder, `aside`)
# there is a link, a file or the like: nothing is written there until it is a folder again.
NOT_A_FOLDER = "not-a-folder"
# An entry in the shared folder that is not a regular file (a link, FIFO, socket, device, or
# a folder named like a file): never read, followed or moved.
UNKNOWN_ENTRY = "unknown-entry"


class Problem(NamedTuple):
    """One device's segment that sync couldn't take in as it is (forked, damaged, …)."""

    kind: str
    device: str
    seq: int
    message: str

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> Problem:
        """A problem as the replica's meta keeps it; missing parts read as empty."""
        return cls(
            stored.get("kind", ""),
            stored.get("device", ""),
            stored.get("seq", 0),
            stored.get("message", ""),
        )

    def to_dict(self) -> dict[str, Any]:
        """The shape kept in the replica's meta and shown by `status --json`."""
        return {"kind": self.kind, "device": self.device, "seq": self.seq, "message": self.message}

    @property
    def key(self) -> tuple[str, str, int]:
        """What tells one problem from another: noticed again, it is the same problem."""
        return (self.kind, self.device, self.seq)

    @property
    def short_device(self) -> str:
        """The device's id as problems name it to a person (its first eight characters)."""
        return self.device[:8]

    @property
    def where(self) -> str:
        """Whose files a message is about: "device 1a2b3c4d", or the shared folder itself."""
        return f"device {self.short_device}" if self.device else "shared folder"
