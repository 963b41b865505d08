"""Records turned into plain data and text for `list`, `status` and `export`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from companion.domain import consent, words
from companion.domain import model as m
from companion.domain.checkin_fields import CHECKIN_FIELDS
from companion.domain.hlc import stamp_ms
from companion.domain.ids import iso_week
from companion.domain.records import Record
from companion.domain.text import inert, json_escaped, markdown_text, spreadsheet_cell
from companion.service import Problem, Session, SyncResult, created_at, iso_from_ms, when_said

LIST_KINDS = {
    "gratitude": (m.GRATITUDE,),
    "needs": (m.NEED,),
    "care": (m.CARE,),
    "ticks": (m.TICK,),
    "checkins": (m.CHECKIN,),
    "agreements": (m.AGREEMENT,),
    "reviews": (m.REVIEW,),
}


def records_for(session: Session, kind: str) -> list[Record]:
    types = LIST_KINDS[kind]
    if types[0] == m.CHECKIN:
        return session.checkins()
    if types[0] in m.DATED_TYPES:
        return [r for r in session.dated(types) if shown_to_me(session, r)]
    return session.core(types[0])


def shown_to_me(session: Session, record: Record) -> bool:
    """Whether a record is this partner's to see: a partner's rest (a skipped tick) is theirs
    alone, so it is never listed or exported on the other partner's side (DESIGN §10)."""
    return not (
        record.type == m.TICK and record.get("status") == m.SKIPPED and record.author != session.me
    )


def record_json(
    session: Session, record: Record, names: dict[str, str] | None = None
) -> dict[str, Any]:
    """A record as --json shows it: ids, names for people, ISO times, its text fields."""
    names = session.partners() if names is None else names
    out: dict[str, Any] = {
        "id": record.id,
        "type": record.type,
        "author": names.get(record.author, "someone"),
        "author_id": record.author,
        "created_at": created_at(record),
        "updated_at": iso_from_ms(stamp_ms(record.hlc)),
    }
    out.update(record.fields)
    if record.type == m.GRATITUDE and record.get("to") != session.me:
        out.pop("read", None)  # whether my partner has read my note is theirs: no receipts
    for person in ("to", "for", "accepted_by"):
        if person in out:
            out[f"{person}_id"] = out[person]
            out[person] = names.get(out[person]) if out[person] else None
    if record.type == m.AGREEMENT:
        out["status"] = consent.state(record)
        both = (record.author, *(p for p in names if p != record.author))
        out["retire_asked_by"] = [names.get(p) for p in both if consent.has_retired(record, p)]
        out["talk_first"] = [names.get(p) for p in both if consent.wants_to_talk(record, p)]
    if "action" in out:
        out["action_title"] = session.title_of(out["action"], m.CARE)
    if record.type == m.CARE and out.get("need"):
        out["need_text"] = session.title_of(out["need"], m.NEED)
    if record.type == m.CARE:
        out["cadence_text"] = m.describe_cadence(out["cadence"], out.get("days"))
    return out


def text_line(session: Session, record: Record) -> str:
    """One readable line for `list` (a check-in's takes three), inert however odd the record."""
    return inert(_line(session, record), multiline=True)


