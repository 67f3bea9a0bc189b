"""Duplicates (issue 15 item 2 and 3; API.md "Duplicates and trash"): groups found as photos are processed,
listed with a proposed keeper and its reason, resolved (the others to the trash, what they carried merged into
the keeper) or dismissed (never grouped together again).

Finding (`find`, called by processing once a photo is final): the photo's lookup keys give its candidates from
the store's index (their fingerprints come with them: only a match is read as a photo), its camera clock gives
its burst neighbours from the owner's taken-time order; domain.duplicates.match decides each. Then the photo
joins the open group of its strongest match, or opens one with its ungrouped matches, never beside a photo it
was dismissed with. Cost per photo: the index probes and a handful of reads, whatever the library's size.

Every group write is conditional (DuplicateStore.save_group): a lost race (two photos of one group processed at
once) reads again and joins the group the other made.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from ..domain import duplicates as D
from ..domain import photo_rules
from ..domain.errors import Invalid, NotFound
from ..domain.model import Page, Photo, iso, new_id, utcnow
from ..domain.times import instant_key
from ..ports import AlbumStore, DuplicateStore, PhotoStore
from .changes import PhotoChanges, retry_lost_races

log = logging.getLogger("cloudalbum.duplicates")

MAX_CANDIDATES = 500
GROUP_GAVE_UP = "The duplicate group kept changing; try again."


class DuplicateService:
    def __init__(self, duplicates: DuplicateStore, photos: PhotoStore, albums: AlbumStore,
                 trash: Callable[[str, str], None], now: Callable[[], datetime] = utcnow) -> None:
        """trash(owner_id, photo_id): move a photo to the trash (TrashService.move_to_trash, which tells this
        service the photo left its group)."""
        self.store, self.photos, self.albums = duplicates, photos, albums
        self.changes = PhotoChanges(photos)
        self._trash, self._now = trash, now

    # --- finding ----------------------------------------------------------------------------------------------

    def matches(self, photo: Photo) -> list[D.Match]:
        """The photo's duplicates in the owner's library, strongest first."""
        fp = photo.fingerprint
        if fp is None or not fp.comparable or photo.trashed_at is not None:
            return []
        found: dict[str, D.Match] = {}
        likely = [c.photo_id for c in self.store.candidates(photo.owner_id, D.probes(fp), limit=MAX_CANDIDATES)
                  if c.photo_id != photo.id and _may_match(fp, c.fingerprint)]
        for other in filter(None, (self.photos.get_photo(pid, photo.owner_id) for pid in likely)):
            m = D.match(photo, other)
            if m is not None:
                found[m.photo_id] = m
        for other in self._burst_neighbours(photo):
            m = D.match(photo, other)
            if m is not None and m.photo_id not in found:
                found[m.photo_id] = m
        return D.strongest_first(found.values())

    def _burst_neighbours(self, photo: Photo) -> list[Photo]:
        if not photo.taken_at or photo.camera is None:
            return []
        try:
            t = datetime.fromisoformat(instant_key(photo.taken_at))  # the list's order: by UTC instant
        except ValueError:
            return []
        span = timedelta(seconds=D.BURST_SECONDS)
        return [p for p in self.store.taken_between(photo.owner_id, iso(t - span)[:19], iso(t + span)[:19])
                if p.id != photo.id and D.same_camera(photo, p)]

    def find(self, photo: Photo) -> D.DuplicateGroup | None:
        """Group the photo with its duplicates (see the module docstring); the group it is in afterwards, or None.
        Idempotent: a photo already in a group stays where it is."""
        def attempt() -> D.DuplicateGroup | None:
            current = self.store.group_of(photo.id, photo.owner_id)
            if current is not None:
                return current
            matches = self.matches(photo)
            if not matches:
                return None
            dismissed = self.store.dismissals(photo.owner_id, [photo.id, *(m.photo_id for m in matches)])
            free: list[D.Match] = []
            for m in matches:
                group = self.store.group_of(m.photo_id, photo.owner_id)
                if group is None:
                    free.append(m)
                    continue
                if len(group.photo_ids) >= D.MAX_GROUP or any(
                        D.dismissed_together(dismissed, photo.id, p) for p in group.photo_ids):
                    continue
                return self.store.save_group(D.joined(group, photo.id, m), previous=group)
            chosen: list[D.Match] = []
            for m in free[:D.MAX_GROUP - 1]:
                if not any(D.dismissed_together(dismissed, m.photo_id, p) for p in [photo.id] +
                           [c.photo_id for c in chosen]):
                    chosen.append(m)
            if not chosen:
                return None
            group = D.DuplicateGroup(id=new_id(), owner_id=photo.owner_id, kind=D.loosest(*(m.kind for m in chosen)),
                                     photo_ids=[c.photo_id for c in chosen] + [photo.id], created_at=iso(self._now()),
                                     phash=max(m.phash for m in chosen),
                                     seconds=max((m.seconds for m in chosen if m.seconds), default=None))
            return self.store.save_group(group, previous=None)

        return retry_lost_races(attempt, gave_up=GROUP_GAVE_UP)

    def photo_left(self, photo: Photo, *, deleted: bool = False) -> None:
        """The photo went to the trash or was deleted for good: it leaves its group (a group of one is gone);
        deleted: its dismissals are forgotten too."""
        def attempt() -> None:
            group = self.store.group_of(photo.id, photo.owner_id)
            if group is None:
                return
            rest = group.without(photo.id)
            if len(rest.photo_ids) < 2:
                self.store.delete_group(group)
            else:
                self.store.save_group(rest, previous=group)

        retry_lost_races(attempt, gave_up=GROUP_GAVE_UP)
        if deleted:
            self.store.forget_photo(photo.owner_id, photo.id)

    # --- the user's side ------------------------------------------------------------------------------------

    def list_groups(self, owner_id: str, *, limit: int = 20, cursor: str | None = None) -> Page:
        """Page of Explained groups (groups that no longer hold two photos in the library are left out)."""
        if not 1 <= limit <= 200:
            raise Invalid("limit must be between 1 and 200.", code="validation_error")
        page = self.store.list_groups(owner_id, limit=limit, cursor=cursor or None)
        out = []
        for group in page.items:
            photos = self._photos(group)
            if len(photos) >= 2:
                out.append((group, D.explain(group, photos)))
        return Page(out, page.next_cursor)

    def _photos(self, group: D.DuplicateGroup) -> list[Photo]:
        return [p for p in (self.photos.get_photo(pid, group.owner_id) for pid in group.photo_ids) if p is not None]

    def _group(self, owner_id: str, group_id: object) -> D.DuplicateGroup:
        group = self.store.get_group(group_id, owner_id) if isinstance(group_id, str) and 0 < len(group_id) <= 200 \
            else None
        if group is None:
            raise NotFound("No such duplicate group.", code="group_not_found")
        return group

    def resolve(self, owner_id: str, group_id: str, keep: object) -> Photo:
        """Keep one photo: the others' albums, answers, user labels, title, description and a location the keeper
        lacks are merged into it, then they go to the trash and the group is gone. NotFound for a group that is
        not the owner's; Invalid (nothing changes) when keep is not a photo of the group."""
        group = self._group(owner_id, group_id)
        photos = self._photos(group)
        keeper = next((p for p in photos if p.id == keep), None)
        if keeper is None:
            raise Invalid("keep must be the id of one of the group's photos.", code="keep_not_in_group")
        others = [p for p in photos if p.id != keeper.id]
        saved = self.changes.change(keeper.id, owner_id, lambda p: photo_rules.merge_duplicates(p, others))
        if saved is None:  # trashed or deleted meanwhile
            raise NotFound("No such photo.", code="photo_not_found")
        for album_id in dict.fromkeys(a for p in others for a in p.albums if a not in saved.albums):
            if self.albums.get_album(album_id, owner_id) is not None:
                self.albums.add_to_album(album_id, [saved.id])
        retry_lost_races(lambda: self.store.delete_group(self._group_or(group)),
                         gave_up=GROUP_GAVE_UP)
        for other in others:
            try:
                self._trash(owner_id, other.id)
            except NotFound:
                pass  # trashed or deleted meanwhile
        return self.photos.get_photo(saved.id, owner_id) or saved

    def _group_or(self, group: D.DuplicateGroup) -> D.DuplicateGroup:
        """The group as stored now (its version), or as it was when already gone (delete is then a no-op)."""
        return self.store.get_group(group.id, group.owner_id) or group

    def dismiss(self, owner_id: str, group_id: str) -> None:
        """Not duplicates: the group goes, and its photos are never grouped together again."""
        group = self._group(owner_id, group_id)
        retry_lost_races(lambda: self.store.delete_group(self._group_or(group), dismissed=True),
                         gave_up=GROUP_GAVE_UP)
        log.info("duplicate group %s of %s dismissed", group.id, owner_id)


def _may_match(a: D.Fingerprint, b: D.Fingerprint) -> bool:
    """The candidate's fingerprint (from the index row) could match: identical pixels, or the looser burst
    thresholds (the rule proper runs on the photo, which has the camera and the time)."""
    like = D.likeness(a, b)
    return like is not None and (like.identical or (like.phash <= D.BURST_PHASH and like.dhash <= D.BURST_DHASH))
