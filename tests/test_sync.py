"""Sync between devices through folder copies that an unreliable sync tool keeps in step."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.domain import consent
from companion.domain import model as m
from companion.domain.records import DELETED
from companion.store.replica import CORE
from companion.sync import engine, quarantine
from companion.sync.journal import DEVICES
from companion.sync.problems import Problem

from .syncsim import World, fast_kdf

EXAMPLES = int(os.environ.get("COMPANION_SYNC_EXAMPLES", "200"))


def dump(session):
    """Every record state in a replica, for comparing devices."""
    replica = session.replica
    out = {}
    for partition in [CORE, *replica.partitions()]:
        out.update(replica._raw(partition))
    return out


def recording(session, log):
    original = session.commit

    def commit(ops, **kwargs):
        changed = original(ops, **kwargs)
        log.extend(ops)
        return changed

    session.commit = commit


@pytest.fixture
def world(tmp_path, monkeypatch):
    fast_kdf(monkeypatch)
    return World(tmp_path)


DAY_MS = 86_400_000


def _setup(world, names=("Alex", "Sam", "Alex")):
    """The space, and a care action each, made a week before the world's clock reads now
    (a day can only be ticked once its action exists)."""
    now = world.clock.ms
    world.clock.ms = now - 7 * DAY_MS
    world.setup(list(names))
    a, b = world.devices[0].session, world.devices[1].session
    a.add_care("Make tea in the evening", "daily")
    b.add_care("Ask before giving advice", "daily")
    world.clock.ms = max(world.clock.ms, now)
    world.deliver_all()
    for device in world.devices:
        device.session.sync()


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("note"), st.integers(0, 2)),
        st.tuples(st.just("mark"), st.integers(0, 2), st.integers(0, 20)),
        st.tuples(st.just("tick"), st.integers(0, 2), st.integers(0, 2), st.booleans()),
        st.tuples(st.just("untick"), st.integers(0, 2), st.integers(0, 2)),
        st.tuples(st.just("checkin"), st.integers(0, 2), st.text("abc", min_size=1, max_size=3)),
        st.tuples(
            st.just("deliver"),
            st.integers(0, 2),
            st.integers(0, 2),
            st.integers(0, 60),
            st.booleans(),
        ),
        st.tuples(st.just("sync"), st.integers(0, 2)),
        st.tuples(st.just("copy"), st.integers(0, 2), st.integers(0, 2), st.integers(0, 60)),
    ),
    min_size=1,
    max_size=30,
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_any_delivery_order_converges_and_loses_nothing(tmp_path_factory, monkeypatch, steps):
    fast_kdf(monkeypatch)
    monkeypatch.setattr(engine, "LOOSE_SEGMENTS", 3)
    monkeypatch.setattr(engine, "MAX_SNAPSHOTS", 2)
    world = World(tmp_path_factory.mktemp("world"))
    _setup(world)
    log: list[dict] = []
    sessions = [d.session for d in world.devices]
    for session in sessions:
        recording(session, log)
    base_day = dt.date(2025, 11, 24)
    for step in steps:
        kind, who = step[0], sessions[step[1]]
        if kind == "note":
            who.add_gratitude(f"thanks {len(log)}")
        elif kind == "mark":
            notes = [n for n in who.notes() if n.get("to") == who.me]
            if notes:
                who.mark_notes([notes[step[2] % len(notes)]], read=True, landed=step[2] % 2 == 0)
        elif kind == "tick":
            day = base_day - dt.timedelta(days=step[2])
            who.tick(who.my_actions()[0].id, day, skip=step[3])
        elif kind == "untick":
            day = base_day - dt.timedelta(days=step[2])
            action = who.my_actions()[0]
            from companion.domain.ids import tick_id

            existing = who.replica.get(tick_id(action.id, day), m.TICK)
            if existing is not None and not existing.deleted:
                who.tick(action.id, day, undo=True)
        elif kind == "checkin":
            who.checkin(None, supported=step[2], attention="more walks", energy=3)
        elif kind == "deliver":
            source, target = world.devices[step[1]], world.devices[step[2]]
            files = sorted(world.files(source))
            if files:
                world.deliver(source, target, files[step[3] % len(files)], partial=step[4])
        elif kind == "sync":
            who.sync()
        elif kind == "copy":
            # a sync tool that keeps a second copy of a file, e.g. Drive's `name (1).seg`
            source, target = world.devices[step[1]], world.devices[step[2]]
            files = sorted(r for r in world.files(source) if "conflict" not in r)
            if files:
                rel = files[step[3] % len(files)]
                path = world.files(source)[rel]
                dest = world.space(target) / DEVICES / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.with_name(f"{path.stem} (1){path.suffix}").write_bytes(path.read_bytes())
    for _ in range(3):
        world.deliver_all()
        for session in sessions:
            session.sync()
    states = [dump(s) for s in sessions]
    assert states[0] == states[1] == states[2]
    final = states[0]
    for op in log:
        state = final[op["id"]]
        fields = dict(op["fields"])
        if op["op"] == "delete":
            fields = {DELETED: True}
        for name in fields:
            assert state["clocks"][name] >= op["hlc"], (op, state)
    for session in sessions:
        assert session.replica.outbox_count() == 0


def test_partner_changes_arrive_and_names_resolve(world):
    _setup(world, ("Alex", "Sam"))
    a, b = (d.session for d in world.devices)
    note = a.add_gratitude("Thank you for the tea; I felt looked after")
    world.deliver_all()
    result = b.sync()
    assert [r.id for r in result.imported] == [note.id]
    assert b.notes()[0].get("to") == b.me
    assert b.name_of(b.notes()[0].author) == "Alex"


def test_two_devices_of_one_partner_converge_on_one_tick(world):
    _setup(world)
    first, _, second = (d.session for d in world.devices)
    action = first.my_actions()[0]
    day = dt.date(2025, 11, 20)
    first.tick(action.id, day)
    second.tick(action.id, day, skip=True)
    world.deliver_all()
    for device in world.devices:
        device.session.sync()
    ticks = [[t for t in d.session.dated([m.TICK])] for d in world.devices]
    assert all(len(t) == 1 for t in ticks)
    assert ticks[0][0].get("status") == ticks[1][0].get("status") == m.SKIPPED


def test_half_synced_segment_waits_silently(world):
    _setup(world, ("Alex", "Sam"))
    a, b = (d.session for d in world.devices)
    a.add_gratitude("first")
    rel = sorted(r for r in world.files(world.devices[0]) if r.startswith(a.profile.device_id))[-1]
    world.deliver(world.devices[0], world.devices[1], rel, partial=True)
    result = b.sync()
    assert result.imported == [] and result.problems == []
    world.deliver(world.devices[0], world.devices[1], rel)
    assert [r.get("text") for r in b.sync().imported] == ["first"]


def test_tampered_segment_is_reported_and_the_rest_merges(world):
    _setup(world, ("Alex", "Sam"))
    a, b = (d.session for d in world.devices)
    a.add_gratitude("one")
    a.add_gratitude("two")
    world.deliver_all()
    own = world.space(world.devices[1]) / DEVICES / a.profile.device_id
    segs = sorted(own.glob("*.seg"))
    damaged = bytearray(segs[-2].read_bytes())
    damaged[-5] ^= 0xFF
    segs[-2].write_bytes(bytes(damaged))
    result = b.sync()
    assert [p["kind"] for p in result.problems] == [engine.DAMAGED]
    assert [n.get("text") for n in b.notes()] == ["two"]
    # the sync tool brings a good copy back: it is merged and the problem clears
    shutil.copy(
        world.space(world.devices[0]) / DEVICES / a.profile.device_id / segs[-2].name, segs[-2]
    )
    result = b.sync()
    assert result.problems == []
    assert sorted(n.get("text") for n in b.notes()) == ["one", "two"]


def test_a_problem_reads_back_and_is_kept_in_the_same_shape() -> None:
    stored = {"kind": engine.DAMAGED, "device": "abcdef0123456789", "seq": 4, "message": "gone"}
    problem = Problem.from_dict(stored)
    assert problem.to_dict() == stored and list(problem.to_dict()) == list(stored)
    assert problem.key == (engine.DAMAGED, "abcdef0123456789", 4)
    assert problem.short_device == "abcdef01"


def test_missing_folder_keeps_changes_waiting(world):
    _setup(world, ("Alex", "Sam"))
    a = world.devices[0].session
    space = world.space(world.devices[0])
    space.rename(space.with_name("unmounted"))
    a.add_gratitude("while offline")
    result = a.sync()
    assert not result.folder_available and result.waiting == 1
    assert [n.get("text") for n in a.notes()] == ["while offline"]
    space.with_name("unmounted").rename(space)
    result = a.sync()
    assert result.exported == 1 and result.waiting == 0


def test_compaction_keeps_a_device_directory_small_and_new_devices_see_everything(
    world, monkeypatch
):
    monkeypatch.setattr(engine, "LOOSE_SEGMENTS", 8)
    monkeypatch.setattr(engine, "MAX_SNAPSHOTS", 2)
    _setup(world, ("Alex", "Sam"))
    a, b = (d.session for d in world.devices)
    for i in range(60):
        a.add_gratitude(f"note {i}")
        if i % 7 == 0:
            world.deliver_all()
            b.sync()
    world.deliver_all()
    b.sync()
    own = world.space(world.devices[0]) / DEVICES / a.profile.device_id
    assert len(list(own.iterdir())) <= 8 + 2 + 2
    assert len(b.notes()) == 60
    # a third device joining now rebuilds everything from snapshots and segments
    folder = world.root / "late"
    shutil.copytree(world.space(world.devices[0]), folder / "companion")
    from companion import service

    from .syncsim import PASS

    late = service.join_space(world.root / "late-home", folder, "Sam", PASS, world.clock)
    assert len(late.notes()) == 60 and late.me == b.me


def test_cloned_profile_writes_are_all_kept(world):
    _setup(world, ("Alex", "Sam"))
    a, b = (d.session for d in world.devices)
    # Alex's laptop is cloned: the copy has the same profile (same device id)
    clone_home = world.root / "clone-home"
    shutil.copytree(a.profile.home, clone_home)
    clone_folder = world.root / "clone-folder"
    shutil.copytree(world.space(world.devices[0]), clone_folder / "companion")
    from companion import service

    from .syncsim import PASS, Device

    clone = service.Session.unlock(clone_home, PASS, world.clock)
    clone.profile = clone.profile.__class__(
        home=clone_home,
        device_id=a.profile.device_id,
        partner_id=a.me,
        space_id=a.profile.space_id,
        shared_folder=clone_folder,
    )
    clone = service.Session(clone.profile, clone.header, clone._data_key, world.clock)
    clone._open()
    world.devices.append(Device("Alex-clone", clone_folder, clone_home, clone))
    a.add_gratitude("from the original")
    clone.add_gratitude("from the clone")
    world.deliver_all()
    for _ in range(2):
        world.deliver_all()
        for device in world.devices:
            device.session.sync()
    texts = sorted(n.get("text") for n in b.notes())
    assert texts == ["from the clone", "from the original"]
    kinds = {p["kind"] for p in b.replica.meta("problems")}
    assert kinds & {engine.SHARED_ID, engine.FORKED}


def test_rebuild_from_the_folder(world):
    _setup(world, ("Alex", "Sam"))
    a = world.devices[0].session
    a.add_gratitude("kept")
    from companion import service

    fresh = service.rebuild_replica(a)
    assert [n.get("text") for n in fresh.notes()] == ["kept"]
    assert fresh.partners() == a.partners()


OPS = st.lists(
    st.tuples(
        st.sampled_from(["create", "set", "delete"]),
        st.sampled_from(["r1", "r2", "r3"]),
        st.integers(1, 9),
        st.dictionaries(st.sampled_from(["text", "read"]), st.booleans(), max_size=2),
    ),
    max_size=20,
)


@settings(max_examples=300, deadline=None)
@given(OPS, OPS)
def test_compaction_merges_to_the_same_records(mine, theirs):
    from companion.domain.hlc import format_stamp
    from companion.domain.records import make_op, merge
    from companion.sync.segments import compact, valid_op

    def build(spec, device):
        return [
            make_op(kind, rid, "note", format_stamp(ms, i, device), device, "p-" + device, fields)
            for i, (kind, rid, ms, fields) in enumerate(spec)
        ]

    def fold(ops):
        states = {}
        for op in ops:
            states[op["id"]] = merge(states.get(op["id"]), op)
        return states

    own, other = build(mine, "d1"), build(theirs, "d2")
    compacted = compact(own)
    assert all(valid_op(op) for op in compacted)
    assert len(compacted) <= len(own)
    assert fold(compacted + other) == fold(own + other)


def test_checkins_are_sealed_until_both_have_shared(world):
    _setup(world, ("Alex", "Sam", "Alex"))
    a, b, a2 = (d.session for d in world.devices)
    a.checkin("2025-W48", supported="the tea", attention="When I'm tired, I felt alone", energy=2)

    def exchange():
        for _ in range(2):
            world.deliver_all()
            for device in world.devices:
                device.session.sync()

    exchange()
    [theirs] = b.checkins()
    assert theirs.get("sealed") is True and theirs.get("supported") is None
    # the answers are not in the shared folder in any form the partner's app can open
    assert a.checkins()[0].get("supported") == "the tea"
    assert a2.checkins()[0].get("sealed") is True  # the key stays on the device that wrote it
    b.checkin("2025-W48", supported="the walk", attention="When plans changed, I felt unsure")
    exchange()
    for session in (a, b, a2):
        answers = {r.get("supported") for r in session.checkins()}
        assert answers == {"the tea", "the walk"}
    state = b.checkin_state("2025-W48")
    assert state.both_submitted and state.theirs.get("energy") == 2
    # an edit after release is released at once
    a.checkin("2025-W48", supported="the tea, and the call", attention="x", energy=3)
    exchange()
    assert {r.get("supported") for r in b.checkins()} == {"the tea, and the call", "the walk"}


def test_unseal_early(world):
    _setup(world, ("Alex", "Sam"))
    a, b = (d.session for d in world.devices)
    a.checkin("2025-W48", supported="s", attention="t")
    a.unseal_checkin("2025-W48")
    world.deliver_all()
    b.sync()
    assert b.checkins()[0].get("supported") == "s"


def test_cleared_problems_come_back_while_the_damage_is_still_there(world):
    _setup(world, ("Alex", "Sam"))
    a, b = (d.session for d in world.devices)
    a.add_gratitude("one")
    a.add_gratitude("two")
    world.deliver_all()
    own = world.space(world.devices[1]) / DEVICES / a.profile.device_id
    seg = sorted(own.glob("*.seg"))[-2]
    data = seg.read_bytes()
    seg.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))  # always a different last byte
    assert [p["kind"] for p in b.sync().problems] == [engine.DAMAGED]
    assert b.clear_problems() == 1
    assert [p["kind"] for p in b.sync().problems] == [engine.DAMAGED]


PARTNER_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("note"), st.integers(0, 2)),
        st.tuples(st.just("mark"), st.integers(0, 2), st.integers(0, 20)),
        st.tuples(st.just("propose"), st.integers(0, 2)),
        st.tuples(st.just("accept"), st.integers(0, 2), st.integers(0, 20)),
        st.tuples(st.just("retire"), st.integers(0, 2), st.integers(0, 20)),
        st.tuples(
            st.just("deliver"),
            st.integers(0, 2),
            st.integers(0, 2),
            st.integers(0, 60),
            st.booleans(),
        ),
        st.tuples(st.just("sync"), st.integers(0, 2)),
        # one device's own files reach another: its changes overtake what they changed
        st.tuples(st.just("relay"), st.integers(0, 2), st.integers(0, 2)),
    ),
    min_size=1,
    max_size=30,
)


@settings(
    max_examples=EXAMPLES // 2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=PARTNER_STEPS)
def test_changes_to_the_partners_records_converge_whatever_arrives_first(
    tmp_path_factory, monkeypatch, steps
):
    """A note marked landed, an agreement accepted, by the partner: delivered (to the writer's
    second device, say) before the note or the proposal itself, they wait, then merge."""
    fast_kdf(monkeypatch)
    world = World(tmp_path_factory.mktemp("world"))
    _setup(world)
    log: list[dict] = []
    sessions = [d.session for d in world.devices]
    for session in sessions:
        recording(session, log)
    for step in steps:
        kind, who = step[0], sessions[step[1]]
        if kind == "note":
            who.add_gratitude(f"thanks {len(log)}")
        elif kind == "mark":
            notes = [n for n in who.notes() if n.get("to") == who.me]
            if notes:
                who.mark_notes([notes[step[2] % len(notes)]], read=True, landed=True)
        elif kind == "propose":
            who.propose_agreement(f"agreement {len(log)}")
        elif kind in ("accept", "retire"):
            # accept a partner's proposal; retire (ask to, or agree to) any not yet retired
            # that is one's own or agreed, unless one has asked already
            theirs = [
                a
                for a in who.core(m.AGREEMENT)
                if (
                    consent.state(a) == m.PROPOSED and a.author != who.me
                    if kind == "accept"
                    else consent.state(a) != m.RETIRED
                    and not consent.has_retired(a, who.me)
                    and (a.author == who.me or consent.state(a) != m.PROPOSED)
                )
            ]
            if theirs:
                chosen = theirs[step[2] % len(theirs)]
                if kind == "accept":
                    who.accept_agreement(chosen.id)
                else:
                    who.retire("agreement", chosen.id)
        elif kind == "deliver":
            source, target = world.devices[step[1]], world.devices[step[2]]
            files = sorted(world.files(source))
            if files:
                world.deliver(source, target, files[step[3] % len(files)], partial=step[4])
        elif kind == "sync":
            who.sync()
        elif kind == "relay":
            source, target = world.devices[step[1]], world.devices[step[2]]
            own = source.session.profile.device_id + "/"
            for rel in sorted(r for r in world.files(source) if r.startswith(own)):
                world.deliver(source, target, rel)
            target.session.sync()
    for _ in range(3):
        world.deliver_all()
        for session in sessions:
            session.sync()
    states = [dump(s) for s in sessions]
    assert states[0] == states[1] == states[2]
    for op in log:
        for name in op["fields"]:
            assert states[0][op["id"]]["clocks"][name] >= op["hlc"], op
    for session in sessions:
        assert not [p for p in session.problems() if p.kind == engine.NOT_ALLOWED]
        assert session.replica.meta(quarantine.WAITING_RECORD, {}, partition="quarantine") == {}


def test_an_acceptance_and_a_landed_mark_that_overtake_their_records_wait_for_them(world):
    _setup(world)
    alex, sam, alex2 = (d.session for d in world.devices)
    proposal = alex.propose_agreement("We say goodnight even after a row")
    note = alex.add_gratitude("Thank you for waiting up")

    def relay(source: int, target: int) -> None:
        own = world.devices[source].session.profile.device_id + "/"
        for rel in sorted(r for r in world.files(world.devices[source]) if r.startswith(own)):
            world.deliver(world.devices[source], world.devices[target], rel)

    relay(0, 1)
    sam.sync()
    sam.accept_agreement(proposal.id)
    sam.mark_notes([sam.note(note.id)], read=True, landed=True)
    relay(1, 2)  # Alex's second device hears of Sam's changes before Alex's records
    result = alex2.sync()
    assert not result.problems
    assert alex2.record(proposal.id, m.AGREEMENT) is None
    assert len(alex2.replica.meta(quarantine.WAITING_RECORD, {}, partition="quarantine")) == 2
    relay(0, 2)
    alex2.sync()
    assert alex2.record(proposal.id, m.AGREEMENT).get("accepted_by") == sam.me
    assert alex2.note(note.id).get("landed") is True
    assert alex2.replica.meta(quarantine.WAITING_RECORD, {}, partition="quarantine") == {}
    assert not alex2.problems()
