"""The devices of the space: who owns each, whether this device trusts it, and approving one.

A device not confirmed yet shows a code (`approval_code`); typed on a device that already
knows its owner, it becomes an approval record, and the held changes of the new device merge.
The safety code, compared in person, tells both partners their apps trust the same keys.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from companion.domain import model as m
from companion.errors import UsageError
from companion.service.core import SessionCore, locked
from companion.store import signing
from companion.sync import engine, trust
from companion.sync.problems import FORGED, SIGNER, Problem

THIS = "this device"
TRUSTED = "trusted"
WAITING = "waiting for confirmation"
REFUSED = "refused"


@dataclass(frozen=True)
class DeviceInfo:
    """One device as `companion devices` and Settings show it."""

    id: str
    owner: str
    label: str
    fingerprint: str
    state: str
    code: str

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "owner": self.owner,
            "label": self.label,
            "fingerprint": self.fingerprint,
            "state": self.state,
            "code": self.code,
        }


def approval_id(by: str, device: str) -> str:
    """The id of `by`'s approval of `device`: one per pair, whoever writes it."""
    return hashlib.sha256(f"companion approval|{by}|{device}".encode()).hexdigest()[:32]


class DevicesPart(SessionCore):
    """Listing the space's devices and approving a new one."""

    def _trusted(self) -> dict[str, str]:
        settled = trust.state(self.replica) or {}
        pins = settled.get("pins", {})
        return dict(pins) if isinstance(pins, dict) else {}

    def _claims(self) -> dict[str, trust.Claim]:
        held = {d: [op for _, op in pairs] for d, pairs in trust.waiting(self.replica).items()}
        return trust.claims(self.replica, held)

    def devices(self) -> list[DeviceInfo]:
        """Every device the space holds a record of (merged or held), this one first."""
        trusted = self._trusted()
        refused = {
            p.device
            for p in map(Problem.from_dict, self.replica.meta("problems", []))
            if p.kind in (FORGED, SIGNER)
        }
        out: list[DeviceInfo] = []
        for device, claim in self._claims().items():
            raw = trust.key_bytes(claim.key)
            if device == self.device_id:
                state = THIS
            elif device in refused:
                state = REFUSED
            elif device in trusted:
                state = TRUSTED
            else:
                state = WAITING
            owner = trusted.get(device) or (claim.partner if isinstance(claim.partner, str) else "")
            out.append(
                DeviceInfo(
                    id=device,
                    owner=self.name_of(owner) if owner else "someone",
                    label=self._label(device),
                    fingerprint=signing.fingerprint(raw) if raw else "(no key yet)",
                    state=state,
                    code=signing.approval_code(device, raw) if raw else "",
                )
            )
        out.sort(key=lambda d: (d.state != THIS, d.owner, d.label, d.id))
        return out

    def _label(self, device: str) -> str:
        record = self.replica.get(device, m.DEVICE)
        if record is not None and isinstance(record.get("label"), str):
            return str(record.get("label"))
        for op in trust.waiting(self.replica).get(device, []):
            label = op[1]["fields"].get("label") if op[1]["type"] == m.DEVICE else None
            if isinstance(label, str):
                return label
        return device[:8]

    def brought_in(self, synced: engine.SyncResult) -> dict[str, int]:
        """How many changes a pass brought in, by whose devices sent them (sync health, as
        `status` says it: never when anyone was active)."""
        owners = {d.id: d.get("partner") for d in self.core(m.DEVICE, include_deleted=True)}
        counts: dict[str, int] = {}
        for op in synced.incoming_ops:
            device = op.get("device")
            if device == self.device_id:
                continue
            owner = owners.get(str(device))
            who = "your other devices" if owner == self.me else self.name_of(owner)
            counts[who] = counts.get(who, 0) + 1
        return counts

    def my_code(self) -> str:
        """The code this device shows, for another device to approve it with."""
        signer = self.journal.signer
        return "" if signer is None else signing.approval_code(self.device_id, signer.public)

    def is_confirmed(self) -> bool:
        """Whether another device of mine vouches for this one (or it is my only one)."""
        trusted = self._trusted()
        mine = [d for d, c in self._claims().items() if c.partner == self.me]
        return all(d in trusted for d in mine)

    def safety_code(self) -> str | None:
        """Twelve groups of five digits from both partners' first trusted devices' keys, the
        same on both sides when their apps trust the same keys; None before both have one."""
        trusted, claimed = self._trusted(), self._claims()
        firsts: dict[str, tuple[str, bytes]] = {}
        for device, owner in trusted.items():
            claim = claimed.get(device)
            raw = trust.key_bytes(claim.key) if claim else None
            if claim is None or raw is None:
                continue
            if owner not in firsts or claim.created < firsts[owner][0]:
                firsts[owner] = (claim.created, raw)
        partner = self.partner
        if self.me not in firsts or partner is None or partner not in firsts:
            return None
        return signing.safety_code(firsts[self.me][1], firsts[partner][1])

    @locked
    def approve_device(self, code: str) -> DeviceInfo:
        """Approve the waiting device that shows `code`; its held changes merge on this pass."""
        wanted = signing.normal_code(code)
        waiting = [d for d in self.devices() if d.state == WAITING and d.code]
        found = [d for d in waiting if signing.normal_code(d.code) == wanted]
        if len(wanted) != 10 or not found:
            raise UsageError(
                "No device waiting for confirmation shows that code.",
                "On the new device, run `companion devices` (or look at the end of what "
                "`companion join` printed) and type its code here as it is shown; run "
                "`companion sync` first if the new device has only just joined.",
            )
        if len(found) > 1:
            raise UsageError(
                "More than one waiting device shows that code, so none was approved.",
                "Compare each device's fingerprint in `companion devices` with what the new "
                "device shows, and ask for help: this should not happen by chance.",
            )
        chosen = found[0]
        claim = self._claims()[chosen.id]
        if claim.partner not in (self.me, self.partner):
            raise UsageError(
                "That device names an owner who isn't one of you two, so it can't be approved."
            )
        key_hash = trust.hash_of(claim.key)
        assert key_hash is not None  # a device with a code has a key
        fields = {"device": chosen.id, "key": key_hash, "partner": claim.partner}
        self.commit([self.op("create", approval_id(self.device_id, chosen.id), m.APPROVAL, fields)])
        # its held changes merge now, not on the next pass
        engine.import_new(self.replica, self.journal, self.clock, self.now())
        return chosen
