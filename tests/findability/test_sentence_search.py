"""Search sentences in the stores: what q is read as (not_labels, label groups, several categories and people)
is served by SQLite exactly as the pure rule says, for every query of the parser's corpus on a generated
library. tests/aws runs the same corpus against DynamoDB and compares it with SQLite."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from cloudalbum.domain.model import Answer, Box, FaceRef, Label, Photo, Source
from cloudalbum.domain.query_language import apply_interpretation
from cloudalbum.domain.search import SearchQuery, match_reasons

from .conftest import make_photo
from .test_query_language import CORPUS, PEOPLE, read
from .test_sqlite_search import all_ids

LABELS = ["person", "dog", "cat", "car", "bus", "motorcycle", "bicycle", "horse", "truck", "boat", "sheep", "cow",
          "cake", "teddy bear", "hot dog", "cell phone", "traffic light", "sports ball", "laptop", "couch"]
PLACES = [("Reykjavik", "Capital Region", "Iceland", "IS"), ("Paris", "Ile-de-France", "France", "FR"),
          ("Arezzo", "Tuscany", "Italy", "IT"), ("London", "England", "United Kingdom", "GB"),
          ("Rome", "Lazio", "Italy", "IT"), ("New York City", "New York", "United States", "US"),
          ("Oslo", "Oslo", "Norway", "NO"), ("Barcelona", "Catalonia", "Spain", "ES"),
          ("Tokyo", "Tokyo", "Japan", "JP")]
TITLES = [None, "beach day", "wedding", "birthday party", "christmas", "sunset", "family dinner", "old town square",
          "my dog rex", "our new puppy", "kitten on the couch", "motorbike trip", "cats nap"]  # words, not labels
ANSWERS = ["puppy", "a horse ride", "my old car", "teddy"]
CATEGORY_OF = {"person": "people", "dog": "animals", "cat": "animals", "horse": "animals", "sheep": "animals",
               "cow": "animals", "car": "vehicles", "bus": "vehicles", "motorcycle": "vehicles",
               "bicycle": "vehicles", "truck": "vehicles", "boat": "vehicles", "cake": "food", "hot dog": "food"}


def sentence_photo(rng: random.Random, i: int, owner: str) -> Photo:
    """A photo as processing leaves it: labels (some below the default min_confidence), their categories, a
    place, a date from 2009 to 2024 (or none), named people's faces, a title (some say "dog", "puppy",
    "kitten" where no label does) and sometimes an answer."""
    labels = {n: round(rng.uniform(0.1, 1.0), 2) for n in rng.sample(LABELS, rng.randint(0, 3))}
    place = rng.choice(PLACES) if rng.random() < 0.8 else None
    faces = [FaceRef(id=f"{owner}{i}f{n}", box=Box(10 * n, 5, 40, 40, 0.9), person_id=f"p{n}", person_name=name)
             for n, name in enumerate(rng.sample(PEOPLE, rng.randint(0, 2)))]
    taken = None if rng.random() < 0.08 else (f"{rng.randint(2009, 2024)}-{rng.randint(1, 12):02d}-"
                                              f"{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00")
    answers = [Answer("What is in the photo?", rng.choice(ANSWERS))] if rng.random() < 0.15 else []
    return make_photo(f"{owner}{i:03d}", owner, taken=taken, labels=labels, at=(50.0, 10.0) if place else None,
                      place=place, title=rng.choice(TITLES), faces=faces, answers=answers,
                      categories=sorted({CATEGORY_OF[n] for n in labels if n in CATEGORY_OF}))


def add_sentence_library(store: Any, seed: int = 17, photos: int = 160, others: int = 20) -> list[Photo]:
    """The same generated library in any store; returns alice's photos as the store saved them."""
    rng = random.Random(seed)
    library = [sentence_photo(rng, i, "alice") for i in range(photos)]
    library += [sentence_photo(rng, i, "bob") for i in range(others)]
    for p in library:
        store.photos.add_photo(p)
    return [store.photos.get_photo(p.id, "alice") for p in library if p.owner_id == "alice"]


def sentence_query(q: str) -> SearchQuery:
    return apply_interpretation(SearchQuery(q=q), read(q))


def corpus_answers(store: Any) -> dict[str, list[str]]:
    """Every corpus query (whose dates can overlap) against the store, every page followed."""
    return {q: all_ids(store, "alice", sentence_query(q), limit=9) for q, _ in CORPUS if not read(q).empty_dates}


