"""SQLite albums and membership: a mixin of SqliteMetadataStore. Placeholder until the findability work."""

from __future__ import annotations


class SqliteAlbumsMixin:
    pass
