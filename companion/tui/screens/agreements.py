"""Agreements: boundaries and limits that protect both, proposed by one, accepted by the other."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from companion.service import Session
from companion.tui import changes
from companion.tui.read import agreements as read_agreements
from companion.tui.resources import style_path
from companion.tui.screens.base import PracticeScreen
from companion.tui.screens.dialogs import ConfirmDialog
from companion.tui.widgets.agreement_list import AgreementItem, AgreementList


class AgreementsScreen(PracticeScreen):
    """Self-care time, limits on unwanted advice, how we pause a conflict."""

    TITLE = "Agreements"
    MODE = "agreements"
    CSS_PATH = style_path("agreements.tcss")
    DRAFTS = ("proposal",)
    partner_name = ""
    BINDINGS: ClassVar[list[BindingType]] = [Binding("n", "propose", "Propose")]

    def compose_body(self) -> ComposeResult:
        with Vertical(id="agreements-body"):
            yield Static(
                "Agreements protect both of you: time for yourselves, limits on unwanted "
                "advice, how you pause a conflict. One of you proposes; the other accepts, or "
                "asks to talk first. Retiring one takes you both.",
                classes="hint",
            )
            yield AgreementList(id="agreements")
            yield Static("Propose an agreement", classes="section-title")
            yield Input(
                id="proposal",
                placeholder="e.g. When either of us says 'pause', we stop and talk after 20 min",
            )

    def on_mount(self) -> None:
        self.focus_home()

    def focus_home(self) -> None:
        self.query_one(AgreementList).focus()

    def read(self, session: Session) -> read_agreements.Agreements:
        return read_agreements.agreements(session)

    async def show(self, view: read_agreements.Agreements) -> None:
        self.partner_name = view.people.other
        self.sub_title = "one proposes, the other accepts; retiring takes both"
        await self.query_one(AgreementList).replace(
            [AgreementItem(row, view.people.other) for row in view.rows],
            "No agreements yet. Propose one below: small and specific works best.",
        )

    def action_propose(self) -> None:
        self.query_one("#proposal", Input).focus()

    @on(Input.Submitted, "#proposal")
    def _propose(self, event: Input.Submitted) -> None:
        self.send_from(event.input, partial(changes.propose, text=event.value))

    @on(AgreementList.Accept)
    def _accept(self, event: AgreementList.Accept) -> None:
        self.change(partial(changes.accept, agreement_id=event.agreement_id))

    @on(AgreementList.Talk)
    def _talk(self, event: AgreementList.Talk) -> None:
        self.change(partial(changes.talk_first, agreement_id=event.agreement_id))

    @on(AgreementList.Retire)
    def _retire(self, event: AgreementList.Retire) -> None:
        retire = partial(changes.retire, kind="agreement", record_id=event.agreement_id)
        if event.agreeing:  # the partner asked; "Agree" is the answer itself
            self.change(retire)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(retire)

        partner = self.partner_name or "your partner"
        if event.proposal:
            question = (
                f"Withdraw your proposal “{event.text}”?\n"
                f"{partner} may have accepted it already: it is set aside once they agree."
            )
            yes = "Withdraw"
        else:
            question = (
                f"Ask {partner} to retire “{event.text}”?\n"
                f"It holds until {partner} agrees too, and stays in your history."
            )
            yes = "Ask to retire"
        self.app.push_screen(ConfirmDialog(question, yes=yes), answered)
