"""SQLite follow-up questions: a mixin of SqliteMetadataStore. Placeholder until the findability work."""

from __future__ import annotations


class SqliteQuestionsMixin:
    pass
