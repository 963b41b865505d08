"""While the app is closed: quiet desktop notifications and one evening reminder.

words.py says what a notification says (never a note's words unless opted into), desktop.py
posts through the platform's notification service, watching.py decides when (quiet hours,
one reminder an evening), unit.py sets `companion watch --notify` up as a login service.
Beside the command line: it reads the session through the service, and loads no Textual.
"""