def rule_answers(store: Any, saved: list[Photo]) -> dict[str, list[str]]:
    """What the pure rule accepts for every corpus query, in the store's list order."""
    by_id = {p.id: p for p in saved}
    order = [p.id for p in store.photos.list_photos("alice", limit=200).items]
    return {q: [pid for pid in order if match_reasons(by_id[pid], sentence_query(q)) is not None]
            for q, _ in CORPUS if not read(q).empty_dates}


def test_sqlite_serves_every_corpus_query_as_the_pure_rule(store) -> None:
    saved = add_sentence_library(store)
    got, expected = corpus_answers(store), rule_answers(store, saved)
    assert got == expected
    assert sum(1 for found in got.values() if found) >= 40  # most queries find something: not a vacuous test


def test_negated_labels_count_from_min_confidence(store) -> None:
    store.photos.add_photo(make_photo("faint", labels={"dog": 0.9, "person": 0.2}))
    store.photos.add_photo(make_photo("clear", labels={"dog": 0.8, "person": 0.7}))
    store.photos.add_photo(make_photo("alone", labels={"dog": 0.5}))
    without = SearchQuery(labels=("dog",), not_labels=("person",))
    assert all_ids(store, "alice", without) == ["faint", "alone"]  # same time: photo id descending
    strict = SearchQuery(labels=("dog",), not_labels=("person",), min_confidence=0.1)
    assert all_ids(store, "alice", strict) == ["alone"]
    only_negation = SearchQuery(not_labels=("dogs",))  # the owner's photos are the candidates
    store.photos.add_photo(make_photo("empty", labels={}))
    assert all_ids(store, "alice", only_negation) == ["empty"]
    hit = store.index.search("alice", without).items[0]
    assert "no person" in hit.reasons and any(r.startswith("label dog") for r in hit.reasons)


def test_label_groups_categories_and_people_each_named_in_the_reasons(store) -> None:
    anna = FaceRef(id="f1", box=Box(1, 1, 9, 9, 0.9), person_id="p1", person_name="Anna")
    bo = FaceRef(id="f2", box=Box(20, 1, 9, 9, 0.9), person_id="p2", person_name="Bo Larsen")
    store.photos.add_photo(make_photo("both", labels={"cat": 0.6, "dog": 0.9, "cake": 0.8}, faces=[anna, bo],
                               categories=["animals", "food"]))
    store.photos.add_photo(make_photo("anna", labels={"cat": 0.7}, faces=[anna], categories=["animals"]))
    query = SearchQuery(any_labels=(("cat", "dog"),), categories=("animals", "food"), people=("Anna", "bo larsen"))
    page = store.index.search("alice", query)
    assert [h.photo.id for h in page.items] == ["both"]
    assert page.items[0].reasons == ["label dog 0.90", "category animals", "category food", "person Anna",
                                     "person Bo Larsen"]
    assert all_ids(store, "alice", SearchQuery(any_labels=(("cat", "horse"),), min_confidence=0.65)) == ["anna"]


def test_a_rare_label_group_is_fetched_from_the_label_index_not_walked(store) -> None:
    for i in range(30):
        store.photos.add_photo(make_photo(f"p{i:02d}", labels={"person": 0.9}))
    store.photos.add_photo(make_photo("fruit", labels={"banana": 0.7, "apple": 0.6}))
    query = SearchQuery(any_labels=(("banana", "apple", "orange"),))
    plan = "\n".join(store.index.explain_search("alice", query))
    assert "search_label_owner_conf" in plan and "search_doc_owner_sort" not in plan, plan
    assert all_ids(store, "alice", query) == ["fruit"]  # once, though it has two labels of the group


def test_negations_are_one_reason() -> None:
    photo = make_photo("p", labels={"car": 0.9})
    query = SearchQuery(labels=("car",), not_labels=("person", "dog", "cat"))
    assert match_reasons(photo, query) == ["label car 0.90", "no person, dog, cat"]


# --- a vocabulary word of q is a label OR the word in the photo's own text ------------------------------------


