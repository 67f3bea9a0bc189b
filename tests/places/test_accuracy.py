"""How far inferred places land on the made-up journey (tests/places/journeys.py), held to bounds a little
looser than measured (docs/places.md, bench/places.py, window 2 h): if the rule or its thresholds get worse,
this fails."""

from __future__ import annotations

from typing import Any

import pytest

from cloudalbum.adapters.ml.geocoder import OfflineGeocoder

from .journeys import Shot, hide_runs, hide_share, journey, measure


@pytest.fixture(scope="module")
def shots() -> list[Shot]:
    return journey()


@pytest.fixture(scope="module")
def country() -> Any:
    geocoder = OfflineGeocoder()

    def code(lat: float, lon: float) -> str | None:
        place = geocoder.reverse(lat, lon)
        return place.country_code if place else None
    return code


def test_a_random_third_without_gps_is_placed_close(shots: list[Shot], country: Any) -> None:
    report = measure(shots, hide_share(shots, 0.3), country=country)
    sure, suggested = report.line(report.sure), report.line(report.suggested)
    assert report.hidden > 200
    assert sure["share"] >= 0.8  # measured 86 %
    assert sure["median_km"] <= 0.1  # 0.02
    assert sure["within_1km"] >= 0.95  # 97 %
    assert sure["wrong_country"] <= 0.02  # 1.0 %: near Basel and Chiasso
    assert suggested["median_km"] <= 1.0  # 0.29


def test_hours_without_gps_get_suggestions_rather_than_guesses(shots: list[Shot], country: Any) -> None:
    report = measure(shots, hide_runs(shots, 0.3), country=country)
    sure, suggested = report.line(report.sure), report.line(report.suggested)
    assert sure["share"] <= 0.1 and sure["within_1km"] >= 0.95  # few set, and those right (2 %, 100 %)
    assert suggested["share"] >= 0.3  # 35 %
    assert suggested["median_km"] <= 0.5 and suggested["wrong_country"] <= 0.02  # 0.28 km, 0 %
