"""Real processes, real sync: `companion watch` against CLI writers, and two Syncthing daemons.

The other sync tests simulate the sync tool; these run the real thing. Every wait is bounded,
every process is stopped in a `finally`, and every home and folder lives under tmp_path.
The machine may be loaded (CI, other jobs): the waits are generous, but they end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PASSPHRASE = "a long walk on a quiet evening"
ARRIVAL_S = 30  # the design promises about a second; a loaded CI runner gets far more slack
SYNCTHING_CONVERGE_S = 120
SYNCTHING = shutil.which("syncthing")
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only


# -- helpers ----------------------------------------------------------------------------------


@dataclass
class Device:
    """One profile, driven through the real `companion` command."""

    label: str
    home: Path
    folder: Path

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPANION_")}
        env.update(
            COMPANION_HOME=str(self.home), COMPANION_PASSPHRASE=PASSPHRASE, PYTHONUNBUFFERED="1"
        )
        return env

    def run(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "companion", *args],
            env={**self.env(), **extra_env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def ok(self, *args: str, **extra_env: str) -> str:
        proc = self.run(*args, **extra_env)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, (
            f"{self.label}: companion {' '.join(args)} exited {proc.returncode}\n"
            f"{proc.stdout}\n{proc.stderr}"
        )
        return proc.stdout

    # Reading here never syncs (--offline), so what a test sees arrived by its own sync or
    # watcher.
    def listed(self, kind: str) -> list[dict[str, Any]]:
        return json.loads(self.ok("list", kind, "--json", "--offline"))

    def status(self) -> dict[str, Any]:
        return json.loads(self.ok("status", "--json", "--offline"))


def notes(device: Device) -> list[tuple[str, str]]:
    return sorted((n["author"], n["text"]) for n in device.listed("gratitude"))


def ticks(device: Device) -> list[tuple[str, str, str, str]]:
    return sorted(
        (t["author"], t["action_title"], t["date"], t["status"]) for t in device.listed("ticks")
    )


def wait_for(what: str, check: Callable[[], Any], timeout: float, interval: float = 0.3) -> Any:
    """Call `check` until it returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def stop(proc: subprocess.Popen, *, grace: float = 10) -> int:
    """Terminate, wait a bounded time, kill if it won't go; return the exit code."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(grace)
    return proc.returncode


@contextmanager
def background(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A background process with stdout and stderr in `log`, always stopped on the way out."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        try:
            yield proc
        finally:
            stop(proc)


# -- 1. companion watch against CLI writers on one plain folder -------------------------------


def watch_cmd(*extra: str) -> list[str]:
    return [sys.executable, "-m", "companion", "watch", *extra]


def wait_until_watching(watcher: subprocess.Popen, log: Path) -> None:
    def watching() -> bool:
        if watcher.poll() is not None:
            pytest.fail(f"`companion watch` exited {watcher.returncode}:\n{log.read_text()}")
        return "Watching" in log.read_text()

    wait_for("the watcher to start", watching, ARRIVAL_S)


def start_watch_couple(tmp_path: Path) -> tuple[Device, Device]:
    shared = tmp_path / "shared"
    shared.mkdir()
    alex = Device("alex", tmp_path / "home-alex", shared)
    sam = Device("sam", tmp_path / "home-sam", shared)
    alex.ok("init", str(shared), "--name", "Alex")
    sam.ok("join", str(shared), "--name", "Sam")
    alex.ok("sync")
    return alex, sam


def test_watch_brings_in_partner_changes_while_the_cli_writes_too(tmp_path):
    alex, sam = start_watch_couple(tmp_path)
    log = tmp_path / "watch-alex.log"
    with background(watch_cmd(), alex.env(), log) as watcher:
        wait_until_watching(watcher, log)

        # Sam, in another process, changes things; Alex's watcher brings them in.
        sam.ok("add", "gratitude", "Thank you for the soup when I was ill")
        sam.ok("add", "need", "Ask before giving advice")
        sam.ok("add", "care", "Make tea in the evening", "--cadence", "daily")
        sam.ok("tick", "make tea")
        started = time.monotonic()

        def alex_sees_all() -> bool:
            have = {n["text"] for n in alex.listed("gratitude")}
            needs = {n["text"] for n in alex.listed("needs")}
            return (
                "Thank you for the soup when I was ill" in have
                and "Ask before giving advice" in needs
                and [(who, title, status) for who, title, _day, status in ticks(alex)]
                == [("Sam", "Make tea in the evening", "done")]
            )

        wait_for("Alex's replica to hold Sam's note, need and tick", alex_sees_all, ARRIVAL_S)
        arrived_after = time.monotonic() - started
        # `listed` reads offline, so the watcher brought these in; its log says what arrived.
        # A partner's tick is theirs: the log doesn't announce it (no surveillance).
        for phrase in ("Sam sent you a note", "Sam updated their care menu"):
            wait_for(f"{phrase!r} in the watch log", lambda p=phrase: p in log.read_text(), 10)

        # Two processes on Alex's profile: the CLI writes while the watcher syncs, and Sam
        # writes at the same moment. Every change survives on both sides.
        rounds = 4
        with ThreadPoolExecutor(2) as pool:
            for i in range(rounds):
                jobs = [
                    pool.submit(alex.ok, "add", "gratitude", f"Alex's note {i}"),
                    pool.submit(sam.ok, "add", "gratitude", f"Sam's note {i}"),
                ]
                for job in jobs:
                    job.result()
        expected = sorted(
            [("Sam", "Thank you for the soup when I was ill")]
            + [("Alex", f"Alex's note {i}") for i in range(rounds)]
            + [("Sam", f"Sam's note {i}") for i in range(rounds)]
        )
        wait_for("Alex to hold every note", lambda: notes(alex) == expected, ARRIVAL_S)
        # Let the watcher react to Alex's own new files too, then look again: nothing undone.
        time.sleep(1.5)
        assert notes(alex) == expected
        assert watcher.poll() is None, f"the watcher stopped:\n{log.read_text()}"

    text = log.read_text()
    assert "Traceback" not in text, text
    assert "Problem" not in text, text
    sam.ok("sync")
    assert notes(sam) == expected
    assert alex.status()["problems"] == []
    assert sam.status()["problems"] == []
    # Alex's journal is one unbroken run of segments (nothing written twice under one number).
    own = alex.folder / "companion" / "devices" / alex.status()["device_id"]
    seqs = sorted(int(p.stem) for p in own.glob("*.seg"))
    assert seqs == list(range(1, len(seqs) + 1)), seqs
    print(f"watch delivered Sam's changes in {arrived_after:.1f} s")


def test_ctrl_c_stops_watch(tmp_path):
    alex, _sam = start_watch_couple(tmp_path)
    log = tmp_path / "watch-alex.log"
    with background(watch_cmd(), alex.env(), log) as watcher:
        wait_until_watching(watcher, log)
        time.sleep(1)  # past the first pass, into the file watcher
        watcher.send_signal(signal.SIGINT)
        try:
            code = watcher.wait(8)
        except subprocess.TimeoutExpired:
            code = None
    assert code == 0, f"still running 8 s after Ctrl-C:\n{log.read_text()}"
    assert "Stopped." in log.read_text()


# -- 2. two real Syncthing daemons on loopback ------------------------------------------------


def free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class Syncthing:
    name: str
    home: Path
    folder: Path
    listen_port: int
    gui_port: int
    api_key: str
    device_id: str = ""

    def generate(self) -> None:
        proc = subprocess.run(
            [SYNCTHING, "generate", "--home", str(self.home), "--no-default-folder"],
            capture_output=True,
            text=True,
            timeout=60,
            env=self.env(),
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        proc = subprocess.run(
            [SYNCTHING, "--home", str(self.home), "--device-id"],
            capture_output=True,
            text=True,
            timeout=60,
            env=self.env(),
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        self.device_id = proc.stdout.strip()
        assert len(self.device_id) == 63, self.device_id

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ST", "COMPANION_"))}
        env.update(STNODEFAULTFOLDER="1", STNOUPGRADE="1", STNORESTART="1", HOME=str(self.home))
        return env

    def configure(self, peer: Syncthing, folder_id: str) -> None:
        """Our own config.xml: only loopback, nothing phones home, one shared folder."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".stfolder").mkdir(exist_ok=True)
        config = f"""<configuration version="36">
    <folder id="{folder_id}" label="companion" path="{self.folder}" type="sendreceive"
            rescanIntervalS="5" fsWatcherEnabled="true" fsWatcherDelayS="1"
            ignorePerms="false" autoNormalize="true">
        <filesystemType>basic</filesystemType>
        <device id="{self.device_id}" introducedBy=""></device>
        <device id="{peer.device_id}" introducedBy=""></device>
        <minDiskFree unit="%">0</minDiskFree>
        <versioning></versioning>
        <markerName>.stfolder</markerName>
    </folder>
    <device id="{self.device_id}" name="{self.name}" compression="metadata">
        <address>dynamic</address>
    </device>
    <device id="{peer.device_id}" name="{peer.name}" compression="metadata">
        <address>tcp://127.0.0.1:{peer.listen_port}</address>
    </device>
    <gui enabled="true" tls="false" debugging="false">
        <address>127.0.0.1:{self.gui_port}</address>
        <apikey>{self.api_key}</apikey>
    </gui>
    <options>
        <listenAddress>tcp://127.0.0.1:{self.listen_port}</listenAddress>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <urAccepted>-1</urAccepted>
        <urSeen>3</urSeen>
        <startBrowser>false</startBrowser>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <crashReportingEnabled>false</crashReportingEnabled>
        <reconnectionIntervalS>1</reconnectionIntervalS>
        <minHomeDiskFree unit="%">0</minHomeDiskFree>
        <setLowPriority>false</setLowPriority>
    </options>
</configuration>
"""
        (self.home / "config.xml").write_text(config)

    def serve_cmd(self) -> list[str]:
        return [SYNCTHING, "serve", "--home", str(self.home), "--no-browser", "--no-restart"]

    def rest(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.gui_port}{path}",
            method=method,
            headers={"X-API-Key": self.api_key},
        )
        with NO_PROXY.open(request, timeout=5) as response:
            body = response.read()
        return json.loads(body) if body.strip() else None

    def ping(self) -> bool:
        try:
            return self.rest("/rest/system/ping") == {"ping": "pong"}
        except (OSError, ValueError):
            return False

    def shut_down(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            try:
                self.rest("/rest/system/shutdown", method="POST")
                proc.wait(15)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        stop(proc)


def require_syncthing() -> None:
    if SYNCTHING:
        return
    if os.environ.get("CI"):
        pytest.fail("syncthing is not installed, and CI must run the real Syncthing test")
    pytest.skip("syncthing is not installed (apt install syncthing); CI runs this test")


def no_conflict_copies(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*") if ".sync-conflict-" in p.name]


def test_two_syncthing_daemons_carry_a_couple_to_the_same_state(tmp_path):
    require_syncthing()
    ports = free_ports(4)
    folder_id = f"companion-{secrets.token_hex(4)}"
    alex_st, sam_st = (
        Syncthing(
            name=f"{who}-laptop",
            home=tmp_path / f"st-{who}",
            folder=tmp_path / folder,
            listen_port=listen,
            gui_port=gui,
            api_key=secrets.token_urlsafe(24),
        )
        for who, folder, listen, gui in (
            ("alex", "dir-a", ports[0], ports[1]),
            ("sam", "dir-b", ports[2], ports[3]),
        )
    )
    for st in (alex_st, sam_st):
        st.generate()
    alex_st.configure(sam_st, folder_id)
    sam_st.configure(alex_st, folder_id)
    alex = Device("alex", tmp_path / "home-alex", alex_st.folder)
    sam = Device("sam", tmp_path / "home-sam", sam_st.folder)
    started = time.monotonic()

    with ExitStack() as stack:
        procs = {}
        for st in (alex_st, sam_st):
            log = tmp_path / f"{st.name}.log"
            procs[st.name] = proc = stack.enter_context(background(st.serve_cmd(), st.env(), log))
            stack.callback(st.shut_down, proc)

        def logs() -> str:
            return "\n".join(
                f"--- {st.name} ---\n{(tmp_path / f'{st.name}.log').read_text()[-4000:]}"
                for st in (alex_st, sam_st)
            )

        for st in (alex_st, sam_st):
            try:
                wait_for(f"{st.name}'s REST API", st.ping, 60, interval=0.5)
            except pytest.fail.Exception:
                pytest.fail(f"{st.name} did not answer /rest/system/ping\n{logs()}")

        # Alex creates the space; Sam joins once the folder has come over.
        alex.ok("init", str(alex.folder), "--name", "Alex")
        try:
            wait_for(
                "space.json to reach Sam's folder",
                lambda: (sam.folder / "companion" / "space.json").is_file(),
                SYNCTHING_CONVERGE_S,
                interval=0.5,
            )
        except pytest.fail.Exception:
            connections = alex_st.rest("/rest/system/connections")
            pytest.fail(f"space.json never arrived\n{json.dumps(connections)}\n{logs()}")
        sam.ok("join", str(sam.folder), "--name", "Sam")

        def alex_knows_sam() -> bool:
            alex.ok("sync")
            return alex.status()["partner"] == "Sam"

        wait_for("Sam's join to reach Alex", alex_knows_sam, SYNCTHING_CONVERGE_S, interval=0.5)
        joined = time.monotonic()

        # Both write at once, notes and ticks interleaved; each CLI call writes its segment.
        days = [(dt.date.today() - dt.timedelta(days=i)).isoformat() for i in range(5)]

        # The care actions were taken on five days ago: those days can be ticked.
        taken_on = f"{(dt.date.today() - dt.timedelta(days=5)).isoformat()}T08:00:00"

        def story(device: Device, name: str, action: str) -> None:
            device.ok("add", "care", action, "--cadence", "daily", COMPANION_NOW=taken_on)
            for i in range(4):
                device.ok("add", "gratitude", f"{name}'s thanks #{i}")
                device.ok("tick", action, "--date", days[i])
            device.ok("tick", action, "--date", days[4], "--skip")

        with ThreadPoolExecutor(2) as pool:
            jobs = [
                pool.submit(story, alex, "Alex", "Walk together after dinner"),
                pool.submit(story, sam, "Sam", "Send a check-in text at noon"),
            ]
            for job in jobs:
                job.result()

        want_notes = sorted(
            [("Alex", f"Alex's thanks #{i}") for i in range(4)]
            + [("Sam", f"Sam's thanks #{i}") for i in range(4)]
        )
        want_ticks = sorted(
            [
                (who, action, days[i], "skipped" if i == 4 else "done")
                for who, action in (
                    ("Alex", "Walk together after dinner"),
                    ("Sam", "Send a check-in text at noon"),
                )
                for i in range(5)
            ]
        )
        seen: dict[str, Any] = {}

        def converged() -> bool:
            for device in (alex, sam):
                device.ok("sync")
            seen.update(
                alex_notes=notes(alex),
                sam_notes=notes(sam),
                alex_ticks=ticks(alex),
                sam_ticks=ticks(sam),
            )
            # A partner's rest is theirs: each lists every tick but the other's skipped one.
            return (
                seen["alex_notes"] == seen["sam_notes"] == want_notes
                and seen["alex_ticks"]
                == [t for t in want_ticks if t[0] == "Alex" or t[3] == "done"]
                and seen["sam_ticks"] == [t for t in want_ticks if t[0] == "Sam" or t[3] == "done"]
            )

        try:
            wait_for("both sides to converge", converged, SYNCTHING_CONVERGE_S, interval=0.5)
        except pytest.fail.Exception:
            pytest.fail(
                f"no convergence: {json.dumps(seen, indent=1)}\nwanted notes {want_notes}\n"
                f"wanted ticks {want_ticks}\n{logs()}"
            )
        converged_after = time.monotonic() - joined

        assert alex.status()["problems"] == []
        assert sam.status()["problems"] == []
        conflicts = no_conflict_copies(alex.folder, sam.folder)
        assert not conflicts, conflicts
        for st in (alex_st, sam_st):
            assert procs[st.name].poll() is None, f"{st.name} died\n{logs()}"

    print(
        f"syncthing: set up and joined in {joined - started:.1f} s, "
        f"converged {converged_after:.1f} s after the writes began"
    )


def test_the_watcher_leaves_out_this_devices_own_files(tmp_path: Path) -> None:
    """Our own writes need no sync pass: only the partner's files (and rescans) wake it."""
    import threading

    from companion.sync.watcher import relevant, watch

    devices = tmp_path / "devices"
    own, theirs = devices / "AAAA", devices / "BBBB"
    own.mkdir(parents=True)
    theirs.mkdir()
    assert not relevant(None, str(own / "0000000001.seg"), str(own))
    assert relevant(None, str(theirs / "0000000001.seg"), str(own))
    assert relevant(None, str(devices / "AAAAB" / "0000000001.seg"), str(own))  # not a prefix

    woken: list[int] = []
    stop = threading.Event()

    def follow() -> None:
        for changed in watch(devices, rescan_ms=60_000, should_stop=stop.is_set, own_dir=own):
            woken.append(changed)

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    time.sleep(0.5)  # the watcher is up
    (own / "0000000001.seg").write_bytes(b"mine")
    time.sleep(1.0)
    assert woken == []
    (theirs / "0000000001.seg").write_bytes(b"theirs")
    deadline = time.time() + 10
    while not woken and time.time() < deadline:
        time.sleep(0.05)
    stop.set()
    assert woken and woken[0] >= 1
