"""The space's life cycle: create it, join it, rebuild this device's copy, export from it."""

from __future__ import annotations

import secrets
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.domain import model as m
from companion.domain.hlc import stamp_ms
from companion.domain.text import inert
from companion.domain.weeks import WEEK_ZONE, zone_named
from companion.errors import DataError, UsageError, WaitError
from companion.service.clock import local_zone_name, wall_ms
from companion.service.header import check_passphrase, load_header
from companion.service.opening import KeySource, NotRemembered, Passphrase, open_header
from companion.service.session import Session
from companion.store import crypto, signing, spacefile
from companion.store import profile as profiles
from companion.store.fsutil import NotAFolder, atomic_write, ensure_private_dir, make_dir_inside
from companion.store.spacefile import SPACE_FILE
from companion.sync import engine, trust

SPACE_DIR = "companion"


def new_device_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class SpaceLocation:
    folder: Path

    @property
    def space_dir(self) -> Path:
        return self.folder / SPACE_DIR

    @property
    def space_file(self) -> Path:
        return self.space_dir / SPACE_FILE


def _check_new_profile(home: Path) -> None:
    if profiles.exists(home):
        existing = profiles.load(home)
        raise UsageError(
            f"This device already has a companion profile in {home} "
            f"(shared folder {existing.shared_folder}).",
            "Use another COMPANION_HOME for a second profile.",
        )


def _clear_leftovers(home: Path) -> None:
    """Remove what an interrupted init or join left behind (never a finished profile)."""
    for name in ("replica", "outbox", profiles.SPACE_COPY, signing.KEY_FILE):
        target = home / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def _make_space_dirs(session: Session) -> None:
    """The space folder, `devices` and this device's folder, each made as a real folder or
    found to be one (a link or a file in their place is never written through)."""
    journal = session.journal
    try:
        make_dir_inside(journal.space_dir)
        make_dir_inside(journal.devices_dir)
        journal.ensure_own_dir()
    except NotAFolder as exc:
        raise DataError(
            f"{exc}: companion writes only into real folders inside the shared folder.",
            "Move that entry out of the shared folder, then try again.",
        ) from None


def _folder(folder: str | Path) -> SpaceLocation:
    path = Path(folder).expanduser().absolute()
    if not path.is_dir():
        raise UsageError(
            f"The folder {path} doesn't exist.",
            "Create it, or share it with your sync tool first, then try again.",
        )
    return SpaceLocation(path)


def init_space(
    home: Path,
    folder: str | Path,
    name: str,
    passphrase: str,
    now: Callable[[], int] = wall_ms,
    week_zone: str | None = None,
) -> Session:
    """Create the space and this device's profile; check-ins are filed by `week_zone`'s
    calendar (an IANA name; this computer's own zone by default, see weeks.py)."""
    name = m.clean_name(name)
    if week_zone is not None and zone_named(week_zone) is None:
        raise UsageError(
            f"There is no time zone called {week_zone!r}.",
            "Use a name like Europe/Berlin, America/Los_Angeles or Pacific/Auckland.",
        )
    week_zone = week_zone or local_zone_name()
    location = _folder(folder)
    if location.space_file.exists():
        raise UsageError(
            f"{location.folder} already holds a companion space.",
            f"To use it from this device, run `companion join {location.folder} --name NAME`.",
        )
    check_passphrase(passphrase)
    _check_new_profile(home)
    header, data_key = spacefile.create(passphrase, spacefile.new_space_id())
    device_id = new_device_id()
    profile = profiles.Profile(
        home=home,
        device_id=device_id,
        partner_id=new_device_id(),
        space_id=header.space_id,
        shared_folder=location.folder,
    )
    ensure_private_dir(home)
    _clear_leftovers(home)
    session = Session(profile, header, data_key, now)
    session.replica.create_dirs()
    spacefile.save(header, profile.space_copy)
    _make_space_dirs(session)
    spacefile.save(header, location.space_file)
    profile.save()
    session.start_trust()
    me: dict[str, Any] = {"name": name, m.BEGAN: now()}
    if week_zone:
        me[WEEK_ZONE] = week_zone
    session.commit(
        [
            session.op("create", profile.partner_id, m.PARTNER, me),
            session.op("create", device_id, m.DEVICE, _device_fields(session)),
        ]
    )
    return session


