"""Settings: my name and check-in day, this device's theme and unlocking, the shared folder,
the passphrase, an export, the safety code that says both apps trust the same devices, and
this device's notifications while the app is closed."""

from __future__ import annotations

from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from companion.domain.text import inert
from companion.service import Session
from companion.tui import changes
from companion.tui.read import settings as read_settings
from companion.tui.read.sync_state import SyncState, changes_text, when_text
from companion.tui.read.tonight import WEEKDAY_NAMES
from companion.tui.resources import style_path
from companion.tui.screens.base import PracticeScreen
from companion.tui.screens.dialogs import ConfirmDialog, PassphraseDialog

EXPORT_FORMATS = (("Markdown (readable)", "markdown"), ("JSON", "json"), ("CSV", "csv"))
EXPORT_WARNING = (
    "An export is not encrypted: anyone who can open the file can read your notes and "
    "check-ins. Keep it somewhere private."
)
KEY_FILE_WARNING = (
    "This system has no keychain that companion can use.\n\n"
    "It can keep the key in a file in your profile instead (readable by you only). Then "
    "anyone with a copy of this disk, such as a backup, can open your space without the "
    "passphrase.\n\nKeep the key in a file?"
)


class SettingsScreen(PracticeScreen):
    """Rarely visited; everything here is one key or one field away."""

    TITLE = "Settings"
    MODE = "settings"
    CSS_PATH = style_path("settings.tcss")

    def __init__(self) -> None:
        super().__init__()
        self.view: read_settings.SettingsView | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="settings-body"):
            yield Static("About you", classes="section-title")
            with Grid(classes="settings-grid"):
                yield Label("Your name", classes="question")
                with Horizontal(classes="field-row"):
                    yield Input(id="name", compact=True, placeholder="first name or nickname")
                    yield Static("Enter saves", classes="hint field-hint")
                yield Label("My check-in day", classes="question")
                yield Select(
                    [(name, day) for day, name in enumerate(WEEKDAY_NAMES)],
                    id="checkin-day",
                    allow_blank=False,
                    compact=True,
                )
                # Shown only when check-in weeks follow another zone's calendar than this one's.
                for hidden in (
                    Static("", id="week-zone-gap", classes="question"),
                    Static(id="week-zone", classes="hint", markup=False),
                ):
                    hidden.display = False
                    yield hidden
            yield Static("This device", classes="section-title")
            with Grid(classes="settings-grid"):
                yield Label("Theme", classes="question")
                yield Select(
                    [(name, name) for name in sorted(self.app.available_themes)],
                    id="theme",
                    allow_blank=False,
                    value=self.app.theme,
                    compact=True,
                )
                yield Label("Remember unlock", classes="question")
                yield Checkbox(
                    "Open without the passphrase on this device", id="remember", compact=True
                )
                yield Static("", classes="question")
                yield Static(id="remember-note", classes="hint", markup=False)
                yield Label("Passphrase", classes="question")
                yield Button("Change passphrase…", id="passphrase", compact=True)
            yield Static("Shared folder", classes="section-title")
            with Grid(classes="settings-grid"):
                yield Label("Folder", classes="question")
                yield Static(id="folder-path", markup=False)
                yield Label("State", classes="question")
                yield Static(id="folder-state", markup=False)
                yield Label("Problems", classes="question")
                yield Static(id="folder-problems", markup=False)
                yield Static("", classes="question")
                yield Button("Sync now", id="sync", compact=True)
            yield Static("Export", classes="section-title")
            with Grid(classes="settings-grid"):
                yield Label("Format", classes="question")
                yield Select(EXPORT_FORMATS, id="export-format", allow_blank=False, compact=True)
                yield Label("Save to", classes="question")
                with Horizontal(classes="field-row"):
                    yield Input(id="export-path", compact=True)
                    yield Button("Export", id="export", compact=True)
                yield Static("", classes="question")
                yield Static(EXPORT_WARNING, id="export-warning", classes="hint")
            yield Static("Your devices", classes="section-title")
            with Grid(classes="settings-grid"):
                yield Label("Safety code", classes="question")
                yield Static(id="safety-code", markup=False)
                yield Label("Devices", classes="question")
                yield Static(id="devices-note", classes="hint", markup=False)
                # Shown only while devices wait, or while this one waits, for confirmation.
                device_rows: tuple[Widget, ...] = (
                    Label("Waiting", id="waiting-gap", classes="question"),
                    Static(id="waiting-devices", markup=False),
                    Label("Approve", id="approve-gap", classes="question"),
                    Horizontal(
                        Input(id="approve-code", compact=True, placeholder="12345-67890-1234-5678"),
                        Button("Approve", id="approve", compact=True),
                        id="approve-row",
                        classes="field-row",
                    ),
                    Label("This device", id="my-code-gap", classes="question"),
                    Static(id="my-code", classes="hint", markup=False),
                )
                for row in device_rows:
                    row.display = False
                    yield row
            yield Static("When the app is closed", classes="section-title")
            with Grid(classes="settings-grid"):
                yield Label("Notifications", classes="question")
                yield Checkbox("Quiet desktop notifications", id="notify", compact=True)
                yield Static("", classes="question")
                yield Checkbox("Show a note's words in them", id="notify-text", compact=True)
                yield Static("", classes="question")
                yield Static(id="notify-note", classes="hint", markup=False)
                yield Label("Evening reminder", classes="question")
                with Horizontal(classes="field-row"):
                    yield Input(id="remind-at", compact=True, placeholder="off, or like 21:00")
                    yield Static("Enter saves", classes="hint field-hint")
                yield Label("Quiet hours", classes="question")
                with Horizontal(classes="field-row"):
                    yield Input(id="quiet-hours", compact=True, placeholder="none, or 22:00-07:00")
                    yield Static("Enter saves", classes="hint field-hint")

    def on_mount(self) -> None:
        self.sub_title = "you, this device, the shared folder"
        self.watch(self.app, "sync_state", self._folder)
        self.focus_home()

    def focus_home(self) -> None:
        # The page, not a field: single-key shortcuts keep working until Tab picks a field.
        self.query_one("#settings-body").focus()

    def read(self, session: Session) -> read_settings.SettingsView:
        return read_settings.settings(session)

    async def show(self, view: read_settings.SettingsView) -> None:
        first = self.view is None
        self.view = view
        name = self.query_one("#name", Input)
        if first or (self.focused is not name and name.value != view.people.me):
            name.value = view.people.me
        self._quietly(self.query_one("#checkin-day", Select), view.checkin_day)
        zone = self.query_one("#week-zone", Static)
        zone.update(read_settings.week_zone_note(view.week_zone) if view.week_zone else "")
        zone.display = self.query_one("#week-zone-gap").display = view.week_zone is not None
        self._quietly(self.query_one("#theme", Select), self.app.theme)
        remember = self.query_one("#remember", Checkbox)
        with remember.prevent(Checkbox.Changed):
            remember.value = view.remembered is not None
        self.query_one("#remember-note", Static).update(remember_note(view))
        if first:
            self.query_one("#export-path", Input).value = read_settings.default_export_path(
                self._export_format(), view.today
            )
        self.query_one("#safety-code", Static).update(read_settings.safety_text(view))
        self.query_one("#devices-note", Static).update(read_settings.devices_text(view))
        self.query_one("#waiting-devices", Static).update(
            inert(read_settings.waiting_text(view), multiline=True)
        )
        # a device that waits itself can't vouch for others: its own code is what matters
        can_approve = bool(view.waiting_devices) and not view.my_code
        for row in ("#waiting-gap", "#waiting-devices", "#approve-gap", "#approve-row"):
            self.query_one(row).display = can_approve
        self.query_one("#my-code", Static).update(read_settings.my_code_text(view.my_code))
        for row in ("#my-code-gap", "#my-code"):
            self.query_one(row).display = bool(view.my_code)
        self._show_notify(view)
        self._folder(self.app.sync_state)

    def _show_notify(self, view: read_settings.SettingsView) -> None:
        notify = view.notify
        boxes = (
            ("#notify", notify is None or notify.enabled is not False),
            ("#notify-text", notify is not None and notify.show_text),
        )
        for box, checked in boxes:
            checkbox = self.query_one(box, Checkbox)
            with checkbox.prevent(Checkbox.Changed):
                checkbox.value = checked
        self.query_one("#notify-note", Static).update(read_settings.notify_note(notify))
        fields = (
            ("#remind-at", notify.remind_at if notify else None),
            ("#quiet-hours", "-".join(notify.quiet) if notify and notify.quiet else None),
        )
        for field, text in fields:
            entry = self.query_one(field, Input)
            if self.focused is not entry:
                entry.value = text or ""

    @staticmethod
    def _quietly(select: Select, value: object) -> None:
        if select.value != value:
            with select.prevent(Select.Changed):
                select.value = value

    def _folder(self, state: SyncState | None) -> None:
        if state is None:
            return
        today = self.view.today if self.view else None
        self.query_one("#folder-path", Static).update(state.shared_folder)
        reach = "reachable" if state.folder_available else "not reachable right now"
        last = when_text(state.last_sync, today) if today else "–"
        waiting = (
            f"{changes_text(state.waiting)} waiting on this device"
            if state.waiting
            else "nothing waiting"
        )
        self.query_one("#folder-state", Static).update(
            f"{reach.capitalize()} · last sync {last} · {waiting}"
        )
        lines = [f"{p.where.capitalize()}: {p.message}" for p in state.problems]
        if state.error:
            lines.append(f"The last sync didn't finish: {state.error}")
        if lines:
            lines.append("`companion verify` has the details and what to do.")
        if state.clock:
            lines.extend(state.clock)
        problems = self.query_one("#folder-problems", Static)
        problems.update(inert("\n".join(lines), multiline=True) or "None")
        problems.set_class(bool(lines), "-problem")

    # -- you --------------------------------------------------------------------------------

    @on(Input.Submitted, "#name")
    def _rename(self, event: Input.Submitted) -> None:
        if self.view is not None and event.value.strip() == self.view.people.me:
            return
        self.change(partial(changes.rename, name=event.value))

    @on(Select.Changed, "#checkin-day")
    def _checkin_day(self, event: Select.Changed) -> None:
        # A Select reports its first option as it mounts: only a change from what is stored.
        if self.view is None or event.value == self.view.checkin_day:
            return
        if isinstance(event.value, int):
            self.change(partial(changes.set_checkin_day, weekday=event.value))

    # -- this device ------------------------------------------------------------------------

    @on(Select.Changed, "#theme")
    def _theme(self, event: Select.Changed) -> None:
        # The app keeps the choice for this device (it does for the command palette's too).
        if isinstance(event.value, str) and event.value != self.app.theme:
            self.app.theme = event.value

    @on(Checkbox.Changed, "#remember")
    def _remember(self, event: Checkbox.Changed) -> None:
        if not event.value:
            self.change(changes.forget)
            return
        if self.view is not None and self.view.keychain:
            self.change(partial(changes.remember, allow_file=False))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(partial(changes.remember, allow_file=True))
            else:
                with event.checkbox.prevent(Checkbox.Changed):
                    event.checkbox.value = False

        dialog = ConfirmDialog(KEY_FILE_WARNING, yes="Keep it in a file", no="Don't")
        self.app.push_screen(dialog, answered)

    @on(Button.Pressed, "#passphrase")
    def _passphrase(self) -> None:
        partner = self.view.people.other if self.view else "your partner"

        def chosen(passphrase: str | None) -> None:
            if passphrase:
                self.notify("Changing the passphrase…", timeout=2)
                self.change(partial(changes.change_passphrase, passphrase=passphrase))

        self.app.push_screen(PassphraseDialog(partner), chosen)

    # -- when the app is closed -------------------------------------------------------------

    @on(Checkbox.Changed, "#notify")
    def _notify(self, event: Checkbox.Changed) -> None:
        self.change(partial(changes.set_notify, enabled=event.value))

    @on(Checkbox.Changed, "#notify-text")
    def _notify_text(self, event: Checkbox.Changed) -> None:
        self.change(partial(changes.set_notify, show_text=event.value))

    @on(Input.Submitted, "#remind-at")
    def _remind_at(self, event: Input.Submitted) -> None:
        self.change(partial(changes.set_notify, remind_at=event.value.strip() or None))

    @on(Input.Submitted, "#quiet-hours")
    def _quiet_hours(self, event: Input.Submitted) -> None:
        self.change(partial(changes.set_notify, quiet=event.value.strip() or None))

    # -- shared folder ----------------------------------------------------------------------

    @on(Button.Pressed, "#sync")
    def _sync(self) -> None:
        self.app.sync_now()
        self.notify("Syncing with the shared folder…", timeout=2)

    # -- devices ----------------------------------------------------------------------------

    @on(Input.Submitted, "#approve-code")
    @on(Button.Pressed, "#approve")
    def _approve(self) -> None:
        field = self.query_one("#approve-code", Input)
        code, field.value = field.value, ""
        self.change(partial(changes.approve_device, code=code))

    # -- export -----------------------------------------------------------------------------

    def _export_format(self) -> str:
        value = self.query_one("#export-format", Select).value
        return value if isinstance(value, str) else "markdown"

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        path = self.query_one("#export-path", Input)
        stem, dot, suffix = path.value.rpartition(".")
        if dot and suffix in ("md", "json", "csv") and isinstance(event.value, str):
            path.value = f"{stem}.{read_settings.export_suffix(event.value)}"

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        path = self.query_one("#export-path", Input).value
        fmt = self._export_format()
        self.notify("Exporting…", timeout=2)
        self.change(partial(changes.export, fmt=fmt, path=path))


def remember_note(view: read_settings.SettingsView) -> str:
    if view.remembered == "keychain":
        return (
            "On: kept in this system's keychain. Anyone using this computer account can "
            "open your space."
        )
    if view.remembered == "file":
        return (
            "On: kept in a key file in your profile. Anyone with a copy of this disk can "
            "open your space."
        )
    if view.keychain:
        return "Off: you type the passphrase each time. On keeps the key in the system keychain."
    return (
        "Off. This system has no keychain companion can use; on keeps the key in a file, "
        "after a warning."
    )
