#!/usr/bin/env python3
"""Moving between screens at ten years, against a bare Textual app measured the same way.

    python scripts/bench_nav.py --history DIR [--rounds 3] [--json OUT] [--profile DIR]

scripts/bench.py calls `navigation(...)` (its `nav` figures); run alone, this prints the same
rows. Each round is a fresh process on a fresh copy of the space, headless, through Textual's
Pilot: first a bare app of two screens of text (Header, a few lines, Footer), then companion.
A switch is timed from the key to the new screen on view with its data shown and no worker
pending (two quiet pauses in a row); the bare app's switch to its other screen is the
baseline, taken the same way in the same process. Every screen is timed twice: its first
visit of the run ("to"), and coming back to it after Tonight ("again"). Keypresses that change
a list (a tick on Tonight, "this landed" on Gratitude, agreeing on Agreements) are timed until
the changed row is shown, against the bare app's keypress that rewrites a line. Memory is the
peak RSS of another fresh process after visiting every screen twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from inspect import signature
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PASSPHRASE = "alex and sam, evening practice"
SIZE = (120, 40)  # columns, rows
# The screens of the practice, by mode, with their keys; Tonight is where each visit returns.
SCREENS = (
    ("care", "c"),
    ("progress", "p"),
    ("history", "h"),
    ("agreements", "a"),
    ("settings", "comma"),
    ("gratitude", "g"),
    ("checkin", "w"),
)
TARGET = 1.5  # × the bare app's figure
MEMORY_TARGET_MIB = 80.0
WAIT_LIMIT = 60.0  # seconds a single switch may take before the run is called broken


# -- in the child process -----------------------------------------------------------------------


def _busy(app: Any) -> bool:
    from textual.worker import WorkerState

    active = (WorkerState.PENDING, WorkerState.RUNNING)
    return any(w.group != "watch" and w.state in active for w in app.workers)


async def _until(pilot: Any, done: Any) -> float:
    """Pause until `done()` holds at two pauses in a row; the time it took from now."""
    began = time.perf_counter()
    quiet = 0
    while quiet < 2:
        await pilot.pause()
        quiet = quiet + 1 if done() else 0
        if time.perf_counter() - began > WAIT_LIMIT:
            raise RuntimeError("a screen never settled")
    return time.perf_counter() - began


async def _timed_press(pilot: Any, key: str, done: Any) -> float:
    began = time.perf_counter()
    await pilot.press(key)
    await _until(pilot, done)
    return time.perf_counter() - began


def _bare_app() -> Any:
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.screen import Screen
    from textual.widgets import Footer, Header, Static

    lines = "\n".join(f"Line {n} of this screen's text, as plain as it gets." for n in range(12))

    class Page(Screen[None]):
        BINDINGS = [Binding("x", "rewrite", "Rewrite")]  # noqa: RUF012

        def __init__(self, name: str) -> None:
            super().__init__(name=name)
            self.rewrites = 0

        def compose(self) -> ComposeResult:
            yield Header()
            yield Static(f"{self.name}\n{lines}", id="text")
            yield Footer()

        def action_rewrite(self) -> None:
            self.rewrites += 1
            self.query_one("#text", Static).update(f"rewritten {self.rewrites}\n{lines}")

    class Bare(App[None]):
        MODES = {"one": lambda: Page("one"), "two": lambda: Page("two")}  # noqa: RUF012
        DEFAULT_MODE = "one"
        BINDINGS = [  # noqa: RUF012
            Binding("1", "switch_mode('one')", "One"),
            Binding("2", "switch_mode('two')", "Two"),
        ]

    return Bare()


async def _bare_round() -> dict[str, Any]:
    app = _bare_app()
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: True)

        def on(mode: str) -> Any:
            return lambda: app.current_mode == mode and app.screen.is_attached

        out["to"] = await _timed_press(pilot, "2", on("two"))
        out["back"] = [await _timed_press(pilot, "1", on("one"))]
        out["again"] = await _timed_press(pilot, "2", on("two"))
        out["back"].append(await _timed_press(pilot, "1", on("one")))
        keys = []
        for _ in range(3):
            screen = app.screen
            before = screen.rewrites
            keys.append(await _timed_press(pilot, "x", lambda s=screen, b=before: s.rewrites > b))
        out["key"] = statistics.median(keys)
    return out


def _count_shows() -> None:
    """Count each practice screen's show() calls: how the timing knows data was shown."""
    from companion.tui.screens.base import PracticeScreen

    def wrap(cls: Any) -> None:
        original = cls.__dict__.get("show")
        if original is None or getattr(original, "counted", False):
            return

        async def show(self: Any, data: Any) -> None:
            await original(self, data)
            self.bench_shows = getattr(self, "bench_shows", 0) + 1

        show.counted = True  # type: ignore[attr-defined]
        cls.show = show

    def init_subclass(cls: Any, **kwargs: Any) -> None:
        super(PracticeScreen, cls).__init_subclass__(**kwargs)
        wrap(cls)

    PracticeScreen.__init_subclass__ = classmethod(init_subclass)  # type: ignore[assignment]
    from companion.tui.screens.tonight import TonightScreen

    for cls in (TonightScreen, *TonightScreen.__mro__):
        if issubclass(cls, PracticeScreen) and cls is not PracticeScreen:
            wrap(cls)


