"""The devices of the space: who owns each, whether this device trusts it, and approving one.

A device not confirmed yet shows a code (`approval_code`): ten digits naming its key and eight
secret ones that only it shows. Typed on a device that already knows its owner, it becomes an
approval record carrying proof of the secret part, and the held changes of the new device
merge; the new device trusts its approver only with that proof, so the partner (who can write
any file but never sees the new device's screen) can't approve it on the owner's behalf.
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


def _public_code(device: str, claims: dict[str, trust.Claim]) -> str:
    """The public digits of the code `device` shows, from the key its record names."""
    claim = claims.get(device)
    raw = trust.key_bytes(claim.key) if claim is not None else None
    return "" if raw is None else signing.normal_code(signing.approval_code(device, raw))


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
                    code=self.my_code() if device == self.device_id else "",
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
        if signer is None:
            return ""
        return signing.approval_code(self.device_id, signer.public, signer.approval_secret())

    def is_confirmed(self) -> bool:
        """Whether another device of mine vouches for this one (or it is my only one, or the
        one that made my record). A device merely claiming to be mine changes nothing."""
        trusted = self._trusted()
        if any(owner == self.me and d != self.device_id for d, owner in trusted.items()):
            return True
        # confirmed by my partner, after I lost every other device: an approval from a
        # trusted device (so merged) that proves it was typed from this device's screen
        signer = self.journal.signer
        secret = signer.approval_secret() if signer is not None else ""
        for record in self.core(m.APPROVAL):
            if record.get("device") == self.device_id and record.get("partner") == self.me:
                approval = trust.Approval(
                    record.device, self.device_id, str(record.get("key")), self.me,
                    str(record.get("proof") or ""),
                )  # fmt: skip
                if trust.proven(approval, secret):
                    return True
        mine = self.replica.get(self.me, m.PARTNER)
        if mine is not None and mine.device == self.device_id:
            return True
        claims = self._claims()
        return not any(c.partner == self.me for d, c in claims.items() if d != self.device_id)

    def safety_code(self) -> str | None:
        """Twelve groups of five digits from each partner's newest trusted device's key: the
        same on both sides when their apps trust the same keys, also after a partner who lost
        every device was confirmed anew (the lost devices are older); None before both have
        one, and on a device waiting for confirmation (its own key isn't vouched for yet, and
        a code with it in would match nobody's)."""
        if not self.is_confirmed():
            return None
        trusted, claimed = self._trusted(), self._claims()
        newest: dict[str, tuple[str, str, bytes]] = {}
        for device, owner in trusted.items():
            claim = claimed.get(device)
            raw = trust.key_bytes(claim.key) if claim else None
            if claim is None or raw is None:
                continue
            if owner not in newest or (claim.created, device) > newest[owner][:2]:
                newest[owner] = (claim.created, device, raw)
        partner = self.partner
        if self.me not in newest or partner is None or partner not in newest:
            return None
        return signing.safety_code(newest[self.me][2], newest[partner][2])

    @locked
    def approve_device(self, code: str) -> DeviceInfo:
        """Approve the waiting device that shows `code`; its held changes merge on this pass."""
        parts = signing.split_code(code)
        if parts is None:
            raise UsageError(
                "That isn't a whole device code: it has 18 digits, like 12345-67890-1234-5678.",
                "On the new device, run `companion devices` (or look at the end of what "
                "`companion join` printed) and type its code here as it is shown.",
            )
        wanted, secret = parts
        claims = self._claims()
        found = [
            d for d in self.devices() if d.state == WAITING and _public_code(d.id, claims) == wanted
        ]
        if not found:
            raise UsageError(
                "No device waiting for confirmation shows that code.",
                "Check the code on the new device (`companion devices` there shows it) and "
                "type it here as it is shown; run `companion sync` first if the new device "
                "has only just joined.",
            )
        if len(found) > 1:
            raise UsageError(
                "More than one waiting device shows that code, so none was approved.",
                "Compare each device's fingerprint in `companion devices` with what the new "
                "device shows, and ask for help: this should not happen by chance.",
            )
        chosen = found[0]
        claim = claims[chosen.id]
        if claim.partner not in (self.me, self.partner):
            raise UsageError(
                "That device names an owner who isn't one of you two, so it can't be approved."
            )
        key_hash = trust.hash_of(claim.key)
        assert key_hash is not None  # a device with a code has a key
        proof = signing.approval_proof(secret, self.device_id, chosen.id, key_hash)
        fields = {"device": chosen.id, "key": key_hash, "partner": claim.partner, "proof": proof}
        self.commit([self.op("create", approval_id(self.device_id, chosen.id), m.APPROVAL, fields)])
        # its held changes merge now, not on the next pass
        engine.import_new(self.replica, self.journal, self.clock, self.now())
        return chosen
