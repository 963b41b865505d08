"""What each screen shows: plain values read from a Session inside a worker thread, one module
per screen. Nothing here imports Textual; this package itself imports nothing."""
