"""A trip across time zones (issue 16 items 1 and 5): trips run on instants, and read the owner's list between
instant keys, so a flight from Tokyo (+09:00) to New York (-04:00) ends in New York although its New York
morning reads earlier on the clock than the Tokyo evening before it; the trip's title and the photos' days are
their local ones. On the embedded store, through the service (no HTTP: the processing is beside the point)."""

from __future__ import annotations

from typing import Any

from cloudalbum.domain.model import Location, Place
from contract.metadata_contract import make_photo, make_user

BOLOGNA = (44.4949, 11.3426, Place("Bologna", "Emilia-Romagna", "Italy", "IT"))
TOKYO = (35.6586, 139.7454, Place("Tokyo", "Tokyo", "Japan", "JP"))
NEW_YORK = (40.7484, -73.9857, Place("New York City", "New York", "United States", "US"))


def add(container: Any, owner: str, taken: str, where: tuple[float, float, Place]) -> str:
    photo = make_photo(owner, taken_at=taken, status="done",
                       location=Location(lat=where[0], lon=where[1], source="exif", place=where[2]))
    container.store.photos.add_photo(photo)
    return photo.id


def test_a_flight_east_to_west_ends_the_trip_where_it_landed(container: Any) -> None:
    owner = make_user("zones@example.com")
    container.store.users.add_user(owner)
    home = [add(container, owner.id, f"2013-04-{d:02d}T12:00:00+02:00", BOLOGNA) for d in range(1, 8)]
    tokyo = [add(container, owner.id, f"2013-04-{d:02d}T{h:02d}:00:00+09:00", TOKYO) for d, h in ((8, 8), (9, 18))]
    # 10:00 in New York on the 9th is 14:00Z, five hours after Tokyo's 18:00 (09:00Z): the wall clock says earlier
    new_york = [add(container, owner.id, "2013-04-09T10:00:00-04:00", NEW_YORK),
                add(container, owner.id, "2013-04-10T21:00:00-04:00", NEW_YORK)]
    home += [add(container, owner.id, f"2013-04-{d:02d}T12:00:00+02:00", BOLOGNA) for d in range(12, 20)]
    container.trips.recompute(owner.id, "2013-04")
    (trip,) = container.trips.list_trips(owner.id).items
    assert (trip.start, trip.end) == ("2013-04-08T08:00:00+09:00", "2013-04-10T21:00:00-04:00")
    assert trip.start_s < trip.end_s and trip.photo_count == 4
    assert trip.title.endswith("April 2013")
    photos = container.trips.photos_of(owner.id, trip.id).items
    assert [p.id for p in photos] == tokyo + new_york  # oldest instant first: Tokyo's evening, then New York
    assert not {p.id for p in photos} & set(home)
