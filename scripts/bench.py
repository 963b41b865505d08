#!/usr/bin/env python3
"""Benchmarks of companion on a realistic ten-year space, each against a baseline of the same run.

    python scripts/bench.py [--years 10] [--acts 8] [--history DIR] [--json OUT] [--quick]
                            [--profile DIR] [--only KEYS] [--keep]

It generates a space with scripts/gen_history.py (or reuses `--history DIR`, a folder that
script filled), measures every figure in fresh processes where start-up matters, and prints
a table (and writes JSON) of each figure, its baseline from the same run, the ratio, the
target and pass or fail. The machine may be shared and noisy: each figure is the median of
several repetitions (p95 for ticks), and baselines are measured in the same run, interleaved
where that is cheap (for cold start, the ratio is the median of each back-to-back pair's).

| figure | target |
| cold start until Tonight is painted | ≤ 1.25 × a bare Textual app (Header, Static, Footer) |
| a tick saved (replica and segment fsync'd), p95 | ≤ 20 ms (baseline: a plain TinyDB file) |
| partner's segment lands → the open app shows it | ≤ 1.0 s |
| bytes written into the shared folder per tick | ≤ 4 KiB, the same at 1 and at 10 years |
| a new device joining (full rebuild) | ≤ 5 s |
| `companion add gratitude` from the shell | ≤ 0.3 × jrnl 4.6 on an encrypted journal |
| peak memory of the TUI (main screens visited) | ≤ 80 MiB |
| each screen switch, first visit and coming back (bench_nav.py) | ≤ 1.5 × a bare app's switch |
| a keypress that changes a list, until shown | ≤ 1.5 × a bare app's keypress |
| peak memory after visiting every screen twice | ≤ 80 MiB |

Start-up figures run in a pseudo-terminal, as a person's terminal would. Cold start runs the
installed `companion` command itself, which notes the moment Tonight is first painted (with
its data) in COMPANION_BENCH_EVENTS and exits (COMPANION_BENCH_EXIT=1); the memory and arrival
figures run the app through a small harness that wraps each screen's show(). Before measuring,
companion's modules are byte-compiled, as pip does when it installs the package (an editable
checkout under PYTHONDONTWRITEBYTECODE=1 would otherwise compile them on every start).
`--quick` runs a one-year space with fewer repetitions, for smoke tests. `--profile DIR`
also writes a py-spy (all threads) or pyinstrument profile of each measured path into DIR.

Needs `pip install -e '.[bench]'` (jrnl 4.6 for the baseline; py-spy or pyinstrument for
`--profile`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import pty
import random
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT / "scripts" / "gen_history.py"
PY = sys.executable
PASSPHRASE = "alex and sam, evening practice"
JRNL_PASSWORD = "jrnl bench password"
TERM_SIZE = (40, 120)  # rows, columns
KIB = 1024
MIB = 1024 * 1024


@dataclass
class Figure:
    key: str
    label: str
    value: float | None
    unit: str
    baseline: float | None
    baseline_label: str
    target: str
    passed: bool | None
    ratio: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # Shown for information beside a target's figure, never passed or failed itself.
    informative: bool = False


@dataclass
class Plan:
    quick: bool
    cold_runs: int
    ticks: int
    arrivals: int
    joins: int
    adds: int
    memory_runs: int
    bytes_cycle: bool


def plan_for(quick: bool) -> Plan:
    if quick:
        return Plan(
            True,
            cold_runs=3,
            ticks=20,
            arrivals=3,
            joins=1,
            adds=2,
            memory_runs=1,
            bytes_cycle=False,
        )
    return Plan(
        False, cold_runs=15, ticks=60, arrivals=7, joins=3, adds=5, memory_runs=3, bytes_cycle=True
    )


# -- small helpers --------------------------------------------------------------------------


def compile_package() -> None:
    """Byte-compile companion's modules where they are, as pip does when it installs them."""
    import compileall

    spec = subprocess.run(
        [PY, "-c", "import companion, os; print(os.path.dirname(companion.__file__))"],
        env=child_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    compileall.compile_dir(spec.stdout.strip(), quiet=1)


def log(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * (len(ordered) - 1))))]


def tool(name: str) -> list[str] | None:
    """A console script installed beside this Python (the venv's), else on PATH."""
    here = Path(PY).parent / name
    if here.exists():
        return [str(here)]
    found = shutil.which(name)
    return [found] if found else None


def companion_cmd() -> list[str]:
    return tool("companion") or [PY, "-m", "companion"]


def child_env(home: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPANION_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    if home is not None:
        env["COMPANION_HOME"] = str(home)
        env["COMPANION_PASSPHRASE"] = PASSPHRASE
    env.update(extra)
    return env


def run_timed(cmd: list[str], env: dict[str, str], **kwargs: Any) -> tuple[float, str]:
    began = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, **kwargs)
    took = time.perf_counter() - began
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:4]} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return took, proc.stdout


# -- histories ------------------------------------------------------------------------------


