"""Reusable widgets of the evening app."""
