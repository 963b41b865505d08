"""What `companion checkin` shows when run without answers: the week's steps in the guided
order, each with its option and this week's prompt, and where the answers stand."""

from __future__ import annotations

from typing import TYPE_CHECKING

from companion.domain.checkin_fields import GUESS, OWN_WORD, QUESTIONS
from companion.domain.ids import next_week
from companion.domain.model import parse_week

if TYPE_CHECKING:
    from companion.service import Session

# Each step as the shell asks it: the option, and what it takes (in the form's order).
OPTIONS = (
    ("supported", "--supported TEXT"),
    ("victory", "--victory TEXT         (optional)"),
    ("attention", '--attention "When …, I felt …; what would help is …"'),
    ("request", "--request TEXT         (optional)"),
    ("energy", "--energy 1-5           (optional)"),
    ("limits", "--limits TEXT          (optional)"),
    (OWN_WORD, "--my-week TEXT         (optional)"),
    (GUESS, "--their-week TEXT      (optional)"),
)
EXAMPLE = (
    'companion checkin --supported "The tea on Tuesday" --victory "A calm Sunday" '
    '--attention "When plans change late, I felt unsettled; what would help is a quick text"'
)


def checkin_guide(session: Session, week: str | None) -> str:
    """The week's check-in as a person at the shell reads it before answering."""
    week = parse_week(week) if week else session.checkin_week()
    partner = session.name_of(session.partner) if session.partner else "your partner"
    prompts = {p.step.field: p.text(partner) for p in session.checkin_prompts(week)}
    state = session.checkin_state(week)
    lines = []
    focus = session.focus_after(next_week(week, -1))
    if focus is not None:
        whose = "your" if focus.author == session.me else f"{partner}'s"
        lines += [f"This week's focus, in {whose} words: “{focus.text}”. How did it go?", ""]
    lines += [
        f"Your check-in for {week}, in the order of a good weekly talk: thanks first,",
        "then what went right, one thing needing attention, one request. The week's",
        "prompts are there if they help; your own words are what count. Last, in each",
        "other's words: how the week felt for you, and what you think it felt like",
        f"for {partner}.",
        "",
    ]
    for field, option in OPTIONS:
        question = f"How it felt for {partner}" if field == GUESS else QUESTIONS[field]
        lines.append(f"  {question:<28}{option}")
        if field in prompts:
            lines.append(f"      {prompts[field]}")
    lines.append("")
    if state.mine is not None:
        lines.append(f"Yours for {week} is in; sending answers again changes it.")
    elif state.theirs is not None:
        lines.append(f"{partner} has shared theirs; once yours is in, you can read both.")
    else:
        lines.append(f"It stays sealed until {partner} shares theirs too.")
    lines += ["For example:", f"  {EXAMPLE}"]
    return "\n".join(lines)
