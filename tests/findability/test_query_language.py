"""The search sentence parser (domain.query_language): a test per rule, and a corpus of real-life queries with
the interpretation each must get. Pure: today, people and known places are given."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cloudalbum.domain.categories import CATEGORIES
from cloudalbum.domain.query_language import Interpretation, apply_interpretation, lexicon, parse_query
from cloudalbum.domain.search import LabelOrWords, SearchQuery
from cloudalbum.domain.search_tokens import tokenize
from cloudalbum.domain.search_vocabulary import LABEL_SYNONYMS

TODAY = date(2024, 7, 15)  # a Monday in summer: "last summer" is 2023's, "this summer" and "summer" 2024's
PEOPLE = ["Anna", "Bo Larsen", "Maria José"]
PLACES = {"iceland": "Iceland", "paris": "Paris", "new york": "New York", "tuscany": "Tuscany", "london": "London",
          "usa": "United States", "rome": "Rome", "japan": "Japan", "norway": "Norway", "barcelona": "Barcelona"}


def read(q: str, **kw: Any) -> Interpretation:
    """The parser with a table of places (the service gives it the offline gazetteer: see the test below)."""
    return parse_query(q, today=kw.pop("today", TODAY), people=kw.pop("people", PEOPLE),
                       known_place=kw.pop("known_place", PLACES.get), **kw)


def shown(reading: Interpretation) -> dict[str, Any]:
    """The interpretation's JSON without its parts and empty fields."""
    out = reading.to_json()
    out.pop("parts")
    return {k: v for k, v in out.items() if v not in (None, [])}


YEAR = {"from": "{0}-01-01", "to": "{0}-12-31"}


def year(y: int) -> dict[str, str]:
    return {k: v.format(y) for k, v in YEAR.items()}


ANIMALS = list(CATEGORIES["animals"])

