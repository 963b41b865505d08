"""Records, operations and the rules of the practice. Pure Python: no IO, no clock reads."""
