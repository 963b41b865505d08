"""A small notification server for tests: owns org.freedesktop.Notifications on the session
bus named by DBUS_SESSION_BUS_ADDRESS and writes every Notify call as a JSON line to a file.

Run: python tests/notify_server.py RECORD_FILE [--click]   (prints "ready" once it owns the
name; with --click it clicks each notification a moment after showing it)
"""

# D-Bus signatures are written as annotations, the way dbus-fast reads them.
# ruff: noqa: F821, F722, UP037
from __future__ import annotations

import asyncio
import json
import sys

from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal


class Notifications(ServiceInterface):
    def __init__(self, record: str, click: bool) -> None:
        super().__init__("org.freedesktop.Notifications")
        self.record = record
        self.click = click
        self.next_id = 0

    @method()
    def Notify(
        self,
        app_name: "s",
        replaces_id: "u",
        app_icon: "s",
        summary: "s",
        body: "s",
        actions: "as",
        hints: "a{sv}",
        expire_timeout: "i",
    ) -> "u":
        self.next_id += 1
        with open(self.record, "a", encoding="utf-8") as out:
            line = {"app": app_name, "summary": summary, "body": body, "actions": actions}
            out.write(json.dumps(line) + "\n")
        if self.click and "default" in actions:
            asyncio.get_running_loop().call_later(0.5, self.ActionInvoked, self.next_id)
        return self.next_id

    @signal()
    def ActionInvoked(self, notification_id: int) -> "us":
        return [notification_id, "default"]

    @method()
    def GetCapabilities(self) -> "as":
        return ["body", "actions"]

    @method()
    def GetServerInformation(self) -> "ssss":
        return ["recorder", "companion-tests", "1", "1.2"]


async def main(record: str, click: bool) -> None:
    bus = await MessageBus().connect()
    bus.export("/org/freedesktop/Notifications", Notifications(record, click))
    await bus.request_name("org.freedesktop.Notifications")
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], "--click" in sys.argv[2:]))
