"""One module per screen of the evening app."""
