"""The words search compares: how a photo's text and a query are cut into stemmed words, which fields of a
photo free text searches, and how a place query meets a photo's place names.

Free text: words are lower-cased and reduced by `stem` (plural and -e endings: "dogs" -> "dog",
"horses"/"horse" -> "hors"); a query word matches a photo word that starts with the query word's stem, so
"hors" finds horse and "bicycles" finds bicycle. Stores index exactly what `text_fields` gives.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .model import Photo
from .text import fold

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer (plurals and a final e): enough for labels, places and short answers.

    Both the index and the query go through it, so only consistency matters, not linguistics."""
    w = fold(word)
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def words(text: str | None) -> list[str]:
    """Stemmed, lower-cased words of a text."""
    return [stem(w) for w in _WORD.findall(text or "")]


@lru_cache(maxsize=65536)
def label_key(name: str) -> str:
    """The normalised form labels are compared in: "Dogs" and "dog" are the same label."""
    return " ".join(words(name))


def query_words(text: str | None) -> list[str]:
    """The words of a free-text query (duplicates removed, order kept)."""
    return list(dict.fromkeys(words(text)))


def place_names(photo: Photo) -> list[str]:
    """City, region, country and country code of the photo's place, as given."""
    place = photo.location.place if photo.location else None
    if place is None:
        return []
    return [v for v in (place.city, place.region, place.country, place.country_code) if v]


def camera_text(photo: Photo) -> str:
    cam = photo.camera
    return " ".join(v for v in ((cam.make, cam.model) if cam else ()) if v)


def text_fields(photo: Photo) -> dict[str, str]:
    """The free-text fields `q` searches, by field name (what a reason names). Stores index exactly these."""
    answers = " ".join(a.answer for a in photo.answers)
    taken = ""
    if photo.taken_at and len(photo.taken_at) >= 7 and photo.taken_at[5:7].isdigit():
        month = int(photo.taken_at[5:7])
        taken = f"{photo.taken_at[:4]} {MONTHS[month - 1] if 1 <= month <= 12 else ''}"
    return {
        "labels": " ".join(lbl.name for lbl in photo.visible_labels()),
        "categories": " ".join(photo.categories),
        "place": " ".join(place_names(photo)),
        "camera": camera_text(photo),
        "title": photo.title or "",
        "description": photo.description or "",
        "answers": answers,
        "date": taken,
        "people": " ".join(photo.people_names()),
        "text": photo.text.joined() if photo.text else "",
    }


#: The text fields a LabelOrWords phrase is looked for in: what the user, the camera, the place and the photo's
#: own text say. The labels and categories fields are what the detector saw; there a phrase counts only as a
#: label (or category), at min_confidence, so a faint detection is not found through its name.
WORD_FIELDS = ("place", "camera", "title", "description", "answers", "date", "people", "text")


def place_parts(query_place: str) -> list[str]:
    """The folded, comma-separated parts of a place query ("Paris, France" -> ["paris", "france"])."""
    return [fold(p.strip()) for p in query_place.split(",") if p.strip()]


def place_matches(query_place: str, names: list[str]) -> str | None:
    """Case-insensitive equality with city, region, country or code; "Paris, France" needs every part.

    Returns the matched name, or None."""
    lowered = {fold(n): n for n in names}
    parts = place_parts(query_place)
    if not parts or any(p not in lowered for p in parts):
        return None
    return lowered[parts[0]]


def plain_words(text: str | None) -> list[str]:
    """Folded (lower-cased, accents removed) words of a text, not stemmed: `text=` matches whole words."""
    return [fold(w) for w in _WORD.findall(text or "")]
