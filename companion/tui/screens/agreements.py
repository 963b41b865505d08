"""Agreements: boundaries and limits that protect both, proposed by one, accepted by the other."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Header, Input, Static

from companion.service import Session
from companion.tui import data
from companion.tui.resources import style_path
from companion.tui.screens.base import PracticeScreen
from companion.tui.screens.dialogs import ConfirmDialog
from companion.tui.widgets.agreement_list import AgreementItem, AgreementList


class AgreementsScreen(PracticeScreen):
    """Self-care time, limits on unwanted advice, how we pause a conflict."""

    TITLE = "Agreements"
    CSS_PATH = style_path("agreements.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("n", "propose", "Propose")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="agreements-body"):
            yield Static(
                "Agreements protect both of you: time for yourselves, limits on unwanted "
                "advice, how you pause a conflict. One of you proposes; the other accepts.",
                classes="hint",
            )
            yield AgreementList(id="agreements")
            yield Static("Propose an agreement", classes="section-title")
            yield Input(
                id="proposal",
                placeholder="e.g. When either of us says 'pause', we stop and talk after 20 min",
            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.focus_home()

    def focus_home(self) -> None:
        self.query_one(AgreementList).focus()

    def read(self, session: Session) -> data.Agreements:
        return data.agreements(session)

    async def show(self, view: data.Agreements) -> None:
        self.sub_title = "proposed by one, accepted by the other"
        await self.query_one(AgreementList).replace(
            [AgreementItem(row, view.people.other) for row in view.rows],
            "No agreements yet. Propose one below: small and specific works best.",
        )

    def action_propose(self) -> None:
        self.query_one("#proposal", Input).focus()

    @on(Input.Submitted, "#proposal")
    def _propose(self, event: Input.Submitted) -> None:
        text = event.value

        def propose(session: Session) -> str:
            session.propose_agreement(text)
            return f"Proposed. It holds once {session.name_of(session.partner)} accepts it."

        self.change(propose, then=lambda: event.input.clear())

    @on(AgreementList.Accept)
    def _accept(self, event: AgreementList.Accept) -> None:
        agreement_id = event.agreement_id

        def accept(session: Session) -> str:
            session.accept_agreement(agreement_id)
            return "Agreed. You'll both see it here."

        self.change(accept)

    @on(AgreementList.Retire)
    def _retire(self, event: AgreementList.Retire) -> None:
        agreement_id = event.agreement_id

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(lambda session: retire(session, agreement_id))

        question = (
            f"Retire “{event.text}”?\n"
            "It no longer holds for either of you, and stays in your history."
        )
        self.app.push_screen(ConfirmDialog(question, yes="Retire"), answered)


def retire(session: Session, agreement_id: str) -> str:
    session.retire("agreement", agreement_id)
    return "Retired. Talk it over together if it needs a new shape."
