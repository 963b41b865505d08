"""Bind to this computer's loopback address, say where, and serve until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import signal
import socket
from collections.abc import Callable

from aiohttp import web

from companion.errors import UsageError
from companion.serve.guard import is_loopback, new_secret
from companion.serve.server import make_app

# How long stopping waits for the tabs' apps to quit before it ends them (seconds).
STOP_TIMEOUT = 15.0


def refuse_host(host: str) -> None:
    """Raise UsageError for a host that other computers could reach."""
    if is_loopback(host):
        return
    raise UsageError(
        f"companion serve only listens on this computer (127.0.0.1), not on {host}.",
        "To open it from another device, reach it through an SSH tunnel from that device: "
        "ssh -t -L 8765:127.0.0.1:8765 you@this-computer companion serve --port 8765, "
        "then open the link it prints in that device's browser.",
    )


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (port 0: any free one), or a UsageError."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(64)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"Port {port} is already in use on this computer.",
                "Pick another with --port, or leave --port out to take any free one.",
            ) from None
        raise UsageError(
            f"Couldn't listen on {host} port {port}: {exc.strerror or exc}.",
            "Try another port with --port.",
        ) from None
    return sock


def link(host: str, port: int, secret: str) -> str:
    """The address to open: the secret is its first path segment."""
    shown = "127.0.0.1" if host == "localhost" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/{secret}/"


def serve(host: str, port: int, ready: Callable[[str], None]) -> None:
    """Serve the app until Ctrl+C or SIGTERM; `ready` gets the secret link once listening."""
    refuse_host(host)
    sock = bind(host, port)
    secret = new_secret()
    url = link(host, sock.getsockname()[1], secret)
    with contextlib.closing(sock):
        asyncio.run(_serve(sock, secret, url, ready))


async def _serve(sock: socket.socket, secret: str, url: str, ready: Callable[[str], None]) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    # Ctrl+C, a service manager, or the terminal (or SSH session) it runs in closing
    for signum in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(
        make_app(secret), access_log=None, handle_signals=False, shutdown_timeout=STOP_TIMEOUT
    )
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        ready(url)
        await stop.wait()
    finally:
        await runner.cleanup()
