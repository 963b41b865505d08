"""Care: my care menu, my partner's menu to adopt from, and the care I give."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from companion.service import Session
from companion.tui import changes
from companion.tui.read import care as read_care
from companion.tui.resources import style_path
from companion.tui.screens.base import PracticeScreen
from companion.tui.screens.dialogs import CareActionDialog, CareChoice, ConfirmDialog
from companion.tui.widgets.action_list import ActionItem, ActionList
from companion.tui.widgets.need_list import NeedItem, NeedList


class CareScreen(PracticeScreen):
    """The receiver defines care; the giver adopts it as small, repeatable acts."""

    TITLE = "Care"
    MODE = "care"
    CSS_PATH = style_path("care.tcss")
    DRAFTS = ("need",)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_action", "New action"),
        Binding("m", "add_need", "Add to my menu"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.people = read_care.People("you", None)

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="care-body"):
            with Vertical(id="menus"):
                yield Static("What care looks like for me", classes="section-title")
                yield NeedList(adoptable=False, id="my-needs")
                yield Input(placeholder="Add to my menu…", id="need")
                yield Static(
                    "Their care menu",
                    id="partner-menu-title",
                    classes="section-title",
                    markup=False,
                )
                yield NeedList(adoptable=True, id="partner-needs")
            with Vertical(id="giving"):
                yield Static("What I do", id="giving-title", classes="section-title", markup=False)
                yield Static(id="their-word", markup=False)
                yield Static(
                    "Week by week. ☾ is rest: care too, and yours alone.",
                    classes="hint",
                )
                yield ActionList(id="my-actions")

    def on_mount(self) -> None:
        self.query_one("#their-word", Static).display = False
        self.focus_home()

    def focus_home(self) -> None:
        self.query_one("#partner-needs", NeedList).focus()

    def read(self, session: Session) -> read_care.Care:
        return read_care.care(session)

    async def show(self, care: read_care.Care) -> None:
        self.people = who = care.people
        self.sub_title = "the receiver defines care"
        await self.query_one("#my-needs", NeedList).replace(
            [NeedItem(row, adoptable=False) for row in care.my_needs],
            "Nothing yet. What helps you feel cared for? Press m and write it in your own words. "
            "If one of you has felt less supported lately, let them write theirs first.",
        )
        self.query_one("#partner-menu-title", Static).update(f"{who.other}'s care menu")
        empty = (
            f"{who.other} hasn't written their care menu yet."
            if who.partner
            else "Your partner's care menu appears here once they join."
        )
        await self.query_one("#partner-needs", NeedList).replace(
            [NeedItem(row, adoptable=True) for row in care.partner_needs], empty
        )
        self.query_one("#giving-title", Static).update(f"What I do for {who.other}")
        if care.partner_needs:
            first = f"Adopt one small thing from {who.other}'s menu (Enter)"
        else:  # no menu to choose from yet: don't point at one
            first = f"Once {who.other}'s care menu arrives, adopt one small thing from it"
        word = self.query_one("#their-word", Static)
        word.update(care.their_word or "")
        word.display = care.their_word is not None
        await self.query_one(ActionList).replace(
            [ActionItem(row) for row in care.actions],
            f"No care actions yet. {first}, or press n for one of your own.",
        )

    @on(Input.Submitted, "#need")
    def _add_need(self, event: Input.Submitted) -> None:
        self.send_from(event.input, partial(changes.add_need, text=event.value))

    def action_add_need(self) -> None:
        self.query_one("#need", Input).focus()

    @on(NeedList.Adopt)
    def _adopt(self, event: NeedList.Adopt) -> None:
        self._choose_care(event.text, need_id=event.need_id)

    def action_new_action(self) -> None:
        self._choose_care(None, need_id=None)

    def _choose_care(self, need_text: str | None, need_id: str | None) -> None:
        def chosen(choice: CareChoice | None) -> None:
            if choice is not None:
                add = partial(changes.add_care, title=choice.title, cadence=choice.cadence)
                self.change(partial(add, need_id=need_id))

        origin = f"From {self.people.other}'s care menu" if need_text else None
        dialog = CareActionDialog(self.people.other, need_text, origin=origin)
        self.app.push_screen(dialog, chosen)

    @on(NeedList.Retire)
    def _retire_need(self, event: NeedList.Retire) -> None:
        self._confirm_retire("need", event.need_id, event.text, "from your care menu")

    @on(ActionList.Retire)
    def _retire_action(self, event: ActionList.Retire) -> None:
        self._confirm_retire("care", event.action_id, event.title, "from your care actions")

    def _confirm_retire(self, kind: str, record_id: str, text: str, where: str) -> None:
        retire = partial(changes.retire, kind=kind, record_id=record_id)

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(retire)

        question = f"Retire “{text}” {where}?\nIt stays in your history; nothing is lost."
        self.app.push_screen(ConfirmDialog(question, yes="Retire"), answered)