def generate(out: Path, years: int, acts: int, seed: int = 1) -> dict[str, Any]:
    """A space of `years` ending yesterday, so that tonight is a fresh evening."""
    end = dt.date.today() - dt.timedelta(days=1)
    log(f"generating {years} year(s) of history in {out}")
    cmd = [
        PY,
        str(GEN),
        "--years",
        str(years),
        "--out",
        str(out),
        "--seed",
        str(seed),
        "--end",
        end.isoformat(),
        "--passphrase",
        PASSPHRASE,
        "--acts",
        str(acts),
    ]
    took, _ = run_timed(cmd, child_env())
    summary = load_summary(out)
    log(f"  {summary['records']} records, {summary['ops']} changes in {took:.1f} s")
    return summary


def load_summary(history: Path) -> dict[str, Any]:
    return json.loads((history / "gen-summary.json").read_text())


def clone(history: Path, dest: Path) -> Path:
    """A private copy of a generated space whose profiles point at the copy's folder."""
    shutil.copytree(history, dest, symlinks=True)
    for who in ("a", "b"):
        path = dest / who / "profile.json"
        body = json.loads(path.read_text())
        body["shared_folder"] = str(dest / "shared")
        path.write_text(json.dumps(body, indent=2) + "\n")
    return dest


# -- running the TUI in a pseudo-terminal ---------------------------------------------------

BARE_APP = """
import os, time
from textual.app import App
from textual.widgets import Footer, Header, Static

def event(text):
    with open(os.environ["BENCH_EVENTS"], "a") as f:
        f.write(text + "\\n")

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("Tonight's care")
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(self.painted)

    def painted(self):
        event(f"painted {time.time()!r}")
        status = open("/proc/self/status").read()
        hwm = [l for l in status.splitlines() if l.startswith(("VmHWM", "VmRSS"))]
        event("memory " + " ".join(l.split()[1] for l in hwm))
        self.exit()

Bare().run()
"""

# The companion app, started as `companion` starts it (companion.entry.main with no command),
# with each practice screen's show() wrapped to note the first paint of Tonight. BENCH_VISIT
# lists modes to visit after that (for peak memory); BENCH_WATCH keeps it open and notes each
# marked note shown. Screens other than Tonight are wrapped as the app first makes them, so
# their modules are imported when the app would import them, not before.
COMPANION_APP = """
import os, sys, time
from companion.tui import navigation
from companion.tui.screens.tonight import TonightScreen

def event(text):
    with open(os.environ["BENCH_EVENTS"], "a") as f:
        f.write(text + "\\n")

visit = [m for m in os.environ.get("BENCH_VISIT", "").split(",") if m]
watch = os.environ.get("BENCH_WATCH") == "1"
state = {"painted": False, "step": -1, "seen": set()}

def memory():
    import resource
    status = open("/proc/self/status").read()
    hwm = [l for l in status.splitlines() if l.startswith(("VmHWM", "VmRSS"))]
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return " ".join(l.split()[1] for l in hwm) + f" {children}"

def advance(app):
    label = "painted" if state["step"] < 0 else visit[state["step"]]
    event(f"step {label} {memory()}")
    state["step"] += 1
    if state["step"] >= len(visit):
        event("memory " + memory())
        app.exit()
        return
    mode = visit[state["step"]]
    app.switch_mode(mode)
    if mode == "help":
        app.set_timer(0.2, lambda: advance(app))
    else:  # a screen built ahead (tui/preparing.py) may show its data without a show()
        step = state["step"]
        app.set_timer(0.05, lambda: shown_ahead(app, step))

def shown_ahead(app, step):
    if state["step"] != step:
        return  # its show() moved on already
    screen = app.screen
    loading = [w for w in app.workers if w.group == "load" and not w.is_finished]
    if (getattr(screen, "bench_shown", False) or getattr(screen, "_asked", False)) and not loading:
        app.call_after_refresh(lambda: state["step"] == step and advance(app))
    else:
        app.set_timer(0.05, lambda: shown_ahead(app, step))

def first_paint(app):
    # Tonight is on screen with its data (built with it at start-up, or shown once read).
    if state["painted"]:
        return
    state["painted"] = True
    event(f"painted {time.time()!r}")
    if watch:
        return
    if visit:
        advance(app)
    else:
        event("memory " + memory())
        app.exit()

def wrap(cls, mode):
    original = cls.show

    async def show(self, data):
        await original(self, data)
        self.bench_shown = True
        app = self.app
        if not state["painted"]:
            return  # the app's tonight_painted notes the first paint
        if watch:
            tonight = getattr(data, "tonight", data)  # Tonight's read carries its moments too
            for row in getattr(tonight, "notes", []):
                if row.text.startswith("BENCH-") and row.text not in state["seen"]:
                    state["seen"].add(row.text)
                    text = row.text
                    app.call_after_refresh(
                        lambda text=text: event(f"shown {text.split()[0]} {time.time()!r}")
                    )
        elif visit and 0 <= state["step"] < len(visit) and visit[state["step"]] == mode:
            if app.screen is self:  # not a screen built ahead, off screen
                step = state["step"]
                app.call_after_refresh(lambda: state["step"] == step and advance(app))

    cls.show = show
    cls.bench_wrapped = True

wrap(TonightScreen, "tonight")
made = navigation.Destination.make

def make(self):
    screen = made(self)
    if hasattr(screen, "show") and not getattr(type(screen), "bench_wrapped", False):
        wrap(type(screen), self.mode)
    return screen

navigation.Destination.make = make  # before the app's module builds its MODES from it

from companion.tui.app import CompanionApp
painted = CompanionApp.tonight_painted

def tonight_painted(self):
    painted(self)
    first_paint(self)

CompanionApp.tonight_painted = tonight_painted

from companion.entry import main
main([])
"""


