"""Where the app's stylesheets live: inside the installed package, or next to it in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def styles_dir() -> Path:
    """`companion/styles` in a wheel (force-included there), else the repo's `styles/`."""
    shipped = _PACKAGE / "styles"
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parent / "styles"


def style_path(name: str) -> str:
    """The absolute path of one stylesheet, as Textual's CSS_PATH expects it."""
    return str(styles_dir() / name)
