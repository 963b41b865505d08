"""A simulated world of devices, each with its own copy of the shared folder, and a
deliberately unreliable 'sync tool' between them: any order, duplicates, delays,
half-written files and conflict copies."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from companion import service
from companion.store import crypto
from companion.sync.journal import DEVICES

PASS = "correct horse battery staple"
FAST_KDF = {"name": crypto.ARGON2ID, "iterations": 1, "lanes": 1, "memory_cost": 8}


def fast_kdf(monkeypatch) -> None:
    """Cheap key derivation for tests that set up many spaces (read back from space.json)."""

    def params():
        import os

        return {**FAST_KDF, "salt": crypto.b64e(os.urandom(16))}

    monkeypatch.setattr(crypto, "new_kdf_params", params)


class FakeClock:
    def __init__(self, start_ms: int = 1_764_000_000_000) -> None:
        self.ms = start_ms

    def __call__(self) -> int:
        self.ms += 1000
        return self.ms


@dataclass
class Device:
    name: str
    folder: Path
    home: Path
    session: service.Session | None = None


@dataclass
class World:
    root: Path
    clock: FakeClock = field(default_factory=FakeClock)
    devices: list[Device] = field(default_factory=list)
    partial: set[tuple[str, str]] = field(default_factory=set)

    def space(self, device: Device) -> Path:
        return device.folder / "companion"

    def setup(self, names: list[str]) -> None:
        """Device 0 creates the space; the others join it, each in its own folder copy."""
        for i, name in enumerate(names):
            folder = self.root / f"folder{i}"
            folder.mkdir(parents=True)
            device = Device(name, folder, self.root / f"home{i}")
            if i == 0:
                device.session = service.init_space(device.home, folder, name, PASS, self.clock)
            else:
                shutil.copytree(self.space(self.devices[0]), self.space(device))
                device.session = service.join_space(device.home, folder, name, PASS, self.clock)
            self.devices.append(device)
        self.deliver_all()
        for device in self.devices:
            device.session.sync()
        self.confirm_devices()

    def confirm_devices(self) -> None:
        """A partner's further devices are confirmed by their first, as a person would (the
        code the new device shows, typed there): since devices sign, nothing of an
        unconfirmed device merges."""
        first: dict[str, Device] = {}
        waiting = False
        for device in self.devices:
            me = device.session.me
            if not device.session.my_code():
                continue  # an app from before signing: nothing to confirm
            if me in first:
                first[me].session.approve_device(device.session.my_code())
                waiting = True
            else:
                first[me] = device
        if waiting:
            self.deliver_all()
            for device in self.devices:
                device.session.sync()

    def files(self, device: Device) -> dict[str, Path]:
        """Relative path → file, for every journal file in this device's folder copy."""
        base = self.space(device) / DEVICES
        return {
            str(p.relative_to(base)): p
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".") and "aside" not in p.parts
        }

    def owner_of(self, rel: str) -> Device | None:
        device_id = rel.split("/", 1)[0]
        return next(
            (d for d in self.devices if d.session and d.session.profile.device_id == device_id),
            None,
        )

    def deliver(self, source: Device, target: Device, rel: str, *, partial: bool = False) -> None:
        """Copy one file as a sync tool would; a clash of two versions makes a conflict copy."""
        src = self.files(source).get(rel)
        if src is None or source is target:
            return
        dest = self.space(target) / DEVICES / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        data = src.read_bytes()
        key = (str(target.folder), rel)
        owner = self.owner_of(rel)
        if owner is target or (dest.exists() and dest.read_bytes() == data):
            return  # nobody else's copy ever replaces the owner's; equal files need nothing
        if dest.exists() and key not in self.partial and dest.read_bytes() != data:
            clash = dest.with_name(
                f"{dest.stem}.sync-conflict-20261126-101501-{len(data)}{dest.suffix}"
            )
            clash.write_bytes(data)
            return
        if partial or (str(source.folder), rel) in self.partial:
            # a half-arrived file is never passed on as if it were whole
            self.partial.add(key)
            dest.write_bytes(data[: len(data) // 2] if partial else data)
        else:
            self.partial.discard(key)
            dest.write_bytes(data)

    def deliver_all(self) -> None:
        """The sync tool catches up: every owner's files everywhere, its deletions too."""
        for source in self.devices:
            own = source.session.profile.device_id + "/"
            owned = {
                r for r in self.files(source) if r.startswith(own) and ".sync-conflict-" not in r
            }
            for target in self.devices:
                if target is source:
                    continue
                for rel in owned:
                    self.deliver(source, target, rel)
                for rel, path in self.files(target).items():
                    if rel.startswith(own) and rel not in owned and ".sync-conflict-" not in rel:
                        path.unlink()
                        self.partial.discard((str(target.folder), rel))
        clashes = {}
        for device in self.devices:
            for rel, path in self.files(device).items():
                if ".sync-conflict-" in rel:
                    clashes[rel] = path.read_bytes()
        for device in self.devices:
            for rel, data in clashes.items():
                dest = self.space(device) / DEVICES / rel
                if not dest.exists() and not (dest.parent / "aside" / dest.name).exists():
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(data)


def partners(tmp_path: Path, monkeypatch) -> World:
    """Alex's and Sam's devices on one simulated shared folder, with cheap key derivation."""
    fast_kdf(monkeypatch)
    world = World(tmp_path)
    world.setup(["Alex", "Sam"])
    return world