@dataclass
class PtyRun:
    began: float  # time.time() just before the child was started
    events: list[tuple[str, list[str]]]
    returncode: int | None
    output_tail: bytes
    pid: int


class PtyChild:
    """A child process on a pseudo-terminal of TERM_SIZE, its output drained and discarded."""

    def __init__(self, argv: list[str], env: dict[str, str], events: Path) -> None:
        self.events_path = events
        events.write_text("")
        master, slave = pty.openpty()
        rows, cols = TERM_SIZE
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {
            **env,
            "TERM": "xterm-256color",
            "BENCH_EVENTS": str(events),
            "COLUMNS": str(cols),
            "LINES": str(rows),
        }
        self.began = time.time()
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.tail = b""
        self._stop = False
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while not self._stop:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.1)
                if ready:
                    chunk = os.read(self.master, 65536)
                    if not chunk:
                        return
                    self.tail = (self.tail + chunk)[-4000:]
            except OSError:
                return

    def events(self) -> list[tuple[str, list[str]]]:
        lines = self.events_path.read_text().splitlines()
        return [(line.split()[0], line.split()[1:]) for line in lines if line.strip()]

    def wait_for(self, kind: str, timeout: float, count: int = 1) -> list[list[str]]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = [args for k, args in self.events() if k == kind]
            if len(found) >= count:
                return found
            if self.proc.poll() is not None:
                break
            time.sleep(0.01)
        raise RuntimeError(
            f"no '{kind}' event from the app within {timeout} s "
            f"(exit {self.proc.poll()}); its last output:\n{self.screen_text()}"
        )

    def screen_text(self) -> str:
        return self.tail.decode("utf-8", "replace")[-1500:]

    def finish(self, timeout: float = 30.0) -> PtyRun:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._stop = True
        self._reader.join(timeout=2)
        with contextlib.suppress(OSError):
            os.close(self.master)
        return PtyRun(self.began, self.events(), self.proc.returncode, self.tail, self.proc.pid)


def app_run(
    source: str,
    env: dict[str, str],
    events: Path,
    timeout: float = 120.0,
    profile: Path | None = None,
) -> PtyRun:
    argv = [PY, "-c", source]
    if profile is not None:
        argv = profiler_argv(profile, argv)
    child = PtyChild(argv, env, events)
    try:
        child.wait_for("painted", timeout)
        if not any(k == "memory" for k, _ in child.events()):
            child.wait_for("memory", timeout)
    finally:
        run = child.finish()
    return run


def command_run(env: dict[str, str], events: Path, timeout: float = 120.0) -> PtyRun:
    """The `companion` command itself, until it notes its first paint of Tonight and exits."""
    env = {**env, "COMPANION_BENCH_EVENTS": str(events), "COMPANION_BENCH_EXIT": "1"}
    child = PtyChild(companion_cmd(), env, events)
    try:
        child.wait_for("painted", timeout)
    finally:
        run = child.finish()
    return run


def painted_after(run: PtyRun) -> float:
    stamp = next(float(args[0]) for kind, args in run.events if kind == "painted")
    return stamp - run.began


def memory_of(run: PtyRun) -> tuple[float, float, float]:
    """(peak RSS, RSS at the end, peak RSS of its own children) in MiB.

    From the app process's own /proc/self/status; its children are those it forked and
    waited for, such as a background key derivation.
    """
    args = next(args for kind, args in run.events if kind == "memory")
    hwm_kib, rss_kib = (int(v) for v in args[:2])
    children_kib = int(args[2]) if len(args) > 2 else 0
    return hwm_kib / 1024, rss_kib / 1024, children_kib / 1024


# -- profiling (optional) ---------------------------------------------------------------------


def profiler_argv(out: Path, argv: list[str]) -> list[str]:
    """Wrap a Python command in py-spy (every thread) if it works here, else pyinstrument."""
    spy = tool("py-spy")
    if spy and _py_spy_works(spy[0]):
        return [
            *spy,
            "record",
            "--threads",
            "--subprocesses",
            "-r",
            "200",
            "-f",
            "raw",
            "-o",
            str(out.with_suffix(".folded")),
            "--",
            *argv,
        ]
    return [PY, "-m", "pyinstrument", "-r", "text", "-o", str(out.with_suffix(".txt")), *argv[1:]]


_SPY_OK: dict[str, bool] = {}


