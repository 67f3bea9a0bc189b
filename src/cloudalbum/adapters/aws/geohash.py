"""Geohash cells: the G entries of the search index (keys.index_entries) and the covers of a map's box that a
search Queries (search.py). Pure geometry, no I/O."""

from __future__ import annotations

import math

from ...domain.search import BBox

GEO_PRECISIONS = (5, 4, 3, 2)  # geohash lengths a located photo is indexed under (about 5, 39, 156, 1250 km)
MAX_GEO_CELLS = 24  # a bbox whose cover needs more cells than this at every precision uses the LOC list
_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"


def geohash(lat: float, lon: float, precision: int) -> str:
    lat_lo, lat_hi, lon_lo, lon_hi = -90.0, 90.0, -180.0, 180.0
    out: list[str] = []
    bits, ch, even = 0, 0, True
    while len(out) < precision:
        if even:
            mid = (lon_lo + lon_hi) / 2
            ch, lon_lo, lon_hi = (ch << 1 | 1, mid, lon_hi) if lon >= mid else (ch << 1, lon_lo, mid)
        else:
            mid = (lat_lo + lat_hi) / 2
            ch, lat_lo, lat_hi = (ch << 1 | 1, mid, lat_hi) if lat >= mid else (ch << 1, lat_lo, mid)
        even, bits = not even, bits + 1
        if bits == 5:
            out.append(_BASE32[ch])
            bits, ch = 0, 0
    return "".join(out)


def _cell_size(precision: int) -> tuple[float, float]:
    """(lat degrees, lon degrees) of a geohash cell."""
    lon_bits = (5 * precision + 1) // 2
    lat_bits = 5 * precision // 2
    return 180.0 / (1 << lat_bits), 360.0 / (1 << lon_bits)


def geohash_cover(box: BBox, precision: int, limit: int) -> list[str] | None:
    """The cells of one precision that cover box, or None when more than limit are needed.

    Cells are enumerated by row and column (one more on every side, against rounding at the box's edges)
    and kept when they touch the box; each is named by the geohash of its centre. Cell edges are dyadic
    fractions of the globe, exact in floating point, so "touches" is exact."""
    dlat, dlon = _cell_size(precision)
    rows, cols = round(180.0 / dlat), round(360.0 / dlon)
    spans = [(box.min_lon, box.max_lon)] if box.min_lon <= box.max_lon else [(box.min_lon, 180.0),
                                                                             (-180.0, box.max_lon)]
    r0 = max(0, math.floor((box.min_lat + 90.0) / dlat) - 1)
    r1 = min(rows - 1, math.floor((box.max_lat + 90.0) / dlat) + 1)
    cells: set[str] = set()
    for lo, hi in spans:
        c0 = max(0, math.floor((lo + 180.0) / dlon) - 1)
        c1 = min(cols - 1, math.floor((hi + 180.0) / dlon) + 1)
        if (r1 - r0 + 1) * (c1 - c0 + 1) > 4 * limit + 16:
            return None
        for r in range(r0, r1 + 1):
            lat_lo = -90.0 + r * dlat
            if lat_lo > box.max_lat or lat_lo + dlat < box.min_lat:
                continue
            for c in range(c0, c1 + 1):
                lon_lo = -180.0 + c * dlon
                if lon_lo > hi or lon_lo + dlon < lo:
                    continue
                cells.add(geohash(lat_lo + dlat / 2, lon_lo + dlon / 2, precision))
    return sorted(cells) if len(cells) <= limit else None


def best_cover(box: BBox) -> list[str] | None:
    """The finest-precision cover of box within MAX_GEO_CELLS cells, or None (use the LOC list)."""
    for precision in GEO_PRECISIONS:
        cells = geohash_cover(box, precision, MAX_GEO_CELLS)
        if cells is not None:
            return cells
    return None
