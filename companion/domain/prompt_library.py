"""The words of the check-in's prompts, written for companion: sixteen for each guided step.

Each is a small door into the step's answer, in the app's own voice: warm, about moments
rather than people, never a test. `{partner}` stands for the partner's name. A prompt's
place in its list is how the rotation (prompts.py) knows it, so new ones go at the end.
"""

from __future__ import annotations

# "A moment I felt supported": thanks, for something ordinary and specific.
APPRECIATION = (
    "Which small, everyday thing did {partner} do this week that you'd like more of?",
    "Think of a moment this week when you felt less alone because {partner} was there.",
    "When did {partner} make a plan, a meal or a message easier for you this week?",
    "Was there a moment {partner} listened for longer than you expected?",
    "Which of {partner}'s words this week stayed with you afterwards?",
    "Think back to a tired evening: what did {partner} do that helped, even a little?",
    "When did you notice {partner} remembering something that matters to you?",
    "What did {partner} take off your plate this week, said or unsaid?",
    "Was there a moment this week when you felt {partner} was on your side?",
    "Which text, call or note from {partner} arrived at just the right time?",
    "When did {partner} make room for how you felt, without rushing to fix it?",
    "What did {partner} do this week that you would have missed if it hadn't happened?",
    "Think of a moment you laughed together. What did {partner} bring to it?",
    "When did {partner} follow through on something they'd said they would do?",
    "Which bit of {partner}'s care this week was quiet enough to go unthanked?",
    "When did coming home, or coming back to {partner}, feel welcoming this week?",
)

# "A small victory": what went right, for the two of you or for you.
WENT_RIGHT = (
    "What went a little better this week than it would have a month ago?",
    "Which moment this week felt like the two of you at your best?",
    "What did you handle together this week that once would have been hard?",
    "Where did a plan work out this week, even a small one?",
    "Which conversation this week ended better than it began?",
    "What did you try this week that's worth trying again?",
    "What did you do for yourself this week that helped you show up?",
    "When did a hard moment pass more gently than it used to?",
    "Which bit of care came easily this week, without a reminder?",
    "What's a small win at home this week that deserves a mention?",
    "Where did you notice the two of you pulling in the same direction?",
    "When did asking for something go well this week?",
    "What kept going this week, even when energy was low?",
    "Which evening this week felt the most like home?",
    "What did you get right for each other without planning it?",
    "What's one thing from this week you're quietly proud of?",
)

# "Needs more attention", framed "When …, I felt …; what would help is …": one moment.
ATTENTION = (
    "Pick one moment rather than a pattern: when did something sit heavy this week?",
    "Was there a time this week you wanted to ask for help and didn't?",
    "Where did a small thing feel bigger than it looked? Describe what happened.",
    "When did you feel rushed, crowded or unheard this week, and what was going on?",
    "Which part of the week (mornings, evenings, the weekend) could use some care?",
    "Was there a moment you kept to yourself that you'd like {partner} to know about?",
    "When did you feel you were carrying more than your share of something?",
    "What keeps slipping through the cracks that you'd like to look at together?",
    "When did a conversation go sideways? What would have helped in that moment?",
    "Was there a time you needed comfort and got a solution (or the other way round)?",
    "Where did a plan get lost this week, and how did that land for you?",
    "Which moment this week would you most like to go differently next time?",
    "When did you feel far apart this week, even in the same room?",
    "Which need on your care menu went quiet this week?",
    "Was there a moment you held back because it didn't seem the right time?",
    "What went unsaid between you this week? Start with what happened, then how it felt.",
)

# "My request for next week": one ask, small enough to say yes to.
REQUEST = (
    "What is one small thing {partner} could do next week that would help you feel cared for?",
    "What would you like more of next week, put as one doable ask?",
    "Is there a moment next week (a busy day, a hard call) when you'd like {partner} close?",
    "What could {partner} do in five minutes or less that would make a difference?",
    "Is there something you'd like to do together next week, just the two of you?",
    "What would you like {partner} to ask you about next week?",
    "Which item on your care menu would you like {partner} to try next week?",
    "What would help on the evening you expect to be the hardest?",
    "What would you like {partner} to notice next week?",
    "Is there a way {partner} could help you rest next week?",
    "What would you like to hear from {partner} a little more often?",
    "What is one thing {partner} could take off your list next week?",
    "How would you like {partner} to check in with you on a tough day?",
    "What would make next weekend feel like a real break?",
    "Which ask have you been putting off? Make it small enough to say yes to.",
    "Is there something you'd like to set down together for a week? Say it gently.",
)

# By the check-in field each step's answer goes in.
LIBRARY: dict[str, tuple[str, ...]] = {
    "supported": APPRECIATION,
    "victory": WENT_RIGHT,
    "attention": ATTENTION,
    "request": REQUEST,
}
