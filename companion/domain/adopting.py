"""Adopting a need as a care action: its words turned from the receiver's first person to the
giver's view, and the rhythm the need asks for.

"Notice the small things I do" on Sam's menu becomes "Notice the small things Sam does" on
the giver's list; "you" (the giver, as Sam wrote it) becomes "I". Simple rules of our own, for
short phrases: the dialog shows the result to edit before anything is saved.
"""

from __future__ import annotations

import re

from companion.domain import model as m


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|[^A-Za-z]+")
# Words between a subject and its verb that the verb's form doesn't depend on.
_ADVERBS = _words("really often usually always never just still also sometimes actually even only")
# Verbs whose form stays the same after any subject.
_MODALS = _words("can could will would should might must may did was shall")
_IRREGULAR = {"am": "is", "have": "has", "do": "does", "go": "goes", "are": "is"}
_CONTRACTIONS = {
    "i'm": ("is", "are"),
    "i've": ("has", "have"),
    "i'd": ("would", "would"),
    "i'll": ("will", "will"),
}
# After these (or at the start), "you" is a subject: "when you text" → "when I text".
_BEFORE_SUBJECT = _words(
    "when whenever if that and but so because before after while as once until or"
)
_YOU_VERB = {"are": "am", "were": "was", "have": "have", "'re": "am"}


def third_person(verb: str) -> str:
    """'do' → 'does', 'text' → 'texts', 'try' → 'tries' (a verb after 'Sam')."""
    lower = verb.lower()
    if lower in _IRREGULAR:
        return _match_case(_IRREGULAR[lower], verb)
    if lower in _MODALS or (lower.endswith("ed") and not lower.endswith("eed")):
        return verb  # past already: "I wanted" → "Sam wanted"
    if lower.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if len(lower) > 1 and lower.endswith("y") and lower[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _match_case(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def giver_view(text: str, receiver: str) -> str:
    """A need in the receiver's words, as the giver's task: the receiver named at first, then
    'they'; the giver ('you' in the need) becomes 'I'."""
    tokens = _WORD.findall(text)
    words = [i for i, t in enumerate(tokens) if t[:1].isalpha()]
    named = False
    out = list(tokens)

    def person(name_form: str, pronoun: str) -> str:
        nonlocal named
        if named:
            return pronoun
        named = True
        return name_form

    conjugate_at: set[int] = set()
    for n, i in enumerate(words):
        token = tokens[i]
        lower = token.lower().replace("’", "'")
        previous = tokens[words[n - 1]].lower() if n else ""
        first = n == 0 or (tokens[i - 1].strip() if i else "").endswith((".", "!", "?"))
        if lower == "i":
            was_named = named
            out[i] = person(receiver, "they")
            if not was_named:  # the verb follows the name: "Sam does"
                for j in words[n + 1 :]:
                    if tokens[j].lower() not in _ADVERBS:
                        conjugate_at.add(j)
                        break
            elif n + 1 < len(words) and tokens[words[n + 1]].lower() == "am":
                out[words[n + 1]] = "are"
        elif lower in _CONTRACTIONS:
            singular, plural = _CONTRACTIONS[lower]
            out[i] = f"{receiver} {singular}" if not named else f"they {plural}"
            named = True
        elif lower in ("me", "myself"):
            out[i] = person(receiver, "them" if lower == "me" else "themselves")
        elif lower == "my":
            out[i] = person(f"{receiver}'s", "their")
        elif lower == "mine":
            out[i] = person(f"{receiver}'s", "theirs")
        elif lower == "your":
            out[i] = "my"
        elif lower == "yours":
            out[i] = "mine"
        elif lower == "yourself":
            out[i] = "myself"
        elif lower == "you":
            subject = n == 0 or previous in _BEFORE_SUBJECT
            out[i] = "I" if subject else "me"
            following = tokens[words[n + 1]].lower() if n + 1 < len(words) else ""
            if subject and following in _YOU_VERB:
                out[words[n + 1]] = _YOU_VERB[following]
        elif lower == "you're":
            out[i] = "I'm"
        elif lower == "you've":
            out[i] = "I've"
        elif i in conjugate_at:
            out[i] = third_person(token)
        if first and out[i] != token:
            out[i] = out[i][:1].upper() + out[i][1:]
    return "".join(out)


_DAY_WORDS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_RHYTHMS = (
    (re.compile(r"\bweekdays?\b|\bworkdays?\b|\bwork days?\b"), m.WEEKDAYS),
    (re.compile(r"\b(once a|every|each|a|per) week\b|\bweekly\b|\bweekends?\b"), m.WEEKLY),
    (re.compile(r"\b(every|each) (day|evening|morning|night)\b|\bdaily\b|\bnightly\b"), m.DAILY),
    (
        re.compile(r"\bwhen(ever)?\b|\bif\b|\bas needed\b|\bon \w+ days\b|\bsometimes\b"),
        m.AS_NEEDED,
    ),
)


def suggested_rhythm(text: str, default: str = m.DAILY) -> tuple[str, list[int]]:
    """The cadence a need or request asks for, with chosen days ("on Sundays" → Sunday);
    `default` when it says none."""
    lower = text.lower()
    days = sorted({d for word, d in _DAY_WORDS.items() if re.search(rf"\b{word}s?\b", lower)})
    if len(days) == 1 and re.search(rf"\b(this|next|on) {_name(days[0])}\b", lower):
        return m.WEEKLY, []  # "a walk on Saturday": once, in the week it is asked for
    if days:
        return m.DAYS, days
    for pattern, cadence in _RHYTHMS:
        if pattern.search(lower):
            return cadence, []
    return default, []


def _name(day: int) -> str:
    return next(word for word, d in _DAY_WORDS.items() if d == day)