def _py_spy_works(spy: str) -> bool:
    if spy not in _SPY_OK:
        try:
            with tempfile.TemporaryDirectory() as tmp:
                proc = subprocess.run(
                    [
                        spy,
                        "record",
                        "-o",
                        f"{tmp}/p.folded",
                        "-f",
                        "raw",
                        "--",
                        PY,
                        "-c",
                        "import time; time.sleep(0.5)",
                    ],
                    capture_output=True,
                    timeout=60,
                )
            _SPY_OK[spy] = proc.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _SPY_OK[spy] = False
    return _SPY_OK[spy]


# -- 1. cold start ----------------------------------------------------------------------------


def cold_start(history: Path, work: Path, plan: Plan, profile_dir: Path | None) -> list[Figure]:
    """Launch of `companion` until Tonight is painted with its data, against a bare app.

    The figure is the evening's usual start: the key remembered on this device (`companion
    remember`; a key file here, as CI has no keychain), so Tonight opens without a question.
    With COMPANION_PASSPHRASE instead, the same launch also derives the key (Argon2id, 64 MiB,
    on purpose slow): that is measured too, for information. (Typed at the unlock screen, the
    derivation starts only once the passphrase is entered.)
    """
    log("cold start: bare Textual app vs companion until Tonight is painted")
    space = clone(history, work / "cold")
    env = child_env(space / "a")
    subprocess.run(
        [*companion_cmd(), "remember", "--key-file"], env=env, check=True, capture_output=True
    )
    remembered = {k: v for k, v in env.items() if k != "COMPANION_PASSPHRASE"}
    bare_env = child_env()
    bare, ours, typed = [], [], []
    for i in range(plan.cold_runs + 1):  # the first round warms the disk cache, not counted
        b = painted_after(app_run(BARE_APP, bare_env, work / "cold-bare.events"))
        c = painted_after(command_run(remembered, work / "cold-app.events"))
        p = painted_after(command_run(env, work / "cold-env.events"))
        if i:
            bare.append(b)
            ours.append(c)
            typed.append(p)
    if profile_dir is not None:
        app_run(
            COMPANION_APP, remembered, work / "cold-prof.events", profile=profile_dir / "cold-start"
        )
    # Each round starts the bare app and then companion back to back, so a pair shares the
    # machine's state of the moment; on a shared machine that state swings between runs by
    # half again, and the ratio of two medians can pair a fast run with a slow one. The ratio
    # is therefore the median of the rounds' own ratios.
    base, value, with_kdf = median(bare), median(ours), median(typed)
    ratio = median([c / b for c, b in zip(ours, bare, strict=True)])
    ratio_kdf = median([p / b for p, b in zip(typed, bare, strict=True)])
    return [
        Figure(
            "cold_start",
            "cold start until Tonight is painted",
            value,
            "s",
            base,
            "bare Textual app (Header, Static, Footer)",
            "≤ 1.25 × baseline",
            ratio <= 1.25,
            ratio,
            {
                "companion_runs": ours,
                "bare_runs": bare,
                "ratio_of_medians": value / base,
                "unlock": "key remembered (file)",
            },
        ),
        Figure(
            "cold_start_passphrase",
            "  the same, passphrase in the environment (+ Argon2id)",
            with_kdf,
            "s",
            base,
            "bare Textual app (Header, Static, Footer)",
            "for information",
            None,
            ratio_kdf,
            {"companion_runs": typed, "bare_runs": bare},
            informative=True,
        ),
    ]


# -- 2 and 4. ticks: latency, and bytes into the shared folder --------------------------------

