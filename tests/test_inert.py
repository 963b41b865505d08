"""Text from the partner's device is inert wherever it is shown (issue 12, item 5).

A partner's modified app can put anything in a note, a name or a title: escape sequences that
set the window title (OSC 0), write the clipboard (OSC 52) or move the cursor (CSI), their C1
forms, and bidirectional overrides. Here such text is written as that app would (the input
checks bypassed), and every way it is shown is checked: each `list` kind, `status`, the three
exports to standard output and to a file, the TUI's read models and the real TUI in tmux.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from companion import arrivals, views
from companion.domain import model as m
from companion.domain.records import Record
from companion.domain.text import inert, json_escaped, markdown_text, spreadsheet_cell
from companion.errors import UsageError

from .conftest import Partner
from .syncsim import World, fast_kdf

# Written out here rather than taken from the module, so the test checks the module's set.
# Tab counts too: nothing we print has one, so a tab in output came from a record.
# Lone surrogates too: a partner's JSON can carry them, and no terminal or file can encode them.
UNSAFE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
UNSAFE_ONE_LINE = re.compile(UNSAFE.pattern.replace(r"\x09\x0b", r"\x09\x0a\x0b"))
OSC_TITLE = "\x1b]0;PWNED-TITLE\x07"
OSC_CLIPBOARD = "\x1b]52;c;UFdORUQtQ0xJUA==\x07"  # "PWNED-CLIP"
HOSTILE_PIECES = [
    OSC_TITLE,
    OSC_CLIPBOARD,
    "\x1b]2;PWNED-TITLE\x1b\\",  # OSC 2, ended by ST
    "\x1b[2J\x1b[H",  # CSI: clear the screen, cursor home
    "\x1b[31;1m",
    "\x9b2J",  # the C1 form of CSI
    "\x9d0;PWNED-TITLE\x9c",  # C1 OSC … ST
    "\u202egnp.exe\u202c",  # right-to-left override
    "\u2066isolated\u2069\u2067\u2068",
    "\u200e\u200f\u061c",
    "\x7f\x00\x08\r\x0b\x0c\t",
]
HOSTILE = "Thanks-marker " + "".join(HOSTILE_PIECES) + " end"
WEB_HOSTILE = (
    '=HYPERLINK("http://x") <script>alert(1)</script> <img src=x onerror=alert(1)> '
    "[click](javascript:alert(1)) ![i](data:text/html;base64,PHNjcmlwdD4=) "
    "<javascript:alert(1)> [ref]: vbscript:msgbox &lt;b&gt; \\[esc](javascript:x)"
)
DANGEROUS_CHARS = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]] + list(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)
TEXT = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(DANGEROUS_CHARS)), max_size=60
) | st.lists(st.sampled_from(HOSTILE_PIECES + list("ab =-+@<>[]()&:\\\n"))).map("".join)


def unsafe(text: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in UNSAFE.findall(text)]


# -- the function ---------------------------------------------------------------------------


@given(TEXT, st.booleans())
@example(HOSTILE, False)
@example(HOSTILE, True)
@example("a\ud800b\udfff", False)
def test_inert_leaves_no_control_and_changes_nothing_else(text: str, multiline: bool) -> None:
    shown = inert(text, multiline=multiline)
    assert not (UNSAFE if multiline else UNSAFE_ONE_LINE).search(shown)
    assert len(shown) == len(text)  # one for one: nothing is hidden by being dropped
    assert inert(shown, multiline=multiline) == shown
    for before, after in zip(text, shown, strict=True):
        if "\ud800" <= before <= "\udfff":
            assert after == "\ufffd"  # a lone surrogate no terminal or file can encode
        elif not UNSAFE_ONE_LINE.match(before):
            assert after == before
        elif before == "\n" and multiline:
            assert after == "\n"
        else:
            assert after in (" ", "\ufffd")


@pytest.mark.parametrize("value", [None, 3, 2.5, True, ["a", "\x1b]0;x\x07"], {"k": "\x9b"}])
def test_inert_shows_any_value_without_failing(value: Any) -> None:
    shown = inert(value)
    assert isinstance(shown, str)
    assert not UNSAFE.search(shown)


def test_ordinary_text_is_shown_as_it_is() -> None:
    for text in ["Danke für den Tee ☕", "شكراً لك", "תודה רבה", "ありがとう", "naïve — “quotes”"]:
        assert inert(text) == text
        assert m.clean_text(text, "note") == text


@pytest.mark.parametrize(
    "piece", [OSC_TITLE, "\x9b31m", "\x85", "\x7f", "\u202e", "\u2066", "\u200f", "\u061c"]
)
def test_the_apps_own_input_refuses_what_would_be_shown_as_replaced(piece: str) -> None:
    with pytest.raises(UsageError) as refused:
        m.clean_text(f"thank you {piece} for dinner", "note")
    assert "control character" in refused.value.message
    assert refused.value.hint
    with pytest.raises(UsageError):
        m.clean_name(f"Sa{piece}m")
    assert (
        m.clean_text("line one\nline two\twith a tab", "note") == "line one\nline two\twith a tab"
    )


@given(st.recursive(TEXT | st.integers() | st.none(), lambda inner: st.lists(inner, max_size=3)))
def test_json_keeps_the_exact_text_and_no_raw_control(value: Any) -> None:
    document = json_escaped(json.dumps({"v": value}, ensure_ascii=False))
    assert json.loads(document) == {"v": value}
    assert not UNSAFE.search(document)


@given(TEXT)
@example(WEB_HOSTILE)
@example("-3")
def test_csv_cells_never_start_a_formula(text: str) -> None:
    cell = spreadsheet_cell(text)
    assert cell is not None
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert not UNSAFE.search(cell)


@given(TEXT)
@example(WEB_HOSTILE)
def test_markdown_text_has_no_html_no_link_and_no_script_scheme(text: str) -> None:
    shown = markdown_text(text)
    assert not UNSAFE_ONE_LINE.search(shown)
    assert "<" not in shown and ">" not in shown
    assert not unescaped_brackets(shown), "an unescaped bracket could make a link"
    assert not re.search(r"(javascript|vbscript|data|file)\s*:", shown, re.IGNORECASE)
    assert not re.search(r"&(?!amp;|lt;|gt;)", shown), "only our own entities"


def unescaped_brackets(markdown: str) -> list[int]:
    """Where a [ or ] is not escaped (preceded by an odd number of backslashes)."""
    found = []
    for at in (i for i, ch in enumerate(markdown) if ch in "[]"):
        slashes = len(markdown[:at]) - len(markdown[:at].rstrip("\\"))
        if slashes % 2 == 0:
            found.append(at)
    return found


# -- every view of a hostile partner's records ------------------------------------------------


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a read model: its fields, items and values, however deep. Records
    ride along only to be marked read, never shown: they keep their exact text."""
    if isinstance(value, Record):
        return
    if isinstance(value, str):
        yield value
    elif is_dataclass(value) and not isinstance(value, type):
        for field in fields(value):
            yield from strings_in(getattr(value, field.name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from strings_in(item)


def everything_shown(session: Any) -> dict[str, str]:
    """What every view makes of the space: CLI lines, exports, and the TUI's read models."""
    from companion.tui.read import agreements, care, checkin, gratitude, history, progress, tonight
    from companion.tui.read import settings as read_settings

    shown = {}
    for kind in views.LIST_KINDS:
        shown[f"list {kind}"] = "\n".join(
            views.text_line(session, r) for r in views.records_for(session, kind)
        )
    shown["status"] = views.status_text(views.status_data(session))
    for fmt, export in views.EXPORTERS.items():
        shown[f"export {fmt}"] = export(session)
    all_records = session.core_records() + session.dated(m.DATED_TYPES)
    shown["arrivals"] = arrivals.describe_arrivals(session, all_records) or ""
    since = tonight.seen_since(session)
    models: list[Any] = [
        tonight.tonight(session, since),
        agreements.agreements(session),
        care.care(session),
        checkin.checkin(session),
        gratitude.gratitude(session, since),
        history.history_agreements(session),
        progress.progress(session),
        read_settings.settings(session),
        *(history.history_chunk(session, month) for month in session.months()),
    ]
    for model in models:
        shown[f"tui {type(model).__name__}"] = "\n".join(strings_in(model))
    return shown


def write_as_a_modified_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """The partner's app without its input checks: whatever text it is given is stored."""
    monkeypatch.setattr(m, "clean_text", lambda text, what, *, limit=m.MAX_TEXT: text)
    monkeypatch.setattr(m, "clean_name", lambda name: name)


def exchange(world: World) -> None:
    for _ in range(2):
        world.deliver_all()
        for device in world.devices:
            device.session.sync()


def test_every_view_of_a_hostile_partners_text_is_inert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_kdf(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex", "Sam"])
    alex, sam = (device.session for device in world.devices)
    alex.checkin(None, supported="the walk", attention="When busy, I felt lost; help is tea.")
    write_as_a_modified_app(monkeypatch)
    examples = []

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(TEXT)
    @example(HOSTILE)
    @example(WEB_HOSTILE)
    def hostile(text: str) -> None:
        text = text or "x"
        sam.rename(text)
        sam.add_gratitude(text)
        sam.add_need(text)
        action = sam.add_care(text, "daily")
        sam.tick(action.id, sam.today())
        sam.propose_agreement(text)
        sam.checkin(None, supported=text, attention=text, victory=text, limits=text, request=text)
        exchange(world)
        alex.review(action.id, "landed", None)
        exchange(world)
        shown = everything_shown(alex)
        wrong = {where: unsafe(out) for where, out in shown.items() if unsafe(out)}
        assert not wrong, wrong
        examples.append(shown)

    hostile()
    # Not vacuous: the hostile text reached the views, shown with its controls replaced.
    first = examples[0]
    assert "Thanks-marker \ufffd]0;PWNED-TITLE\ufffd" in first["list gratitude"]
    assert "Thanks-marker" in first["tui Tonight"]
    assert "Thanks-marker" in first["tui Agreements"]
    assert "Thanks-marker" in first["tui Checkin"]
    assert "Thanks-marker" in first["status"]  # Sam's name
    assert "Thanks-marker" in first["export markdown"]
    exported = json.loads(first["export json"])
    assert HOSTILE in [r.get("text") for r in exported["records"]], "JSON keeps the exact text"


# -- the command line, end to end -------------------------------------------------------------

# Run in Sam's profile: the app with its input checks taken out, writing every kind of text.
MODIFIED_APP = textwrap.dedent(
    """
    import json, sys
    from companion.cli.base import open_session
    from companion.domain import model as m
    m.clean_text = lambda text, what, *, limit=m.MAX_TEXT: text
    m.clean_name = lambda name: name
    text = json.loads(sys.argv[1])
    session = open_session()
    session.rename(text)
    session.add_gratitude(text)
    session.add_gratitude(json.loads(sys.argv[2]))
    session.add_need(text)
    action = session.add_care(text, "daily")
    session.tick(action.id, session.today())
    agreement = session.propose_agreement(text)
    note = session.add_gratitude("Thanks-marker note " + text)
    session.checkin(None, supported=text, attention=text, victory=text, request=text)
    session.sync()
    session.close()
    print(json.dumps({"action": action.id, "agreement": agreement.id, "note": note.id}))
    """
)


# Run in Alex's profile: an older version of the app, from before the schema refused such
# text, merging Sam's changes. They are then in Alex's copy, and every view must show them
# inert (today's app keeps them aside instead: tests/test_schema.py).
OLDER_APP_SYNC = textwrap.dedent(
    """
    from companion.cli.base import open_session
    from companion.domain import model as m
    m.clean_text = lambda text, what, *, limit=m.MAX_TEXT: text
    m.clean_name = lambda name: name
    session = open_session()
    session.sync()
    session.close()
    """
)


def clean(result: Any, where: str) -> None:
    for stream, out in (("stdout", result.out), ("stderr", result.err)):
        assert not unsafe(out), f"{where} {stream}: {unsafe(out)}\n{out!r}"
        assert "Traceback" not in out, f"{where} {stream}:\n{out}"


@pytest.fixture
def hostile_couple(couple: tuple[Partner, Partner]) -> tuple[Partner, Partner, dict[str, str]]:
    """Alex and Sam, where Sam's app wrote HOSTILE and WEB_HOSTILE everywhere it could."""
    alex, sam = couple
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            MODIFIED_APP,
            json.dumps(HOSTILE + " " + WEB_HOSTILE),
            json.dumps(WEB_HOSTILE),
        ],
        env=sam.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    ids = json.loads(done.stdout)
    older = subprocess.run(
        [sys.executable, "-c", OLDER_APP_SYNC], env=alex.env(), capture_output=True, text=True
    )
    assert older.returncode == 0, older.stderr
    alex.ok("checkin", "--supported", "the walk", "--attention", "When busy, I felt lost")
    sam.ok("sync")
    alex.ok("sync")
    return alex, sam, ids


def test_no_cli_output_carries_a_partners_control_characters(
    hostile_couple: tuple[Partner, Partner, dict[str, str]], tmp_path: Path
) -> None:
    alex, _sam, ids = hostile_couple
    sync = alex.ok("sync")
    clean(sync, "sync")
    clean(alex.ok("watch", "--once"), "watch")
    clean(alex.ok("review", ids["action"], "landed"), "review")
    for kind in ("gratitude", "needs", "care", "ticks", "checkins", "agreements", "reviews"):
        listed = alex.ok("list", kind)
        clean(listed, f"list {kind}")
        assert "Thanks-marker" in listed.out, f"list {kind} shows the record"
        clean(alex.ok("list", kind, "--json"), f"list {kind} --json")
    status = alex.ok("status")
    clean(status, "status")
    assert "Thanks-marker \ufffd]0;PWNED-TITLE" in status.out  # Sam's name, made inert
    clean(alex.ok("status", "--json"), "status --json")
    verified = alex.run("verify")  # it names the changes today's app keeps aside
    assert verified.code == 3 and "keeps such changes aside" in verified.out, verified.out
    clean(verified, "verify")

    exports = {}
    for fmt in ("json", "csv", "markdown"):
        to_stdout = alex.ok("export", "--format", fmt)
        clean(to_stdout, f"export {fmt}")
        path = tmp_path / f"out.{fmt}"
        clean(alex.ok("export", "--format", fmt, "--output", str(path)), f"export {fmt} --output")
        in_file = path.read_text("utf-8")
        assert not unsafe(in_file), f"export {fmt} file: {unsafe(in_file)}"
        exports[fmt] = in_file

    records = json.loads(exports["json"])["records"]
    assert HOSTILE + " " + WEB_HOSTILE in [r.get("text") for r in records]
    for row in csv.reader(io.StringIO(exports["csv"])):
        starts = [cell for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
        assert not starts, starts
    assert "'=HYPERLINK" in exports["csv"], "the note that starts with = is text"
    markdown = exports["markdown"]
    assert "Thanks-marker" in markdown
    assert not re.search(r"<\s*(script|img)", markdown, re.IGNORECASE)
    assert not re.search(r"(javascript|vbscript|data)\s*:", markdown, re.IGNORECASE)
    assert not unescaped_brackets(markdown), "no link, image or reference"

    # Commands that echo the partner's text, and errors that quote what was typed.
    clean(alex.ok("accept", ids["agreement"]), "accept")
    clean(alex.ok("landed", ids["note"]), "landed")
    refused = alex.run("landed", "\x1b]0;typed\x07\u202e")
    assert refused.code != 0
    clean(refused, "landed with a hostile ref")
    refused = alex.run("add", "gratitude", "thank you \x9b31m")
    assert refused.code != 0 and "control character" in refused.err
    clean(refused, "add gratitude refused")
    refused = alex.run("list", "\x1b]52;c;eA==\x07")
    assert refused.code != 0
    clean(refused, "a refused choice")


# -- the real TUI in tmux ---------------------------------------------------------------------

TMUX = shutil.which("tmux")


def tmux(*args: str, socket: str) -> str:
    done = subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=20)
    return done.stdout


def test_the_tui_leaves_the_pane_title_and_clipboard_alone(
    hostile_couple: tuple[Partner, Partner, dict[str, str]],
) -> None:
    """A real terminal (tmux, 80x24) shows Tonight with Sam's hostile note on it: the pane's
    title and tmux's paste buffers (where OSC 52 would write) stay as they were."""
    if TMUX is None:
        pytest.fail("tmux is needed for this test (apt-get install tmux)")
    alex, _sam, _ids = hostile_couple
    socket = f"companion-inert-{uuid.uuid4().hex[:8]}"
    env_args = [f"{key}={value}" for key, value in alex.env().items() if "COMPANION" in key]
    command = " ".join(
        ["env", *(f"'{arg}'" for arg in env_args), f"'{sys.executable}'", "-m", "companion"]
    )
    try:
        tmux(
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "inert",
            "-x",
            "80",
            "-y",
            "24",
            socket=socket,
        )
        # OSC 52 would land in tmux's buffers: let it, so a write would show (tmux's default
        # is "external", which also keeps it), and name the pane so a title change shows.
        tmux("set-option", "-g", "set-clipboard", "on", socket=socket)
        tmux("set-option", "-g", "allow-rename", "on", socket=socket)
        tmux("select-pane", "-t", "inert", "-T", "before", socket=socket)
        buffers_before = tmux("list-buffers", socket=socket)

        def untouched() -> None:
            title = tmux("display-message", "-p", "-t", "inert", "#{pane_title}", socket=socket)
            buffers = tmux("list-buffers", socket=socket)
            assert title.strip() == "before", f"the pane title changed to {title!r}"
            assert buffers == buffers_before, f"the clipboard was written: {buffers!r}"

        def shows(needle: str) -> str:
            """The screen once it shows `needle` (or a minute has passed), the terminal's
            title and buffers checked all the while."""
            deadline = time.monotonic() + 60
            while True:
                untouched()
                screen = tmux("capture-pane", "-p", "-t", "inert", socket=socket)
                if needle in screen or time.monotonic() > deadline:
                    return screen
                time.sleep(0.5)

        tmux("send-keys", "-t", "inert", command, "Enter", socket=socket)
        # Tonight: Sam's name (hostile) heads the new notes.
        screen = shows("New from Thanks-marker")
        assert "New from Thanks-marker" in screen, f"Tonight never showed Sam's name:\n{screen}"
        assert "\ufffd]0;PWNED-TITLE" in screen, "the controls show as U+FFFD"
        time.sleep(1.5)  # a few more frames: the toasts and the sync line
        untouched()
        # Gratitude: the notes themselves.
        tmux("send-keys", "-t", "inert", "g", socket=socket)
        screen = shows("Thanks-marker note")
        assert "Thanks-marker note" in screen, f"Gratitude never showed the note:\n{screen}"
        time.sleep(1.0)
        untouched()
        tmux("send-keys", "-t", "inert", "C-q", socket=socket)
    finally:
        tmux("kill-server", socket=socket)
