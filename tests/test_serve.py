"""`companion serve`: the app in a browser tab, behind a secret link, on this computer only.

The server runs as a person starts it (`companion serve` in a subprocess, a throw-away
profile); plain HTTP checks what a request without the secret gets and that the page names
nothing off this computer. The browser tests (test_serve_browser.py) drive headless Chromium.
"""

from __future__ import annotations

import http.client
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.serving import Served, serve

STATUS_FORBIDDEN = 403


@pytest.fixture
def served(couple) -> Served:
    alex, _ = couple
    with serve(alex) as running:
        yield running


def get(
    url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path or "/", headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_the_link_is_on_loopback_with_a_long_secret(served: Served) -> None:
    parts = urlsplit(served.url)
    assert parts.scheme == "http"
    assert parts.hostname == "127.0.0.1"
    secret = parts.path.strip("/")
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", secret), secret
    status, _, body = get(served.url)
    assert status == 200
    assert b'class="textual-terminal"' in body


def test_without_the_secret_every_request_gets_403_and_nothing_else(served: Served) -> None:
    root = f"http://127.0.0.1:{served.port}"
    secret = served.secret
    wrong = [
        "/",
        "/ws",
        "/static/js/textual.js",
        "/static/css/xterm.css",
        "/static/fonts/RobotoMono-VariableFont_wght.ttf",
        "/keys.js",
        "/favicon.ico",
        "/download/anything",
        f"/{secret[:-1]}/",
        f"/{secret[:-1]}/static/js/textual.js",
        f"/{secret}x/",
        f"/x{secret}/ws",
        f"/static/{secret}/",
        f"/?secret={secret}",
        f"/{secret.upper() if secret.upper() != secret else secret.lower()}/",
    ]
    for path in wrong:
        for method in ("GET", "HEAD", "POST"):
            status, headers, body = get(root + path, method=method)
            assert status == STATUS_FORBIDDEN, (method, path, status)
            assert body in (b"Forbidden\n", b""), (path, body)
            assert "Location" not in headers
            assert "Set-Cookie" not in headers
    # the app's socket, asked for as a browser does, without the secret
    upgrade = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    }
    status, _, body = get(f"{root}/ws?width=80&height=24", headers=upgrade)
    assert (status, body) == (STATUS_FORBIDDEN, b"Forbidden\n")
    assert served.app_processes() == [], "a request without the secret started an app"


def test_with_the_secret_but_from_another_name_or_page_it_is_403(served: Served) -> None:
    """A web page that resolves its own name to 127.0.0.1 (DNS rebinding), or a page on
    another site opening the socket, is refused even if it somehow had the link."""
    status, _, _ = get(served.url, headers={"Host": f"example.com:{served.port}"})
    assert status == STATUS_FORBIDDEN
    upgrade = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Origin": "http://example.com",
    }
    status, _, _ = get(served.url + "ws?width=80&height=24", headers=upgrade)
    assert status == STATUS_FORBIDDEN
    assert served.app_processes() == []
    # the same request from a loopback name is fine (an SSH tunnel's local port, say)
    status, _, _ = get(served.url, headers={"Host": "localhost:9999"})
    assert status == 200


REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']*)["']|url\(\s*["']?([^"')]+)["']?\s*\)""")


def references(text: str) -> list[str]:
    return [a or b for a, b in REFERENCE.findall(text)]


def test_the_page_and_every_file_it_names_are_served_from_here(served: Served) -> None:
    status, headers, body = get(served.url)
    assert status == 200
    page = body.decode("utf-8")
    named = references(page)
    assert any(name.endswith("textual.js") for name in named)
    assert any(name.endswith(".ttf") for name in named), "the font comes from here"
    assert "googleapis" not in page and "https://" not in page
    seen = set()
    queue = [(served.url, name) for name in named]
    while queue:
        base, name = queue.pop()
        if name.startswith("data:") or name == "":
            continue
        url = urljoin(base, name)
        parts = urlsplit(url)
        assert (parts.scheme, parts.hostname, parts.port) == ("http", "127.0.0.1", served.port), (
            f"the page names {name!r}, which is not on this computer"
        )
        assert parts.path.startswith(f"/{served.secret}/"), name
        if url in seen:
            continue
        seen.add(url)
        status, _, content = get(url)
        assert status == 200, url
        if parts.path.endswith(".css"):
            queue.extend((url, inner) for inner in references(content.decode("utf-8")))
    assert len(seen) >= 4, seen
    # The scripts are checked in the browser instead (test_serve_browser.py records every
    # request a tab makes): their text names hosts in comments and namespaces it never loads.
    # The browser itself is told to fetch nothing from anywhere else.
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    for source in re.findall(r"(?:https?|wss?)://[^\s;]+", csp):
        assert urlsplit(source).hostname == "127.0.0.1", source
    assert headers["Referrer-Policy"] == "no-referrer"


def test_a_host_other_than_loopback_is_refused_with_a_way_to_reach_it(couple) -> None:
    alex, _ = couple
    for host in ("0.0.0.0", "192.168.1.20", "::", "example.com"):
        result = alex.run("serve", "--host", host, "--port", "0")
        assert result.code == 1, (host, result)
        assert "ssh -t -L 8765:127.0.0.1:8765" in result.err, result.err
        assert "Traceback" not in result.err
    # loopback spelled another way is fine (and still loopback)
    with serve(alex, "--host", "localhost") as running:
        assert urlsplit(running.url).hostname == "127.0.0.1"


def test_a_port_in_use_is_a_clear_message(couple) -> None:
    alex, _ = couple
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = alex.run("serve", "--port", str(port))
    assert result.code == 1
    assert f"Port {port} is already in use" in result.err
    assert "--port" in result.err
    assert "Traceback" not in result.err


def test_open_hands_the_link_to_the_browser(couple, tmp_path: Path) -> None:
    """`--open` opens the printed link in the default browser ($BROWSER says which)."""
    alex, _ = couple
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.py"
    browser.write_text(
        f"import sys, pathlib\npathlib.Path({str(opened)!r}).write_text(sys.argv[1])\n", "utf-8"
    )
    with serve(alex, "--open", BROWSER=f"{sys.executable} {browser} %s") as running:
        running.wait_for(lambda: opened.exists() and opened.read_text("utf-8"), "the browser")
        assert opened.read_text("utf-8") == running.url


def test_ctrl_c_stops_the_server_and_says_so(couple) -> None:
    alex, _ = couple
    with serve(alex) as running:
        running.stop()
        assert running.process.returncode == 0, running.output()
        assert "Stopped" in running.output()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", running.port), timeout=2).close()
    # the terminal (or the SSH session) it runs in closing stops it the same way
    with serve(alex) as running:
        running.process.send_signal(signal.SIGHUP)
        assert running.process.wait(timeout=60) == 0, running.output()
        assert "Stopped" in running.output()


def test_serve_help_needs_no_profile(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "companion", "serve", "--help"],
        env={"COMPANION_HOME": str(tmp_path / "none"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "--port" in proc.stdout and "--open" in proc.stdout
    assert not (tmp_path / "none").exists()


def test_an_app_that_does_not_quit_is_ended(monkeypatch) -> None:
    """A closed tab's app that doesn't quit when asked is ended, not left running."""
    import asyncio

    from textual_serve.download_manager import DownloadManager

    from companion.serve import server

    monkeypatch.setattr(server, "QUIT_GRACE", 0.5)

    async def nothing(*_args: object) -> None:
        return None

    async def run() -> int | None:
        app = server.AppProcess(
            "exec sleep 60",
            write_bytes=nothing,
            write_str=nothing,
            close=nothing,
            download_manager=DownloadManager(),
        )
        await app.start(80, 24)
        assert app.process is not None and app.process.returncode is None
        await app.end()
        return app.process.returncode

    assert asyncio.run(run()) is not None
