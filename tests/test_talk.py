"""After the reveal: role reversal (each guess beside the other's own word on their week), "how
did that go?" kept sealed unless shared, and one focus for next week that both see and the next
check-in starts from. Two profiles through the real sync path (tests/syncsim.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.domain import model as m
from companion.domain import rights, schema
from companion.domain.ids import focus_id, next_week, reflection_id
from companion.domain.records import make_op
from companion.errors import UsageError
from companion.service import arrivals as a
from companion.tui.read import checkin as read_checkin
from companion.tui.read import talk as read_talk

from . import syncsim

WEEK_MS = 7 * 24 * 3600 * 1000


def _exchange(world: syncsim.World) -> None:
    """Everything each device has written reaches the other (twice: keys follow check-ins)."""
    for _ in range(2):
        for device in world.devices:
            device.session.sync()
        world.deliver_all()
    for device in world.devices:
        device.session.sync()


def _both_check_in(world: syncsim.World, alex_extra: dict, sam_extra: dict) -> None:
    alex, sam = world.devices[0].session, world.devices[1].session
    alex.checkin(supported="tea on Tuesday", attention="late plans", energy=2, **alex_extra)
    sam.checkin(supported="the walk", attention="the dishes", energy=4, **sam_extra)
    _exchange(world)


@pytest.fixture
def couple(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> syncsim.World:
    return syncsim.partners(tmp_path, monkeypatch)


@pytest.fixture
def couple_cli(make_partner):
    """Alex and Sam through the real `companion` command, their space made a while ago."""
    alex, sam = make_partner("alex"), make_partner("sam")
    made = "2026-11-02T20:00:00"
    alex.ok("init", str(alex.shared), "--name", "Alex", COMPANION_NOW=made)
    sam.ok("join", str(sam.shared), "--name", "Sam", COMPANION_NOW=made)
    alex.ok("sync", COMPANION_NOW=made)
    return alex, sam


# -- in your partner's words -----------------------------------------------------------------


def test_each_guess_stays_sealed_then_shows_beside_the_others_own_word(couple) -> None:
    alex, sam = couple.devices[0].session, couple.devices[1].session
    alex.checkin(
        supported="tea", attention="late plans", my_week="long and lonely", their_week="busy"
    )
    _exchange(couple)
    # Sam's app holds Alex's check-in, but can't open it until Sam's own is in.
    theirs = sam.checkin_state().theirs
    assert theirs is not None and theirs.get("sealed") is True
    assert "their_week" not in theirs.fields and "busy" not in json.dumps(theirs.fields)

    sam.checkin(
        supported="a walk", attention="dishes", my_week="heavy, then lighter", their_week="lonely"
    )
    _exchange(couple)
    for session, guess, own in (
        (alex, "busy", "heavy, then lighter"),
        (sam, "lonely", "long and lonely"),
    ):
        view = read_checkin.checkin(session)
        assert view.talk is not None and view.talk.ready
        mine_pair, their_pair = view.talk.pairs
        # my guess at their week, beside what they wrote about it themselves
        assert (mine_pair.guessed_by, mine_pair.guess, mine_pair.own) == ("You", guess, own)
        assert their_pair.whose == "your"


def test_an_older_checkin_without_the_new_answers_still_opens_and_shows(couple) -> None:
    alex, _sam = couple.devices[0].session, couple.devices[1].session
    _both_check_in(couple, {}, {})
    view = read_checkin.checkin(alex)
    assert view.theirs is not None and view.theirs["supported"] == "the walk"
    mine_pair, their_pair = view.talk.pairs
    assert mine_pair.guess is None
    # without their own word on the week, their energy stands in
    assert mine_pair.own == "(energy 4 of 5 · good)"
    assert their_pair.own == "(energy 2 of 5 · low)"


@settings(max_examples=60, deadline=None)
@given(
    value=st.one_of(
        st.text(max_size=2100),
        st.integers(),
        st.none(),
        st.lists(st.text(max_size=3), max_size=2),
    )
)
def test_the_new_answers_are_checked_like_the_others_when_opened(value) -> None:
    for name in ("my_week", "their_week"):
        opened = schema.checkin_answers({"supported": "tea", name: value})
        ok = isinstance(value, str)
        if ok:
            try:
                m.clean_text(value, "answer")
            except UsageError:
                ok = False
        assert (name in opened) == ok, (name, value)
        # the same bound as every other answer
        assert (name in opened) == (schema.checkin_answers({"victory": value}) != {})


def test_the_cli_takes_both_answers_and_the_list_shows_them(couple, tmp_path: Path) -> None:
    alex, sam = couple.devices[0].session, couple.devices[1].session
    _both_check_in(couple, {"my_week": "a long one", "their_week": "I think busy"}, {})
    shown = next(r for r in alex.checkins() if r.author == alex.me)
    from companion.views import text_line

    line = text_line(alex, shown)
    assert "how the week felt: a long one" in line and "guessed: I think busy" in line
    too_long = "x" * (m.MAX_TEXT + 1)
    with pytest.raises(UsageError):
        sam.checkin(supported="a", attention="b", their_week=too_long)


# -- how did that go? -----------------------------------------------------------------------


def test_how_it_went_is_private_unless_shared(couple) -> None:
    alex, sam = couple.devices[0].session, couple.devices[1].session
    _both_check_in(couple, {}, {})
    week = alex.checkin_week()
    kept = alex.reflect("I held back a little")
    assert kept == ("I held back a little", False)
    couple.deliver_all()
    result = sam.sync()
    # The sealed record reached Sam's app, which can't open it, shows nothing of it, and
    # doesn't even tell that it arrived (no activity time, nothing counted).
    raw = sam.replica.get(reflection_id(alex.me, week), m.REFLECTION)
    assert raw is not None and "held back" not in json.dumps(raw.fields)
    assert sam.reflection_of(alex.me, week) is None
    told = a.arrivals(sam, result.imported)
    assert a.REFLECTION not in told.kinds and told.others == 0
    assert read_checkin.checkin(sam).talk.theirs is None
    from companion.views import all_records

    assert all(r.type != m.REFLECTION or r.author == sam.me for r in all_records(sam))
    # Alex's own device reads it back
    assert alex.reflection_of(alex.me, week) == ("I held back a little", False)
    assert read_checkin.checkin(alex).talk.mine == "I held back a little"

    alex.reflect(share=True)
    couple.deliver_all()
    result = sam.sync()
    assert sam.reflection_of(alex.me, week) == ("I held back a little", True)
    assert a.REFLECTION in a.arrivals(sam, result.imported).kinds
    assert read_checkin.checkin(sam).talk.theirs == "I held back a little"

    # once shared, a rewording is shared too
    alex.reflect("It went better than I feared")
    _exchange(couple)
    assert sam.reflection_of(alex.me, week) == ("It went better than I feared", True)


def test_how_it_went_waits_for_both_checkins_and_for_words(couple) -> None:
    alex = couple.devices[0].session
    with pytest.raises(UsageError, match="both shared"):
        alex.reflect("too soon")
    with pytest.raises(UsageError, match="both shared"):
        alex.set_focus("too soon")
    _both_check_in(couple, {}, {})
    with pytest.raises(UsageError, match="nothing to share"):
        alex.reflect(share=True)
    with pytest.raises(UsageError, match="A few words"):
        alex.reflect("   ")


# -- one focus for next week ----------------------------------------------------------------


def test_the_focus_is_seen_by_both_and_next_weeks_checkin_starts_from_it(couple) -> None:
    alex, sam = couple.devices[0].session, couple.devices[1].session
    _both_check_in(couple, {}, {})
    week = alex.checkin_week()
    sam.set_focus("One slow evening together")
    _exchange(couple)
    for session in (alex, sam):
        found = session.next_focus()
        assert found is not None and found.text == "One slow evening together"
        assert found.author == sam.me and found.other_text is None

    # Alex suggests another later: it leads, and Sam's stays beside it, for both.
    alex.set_focus("Ask before advising")
    _exchange(couple)
    for session in (alex, sam):
        found = session.next_focus()
        assert (found.text, found.author) == ("Ask before advising", alex.me)
        assert (found.other_text, found.other_author) == ("One slow evening together", sam.me)

    # A week on, it is this week's focus: at the top of the check-in and in `tonight`.
    couple.clock.ms += WEEK_MS
    assert alex.checkin_week() == next_week(week)
    for session in (alex, sam):
        assert session.current_focus().text == "Ask before advising"
        view = read_checkin.checkin(session)
        assert "Ask before advising" in read_checkin.form_lead(view)
        from companion.cli.evening import evening_data, evening_text

        data = evening_data(session)
        assert data["focus"]["text"] == "Ask before advising"
        assert "This week's focus: “Ask before advising”" in evening_text(data)
        from companion.cli.checkin_guide import checkin_guide

        guide = checkin_guide(session, None)
        whose = "your" if session is alex else "Alex's"
        assert guide.startswith(f"This week's focus, in {whose} words: “Ask before advising”")
        assert "--my-week TEXT" in guide and "--their-week TEXT" in guide
    assert read_talk.talk(alex, alex.checkin_week(), None, None).ready is False


def test_the_partners_focus_arrives_as_news_without_a_count(couple) -> None:
    alex, sam = couple.devices[0].session, couple.devices[1].session
    _both_check_in(couple, {}, {})
    alex.set_focus("Ask before advising")
    couple.deliver_all()
    told = a.arrivals(sam, sam.sync().imported)
    assert told.kinds == [a.FOCUS] and "Alex suggested a focus" in told.said[0]


# -- who may write them ---------------------------------------------------------------------

ALEX, SAM = "a1" * 8, "5a" * 8


@pytest.mark.parametrize("record_type", [m.FOCUS, m.REFLECTION])
def test_each_partner_writes_only_their_own_focus_and_words(record_type) -> None:
    week = "2026-W48"
    fields = (
        {"week": week, "text": "slow"}
        if record_type == m.FOCUS
        else {"week": week, "sealed": "AAAA", "key": None}
    )
    make = focus_id if record_type == m.FOCUS else reflection_id

    def probe(kind: str, record_id: str, author: str, values: dict) -> dict:
        return make_op(kind, record_id, record_type, "0" * 15 + ".0.dd", "dd" * 8, author, values)

    own = probe("create", make(SAM, week), SAM, fields)
    assert rights.judge(own, None, None, [ALEX, SAM]) is None
    # filed under the other partner: refused, whoever's record it would be
    theirs = probe("create", make(ALEX, week), SAM, fields)
    assert isinstance(rights.judge(theirs, None, None, [ALEX, SAM]), rights.NotAllowed)
    # changing the other's: refused
    owned = rights.Owned(record_type, ALEX)
    change = probe("set", make(ALEX, week), SAM, {"week": week})
    assert isinstance(rights.judge(change, owned, None, [ALEX, SAM]), rights.NotAllowed)
    change = probe("set", make(ALEX, week), SAM, {k: v for k, v in fields.items() if k != "week"})
    assert isinstance(rights.judge(change, owned, None, [ALEX, SAM]), rights.NotAllowed)
    assert rights.judge({**change, "author": ALEX}, owned, None, [ALEX, SAM]) is None


# -- the shell ------------------------------------------------------------------------------


def test_the_cli_after_the_reveal(couple_cli) -> None:
    alex, sam = couple_cli
    made = "2026-11-26T20:00:00"
    alex.ok("checkin", "--supported", "tea", "--attention", "late", COMPANION_NOW=made)
    # Before both are in: a clear word and exit 1, never a traceback.
    early = alex.run("focus", "One slow evening", COMPANION_NOW=made)
    assert early.code == 1 and "both shared" in early.err and "Traceback" not in early.err
    sam.ok(
        *("checkin", "--supported", "a walk", "--attention", "dishes"),
        *("--my-week", "heavy, then lighter", "--their-week", "long and lonely"),
        COMPANION_NOW=made,
    )
    alex.ok("sync", COMPANION_NOW=made)
    listed = alex.ok("list", "checkins", COMPANION_NOW=made).out
    assert "guessed: long and lonely" in listed and "how the week felt: heavy" in listed

    kept = alex.ok("reflect", "I held back a little", COMPANION_NOW=made)
    assert "can't read it" in kept.out
    assert "held back" not in sam.ok("export", "--format", "json", COMPANION_NOW=made).out
    sam.ok("focus", "One slow evening", COMPANION_NOW=made)
    assert "One slow evening" in alex.ok("focus", COMPANION_NOW=made).out
    alex.ok("reflect", "--share", COMPANION_NOW=made)
    assert "held back" in sam.ok("export", "--format", "json", COMPANION_NOW=made).out
    nothing = alex.run("reflect", COMPANION_NOW=made)
    assert nothing.code == 1 and "A few words" in nothing.err

    a_week_on = "2026-12-02T20:00:00"
    data = json.loads(alex.ok("tonight", "--json", COMPANION_NOW=a_week_on).out)
    assert data["focus"]["text"] == "One slow evening" and data["focus"]["by"] == "Sam"
    assert (
        "This week's focus: “One slow evening” (Sam's words)"
        in alex.ok("tonight", COMPANION_NOW=a_week_on).out
    )