def _companion_app(home: Path) -> Any:
    os.environ["COMPANION_HOME"] = str(home)
    _count_shows()
    from companion.service import start_unlock
    from companion.tui.app import CompanionApp

    # Derived in a forked helper, as `companion` does: its 64 MiB are not the app's memory.
    derivation = start_unlock(home, PASSPHRASE)
    # Screens built ahead as `companion` builds them (it syncs, which turns that on); an
    # older checkout, measured for comparison, has no such thing.
    ahead = {"prepare": True} if "prepare" in signature(CompanionApp).parameters else {}
    return CompanionApp(
        home=home,
        passphrase=PASSPHRASE,
        derivation=derivation,
        sync_interval=None,
        watch=False,
        **ahead,
    )


def _shown(app: Any, mode: str, before: int = 0) -> Any:
    def done() -> bool:
        screen = app.screen
        return (
            app.current_mode == mode
            and screen.is_attached
            and getattr(screen, "bench_shows", 0) > before
            and not _busy(app)
        )

    return done


def _settled(app: Any, mode: str) -> Any:
    """On `mode`'s screen, which has shown its data at least once, and nothing pending."""
    return _shown(app, mode, 0)


def _prepared(app: Any) -> bool:
    if not getattr(app, "prepare_screens", False):
        return True
    preparer = getattr(app, "preparer", None)
    return preparer is not None and bool(preparer.done)


async def _open(pilot: Any, app: Any) -> None:
    began = time.perf_counter()
    while time.perf_counter() - began < WAIT_LIMIT:
        await pilot.pause(0.05)
        if app.backend is not None and app.current_mode == "tonight" and not _busy(app):
            # and the other screens built ahead, as they are a moment after start-up
            await _until(pilot, lambda: not _busy(app) and _prepared(app))
            return
    raise RuntimeError("the app did not open")


async def _keypress(pilot: Any, app: Any, mode: str, pick: Any, key: str) -> float | None:
    """Put the cursor where `pick` says, then time `key` until the screen shows the change."""
    screen = app.screen
    if not pick(screen):
        return None
    await _until(pilot, lambda: not _busy(app))
    before = getattr(screen, "bench_shows", 0)
    return await _timed_press(pilot, key, _shown(app, mode, before))


def _pick_due(screen: Any) -> bool:
    from companion.tui.widgets.due_list import DueList

    due = screen.query_one("#due", DueList)
    for index, row in enumerate(due.rows):
        if not getattr(row, "status", None):
            due.focus()
            due.index = index
            return True
    return False


def _pick_unlanded(screen: Any) -> bool:
    from companion.tui.widgets.note_list import NoteList

    inbox = screen.query_one("#inbox", NoteList)
    return _pick_item(inbox, lambda item: item.received and not item.row.landed)


def _pick_proposal(screen: Any) -> bool:
    from companion.tui.widgets.agreement_list import AgreementList

    rows = screen.query_one(AgreementList)
    return _pick_item(rows, lambda item: getattr(item, "acceptable", False))


def _pick_item(widget: Any, wanted: Any) -> bool:
    rows = getattr(widget, "rows", None)
    if rows is not None:  # a list that draws its rows itself
        for index, row in enumerate(rows):
            if wanted(_RowView(widget, row)):
                widget.focus()
                widget.move_to(index)
                return True
        return False
    for index, item in enumerate(widget.children):
        if hasattr(item, "row") and wanted(item):
            widget.focus()
            widget.index = index
            return True
    return False


