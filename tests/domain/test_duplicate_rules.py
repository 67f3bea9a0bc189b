"""The duplicate rules without a store (domain/duplicates.py, photo_rules.merge_duplicates): kinds, the keeper and
its reason, dismissals, and what resolving merges into the keeper."""

from __future__ import annotations

from typing import Any

from cloudalbum.domain import duplicates as D
from cloudalbum.domain import photo_rules
from cloudalbum.domain.model import Answer, Camera, Label, Location, Photo, Source


def fp(phash: str = "0123456789abcdef", *, pixels: str = "a" * 32, tags: int = 10, aspect: float = 1.5) -> D.Fingerprint:
    return D.Fingerprint(pixels=pixels, phash=phash, dhash="fedcba9876543210", aspect=aspect, exif_tags=tags)


def photo(pid: str, f: D.Fingerprint | None = None, *, w: int = 600, h: int = 400, **kw: Any) -> Photo:
    return Photo(id=pid, owner_id="o", filename=f"{pid}.jpg", content_type=kw.pop("content_type", "image/jpeg"),
                 bytes=1, original_key="",
                 uploaded_at=kw.pop("uploaded_at", "2024-01-01T00:00:00+00:00"), width=w, height=h,
                 fingerprint=f or fp(), **kw)


def flip(h: str, bits: int) -> str:
    return f"{int(h, 16) ^ ((1 << bits) - 1):016x}"


def test_the_kinds() -> None:
    a = photo("a")
    assert D.match(a, photo("b")) == D.Match("b", "identical_pixels", 0, None)
    near = photo("c", fp(flip(a.fingerprint.phash, 5), pixels="c" * 32))  # type: ignore[union-attr]
    assert (D.match(a, near) or D.Match("", "", 0)).kind == "near"
    far = photo("d", fp(flip(a.fingerprint.phash, 30), pixels="d" * 32))  # type: ignore[union-attr]
    assert D.match(a, far) is None
    other_shape = photo("e", fp(flip(a.fingerprint.phash, 2), pixels="e" * 32, aspect=1.0))  # type: ignore[union-attr]
    assert D.match(a, other_shape) is None


def test_time_tells_a_copy_from_a_burst_and_from_another_moment() -> None:
    cam = Camera("Canon", "EOS 5D")
    a = photo("a", taken_at="2019-07-14T10:00:00", camera=cam)
    twin = fp(flip(a.fingerprint.phash, 3), pixels="b" * 32)  # type: ignore[union-attr]
    assert D.match(a, photo("b", twin, taken_at="2019-07-14T10:00:00", camera=cam)).kind == "near"  # type: ignore[union-attr]
    assert D.match(a, photo("b", twin, taken_at="2019-07-14T10:00:02", camera=cam)).kind == "burst"  # type: ignore[union-attr]
    assert D.match(a, photo("b", twin, taken_at="2019-07-14T10:00:05", camera=cam)) is None
    assert D.match(a, photo("b", twin, taken_at=None)).kind == "near"  # type: ignore[union-attr]
    assert D.match(a, photo("b", twin, taken_at="2019-07-14T10:00:01", camera=Camera("Nikon", "D70"))).kind == "near"  # type: ignore[union-attr]


def test_photos_that_cannot_be_compared_never_match_nor_have_keys() -> None:
    flat = D.Fingerprint(pixels="0" * 32, phash="8" + "0" * 15, dhash="0" * 16, aspect=1.0, comparable=False)
    assert D.lookup_keys(flat) == [] and D.match(photo("a", flat), photo("b", flat)) is None
    assert len(D.lookup_keys(fp())) == 1 + D.BANDS


def test_the_keeper_most_pixels_then_most_exif_then_first_uploaded_and_why() -> None:
    big, small = photo("big", w=600, h=400), photo("small", w=300, h=200)
    group = D.DuplicateGroup(id="g", owner_id="o", kind="near", photo_ids=["small", "big"], created_at="", phash=4)
    why = D.explain(group, [small, big])
    assert why.keep is big and "most pixels (600 × 400, against 300 × 200)" in why.reason and "4 of 64" in why.reason
    tagged = photo("tagged", fp(tags=40))
    plain = photo("plain", fp(tags=3), uploaded_at="2020-01-01T00:00:00+00:00")
    same = D.DuplicateGroup(id="g", owner_id="o", kind="identical_pixels", photo_ids=["plain", "tagged"], created_at="")
    why = D.explain(same, [plain, tagged])
    assert why.keep is tagged and "most camera metadata (40 EXIF tags, against 3)" in why.reason
    first, second = photo("x", uploaded_at="2020-01-01T00:00:00+00:00"), photo("y")
    assert D.explain(same, [second, first]).keep is first and "uploaded first" in D.explain(same, [second, first]).reason


