"""Text from records made safe to show: no character in it can steer the terminal or the eye.

Both partners hold the data key, so a note, a name or a title may come from a modified app
with escape sequences in it (set the window title, write the clipboard, move the cursor) or
with bidirectional controls that make text read other than it is stored. Everything shown
goes through `inert`; the app's own input refuses the same characters (`unsafe_in`).

Each such character is shown as U+FFFD (�) rather than dropped: our own input never stores
one, so its presence means the text was written by something else, and the reader should see
that something was there. Dropping it would hide that, and could silently join the pieces of
an escape sequence into words that look ordinary. Two exceptions are layout, not tampering:
a tab reads as a space, and a newline where the place shows one line reads as a space.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"

# C0 controls but tab and newline (handled apart), DEL, C1, and the bidirectional marks,
# embeddings, overrides and isolates (Unicode's Bidi_Control property, less nothing).
# (and lone surrogates, which a partner's JSON can carry but no terminal or file can encode)
_UNSAFE_CLASS = (
    r"\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
)
_UNSAFE = re.compile(f"[{_UNSAFE_CLASS}]")
_ANY_OFF = re.compile(rf"[{_UNSAFE_CLASS}\t\n]")
_TABLE = {code: REPLACEMENT for code in range(0x20) if code not in (9, 10)}
_TABLE |= {code: REPLACEMENT for code in range(0x7F, 0xA0)}
_TABLE |= {code: REPLACEMENT for code in (0x61C, 0x200E, 0x200F, *range(0x202A, 0x202F))}
_TABLE |= {code: REPLACEMENT for code in range(0x2066, 0x206A)}
_TABLE |= {code: REPLACEMENT for code in range(0xD800, 0xE000)}
_TABLE[9] = " "
_ONE_LINE = _TABLE | {10: " "}


def inert(text: Any, *, multiline: bool = False) -> str:
    """`text` as it may be shown: every control character a visible U+FFFD, a tab a space,
    and a newline kept only if `multiline`. Anything not a string is shown as one (None as
    nothing), so an odd value in a record never stops a screen."""
    shown: str = text if isinstance(text, str) else ("" if text is None else str(text))
    if not _ANY_OFF.search(shown):
        return shown  # the usual case, found at C speed
    return shown.translate(_TABLE if multiline else _ONE_LINE)


def unsafe_in(text: str) -> str | None:
    """The first character in `text` that `inert` would replace (tab and newline aside)."""
    found = _UNSAFE.search(text)
    return found.group() if found else None


# Characters json.dumps(ensure_ascii=False) leaves raw inside strings. JSON is data, so an
# export keeps the exact text; these are written as \\u escapes, which read back the same.
_JSON_RAW = re.compile(
    r"[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)


def json_escaped(document: str) -> str:
    """A JSON document with the control characters json.dumps leaves raw written as escapes.

    Outside strings a JSON document is ASCII, so every such character is inside a string,
    where `\\uXXXX` means the same character."""
    return _JSON_RAW.sub(lambda found: f"\\u{ord(found.group()):04x}", document)


# -- exports -------------------------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…) and
# worse); a leading ' makes it text, and spreadsheets don't show the ' itself.
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> str | None:
    """A CSV cell that a spreadsheet shows as text: inert, and never read as a formula.

    Our CSV has no cell that holds a number (energy and the like are in the details' JSON),
    so a leading minus is never a negative number to keep."""
    if value is None:
        return None
    text = inert(value, multiline=True)
    return "'" + text if text.startswith(_FORMULA_LEADS) else text


_MARKDOWN = {ord(ch): "\\" + ch for ch in "\\`*_[]"} | {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
}
# A scheme that runs something when a viewer follows it, written so that no viewer makes it
# a link, not even one that links bare text: "javascript\:" still reads as "javascript:".
_SCRIPT_SCHEME = re.compile(r"\b(javascript|vbscript|data|file)(\s*):", re.IGNORECASE)


def markdown_text(text: Any) -> str:
    """Record text as one line of Markdown that reads as written: inert, with no HTML, no
    link or image, and no emphasis or code it didn't ask for."""
    escaped = inert(text).translate(_MARKDOWN)
    return _SCRIPT_SCHEME.sub(r"\1\2\\:", escaped)
