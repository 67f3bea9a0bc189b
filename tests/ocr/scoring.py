"""How well text was read: word recall and character accuracy (1 - CER), as the tests and bench/ocr_accuracy.py
count them.

Words are compared as search would compare them (API.md: `text=` matches whole words, ignoring case and
accents): runs of letters and digits, case-folded, accents dropped ("Oper:04.JIN_LI" is oper, 04, jin, li).
Character accuracy is order-free, per expected word: each word's edit distance to the closest word read,
summed, over the expected characters (a line read as two, or two phrases read as one line, costs nothing; a
word not read at all costs its length).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Protocol

_WORD = re.compile(r"[^\W_]+")


class Line(Protocol):
    text: str
    x: float
    y: float
    w: float
    h: float


def fold(text: str) -> str:
    """Case-folded, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_of(texts: Iterable[str]) -> list[str]:
    return [w for text in texts for w in _WORD.findall(fold(text))]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions each cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def word_recall(expected: Sequence[str], read: Sequence[str]) -> float:
    """The share of the expected words found among the words read (both as words_of gives them)."""
    if not expected:
        return 1.0
    found = set(read)
    return sum(w in found for w in expected) / len(expected)


def char_errors(expected: Sequence[str], read: Sequence[str]) -> tuple[int, int]:
    """(edit operations, expected characters): each expected word against the closest word read."""
    errors = sum(min([len(w), *(edit_distance(w, r) for r in read)]) for w in expected)
    return errors, sum(map(len, expected))


def char_accuracy(expected: Sequence[str], read: Sequence[str]) -> float:
    errors, chars = char_errors(expected, read)
    return 1.0 - errors / chars if chars else 1.0


def centre_inside(line: Line, box: tuple[float, float, float, float], *, slack: float = 4.0) -> bool:
    """The centre of a line's box lies within the drawn box (grown by slack pixels)."""
    cx, cy = line.x + line.w / 2, line.y + line.h / 2
    x, y, w, h = box
    return x - slack <= cx <= x + w + slack and y - slack <= cy <= y + h + slack
