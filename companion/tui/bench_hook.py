"""What scripts/bench.py learns from the app: the moment Tonight is first on screen.

With COMPANION_BENCH_EVENTS naming a file, the first paint appends `painted <time.time()>`
to it; with COMPANION_BENCH_EXIT=1 as well, the app then exits (a cold-start run).
"""

from __future__ import annotations

import os
import time
from typing import Any

from textual.app import App

BENCH_EVENTS_ENV = "COMPANION_BENCH_EVENTS"
BENCH_EXIT_ENV = "COMPANION_BENCH_EXIT"


def first_paint(app: App[Any]) -> None:
    """Tonight is on screen for the first time: note it, if the benchmark asked."""
    events = os.environ.get(BENCH_EVENTS_ENV)
    if events:
        with open(events, "a", encoding="utf-8") as out:
            out.write(f"painted {time.time()!r}\n")
        if os.environ.get(BENCH_EXIT_ENV) == "1":
            app.exit()
