"""Check-in: the weekly reciprocity check-in, sealed until both have shared, and the review."""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    ContentSwitcher,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
)

from companion.domain import model as m
from companion.domain.checkin_fields import GUESS, OWN_WORD, QUESTIONS
from companion.errors import CompanionError, UsageError
from companion.service import Session
from companion.tui import changes
from companion.tui.read import checkin as read_checkin
from companion.tui.resources import style_path
from companion.tui.screens.after_reveal import AfterReveal
from companion.tui.screens.base import PracticeScreen
from companion.tui.screens.dialogs import CareActionDialog, CareChoice, ConfirmDialog, WordsDialog
from companion.tui.widgets.checkin_card import CheckinCard
from companion.tui.widgets.prompts import GuidedStep, show_prompts
from companion.tui.widgets.review_list import ReviewItem, ReviewList

TEXT_FIELDS = (
    *("supported", "when", "felt", "helps", "limits", "victory", "request"),
    *(OWN_WORD, GUESS),
)
SEALED_HERE = "Written on your other device, which keeps it sealed until you have both shared."
ENERGY_CHOICES = {1: "1 empty", 2: "2 low", 3: "3 steady", 4: "4 good", 5: "5 plenty"}


class CheckinScreen(PracticeScreen):
    """Once a week, as a good talk goes: what helped, what went right, what needs attention,
    a request; then energy and limits."""

    TITLE = "Check-in"
    MODE = "checkin"
    CSS_PATH = style_path("checkin.tcss")
    DRAFTS = TEXT_FIELDS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "share", "Share check-in"),
        Binding("e", "edit", "Edit", tooltip="Change your check-in"),
        Binding("r", "adopt_request", "Adopt request", tooltip="Take on their request as care"),
        Binding(
            "o", "adopt_helps", "Adopt what helps", tooltip="Take on what would help them as care"
        ),
        Binding("u", "unseal", "Unseal mine", tooltip="Let them read yours now"),
        Binding("1", "tab('this-week')", "Back", tooltip="This week's check-in"),
        Binding("2", "tab('review')", "Last week", tooltip="Review last week's care"),
        Binding("3", "tab('talk')", "Talk it over", tooltip="After you've both shared"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: read_checkin.Checkin | None = None
        self.editing = False

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="checkin-tabs"):
            with (
                TabPane("This week", id="this-week"),
                ContentSwitcher(id="week-switch", initial="form"),
            ):
                with VerticalScroll(id="form") as form:
                    form.can_focus = False  # the fields take focus; it fits at 100×32
                    yield Static(id="form-lead", markup=False)
                    with Grid(id="questions"):
                        yield from self._questions()
                    with Horizontal(id="form-buttons"):
                        yield Button("Share my check-in", id="share", variant="primary")
                with Vertical(id="shared"):
                    yield Static(id="shared-lead", markup=False)
                    yield Horizontal(id="cards")
            with TabPane("Last week's care", id="review"):
                yield Static(id="review-lead", markup=False)
                yield ReviewList(id="reviews")
            with TabPane("Talking it over", id="talk"):
                yield AfterReveal(id="after")

    def _questions(self) -> ComposeResult:
        # In the order of a good weekly talk; each of the first four has the week's prompt.
        def ask(field: str, placeholder: str = "") -> ComposeResult:
            yield Label(QUESTIONS[field], classes="question")
            yield GuidedStep(field, Input(id=field, placeholder=placeholder, compact=True))

        yield from ask("supported", "recently, when…")
        yield from ask("victory", "optional: something to celebrate")
        yield Label(QUESTIONS["attention"], classes="question")
        yield GuidedStep(
            "attention",
            Input(id="when", placeholder="When …", compact=True),
            Input(id="felt", placeholder="I felt …", compact=True),
            Input(id="helps", placeholder="What would help is …", compact=True),
            id="attention",
        )
        yield from ask("request", "optional: one small, doable ask")
        yield Label(QUESTIONS["energy"], classes="question")
        with RadioSet(id="energy", compact=True):
            for value, label in ENERGY_CHOICES.items():
                yield RadioButton(label, name=str(value))
        yield from ask("limits", "optional: what I can't take on this week")
        yield from ask(OWN_WORD, "optional: in a few words")
        yield Label(id="guess-question", classes="question", markup=False)  # names the partner
        yield Input(id=GUESS, placeholder="optional: in their shoes, a few words", compact=True)

    def on_mount(self) -> None:
        # Half-written answers the app keeps (keep_draft) fill the screen as it is built.
        self.editing = bool(self.app.drafts.get((self.MODE, "editing")))
        energy = self.app.drafts.get((self.MODE, "energy"))
        if energy:
            for button in self.query_one("#energy", RadioSet).query(RadioButton):
                button.value = button.name == energy
        self.focus_home()

    @on(RadioSet.Changed, "#energy")
    def _energy_changed(self, event: RadioSet.Changed) -> None:
        self.keep_draft("energy", event.pressed.name or "")

    def _forget_drafts(self) -> None:
        for field in (*TEXT_FIELDS, "energy", "editing"):
            self.app.drafts.pop((self.MODE, field), None)

    def focus_home(self) -> None:
        tabs = self.query_one("#checkin-tabs", TabbedContent)
        if tabs.active == "review":
            self.query_one(ReviewList).focus()
        elif tabs.active == "talk":
            self.query_one(AfterReveal).focus()
        else:
            tabs.query_one(Tabs).focus()

    def read(self, session: Session) -> read_checkin.Checkin:
        return read_checkin.checkin(session)

    async def show(self, view: read_checkin.Checkin) -> None:
        self.view = view
        who = view.people
        self.sub_title = read_checkin.subtitle(view)
        tabs = self.query_one("#checkin-tabs", TabbedContent)
        tabs.get_tab("this-week").label = f"This week · {view.week_label}"  # type: ignore[assignment]
        tabs.get_tab("review").label = f"Last week's care · {view.review_label}"  # type: ignore[assignment]
        self.query_one("#guess-question", Label).update(
            f"What do you think this week felt like for {who.other}?"
        )
        if view.talk is not None:
            await self.query_one(AfterReveal).show(view.talk)
        switch = self.query_one("#week-switch", ContentSwitcher)
        show_prompts(self.query_one("#questions"), view.prompts)  # kept ready for an edit
        if view.mine is None or self.editing:
            self.query_one("#form-lead", Static).update(read_checkin.form_lead(view))
            if view.mine is not None and switch.current != "form":
                self._fill(view.mine)
            switch.current = "form"
        else:
            await self._show_shared(view)
            switch.current = "shared"
            if self.focused is not None and switch in self.focused.ancestors:
                self.focus_home()  # the field that had focus is hidden now
        self.query_one("#review-lead", Static).update(
            f"How did {who.other}'s care land for you last week ({view.review_label})? "
            "Your word counts here, not theirs: landed, didn't reach me, or not needed; "
            "w adds what would help instead."
        )
        await self.query_one(ReviewList).replace(
            [ReviewItem(row) for row in view.reviews],
            f"{who.other} has no care actions for you yet. "
            "Your care menu (press c) is where they find what helps.",
        )
        self.refresh_bindings()

    async def _show_shared(self, view: read_checkin.Checkin) -> None:
        who = view.people
        lead = self.query_one("#shared-lead", Static)
        cards = self.query_one("#cards", Horizontal)
        await cards.remove_children()
        assert view.mine is not None
        if view.mine.get("sealed") is True:
            mine = CheckinCard("Yours", {}, note=SEALED_HERE)
        else:
            label = f"{who.other} first read"
            mine = CheckinCard("Yours", view.mine, first=view.mine_first, first_label=label)
        if view.theirs is not None:
            edited = view.theirs_first is not None or view.mine_first is not None
            lead.update(
                "You've both shared. Read slowly; nothing here is a score. "
                "Press 3 to talk it over."
                + (" An edit made since shows what was first read beneath it." if edited else "")
            )
            theirs = CheckinCard(
                f"{who.other}'s",
                view.theirs,
                first=view.theirs_first,
                first_label="you first read",
            )
            await cards.mount(mine, theirs)
        elif view.theirs_sealed:
            lead.update(
                f"You've both shared. {who.other}'s opens as soon as their app has seen "
                "yours; while it is open, that takes a few seconds."
            )
            await cards.mount(mine)
        elif view.mine_revealed:
            lead.update(
                f"Yours is in, and open to {who.other}: you unsealed it. Theirs shows here once "
                "they share it. A change now shows to them as edited."
            )
            await cards.mount(mine)
        else:
            lead.update(
                f"Yours is in, and sealed until {who.other} shares theirs. "
                "Then you'll see both side by side. Meanwhile, e changes yours and u unseals it."
            )
            await cards.mount(mine)

    def _fill(self, answers: dict[str, Any]) -> None:
        when, felt, helps = read_checkin.split_attention(answers.get("attention", ""))
        values = {**answers, "when": when, "felt": felt, "helps": helps}
        for field in TEXT_FIELDS:
            self.query_one(f"#{field}", Input).value = str(values.get(field) or "")
        energy = answers.get("energy")
        for button in self.query_one("#energy", RadioSet).query(RadioButton):
            button.value = button.name == str(energy)

    def _answers(self) -> dict[str, Any]:
        values = {f: self.query_one(f"#{f}", Input).value.strip() for f in TEXT_FIELDS}
        if not values["supported"]:
            raise UsageError(
                "Start with one recent moment you felt supported.",
                "Small counts: a text, a cup of tea, being listened to.",
            )
        if not all(values[part] for part in ("when", "felt", "helps")):
            raise UsageError(
                "The area needing attention has three small parts.",
                "When …, I felt …, and what would help is …: a few words each.",
            )
        pressed = self.query_one("#energy", RadioSet).pressed_button
        return {
            "supported": values["supported"],
            "attention": read_checkin.frame_attention(
                values["when"], values["felt"], values["helps"]
            ),
            "energy": int(pressed.name) if pressed is not None and pressed.name else None,
            "limits": values["limits"] or None,
            "victory": values["victory"] or None,
            "request": values["request"] or None,
            OWN_WORD: values[OWN_WORD] or None,
            GUESS: values[GUESS] or None,
        }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_field":
            return super().check_action(action, parameters)
        if not self.is_mounted:
            return True
        tab = self.query_one("#checkin-tabs", TabbedContent).active
        showing = self.query_one("#week-switch", ContentSwitcher).current
        if action == "share":
            return tab == "this-week" and showing == "form"
        if action == "edit":
            return tab == "this-week" and showing == "shared"
        if action == "adopt_request":
            theirs = self.view.theirs if self.view else None
            return (
                tab == "this-week" and showing == "shared" and bool((theirs or {}).get("request"))
            )
        if action == "adopt_helps":
            theirs = self.view.theirs if self.view else None
            helps = read_checkin.split_attention((theirs or {}).get("attention", ""))[2]
            return tab == "this-week" and showing == "shared" and bool(helps)
        if action == "unseal":
            waiting = self.view is not None and self.view.waiting_for == "partner"
            return tab == "this-week" and showing == "shared" and waiting
        if action == "tab":
            return tab != parameters[0]
        return True

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def action_tab(self, tab: str) -> None:
        self.query_one("#checkin-tabs", TabbedContent).active = tab
        self.focus_home()

    def action_edit(self) -> None:
        if self.view is None or self.view.mine is None:
            return
        self.editing = True
        self.keep_draft("editing", "yes")
        self.query_one("#form-lead", Static).update(read_checkin.form_lead(self.view))
        self._fill(self.view.mine)
        self.query_one("#week-switch", ContentSwitcher).current = "form"
        self.query_one("#supported", Input).focus()
        self.refresh_bindings()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        self.focus_next()

    @on(Button.Pressed, "#share")
    def action_share(self) -> None:
        try:
            answers = self._answers()
        except CompanionError as exc:
            self.app.show_error(exc)
            return

        def shared() -> None:
            self.editing = False
            self._forget_drafts()

        self.change(partial(changes.share_checkin, answers=answers), then=shared)

    @on(AfterReveal.Reflect)
    def _reflect(self, event: AfterReveal.Reflect) -> None:
        self.change(partial(changes.reflect, words=event.words, share=event.share))

    @on(AfterReveal.SetFocus)
    def _set_focus(self, event: AfterReveal.SetFocus) -> None:
        self.change(partial(changes.set_focus, text=event.text))

    def action_adopt_request(self) -> None:
        """Their request for next week, taken on as a care action (once a week, unless it
        asks for another rhythm)."""
        request = (self.view.theirs or {}).get("request") if self.view else None
        if request:
            self._adopt(request, "request for next week", m.WEEKLY)

    def action_adopt_helps(self) -> None:
        """What would help them, from the area needing attention, taken on as care."""
        attention = (self.view.theirs or {}).get("attention", "") if self.view else ""
        helps = read_checkin.split_attention(attention)[2]
        if helps:
            self._adopt(helps, "check-in: what would help", m.AS_NEEDED)

    def _adopt(self, text: str, what: str, rhythm: str) -> None:
        def chosen(choice: CareChoice | None) -> None:
            if choice is not None:
                self.change(partial(changes.add_care, title=choice.title, cadence=choice.cadence))

        partner = self.view.people.other if self.view else "your partner"
        dialog = CareActionDialog(partner, text, origin=f"{partner}'s {what}", rhythm=rhythm)
        self.app.push_screen(dialog, chosen)

    def action_unseal(self) -> None:
        """Let the partner read mine before theirs is in (the author's choice)."""
        partner = self.view.people.other if self.view else "your partner"

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(changes.unseal_checkin)

        question = (
            f"Let {partner} read your check-in now, before theirs is in?\n"
            "Sealing keeps you from anchoring each other; unsealing is yours to choose."
        )
        self.app.push_screen(ConfirmDialog(question, yes="Unseal now", no="Keep sealed"), answered)

    @on(ReviewList.Words)
    def _words(self, event: ReviewList.Words) -> None:
        row = event.row
        week = self.view.review_week if self.view else None
        partner = self.view.people.other if self.view else "your partner"

        def written(words: str | None) -> None:
            if words is not None and row.verdict is not None:
                review = partial(changes.review, action_id=row.action_id, verdict=row.verdict)
                self.change(partial(review, week=week, note=words))

        self.app.push_screen(WordsDialog(partner, row.title, row.note), written)

    @on(ReviewList.Verdict)
    def _verdict(self, event: ReviewList.Verdict) -> None:
        week = self.view.review_week if self.view else None
        review = partial(changes.review, action_id=event.action_id, verdict=event.verdict)
        self.change(partial(review, week=week))
