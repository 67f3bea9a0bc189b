"""Search by the text read in photos (issue 17): `q` finds its words like any other field (stemmed prefixes),
`text=` its whole words (case and accents ignored, every word). The assertions are shared: this file runs them
on SQLite, tests/aws/test_dynamodb_text_search.py on DynamoDB (moto and DynamoDB Local)."""

from __future__ import annotations

from typing import Any

from cloudalbum.domain.model import PhotoText, TextLine
from cloudalbum.domain.search import SearchQuery

from .conftest import make_photo

MODEL = "rapidocr:test"


def read(*lines: str) -> PhotoText:
    return PhotoText(lines=[TextLine(t, 0.95, 10, 20 + 40 * i, 200, 30) for i, t in enumerate(lines)], model=MODEL)


def add_text_library(store: Any) -> None:
    photos = [
        make_photo("sign", taken="2020-01-02T10:00:00", labels={"car": 0.8}, text=read("Notruf 112", "Alt Hammoor")),
        make_photo("bill", taken="2020-01-01T10:00:00", text=read("Tavolo 30 Conto 01", "Café Zürich")),
        make_photo("bus", taken="2019-01-01T10:00:00", labels={"bus": 0.9}, text=read("cero emisiones")),
        make_photo("blank", taken="2018-01-01T10:00:00", labels={"cat": 0.9}, text=read()),  # read: no text
        make_photo("unread", taken="2017-01-01T10:00:00", title="Notruf, a title"),  # not read
        make_photo("bob-sign", owner="bob", text=read("Notruf 112")),
    ]
    for p in photos:
        store.photos.add_photo(p)


def found(store: Any, owner: str = "alice", **query: Any) -> list[str]:
    return [hit.photo.id for hit in store.index.search(owner, SearchQuery(**query), limit=50).items]


def assert_text_search(store: Any) -> None:
    add_text_library(store)
    assert found(store, q="notruf") == ["sign", "unread"]  # the text and a title: q searches every field
    assert found(store, q="hammoor") == ["sign"]
    assert found(store, q="zurich cafe") == ["bill"]  # accents folded, words in any order
    assert found(store, q="emision") == ["bus"]  # q: stemmed prefixes, as every field
    assert found(store, text="notruf") == ["sign"]  # text=: only what was read in the photo
    assert found(store, text="NOTRUF 112") == ["sign"]
    assert found(store, text="zürich") == found(store, text="Zurich") == ["bill"]
    assert found(store, text="notru") == []  # whole words
    assert found(store, text="emision") == []  # not stemmed: "emisiones" is another word
    assert found(store, text="notruf 113") == []  # every word
    assert found(store, text="notruf", labels=("car",)) == ["sign"]
    assert found(store, text="notruf", labels=("bus",)) == []
    assert found(store, "bob", text="notruf") == ["bob-sign"]  # each owner sees only their own
    hits = store.index.search("alice", SearchQuery(text="tavolo", q="conto"), limit=50).items
    assert [h.reasons for h in hits] == [["text 'tavolo'", "text 'conto' in text"]]

    # a save re-indexes: text read later is found, text replaced is no longer found
    blank = store.photos.get_photo("blank", "alice")
    blank.text = read("Platform 9")
    store.photos.save_photo(blank)
    assert found(store, text="platform") == ["blank"] and found(store, q="platform") == ["blank"]
    sign = store.photos.get_photo("sign", "alice")
    sign.text = read("Keep Left")
    store.photos.save_photo(sign)
    assert found(store, text="notruf") == [] and found(store, q="notruf") == ["unread"]
    store.photos.delete_photo("bill")
    assert found(store, text="tavolo") == [] and found(store, q="tavolo") == []


def test_sqlite_searches_the_text_read_in_photos(store: Any) -> None:
    assert_text_search(store)


def test_sqlite_indexes_the_text_on_save(store: Any) -> None:
    """The FTS5 row's text column holds the words (stemmed, as q compares them), and text= has a term row per
    whole word (folded, not stemmed): both written in the photo's own transaction."""
    store.photos.add_photo(make_photo("sign", text=read("Notruf 112", "Café Zürich")))
    conn = store.index._db.read()
    (fts_text,) = conn.execute("SELECT f.text FROM search_fts f JOIN search_doc d ON d.docid = f.rowid"
                               " WHERE d.photo_id = 'sign'").fetchone()
    assert fts_text == "notruf 112 caf zurich"
    terms = [r[0] for r in conn.execute("SELECT value FROM search_term t JOIN search_doc d ON d.docid = t.docid"
                                        " WHERE d.photo_id = 'sign' AND kind = 'text' ORDER BY value")]
    assert terms == ["112", "cafe", "notruf", "zurich"]
    plan = " ".join(store.index.explain_search("alice", SearchQuery(text="notruf")))
    assert "search_term" in plan and "SCAN d" not in plan, plan
