"""cloudalbum: a photo album that understands its photos."""

__version__ = "0.1.0"
