"""GPS tracks (issue 16 item 3): POST /api/tracks places the owner's photos taken during a GPX track.

The file is read whole and checked before anything is written (a bad file changes nothing). The photos it may
place are the owner's open photos (ports.PlaceIndex: no measured or user's place) taken during the track, read
by instant from the place index (widened by the widest UTC offset, since a photo's time without an offset is its
camera's wall clock), then each photo's instant is fixed with the zone given (domain.tracks.photo_instant) and
placed by interpolation (domain.tracks.position_at). Placed photos lose their location question, and become
anchors that may place the open photos just outside the track (services.places).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO
from zoneinfo import ZoneInfo

from ..config import Settings
from ..domain import tracks as rules
from ..domain.errors import TooLarge
from ..domain.model import Photo, Source
from ..domain.times import zone as time_zone
from ..media.gpx import read_track
from ..ports import Geocoder, PhotoStore, PlaceIndex, UserStore
from .changes import PhotoChanges
from .places import PlaceService


@dataclass(frozen=True)
class TrackResult:
    points: int
    photos_located: int


class TrackService:
    def __init__(self, photos: PhotoStore, places: PlaceIndex, place_service: PlaceService, users: UserStore,
                 geocoder: Callable[[], Geocoder], settings: Settings,
                 moved: Callable[[list[Photo]], object] | None = None) -> None:
        """moved(photos): the photos the track placed (their months' trips are found again)."""
        self.photos, self.places, self.place_service, self.users = photos, places, place_service, users
        self.changes = PhotoChanges(photos)
        self.geocoder, self.settings = geocoder, settings
        self.moved = moved

    def upload(self, owner_id: str, stream: BinaryIO, *, tz: str | None = None) -> TrackResult:
        """Place the owner's photos on the track; a time without an offset is read in `tz`, else in the account's
        time zone, else as UTC. BadTrack (400), TooLarge (413) or Invalid (422: tz) before any change."""
        zone = time_zone(tz) if tz else time_zone(self.users.timezone_of(owner_id))
        data = stream.read(self.settings.max_track_bytes + 1)
        if len(data) > self.settings.max_track_bytes:
            raise TooLarge(f"A GPX file is at most {self.settings.max_track_bytes} bytes.", code="track_too_large")
        points = read_track(data, max_points=self.settings.max_track_points)
        ids = self.places.open_between(owner_id, points[0].ts - rules.MAX_OFFSET_S, points[-1].ts + rules.MAX_OFFSET_S,
                                       limit=self.settings.max_track_photos)
        placed = [p for p in (self._place(owner_id, pid, points, zone) for pid in ids) if p is not None]
        for photo in placed:
            self.place_service.close_location_questions(photo)
        self.place_service.anchors_arrived(placed)  # open photos just outside the track may follow
        if placed and self.moved is not None:
            self.moved(placed)
        return TrackResult(points=len(points), photos_located=len(placed))

    def _place(self, owner_id: str, photo_id: str, points: list[rules.TrackPoint],
               zone: ZoneInfo | None) -> Photo | None:
        """The photo as placed on the track, or None (gone, outside the track, across a gap, not placeable)."""
        photo = self.photos.get_photo(photo_id, owner_id)
        ts = rules.photo_instant(photo.taken_at, zone) if photo is not None else None
        where = rules.position_at(points, ts) if ts is not None else None
        if where is None:
            return None
        place = self.geocoder().reverse(*where)
        saved = self.changes.change(photo_id, owner_id, lambda p: rules.apply_track(p, where[0], where[1], place))
        on_track = saved is not None and saved.location is not None and saved.location.source == Source.TRACK.value
        return saved if on_track else None

