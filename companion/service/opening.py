"""Where a key source becomes the space's data key (session.open_space opens with it).

A key source is a passphrase (the KDF runs here, or a derivation started earlier is taken
over), the key remembered on this device (keychain or key file), or the data key itself
(handed over by this app's own start-up helper). The command line, the app, the start-up
helper and `verify` all get their key through `data_key_for`.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, overload

from companion.errors import CompanionError, DataError, UnlockError, UsageError
from companion.service.header import conflict_copies, load_header
from companion.store import crypto, early, spacefile
from companion.store import profile as profiles
from companion.store.spacefile import SpaceHeader


class Passphrase(NamedTuple):
    """The passphrase; `derivation` is its key derivation, if one was started earlier."""

    text: str
    derivation: crypto.BackgroundDerivation | None = None


class Remembered(NamedTuple):
    """The data key this device remembers (opt-in: `companion remember`)."""


class DataKey(NamedTuple):
    """The data key itself, from this app's own start-up helper."""

    key: bytes


KeySource = Passphrase | Remembered | DataKey


class NotRemembered(UsageError):
    """This device remembers no key that opens the space: ask for the passphrase."""

    def __init__(self) -> None:
        super().__init__(
            "This device doesn't remember a key that opens the space.",
            "Type the passphrase, or run `companion remember` once it is open.",
        )


@overload
def data_key_for(
    profile: profiles.Profile, header: SpaceHeader, source: Passphrase | DataKey
) -> bytes: ...


@overload
def data_key_for(
    profile: profiles.Profile, header: SpaceHeader, source: KeySource
) -> bytes | None: ...


def data_key_for(profile: profiles.Profile, header: SpaceHeader, source: KeySource) -> bytes | None:
    """The data key from a key source: None when this device remembers none.

    A wrong passphrase raises UnlockError, a damaged header DataError (spacefile.unlock).
    """
    if isinstance(source, DataKey):
        return source.key
    if isinstance(source, Remembered):
        from companion.store import keychain

        return keychain.recall(profile)
    derivation = source.derivation or early.take(profile.home, source.text)
    kek = None
    if derivation is not None and derivation.params == header.kdf:
        kek = derivation.result()
    elif derivation is not None:
        derivation.cancel()  # started on other parameters: its helper must not run on
    return header.unlock(source.text, kek)


def open_header(
    profile: profiles.Profile, header: SpaceHeader, source: KeySource
) -> tuple[SpaceHeader, bytes | None]:
    """The header the key source opens, and the data key (None: nothing remembered here).

    A passphrase is tried on the shared header, then on the sync tool's conflict copies of
    it, then on this device's own copy: a passphrase changed on the other device (or on both
    at once) never locks out the one this device last opened with. The data key is the same
    under every one of them; only its wrapping differs.
    """
    if not isinstance(source, Passphrase):
        return header, data_key_for(profile, header, source)
    try:
        return header, data_key_for(profile, header, source)
    except UnlockError as refusal:
        others = [h for _, h in conflict_copies(profile)]
        try:
            copy = spacefile.load(profile.space_copy) if profile.space_copy.exists() else None
        except DataError:
            copy = None
        if copy is not None and copy.space_id == profile.space_id:
            others.append(copy)
        for other in others:
            if other == header:
                continue
            try:
                return other, other.unlock(source.text)
            except (UnlockError, DataError):
                continue
        if header.key_version > 1:
            refusal.hint = (
                "Check it and try again. The passphrase has been changed since the space was "
                "created: it is the newest one you and your partner agreed on."
            )
        raise refusal from None


def unlock(home: Path, source: KeySource) -> tuple[profiles.Profile, SpaceHeader, bytes]:
    """This device's profile, the header the key source opened and the data key; the
    replica is not read."""
    profile = profiles.load(home)
    header, data_key = open_header(profile, load_header(profile), source)
    if data_key is None:
        raise NotRemembered()
    return profile, header, data_key


def start_unlock(home: Path, passphrase: str) -> crypto.BackgroundDerivation | None:
    """Begin deriving the passphrase key now, so start-up and the KDF overlap."""
    started = early.take(home, passphrase)
    if started is not None:
        return started
    try:
        profile = profiles.load(home)
        header = load_header(profile)
    except (CompanionError, OSError):  # reported by the real unlock later
        return None
    return crypto.BackgroundDerivation(passphrase, header.kdf)
