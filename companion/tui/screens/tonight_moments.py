"""Tonight's keys for the evening's moments: a pause, asking for support, answering it, the
repair step after a pause, and taking back a note just sent.

A screen class of its own, which Tonight builds on, so that Tonight's layout stays its own.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual.binding import Binding, BindingType

from companion.tui import moment_changes as changes
from companion.tui.read.moments import MomentsView
from companion.tui.screens.base import PracticeScreen
from companion.tui.widgets.moments import MomentsPanel


class MomentsScreen(PracticeScreen):
    """The keys of the evening's moments, shown in the footer only when they apply."""

    # Only the two that start something are in the footer (it has 80 columns to share); the
    # others are named where they apply, in the moments panel.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "pause", "Pause", tooltip="I need a pause (or: end mine early)"),
        Binding("i", "support", "Support", tooltip="I could use support tonight"),
        Binding("o", "answer", "Offer care", show=False, tooltip="Answer your partner's request"),
        Binding("r", "repair", "Repair step", show=False, tooltip="After a pause"),
        Binding("x", "unsend", "Take back note", show=False, tooltip="Five minutes after sending"),
    ]

    @property
    def moments(self) -> MomentsView | None:
        panels = self.query(MomentsPanel)
        return panels.first().view if panels else None

    def reload_moments(self) -> None:
        for panel in self.query(MomentsPanel):
            panel.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.moments
        if action in ("pause", "support", "answer", "repair", "unsend"):
            if view is None or not view.has_partner:
                return False
            return {
                "pause": True,
                "support": True,
                "answer": view.to_answer is not None,
                "repair": view.repair_pause is not None,
                "unsend": view.can_unsend,
            }[action]
        return super().check_action(action, parameters)

    def action_pause(self) -> None:
        from companion.tui.screens.moment_dialogs import PauseChoice, PauseDialog

        view = self.moments
        if view is not None and view.my_pause:
            self.change(changes.end_pause)
            return

        def chosen(choice: PauseChoice | None) -> None:
            if choice is not None:
                self.change(
                    partial(
                        changes.start_pause,
                        minutes=choice.minutes,
                        until=choice.until,
                        note=choice.note,
                    )
                )

        self.app.push_screen(PauseDialog(), chosen)

    def action_support(self) -> None:
        from companion.tui.screens.moment_dialogs import WordDialog

        view = self.moments
        if view is not None and view.my_request:
            self.change(changes.end_support)
            return

        def chosen(word: str | None) -> None:
            if word is not None:
                self.change(partial(changes.ask_support, word=word))

        partner = view.partner if view else "your partner"
        dialog = WordDialog(
            "I could use support tonight",
            f"{partner} sees it at once, with your care menu beside it. A word is optional.",
            "e.g. a long day; a hard call with my mother",
            "Ask",
        )
        self.app.push_screen(dialog, chosen)

    def action_answer(self) -> None:
        from companion.tui.screens.moment_dialogs import AnswerDialog, WordDialog

        view = self.moments
        if view is None or view.to_answer is None:
            return

        def chosen(act: str | None) -> None:
            if act:
                self.change(partial(changes.answer_support, need_id=act))

        if view.menu:
            self.app.push_screen(AnswerDialog(view.asker, view.menu), chosen)
        else:
            lead = f"{view.asker}'s care menu is empty yet: say it in your own words."
            dialog = WordDialog(
                f"What you'll do for {view.asker}", lead, "e.g. I'll make tea", "Answer"
            )
            self.app.push_screen(dialog, chosen)

    def action_repair(self) -> None:
        from companion.tui.screens.moment_dialogs import RepairChoice, RepairDialog

        view = self.moments
        if view is None or view.repair_pause is None:
            return
        pause_id = view.repair_pause

        def chosen(choice: RepairChoice | None) -> None:
            if choice is not None:
                work = partial(
                    changes.take_repair,
                    pause_id=pause_id,
                    again=choice.again,
                    understood=choice.understood,
                    share=choice.share,
                )
                self.change(work)

        self.app.push_screen(RepairDialog(view.partner, view.agreement), chosen)

    def action_unsend(self) -> None:
        self.change(changes.unsend)
