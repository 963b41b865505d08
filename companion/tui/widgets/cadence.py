"""How often an act of care happens: daily, weekdays, weekly, chosen days or as needed."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, RadioButton, RadioSet

from companion.domain import model as m
from companion.errors import UsageError

CHOICES = (
    ("Every day", m.DAILY),
    ("Weekdays", m.WEEKDAYS),
    ("Once a week", m.WEEKLY),
    ("On chosen days", m.DAYS),
    ("As needed", m.AS_NEEDED),
)


class CadencePicker(Vertical):
    """A cadence choice; chosen days appear only when they are asked for."""

    DEFAULT_CSS = """
    CadencePicker {
        height: auto;
        & > RadioSet { width: 1fr; }
        & > #cadence-days {
            height: auto;
            display: none;
            padding: 0 1;
            & > Checkbox { margin-right: 1; }
        }
        &.-days > #cadence-days { display: block; }
    }
    """

    def __init__(
        self, cadence: str = m.DAILY, days: list[int] | None = None, *, id: str | None = None
    ) -> None:
        """`cadence` is chosen at first; with `days`, those days are ticked."""
        super().__init__(id=id)
        self._initial = cadence
        self._days = {m.DAY_NAMES[d] for d in days or []}
        self.set_class(cadence == m.DAYS, "-days")

    def compose(self) -> ComposeResult:
        with RadioSet(id="cadence-choice"):
            for label, value in CHOICES:
                yield RadioButton(label, value=value == self._initial, name=value)
        with Horizontal(id="cadence-days"):
            for day in m.DAY_NAMES:
                yield Checkbox(day.capitalize(), day in self._days, name=day, compact=True)

    @property
    def choice(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else m.DAILY

    @on(RadioSet.Changed)
    def _changed(self, event: RadioSet.Changed) -> None:
        self.set_class(self.choice == m.DAYS, "-days")

    @property
    def cadence(self) -> str:
        """The choice as `parse_cadence` reads it; UsageError if chosen days are missing."""
        if self.choice != m.DAYS:
            return self.choice
        days = [box.name for box in self.query(Checkbox) if box.value and box.name]
        if not days:
            raise UsageError("Pick at least one day.", "Or choose another rhythm.")
        return ",".join(days)
