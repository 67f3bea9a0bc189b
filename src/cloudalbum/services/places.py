"""Inferred places (issue 16 item 2): a photo without a measured place gets one from the owner's photos taken
just before and after it (domain.places), set with source "inferred" when sure, proposed on its location
question ("Taken in Arezzo?", yes or no) when less sure.

Two moments: processing a photo without a place estimates it from the anchors already there (before it asks
its questions, so a sure place asks nothing); processing a photo with a place (an anchor) looks, by one index
read, for open photos around it and, when there are some, queues an InferPlaces job that re-examines them, so
a late neighbour still places the photos taken before it arrived. Every read is an index range around one
instant (ports.PlaceIndex), never the library. A measured or a user's location is never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..domain import photo_rules
from ..domain import places as rules
from ..domain.jobs import InferPlaces
from ..domain.model import Photo, Place, QuestionStatus
from ..domain.questions import LOCATION
from ..domain.times import taken_seconds
from ..ports import Geocoder, JobQueue, PhotoStore, PlaceIndex, QuestionStore
from .changes import PhotoChanges

MAX_AROUND = 500  # open photos one arrival re-examines at most (a burst of a few hundred photos without GPS)


@dataclass(frozen=True)
class Placed:
    """An estimate and the place it names (reverse-geocoded once)."""

    estimate: rules.Estimate
    place: Place | None


class PlaceService:
    def __init__(self, photos: PhotoStore, places: PlaceIndex, questions: QuestionStore,
                 geocoder: Callable[[], Geocoder | None], queue: Callable[[], JobQueue | None], *,
                 window_s: int = rules.WINDOW_S) -> None:
        self.photos, self.places, self.questions = photos, places, questions
        self.changes = PhotoChanges(photos)
        self.geocoder, self.queue = geocoder, queue
        self.window_s = window_s

    def estimate_for(self, photo: Photo) -> Placed | None:
        """Where the photo was probably taken (None: it has a measured or user's place, no time, or no estimate
        worth a suggestion)."""
        ts = taken_seconds(photo.taken_at)
        if ts is None or not rules.placeable(photo):
            return None
        before, after = self.places.fixes_around(photo.owner_id, ts, self.window_s)
        est = rules.estimate(ts, before, after, window_s=self.window_s)
        if est is None or est.confidence < rules.SUGGEST_AT:
            return None
        geocoder = self.geocoder()
        return Placed(est, geocoder.reverse(est.lat, est.lon) if geocoder is not None else None)

    def after_processing(self, photo: Photo, placed: Placed | None) -> None:
        """Processing saved the photo: a less sure estimate goes on its location question; a photo with a measured
        place re-examines the open photos around it (a job, queued only when there are some)."""
        if placed is not None and not placed.estimate.sure:
            self._suggest(photo, placed)
        self.anchor_arrived(photo)

    def anchor_arrived(self, photo: Photo) -> bool:
        """Queue InferPlaces when the photo is an anchor with open photos around it; True when queued."""
        fix = rules.fix_of(photo)
        queue = self.queue()
        if fix is None or queue is None:
            return False
        if not self.places.open_between(photo.owner_id, fix.ts - self.window_s, fix.ts + self.window_s, limit=1):
            return False
        queue.send(InferPlaces(photo.id, photo.owner_id).to_body())
        return True

    def anchors_arrived(self, photos: list[Photo]) -> None:
        """Photos just placed by the user or a track: the earliest and the latest of them may place the open
        photos around them (the ones between were placed at once; each end costs one index read)."""
        fixes = sorted(((f.ts, f.photo_id), p) for p in photos if (f := rules.fix_of(p)) is not None)
        for _, photo in fixes[:1] + fixes[1:][-1:]:
            self.anchor_arrived(photo)

    def infer_around(self, photo_id: str, owner_id: str) -> str:
        """The InferPlaces job: re-estimate the owner's open photos taken around the anchor photo."""
        anchor = self.photos.get_photo(photo_id, owner_id)
        fix = rules.fix_of(anchor) if anchor is not None else None
        if fix is None:
            return "skipped: the photo is gone or has no measured place"
        ids = self.places.open_between(owner_id, fix.ts - self.window_s, fix.ts + self.window_s, limit=MAX_AROUND)
        outcomes = [self.relocate(owner_id, pid) for pid in ids]
        return (f"{outcomes.count('placed')} placed, {outcomes.count('suggested')} suggested "
                f"of {len(ids)} photos around")

    def relocate(self, owner_id: str, photo_id: str) -> str | None:
        """Estimate one open photo again: "placed" (its location set), "suggested" (on its question) or None."""
        photo = self.photos.get_photo(photo_id, owner_id)
        placed = self.estimate_for(photo) if photo is not None else None
        if photo is None or placed is None:
            return None
        if not placed.estimate.sure:
            self._suggest(photo, placed)
            return "suggested"
        saved = self.changes.change(photo_id, owner_id,
                                    lambda p: rules.apply_inferred(p, placed.estimate, placed.place))
        if saved is not None and saved.location is not None:
            self.close_location_questions(saved)
        return "placed"

    def _suggest(self, photo: Photo, placed: Placed) -> None:
        """Put the estimate on the photo's open location question (one never asked or already closed is left)."""
        for q in self.questions.questions_for_photo(photo.id):
            if q.kind == LOCATION:
                changed = rules.suggest(q, placed.estimate, placed.place)
                if changed is not None:
                    self.questions.save_question(changed)

    def close_location_questions(self, photo: Photo) -> None:
        """The photo has a place now: its open location question is no longer asked, and its status follows."""
        closed = False
        for q in self.questions.questions_for_photo(photo.id):
            if q.kind == LOCATION and q.status == QuestionStatus.OPEN.value:
                self.questions.save_question(replace(q, status=QuestionStatus.DISMISSED.value))
                closed = True
        if not closed:
            return

        def settle(p: Photo) -> bool:
            still_open = bool(self.questions.open_questions(p.owner_id, photo_id=p.id, limit=1).items)
            return photo_rules.settle(p, open_questions=still_open)

        self.changes.change(photo.id, photo.owner_id, settle)