def test_the_original_format_comes_after_the_pixels_and_before_the_metadata() -> None:
    """Pixels first; then a camera's format over a JPEG over a PNG (from the decoder's format, else the upload's
    content type), a file no app re-saved, a higher JPEG quality when every photo has one; then EXIF."""
    def made(pid: str, fmt: str = "", q: int = 0, software: str = "", tags: int = 10, **kw: Any) -> Photo:
        f = D.Fingerprint(pixels="a" * 32, phash="0" * 16, dhash="0" * 16, aspect=1.5, exif_tags=tags,
                          file_format=fmt, quality=q, software=software)
        return photo(pid, f, **kw)

    same = D.DuplicateGroup(id="g", owner_id="o", kind="identical_pixels", photo_ids=[], created_at="")
    heif, jpeg = made("heif", "HEIF", tags=2), made("jpeg", "JPEG", 95, tags=40)
    assert D.explain(same, [jpeg, heif]).keep is heif
    assert "original format (HEIF); jpeg.jpg is a JPEG" in D.explain(same, [jpeg, heif]).reason
    bigger_png = made("png", "PNG", w=1200, h=800)
    assert D.explain(same, [jpeg, bigger_png]).keep is bigger_png  # pixels come first
    old_png = made("old", content_type="image/png", uploaded_at="2000-01-01T00:00:00+00:00")
    assert D.explain(same, [old_png, made("j", "JPEG")]).keep.id == "j"  # a photo of before: its content type
    low, unknown = made("low", "JPEG", 60, tags=30), made("unknown", "JPEG", 0, tags=20)
    assert D.explain(same, [low, jpeg]).keep is jpeg and "quality about 95, against 60" in \
        D.explain(same, [low, jpeg]).reason
    assert D.explain(same, [low, unknown]).keep is low  # one without an estimate: the quality step is skipped
    edited = made("ps", "JPEG", 98, software="Adobe Photoshop 25.0 (Windows)")
    assert D.explain(same, [edited, low]).keep is low
    assert "ps.jpg was saved by Adobe Photoshop 25.0 (Windows)" in D.explain(same, [edited, low]).reason
    assert D.explain(same, [made("fw", "JPEG", 90, software="HDR+ 1.0.5"), low]).keep.id == "fw"  # firmware


def test_a_group_is_named_by_its_loosest_link_and_dismissals_are_pairs() -> None:
    g = D.DuplicateGroup(id="g", owner_id="o", kind="identical_pixels", photo_ids=["a", "b"], created_at="")
    grown = D.joined(g, "c", D.Match("a", "burst", 12, 1.0))
    assert grown.kind == "burst" and grown.photo_ids == ["a", "b", "c"] and grown.phash == 12 and grown.seconds == 1.0
    assert D.dismissed_together({"a": {"g1"}, "b": {"g1", "g2"}, "c": {"g3"}}, "a", "b")
    assert not D.dismissed_together({"a": {"g1"}, "c": {"g3"}}, "a", "c")


def test_resolving_merges_what_the_keeper_lacks_as_the_users_own() -> None:
    keeper = photo("k", title="Mine", answers=[Answer("What was the event?", "breakfast")])
    other = photo("o", title="Theirs", description="Sunday", location=Location(lat=1.0, lon=2.0),
                  answers=[Answer("What was the event?", "lunch"), Answer("Who is this?", "Ann")],
                  labels=[Label("espresso", 1.0, source=Source.USER.value), Label("cup", 0.9, model="m@1")])
    assert photo_rules.merge_duplicates(keeper, [other])
    assert keeper.title == "Mine" and keeper.description == "Sunday" and keeper.location == other.location
    assert [a.answer for a in keeper.answers] == ["breakfast", "Ann"]
    assert [lbl.name for lbl in keeper.labels] == ["espresso"]  # a model's label is the model's to find
    assert {"description", "location"} <= set(keeper.user_fields) and "title" not in keeper.user_fields
    assert not photo_rules.merge_duplicates(keeper, [other])  # nothing more to take: nothing written


def test_a_fingerprints_text_keeps_its_origin_and_reads_the_text_of_before() -> None:
    f = D.Fingerprint(pixels="a" * 32, phash="0" * 16, dhash="1" * 16, aspect=1.5, exif_tags=3,
                      crops=(("2" * 16, "3" * 16),), file_format="JPEG", quality=87, software="Editor | 2.0, build:7")
    back = D.Fingerprint.from_text(f.to_text())
    assert back == D.Fingerprint(**{**f.__dict__, "software": "Editor / 2.0, build:7"})
    old = f"{'a' * 32}|{'0' * 16}:{'1' * 16}|{'2' * 16}:{'3' * 16}|1.5|3|1"  # written before the origin was kept
    assert D.Fingerprint.from_text(old) == D.Fingerprint(**{**f.__dict__, "file_format": "", "quality": 0,
                                                            "software": ""})
    assert D.Fingerprint.from_dict({"pixels": "a", "phash": "0", "dhash": "1", "aspect": 1}).quality == 0
