"""Trips (issue 16 item 5): kept up to date as photos arrive, listed, opened, named and made into albums.

* A photo that becomes final (processing) calls `photo_changed`: its month ("YYYY-MM" of its local day) is
  marked waiting (TripStore.claim_window) and, only when this call marked it, a RecomputeTrips job is sent. A
  bulk import of a month sends one job, not one per photo; the job clears the mark first, so a photo that
  arrives while it runs sends the next.
* `recompute(owner, month)` reads the owner's photos from CONTEXT_MONTHS before to CONTEXT_MONTHS after the
  month through the list index (home is found from the surrounding months), finds the trips
  (domain.trips.find_trips) and replaces the stored trips that meet the month, widened to every trip found or
  stored that meets it, so a trip that grows across a month's edge or merges with another is replaced whole.
  A trip keeps its id, its user's name and its question across recomputes (domain.trips.reconcile).
* A new trip gets a "Name this trip?" question (domain.questions.trip_proposal) on its cover photo; the answer
  (QuestionService) titles the trip (`name_trip`) and is recorded on its photos, where q finds it.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from datetime import date

from ..domain import questions as question_rules
from ..domain import trips as rules
from ..domain.errors import Invalid, NotFound
from ..domain.jobs import RecomputeTrips
from ..domain.model import Album, Page, Photo, Question, QuestionStatus, iso, new_id, utcnow
from ..domain.timeline import month_of
from ..domain.times import day_keys, instant_key, taken_seconds
from ..ports import JobQueue, PhotoStore, QuestionStore, TripStore
from .albums import AlbumService
from .search import check_limit

log = logging.getLogger("cloudalbum.trips")

CONTEXT_MONTHS = 3  # months read on each side of the job's month (home around it; trips across its edges)
CLAIM_STALE_S = 900  # a window marked longer ago than this lost its job: the next photo sends another
READ_PAGE = 500
MAX_PHOTOS_READ = 50_000  # a recompute reads at most this many photos (7 months of a very busy library)
MAX_NAMED_PHOTOS = 500  # an answer is recorded on at most this many photos of the trip (QuestionService's cap)
MIN_QUESTION_PHOTOS = 3  # a trip of fewer photos is not worth a question


def list_key(taken_at: str) -> str:
    """The photo list's sort key of a taken time (its UTC instant), as both stores keep it."""
    return instant_key(taken_at)


def _last_day(month: str) -> str:
    """"28".."31": the last day of a "YYYY-MM" month."""
    return str(calendar.monthrange(int(month[:4]), int(month[5:7]))[1])