def join_space(
    home: Path,
    folder: str | Path,
    name: str,
    passphrase: str,
    now: Callable[[], int] = wall_ms,
    progress: Callable[[float], None] | None = None,
) -> Session:
    name = m.clean_name(name)
    location = _folder(folder)
    if not location.space_file.exists():
        raise UsageError(
            f"There is no companion space in {location.folder}.",
            "Check that your sync tool has finished bringing the folder over, or create a "
            f"space there with `companion init {location.folder} --name NAME`.",
        )
    _check_new_profile(home)
    header = spacefile.load(location.space_file)
    data_key = header.unlock(passphrase)
    created_home = not home.exists()
    ensure_private_dir(home)
    _clear_leftovers(home)
    device_id = new_device_id()
    staging = profiles.Profile(
        home=home,
        device_id=device_id,
        partner_id="",
        space_id=header.space_id,
        shared_folder=location.folder,
    )
    session = Session(staging, header, data_key, now)
    try:
        session.replica.create_dirs()
        read = engine.import_new(session.replica, session.journal, session.clock, now(), progress)
        merged = session.core(m.PARTNER)
        known = {r.id: str(r.get("name")) for r in merged if isinstance(r.get("name"), str)}
        known.update(trust.partner_names(read.unsettled))
        match = [
            pid for pid, known_name in known.items() if m.name_key(known_name) == m.name_key(name)
        ]
        if len(match) > 1:
            raise UsageError(
                f"Both people in this space go by {inert(name)!r} now, so this device can't "
                "tell which of you it is.",
                "One of you can choose another name in Settings on a device you already "
                "use; then join again.",
            )
        if match:
            partner_id = match[0]
        elif len(known) >= 2:
            names = " and ".join(known.values())
            raise UsageError(
                f"This space already belongs to {names}; a space is for two people.",
                "If you are one of them, join with that name to add this device.",
            )
        else:
            partner_id = new_device_id()
    except BaseException:
        _clear_leftovers(home)
        if created_home:
            shutil.rmtree(home, ignore_errors=True)
        raise
    profile = profiles.Profile(
        home=home,
        device_id=device_id,
        partner_id=partner_id,
        space_id=header.space_id,
        shared_folder=location.folder,
    )
    session.profile = profile
    session.joined_as = known.get(partner_id, name)
    spacefile.save(header, profile.space_copy)
    _make_space_dirs(session)
    profile.save()
    session.start_trust()
    engine.settle_read(session.replica, session.journal, session.clock, now(), read)
    ops = []
    if not match:
        # the space began with the earliest partner's record this device found on joining
        # (none found: the folder isn't all here yet, and opening later writes it instead)
        fields: dict[str, Any] = {"name": name}
        found = [stamp_ms(r.created) for r in session.core(m.PARTNER)]
        if found:
            fields[m.BEGAN] = min([*found, now()])
        ops.append(session.op("create", partner_id, m.PARTNER, fields))
    ops.append(session.op("create", device_id, m.DEVICE, _device_fields(session)))
    session.commit(ops)
    return session


def rebuild_replica(session: Session) -> Session:
    """Set the local copy aside (never deleted) and rebuild it from the folder and outbox."""
    profile = session.profile
    if not session.journal.available():
        raise UsageError(
            "The shared folder isn't reachable, so there is nothing to rebuild from.",
            f"Make sure {profile.shared_folder} is there and synced, then try again.",
        )
    _check_caught_up(session)
    try:
        kept = trust.state(session.replica)  # which devices it trusts: kept across the rebuild
    except DataError:
        kept = None  # the copy is too damaged to say; first sight and approvals say again
    if profile.replica_dir.exists():
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = profile.home / f"replica.set-aside-{stamp}-{secrets.token_hex(3)}"
        profile.replica_dir.rename(aside)
    fresh = Session(profile, session.header, session.data_key, session.now)
    fresh.header_typed = session.header_typed
    fresh.carried_trust = kept
    fresh._open()
    return fresh


def _check_caught_up(session: Session) -> None:
    """Refuse while the folder holds fewer of this device's own changes than its copy says
    it wrote: a copy rebuilt now would miss them, number its next change as one already
    written, and the partner would see two devices writing as one."""
    try:
        wrote = (
            int(session.replica.meta("own", {}).get("seq", 0)) if session.replica.exists() else 0
        )
    except (DataError, AttributeError, TypeError, ValueError):
        return  # the copy is too damaged to say; the folder is all there is to go by
    listing = session.journal.listing(session.device_id)
    # where our journal in the folder ends, if short of what we wrote (junk planted under a
    # higher number doesn't count: `went_back_to`)
    short = session.journal.went_back_to(session.device_id, wrote, listing)
    held = 0 if wrote and not (listing.segments or listing.snapshots) else short
    if held is not None and held < wrote:
        raise WaitError(
            f"The shared folder doesn't have all of this device's changes yet ({wrote - held} "
            "of its latest files aren't there), so rebuilding now would lose them. Nothing "
            "was changed.",
            "Let your sync tool finish bringing the folder up to date (or, if an older copy "
            f"of {session.profile.shared_folder} was put back, put the newer one back), then "
            "run `companion sync --rebuild` again.",
        )


def rebuild_space(home: Path, ask: Callable[[], KeySource]) -> Session:
    """Unlock without reading the local copy (it may be what is damaged), then rebuild it.

    `ask` gives the key source once the profile and the header are known to be readable.
    """
    profile = profiles.load(home)
    source = ask()
    header, data_key = open_header(profile, load_header(profile), source)
    if data_key is None:
        raise NotRemembered()
    session = Session(profile, header, data_key)
    session.header_typed = isinstance(source, Passphrase)
    return rebuild_replica(session)


def _device_fields(session: Session) -> dict[str, Any]:
    fields = {"partner": session.me, "label": socket.gethostname()[:60]}
    if session.journal.signer is not None:
        fields["key"] = crypto.b64e(session.journal.signer.public)
    return fields


def write_export(path: Path, text: str) -> None:
    atomic_write(path, text.encode("utf-8"), mode=0o600)