TICKER = """
import datetime as dt, json, os, sys, time
args = json.loads(sys.argv[1])
if args["mode"] == "bytes":
    os.fsync = lambda fd: None  # bytes don't depend on fsync; a full compaction cycle is long
from companion.service import Session
from companion.domain import model as m
from companion.store.replica import CORE
from companion.sync import engine
from pathlib import Path

session = Session.unlock(Path(args["home"]), args["passphrase"])
actions = session.my_actions()
today = session.today()
shared = session.journal.space_dir

def scan():
    out = {}
    for dirpath, _, files in os.walk(shared):
        for name in files:
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except FileNotFoundError:
                continue
            out[path] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return out

def tick(i):
    action = actions[i % len(actions)]
    day = today - dt.timedelta(days=(i // len(actions)) % 7)
    session.tick(action.id, day, skip=(i // (7 * len(actions))) % 2 == 1)

result = {"actions": len(actions)}
if args["mode"] == "latency":
    took = []
    for i in range(args["ticks"] + 3):
        began = time.perf_counter()
        tick(i)
        if i >= 3:
            took.append(time.perf_counter() - began)
    result["ticks"] = took
if args["mode"] == "latency" and args["baseline_ticks"]:
    # The baseline: the same tick into one plain TinyDB file holding the same records.
    from tinydb import Query, TinyDB
    states = []
    for part in [CORE, *session.replica.partitions()]:
        states.extend(session.replica._raw(part).values())
    path = Path(args["scratch"]) / "plain.json"
    db = TinyDB(path)
    db.table("records").insert_multiple(states)
    table = db.table("records")
    rec = Query()
    base = []
    for i in range(args["baseline_ticks"] + 1):
        action = actions[i % len(actions)]
        day = today - dt.timedelta(days=(i // len(actions)) % 7)
        stamp = session.clock.tick(session.now())
        doc = {"id": f"plain-{action.id}-{day}", "type": m.TICK, "author": session.me,
               "device": session.profile.device_id, "created": stamp, "hlc": stamp,
               "fields": {"action": action.id, "date": day.isoformat(), "status": "done",
                          "deleted": False},
               "clocks": {"action": stamp, "date": stamp, "status": stamp, "deleted": stamp}}
        began = time.perf_counter()
        table.upsert(doc, rec.id == doc["id"])
        if i:
            base.append(time.perf_counter() - began)
    result["baseline"] = base
    result["records"] = len(states)
    result["plain_bytes"] = path.stat().st_size
if args["mode"] == "bytes":
    own = session.journal.own_dir
    # The top tier of compaction: a snapshot of LOOSE_SEGMENTS * MAX_SNAPSHOTS segments.
    top = engine.LOOSE_SEGMENTS * engine.MAX_SNAPSHOTS
    def full_folds():
        found = set()
        for name in os.listdir(own):
            if name.startswith("snap-") and name.endswith(".snap"):
                a, b = (int(x) for x in name[5:-5].split("-"))
                if b - a + 1 >= top:
                    found.add(name)
        return found
    cycle = args["cycle"]
    before = scan()
    seen_folds = full_folds()
    counting = not cycle
    written = ticks = i = 0
    per_file = {}
    while True:
        tick(i)
        i += 1
        after = scan()
        step = sum(sz for p, (ino, sz, mt) in after.items() if before.get(p) != (ino, sz, mt))
        before = after
        folds = full_folds()
        new_fold = bool(folds - seen_folds)
        seen_folds = folds
        if counting:
            written += step
            ticks += 1
        if cycle:
            if new_fold and counting:
                break
            if new_fold:
                counting = True
        elif ticks >= args["ticks"]:
            break
        if i > args["max_ticks"]:
            break
    result.update(bytes=written, ticks=ticks, warmup=i - ticks, full_cycle=cycle and new_fold)
if hasattr(session, "close"):
    session.close()
print(json.dumps(result))
"""


def ticker(
    space: Path, mode: str, work: Path, profile: Path | None = None, **args: Any
) -> dict[str, Any]:
    payload = {
        "mode": mode,
        "home": str(space / "a"),
        "passphrase": PASSPHRASE,
        "scratch": str(work),
        **args,
    }
    cmd = [PY, "-c", TICKER, json.dumps(payload)]
    if profile is not None:
        cmd = profiler_argv(profile, cmd)
    _, out = run_timed(cmd, child_env())
    return json.loads(out.strip().splitlines()[-1]) if profile is None else {}