class _RowView:
    """A drawn row seen as the item widgets used to be (row, received, acceptable)."""

    def __init__(self, widget: Any, row: Any) -> None:
        self.row = row
        self.received = getattr(widget, "received", False)
        self.acceptable = getattr(row, "acceptable", False)


async def _companion_round(home: Path) -> dict[str, Any]:
    app = _companion_app(home)
    out: dict[str, Any] = {"to": {}, "again": {}, "back": [], "keys": {}}
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app)
        for mode, key in SCREENS:
            out["to"][mode] = await _timed_press(pilot, key, _settled(app, mode))
            out["back"].append(await _timed_press(pilot, "t", _settled(app, "tonight")))
        for mode, key in SCREENS:
            out["again"][mode] = await _timed_press(pilot, key, _settled(app, mode))
            out["back"].append(await _timed_press(pilot, "t", _settled(app, "tonight")))
        out["keys"]["tick"] = await _keypress(pilot, app, "tonight", _pick_due, "d")
        await _timed_press(pilot, "g", _settled(app, "gratitude"))
        out["keys"]["landed"] = await _keypress(pilot, app, "gratitude", _pick_unlanded, "l")
        await _timed_press(pilot, "a", _settled(app, "agreements"))
        out["keys"]["accept"] = await _keypress(pilot, app, "agreements", _pick_proposal, "y")
    return out


async def _memory_run(home: Path) -> dict[str, Any]:
    app = _companion_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app)
        for _ in range(2):
            for mode, key in SCREENS:
                await _timed_press(pilot, key, _settled(app, mode))
                await _timed_press(pilot, "t", _settled(app, "tonight"))
    return {"hwm_mib": _status_kib("VmHWM") / 1024, "rss_mib": _status_kib("VmRSS") / 1024}


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def child_main(kind: str, home: Path, out: Path, profile: Path | None) -> None:
    if kind == "memory":  # a process with no thread yet: the key derivation forks
        out.write_text(json.dumps(asyncio.run(_memory_run(home))))
        return
    profiler = None
    if profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005, async_mode="disabled")
    bare = asyncio.run(_bare_round())
    if profiler is not None:
        profiler.start()
    result = {"bare": bare, "companion": asyncio.run(_companion_round(home))}
    if profiler is not None:
        profiler.stop()
        assert profile is not None
        profile.write_text(profiler.output_text(unicode=True, show_all=True))
    out.write_text(json.dumps(result))


# -- in the parent (scripts/bench.py) -----------------------------------------------------------


def prepare(history: Path, dest: Path) -> Path:
    """A private copy of the space in which Sam has proposed an agreement Alex can accept.

    Returns Alex's home. The proposal goes through the real path: Sam's session proposes and
    shares it, Alex's brings it in.
    """
    from bench import clone  # beside this script

    clone(history, dest)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from companion.service import Passphrase, open_space\n"
        "root, words = Path(sys.argv[1]), sys.argv[2]\n"
        "with open_space(root / 'b', Passphrase(words)) as sam:\n"
        "    sam.propose_agreement('Phones away at dinner, both of us.')\n"
        "    sam.sync()\n"
        "with open_space(root / 'a', Passphrase(words)) as alex:\n"
        "    alex.sync()\n"
    )
    subprocess.run([PY, "-c", script, str(dest), PASSPHRASE], check=True, env=_env(), timeout=300)
    return dest / "a"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPANION_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _child(kind: str, home: Path, work: Path, profile: Path | None = None) -> dict[str, Any]:
    out = work / f"nav-{kind}-{time.monotonic_ns()}.json"
    argv = [PY, str(Path(__file__).resolve()), "--child", kind, str(home), str(out)]
    if profile is not None:
        argv += ["--child-profile", str(profile)]
    subprocess.run(argv, check=True, env=_env(), timeout=900)
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def measure(
    history: Path, work: Path, rounds: int, profile_dir: Path | None = None
) -> dict[str, Any]:
    """Every round's raw figures, and the memory run's."""
    runs = []
    for n in range(rounds):
        home = prepare(history, work / f"nav-{n}")
        profile = None
        if profile_dir is not None and n == 0:
            profile = profile_dir / "navigation.txt"
        runs.append(_child("time", home, work, profile))
        shutil.rmtree(work / f"nav-{n}", ignore_errors=True)
    home = prepare(history, work / "nav-memory")
    memory = _child("memory", home, work)
    shutil.rmtree(work / "nav-memory", ignore_errors=True)
    return {"rounds": runs, "memory": memory}


