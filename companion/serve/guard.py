"""Who may load the page: only a request that carries the secret, to a loopback name.

Every request (the page, its scripts, styles and fonts, the app's socket) is checked; one
without the secret gets a bare 403 and learns nothing else, not even whether a path exists.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

# Names that reach this computer only. A Host header naming anything else is a page that
# resolved its own name to 127.0.0.1 (DNS rebinding) and is refused even with the secret.
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def new_secret() -> str:
    """A fresh secret for one run of the server: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    """Whether a host name or address (no port) is this computer only."""
    name = host.strip().lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(value: str) -> str:
    """The host of a Host header or an Origin, without port or scheme."""
    if "://" not in value:
        value = "//" + value
    return urlsplit(value).hostname or ""


def forbidden() -> web.Response:
    """The whole answer to a request without the secret."""
    return web.Response(status=403, text="Forbidden\n")


def carries(path: str, secret: str) -> bool:
    """Whether a path's first segment is the secret (compared in constant time)."""
    first = path.lstrip("/").split("/", 1)[0]
    return hmac.compare_digest(first.encode("utf-8", "replace"), secret.encode("utf-8"))


def guard(secret: str) -> Middleware:
    """The middleware that lets through only requests carrying `secret` to a loopback name."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not carries(request.rel_url.raw_path, secret):
            return forbidden()
        if not is_loopback(_host_name(request.host)):
            return forbidden()
        origin = request.headers.get("Origin")
        if origin is not None and not is_loopback(_host_name(origin)):
            return forbidden()
        return await handler(request)

    return middleware
