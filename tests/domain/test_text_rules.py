"""Text in photos (issue 17) in the domain: the rule that stores what the reader read (idempotent per model,
only on a final photo), how a photo's text is searched (q: every field, text=: whole words), and its record
surviving the documents both stores keep."""

from __future__ import annotations

import json

import pytest

from cloudalbum.domain import photo_rules as rules
from cloudalbum.domain.model import Photo, PhotoText, TextLine, photo_from_dict, to_dict
from cloudalbum.domain.search import SearchQuery, match_reasons, text_fields

MODEL = "rapidocr:PP-OCRv6_det_small@aaa+PP-OCRv6_rec_small@bbb"


def photo(status: str = "done", **fields: object) -> Photo:
    p = Photo(id="p1", owner_id="u1", filename="a.jpg", content_type="image/jpeg", bytes=10,
              original_key="originals/u1/p1", uploaded_at="2024-01-01T00:00:00+00:00", status=status)
    for name, value in fields.items():
        setattr(p, name, value)
    return p


LINES = [TextLine("Notruf 112", 0.98765, 10.04, 20.0, 300.26, 40.0), TextLine("Zürich Hbf", 0.9, 0, 80, 200, 30)]


def test_text_is_stored_rounded_on_a_final_photo() -> None:
    p = photo()
    assert rules.apply_text(p, LINES, model=MODEL) is True
    assert p.text is not None and p.text.model == MODEL
    assert p.text.lines[0] == TextLine("Notruf 112", 0.988, 10.0, 20.0, 300.3, 40.0)
    assert [ln.text for ln in p.text.lines] == ["Notruf 112", "Zürich Hbf"]


def test_the_same_model_again_changes_nothing_and_a_new_model_replaces_the_reading() -> None:
    p = photo()
    rules.apply_text(p, LINES, model=MODEL)
    assert rules.apply_text(p, [], model=MODEL) is False  # a redelivered job: nothing written
    assert p.text is not None and len(p.text.lines) == 2
    assert rules.apply_text(p, [], model="rapidocr:other") is True
    assert p.text == PhotoText(lines=[], model="rapidocr:other")  # read, no text found


@pytest.mark.parametrize("status", ["uploaded", "processing", "failed"])
def test_a_photo_that_is_not_final_is_not_read(status: str) -> None:
    p = photo(status)
    assert not rules.wants_text(p, MODEL)
    assert rules.apply_text(p, LINES, model=MODEL) is False and p.text is None


def test_text_survives_the_stored_document() -> None:
    p = photo()
    rules.apply_text(p, LINES, model=MODEL)
    again = photo_from_dict(json.loads(json.dumps(to_dict(p))))
    assert again.text == p.text
    assert photo_from_dict(json.loads(json.dumps(to_dict(photo())))).text is None  # older records: not read


def test_q_finds_words_of_the_text_and_text_needs_whole_words() -> None:
    p = photo()
    rules.apply_text(p, LINES, model=MODEL)
    assert text_fields(p)["text"] == "Notruf 112 Zürich Hbf"
    assert match_reasons(p, SearchQuery(q="notruf")) == ["text 'notruf' in text"]
    assert match_reasons(p, SearchQuery(text="NOTRUF zurich")) == ["text 'notruf zurich'"]  # case, accents
    assert match_reasons(p, SearchQuery(text="notru")) is None  # whole words only
    assert match_reasons(p, SearchQuery(text="notruf 113")) is None  # every word
    assert match_reasons(photo(), SearchQuery(text="notruf")) is None  # not read: no text
