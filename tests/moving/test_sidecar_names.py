"""Which sidecar belongs to which photo: Takeout's naming variants, one table."""

from __future__ import annotations

import pytest

from cloudalbum.services.sidecars import SidecarIndex, is_year_folder, media_key

LONG = "Screenshot_20190612-101112_Google_Maps_app.jpg"  # 47 characters


@pytest.mark.parametrize("media, sidecar", [
    ("x.jpg", "x.jpg.json"),
    ("x.jpg", "x.jpg.supplemental-metadata.json"),
    ("x.jpg", "x.jpg.supplemental-metad.json"),
    ("x.jpg", "x.jpg.suppl.json"),
    ("x(1).jpg", "x.jpg(1).json"),
    ("x(2).jpg", "x.jpg.supplemental-metadata(2).json"),
    ("x-edited.jpg", "x.jpg.json"),
    ("x(1).jpg", "x(1).jpg.json"),  # cloudalbum's export names the sidecar after the file exactly
    (LONG, LONG[:46] + ".json"),  # cut at 46
    (LONG, (LONG + ".supplemental-metadata")[:47] + ".json"),  # cut at 47
    ("IMG.HEIC", "IMG.HEIC.json"),
])
def test_variants_match(media: str, sidecar: str) -> None:
    index = SidecarIndex([f"a/{sidecar}", "a/other.jpg.json", "b/" + sidecar])
    assert index.json_for(f"a/{media}") == f"a/{sidecar}"


@pytest.mark.parametrize("media, sidecar", [
    ("x(1).jpg", "x.jpg.json"),  # the copy's sidecar is x.jpg(1).json, not the original's
    ("x.jpg", "x.jpg(1).json"),
    ("xy.jpg", "x.jpg.json"),
    ("x.jpg", "x.json"),  # a short prefix is not a truncation
    ("x.jpg", "metadata.json"),
])
def test_near_misses_do_not_match(media: str, sidecar: str) -> None:
    assert SidecarIndex([f"a/{sidecar}"]).json_for(f"a/{media}") is None


def test_the_exact_name_wins_over_a_truncation() -> None:
    index = SidecarIndex(["a/x.jpg.supplemental-metad.json", "a/x.jpg.json"])
    assert index.json_for("a/x.jpg") == "a/x.jpg.json"


def test_sidecars_belong_to_their_own_folder() -> None:
    assert SidecarIndex(["b/x.jpg.json"]).json_for("a/x.jpg") is None


def test_xmp_both_names() -> None:
    index = SidecarIndex(["a/x.jpg.xmp", "a/y.XMP"])
    assert index.xmp_for("a/x.jpg") == "a/x.jpg.xmp" and index.xmp_for("a/y.nef") == "a/y.XMP"


def test_helpers() -> None:
    assert media_key("x(1).jpg") == ("x.jpg", 1) and media_key("x-edited.jpg") == ("x.jpg", 0)
    assert is_year_folder("Takeout/Google Photos/Photos from 2019") and not is_year_folder("Trip 2019")
