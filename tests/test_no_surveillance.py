"""Nothing one partner sees tells when the other was active or read something (DESIGN §10).

No read receipts on sent notes (that one *landed* the receiver chooses to say), no pop-up per
partner tick, no activity times of anyone's devices in `status`.
"""

from __future__ import annotations

import json
import re

from companion.tui.read.tonight import NoteRow
from companion.tui.widgets.new_notes import note_content

ACTIVITY = re.compile(r"last.?activ|was last|activity", re.IGNORECASE)


def test_status_tells_no_activity_times(couple) -> None:
    alex, sam = couple
    sam.ok("add", "gratitude", "Thank you for the tea")
    sam.ok("add", "care", "Make tea in the evening")
    sam.ok("tick", "make tea")
    # (The folder's path is taken out: a test's folder is named after the test.)
    text = alex.ok("status").out.replace(str(alex.shared), "FOLDER")
    assert not ACTIVITY.search(text), text
    data = alex.ok("status", "--json").json()
    shown = json.dumps(data).replace(str(alex.shared), "FOLDER").replace(str(alex.home), "HOME")
    assert not ACTIVITY.search(shown), data
    assert all(set(device) >= {"id", "partner", "label"} for device in data["devices"])


def test_a_sent_note_carries_no_read_receipt(couple) -> None:
    alex, sam = couple
    alex.ok("add", "gratitude", "Thank you for walking with me")
    sam.ok("list", "gratitude")  # Sam reads it: Sam's app marks it read
    sam.ok("sync")
    [sent] = alex.ok("list", "gratitude", "--json").json()
    assert "read" not in sent
    assert "new" not in alex.ok("list", "gratitude").out
    [received] = sam.ok("list", "gratitude", "--json").json()
    assert "read" in received, "the receiver's own read state stays theirs"


def test_tonight_shows_no_read_mark_on_a_sent_note() -> None:
    sent = NoteRow("id", "Thank you", "Alex", "Sam", "today", new=False, landed=False)
    assert "read" not in note_content(sent, received=False).plain


def test_a_partners_tick_is_not_announced(couple) -> None:
    alex, sam = couple
    sam.ok("add", "care", "Make tea in the evening")
    alex.ok("watch", "--once")
    sam.ok("tick", "make tea")
    watched = alex.ok("watch", "--once")  # its pass brings the tick in and says what arrived
    said = (watched.out + watched.err).replace(str(alex.shared), "FOLDER")
    assert "tick" not in said.lower() and "other devices" not in said, said
    [tick] = alex.ok("list", "ticks", "--json", "--offline").json()
    assert tick["author"] == "Sam", "the tick did arrive"
