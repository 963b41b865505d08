"""companion: an encrypted evening companion for two partners."""

__version__ = "0.1.0"
