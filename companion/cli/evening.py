"""`companion tonight`: the evening at a glance, as data and as a few lines of text.

"What arrived since I last looked" is this device's own bookkeeping (the same "seen until"
marker the app keeps, never synced): the notes to me I haven't read, or that came after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from companion.domain import model as m
from companion.service import created_at, iso_from_ms

if TYPE_CHECKING:
    from companion.service import Session
    from companion.service.pauses import Pause
    from companion.service.support import Request
    from companion.service.talk import Focus

ARRIVED_DAYS = 90


def evening_data(session: Session) -> dict[str, Any]:
    """Tonight for the shell: due care, what arrived, the evening's moments, the check-in."""
    names = session.partners()
    today = session.today()
    me = session.me
    since = session.seen_until()
    notes = session.dated([m.GRATITUDE], session.recent_partitions(today, ARRIVED_DAYS))
    arrived = [
        n
        for n in notes
        if n.get("to") == me and n.author != me and (not n.get("read") or n.created > since)
    ]
    landed = [n for n in notes if n.author == me and n.get("landed") and n.hlc > since]
    moments = session.moments()
    state = session.checkin_state()
    partner = names.get(session.partner) if session.partner else None
    return {
        "day": today.isoformat(),
        "me": names.get(me, "you"),
        "partner": partner,
        "due": [
            {
                "action_id": item.action.id,
                "title": item.action.get("title"),
                "cadence": m.describe_cadence(item.action.get("cadence"), item.action.get("days")),
                "for": names.get(item.action.get("for")) if item.action.get("for") else None,
                "status": item.status,
            }
            for item in session.due_today(today)
        ],
        "arrived": [
            {
                "id": n.id,
                "type": n.type,
                "author": names.get(n.author, "someone"),
                "text": n.get("text"),
                "created_at": created_at(n),
            }
            for n in arrived
        ],
        "landed": [{"id": n.id, "text": n.get("text")} for n in landed],
        "pause": _pause(session, moments.pause, names),
        "support": [_request(session, r, names) for r in moments.requests],
        "repair_due": bool(moments.repairs),
        "pause_agreement": moments.agreement.get("text") if moments.agreement else None,
        "repairs_shared": [
            {"by": names.get(r.author, "someone"), **{k: r.get(k) for k in ("again", "understood")}}
            for r in moments.shared
        ],
        "focus": _focus(session, session.current_focus(), names),
        "next_focus": _focus(session, session.next_focus(), names),
        "checkin": {
            "week": state.week,
            "mine": "shared" if state.mine is not None else "not yet",
            "theirs": "shared" if state.theirs is not None else "not yet",
            "both_shared": state.both_submitted,
            "prompts": _prompts(session, state.week, partner or "your partner"),
        },
        "_seen": {
            "read": [n.id for n in arrived if not n.get("read")],
            "stamp": max([session.clock.last, *(n.hlc for n in notes)]),
        },
    }


def _prompts(session: Session, week: str, partner: str) -> list[dict[str, str]]:
    """The week's prompt for each guided step: help, never questions to answer; the same
    for both partners."""
    return [
        {"step": p.step.field, "title": p.step.title, "text": p.text(partner)}
        for p in session.checkin_prompts(week)
    ]


def _pause(session: Session, pause: Pause | None, names: dict[str, str]) -> dict[str, Any] | None:
    if pause is None:
        return None
    return {
        "id": pause.record.id,
        "by": names.get(pause.record.author, "someone"),
        "mine": pause.mine,
        "until": iso_from_ms(pause.until_ms),
        "back_at": session.clock_time(pause.until_ms),
        "note": pause.record.get("note"),
    }


def _focus(session: Session, focus: Focus | None, names: dict[str, str]) -> dict[str, Any] | None:
    if focus is None:
        return None
    return {
        "text": focus.text,
        "by": names.get(focus.author, "someone"),
        "mine": focus.author == session.me,
        "me": names.get(session.me, "you"),
        "also_suggested": focus.other_text,
        "also_by": names.get(focus.other_author, "someone") if focus.other_author else None,
    }


def _request(session: Session, request: Request, names: dict[str, str]) -> dict[str, Any]:
    record = request.record
    return {
        "id": record.id,
        "by": names.get(record.author, "someone"),
        "mine": request.mine,
        "word": record.get("word"),
        "until": iso_from_ms(int(record.get("until"))),
        "answer": record.get("answer"),
        "menu": [] if request.mine else [n.get("text") for n in request.menu],
    }


