"""One text folding (domain.text): a person's name is the same name in people and in search, whatever its
case, accents and spacing. "José" named on a face is found by person=Jose, and naming a person "Jose" when a
"José" exists is naming the same person (the two merge), as "Ann" and " ann " always did."""

from __future__ import annotations

from typing import Any

from cloudalbum.adapters.ml.geocoder import normalize
from cloudalbum.domain import people as rules
from cloudalbum.domain.model import Box, FaceRef
from cloudalbum.domain.search import SearchQuery, match_reasons, person_key
from cloudalbum.domain.text import fold, name_key

from .test_grouping import person, unit


def test_jose_and_josé_are_one_name_key_in_people_and_search() -> None:
    assert name_key("José") == name_key("Jose") == name_key("  JOSE ") == "jose"
    assert rules.fold_name("José") == rules.fold_name("Jose")
    assert person_key("José") == person_key("Jose")
    assert rules.fold_name("María  José") == person_key("maria jose")
    assert rules.fold_name("Ann") != rules.fold_name("Anna")


def test_the_gazetteer_folds_names_the_same_way() -> None:
    assert fold("Zürich") == "zurich"
    assert normalize("  São-Paulo ") == name_key("sao paulo")


def test_people_named_josé_and_jose_may_merge_and_either_name_finds_the_face() -> None:
    jose, josé = person("a", list(unit(0)), name="Jose"), person("b", list(unit(1)), name="José")
    assert rules.may_merge(jose, josé)
    assert not rules.may_merge(jose, person("c", list(unit(1)), name="Josef"))
    photo = _photo_with_face_of("José")
    assert match_reasons(photo, SearchQuery(person="Jose")) == ["person José"]
    assert match_reasons(photo, SearchQuery(person="josé")) == ["person José"]


def _photo_with_face_of(name: str) -> Any:
    from findability.conftest import make_photo

    return make_photo("p", faces=[FaceRef(id="f", box=Box(0, 0, 10, 10, 0.9), person_id="a", person_name=name)])
