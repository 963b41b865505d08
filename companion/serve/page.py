"""The page a browser tab loads: a terminal (textual-serve's xterm.js bundle) and our words.

Everything it names is served from this computer: the bundle, its stylesheet and the Roboto
Mono font that come inside the textual-serve package. Its Content-Security-Policy tells the
browser to fetch nothing from anywhere else, so a later change can't quietly add a CDN.
"""

from __future__ import annotations

import html
from importlib.resources import files
from pathlib import Path

# The files of textual-serve's static folder that the page uses, and nothing else of it.
STATIC_FILES = (
    "css/xterm.css",
    "js/textual.js",
    "fonts/RobotoMono-VariableFont_wght.ttf",
    "fonts/RobotoMono-Italic-VariableFont_wght.ttf",
)
FONT_SIZE = 16


def static_root() -> Path:
    """Where the installed textual-serve package keeps its static files."""
    return Path(str(files("textual_serve"))) / "static"


def static_path(name: str) -> Path | None:
    """The file behind a static name the page uses, or None for any other name."""
    if name not in STATIC_FILES:
        return None
    return static_root() / name


def policy(host: str) -> str:
    """The Content-Security-Policy: this server only, for every kind of request."""
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            # the terminal bundle puts its own <style> elements in the page
            "style-src 'self' 'unsafe-inline'",
            "font-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' ws://{host}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


# Relative links: the page lives at /SECRET/, so each of them carries the secret too.
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>companion</title>
<link rel="stylesheet" href="static/css/xterm.css">
<link rel="icon" href="data:,">
<script src="static/js/textual.js"></script>
<script src="keys.js"></script>
<style>
@font-face {
  font-family: "Roboto Mono";
  src: url("static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
  font-weight: 100 700;
  font-style: normal;
}
@font-face {
  font-family: "Roboto Mono";
  src: url("static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype");
  font-weight: 100 700;
  font-style: italic;
}
html, body { margin: 0; height: 100%; background: #1e1e2e; color: #cdd6f4; }
body { font-family: "Roboto Mono", monospace; }
#terminal { position: absolute; inset: 0; opacity: 0; transition: opacity 0.2s ease-out; }
body.-first-byte #terminal { opacity: 1; }
.notice {
  position: absolute; inset: 0; display: flex; align-items: center;
  justify-content: center; text-align: center; line-height: 1.6; z-index: 10;
}
#opening { display: flex; }
body.-first-byte #opening { display: none; }
#closed { display: none; background: #1e1e2e; }
body.-closed #closed { display: flex; }
#closed a { color: #cba6f7; }
</style>
</head>
<body>
<div id="opening" class="notice"><p>Opening your evening…</p></div>
<div id="closed" class="notice">
<p>This window's evening has closed.<br>
<a href="">Open it again</a>, or close this tab.</p>
</div>
<div id="terminal" class="textual-terminal"
 data-session-websocket-url="{socket}" data-font-size="{font_size}"></div>
</body>
</html>
"""


# The keys go to the app from the start, as in a terminal, without a first click; and back
# to it when the window is focused again.
SCRIPT = """\
"use strict";
function focusApp() {
  const input = document.querySelector(".xterm-helper-textarea");
  if (input) { input.focus(); } else { setTimeout(focusApp, 50); }
}
window.addEventListener("load", () => setTimeout(focusApp, 0));
window.addEventListener("focus", () => focusApp());
"""


def page(socket_url: str) -> str:
    """The page's HTML, its app socket at `socket_url`."""
    return _PAGE.replace("{socket}", html.escape(socket_url, quote=True)).replace(
        "{font_size}", str(FONT_SIZE)
    )