def mark_looked(session: Session, seen: dict[str, Any]) -> None:
    """What `tonight` showed is no longer new here (and the notes it showed are read)."""
    notes = [n for n in map(session.note, seen.get("read", [])) if n is not None]
    if notes:
        session.mark_notes(notes, read=True)
    stamp = seen.get("stamp")
    if stamp and stamp > session.seen_until():
        session.mark_seen(stamp)


def evening_text(data: dict[str, Any]) -> str:
    """The evening as a few lines for a person."""
    partner = data["partner"] or "your partner"
    out: list[str] = []
    pause = data["pause"]
    if pause is not None:
        who = "You're" if pause["mine"] else f"{pause['by']} is"
        line = f"{who} taking a pause; back at {pause['back_at']}."
        out.append(line + (f" “{pause['note']}”" if pause["note"] else ""))
    for request in data["support"]:
        out += _request_lines(request, partner)
    if data["repair_due"]:
        out.append("A pause is over: `companion repair` offers a gentle step back together.")
        if data["pause_agreement"]:
            out.append(f"  Your agreement: “{data['pause_agreement']}”")
    for shared in data["repairs_shared"]:
        out.append(f"{shared['by']} shared after the pause:")
        if shared["again"]:
            out.append(f"  What I'd like to try again: “{shared['again']}”")
        if shared["understood"]:
            out.append(f"  One thing I understand better now: “{shared['understood']}”")
    out += _focus_lines(data["focus"], "This week's focus")
    out += _focus_lines(data["next_focus"], "Next week's focus")
    if out:
        out.append("")
    out.append("Tonight's care:")
    if not data["due"]:
        out.append("  Nothing is due tonight. Rest is part of the practice too.")
    for item in data["due"]:
        mark = {m.DONE: "done", m.SKIPPED: "rested"}.get(item["status"] or "", "due")
        out.append(f"  [{mark}] {item['title']} ({item['cadence']})")
    out.append("")
    if data["arrived"]:
        out.append(f"New from {partner}:")
        out += [f"  “{note['text']}”" for note in data["arrived"]]
    else:
        out.append("No new notes since you last looked.")
    out += [f"♥ {partner} says your note “{note['text']}” landed." for note in data["landed"]]
    out.append("")
    out.append(_checkin_line(data["checkin"], partner))
    if data["checkin"]["mine"] == "not yet":
        out.append("  This week's prompts, there if they help (`companion checkin` for the steps):")
        out += [f"  · {prompt['title']}: {prompt['text']}" for prompt in data["checkin"]["prompts"]]
    return "\n".join(out)


def _request_lines(request: dict[str, Any], partner: str) -> list[str]:
    word = f" “{request['word']}”" if request["word"] else ""
    if request["mine"]:
        lines = [f"You asked for support tonight.{word}"]
        if request["answer"]:
            lines.append(f"  {partner}'s answer: “{request['answer']}”")
        return lines
    lines = [f"{request['by']} could use support tonight.{word}"]
    if request["answer"]:
        lines.append(f"  You answered: “{request['answer']}”")
    elif request["menu"]:
        lines.append(f"  From {request['by']}'s care menu (`companion support --answer ITEM`):")
        lines += [f"    · {text}" for text in request["menu"]]
    else:
        lines.append('  Answer in your own words: `companion support --answer "…"`')
    return lines


def _focus_lines(focus: dict[str, Any] | None, lead: str) -> list[str]:
    if focus is None:
        return []
    whose = "your words" if focus["mine"] else f"{focus['by']}'s words"
    lines = [f"{lead}: “{focus['text']}” ({whose})"]
    if focus["also_suggested"]:
        by = "you" if focus["also_by"] == focus["me"] else focus["also_by"]
        lines.append(f"  Also suggested, by {by}: “{focus['also_suggested']}”")
    return lines


def _checkin_line(checkin: dict[str, Any], partner: str) -> str:
    if checkin["both_shared"]:
        return f"Check-in {checkin['week']}: you've both shared; read them side by side."
    if checkin["theirs"] == "shared":
        return f"Check-in {checkin['week']}: {partner} has shared; share yours to see both."
    if checkin["mine"] == "shared":
        return f"Check-in {checkin['week']}: yours is shared; it waits for {partner}'s."
    return f"Check-in {checkin['week']}: not started yet."
