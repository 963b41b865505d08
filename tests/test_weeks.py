"""Check-ins pair across time zones: the space's time zone files them under one week."""

from __future__ import annotations

import datetime as dt
import json
import time
from zoneinfo import ZoneInfo

import pytest

from companion import service
from companion.domain.ids import iso_week
from companion.domain.weeks import WEEK_ZONE, day_at, week_at, zone_named
from companion.service import clock as service_clock
from companion.tui.read import settings as read_settings

from .syncsim import PASS, fast_kdf

AUCKLAND, LOS_ANGELES = "Pacific/Auckland", "America/Los_Angeles"
# Monday 19:30 in Auckland, Sunday 22:30 in Los Angeles: one evening for both of them.
EVENING = "2026-11-30T06:30:00+00:00"
EVENING_MS = int(dt.datetime.fromisoformat(EVENING).timestamp() * 1000)


def test_the_evening_falls_in_two_weeks_by_local_calendars():
    """The case the space's zone is for: each partner's own calendar says another week."""
    here = {iso_week(day_at(EVENING_MS, ZoneInfo(z))) for z in (AUCKLAND, LOS_ANGELES)}
    assert here == {"2026-W48", "2026-W49"}
    assert week_at(EVENING_MS, ZoneInfo(AUCKLAND)) == "2026-W49"
    assert week_at(EVENING_MS, ZoneInfo(LOS_ANGELES)) == "2026-W48"


def test_only_real_zone_names_are_taken():
    assert zone_named(AUCKLAND) is not None and zone_named("UTC") is not None
    for odd in (
        None,
        "",
        3,
        ["UTC"],
        "Mars/Olympus",
        "../../etc/passwd",
        "/etc/localtime",
        "x" * 99,
    ):
        assert zone_named(odd) is None


def checkin(partner, zone: str, supported: str):
    return partner.ok(
        "checkin",
        "--supported",
        supported,
        "--attention",
        "When the week got busy, I felt far away",
        TZ=zone,
        COMPANION_NOW=EVENING,
    )


@pytest.mark.parametrize("maker", [AUCKLAND, LOS_ANGELES])
def test_checkins_from_auckland_and_los_angeles_on_one_evening_pair(make_partner, maker):
    alex, sam = make_partner("alex"), make_partner("sam")
    other = LOS_ANGELES if maker == AUCKLAND else AUCKLAND
    alex.ok("init", str(alex.shared), "--name", "Alex", TZ=maker)
    sam.ok("join", str(sam.shared), "--name", "Sam", TZ=other)
    alex.ok("sync", TZ=maker)
    week = week_at(EVENING_MS, ZoneInfo(maker))
    assert f"for {week} is saved" in checkin(alex, maker, "the tea in bed").out
    sam.ok("sync", TZ=other, COMPANION_NOW=EVENING)
    result = checkin(sam, other, "the long call")
    assert f"for {week} is saved" in result.out and "Alex's is in too" in result.out
    alex.ok("sync", TZ=maker, COMPANION_NOW=EVENING)
    sam.ok("sync", TZ=other, COMPANION_NOW=EVENING)
    for partner, zone in ((alex, maker), (sam, other)):
        listed = json.loads(
            partner.ok("list", "checkins", "--json", TZ=zone, COMPANION_NOW=EVENING).out
        )
        assert {c["week"] for c in listed} == {week}
        assert {c["supported"] for c in listed} == {"the tea in bed", "the long call"}, listed
        status = json.loads(partner.ok("status", "--json", TZ=zone, COMPANION_NOW=EVENING).out)
        assert status["checkin"] == {"week": week, "waiting_for": "nobody"}


def test_init_refuses_a_zone_that_does_not_exist(make_partner):
    alex = make_partner("alex")
    result = alex.run("init", str(alex.shared), "--name", "Alex", "--timezone", "Mars/Olympus")
    assert result.code == 1 and "no time zone called 'Mars/Olympus'" in result.err


def test_init_takes_a_chosen_zone(make_partner):
    alex, sam = make_partner("alex"), make_partner("sam")
    alex.ok("init", str(alex.shared), "--name", "Alex", "--timezone", LOS_ANGELES, TZ=AUCKLAND)
    sam.ok("join", str(sam.shared), "--name", "Sam", TZ=AUCKLAND)
    result = checkin(sam, AUCKLAND, "the walk")
    assert f"for {week_at(EVENING_MS, ZoneInfo(LOS_ANGELES))} is saved" in result.out


@pytest.fixture
def local_zone(monkeypatch):
    """Set this process's own time zone, and put it back afterwards."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


def test_a_space_without_a_zone_files_by_the_local_calendar(tmp_path, monkeypatch, local_zone):
    fast_kdf(monkeypatch)
    local_zone(LOS_ANGELES)
    monkeypatch.setattr(service.space, "local_zone_name", lambda: None)
    folder = tmp_path / "shared"
    folder.mkdir()
    session = service.init_space(tmp_path / "home", folder, "Alex", PASS, lambda: EVENING_MS)
    assert session.week_zone() is None
    assert session.checkin_week() == iso_week(session.today()) == "2026-W48"
    record = session.checkin(supported="the soup", attention="When it rained, I felt low")
    assert record.get("week") == "2026-W48"


def test_settings_names_the_zone_only_where_weeks_turn_at_another_hour(
    tmp_path, monkeypatch, local_zone
):
    fast_kdf(monkeypatch)
    local_zone(LOS_ANGELES)
    assert service_clock.local_zone_name() == LOS_ANGELES
    folder = tmp_path / "shared"
    folder.mkdir()
    session = service.init_space(
        tmp_path / "home", folder, "Alex", PASS, lambda: EVENING_MS, week_zone=AUCKLAND
    )
    assert session.replica.get(session.me, "partner").get(WEEK_ZONE) == AUCKLAND
    view = read_settings.settings(session)
    assert view.week_zone == AUCKLAND
    assert AUCKLAND in read_settings.week_zone_note(view.week_zone)
    local_zone(AUCKLAND)
    assert read_settings.settings(session).week_zone is None
