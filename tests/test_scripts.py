"""scripts/gen_history.py and scripts/bench.py, run as a person would run them."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Partner

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT / "scripts" / "gen_history.py"
BENCH = ROOT / "scripts" / "bench.py"
PASSPHRASE = "a passphrase for the tests"
END = "2026-11-25"


def generate(out: Path, seed: int = 5) -> dict:
    proc = subprocess.run(
        [
            sys.executable,
            str(GEN),
            "--years",
            "1",
            "--out",
            str(out),
            "--seed",
            str(seed),
            "--end",
            END,
            "--passphrase",
            PASSPHRASE,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary == json.loads((out / "gen-summary.json").read_text())
    assert PASSPHRASE in proc.stderr  # it tells which passphrase opens the space
    return summary


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("history")
    return out, generate(out)


def counts(summary: dict) -> dict:
    return {k: summary[k] for k in ("records", "deleted", "by_type", "ops", "segments")}


def test_gen_history_is_deterministic_by_seed(history, tmp_path: Path) -> None:
    _, first = history
    again = generate(tmp_path / "again")
    assert counts(again) == counts(first)
    other = generate(tmp_path / "other", seed=6)
    assert counts(other) != counts(first)


def test_one_year_looks_like_a_year_of_evenings(history) -> None:
    _, summary = history
    by_type = summary["by_type"]
    assert summary["start"] == "2025-11-26" and summary["end"] == END
    assert by_type["partner"] == 2 and by_type["device"] == 2
    assert 900 <= by_type["tick"] <= 3000  # 2–4 acts of care each, most evenings
    assert 150 <= by_type["gratitude"] <= 600  # a few notes a week, both ways
    assert 80 <= by_type["checkin"] <= 106  # weekly, from both
    assert by_type["review"] > 100 and by_type["need"] >= 10 and by_type["agreement"] >= 3
    assert summary["deleted"] > 0  # some ticks were taken back


def test_profiles_open_with_the_cli_and_list_the_records(history) -> None:
    out, summary = history
    alex = Partner(home=out / "a", shared=out / "shared", passphrase=PASSPHRASE)
    sam = Partner(home=out / "b", shared=out / "shared", passphrase=PASSPHRASE)
    status = alex.ok("status", "--json").json()
    assert (status["me"], status["partner"]) == ("Alex", "Sam")
    assert status["waiting"] == 0 and status["problems"] == []
    by_type = summary["by_type"]
    listed = {}
    for who, name in ((alex, "Alex"), (sam, "Sam")):
        ticks = who.ok("list", "ticks", "--json").json()
        assert {t["author"] for t in ticks} == {"Alex", "Sam"}
        # A partner's rests are theirs: each lists its own ticks, and the other's done ones.
        assert all(t["author"] == name or t["status"] == "done" for t in ticks)
        assert any(t["author"] == name and t["status"] == "skipped" for t in ticks)
        listed.update({t["id"]: t for t in ticks})
        notes = who.ok("list", "gratitude", "--json").json()
        assert len(notes) == by_type["gratitude"]
        checkins = who.ok("list", "checkins", "--json").json()
        assert len(checkins) == by_type["checkin"]
        # Sealed check-ins open once both are in: most of a year's weeks are readable.
        opened = [c for c in checkins if not c.get("sealed")]
        assert len(opened) > 0.8 * len(checkins)
    assert len(listed) == by_type["tick"] - summary["deleted"]
    assert len(alex.ok("list", "agreements", "--json").json()) == by_type["agreement"]
    # Both replicas hold the same merged state.
    assert alex.ok("list", "care", "--json").json() == sam.ok("list", "care", "--json").json()
    # And the space takes new changes through the real path.
    sam.ok("add", "gratitude", "Thank you for ten more years.")
    alex.ok("sync")
    assert "Thank you for ten more years." in alex.ok("list", "gratitude").out


@pytest.mark.slow
def test_bench_quick_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    keys = [f["key"] for f in report["figures"]]
    assert keys[:8] == [
        "cold_start",
        "cold_start_passphrase",
        "tick_p95",
        "arrival",
        "bytes_per_tick",
        "join",
        "add",
        "memory",
    ]
    # moving between screens (scripts/bench_nav.py): each screen there and back, the list
    # keypresses, and memory after visiting every screen twice
    screens = ["care", "progress", "history", "agreements", "settings", "gratitude", "checkin"]
    assert keys[8:] == [
        *(f"nav_{when}_{mode}" for mode in screens for when in ("to", "again")),
        "nav_to_tonight",
        "nav_key_tick",
        "nav_key_landed",
        "nav_key_accept",
        "nav_memory",
    ]
    has_jrnl = importlib.util.find_spec("jrnl") is not None  # the `bench` extra
    for figure in report["figures"]:
        if figure["key"] == "add" and not has_jrnl:
            assert figure["value"] is None and "not installed" in figure["baseline_label"]
            continue
        assert figure["value"] is not None, figure
        if figure["informative"]:
            assert figure["passed"] is None
        else:
            assert figure["passed"] in (True, False)
    assert "| figure" in proc.stdout and "cold start" in proc.stdout