def _line(session: Session, record: Record) -> str:
    short = record.id[:8]
    who = session.name_of(record.author)
    when = created_at(record)[:10]
    if record.type == m.GRATITUDE:
        # "new" is for notes to me; whether my partner has read mine is not shown (no read
        # receipts); that a note landed, they chose to say.
        unread = record.get("to") == session.me and not record.get("read")
        flags = " ♥ landed" if record.get("landed") else (" • new" if unread else "")
        to = session.name_of(record.get("to"))
        return f"{short}  {when}  {who} → {to}: {record.get('text')}{flags}"
    if record.type == m.NEED:
        retired = " (retired)" if record.get("retired") else ""
        return f"{short}  {who}: {record.get('text')}{retired}"
    if record.type == m.CARE:
        cadence = m.describe_cadence(record.get("cadence"), record.get("days"))
        retired = " (retired)" if record.get("retired") else ""
        to = session.name_of(record.get("for"))
        return f"{short}  {who} for {to}: {record.get('title')} — {cadence}{retired}"
    if record.type == m.TICK:
        title = session.title_of(record.get("action"), m.CARE) or "?"
        mark = "✓ done" if record.get("status") == m.DONE else "– skipped (low energy)"
        return f"{short}  {record.get('date')}  {who}: {title}  {mark}"
    if record.type == m.CHECKIN and record.get("sealed"):
        return f"{short}  {record.get('week')}  {who}: sealed until you have both shared yours"
    if record.type == m.CHECKIN:
        energy = f"  energy {record.get('energy')}/5" if record.get("energy") else ""
        edited = "  · edited since it was shared (the first version is kept)"
        edited = edited if record.get("edited") else ""
        paired = [
            f"\n          {label}: {record.get(name)}"
            for name, label in (("my_week", "how the week felt"), ("their_week", "guessed"))
            if record.get(name)
        ]
        return (
            f"{short}  {record.get('week')}  {who}{energy}{edited}\n"
            f"          felt supported: {record.get('supported')}\n"
            f"          needs attention: {record.get('attention')}" + "".join(paired)
        )
    if record.type == m.AGREEMENT:
        told = consent.story(
            record, session.me, session.partner, lambda p: inert(session.name_of(p))
        )
        said = "; ".join(told)
        return f"{short}  [{consent.state(record)}]  {record.get('text')}  ({said})"
    if record.type == m.REVIEW:
        title = session.title_of(record.get("action"), m.CARE) or "?"
        verdict = words.VERDICT_LABELS.get(record.get("verdict"), record.get("verdict"))
        note = f" (what would help instead: {record.get('note')})" if record.get("note") else ""
        return f"{short}  {record.get('week')}  {who}: {title} — {verdict}{note}"
    if record.type == m.FOCUS:
        return f"{short}  {record.get('week')}  {who} suggested a focus: {record.get('text')}"
    if record.type == m.REFLECTION:
        kept = "shared" if record.get("shared") else "kept to themselves"
        return f"{short}  {record.get('week')}  {who}, how the talk went ({kept}): " + str(
            record.get("text")
        )
    if record.type == m.REPAIR:
        shared = [
            f"{label} {record.get(name)}"
            for name, label in (("again", "try again:"), ("understood", "understand better:"))
            if record.get(name)
        ]
        return f"{short}  {when}  {who}, after a pause: " + "; ".join(shared)
    return f"{short}  {record.type}"


def their_word_line(session: Session) -> str | None:
    """My partner's word on my care last week, in one kind sentence, or None."""
    mine = {a.id: a.get("title", "") for a in session.core(m.CARE) if a.author == session.me}
    said = [
        (mine[r.get("action")], r.get("verdict"), r.get("note"))
        for r in session.words_on_my_care()
        if r.get("action") in mine
    ]
    if not said:
        return None
    return inert(words.their_word(session.name_of(session.partner), said, "last week"))


def delivered(session: Session) -> bool:
    """Whether everything this device changed is in the shared folder (nothing waiting)."""
    return session.waiting() == 0


def waiting_line(session: Session) -> str:
    """What happened to a change the shared folder didn't take (away, read-only or full)."""
    count = session.waiting()
    changes = f"{count} change" + ("" if count == 1 else "s")
    return (
        f"It is saved on this device and goes to {session.name_of(session.partner)} once the "
        f"shared folder is reachable and writable again ({changes} waiting)."
    )


