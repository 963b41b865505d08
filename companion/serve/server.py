"""The web server: the page, its local files, and one app process for each open tab.

Each tab's socket starts its own `companion` process under textual-serve's web driver, at
the unlock screen (the passphrase is never handed on); the processes share the profile's
lock as any two `companion` processes do. When the tab closes, its process is asked to quit
(it writes down its bookkeeping as on ctrl+q), and ended if it doesn't within a few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shlex
import sys
from typing import Any

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from companion.serve import page as pages
from companion.serve.guard import guard
from companion.store.home import PASSPHRASE_ENV

# How long a closing tab's app has to quit by itself before it is ended (seconds).
QUIT_GRACE = 10.0
# Pings keep a tab's socket alive; a tab that vanished without closing it is noticed by then.
HEARTBEAT = 15.0
# The largest message a tab may send (a paste, at most): the app reads keys, not files.
MAX_MESSAGE = 1024 * 1024


def app_command() -> str:
    """The command each tab runs: this Python's `companion`, replacing the shell."""
    return "exec " + shlex.join([sys.executable, "-m", "companion"])


def _size(value: str | None, default: int) -> int:
    try:
        return max(1, min(int(value or default), 1000))
    except ValueError:
        return default


class AppProcess(AppService):
    """One tab's `companion` process: started without the passphrase, ended for sure."""

    process: asyncio.subprocess.Process | None = None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        # Each tab unlocks for itself: a passphrase given to `companion serve` opens nothing.
        environment.pop(PASSPHRASE_ENV, None)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        self.process = await super()._open_app_process(width, height)
        return self.process

    async def end(self) -> None:
        """Ask the app to quit, as closing its tab means; end it if it doesn't."""
        with contextlib.suppress(TimeoutError, OSError, RuntimeError):
            await asyncio.wait_for(self.stop(), QUIT_GRACE)
        process = self.process
        if process is None:
            return
        # Its screen has closed by now, but it may still be writing down its bookkeeping:
        # it gets the same grace again before it is ended.
        for ending in (None, process.terminate, process.kill):
            try:
                if ending is not None:
                    ending()
                await asyncio.wait_for(process.wait(), QUIT_GRACE)
                return
            except ProcessLookupError:
                return
            except TimeoutError:
                continue


SESSIONS = web.AppKey("sessions", set[AppProcess])


async def _forward(socket: web.WebSocketResponse, app: AppProcess) -> None:
    """What the tab sends (keys, mouse, its size, focus) goes to the app's driver."""
    async for message in socket:
        if message.type != WSMsgType.TEXT:
            continue
        try:
            kind, *rest = json.loads(message.data)
        except (ValueError, TypeError):
            continue
        body = rest[0] if rest else None
        if kind == "stdin" and isinstance(body, str):
            await app.send_bytes(body.encode("utf-8"))
        elif kind == "resize" and isinstance(body, dict):
            await app.set_terminal_size(
                _size(str(body.get("width")), 80), _size(str(body.get("height")), 24)
            )
        elif kind == "ping":
            await socket.send_json(["pong", body])
        elif kind == "blur":
            await app.blur()
        elif kind == "focus":
            await app.focus()


async def _session(request: web.Request) -> web.WebSocketResponse:
    socket = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=MAX_MESSAGE)
    await socket.prepare(request)

    async def close() -> None:
        await socket.close()

    app = AppProcess(
        app_command(),
        write_bytes=socket.send_bytes,
        write_str=socket.send_str,
        close=close,
        download_manager=DownloadManager(),
    )
    sessions = request.app[SESSIONS]
    sessions.add(app)
    try:
        await app.start(
            _size(request.query.get("width"), 80), _size(request.query.get("height"), 24)
        )
        await _forward(socket, app)
    finally:
        sessions.discard(app)
        await asyncio.shield(app.end())
        if not socket.closed:
            await socket.close()
    return socket


async def _page(request: web.Request) -> web.Response:
    socket_url = f"ws://{request.host}{request.rel_url.raw_path.rstrip('/')}/ws"
    return web.Response(
        text=pages.page(socket_url),
        content_type="text/html",
        headers={
            "Content-Security-Policy": pages.policy(request.host),
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


async def _static(request: web.Request) -> web.StreamResponse:
    path = pages.static_path(request.match_info["name"])
    if path is None or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": "no-store"})


async def _script(request: web.Request) -> web.Response:
    return web.Response(
        text=pages.SCRIPT, content_type="text/javascript", headers={"Cache-Control": "no-store"}
    )


async def _to_page(request: web.Request) -> web.Response:
    raise web.HTTPFound(request.rel_url.raw_path + "/")


async def _end_sessions(app: web.Application) -> None:
    """The server is stopping: every tab's app quits (and writes down its bookkeeping)."""
    sessions = app[SESSIONS]
    running = list(sessions)
    await asyncio.gather(*(process.end() for process in running), return_exceptions=True)


def make_app(secret: str) -> web.Application:
    """The web application, every route under /SECRET/ and guarded (guard.py)."""
    app = web.Application(middlewares=[guard(secret)], client_max_size=MAX_MESSAGE)
    app[SESSIONS] = set()
    base = f"/{secret}"
    app.router.add_get(base, _to_page)
    app.router.add_get(f"{base}/", _page)
    app.router.add_get(f"{base}/ws", _session)
    app.router.add_get(f"{base}/keys.js", _script)
    app.router.add_get(base + "/static/{name:.+}", _static)
    app.on_shutdown.append(_end_sessions)
    return app
