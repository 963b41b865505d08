"""What a partner's app could once make this device ignore without a word is reported
(issue 12): an approval naming no device, a check-in key that doesn't open its check-in."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from companion import views
from companion.domain import model as m
from companion.domain.ids import checkin_id
from companion.domain.sealed_fields import sealed_tag
from companion.service.devices import approval_id
from companion.store import crypto
from companion.sync.problems import UNKNOWN_DEVICE, UNOPENED

from .syncsim import World, partners
from .test_horizon import write_as
from .test_signing import exchange


@pytest.fixture
def couple(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return partners(tmp_path, monkeypatch)


def problems_of(session, kind: str) -> list[dict]:
    return [p for p in session.replica.meta("problems", []) if p["kind"] == kind]


def test_an_approval_naming_no_device_is_reported(couple: World) -> None:
    alex, sam = (d.session for d in couple.devices)
    ghost = "ab" * 8
    fields = {"device": ghost, "key": "0" * 64, "partner": sam.me}
    write_as(sam, [sam.op("create", approval_id(sam.device_id, ghost), m.APPROVAL, fields)])
    exchange(couple)
    [problem] = problems_of(alex, UNKNOWN_DEVICE)
    assert problem["device"] == sam.device_id and ghost[:8] in problem["message"]
    assert "modified app" in views.status_text(views.status_data(alex))


def test_a_checkin_key_that_doesnt_open_it_is_reported_until_it_is_saved_again(
    couple: World,
) -> None:
    alex, sam = (d.session for d in couple.devices)
    week = sam.checkin_week()
    rid = checkin_id(sam.me, week)
    sealed = base64.b64encode(os.urandom(200)).decode()
    bogus = {"for": sealed_tag(sealed), "k": crypto.b64e(os.urandom(32))}
    write_as(sam, [sam.op("create", rid, m.CHECKIN, {"week": week, "sealed": sealed,
                                                     "key": bogus})])  # fmt: skip
    exchange(couple)
    [problem] = problems_of(alex, UNOPENED)
    assert week in problem["message"] and "save that week's check-in again" in problem["message"]
    assert "doesn't open it" in views.status_text(views.status_data(alex))
    # Sam's own app saves it again: a new key is shared, it opens, the problem goes
    sam.checkin(week, supported="the soup", attention="sleep")
    exchange(couple)
    assert not problems_of(alex, UNOPENED)
    opened = alex.checkin_state(week).theirs
    assert opened is not None and opened.get("supported") == "the soup"


def test_a_checkin_merged_before_keys_were_checked_is_reported_once_looked_at(
    couple: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alex's app, from before the check, merged Sam's check-in with a key that doesn't open
    it and said nothing; the first sync after the update looks at it, and only once."""
    from companion.service.checkins import CHECKINS_LOOKED_AT, CheckinsPart

    alex, sam = (d.session for d in couple.devices)
    week = sam.checkin_week()
    rid = checkin_id(sam.me, week)
    sealed = base64.b64encode(os.urandom(200)).decode()
    bogus = {"for": sealed_tag(sealed), "k": crypto.b64e(os.urandom(32))}
    write_as(sam, [sam.op("create", rid, m.CHECKIN, {"week": week, "sealed": sealed,
                                                     "key": bogus})])  # fmt: skip
    with monkeypatch.context() as old_app:
        old_app.setattr(CheckinsPart, "note_unopened_checkins", lambda self, ops: None)
        old_app.setattr(CheckinsPart, "check_earlier_checkins", lambda self: None)
        exchange(couple)
    alex.replica.set_meta(**{CHECKINS_LOOKED_AT: None})  # a copy from before the check
    assert alex.replica.get(rid, m.CHECKIN) is not None and not problems_of(alex, UNOPENED)
    alex.sync()
    [problem] = problems_of(alex, UNOPENED)
    assert week in problem["message"] and "save that week's check-in again" in problem["message"]
    assert "doesn't open it" in views.status_text(views.status_data(alex))
    assert alex.replica.meta(CHECKINS_LOOKED_AT) is True
    looked: list[int] = []
    monkeypatch.setattr(CheckinsPart, "note_unopened_checkins",
                        lambda self, ops: looked.append(len(ops)))  # fmt: skip
    alex.sync()
    assert looked == []  # once per copy: later passes look only at what arrives
