"""Two processes writing through one profile at the same moment lose nothing."""

from __future__ import annotations

import subprocess
import sys


def test_two_shell_commands_at_once_keep_every_change(couple):
    alex, sam = couple
    expected = set()
    for round_ in range(6):
        procs = []
        for writer in range(2):
            text = f"round {round_} writer {writer}"
            expected.add(text)
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "companion", "add", "gratitude", text],
                    env=alex.env(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        for proc in procs:
            _out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert "Traceback" not in err
    mine = {n["text"] for n in alex.ok("list", "gratitude", "--json").json()}
    assert mine == expected
    sam.ok("sync")
    theirs = {n["text"] for n in sam.ok("list", "gratitude", "--json").json()}
    assert theirs == expected
    assert sam.ok("status", "--json").json()["problems"] == []