#: Queries people type, and what each must be read as (empty fields left out). Today is 2024-07-15.
CORPUS: list[tuple[str, dict[str, Any]]] = [
    ("horses in iceland", {"labels": ["horse"], "place": "Iceland"}),
    ("dog without people", {"labels": ["dog"], "not_labels": ["person"]}),
    ("people on a bus", {"labels": ["person", "bus"]}),
    ("kitten", {"labels": ["cat"]}),
    ("motorbike", {"labels": ["motorcycle"]}),
    ("beach summer 2019", {"words": ["beach"], "from": "2019-06-01", "to": "2019-08-31"}),
    ("last summer", {"from": "2023-06-01", "to": "2023-08-31"}),
    ("anna in paris 2014", {"people": ["Anna"], "place": "Paris", **year(2014)}),
    ("-person car", {"labels": ["car"], "not_labels": ["person"]}),
    ("puppies", {"labels": ["dog"]}),
    ("my cats", {"labels": ["cat"]}),
    ("automobile", {"labels": ["car"]}),
    ("cars in tuscany", {"labels": ["car"], "place": "Tuscany"}),
    ("photos of kids", {"labels": ["person"]}),
    ("pictures of me and bo", {"people": ["Bo Larsen"]}),
    ("bo larsen in rome", {"people": ["Bo Larsen"], "place": "Rome"}),
    ("christmas 2018", {"words": ["christmas"], **year(2018)}),
    ("birthday cake", {"words": ["birthday"], "labels": ["cake"]}),
    ("teddy bear", {"labels": ["teddy bear"]}),
    ("hot dog", {"labels": ["hot dog"]}),
    ("cell phone", {"labels": ["cell phone"]}),
    ("dining table", {"labels": ["dining table"]}),
    ("traffic lights at night", {"labels": ["traffic light"], "words": ["night"]}),
    ("fire hydrant", {"labels": ["fire hydrant"]}),
    ("stop sign", {"labels": ["stop sign"]}),
    ("parking meter", {"labels": ["parking meter"]}),
    ("sports ball", {"labels": ["sports ball"]}),
    ("baseball bat", {"labels": ["baseball bat"]}),
    ("tennis racket", {"labels": ["tennis racket"]}),
    ("wine glasses", {"labels": ["wine glass"]}),
    ("potted plants", {"labels": ["potted plant"]}),
    ("hair dryer", {"labels": ["hair drier"]}),
    ("animals", {"categories": ["animals"]}),
    ("vehicles in 2015", {"categories": ["vehicles"], **year(2015)}),
    ("pets", {"any_labels": [["cat", "dog"]]}),
    ("no cars", {"not_labels": ["car"]}),
    ("not dogs", {"not_labels": ["dog"]}),
    ("landscape without people", {"words": ["landscape"], "not_labels": ["person"]}),
    ("nobody in the snow", {"not_labels": ["person"], "words": ["snow"]}),
    ("april 2018", {"from": "2018-04-01", "to": "2018-04-30"}),
    ("photos from 2014", year(2014)),
    ("in 2014", year(2014)),
    ("yesterday", {"from": "2024-07-14", "to": "2024-07-14"}),
    ("last week", {"from": "2024-07-08", "to": "2024-07-14"}),
    ("last month", {"from": "2024-06-01", "to": "2024-06-30"}),
    ("last year", year(2023)),
    ("this year", year(2024)),
    ("winter 2019", {"from": "2019-12-01", "to": "2020-02-29"}),
    ("sunset in norway last year", {"words": ["sunset"], "place": "Norway", **year(2023)}),
    ("dogs in the park", {"labels": ["dog"], "words": ["park"]}),
    ("boats in new york", {"labels": ["boat"], "place": "New York"}),
    ("family dinner", {"words": ["family"], "categories": ["food"]}),
    ("bikes and motorbikes", {"labels": ["bicycle", "motorcycle"]}),
    ("planes at the airport", {"labels": ["airplane"], "words": ["airport"]}),
    ("sheep and cows", {"labels": ["sheep", "cow"]}),
    ("a giraffe", {"labels": ["giraffe"]}),
    ("elephants in 2010", {"labels": ["elephant"], **year(2010)}),
    ("me with the puppy last summer", {"labels": ["dog"], "from": "2023-06-01", "to": "2023-08-31"}),
    ("kids on bikes", {"labels": ["person", "bicycle"]}),
    ("wedding in barcelona 2016", {"words": ["wedding"], "place": "Barcelona", **year(2016)}),
    ("food", {"categories": ["food"]}),
    ("laptop on the sofa", {"labels": ["laptop", "couch"]}),
    ("fridge", {"labels": ["refrigerator"]}),
    ("television", {"labels": ["tv"]}),
    ("snowboarding in japan", {"labels": ["snowboard"], "place": "Japan"}),
    ("skiing 2020", {"labels": ["skis"], **year(2020)}),
    ("horses 2013 -person", {"labels": ["horse"], "not_labels": ["person"], **year(2013)}),
    ("cats or dogs", {"labels": ["cat", "dog"], "words": ["or"]}),
    ("summer 2019 in london", {"place": "London", "from": "2019-06-01", "to": "2019-08-31"}),
    ("2014-2016", {"from": "2014-01-01", "to": "2016-12-31"}),
    ("from 2014 to 2016", {"from": "2014-01-01", "to": "2016-12-31"}),
    ("since 2020", {"from": "2020-01-01"}),
    ("before 2010", {"to": "2009-12-31"}),
    ("3 years ago", year(2021)),
    ("last 30 days", {"from": "2024-06-16", "to": "2024-07-15"}),
    ("march", {"words": ["march"]}),
    ("anna's birthday", {"people": ["Anna"], "words": ["birthday"]}),
    ("maria josé at the beach", {"people": ["Maria José"], "words": ["beach"]}),
    ("fruit", {"any_labels": [["banana", "apple", "orange"]]}),
    ("no animals", {"not_labels": ANIMALS}),
    ("trucks without people in the usa", {"labels": ["truck"], "not_labels": ["person"], "place": "United States"}),
    ("eiffel tower", {"words": ["eiffel", "tower"]}),
    ("Zürich", {"words": ["zurich"]}),
    ("PERSON", {"labels": ["person"]}),
]


