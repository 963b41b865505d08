"""`companion serve`: the real app in a browser tab on this computer, behind a secret link.

page.py is what the browser loads, guard.py who may load it, server.py the web server and
one app process per tab, run.py binding to loopback and running until stopped. The app
itself runs unchanged in its own process (textual-serve's driver), so nothing here reads the
space: this package only carries a terminal's bytes between the browser and that process.
"""
