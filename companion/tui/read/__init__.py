"""What each screen shows: plain values read from a Session, one module per screen.

Nothing here imports Textual. Screens call these builders from their workers (holding the
backend's lock) and turn the frozen results into widgets on the event loop. This package
imports nothing itself: Tonight's module (read/tonight.py) is on the first paint's path.
"""
