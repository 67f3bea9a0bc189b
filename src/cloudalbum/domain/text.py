"""Text folding: the one place that says when two pieces of text are "the same".

Search words, place names, categories, person names and the gazetteer's names all compare in these forms,
so "José" named on a face is found by person=Jose, merges with a person named "Jose", and "Zürich" in a
photo's place is the gazetteer's "Zurich". Keys stored by the search indexes (SQLite's search_terms,
DynamoDB's index items) are made with these functions: changing them changes stored keys.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Zürich" and "zurich" compare equal (as SQLite FTS5 unicode61 does)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_key(name: str) -> str:
    """The form names are compared in: case, accents and spacing do not matter ("  José  Díaz" is "jose diaz").

    A person's name (search's person=, naming a person, merging two people) and a gazetteer name alike."""
    return " ".join(fold(name).split())
