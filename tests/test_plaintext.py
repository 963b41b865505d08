"""Nothing a couple writes, nor their names, is readable in any file the app leaves on disk.

A scripted session through the real CLI puts a unique marker in every text field, then every
file under both profiles and the shared folder is searched for each marker as UTF-8 (any
case), UTF-16 (both byte orders), hex, and base64 at each of the three byte alignments.
"""

from __future__ import annotations

import base64
import stat
from pathlib import Path

NAMES = {"alex": "Quorvanthe", "sam": "Zelphinary"}
MARKERS = {
    "need": "MkNeedQx7Rv2 a text when the day is hard",
    "need_other": "MkNeedBy4Lp9 ask before advising",
    "care": "MkCareWz3Jd8 lunchtime message",
    "care_other": "MkCareHt6Ns1 morning coffee",
    "note": "MkNoteKf5Vc0 thank you for the soup",
    "supported": "MkSuppGm2Xe4 you listened",
    "attention": "MkAttnPa8Yu3 when plans change I feel dropped",
    "limits": "MkLimtRd1Oq6 no big talks late",
    "victory": "MkVictSs9Ih7 we walked twice",
    "request": "MkReqsTb0Ug5 ask about the interview",
    "partner_supported": "MkPsupVn4Ko2 the coffee",
    "partner_attention": "MkPattCj7Mw8 when I am home late",
    "agreement": "MkAgreFy6Ql1 we pause a conflict when asked",
    "unsealed_supported": "MkUnsRb3Wd7 you drove me to the station",
    "unsealed_attention": "MkUnsLc8Pk2 when the week was long I felt alone",
    "my_week": "MkMywkQa5Tz1 long and a bit lonely",
    "their_week": "MkThwkVe2Gy7 busy and tired by thursday",
    "partner_my_week": "MkPmywHu4Bn6 heavy then lighter",
    "partner_their_week": "MkPthwJx9Rc3 steady maybe lonely",
    "focus": "MkFocsLw1Dp8 one slow evening together",
    "reflection_shared": "MkReflSz7Kb4 slower than I feared",
    "reflection_private": "MkReflPn3Fm0 I held back a little",
}
# Kept to its author: in their own export, and in no file of either device.
PRIVATE = {"reflection_private": "alex"}


def _ok(partner, *args: str) -> str:
    result = partner.ok(*args)
    assert "Traceback" not in result.err, result.err
    return result.out


def encodings(secret: str) -> dict[str, bytes]:
    """The forms in which `secret` could sit in a file, each long enough not to occur by luck."""
    raw = secret.encode("utf-8")
    forms = {
        "utf-8": raw,
        "utf-16-le": secret.encode("utf-16-le"),
        "utf-16-be": secret.encode("utf-16-be"),
        "hex": raw.hex().encode(),
    }
    for shift in range(3):
        # Starting the encoding `shift` bytes in lines it up with every possible alignment of
        # the secret inside a longer base64 stream; keep only the characters that depend on the
        # secret's bytes alone (whole 3-byte groups).
        part = raw[shift:]
        whole = len(part) // 3 * 3
        forms[f"base64+{shift}"] = base64.b64encode(part[:whole])
        forms[f"base64url+{shift}"] = base64.urlsafe_b64encode(part[:whole])
    return forms


def all_paths(*roots: Path) -> list[Path]:
    found = []
    for root in roots:
        found.append(root)
        found.extend(sorted(root.rglob("*")))
    return found