def add_words_library(store: Any) -> None:
    """Photos whose own words say what the detector did not see (or saw faintly), newest first as listed."""
    puppy = make_photo("user", taken="2020-05-05T12:00:00")
    puppy.labels.append(Label(name="puppy", confidence=1.0, source=Source.USER.value))  # a label the user gave
    for photo in (make_photo("titled", taken="2020-05-07T12:00:00", title="My dog Rex"),
                  make_photo("answered", taken="2020-05-06T12:00:00",
                             answers=[Answer("Who is this?", "our new puppy")]),
                  puppy,
                  make_photo("detected", taken="2020-05-04T12:00:00", labels={"dog": 0.91}, categories=["animals"]),
                  make_photo("faint", taken="2020-05-03T12:00:00", labels={"dog": 0.1}, categories=["animals"]),
                  make_photo("kitten", taken="2020-05-02T12:00:00", description="a kitten asleep"),
                  make_photo("beach", taken="2020-05-01T12:00:00", title="beach")):
        store.photos.add_photo(photo)


def assert_label_words_are_labels_or_words(store: Any) -> None:
    """What each store finds for q's vocabulary words, as the pure rule says, and why (shared with tests/aws)."""
    add_words_library(store)
    saved = {p.id: p for p in store.photos.list_photos("alice", limit=50).items}

    def found(query: SearchQuery) -> list[str]:
        got = all_ids(store, "alice", query, limit=2)
        assert got == [pid for pid in saved if match_reasons(saved[pid], query) is not None], query
        return got

    def why(query: SearchQuery) -> dict[str, list[str]]:
        return {h.photo.id: h.reasons for h in store.index.search("alice", query).items}

    dog, puppy = sentence_query("dog"), sentence_query("puppy")
    assert found(dog) == ["titled", "detected"]  # not the faint detection, not the answer "puppy"
    assert why(dog) == {"titled": ["text 'dog' in title"], "detected": ["label dog 0.91"]}
    assert found(puppy) == ["titled", "answered", "user", "detected"]
    assert why(puppy) == {"titled": ["text 'dog' in title"], "answered": ["text 'puppy' in answers"],
                          "user": ["label puppy 1.00"], "detected": ["label dog 0.91"]}
    assert found(sentence_query("kittens")) == ["kitten"]
    assert found(sentence_query("pets")) == ["titled", "detected"]  # "cat" or "dog" in the words: not "kitten"
    assert found(sentence_query("animals")) == ["detected", "faint"]  # the category, as before
    assert found(replace(dog, min_confidence=0.95)) == ["titled"]  # the word holds whatever the confidence asked
    # explicit label= stays strict: labels only, at min_confidence
    assert found(SearchQuery(labels=("dog",))) == ["detected"]
    assert found(SearchQuery(labels=("puppy",))) == ["user"]
    # "no dogs" excludes what the detector saw at min_confidence, not a photo whose title says dog
    assert found(sentence_query("no dogs")) == ["titled", "answered", "user", "faint", "kitten", "beach"]
    assert found(sentence_query("puppy without dogs")) == ["titled", "answered", "user"]


def test_a_label_word_of_q_is_the_label_or_the_word_in_the_photos_own_text(store) -> None:
    assert_label_words_are_labels_or_words(store)


def test_a_label_word_is_not_found_in_the_detectors_fields() -> None:
    """A faint label's name (labels field) and the categories field do not stand in for the label: q=dog at
    min_confidence 0.5 does not find a 0.3 dog (nor q=animals's word an animal's category at any confidence
    other than as the category itself)."""
    faint = make_photo("faint", labels={"dog": 0.3, "hot dog": 0.9}, categories=["animals", "food"])
    assert match_reasons(faint, replace(sentence_query("dog"), min_confidence=0.5)) is None
    assert match_reasons(faint, sentence_query("dog")) == ["label dog 0.30"]
    assert match_reasons(faint, sentence_query("animals")) == ["category animals"]


def test_a_label_word_no_photos_words_say_walks_its_label_index_in_order(store) -> None:
    """q=horse with no title saying horse is served as label=horse is (the label index walked newest first,
    never the owner's whole list); once a title says it, the union of both is read, and the title found."""
    for i in range(30):
        store.photos.add_photo(make_photo(f"p{i:02d}", labels={"person": 0.9, **({"horse": 0.8} if i % 3 else {})}))
    query = sentence_query("horse without people")
    plan = "\n".join(store.index.explain_search("alice", query))
    assert "search_label_owner_sort" in plan and "search_doc_owner_sort (owner_id=?)" not in plan, plan
    assert all_ids(store, "alice", query) == []
    store.photos.add_photo(make_photo("titled", title="Horses at the farm"))
    assert all_ids(store, "alice", query) == ["titled"]
    assert all_ids(store, "alice", sentence_query("horses"), limit=50)[:2] == ["titled", "p29"]
