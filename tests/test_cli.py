"""End-to-end tests of the `companion` command: real subprocesses, real profiles and folder.

Each call costs about a third of a second, so every test does one story with as few calls as
it can, and checks exit codes *and* the words a person reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REQUIRED = ("id", "type", "author", "created_at")
WRONG = "not the passphrase we chose"


# -- helpers ----------------------------------------------------------------------------------


def ok(partner: Any, *args: str, **env: str) -> Any:
    """`partner.ok`, and no traceback on standard error."""
    result = partner.ok(*args, **env)
    assert "Traceback" not in result.err, result.err
    return result


def check_fails(result: Any, code: int, *needles: str) -> list[str]:
    """What is wrong with a failed call (empty if it failed as it should)."""
    problems = []
    text = f"{result.out}\n{result.err}"
    if "Traceback" in text:
        problems.append(f"a traceback was shown:\n{text}")
    if result.code != code:
        problems.append(f"exit code {result.code}, expected {code}:\n{text}")
    for needle in needles:
        if needle.lower() not in result.err.lower():
            problems.append(f"{needle!r} not in the message:\n{result.err}")
    return problems


def fails(result: Any, code: int, *needles: str) -> None:
    problems = check_fails(result, code, *needles)
    assert not problems, "\n".join(problems)


def listed(partner: Any, kind: str) -> list[dict]:
    records = ok(partner, "list", kind, "--json").json()
    assert isinstance(records, list)
    for record in records:
        missing = [key for key in REQUIRED if not record.get(key)]
        assert not missing, f"{kind} record lacks {missing}: {record}"
        dt.datetime.fromisoformat(record["created_at"])
    return records


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def snapshot(*roots: Path) -> dict[str, tuple]:
    """Every file's bytes and mtime, every directory's mtime, under the given folders."""
    found: dict[str, tuple] = {}
    for root in roots:
        if not root.exists():
            continue
        for path in [root, *sorted(root.rglob("*"))]:
            st = path.lstat()
            if stat.S_ISDIR(st.st_mode):
                found[str(path)] = ("dir", st.st_mtime_ns, stat.S_IMODE(st.st_mode))
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found[str(path)] = ("file", digest, st.st_size, st.st_mtime_ns)
    return found


def space_file(partner: Any) -> Path:
    return partner.shared / "companion" / "space.json"


# -- setting up and joining -------------------------------------------------------------------


def test_init_join_and_second_device_of_a_partner(make_partner):
    alex, sam, alex_laptop, stranger = (
        make_partner(label) for label in ("alex", "sam", "alex-laptop", "stranger")
    )
    result = ok(alex, "init", str(alex.shared), "--name", "Alex")
    assert "Welcome, Alex" in result.out
    assert f"companion join {alex.shared}" in result.out

    result = ok(sam, "join", str(sam.shared), "--name", "Sam")
    assert "Welcome, Sam. You're in the space you share with Alex." in result.out

    # The same name (any case) from a third profile is another device of that partner.
    result = ok(alex_laptop, "join", str(alex.shared), "--name", "alex")
    assert "Welcome, Alex. You're in the space you share with Sam." in result.out
    # It waits until one of Alex's devices confirms it by the code it shows (issue 12).
    code = result.out.rsplit("companion devices approve ", 1)[1].split()[0]

    # A third person is refused, and leaves no half-made profile, nor a trace in the folder.
    before = snapshot(alex.shared)
    fails(
        stranger.run("join", str(alex.shared), "--name", "Robin"),
        1,
        "two people",
        "Alex",
        "Sam",
        "join with that name",
    )
    assert not stranger.home.exists()
    assert snapshot(alex.shared) == before
    ok(alex, "devices", "approve", code)

    status = ok(alex_laptop, "status", "--json").json()
    assert status["me"] == "Alex"
    assert status["partner"] == "Sam"
    assert status["waiting"] == 0
    assert status["problems"] == []
    assert sorted(d["partner"] for d in status["devices"]) == ["Alex", "Alex", "Sam"]
    assert [d["this_device"] for d in status["devices"]].count(True) == 1

    # What the second device writes is Alex's, on Sam's side and on Alex's first device.
    ok(alex_laptop, "add", "need", "Ask before giving advice")
    ok(sam, "sync")
    ok(alex, "sync")
    for viewer in (sam, alex):
        needs = listed(viewer, "needs")
        assert [(n["author"], n["text"], n["type"]) for n in needs] == [
            ("Alex", "Ask before giving advice", "need")
        ]


def test_setup_mistakes(make_partner, shared, tmp_path):
    alex, other = make_partner("alex"), make_partner("other")

    fails(alex.run("status"), 1, "no companion profile", "companion init", "companion join")

    nowhere = tmp_path / "nowhere"
    fails(alex.run("init", str(nowhere), "--name", "Alex"), 1, "doesn't exist")
    assert not nowhere.exists()

    fails(
        alex.run("init", str(shared), "--name", "Alex", COMPANION_PASSPHRASE="short"),
        1,
        "at least 8 characters",
    )
    assert not (shared / "companion").exists()
    assert not alex.home.exists()

    fails(alex.run("join", str(shared), "--name", "Alex"), 1, "no companion space", "init")
    assert not alex.home.exists()

    ok(alex, "init", str(shared), "--name", "Alex")
    before = snapshot(shared)
    fails(
        other.run("init", str(shared), "--name", "Sam"),
        1,
        "already holds a companion space",
        f"companion join {shared}",
    )
    assert not other.home.exists()
    assert snapshot(shared) == before

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    fails(
        alex.run("init", str(elsewhere), "--name", "Alex"),
        1,
        "already has a companion profile",
    )
    assert not (elsewhere / "companion").exists()


# -- the evening practice ---------------------------------------------------------------------


def test_care_menu_actions_ticks_and_review(couple):
    alex, sam = couple
    today = dt.date.today()
    yesterday = today - dt.timedelta(days=1)

    assert (
        "Added to your care menu"
        in ok(alex, "add", "need", "A check-in text on stressful days").out
    )
    ok(alex, "add", "need", "Follow through on what we agreed")
    ok(sam, "sync")

    plans = [
        ("Text at lunch", "daily", "stressful", "every day", "daily", []),
        ("Make the coffee", "weekdays", None, "weekdays", "weekdays", []),
        ("Plan a walk together", "weekly", "FOLLOW THROUGH", "once a week", "weekly", []),
        ("Ask before advising", "as-needed", None, "as needed", "as-needed", []),
        ("Cook dinner", "mon,thu", None, "Mon, Thu", "days", [0, 3]),
    ]
    for title, cadence, need, said, _, _ in plans:
        args = ["add", "care", title, "--cadence", cadence]
        if need:
            args += ["--need", need]
        result = ok(sam, *args)
        assert f"Care action added: {title} — {said}." in result.out

    care = {c["title"]: c for c in listed(sam, "care")}
    assert set(care) == {p[0] for p in plans}
    for title, _, _, said, cadence, days in plans:
        action = care[title]
        assert action["type"] == "care"
        assert action["author"] == "Sam"
        assert action["for"] == "Alex"
        assert action["cadence"] == cadence
        assert action["days"] == days
        assert action["cadence_text"] == said
    assert care["Text at lunch"]["need_text"] == "A check-in text on stressful days"
    assert care["Plan a walk together"]["need_text"] == "Follow through on what we agreed"
    assert care["Make the coffee"]["need"] is None

    assert f"Done for {today}: Text at lunch." in ok(sam, "tick", "lunch").out
    result = ok(sam, "tick", "LUNCH", "--skip")
    assert f"Skipped for {today}: Text at lunch." in result.out
    ticks = listed(sam, "ticks")
    assert [(t["action_title"], t["date"], t["status"]) for t in ticks] == [
        ("Text at lunch", today.isoformat(), "skipped")
    ]
    assert f"Untouched: Text at lunch on {today}." in ok(sam, "tick", "lunch", "--undo").out
    assert listed(sam, "ticks") == []
    ok(sam, "tick", "lunch")  # ticked again after the undo
    # A day before the action existed can't be ticked (it was taken on today).
    fails(
        sam.run("tick", care["Make the coffee"]["id"][:6], "--date", yesterday.isoformat()),
        1,
        f"'Make the coffee' began on {today}",
        f"Tick a day from {today} on",
    )
    result = ok(sam, "tick", care["Make the coffee"]["id"][:6], "--date", today.isoformat())
    assert f"Done for {today}: Make the coffee." in result.out

    expected = {
        ("Text at lunch", today.isoformat(), "done", "Sam"),
        ("Make the coffee", today.isoformat(), "done", "Sam"),
    }
    assert {
        (t["action_title"], t["date"], t["status"], t["author"]) for t in listed(sam, "ticks")
    } == expected

    ok(alex, "sync")
    assert {
        (t["action_title"], t["date"], t["status"], t["author"]) for t in listed(alex, "ticks")
    } == expected
    # Alex can't tick Sam's action, and is told why.
    fails(alex.run("tick", "coffee"), 1, "one of Sam's care actions")

    # By default a review is for last week; for an action taken on this week, for this week.
    last_week, this_week = iso_week(today - dt.timedelta(days=7)), iso_week(today)
    fails(alex.run("review", "walk", "landed", "--week", last_week), 1, "began in")
    result = ok(alex, "review", "walk", "landed")
    assert f"Noted for {this_week}: landed." in result.out
    [review] = listed(alex, "reviews")
    assert (review["author"], review["verdict"], review["week"], review["action_title"]) == (
        "Alex",
        "landed",
        this_week,
        "Plan a walk together",
    )


def check_exports(partner: Any, out_dir: Path, names: list[str], texts: list[str]) -> None:
    """Each format, to standard output or to a private file, holds names and every text."""
    body = json.loads(ok(partner, "export").out)  # JSON is the default
    assert [p["name"] for p in body["partners"]] == names
    for record in body["records"]:
        assert all(record.get(key) for key in REQUIRED), record
    in_json = json.dumps(body["records"], ensure_ascii=False)
    assert all(text in in_json for text in texts)

    rows = list(csv.DictReader(io.StringIO(ok(partner, "export", "--format", "csv").out)))
    assert set(texts) <= {row["text"] for row in rows}
    assert {row["author"] for row in rows} <= set(names)

    out_dir.mkdir()
    stale = out_dir / "journal.md"
    stale.write_text("an older export")
    stale.chmod(0o644)
    files = {"markdown": stale, "json": out_dir / "journal.json"}
    for fmt, path in files.items():
        result = ok(partner, "export", "--format", fmt, "--output", str(path))
        assert result.out == ""
        assert f"Exported to {path}" in result.err
        assert "not encrypted" in result.err
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    markdown = stale.read_text()
    assert markdown.startswith("# Our companion journal")
    assert " & ".join(names) in markdown
    assert all(text in markdown for text in texts)
    assert json.loads(files["json"].read_text())["records"] == body["records"]


def test_gratitude_checkins_agreements_and_status(couple, tmp_path):
    alex, sam = couple
    week = iso_week(dt.date.today())
    note = "Thank you for making dinner when I was tired; I felt looked after"

    assert "Sent to Sam." in ok(alex, "add", "gratitude", note).out
    result = ok(sam, "sync")
    assert "brought in 1" in result.out
    [received] = listed(sam, "gratitude")
    assert (received["author"], received["to"], received["text"], received["landed"]) == (
        "Alex",
        "Sam",
        note,
        False,
    )
    assert "Alex will see that it landed." in ok(sam, "landed", "making dinner").out

    result = ok(
        sam,
        "checkin",
        "--supported",
        "You listened on Tuesday",
        "--attention",
        "When plans change late, I feel dropped; what would help is a text",
        "--energy",
        "4",
        "--limits",
        "No big talks after 10pm",
        "--victory",
        "We walked twice",
        "--request",
        "Ask me how the interview went",
    )
    assert f"Your check-in for {week} is saved." in result.out
    assert "It waits for Alex's." in result.out

    agreement = "We pause a conflict for twenty minutes when either of us asks"
    result = ok(sam, "add", "agreement", agreement)
    assert "Proposed. It holds once Alex accepts it." in result.out
    fails(sam.run("accept", "pause a conflict"), 1, "your partner's to accept")

    ok(alex, "sync")
    [sent] = listed(alex, "gratitude")
    assert (sent["landed"], sent["to"]) == (True, "Sam")
    assert "read" not in sent, "whether Sam has read it is Sam's: no read receipts"

    result = ok(
        alex,
        "checkin",
        "--supported",
        "The coffee every morning",
        "--attention",
        "When I come home late, I feel alone; what would help is a hug",
        "--energy",
        "2",
    )
    assert "Sam's is in too" in result.out
    assert f"Agreed: {agreement}" in ok(alex, "accept", "PAUSE A CONFLICT").out
    [accepted] = listed(alex, "agreements")
    assert (accepted["author"], accepted["status"], accepted["accepted_by"]) == (
        "Sam",
        "accepted",
        "Alex",
    )
    # retiring an agreement takes both: Alex asks, and it holds until Sam agrees too
    asked = ok(alex, "retire", "agreement", "twenty minutes").out
    assert f"Asked to retire: {agreement}" in asked and "until Sam agrees" in asked

    status = ok(alex, "status", "--json").json()
    assert (status["me"], status["partner"], status["waiting"], status["problems"]) == (
        "Alex",
        "Sam",
        0,
        [],
    )
    assert sorted(d["partner"] for d in status["devices"]) == ["Alex", "Sam"]
    assert status["checkin"] == {"week": week, "waiting_for": "nobody"}

    ok(sam, "sync")
    [retiring] = listed(sam, "agreements")
    assert (retiring["status"], retiring["retire_asked_by"]) == ("retiring", ["Alex"])
    assert f"Retired: {agreement}" in ok(sam, "retire", "agreement", "twenty minutes").out
    [retired] = listed(sam, "agreements")
    assert (retired["text"], retired["status"], retired["accepted_by"]) == (
        agreement,
        "retired",
        "Alex",
    )
    checkins = {c["author"]: c for c in listed(sam, "checkins")}
    assert set(checkins) == {"Alex", "Sam"}
    assert checkins["Alex"]["supported"] == "The coffee every morning"
    assert checkins["Alex"]["energy"] == 2
    mine = checkins["Sam"]
    assert (mine["week"], mine["energy"], mine["limits"], mine["victory"], mine["request"]) == (
        week,
        4,
        "No big talks after 10pm",
        "We walked twice",
        "Ask me how the interview went",
    )
    assert mine["type"] == "checkin"

    texts = [note, agreement, "The coffee every morning", "You listened on Tuesday"]
    check_exports(sam, tmp_path / "exports", ["Alex", "Sam"], texts)


def test_passwd_changes_the_passphrase_for_both(couple):
    alex, sam = couple
    new = "a brand new passphrase for us"

    fails(alex.run("passwd", COMPANION_NEW_PASSPHRASE="short"), 1, "at least 8 characters")
    result = ok(alex, "passwd", COMPANION_NEW_PASSPHRASE=new)
    assert "Passphrase changed" in result.out

    # Alex's device took the new one; Sam's still opens with the old one, and says to change
    # (nobody is locked out: issue 14). Once Sam types the new one, the old one is done.
    fails(alex.run("status"), 2, "That passphrase doesn't open this space")
    told = ok(sam, "status")
    assert "The passphrase was changed on Alex's device. Use the new one" in told.err
    old, alex.passphrase, sam.passphrase = sam.passphrase, new, new
    assert ok(sam, "status").err == ""
    fails(sam.run("status", COMPANION_PASSPHRASE=old), 2, "doesn't open")
    ok(sam, "add", "gratitude", "Thank you for sorting out the passphrase")
    ok(alex, "sync")
    [note] = listed(alex, "gratitude")
    assert (note["author"], note["text"]) == ("Sam", "Thank you for sorting out the passphrase")


# -- bad input and damaged or missing files ---------------------------------------------------


def test_wrong_passphrase_is_told_and_writes_nothing(couple, make_partner):
    alex, sam = couple
    ok(alex, "add", "need", "A quiet hour after work")
    newcomer = make_partner("newcomer")
    before = snapshot(alex.home, sam.home, alex.shared)

    attempts = [
        ("status",),
        ("add", "gratitude", "hello"),
        ("sync",),
        ("passwd",),
    ]
    problems = []
    for args in attempts:
        result = alex.run(*args, COMPANION_PASSPHRASE=WRONG, COMPANION_NEW_PASSPHRASE=WRONG * 2)
        problems += check_fails(result, 2, "That passphrase doesn't open this space")
        if result.out:
            problems.append(f"{args} printed {result.out!r}")
    result = newcomer.run("join", str(alex.shared), "--name", "Sam", COMPANION_PASSPHRASE=WRONG)
    problems += check_fails(result, 2, "That passphrase doesn't open this space")
    assert not problems, "\n".join(problems)
    assert not newcomer.home.exists()
    assert snapshot(alex.home, sam.home, alex.shared) == before


def _flip_wrapped_key(data: bytes) -> bytes:
    start = data.index(b'"wrapped_key": "') + len(b'"wrapped_key": "') + 10
    damaged = bytearray(data)
    damaged[start] ^= 0x01
    return bytes(damaged)


def _rewrap_with_good_checksum(data: bytes) -> bytes:
    """A damaged wrapped key under a checksum that matches (damage the checksum can't see)."""
    body = json.loads(data)
    body.pop("checksum")
    key = body["wrapped_key"]
    body["wrapped_key"] = ("B" if key[5] == "A" else "A").join((key[:5], key[6:]))
    canon = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    body["checksum"] = hashlib.sha256(canon).hexdigest()
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()


def test_damaged_or_missing_space_file(make_partner):
    alex = make_partner("alex")
    ok(alex, "init", str(alex.shared), "--name", "Alex")
    path = space_file(alex)
    good = path.read_bytes()
    copy = alex.home / "space.json"
    assert copy.read_bytes() == good
    damages = {
        "garbage bytes": lambda data: b"\x00\xff\xfe garbage \x81" * 20,
        "a flipped byte in the wrapped key": _flip_wrapped_key,
        "truncated": lambda data: data[: len(data) // 2],
        "a damaged wrapped key under a good checksum": _rewrap_with_good_checksum,
        "missing": None,
    }
    problems = []
    for what, damage in damages.items():
        needles = ["space.json", "restore"]
        if damage is None:
            path.unlink()
            # The hint points to the copy this device keeps.
            needles += [str(copy), "copy it to"]
        else:
            path.write_bytes(damage(good))
        for problem in check_fails(alex.run("status"), 3, *needles):
            problems.append(f"{what}: {problem}")
    assert not problems, "\n".join(problems)

    # Following the hint (copy the device's copy back into the folder) repairs the space.
    path.write_bytes(copy.read_bytes())
    assert "You are Alex." in ok(alex, "status").out


def flip_byte(path: Path) -> None:
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    path.write_bytes(bytes(damaged))


def test_damaged_replica_is_rebuilt_from_the_folder(couple):
    alex, sam = couple
    ok(alex, "add", "need", "A check-in text on stressful days")
    ok(sam, "add", "gratitude", "Thanks for the soup")
    ok(alex, "sync")

    flip_byte(alex.home / "replica" / "core.db")
    fails(alex.run("list", "needs"), 3, "core.db is damaged", "companion sync --rebuild")
    # The bookkeeping file too: the rebuild the message recommends must not need to read it.
    flip_byte(alex.home / "replica" / "local.db")
    fails(alex.run("list", "needs"), 3, "is damaged", "companion sync --rebuild")

    assert "Rebuilt" in ok(alex, "sync", "--rebuild").out
    [need] = listed(alex, "needs")
    assert (need["author"], need["text"]) == ("Alex", "A check-in text on stressful days")
    [note] = listed(alex, "gratitude")
    assert (note["author"], note["to"], note["text"]) == ("Sam", "Alex", "Thanks for the soup")
    # The damaged copy was set aside, not deleted.
    assert [p.name for p in alex.home.iterdir() if p.name.startswith("replica.set-aside")]


def test_rebuild_twice_in_the_same_second(make_partner):
    alex = make_partner("alex")
    ok(alex, "init", str(alex.shared), "--name", "Alex")
    # Stand in for earlier rebuilds in each second this one might run in.
    start = time.time()
    for offset in range(-2, 60):
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(start + offset))
        earlier = alex.home / f"replica.set-aside-{stamp}"
        earlier.mkdir()
        (earlier / "core.db").write_bytes(b"an earlier copy")
    result = alex.run("sync", "--rebuild")
    assert "Traceback" not in result.err, result.err
    assert result.code == 0, result.err
    assert "You are Alex." in ok(alex, "status").out


def test_bad_input_is_refused_with_a_clear_message(couple, tmp_path):
    alex, _ = couple
    ok(alex, "add", "care", "Text at lunch")
    ok(alex, "add", "care", "Text at dinner")
    ok(alex, "add", "need", "Ask first")
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    checkin = ("checkin", "--supported", "You listened", "--attention", "When x, I felt y")

    cases = [
        (("add", "gratitude", ""), "The note is empty"),
        (("add", "need", "   "), "The need is empty"),
        (("add", "care", ""), "The care action is empty"),
        (("checkin", "--supported", "", "--attention", "x"), "is empty"),
        (("tick", "breakfast"), "No care action matches 'breakfast'", "Text at lunch"),
        (("tick", "text"), "'text' matches 2", "Text at lunch", "Text at dinner"),
        (("add", "care", "Hug", "--need", "nothing like it"), "No need matches", "Ask first"),
        (("add", "care", "Hug", "--cadence", "fortnightly"), "not a cadence", "as-needed"),
        (("tick", "lunch", "--date", "2025-02-30"), "is not a date", "YYYY-MM-DD"),
        (("tick", "lunch", "--date", future), "hasn't happened yet"),
        ((*checkin, "--energy", "0"), "Energy is a number from 1"),
        ((*checkin, "--energy", "6"), "Energy is a number from 1"),
        ((*checkin, "--energy", "x"), "Energy is a number from 1"),
        ((*checkin, "--week", "2025-W99"), "not an ISO week"),
        (("frobnicate",), "No such command"),
        (("add", "hug"), "No such command"),
        (("tick",), "Missing argument"),
        (("add", "gratitude"), "Missing argument"),
        (("checkin", "--supported", "x"), "Missing option", "--attention"),
        (("list", "everything"), "Invalid value"),
        (("review", "lunch", "great"), "Invalid value"),
        (("join", str(tmp_path)), "Missing option", "--name"),
        (("init", str(tmp_path), "--name", ""), "name is empty"),
        (("retire", "need", "zzz"), "No need matches 'zzz'"),
    ]
    # None of these writes anything, so they may run two at a time.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda case: alex.run(*case[0]), cases))
    problems = []
    for (args, *needles), result in zip(cases, results, strict=True):
        for problem in check_fails(result, 1, *needles):
            problems.append(f"companion {' '.join(args)}: {problem}")
    assert not problems, "\n\n".join(problems)
    kinds = [r["type"] for r in json.loads(ok(alex, "export").out)["records"]]
    assert sorted(kinds) == ["care", "care", "need"]


def test_unreachable_folder_keeps_changes_waiting(couple):
    alex, sam = couple
    away = alex.shared.with_name("shared-unmounted")
    alex.shared.rename(away)
    try:
        said = ok(alex, "add", "gratitude", "Thanks for the flowers").out
        assert "Sent to Sam." not in said, "nothing was sent: the folder is away"
        assert "Saved." in said and "goes to Sam once the shared folder is reachable" in said
        assert "(1 change waiting)" in said
        landed_later = ok(alex, "add", "need", "A hug when I come home").out
        assert "(2 changes waiting)" in landed_later
        status = ok(alex, "status", "--json").json()
        assert (status["waiting"], status["folder_available"]) == (2, False)
        text = ok(alex, "status").out
        assert "not reachable" in text
        assert "2 change(s) waiting to be shared." in text
        fails(alex.run("sync"), 3, "isn't reachable", "2 change(s) wait")
    finally:
        away.rename(alex.shared)

    assert "Shared 2 change(s)" in ok(alex, "sync").out
    assert ok(alex, "status", "--json").json()["waiting"] == 0
    ok(sam, "sync")
    [note] = listed(sam, "gratitude")
    assert (note["author"], note["text"]) == ("Alex", "Thanks for the flowers")


def test_a_folder_that_cant_be_written_keeps_the_change_waiting(couple, tmp_path):
    """Read-only or full: the change is kept in the outbox, exit 0, and nothing says "sent".
    (Tests run as root, where permissions don't stop a write: the writes fail by design here.)"""
    alex, sam = couple
    refuse = tmp_path / "refuse.py"
    refuse.write_text(
        "import errno, sys\n"
        "from companion.sync import journal\n"
        "def write(*args, **kwargs):\n"
        "    raise OSError(errno.EROFS, 'Read-only file system')\n"
        "journal.Journal.write = write\n"
        "from companion.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(refuse), "add", "gratitude", "Thanks for fixing the bike"],
        env=alex.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Sent to Sam." not in done.stdout and "Saved." in done.stdout, done.stdout
    assert "reachable and writable again (1 change waiting)" in done.stdout
    assert ok(alex, "status", "--json", "--offline").json()["waiting"] == 1
    assert "Shared 1 change(s)" in ok(alex, "sync").out  # writable again
    ok(sam, "sync")
    assert [n["text"] for n in listed(sam, "gratitude")] == ["Thanks for fixing the bike"]


def test_dates_and_references_are_checked_against_reality(couple):
    """Nothing before what it is about existed, nothing in the future, and an empty
    reference asks for one (it never names the partner's action)."""
    alex, sam = couple
    today = dt.date.today()
    this_week = iso_week(today)
    next_week = iso_week(today + dt.timedelta(days=7))
    long_ago = iso_week(today - dt.timedelta(days=400))
    ok(sam, "add", "care", "Make tea in the evening")
    ok(alex, "add", "care", "Text at lunch")
    fails(alex.run("tick", ""), 1, "Say which care action")
    fails(alex.run("tick", "   "), 1, "Say which care action")
    fails(
        alex.run("tick", "lunch", "--date", (today - dt.timedelta(days=3)).isoformat()),
        1,
        "began on",
    )
    checkin = ("checkin", "--supported", "the tea", "--attention", "When late, I felt alone")
    fails(alex.run(*checkin, "--week", long_ago), 1, "Your space began in", this_week)
    fails(alex.run(*checkin, "--week", next_week), 1, "hasn't come yet")
    fails(alex.run("review", "tea", "landed", "--week", next_week), 1, "hasn't come yet")
    fails(alex.run("review", "tea", "landed", "--week", long_ago), 1, "began in")
    assert f"Noted for {this_week}: landed." in ok(alex, "review", "tea", "landed").out