def test_no_plaintext_on_disk_and_private_modes(make_partner):
    alex, sam = make_partner("alex"), make_partner("sam")
    m = MARKERS
    # The space is a year old, so a check-in for an earlier week (2025-W40) can be written.
    made = "2025-09-29T20:00:00"
    alex.ok("init", str(alex.shared), "--name", NAMES["alex"], COMPANION_NOW=made)
    sam.ok("join", str(sam.shared), "--name", NAMES["sam"], COMPANION_NOW=made)
    _ok(alex, "sync")
    _ok(alex, "add", "need", m["need"])
    _ok(sam, "add", "need", m["need_other"])
    _ok(alex, "sync")
    _ok(alex, "add", "care", m["care_other"], "--cadence", "weekdays", "--need", "MkNeedBy4Lp9")
    _ok(alex, "tick", "MkCareHt6Ns1", "--skip")
    _ok(alex, "add", "gratitude", m["note"])
    _ok(sam, "sync")
    _ok(sam, "add", "care", m["care"], "--cadence", "mon,thu", "--need", "MkNeedQx7Rv2")
    _ok(sam, "tick", "MkCareWz3Jd8")
    _ok(sam, "landed", "MkNoteKf5Vc0")
    _ok(
        sam,
        "checkin",
        *("--supported", m["supported"], "--attention", m["attention"], "--energy", "3"),
        *("--limits", m["limits"], "--victory", m["victory"], "--request", m["request"]),
        *("--my-week", m["my_week"], "--their-week", m["their_week"]),
    )
    _ok(sam, "add", "agreement", m["agreement"])
    _ok(alex, "sync")
    _ok(
        alex,
        "checkin",
        "--supported",
        m["partner_supported"],
        "--attention",
        m["partner_attention"],
        *("--my-week", m["partner_my_week"], "--their-week", m["partner_their_week"]),
    )
    # After the reveal: a focus for next week, how the talk went (one shared, one kept).
    _ok(sam, "sync")
    _ok(sam, "focus", m["focus"])
    _ok(sam, "reflect", m["reflection_shared"], "--share")
    _ok(alex, "reflect", m["reflection_private"])
    _ok(alex, "accept", "MkAgreFy6Ql1")
    _ok(alex, "review", "MkCareWz3Jd8", "landed")
    # A check-in that Sam unseals early: its key goes out before Alex has written one.
    _ok(
        sam,
        "checkin",
        *("--week", "2025-W40", "--supported", m["unsealed_supported"]),
        *("--attention", m["unsealed_attention"]),
    )
    _ok(sam, "unseal", "--week", "2025-W40")
    _ok(alex, "sync")
    assert m["unsealed_supported"] in _ok(alex, "export", "--format", "json")
    _ok(sam, "sync")

    # The session really holds the markers: otherwise the search below proves nothing.
    seen = _ok(sam, "export", "--format", "json")
    shared = {label: text for label, text in MARKERS.items() if label not in PRIVATE}
    for secret in [*shared.values(), *NAMES.values()]:
        assert secret in seen, f"{secret!r} never reached the export"
    for label, author in PRIVATE.items():
        assert MARKERS[label] not in seen, f"{label} reached the partner's export"
        own = alex if author == "alex" else sam
        assert MARKERS[label] in _ok(own, "export", "--format", "json"), label

    secrets = {label: encodings(text) for label, text in {**MARKERS, **NAMES}.items()}
    leaks = []
    paths = all_paths(alex.home, sam.home, alex.shared)
    files = [p for p in paths if p.is_file()]
    assert len(files) > 10, files
    for path in paths:
        for label, text in {**MARKERS, **NAMES}.items():
            if text[:12].lower() in str(path).lower():
                leaks.append(f"{label} in the name {path}")
        if not path.is_file():
            continue
        data = path.read_bytes()
        lowered = data.lower()
        for label, forms in secrets.items():
            for form, needle in forms.items():
                haystack = lowered if form in ("utf-8", "hex") else data
                if (needle.lower() if form in ("utf-8", "hex") else needle) in haystack:
                    leaks.append(f"{label} ({form}) in {path}")
    assert not leaks, "\n".join(leaks)

    wrong_modes = []
    for home in (alex.home, sam.home):
        for path in all_paths(home):
            mode = stat.S_IMODE(path.lstat().st_mode)
            want = 0o700 if path.is_dir() else 0o600
            if mode != want:
                wrong_modes.append(f"{path} is {oct(mode)}, expected {oct(want)}")
    assert not wrong_modes, "\n".join(wrong_modes)
