"""Offline places: the corpus's countries, big cities covering their suburbs, names to places."""

from __future__ import annotations

from typing import Any

import pytest

from cloudalbum.media.exif import read_metadata

from .helpers import photo_bytes


@pytest.mark.corpus
def test_expected_countries(geocoder: Any, expect: dict[str, Any]) -> None:
    for rel, cc in expect["countries"].items():
        meta = read_metadata(photo_bytes(rel))
        place = geocoder.reverse(meta.lat, meta.lon)
        assert place is not None and place.country_code == cc, (rel, place)


@pytest.mark.corpus
def test_eiffel_tower_is_in_paris(geocoder: Any) -> None:
    """The nearest GeoNames point is Neuilly-sur-Seine's centre; a person says Paris."""
    meta = read_metadata(photo_bytes("gps/FujiFilm FinePixS2Pro.jpg"))
    place = geocoder.reverse(meta.lat, meta.lon)
    assert (place.city, place.region, place.country, place.country_code) == ("Paris", "Ile-de-France", "France",
                                                                             "FR")


@pytest.mark.parametrize("lat, lon, city, cc", [
    (43.46745, 11.88513, "Arezzo", "IT"),
    (40.44697, -3.72475, "Madrid", "ES"),  # not the district Moncloa-Aravaca
    (51.76241, -0.31789, "St Albans", "GB"),
    (47.62717, -122.33733, "Seattle", "US"),
    (-33.8568, 151.2153, "Sydney", "AU"),
    (43.78559, 11.23462, "Florence", "IT"),
])
def test_reverse(geocoder: Any, lat: float, lon: float, city: str, cc: str) -> None:
    place = geocoder.reverse(lat, lon)
    assert (place.city, place.country_code) == (city, cc)


@pytest.mark.parametrize("lat, lon", [(float("nan"), 0.0), (91.0, 0.0), (0.0, 181.0), (float("inf"), 1.0),
                                      (0.0, -25.0)])  # the last: mid-Atlantic, no place within 100 km
def test_reverse_rejects_impossible_coordinates(geocoder: Any, lat: float, lon: float) -> None:
    assert geocoder.reverse(lat, lon) is None


@pytest.mark.parametrize("name, city, region, cc", [
    ("Dublin", "Dublin", "Leinster", "IE"),  # the most populous Dublin, not Dublin, Ohio
    ("Paris", "Paris", "Ile-de-France", "FR"),
    ("Paris, France", "Paris", "Ile-de-France", "FR"),
    ("  paris ,  FR ", "Paris", "Ile-de-France", "FR"),
    ("Paris, Texas", "Paris", "Texas", "US"),
    ("Arezzo", "Arezzo", "Tuscany", "IT"),
    ("München", "Munich", "Bavaria", "DE"),
    ("Roma", "Rome", None, "IT"),
])
def test_forward_cities(geocoder: Any, name: str, city: str, region: str | None, cc: str) -> None:
    lat, lon, place = geocoder.forward(name)
    assert (place.city, place.country_code) == (city, cc)
    if region:
        assert place.region == region
    again = geocoder.reverse(lat, lon)  # the place found is where reverse() puts its own coordinates
    assert again.country_code == cc


@pytest.mark.parametrize("name, cc, country", [("Italy", "IT", "Italy"), ("IT", "IT", "Italy"),
                                               ("fr", "FR", "France"), ("United States", "US", "United States"),
                                               ("USA", "US", "United States"), ("UK", "GB", "United Kingdom")])
def test_forward_countries(geocoder: Any, name: str, cc: str, country: str) -> None:
    lat, lon, place = geocoder.forward(name)
    assert (place.city, place.country, place.country_code) == (None, country, cc)
    assert geocoder.reverse(lat, lon).country_code == cc


def test_forward_regions(geocoder: Any) -> None:
    _, _, place = geocoder.forward("Tuscany")
    assert (place.city, place.region, place.country_code) == (None, "Tuscany", "IT")


@pytest.mark.parametrize("name", ["", " , ", "xyzzy-nowhere", "x" * 500, "Paris, Atlantis"])
def test_forward_unknown(geocoder: Any, name: str) -> None:
    assert geocoder.forward(name) is None
