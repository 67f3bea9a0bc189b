"""A photo's time that means something (issue 16 item 1): the offset of a naive camera time, in order (EXIF, GPS
time stamp, the zone at the GPS position, the account's zone), and the UTC order key both stores sort by."""

from __future__ import annotations

import pytest

from cloudalbum.domain import photo_rules
from cloudalbum.domain.batches import BatchEdit
from cloudalbum.domain.model import Photo
from cloudalbum.domain.times import day_keys, in_zone, instant_key, local_time, offset_from_gps, taken_seconds


def never() -> str | None:
    raise AssertionError("looked up although an earlier source answered")


@pytest.mark.parametrize("camera, gps, expected", [
    ("2021-07-01T14:00:05", "2021-07-01T12:00:00", "+02:00"),  # fix and shutter 5 s apart
    ("2021-07-01T14:01:30", "2021-07-01T12:00:00", "+02:00"),  # 90 s: within the tolerance
    ("2021-07-01T03:30:00", "2021-07-01T22:00:00", None),  # -18:30: outside -12 h
    ("2021-07-01T17:45:00", "2021-07-01T12:00:00", "+05:45"),  # Nepal: a whole quarter hour
    ("2021-07-01T12:07:00", "2021-07-01T12:00:00", None),  # 7 minutes: no zone is that
    ("2008-10-22T16:28:39", "2008-10-23T14:27:07", None),  # corpus DSCN0010: a camera clock off by a day
    ("2021-07-02T01:00:00", "2021-07-01T11:00:00", "+14:00"),  # Kiribati, the widest east
    ("2021-07-01T00:00:00", "2021-07-01T12:00:00", "-12:00"),
    ("2021-07-01T00:00:00", "2021-07-01T12:15:00", None),  # -12:15: past the widest west
    ("2021-07-01T14:00:00", None, None),
    ("2021-07-01T14:00:00+02:00", "2021-07-01T12:00:00", None),  # not a naive time
])
def test_the_gps_time_stamp_gives_the_offset_only_when_it_is_a_whole_quarter_hour(
        camera: str, gps: str | None, expected: str | None) -> None:
    assert offset_from_gps(camera, gps) == expected


def test_the_sources_are_tried_in_order_and_the_zone_is_looked_up_only_when_needed() -> None:
    assert local_time("2021-07-01T14:00:00+09:00", gps_utc="2021-07-01T12:00:00", zone_here=never,
                      account_zone=never) == ("2021-07-01T14:00:00+09:00", "exif")
    assert local_time("2021-07-01T14:00:03", gps_utc="2021-07-01T12:00:00", zone_here=never,
                      account_zone=never) == ("2021-07-01T14:00:03+02:00", "gps_time")
    assert local_time("2008-10-22T16:28:39", gps_utc="2008-10-23T14:27:07", zone_here=lambda: "Europe/Rome",
                      account_zone=never) == ("2008-10-22T16:28:39+02:00", "gps_zone")
    assert local_time("2021-01-15T09:00:00", zone_here=lambda: None,
                      account_zone=lambda: "America/New_York") == ("2021-01-15T09:00:00-05:00", "account")
    assert local_time("2021-01-15T09:00:00") == ("2021-01-15T09:00:00", None)  # nothing known: stays naive
    assert local_time(None, zone_here=never, account_zone=never) == (None, None)


def test_a_zone_gives_the_offset_it_had_on_that_day() -> None:
    assert in_zone("2008-10-22T16:28:39", "Europe/Rome") == "2008-10-22T16:28:39+02:00"  # summer time
    assert in_zone("2008-12-22T16:28:39", "Europe/Rome") == "2008-12-22T16:28:39+01:00"
    assert in_zone("2021-03-01T10:00:00", "Asia/Kathmandu") == "2021-03-01T10:00:00+05:45"
    assert in_zone("2021-03-01T10:00:00", "Not/AZone") is None and in_zone("2021-03-01T10:00:00", None) is None
    assert in_zone("not a time", "Europe/Rome") is None


def test_order_keys_are_utc_instants_so_a_plus_nine_morning_is_older_than_a_utc_half_past_midnight() -> None:
    tokyo, london = "2026-03-01T08:00:00+09:00", "2026-03-01T00:30:00Z"
    assert instant_key(tokyo) == "2026-02-28T23:00:00" < instant_key(london) == "2026-03-01T00:30:00"
    assert (taken_seconds(tokyo) or 0) < (taken_seconds(london) or 0)  # the same order as the instants
    assert instant_key("2026-03-01T08:00:00") == "2026-03-01T08:00:00"  # naive: read as UTC, like taken_seconds
    assert instant_key("2026-03-01T08:00+0900") == "2026-02-28T23:00:00"
    assert instant_key(None, "2026-01-02T03:04:05+00:00") == "2026-01-02T03:04:05"
    assert instant_key("0001-01-01T05:00:00+09:00") == "0001-01-01T05:00:00"  # before year 1 in UTC: wall clock


def test_a_local_day_range_reads_the_instants_of_every_offset() -> None:
    lo, hi = day_keys("2026-03-01", "2026-03-01")
    assert lo <= instant_key("2026-03-01T00:00:00+14:00") and instant_key("2026-03-01T23:59:59-12:00") <= hi
    assert day_keys(None, None) == ("", "9999-12-31T23:59:59")


def test_a_time_the_user_sets_drops_the_source_of_processings_offset_and_a_shift_keeps_it() -> None:
    p = Photo(id="p", owner_id="o", filename="a.jpg", content_type="image/jpeg", bytes=1, original_key="k",
              uploaded_at="2026-01-01T00:00:00+00:00", taken_at="2021-07-01T14:00:00+02:00",
              taken_offset_source="gps_zone")
    photo_rules.apply_batch_edit(p, BatchEdit(shift_s=3600))
    assert (p.taken_at, p.taken_offset_source) == ("2021-07-01T15:00:00+02:00", "gps_zone")
    photo_rules.apply_user_edit(p, {"taken_at": "2021-07-01T09:00:00"})
    assert (p.taken_at, p.taken_offset_source) == ("2021-07-01T09:00:00", None)
