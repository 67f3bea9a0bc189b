"""Sort keys by absolute instant (the place index items, keys.place_pk): epoch seconds as 12 digits, so that a
string's order is the instant's, then the photo id."""

from __future__ import annotations

import math

INSTANT_OFFSET = 10 ** 11  # epoch seconds + this is positive from year -1200 to 5100


def instant_bound(ts: float) -> str:
    """The instant part of instant_sk, also a bound of a key condition."""
    return f"{max(0, min(math.floor(ts) + INSTANT_OFFSET, 10 ** 12 - 1)):012d}"


def instant_sk(ts: float, photo_id: str) -> str:
    """"<12 digits>#<photo id>"."""
    return f"{instant_bound(ts)}#{photo_id}"


def instant_of(sk: str) -> float:
    """The instant (epoch seconds, whole) of an instant_sk."""
    return float(int(sk.split("#", 1)[0]) - INSTANT_OFFSET)
