"""The check-in's "Talking it over" tab: each guess beside the other's own word on their week,
a short guide for the talk, "how did that go?", and one focus for next week."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from companion.tui.read.talk import GUIDE, Talk
from companion.tui.screens.talk_dialogs import FocusDialog, ReflectDialog, Reflection

WAITING = (
    "Once you've both shared this week's check-in, this is where you talk it over: "
    "what each of you guessed about the other's week, a short guide for the talk, how it "
    "went, and one focus for next week."
)


class AfterReveal(VerticalScroll):
    """After both check-ins are open: the talk, how it went, and next week's focus."""

    DEFAULT_CSS = """
    AfterReveal {
        height: 1fr;
        padding: 0 1;
        & .heading { text-style: bold; color: $text-primary; margin-top: 1; }
        & .heading.-first { margin-top: 0; }
        & .muted { color: $text-muted; }
        & .pair { height: auto; }
        & .pair > Static { width: 1fr; margin-right: 2; }
        & .step { padding-left: 2; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "reflect", "How did it go?", tooltip="A few words, yours unless shared"),
        Binding("f", "focus_next", "Next week's focus", tooltip="Suggest one focus together"),
    ]

    @dataclass
    class Reflect(Message):
        """Keep (or share) a few words on how the talk went."""

        words: str
        share: bool

    @dataclass
    class SetFocus(Message):
        """Suggest one focus for next week."""

        text: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.talk: Talk | None = None

    async def show(self, talk: Talk) -> None:
        """Show the tab for this week as it stands now."""
        self.talk = talk
        await self.remove_children()
        await self.mount_all(list(self._parts(talk)))
        self.refresh_bindings()

    def _parts(self, talk: Talk) -> list[Widget]:
        if not talk.ready:
            return [Static(WAITING, classes="muted", markup=False)]
        parts: list[Widget] = [Static("In each other's words", classes="heading -first")]
        for pair in talk.pairs:
            guess = f"“{pair.guess}”" if pair.guess else "(no guess this time)"
            own = f"“{pair.own}”" if pair.own else "(nothing said about it this time)"
            owner = "You" if pair.whose == "your" else pair.whose.removesuffix("'s")
            parts.append(
                Horizontal(
                    Static(Content(f"{pair.guessed_by} guessed {pair.whose} week: {guess}")),
                    Static(Content(f"{owner} on {_their(owner)} own week: {own}")),
                    classes="pair",
                )
            )
        parts.append(Static("Talking it over", classes="heading"))
        parts += [Static(Content(f"· {step}: {how}"), classes="step") for step, how in GUIDE]
        parts.append(Static("How did that go?  (d)", classes="heading"))
        if talk.mine is None:
            parts.append(
                Static(
                    "Once you've both talked: a few gentle words. They stay yours, sealed "
                    f"on this device, unless you choose to share them with {talk.partner}.",
                    classes="muted",
                    markup=False,
                )
            )
        else:
            whose = f"shared with {talk.partner}" if talk.mine_shared else "yours alone"
            parts.append(Static(Content(f"You ({whose}): “{talk.mine}”")))
        if talk.theirs is not None:
            parts.append(Static(Content(f"{talk.partner} shared: “{talk.theirs}”")))
        heading = f"One focus for next week, {talk.focus_week}  (f)"
        parts.append(Static(heading, classes="heading", markup=False))
        if talk.focus is None:
            parts.append(
                Static(
                    "Something small you'd both like to keep in mind. Either of you may "
                    "suggest it; next week's check-in starts from it.",
                    classes="muted",
                    markup=False,
                )
            )
        else:
            parts.append(Static(Content(f"“{talk.focus.text}” ({talk.focus.whose})")))
            if talk.focus.other_text is not None:
                also = f"Also suggested, in {talk.focus.other_whose}: “{talk.focus.other_text}”"
                parts.append(Static(Content(also), classes="muted"))
        return parts

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("reflect", "focus_next"):
            return self.talk is not None and self.talk.ready
        return True

    def action_reflect(self) -> None:
        if self.talk is None or not self.talk.ready:
            return

        def chosen(choice: Reflection | None) -> None:
            if choice is not None:
                self.post_message(self.Reflect(choice.words, choice.share))

        talk = self.talk
        dialog = ReflectDialog(talk.partner, talk.mine or "", shared=talk.mine_shared)
        self.app.push_screen(dialog, chosen)

    def action_focus_next(self) -> None:
        if self.talk is None or not self.talk.ready:
            return

        def chosen(text: str | None) -> None:
            if text:
                self.post_message(self.SetFocus(text))

        said = self.talk.focus.mine if self.talk.focus is not None else ""
        self.app.push_screen(FocusDialog(self.talk.partner, said), chosen)


def _their(owner: str) -> str:
    return "your" if owner == "You" else "their"