def status_data(session: Session, synced: SyncResult | None = None) -> dict[str, Any]:
    names = session.partners()
    cursors = session.cursors()
    devices = []
    # No activity times of anyone's devices: when a partner was last active is not ours to
    # show (DESIGN §10). Sync health is "everything is shared" or "N waiting".
    for device in session.core(m.DEVICE):
        cursor = cursors.get(device.id, {})
        devices.append(
            {
                "id": device.id,
                "partner": names.get(device.get("partner"), "someone"),
                "label": device.get("label"),
                "this_device": device.id == session.device_id,
                "segments": cursor.get("seq", 0),
            }
        )
    partner = session.partner
    last_sync = session.last_sync()
    state = session.checkin_state()
    skew = session.clock_skew()
    return {
        "me": names.get(session.me),
        "partner": names.get(partner) if partner else None,
        "space_id": session.space_id,
        "device_id": session.device_id,
        "profile": str(session.home),
        "shared_folder": str(session.shared_folder),
        "folder_available": session.folder_available(),
        "last_sync": iso_from_ms(last_sync) if last_sync else None,
        "last_sync_said": when_said(last_sync, session.today()) if last_sync else None,
        "brought_in": session.brought_in(synced) if synced else {},
        "waiting": session.waiting(),
        "devices": devices,
        "problems": [problem.to_dict() for problem in session.problems()],
        "clock": None if skew is None else skew.to_dict(),
        "checkin": {"week": state.week, "waiting_for": state.waiting_for},
        "due_today": [
            {"id": item.action.id, "title": item.action.get("title"), "status": item.status}
            for item in session.due_today()
        ],
    }


def status_text(data: dict[str, Any]) -> str:
    lines = [f"You are {data['me']}" + (f", with {data['partner']}." if data["partner"] else ".")]
    if not data["partner"]:
        lines.append(
            "Your partner hasn't joined yet: they run `companion join FOLDER --name NAME`."
        )
    folder = data["shared_folder"]
    if data["folder_available"]:
        lines.append(f"Shared folder: {folder}")
    else:
        lines.append(f"Shared folder: {folder} — not reachable; your changes wait on this device.")
    said = data.get("last_sync_said")
    lines.append(f"Last shared {said}." if said else "Not shared with the folder yet.")
    for who, count in data.get("brought_in", {}).items():
        lines.append(f"Just now: brought in {count} change{'s' * (count != 1)} from {who}.")
    waiting = data["waiting"]
    lines.append(
        "Everything is shared." if not waiting else f"{waiting} change(s) waiting to be shared."
    )
    lines.append("Devices:")
    for device in data["devices"]:
        mark = " (this one)" if device["this_device"] else ""
        lines.append(f"  {device['id'][:8]}  {device['partner']} on {device['label']}{mark}")
    waiting_for = data["checkin"]["waiting_for"]
    lines.append(
        f"Check-in {data['checkin']['week']}: "
        + {
            "nobody": "both of you have shared yours.",
            "both": "not started yet.",
            "me": "your partner has shared theirs; yours is waiting.",
            "partner": "yours is in; waiting for your partner.",
        }[waiting_for]
    )
    if data["due_today"]:
        lines.append("Today's care:")
        for item in data["due_today"]:
            mark = {"done": "✓", "skipped": "–"}.get(item["status"] or "", " ")
            lines.append(f"  [{mark}] {item['title']}")
    if data["problems"]:
        lines.append("Problems:")
        for problem in map(Problem.from_dict, data["problems"]):
            lines.append(f"  {problem.where}: {problem.message}")
        lines.append("  Run `companion verify` for details and what to do.")
    if data.get("clock"):
        lines.append(f"Clocks: {data['clock']['message']}")
        lines.append(f"  {data['clock']['hint']}")
    return inert("\n".join(lines), multiline=True)


# -- export -------------------------------------------------------------------------------

EXPORT_TYPES = (m.NEED, m.CARE, m.AGREEMENT, m.GRATITUDE, m.CHECKIN, m.TICK, m.REVIEW)
# A pause and a request for support belong to their evening: kept out of exports, so that no
# list of them outlives it (nothing counts them). A repair step someone shared is kept.
EXPORTED_DATED = tuple(sorted(m.DATED_TYPES - {m.PAUSE, m.SUPPORT}))