def tick_latency(history: Path, work: Path, plan: Plan, profile_dir: Path | None) -> Figure:
    log("tick saved: replica + segment fsync'd, vs the same tick into one plain TinyDB file")
    space = clone(history, work / "ticks")
    result = ticker(
        space, "latency", work, ticks=plan.ticks, baseline_ticks=max(10, plan.ticks // 3)
    )
    if profile_dir is not None:
        ticker(
            clone(history, work / "ticks-prof"),
            "latency",
            work,
            profile=profile_dir / "tick",
            ticks=plan.ticks,
            baseline_ticks=0,
        )
    value, base = p95(result["ticks"]) * 1000, p95(result["baseline"]) * 1000
    return Figure(
        "tick_p95",
        "a tick saved (fsync'd), p95",
        value,
        "ms",
        base,
        f"plain TinyDB file of the same {result['records']} records (no fsync), p95",
        "≤ 20 ms",
        value <= 20.0,
        value / base,
        {
            "median_ms": median(result["ticks"]) * 1000,
            "baseline_median_ms": median(result["baseline"]) * 1000,
            "fsync_ms": fsync_cost(work),
            "ticks": len(result["ticks"]),
            "plain_file_bytes": result["plain_bytes"],
        },
    )


def fsync_cost(work: Path, rounds: int = 20) -> float:
    """Median ms of one small write + fsync + directory fsync here: the disk's floor."""
    folder = work / "fsync"
    folder.mkdir(exist_ok=True)
    took = []
    for i in range(rounds):
        began = time.perf_counter()
        fd = os.open(folder / f"f{i}", os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, b"x" * 2048)
        os.fsync(fd)
        os.close(fd)
        dfd = os.open(folder, os.O_RDONLY)
        os.fsync(dfd)
        os.close(dfd)
        took.append(time.perf_counter() - began)
    return median(took) * 1000


def bytes_per_tick(small: Path, big: Path, work: Path, plan: Plan, years: int) -> Figure:
    log("bytes into the shared folder per tick, at 1 year and at the full history")
    found = {}
    for label, history in (("1y", small), ("big", big)):
        space = clone(history, work / f"bytes-{label}")
        result = ticker(space, "bytes", work, cycle=plan.bytes_cycle, ticks=70, max_ticks=1400)
        found[label] = result
    one = found["1y"]["bytes"] / found["1y"]["ticks"]
    ten = found["big"]["bytes"] / found["big"]["ticks"]
    same = ten <= 1.25 * one
    return Figure(
        "bytes_per_tick",
        f"bytes into the shared folder per tick, {years} years",
        ten,
        "B",
        one,
        "the same at 1 year",
        "≤ 4 KiB, and ≤ 1.25 × the 1-year figure",
        ten <= 4 * KIB and one <= 4 * KIB and same,
        ten / one,
        {
            "1y": found["1y"],
            f"{years}y": found["big"],
            "method": "every file created or changed under shared/companion after each tick, "
            + (
                "over one whole compaction cycle (from one full snapshot fold to the next)"
                if plan.bytes_cycle
                else "over 70 ticks (quick: part of a compaction cycle)"
            ),
        },
    )


# -- 3. partner's segment lands → the open app shows it ---------------------------------------


def arrival(history: Path, work: Path, plan: Plan) -> Figure:
    log("partner's segment lands → the open app's Tonight screen shows it")
    space = clone(history, work / "arrive")
    sys.path.insert(0, str(ROOT))
    from companion.service import Session

    sam = Session.unlock(space / "b", PASSPHRASE)
    env = child_env(space / "a", BENCH_WATCH="1")
    child = PtyChild([PY, "-c", COMPANION_APP], env, work / "arrive.events")
    took = []
    try:
        child.wait_for("painted", 120)
        time.sleep(1.0)
        own = sam.journal.own_dir
        rng = random.Random(7)
        for i in range(plan.arrivals):
            time.sleep(rng.uniform(0.2, 1.5))  # land at a random point of the app's cycle
            marker = f"BENCH-{i}"
            sam.add_gratitude(f"{marker} thank you for the tea tonight.")
            newest = max((p for p in own.iterdir() if p.suffix == ".seg"), key=lambda p: p.name)
            landed = newest.stat().st_mtime
            shown = child.wait_for("shown", 30, count=i + 1)
            at = next(float(a[1]) for a in shown if a[0] == marker)
            took.append(at - landed)
    finally:
        os.killpg(child.proc.pid, signal.SIGTERM)
        child.finish()
    value = median(took)
    return Figure(
        "arrival",
        "partner's segment lands → the open app shows it",
        value,
        "s",
        None,
        "none (absolute target)",
        "≤ 1.0 s",
        value <= 1.0,
        None,
        {"runs": took, "max": max(took)},
    )


# -- 5. a new device joins ---------------------------------------------------------------------


def join(
    small: Path, big: Path, work: Path, plan: Plan, years: int, profile_dir: Path | None
) -> Figure:
    log("a new device joins: `companion join` against the shared folder (full rebuild)")
    took: dict[str, list[float]] = {"1y": [], "big": []}
    for i in range(plan.joins):
        for label, history in (("1y", small), ("big", big)):
            folder = work / f"join-{label}-{i}"
            shutil.copytree(history / "shared", folder / "shared")
            env = child_env(folder / "new-laptop")
            t, _ = run_timed(
                [*companion_cmd(), "join", str(folder / "shared"), "--name", "Alex"], env
            )
            took[label].append(t)
    if profile_dir is not None:
        folder = work / "join-prof"
        shutil.copytree(big / "shared", folder / "shared")
        run_timed(
            profiler_argv(
                profile_dir / "join",
                [PY, "-m", "companion", "join", str(folder / "shared"), "--name", "Alex"],
            ),
            child_env(folder / "new-laptop"),
        )
    value, base = median(took["big"]), median(took["1y"])
    return Figure(
        "join",
        f"a new device joins a {years}-year space",
        value,
        "s",
        base,
        "the same join of a 1-year space",
        "≤ 5 s",
        value <= 5.0,
        value / base,
        {
            "runs": took["big"],
            "baseline_runs": took["1y"],
            "progress_bar": "click.progressbar on stderr (not a terminal here)",
        },
    )


# -- 6. `companion add gratitude` vs jrnl ------------------------------------------------------

JRNL_SETUP = """
import datetime as dt, json, sys
from pathlib import Path
from ruamel.yaml import YAML
from jrnl.config import get_default_config
from jrnl.encryption.Jrnlv3Encryption import Jrnlv3Encryption

root, count, password = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
(root / "config" / "jrnl").mkdir(parents=True)
(root / "data").mkdir()
journal = root / "data" / "journal.txt"
config = get_default_config()
config.update(journals={"default": {"journal": str(journal)}}, encrypt=True, highlight=False,
              timeformat="%Y-%m-%d %H:%M", editor="")
with open(root / "config" / "jrnl" / "jrnl.yaml", "w") as f:
    YAML(typ="safe").dump(config, f)
start = dt.datetime.now() - dt.timedelta(days=3652)
step = dt.timedelta(days=3652) / count
texts = ["Thank you for making tea when I got home late; I could finally breathe.",
         "Ticked: a check-in text on a stressful day.",
         "Check-in: felt supported when you listened; energy 3.",
         "Reviewed last week's care: landed."]
parts = []
for i in range(count):
    when = start + step * i
    parts.append(f"[{when:%Y-%m-%d %H:%M}] {texts[i % len(texts)]}\\n\\n")
enc = Jrnlv3Encryption("default", config)
enc.password = password
journal.write_bytes(enc.encrypt("".join(parts)))
print(json.dumps({"entries": count, "bytes": journal.stat().st_size}))
"""


def jrnl_env(root: Path) -> dict[str, str]:
    env = child_env()
    env.update(
        HOME=str(root),
        XDG_CONFIG_HOME=str(root / "config"),
        XDG_DATA_HOME=str(root / "data"),
        # jrnl asks the keyring first; "no keyring" makes it read stdin instead.
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def add_vs_jrnl(
    history: Path, work: Path, plan: Plan, years: int, profile_dir: Path | None
) -> Figure:
    records = load_summary(history)["records"]
    log(f"`companion add gratitude` vs `jrnl` adding to an encrypted journal of {records}")
    jrnl = tool("jrnl")
    if jrnl is None:
        return Figure(
            "add",
            "`companion add gratitude`",
            None,
            "s",
            None,
            "jrnl 4.6 (not installed: pip install -e '.[bench]')",
            "≤ 0.3 × baseline",
            None,
        )
    root = work / "jrnl"
    run_timed([PY, "-c", JRNL_SETUP, str(root), str(records), JRNL_PASSWORD], child_env())
    space = clone(history, work / "add")
    env = child_env(space / "a")
    ours, theirs = [], []
    for i in range(plan.adds + 1):  # the first pair only warms caches
        text = f"Thank you for the walk this evening ({i})."
        t_j, _ = run_timed(
            [*jrnl, text], jrnl_env(root), input=JRNL_PASSWORD + "\n", start_new_session=True
        )  # no terminal: jrnl's getpass reads stdin
        t_c, _ = run_timed([*companion_cmd(), "add", "gratitude", text], env)
        if i:
            theirs.append(t_j)
            ours.append(t_c)
    if profile_dir is not None:
        run_timed(
            profiler_argv(
                profile_dir / "add-gratitude",
                [PY, "-m", "companion", "add", "gratitude", "profiled"],
            ),
            env,
        )
    value, base = median(ours), median(theirs)
    ratio = value / base
    remembered = remembered_add(space, plan)
    return Figure(
        "add",
        f"`companion add gratitude`, {years} years",
        value,
        "s",
        base,
        f"jrnl 4.6 adding to an encrypted journal of {records} entries",
        "≤ 0.3 × baseline",
        ratio <= 0.3,
        ratio,
        {
            "runs": ours,
            "baseline_runs": theirs,
            "unlock_only_s": unlock_cost(),
            "remembered_key_runs": remembered,
            "remembered_key_ratio": median(remembered) / base if remembered else None,
        },
    )


def remembered_add(space: Path, plan: Plan) -> list[float]:
    """The same add with the key remembered on this device (`companion remember --key-file`):
    no passphrase, so no key derivation. Empty where this version has no such command."""
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    try:
        run_timed(
            [*companion_cmd(), "remember", "--key-file"], child_env(space / "a", **no_keyring)
        )
    except RuntimeError as exc:
        log(f"  (no remembered-key figure: {str(exc).splitlines()[0]})")
        return []
    env = child_env(**no_keyring, COMPANION_HOME=str(space / "a"))
    took = []
    for i in range(plan.adds + 1):
        t, _ = run_timed([*companion_cmd(), "add", "gratitude", f"Remembered ({i})."], env)
        if i:
            took.append(t)
    return took


def unlock_cost() -> float:
    """Seconds of the space's passphrase KDF alone (Argon2id, the parameters init uses)."""
    sys.path.insert(0, str(ROOT))
    from companion.store import crypto

    params = crypto.new_kdf_params()
    took = []
    for _ in range(3):
        began = time.perf_counter()
        crypto.derive_kek(PASSPHRASE, params)
        took.append(time.perf_counter() - began)
    return median(took)


# -- 7. peak memory ----------------------------------------------------------------------------

VISIT = "care,gratitude,checkin,agreements,help,tonight"


def peak_memory(history: Path, work: Path, plan: Plan, years: int) -> Figure:
    log("peak memory of the TUI, visiting the main screens")
    space = clone(history, work / "memory")
    env = child_env(space / "a", BENCH_VISIT=VISIT)
    ours, ends, helpers, bare = [], [], [], []
    for _ in range(plan.memory_runs):
        run = app_run(COMPANION_APP, env, work / "memory.events")
        hwm, end, children = memory_of(run)
        steps = {
            args[0]: round(int(args[2]) / 1024, 1) for kind, args in run.events if kind == "step"
        }
        ours.append(hwm)
        ends.append(end)
        helpers.append(children)
        bare.append(memory_of(app_run(BARE_APP, child_env(), work / "memory-bare.events"))[0])
    value, base = median(ours), median(bare)
    return Figure(
        "memory",
        f"peak memory of the TUI, {years} years",
        value,
        "MiB",
        base,
        "bare Textual app (Header, Static, Footer), peak RSS",
        "≤ 80 MiB",
        value <= 80.0,
        value / base,
        {
            "runs_mib": ours,
            "rss_at_end_mib": ends,
            "visited": VISIT,
            "forked_helpers_peak_mib": helpers,
            "rss_after_each_screen_mib": steps,
            "note": "VmHWM of the app process; the Argon2id unlock (64 MiB) runs in a forked "
            "helper where the app starts one, reported apart as forked_helpers_peak_mib",
        },
    )


# -- 8. moving between screens (scripts/bench_nav.py) ---------------------------------------


def navigation(history: Path, work: Path, plan: Plan, profile_dir: Path | None) -> list[Figure]:
    """Every screen's switch, coming back, list keypresses and memory, against a bare app."""
    import bench_nav  # beside this script

    log("moving between screens (headless, through Pilot)")
    raw = bench_nav.measure(history, work, 1 if plan.quick else 3, profile_dir)
    years = round(load_summary(history)["years"])
    figures = []
    for row in bench_nav.rows(raw, years):
        figures.append(
            Figure(
                row["key"],
                row["label"],
                row["value"],
                row["unit"],
                row["baseline"],
                row["baseline_label"],
                row["target"],
                row["passed"],
                row["ratio"],
            )
        )
    figures[-1].details = {"memory_run": raw["memory"]}
    return figures


# -- the table ---------------------------------------------------------------------------------


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "B":
        return f"{value / KIB:.2f} KiB"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    return f"{value:g} {unit}"


def table(figures: list[Figure]) -> str:
    rows = [("figure", "value", "baseline", "ratio", "target", "result")]
    for f in figures:
        rows.append(
            (
                f.label,
                fmt(f.value, f.unit),
                fmt(f.baseline, f.unit),
                "—" if f.ratio is None else f"{f.ratio:.2f}×",
                f.target,
                "info" if f.informative else {True: "pass", False: "FAIL", None: "n/a"}[f.passed],
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=10, help="history length (default 10)")
    parser.add_argument(
        "--history", type=Path, help="reuse a folder filled by scripts/gen_history.py"
    )
    parser.add_argument(
        "--acts",
        type=int,
        default=8,
        help="acts of care each partner keeps up (gen_history --acts; default 8, which makes "
        "the ~50,000 records over ten years the targets were set for)",
    )
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    parser.add_argument(
        "--quick", action="store_true", help="a 1-year space and fewer repetitions (smoke test)"
    )
    parser.add_argument("--profile", type=Path, help="write profiles of each path here")
    parser.add_argument(
        "--only",
        help="comma-separated figure keys to run "
        "(cold_start,tick_p95,arrival,bytes_per_tick,join,add,memory,nav)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    plan = plan_for(args.quick)
    years = 1 if args.quick and args.history is None else args.years
    work = Path(tempfile.mkdtemp(prefix="companion-bench-"))
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    compile_package()
    try:
        if args.history is not None:
            big = args.history.absolute()
            years = round(load_summary(big)["years"])
        else:
            big = work / f"history-{years}y"
            generate(big, years, args.acts)
        if years == 1:
            small = big
        else:
            small = work / "history-1y"
            generate(small, 1, args.acts)
        summary = load_summary(big)
        only = set(args.only.split(",")) if args.only else None
        steps: list[tuple[str, Callable[[], Figure | list[Figure]]]] = [
            ("cold_start", lambda: cold_start(big, work, plan, args.profile)),
            ("tick_p95", lambda: tick_latency(big, work, plan, args.profile)),
            ("arrival", lambda: arrival(big, work, plan)),
            ("bytes_per_tick", lambda: bytes_per_tick(small, big, work, plan, years)),
            ("join", lambda: join(small, big, work, plan, years, args.profile)),
            ("add", lambda: add_vs_jrnl(big, work, plan, years, args.profile)),
            ("memory", lambda: peak_memory(big, work, plan, years)),
            ("nav", lambda: navigation(big, work, plan, args.profile)),
        ]
        figures = []
        for key, step in steps:
            if only is not None and key not in only:
                continue
            try:
                made = step()
                figures.extend(made if isinstance(made, list) else [made])
            except Exception as exc:  # one broken figure must not hide the others
                log(f"{key} failed: {exc}")
                figures.append(
                    Figure(key, key, None, "", None, "", "", False, details={"error": str(exc)})
                )
    finally:
        if args.keep:
            log(f"scratch kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    report = {
        "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": plan.quick,
        "years": years,
        "acts": summary.get("acts"),
        "history": {k: summary[k] for k in ("records", "ops", "segments", "by_type")},
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "seconds": round(time.perf_counter() - began, 1),
        "figures": [asdict(f) for f in figures],
        "passed": all(f.passed for f in figures if not f.informative),
    }
    print(
        f"companion bench: {years}-year space of {summary['records']} records "
        f"({summary['ops']} changes){' — quick' if plan.quick else ''}"
    )
    print(table(figures))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