def _shift_month(month: str, delta: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month_span(month: str) -> tuple[float, float]:
    """The instants a month's local days can have (widened by 14 h each side: every UTC offset)."""
    first = date(int(month[:4]), int(month[5:7]), 1)
    nxt = _shift_month(month, 1)
    start = taken_seconds(first.isoformat() + "T00:00:00") or 0.0
    end = taken_seconds(f"{nxt}-01T00:00:00") or 0.0
    return start - 14 * 3600, end + 14 * 3600


def point_of(photo: Photo) -> rules.Point | None:
    """The photo as trips see it; None without a readable taken time."""
    instant = taken_seconds(photo.taken_at)
    if instant is None or not photo.taken_at:
        return None
    loc = photo.location
    if loc is None:
        return rules.Point(photo.id, instant, photo.taken_at)
    place = loc.place
    return rules.Point(photo.id, instant, photo.taken_at, loc.lat, loc.lon, place.city if place else None,
                       place.region if place else None, place.country if place else None)


class TripService:
    def __init__(self, trips: TripStore, photos: PhotoStore, questions: QuestionStore, albums: AlbumService,
                 queue: Callable[[], JobQueue] | None, now: Callable[[], float]) -> None:
        self.store = trips
        self.photos = photos
        self.questions = questions
        self.albums = albums
        self.queue = queue
        self.now = now

    # --- keeping trips up to date ----------------------------------------------------------------------------

    def photo_changed(self, photo_id: str, owner_id: str) -> bool:
        """A photo became final (or its time or place changed): send its month's recompute unless one is
        already waiting. Returns whether a job was sent."""
        photo = self.photos.get_photo(photo_id, owner_id)
        return self._note(owner_id, month_of(photo.taken_at) if photo is not None else None)

    def photo_moved(self, photo: Photo, taken_before: str | None) -> None:
        """The user changed a photo's time or place: its month's trips, and those of the month it left."""
        for month in dict.fromkeys([month_of(photo.taken_at), month_of(taken_before)]):
            self._note(photo.owner_id, month)

    def photos_moved(self, photos: list[Photo]) -> None:
        """Many photos placed at once (a GPS track): each month they are in, found again once."""
        for owner_id, month in dict.fromkeys((p.owner_id, month_of(p.taken_at)) for p in photos):
            self._note(owner_id, month)

    def _note(self, owner_id: str, month: str | None) -> bool:
        if month is None or self.queue is None:
            return False
        if not self.store.claim_window(owner_id, month, now=self.now(), stale_s=CLAIM_STALE_S):
            return False
        self.queue().send(RecomputeTrips(owner_id, month).to_body())
        return True

    def recompute(self, owner_id: str, month: str) -> str:
        """Find the trips around month again and store them (see the module's docstring)."""
        self.store.release_window(owner_id, month)  # first: a photo arriving from now on sends a new job
        points = self._points(owner_id, _shift_month(month, -CONTEXT_MONTHS), _shift_month(month, CONTEXT_MONTHS))
        found = rules.find_trips(points)
        start, end = _month_span(month)
        stored: list[rules.Trip] = []
        for _ in range(8):  # widen to every trip (found or stored) that meets the span, until nothing changes
            stored = self.store.trips_overlapping(owner_id, start, end)
            spans = [(t.start_s, t.end_s) for t in stored] + [
                (f.start_s, f.end_s) for f in found if rules.overlaps(f.start_s, f.end_s, start, end)]
            wider = (min([start, *(s for s, _ in spans)]), max([end, *(e for _, e in spans)]))
            if wider == (start, end):
                break
            start, end = wider
        mine = [f for f in found if rules.overlaps(f.start_s, f.end_s, start, end)]
        put = [self._trip(owner_id, f, old) for f, old in rules.reconcile(stored, mine)]
        kept = {t.id for t in put}
        gone = [t for t in stored if t.id not in kept]
        self.store.replace_trips(owner_id, [t.id for t in gone], put)
        for t in gone:
            self._close_question(owner_id, t.question_id)
        return f"trips around {month}: {len(put)} found, {len(gone)} gone ({len(points)} photos read)"

    def _points(self, owner_id: str, first_month: str, last_month: str) -> list[rules.Point]:
        points: list[rules.Point] = []
        cursor: str | None = None
        read = 0
        keys = day_keys(f"{first_month}-01", f"{last_month}-{_last_day(last_month)}")  # by instant: widened
        while read < MAX_PHOTOS_READ:
            page = self.store.photos_between(owner_id, *keys, limit=READ_PAGE, cursor=cursor)
            read += len(page.items)
            points += [p for p in map(point_of, page.items) if p is not None]
            cursor = page.next_cursor
            if cursor is None:
                break
        return points

    def _trip(self, owner_id: str, found: rules.Found, old: rules.Trip | None) -> rules.Trip:
        """The stored form of a found trip: the old one's id, name and question carried over; a new trip of
        enough photos gets its question."""
        trip = rules.Trip(id=old.id if old else new_id(), owner_id=owner_id, title=found.title, start=found.start,
                          end=found.end, start_s=found.start_s, end_s=found.end_s, places=list(found.places),
                          photo_count=len(found.photo_ids), cover_photo_id=found.cover_photo_id)
        if old is not None:
            trip.named, trip.question_id = old.named, old.question_id
            trip.title = old.title if old.named else trip.title
        elif trip.photo_count >= MIN_QUESTION_PHOTOS:
            trip.question_id = self._ask(trip)
        return trip

    def _ask(self, trip: rules.Trip) -> str | None:
        if trip.cover_photo_id is None:
            return None
        p = question_rules.trip_proposal(trip.id, trip.title, trip.photo_count)
        question = Question(id=new_id(), owner_id=trip.owner_id, photo_id=trip.cover_photo_id, kind=p.kind,
                            text=p.text, reason=p.reason, created_at=iso(utcnow()), subject=p.subject, score=p.score)
        self.questions.add_question(question)
        return question.id

    def _close_question(self, owner_id: str, question_id: str | None) -> None:
        """A trip that is no longer one: its open question goes (dismissed, so it is not listed)."""
        q = self.questions.get_question(question_id, owner_id) if question_id else None
        if q is not None and q.status == QuestionStatus.OPEN.value:
            q.status = QuestionStatus.DISMISSED.value
            self.questions.save_question(q)

    # --- reading -------------------------------------------------------------------------------------------

    def list_trips(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        return self.store.list_trips(owner_id, limit=check_limit(limit), cursor=cursor)

    def get(self, owner_id: str, trip_id: str) -> rules.Trip:
        trip = self.store.get_trip(owner_id, trip_id)
        if trip is None:
            raise NotFound("No such trip.", code="trip_not_found")
        return trip

    def photos_of(self, owner_id: str, trip_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """The trip's photos, oldest first: every photo taken between its first and last photo away (by the
        list's local time), located or not."""
        trip = self.get(owner_id, trip_id)
        page = self.store.photos_between(owner_id, list_key(trip.start), list_key(trip.end),
                                         limit=check_limit(limit), cursor=cursor)
        return Page(items=[p for p in page.items if p.taken_at], next_cursor=page.next_cursor)

    def photo_ids(self, owner_id: str, trip_id: str, *, at_most: int) -> list[str]:
        ids: list[str] = []
        cursor: str | None = None
        while len(ids) < at_most:
            page = self.photos_of(owner_id, trip_id, limit=200, cursor=cursor)
            ids += [p.id for p in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        return ids[:at_most]

    # --- acting on a trip ------------------------------------------------------------------------------------

    def make_album(self, owner_id: str, trip_id: str, name: str | None = None) -> Album:
        """An album holding the trip's photos, named after the trip unless a name is given."""
        trip = self.get(owner_id, trip_id)
        if name is not None and not isinstance(name, str):
            raise Invalid("name is a string", code="validation_error")
        album = self.albums.create(owner_id, name if name is not None else trip.title)
        ids = self.photo_ids(owner_id, trip_id, at_most=100_000)
        for start in range(0, len(ids), 500):
            self.albums.album_store.add_to_album(album.id, ids[start:start + 500])
        return self.albums.get(owner_id, album.id)

    def name_trip(self, owner_id: str, trip_id: str | None, name: str) -> list[str]:
        """The answer to "Name this trip?": the trip is titled `name` for good (recomputes keep it). Returns
        the photo ids the answer is to be recorded on (at most MAX_NAMED_PHOTOS)."""
        trip = self.get(owner_id, trip_id or "")
        trip.title, trip.named, trip.question_id = name, True, None
        self.store.replace_trips(owner_id, [], [trip])
        return self.photo_ids(owner_id, trip.id, at_most=MAX_NAMED_PHOTOS)