def all_records(session: Session) -> list[Record]:
    core = [r for r in session.core_records() if not r.deleted and r.type in EXPORT_TYPES]
    dated = [
        session.open_checkin(r) if r.type == m.CHECKIN else r
        for r in session.dated(EXPORTED_DATED)
        if shown_to_me(session, r) and r.type != m.REFLECTION
    ]
    # "How did that go?": mine, and my partner's only once shared (else not even its date).
    reflections = [session.open_reflection(r) for r in session.dated([m.REFLECTION])]
    dated += [r for r in reflections if r is not None and not r.deleted]
    return sorted(core, key=lambda r: r.created) + dated


def export_json(session: Session) -> str:
    names = session.partners()
    body = {
        "app": "companion",
        "exported_at": iso_from_ms(session.now()),
        "partners": [{"id": pid, "name": name} for pid, name in session.partners().items()],
        "records": [record_json(session, r, names) for r in all_records(session)],
    }
    return json_escaped(json.dumps(body, indent=2, ensure_ascii=False)) + "\n"


CSV_COLUMNS = ("id", "type", "author", "created_at", "date", "week", "text", "status", "details")


def export_csv(session: Session) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    names = session.partners()
    for record in all_records(session):
        data = record_json(session, record, names)
        main = data.pop("text", None) or data.pop("title", None) or data.pop("supported", None)
        status = data.pop("status", None) or data.pop("verdict", None)
        row = {
            "id": data.pop("id"),
            "type": data.pop("type"),
            "author": data.pop("author"),
            "created_at": data.pop("created_at"),
            "date": data.pop("date", None),
            "week": data.pop("week", None),
            "text": main,
            "status": status,
        }
        data.pop("author_id", None)
        data.pop("updated_at", None)
        row["details"] = json_escaped(json.dumps(data, ensure_ascii=False, sort_keys=True))
        writer.writerow({key: spreadsheet_cell(value) for key, value in row.items()})
    return buffer.getvalue()


def export_markdown(session: Session) -> str:
    names = session.partners()
    out = ["# Our companion journal", ""]
    together = " & ".join(markdown_text(name) for name in names.values())
    out.append(f"{together} — exported {iso_from_ms(session.now())[:10]}")
    out.append("")
    sections = [
        ("Care menus", m.NEED),
        ("Care actions", m.CARE),
        ("Agreements", m.AGREEMENT),
    ]
    for title, record_type in sections:
        records = session.core(record_type)
        if not records:
            continue
        out += [f"## {title}", ""]
        for record in records:
            out.append(f"- {markdown_text(text_line(session, record)[10:])}")
        out.append("")
    by_week: dict[str, list[Record]] = {}
    for record in all_records(session):
        if record.type not in m.DATED_TYPES:
            continue
        if record.type == m.TICK:
            week = iso_week(dt.date.fromisoformat(record.get("date")))
        elif record.type in (m.CHECKIN, m.REVIEW, m.FOCUS, m.REFLECTION):
            week = record.get("week")
        else:
            week = iso_week(dt.date.fromisoformat(created_at(record)[:10]))
        by_week.setdefault(week, []).append(record)
    for week in sorted(by_week):
        out += [f"## Week {week}", ""]
        for record in by_week[week]:
            if record.type == m.CHECKIN and record.get("sealed"):
                out.append(
                    f"- {markdown_text(session.name_of(record.author))}'s check-in (still sealed)"
                )
            elif record.type == m.CHECKIN:
                out.append(f"### {markdown_text(session.name_of(record.author))}'s check-in")
                for field in CHECKIN_FIELDS:
                    if record.get(field) is not None:
                        out.append(f"- **{field}**: {markdown_text(str(record.get(field)))}")
            else:
                out.append(f"- {markdown_text(text_line(session, record)[10:])}")
        out.append("")
    return "\n".join(out)


EXPORTERS = {"json": export_json, "csv": export_csv, "markdown": export_markdown}
