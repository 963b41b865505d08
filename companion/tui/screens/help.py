"""Help & safety: what the app is and is not, and where to find professional help."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from companion.tui.resources import style_path
from companion.tui.widgets.header import AppHeader
from companion.tui.widgets.nav_bar import BottomBar

if TYPE_CHECKING:
    from textual import getters

    from companion.tui.protocol import CompanionAppType

HELP_TEXT = """\
## A practice, not therapy

companion helps two partners make care flow both ways again, a few minutes each evening. It
is **not therapy**, and not a way to settle who is right. If the same hurt keeps coming
back, if talking turns into fighting, or if one of you has felt unheard for a long time, a
**licensed couples therapist** (or marriage and family therapist) can help in ways an app
cannot. Your doctor, a local counselling service or a professional directory can point you
to one; many work online.

## If you are not safe

If you are afraid of your partner, or being hurt, controlled or threatened, please don't
use this app to work on it together: talk in confidence to a **domestic abuse helpline** in
your country. **In an emergency, or if anyone is in danger, call your local emergency
services** (for example 112 in Europe, 911 in North America, 999 in the UK, 000 in
Australia). If you are thinking of harming yourself, call a crisis line or emergency
services.

## How it works

- **The receiver defines care.** Your care menu says what care looks like *for you*; your
  partner adopts items from it as small, repeatable actions.
- **Dependable beats perfect.** A skip on a low-energy day is rest, not a failure, and it
  is yours: your partner's screens never show it. Nothing here counts how often either of
  you gave or rested, or keeps a streak that can break; nothing is a score.
- **Progress is what reached you.** It shows care as each of you received it: moments you
  felt supported, care and notes that landed, check-ins held together, victories.
- **The receiver's word.** In the check-in you say how your partner's care landed last week
  (landed, didn't reach me, not needed) and what would help instead; they see it on Care.
- **A guided check-in.** It goes the way a good weekly talk does: thanks first, then what
  went right, one thing needing attention, one request. Each week brings a fresh prompt for
  each of those, the same for both of you: there if it helps, never a question you must
  answer.
- **Sealed check-ins.** Your weekly answers stay unseen until you have both shared, so
  neither of you anchors the other. A change after that shows as edited, with what your
  partner first read still there to see.
- **Private.** Everything is encrypted with the passphrase you both know and travels only
  through the folder your sync tool shares; there is no server. An export
  (`companion export`) is not encrypted: keep it somewhere private.
- **Shared between you two.** The passphrase is the same for both of you, so your partner's
  app can read everything in the space; only a check-in stays sealed until you have both
  shared. Neither of you is shown when the other read a note or was last active.

## Keys

`t` Tonight · `c` Care · `g` Gratitude · `w` Check-in · `a` Agreements · `p` Progress ·
`h` History · `,` Settings · `?` this page · `F1` the keys of the screen you are on ·
`ctrl+p` all commands · `Esc` leaves a text field · {quit}.
Tonight: `d` done, `s` skip (low energy), `u` undo, `n` write a note.
Check-in: `r` adopts their request, `o` what would help them; last week's care: `l` landed,
`m` didn't reach me, `n` not needed, `w` a few words.
"""


# How to leave, in a terminal and in a browser tab (`companion serve`), where ctrl+q may reach
# the browser before the app: some browsers close themselves on it.
QUIT_IN_TERMINAL = "`ctrl+q` quit"
QUIT_IN_BROWSER = "close this browser tab to leave (`ctrl+q` may close the browser instead)"


def help_text(served: bool) -> str:
    """The help page, telling how to leave where the app runs: a terminal or a browser tab."""
    return HELP_TEXT.replace("{quit}", QUIT_IN_BROWSER if served else QUIT_IN_TERMINAL)


_INLINE = (
    (re.compile(r"\*\*(.+?)\*\*"), r"[b]\1[/b]"),
    (re.compile(r"\*(.+?)\*"), r"[i]\1[/i]"),
    (re.compile(r"`(.+?)`"), r"[$text-accent]\1[/]"),
)


def help_content(text: str) -> Content:
    """The help page's few kinds of Markdown (headings, paragraphs, lists, bold, italic,
    code) as one Content: a single widget, where the Markdown widget builds one per block."""
    lines: list[str] = []
    for block in text.strip().split("\n\n"):
        rows = block.splitlines()
        if rows[0].startswith("## "):
            lines.append(f"[b $text-primary]{rows[0][3:]}[/]")
            rows = rows[1:]
        if rows and rows[0].startswith("- "):
            items: list[str] = []
            for row in rows:
                if row.startswith("- "):
                    items.append(row[2:])
                else:
                    items[-1] += " " + row.strip()
            lines += [f"• {item}" for item in items]
        elif rows:
            lines.append(" ".join(row.strip() for row in rows))
        lines.append("")
    markup = "\n".join(lines).strip()
    for pattern, replacement in _INLINE:
        markup = pattern.sub(replacement, markup)
    return Content.from_markup(markup)


class HelpScreen(Screen[None]):
    """Read-only; reachable before unlocking too, as a screen pushed over the gate."""

    TITLE = "Help & safety"
    MODE = "help"
    CSS_PATH = style_path("help.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    if TYPE_CHECKING:
        app = getters.app(CompanionAppType)

    def compose(self) -> ComposeResult:
        yield AppHeader(id="app-header")
        with VerticalScroll(id="help-body"):
            yield Static(help_content(help_text(self.app.is_web)), id="help-text")
        yield BottomBar(self.MODE)

    def on_mount(self) -> None:
        self.sub_title = "a practice, not therapy"
        # Before unlocking, the other screens aren't there to go to.
        if self.app.backend is None:
            self.query_one(BottomBar).hide_nav()
        self.query_one("#help-body").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            # Only when pushed over the unlock or setup screen; as a mode, the keys move on.
            return self.app.backend is None
        return True

    def action_back(self) -> None:
        self.dismiss()
