"""A search sentence cut into tokens: folded words, "-word" marking a negation (domain.query_language reads
them). Names are cut the same way, so a person named "Jean-Luc" is the words jean luc of a sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .search_words import stem
from .text import fold

_TOKEN = re.compile(r"\d{4}-\d{2}-\d{2}|[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_YEAR_SPAN = re.compile(r"\b(\d{4})\s*[-–]\s*(\d{4})\b")


@dataclass
class Token:
    word: str  # folded
    neg: bool = False  # written "-word"

    @property
    def key(self) -> str:
        return stem(self.word)


def tokenize(q: str) -> list[Token]:
    """Folded words; "-word" (a minus at the start of a word) marks a negation. "2014-2016" is "2014 to 2016"."""
    tokens: list[Token] = []
    for piece in _YEAR_SPAN.sub(r"\1 to \2", q or "").split():
        neg = piece.startswith("-") and len(piece) > 1
        for n, word in enumerate(_TOKEN.findall(piece)):
            word = fold(word)
            if word.endswith("'s"):  # "anna's" is anna
                word = word[:-2]
            tokens.append(Token(word, neg=neg and n == 0))
    return tokens


def folded_words(text: str | None) -> list[str]:
    """The words of a text as a sentence's tokens are cut, folded ("Jean-Luc" -> ["jean", "luc"])."""
    return [fold(w) for w in _TOKEN.findall(text or "")]