def test_the_corpus_has_at_least_60_real_queries() -> None:
    assert len(CORPUS) >= 60 and len({q for q, _ in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("q, expected", CORPUS, ids=[q for q, _ in CORPUS])
def test_corpus(q: str, expected: dict[str, Any]) -> None:
    assert shown(read(q)) == expected


# --- the vocabulary table ------------------------------------------------------------------------------------


def test_every_coco_label_and_category_means_itself() -> None:
    every = [name for names in CATEGORIES.values() for name in names]
    assert sorted(LABEL_SYNONYMS) == sorted(every)  # all 80, and nothing else
    for name in every:
        assert read(name).labels == (name,), name
        if name != "broccoli":  # uncountable
            assert read(name + "s").labels == (name,) or name.endswith("s"), name  # plurals: the stemmer
    for cat in CATEGORIES:
        if cat not in ("people", "outdoor"):
            assert read(cat).categories == (cat,), cat


def test_the_table_gives_one_meaning_per_phrase() -> None:
    assert len(lexicon()) > 200  # built without a conflict (it raises on one)


# --- a test per rule -------------------------------------------------------------------------------------------


def test_years_and_in_a_year_is_a_date_not_a_place() -> None:
    everything = {"2014": "Somewhere"}.get  # even a gazetteer that knew "2014" would not be asked
    assert shown(read("in 2014", known_place=everything)) == year(2014)
    assert read("1899").words == ("1899",) and read("2100").words == ("2100",)  # outside 1900..2099: a word


def test_months_need_a_year_and_alone_are_a_word_for_any_year() -> None:
    assert shown(read("may 2019")) == {"from": "2019-05-01", "to": "2019-05-31"}
    assert shown(read("2018 feb")) == {"from": "2018-02-01", "to": "2018-02-28"}
    assert shown(read("april")) == {"words": ["april"]}  # matches every photo's month name, any year
    assert shown(read("last april")) == {"from": "2024-04-01", "to": "2024-04-30"}
    assert shown(read("last december")) == {"from": "2023-12-01", "to": "2023-12-31"}


def test_seasons_are_the_northern_meteorological_ones() -> None:
    assert shown(read("spring 2020")) == {"from": "2020-03-01", "to": "2020-05-31"}
    assert shown(read("autumn 2020")) == shown(read("fall 2020")) == {"from": "2020-09-01", "to": "2020-11-30"}
    assert shown(read("this summer")) == shown(read("summer")) == {"from": "2024-06-01", "to": "2024-08-31"}
    assert shown(read("last winter")) == shown(read("winter")) == {"from": "2023-12-01", "to": "2024-02-29"}
    in_winter = date(2025, 1, 10)
    assert shown(read("this winter", today=in_winter)) == {"from": "2024-12-01", "to": "2025-02-28"}
    assert shown(read("last winter", today=in_winter)) == {"from": "2023-12-01", "to": "2024-02-29"}


def test_relative_dates_count_from_the_injected_today() -> None:
    assert shown(read("today")) == {"from": "2024-07-15", "to": "2024-07-15"}
    assert shown(read("this week")) == {"from": "2024-07-15", "to": "2024-07-21"}
    assert shown(read("this month")) == {"from": "2024-07-01", "to": "2024-07-31"}
    assert shown(read("a week ago")) == {"from": "2024-07-08", "to": "2024-07-14"}
    assert shown(read("3 months ago")) == {"from": "2024-04-01", "to": "2024-04-30"}
    new_year = date(2025, 1, 1)
    assert shown(read("last month", today=new_year)) == {"from": "2024-12-01", "to": "2024-12-31"}
    assert shown(read("yesterday", today=new_year)) == {"from": "2024-12-31", "to": "2024-12-31"}


def test_date_phrases_intersect_and_ranges_join() -> None:
    assert shown(read("2019 summer 2019")) == {"from": "2019-06-01", "to": "2019-08-31"}
    assert read("2014 2016").empty_dates  # both cannot hold: nothing matches (the service answers at once)
    assert shown(read("2014-06-01")) == {"from": "2014-06-01", "to": "2014-06-01"}
    assert shown(read("after 2020")) == {"from": "2021-01-01"}
    assert shown(read("between 2010 and 2012")) == {"from": "2010-01-01", "to": "2012-12-31"}


def test_in_a_place_the_gazetteer_knows_longest_name_first() -> None:
    assert read("in new york").place == "New York"
    assert read("in york").words == ("york",)  # unknown: "in" dropped, the word stays
    assert read("paris").words == ("paris",)  # without "in", a word (it matches place names as free text)
    assert read("in paris in iceland").place == "Paris, Iceland"  # both must hold (as place=Paris, Iceland)
    assert read("in the snow", known_place={"snow": "Snow"}.get).words == ("snow",)  # common words never
    assert read("horses in iceland", known_place=None).words == ("iceland",)


def test_the_gazetteer_answers_only_for_exact_names() -> None:
    """The service's known_place on the real offline gazetteer: exact names and country aliases only."""
    from cloudalbum.adapters.ml.geocoder import OfflineGeocoder
    from cloudalbum.services.search import SearchService

    service = SearchService(index=None, faces=None, geocoder=OfflineGeocoder())  # type: ignore[arg-type]
    assert service.known_place("iceland") == "Iceland"
    assert service.known_place("paris") == "Paris"
    assert service.known_place("tuscany") == "Tuscany"
    assert service.known_place("usa") == "United States"
    assert service.known_place("sea") is None  # the gazetteer's guess is Seattle
    assert read("horses in iceland", known_place=service.known_place).place == "Iceland"


def test_people_whole_names_and_unique_first_names() -> None:
    assert read("bo larsen").people == ("Bo Larsen",)
    assert read("maria jose").people == ("Maria José",)  # accents ignored
    two = ["Anna Berg", "Anna Holm"]
    assert read("anna", people=two).words == ("anna",)  # two Annas: a first name is not enough
    assert read("anna holm", people=two).people == ("Anna Holm",)
    assert read("anna", people=[]).words == ("anna",)
    assert read("jean-luc at the beach", people=["Jean-Luc"]).people == ("Jean-Luc",)


def test_labels_plurals_synonyms_and_multi_word_names() -> None:
    assert read("horses").labels == ("horse",)
    assert read("kitty").labels == read("kittens").labels == ("cat",)
    assert read("automobiles").labels == read("cars").labels == ("car",)
    assert read("persons").labels == read("man").labels == read("women").labels == ("person",)
    assert read("teddy bear").labels == ("teddy bear",) and read("bear").labels == ("bear",)
    assert read("a hot dog and a dog").labels == ("hot dog", "dog")


def test_hypernyms_are_categories_or_groups() -> None:
    assert read("vehicles").categories == ("vehicles",)
    assert read("animal").categories == ("animals",)
    assert read("pets").any_labels == (("cat", "dog"),)
    assert read("no pets").not_labels == ("cat", "dog")
    assert read("no vehicles").not_labels == CATEGORIES["vehicles"]


def test_negation_forms() -> None:
    for q in ("without people", "no people", "not people", "-person", "-people", "except people", "nobody"):
        assert read(q).not_labels == ("person",), q
    assert shown(read("without the cars")) == {"not_labels": ["car"]}
    assert shown(read("-blurry")) == {}  # an unknown negated word cannot be served: dropped, not inverted
    assert shown(read("not blurry dog")) == {"labels": ["dog"]}
    assert read("no").words == ("no",)


def test_stop_words_are_dropped_and_leftovers_kept_in_order() -> None:
    assert shown(read("show me all the photos of the")) == {}
    assert read("old town square").words == ("old", "town", "square")
    assert read("square town old square").words == ("square", "town", "old")


def test_text_is_the_text_parameter() -> None:
    """Words to find in the photo: filled from text=; OCR fills the photos' side in a later round."""
    assert read("dog", text="Café  OPEN").text == ("cafe", "open")
    assert read("dog").text == ()


def test_tokens_and_parts_say_what_was_read_from_which_words() -> None:
    assert [(t.word, t.neg) for t in tokenize("-Person  cars's 2014-2016")] == [
        ("person", True), ("cars", False), ("2014", False), ("to", False), ("2016", False)]
    parts = [p.to_json() for p in read("kitten in paris without people 2014").parts]
    assert parts == [{"kind": "labels", "value": "cat", "phrase": "kitten"},
                     {"kind": "place", "value": "Paris", "phrase": "in paris"},
                     {"kind": "not_labels", "value": ["person"], "phrase": "without people"},
                     {"kind": "date", "value": ["2014-01-01", "2014-12-31"], "phrase": "2014"}]


def test_anything_reads_without_error() -> None:
    for q in ("", "   ", "-", "--", "'", "9999-99-99", "last", "last 0 days", "99999 years ago", "in", "in the",
              "without", "-2014", "a" * 500, "🐶 dog", "in in in paris", "2014-02-30"):
        read(q).to_json()


# --- combining with the explicit parameters -------------------------------------------------------------------


def test_the_reading_is_anded_with_explicit_parameters() -> None:
    explicit = SearchQuery(q="kittens in paris 2014 ", labels=("dog",), place="France", date_from="2014-06-01",
                           category="animals", person="Bo Larsen")
    query = apply_interpretation(explicit, read(explicit.q + " anna food friends"))
    assert query.labels == ("dog",) and query.place == "France, Paris"  # label= stays strict (labels only)
    assert (query.date_from, query.date_to) == ("2014-06-01", "2014-12-31")
    assert query.category == "animals" and query.categories == ()
    assert query.label_words == (  # q's vocabulary: the label (or category), or the words in the photo's text
        LabelOrWords(labels=("cat", "kittens"), phrases=("kittens", "cat")),
        LabelOrWords(labels=("food",), category="food", phrases=("food",)))
    assert query.person == "Bo Larsen" and query.people == ("Anna",)
    assert query.q == "friends"
    assert apply_interpretation(SearchQuery(q="the"), read("the")).q is None


def test_any_text_reads_and_the_query_it_makes_is_judged_without_error() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from cloudalbum.domain.search import match_reasons

    from .conftest import AREZZO, make_photo

    photo = make_photo("p", labels={"dog": 0.9, "person": 0.3}, at=AREZZO, place=("Arezzo", "Tuscany", "Italy", "IT"))
    words = st.sampled_from(["in", "without", "-", "no", "last", "summer", "2014", "to", "paris", "kitten", "pets",
                             "anna", "a", "3", "years", "ago", "april", "-person", "teddy", "bear", "the"])

    @settings(max_examples=300, deadline=None)
    @given(st.one_of(st.text(max_size=40), st.lists(words, max_size=8).map(" ".join)))
    def check(q: str) -> None:
        reading = read(q)
        reading.to_json()
        match_reasons(photo, apply_interpretation(SearchQuery(q=q), reading))

    check()
