"""The keys (F1): this screen's own first, then every screen's and those that work anywhere,
and last the general ones for moving and scrolling. Esc or F1 closes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NamedTuple

from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from companion.tui.navigation import DESTINATIONS
from companion.tui.resources import style_path

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.dom import DOMNode
    from textual.screen import Screen


class KeyRow(NamedTuple):
    key: str
    what: str
    enabled: bool = True


def _ours(node: DOMNode, binding: Binding) -> bool:
    """Whether one of companion's own classes declares this binding (not a Textual widget)."""
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("companion."):
            continue
        for declared in cls.__dict__.get("BINDINGS", ()):
            if isinstance(declared, Binding) and (declared.key, declared.action) == (
                binding.key,
                binding.action,
            ):
                return True
    return False


def key_rows(screen: Screen[object]) -> tuple[list[KeyRow], list[KeyRow]]:
    """The keys working where the focus is: (the app's own on this screen, the general ones
    Textual's widgets bring, for moving and scrolling). The screens' keys aren't among them."""
    app = screen.app
    own: list[KeyRow] = []
    general: list[KeyRow] = []
    seen: set[str] = set()
    for node, binding, enabled, _tooltip in screen.active_bindings.values():
        if node is app or not binding.description or binding.action in seen:
            continue
        seen.add(binding.action)
        row = KeyRow(app.get_key_display(binding), binding.description, enabled)
        (own if _ours(node, binding) else general).append(row)
    return own, general


def _section(title: str, rows: list[KeyRow]) -> Content:
    lines = [Content.styled(title, "bold $text-primary")]
    for row in rows:
        style = "" if row.enabled else "dim"
        key = Content.styled(f"{row.key:>5}", "bold $footer-key-foreground")
        lines.append(Content.assemble(key, "  ", Content.styled(row.what, style)))
    return Content("\n").join(lines)


class KeysScreen(ModalScreen[None]):
    """Every key of the screen underneath, the app's own first."""

    CSS_PATH = style_path("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("f1", "dismiss", "Close"),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.own, self.general = key_rows(under)
        self.title_text = f"Keys · {under.title or 'companion'}"

    def compose(self) -> ComposeResult:
        screens = [KeyRow(d.shown_key, d.label) for d in DESTINATIONS]
        anywhere = [
            KeyRow("f1", "These keys (Esc closes them)"),
            KeyRow("^p", "Every command, by name"),
            # in a browser tab ctrl+q may close the browser itself (`companion serve`)
            KeyRow("", "Close this tab to leave") if self.app.is_web else KeyRow("^q", "Quit"),
        ]
        sections = [
            _section("On this screen", self.own or [KeyRow("", "(only the ones below)")]),
            _section("Screens", screens),
            _section("Anywhere", anywhere),
        ]
        if self.general:
            sections.append(_section("Moving around", self.general))
        with Vertical(classes="dialog", id="keys-dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            with VerticalScroll(id="keys-list"):
                yield Static(Content("\n\n").join(sections))