def rows(raw: dict[str, Any], years: int) -> list[dict[str, Any]]:
    """The figures: (key, label, value, baseline, ratio, target, passed), seconds and MiB."""
    runs = raw["rounds"]

    def med(values: list[float | None]) -> float | None:
        found = [v for v in values if v is not None]
        return statistics.median(found) if found else None

    bare_to = med([r["bare"]["to"] for r in runs])
    bare_again = med([r["bare"]["again"] for r in runs])
    bare_back = med([statistics.median(r["bare"]["back"]) for r in runs])
    bare_key = med([r["bare"]["key"] for r in runs])
    out = []

    def row(key: str, label: str, value: float | None, base: float | None, what: str) -> None:
        ratio = value / base if value is not None and base else None
        out.append(
            {
                "key": key,
                "label": label,
                "value": value,
                "unit": "s",
                "baseline": base,
                "baseline_label": what,
                "target": f"≤ {TARGET} × baseline",
                "ratio": ratio,
                "passed": ratio is not None and ratio <= TARGET,
            }
        )

    for mode, _ in SCREENS:
        name = mode.capitalize() if mode != "checkin" else "Check-in"
        row(
            f"nav_to_{mode}",
            f"switch to {name} (first visit), {years} years",
            med([r["companion"]["to"][mode] for r in runs]),
            bare_to,
            "bare Textual app, switch to its other screen (first visit)",
        )
        row(
            f"nav_again_{mode}",
            f"back to {name} again, {years} years",
            med([r["companion"]["again"][mode] for r in runs]),
            bare_again,
            "bare Textual app, back to a screen it showed",
        )
    row(
        "nav_to_tonight",
        f"back to Tonight from each screen, {years} years",
        med([statistics.median(r["companion"]["back"]) for r in runs]),
        bare_back,
        "bare Textual app, back to its first screen",
    )
    for key, label in (
        ("tick", "a tick on Tonight, shown"),
        ("landed", "'this landed' on Gratitude, shown"),
        ("accept", "agreeing on Agreements, shown"),
    ):
        row(
            f"nav_key_{key}",
            f"{label}, {years} years",
            med([r["companion"]["keys"].get(key) for r in runs]),
            bare_key,
            "bare Textual app, a keypress that rewrites a line",
        )
    hwm = raw["memory"]["hwm_mib"]
    out.append(
        {
            "key": "nav_memory",
            "label": f"peak memory after visiting every screen twice, {years} years",
            "value": hwm,
            "unit": "MiB",
            "baseline": None,
            "baseline_label": "",
            "target": f"≤ {MEMORY_TARGET_MIB:g} MiB",
            "ratio": None,
            "passed": hwm <= MEMORY_TARGET_MIB,
        }
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--history", type=Path, help="a folder filled by scripts/gen_history.py")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--profile", type=Path, help="write a pyinstrument profile here")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "HOME", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, home, out = args.child
        child_main(kind, Path(home), Path(out), args.child_profile)
        return 0
    if args.history is None:
        parser.error("--history DIR is needed (scripts/gen_history.py fills one)")
    work = Path(tempfile.mkdtemp(prefix="companion-nav-"))
    try:
        if args.profile is not None:
            args.profile.mkdir(parents=True, exist_ok=True)
        raw = measure(args.history.absolute(), work, args.rounds, args.profile)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    years = round(json.loads((args.history / "gen-summary.json").read_text())["years"])
    figures = rows(raw, years)
    for f in figures:
        value = "—" if f["value"] is None else f"{f['value']:.3f}"
        base = "—" if f["baseline"] is None else f"{f['baseline']:.3f}"
        ratio = "—" if f["ratio"] is None else f"{f['ratio']:.2f}×"
        result = "pass" if f["passed"] else "FAIL"
        print(f"{f['label']:<58} {value:>8} {base:>8} {ratio:>7} {result}")
    if args.json is not None:
        args.json.write_text(json.dumps({"raw": raw, "figures": figures}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
