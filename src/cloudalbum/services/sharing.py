"""Sharing (API.md "Sharing"): links anyone may open, and albums shared with other accounts.

What leaves an account carries only what the owner chose (DESIGN.md, principle 4):
* A link answers only for its own photos; an unknown, revoked or expired token is one and the same 404; a
  password-protected link answers 401 `share_password_required` until unlocked (a share session: 24 h, that
  share only, signed with the service key).
* Files leave stripped (media/strip.py): the stripped original is made once, on first request, under the
  photo's derived-blob prefix (`thumbnails/<owner>/<photo>/shared-original`, removed with the photo like its
  thumbnails and face crops) and served from that key, never from the original's. Thumbnails carry no metadata
  at all (media/thumbnails.py).
* Places are city level (never coordinates), faces and people's names are never shown.
* Tokens: 256 bits, HMAC-SHA256 of a random salt under the service key. The store keeps the salt and the
  token's SHA-256 (how a link is looked up), never the token: a leaked database opens no share, while the owner's
  list can still show each link.
"""

from __future__ import annotations

import base64
import builtins
import dataclasses
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..config import Settings
from ..domain.blob_keys import shared_original_key
from ..domain.errors import DomainError, Invalid, NotFound, Throttled, Unauthorized
from ..domain.model import Album, Page, Photo, iso, new_id, utcnow
from ..domain.sharing import ROLES, AlbumMember, Contribution, Share
from ..media.strip import strip
from ..ports import AlbumStore, BlobStore, Clock, PhotoStore, ShareStore, UserStore
from .search import check_limit

if TYPE_CHECKING:  # pragma: no cover
    from argon2 import PasswordHasher

MAX_PHOTOS = 500
MAX_ALBUM_PHOTOS = 2000  # what one share page lists
SESSION_TTL_S = 24 * 3600
MAX_PASSWORD = 256
PAGE = 200
NO_SUCH_SHARE = "No such share (the link may have been revoked or have expired)."


class DownloadNotAllowed(DomainError):
    code, status = "download_not_allowed", 403


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same(expected: str, given: str) -> bool:
    """Constant-time comparison that also takes what a client sent in any characters (never a TypeError)."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))


def parse_expiry(value: Any, now: datetime) -> str | None:
    """An ISO 8601 time in the future, as UTC ISO; Invalid (422) otherwise."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None:
        raise Invalid("expires_at must be an ISO 8601 date-time such as 2030-01-01T00:00:00Z.",
                      code="validation_error")
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when <= now:
        raise Invalid("expires_at must be in the future.", code="validation_error")
    return iso(when.astimezone(UTC))


@dataclasses.dataclass
class SharedFile:
    """What a public or member route serves: a signed URL of the stripped blob, or its key to stream."""

    key: str
    content_type: str
    filename: str
    url: str | None


class ShareService:
    def __init__(self, *, users: UserStore, photos: PhotoStore, albums: AlbumStore, shares: ShareStore,
                 blobs: BlobStore, settings: Settings, clock: Clock, hasher: Callable[[], PasswordHasher]) -> None:
        self.users = users  # accounts members are found by; counters that throttle requests and guesses
        self.photos, self.albums, self.shares, self.blobs = photos, albums, shares, blobs
        self.settings, self.clock = settings, clock
        self._hasher = hasher  # the AuthService's (bounded Argon2id) hasher, looked up when needed

    # --- the owner's links ---------------------------------------------------------------------------------

    def create(self, owner_id: str, body: dict[str, Any]) -> tuple[Share, str]:
        album_id, photo_ids = body.get("album_id"), body.get("photo_ids")
        if (album_id is None) == (photo_ids is None):
            raise Invalid('Give either "album_id" or "photo_ids".', code="validation_error")
        share = Share(id=new_id(), owner_id=owner_id, token_hash="", token_salt=secrets.token_urlsafe(24),
                      created_at=iso(utcnow()),
                      expires_at=parse_expiry(body.get("expires_at"), self._now()),
                      show_location=bool(body.get("show_location", False)),
                      allow_download=bool(body.get("allow_download", True)))
        if album_id is not None:
            if not isinstance(album_id, str) or self.albums.get_album(album_id, owner_id) is None:
                raise NotFound("No such album.", code="album_not_found")
            share.album_id = album_id
        else:
            share.photo_ids = self._own_photos(owner_id, photo_ids)
        password = body.get("password")
        if password is not None:
            if not isinstance(password, str) or not 1 <= len(password) <= MAX_PASSWORD:
                raise Invalid(f"password is 1 to {MAX_PASSWORD} characters.", code="validation_error")
            share.password_hash = self._hasher().hash(password)
        token = self.token_of(share)
        share.token_hash = token_hash(token)
        self.shares.add_share(share)
        return share, token

    def _own_photos(self, owner_id: str, photo_ids: Any) -> list[str]:
        if not isinstance(photo_ids, list) or not 1 <= len(photo_ids) <= MAX_PHOTOS or not all(
                isinstance(p, str) for p in photo_ids):
            raise Invalid(f"photo_ids lists 1 to {MAX_PHOTOS} photo ids.", code="validation_error")
        ids = list(dict.fromkeys(photo_ids))
        for pid in ids:
            if self.photos.get_photo(pid, owner_id) is None:
                raise NotFound(f"No such photo: {pid}", code="photo_not_found")
        return ids

    def token_of(self, share: Share) -> str:
        mac = hmac.new(self.settings.signing_key.encode(), f"share-token:{share.token_salt}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")

    def list(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        return self.shares.list_shares(owner_id, limit=check_limit(limit), cursor=cursor)

    def revoke(self, owner_id: str, share_id: str) -> None:
        if not self.shares.delete_share(share_id, owner_id):
            raise NotFound("No such share.", code="share_not_found")

    # --- the public side -----------------------------------------------------------------------------------

    def count_request(self, client: str | None) -> None:
        """Public routes: at most share_requests_per_min per client address and minute (429 beyond)."""
        n = self.users.hit(f"share-req:{client or '-'}", window_s=60, now=self.clock.now())
        if n > self.settings.share_requests_per_min:
            raise Throttled("Too many requests for shared photos: wait a minute.", retry_after_s=60)

    def open(self, token: Any, session: str | None = None) -> Share:
        """The live share of a token; NotFound (always the same) for an unknown, revoked or expired one,
        Unauthorized `share_password_required` for a locked one without a valid session."""
        share = self._live(token)
        if share.password_hash and not self._session_ok(share, session):
            raise Unauthorized("This share is protected by a password: unlock it first.",
                               code="share_password_required")
        return share

    def _live(self, token: Any) -> Share:
        if not isinstance(token, str) or not 20 <= len(token) <= 100:
            raise NotFound(NO_SUCH_SHARE, code="share_not_found")
        share = self.shares.share_by_token_hash(token_hash(token))
        if share is None or not same(self.token_of(share), token):
            raise NotFound(NO_SUCH_SHARE, code="share_not_found")
        if share.expires_at and datetime.fromisoformat(share.expires_at) <= self._now():
            raise NotFound(NO_SUCH_SHARE, code="share_not_found")
        return share

    def unlock(self, token: Any, password: Any, client: str | None) -> str:
        share = self._live(token)
        if not share.password_hash:
            return self._session(share)
        keys = [f"share-pw:{share.id}", f"share-pw-ip:{client or '-'}"]
        limits = [self.settings.login_max_failures * 4, self.settings.login_max_failures * 2]
        window, now = self.settings.login_window_s, self.clock.now()
        # Each attempt takes its slot under both keys before the (costly) verification, atomically in the store,
        # so concurrent guesses cannot all slip under the limit; a right password gives its slots back, a wrong
        # one keeps them (they are the failures). As sign-in does (AuthService).
        taken: list[str] = []
        for key, limit in zip(keys, limits, strict=True):
            taken.append(key)
            if self.users.hit(key, window_s=window, now=now) > limit:
                self._give_back(taken, window, now)
                raise Throttled("Too many wrong passwords: wait a few minutes.", retry_after_s=window)
        try:
            ok = isinstance(password, str) and len(password) <= MAX_PASSWORD and self._hasher().verify(
                share.password_hash, password)
        except Exception:
            ok = False
        if not ok:
            raise Unauthorized("Wrong password.", code="wrong_password")
        self._give_back(taken, window, now)
        return self._session(share)

    def _give_back(self, keys: Sequence[str], window: int, now: float) -> None:
        for key in keys:
            self.users.unhit(key, window_s=window, now=now)

    def _session(self, share: Share) -> str:
        expires = int(self.clock.now()) + SESSION_TTL_S
        payload = f"{share.id}.{expires}"
        return f"{payload}.{self._sign(payload)}"

    def _session_ok(self, share: Share, session: str | None) -> bool:
        if not session or session.count(".") != 2:
            return False
        share_id, expires, sig = session.split(".")
        if not same(self._sign(f"{share_id}.{expires}"), sig) or share_id != share.id:
            return False
        return expires.isdigit() and int(expires) > self.clock.now()

    def _sign(self, payload: str) -> str:
        mac = hmac.new(self.settings.signing_key.encode(), f"share-session:{payload}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")

    def view(self, share: Share) -> dict[str, Any]:
        """`{"title", "photos": [...]}`: only what a share may show."""
        photos = self.photos_of(share)
        title = f"{len(photos)} photos"
        if share.album_id:
            album = self.albums.get_album(share.album_id, share.owner_id)
            if album is None:  # the album was deleted: its link is gone like a revoked one
                raise NotFound(NO_SUCH_SHARE, code="share_not_found")
            title = album.name
        return {"title": title, "photos": [public_photo(p, share.show_location) for p in photos],
                "allow_download": share.allow_download}

    def photos_of(self, share: Share) -> builtins.list[Photo]:
        """The share's photos that still exist (deleted ones disappear), newest taken first for an album."""
        if share.album_id is None:
            found = [self.photos.get_photo(pid, share.owner_id) for pid in share.photo_ids]
            return [p for p in found if p is not None]
        if self.albums.get_album(share.album_id, share.owner_id) is None:
            return []
        out: builtins.list[Photo] = []
        cursor = None
        while len(out) < MAX_ALBUM_PHOTOS:
            page = self.albums.album_photos(share.album_id, share.owner_id, limit=PAGE, cursor=cursor)
            out += page.items
            cursor = page.next_cursor
            if not cursor:
                break
        return out[:MAX_ALBUM_PHOTOS]

    def photo(self, share: Share, photo_id: str) -> Photo:
        """A photo of the share; any other id (the owner's other photos included) is missing."""
        photo = self.photos.get_photo(photo_id, share.owner_id) if isinstance(photo_id, str) else None
        if photo is None or not (photo.id in share.photo_ids if share.album_id is None
                                 else share.album_id in photo.albums):
            raise NotFound("No such photo.")
        return photo

    def thumbnail(self, photo: Photo, size: str) -> SharedFile:
        if size not in ("small", "large"):
            raise Invalid("size must be one of small, large.", code="validation_error")
        key = photo.thumbnail_keys.get(size)
        if not key:
            raise NotFound("The thumbnail is not ready yet.", code="thumbnail_not_ready")
        url = self.blobs.signed_url(key, expires_s=self.settings.signed_url_expiry_s, content_type="image/jpeg")
        stem = photo.filename.rsplit(".", 1)[0] or "photo"
        return SharedFile(key, "image/jpeg", f"{stem}-{size}.jpg", url)

    def original(self, photo: Photo, share: Share | None = None) -> SharedFile:
        """The stripped original: made once under its own key, served from there (signed URL in AWS). 403 when
        the share does not allow downloads."""
        if share is not None and not share.allow_download:
            raise DownloadNotAllowed("The owner did not allow downloads of this share.")
        key = shared_original_key(photo.owner_id, photo.id)
        if not self.blobs.exists(key):
            clean = strip(self.blobs.get(photo.original_key), photo.content_type)
            self.blobs.put(key, clean, content_type=photo.content_type)
        url = self.blobs.signed_url(key, expires_s=self.settings.signed_url_expiry_s, filename=photo.filename,
                                    content_type=photo.content_type)
        return SharedFile(key, photo.content_type, photo.filename, url)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), UTC)

    # --- members -------------------------------------------------------------------------------------------

    def add_member(self, owner_id: str, album_id: str, email: Any, role: Any,
                   show_location: Any = False) -> tuple[AlbumMember, bool, str]:
        """(member, created, email). 404 for an album that is not the owner's, 404 no_such_user."""
        if self.albums.get_album(album_id, owner_id) is None:
            raise NotFound("No such album.", code="album_not_found")
        if role not in ROLES:
            raise Invalid(f"role must be one of {', '.join(ROLES)}.", code="validation_error")
        user = self.users.user_by_email(email) if isinstance(email, str) and 0 < len(email) <= 320 else None
        if user is None:
            raise NotFound("No account has this email.", code="no_such_user")
        if user.id == owner_id:
            raise Invalid("The album is yours already.", code="validation_error")
        member = AlbumMember(album_id=album_id, user_id=user.id, owner_id=owner_id, role=role,
                             added_at=iso(utcnow()), show_location=bool(show_location))
        created = self.shares.put_member(member)
        return member, created, user.email

    def remove_member(self, owner_id: str, album_id: str, user_id: str) -> None:
        if self.albums.get_album(album_id, owner_id) is None:
            raise NotFound("No such album.", code="album_not_found")
        if not self.shares.remove_member(album_id, user_id):
            raise NotFound("No such member.", code="member_not_found")
        self.shares.remove_contributions(album_id, user_id)  # their photos leave the album (and stay theirs)

    def shared_with_me(self, user_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of (album, owner email, role); albums deleted since are left out."""
        page = self.shares.shared_with(user_id, limit=check_limit(limit), cursor=cursor)
        items = []
        for member in page.items:
            album = self.albums.get_album(member.album_id, member.owner_id)
            owner = self.users.user_by_id(member.owner_id)
            if album is not None and owner is not None:
                items.append((album, owner.email, member.role))
        return Page(items, page.next_cursor)

    def membership(self, user_id: str, album_id: str) -> AlbumMember | None:
        """The user's membership of the album, or None: one key read (deleting an album deletes its members
        first in both stores, so a membership never outlives its album)."""
        return self.shares.get_member(album_id, user_id) if isinstance(album_id, str) and album_id else None

    def member_photo(self, user_id: str, photo_id: str) -> tuple[Photo, AlbumMember]:
        """Another owner's photo the user may read: as a member of an album of its owner it is in, or (a
        contributed photo, shown without its location) as the album's owner or one of its members. The
        membership comes back (for a contributed photo one with show_location off); NotFound otherwise."""
        photo = self.photos.get_photo(photo_id, None) if isinstance(photo_id, str) and photo_id else None
        if photo is None or photo.owner_id == user_id:
            raise NotFound("No such photo.")
        for album_id in photo.albums:
            member = self.membership(user_id, album_id)
            if member is not None and member.owner_id == photo.owner_id:
                return photo, member
        for c in self.shares.contributions_of_photo(photo.id):
            if c.contributor_id != photo.owner_id:
                continue
            member = self.membership(user_id, c.album_id) if c.owner_id != user_id else None
            if c.owner_id == user_id and self.albums.get_album(c.album_id, user_id) is not None or member:
                return photo, AlbumMember(album_id=c.album_id, user_id=user_id, owner_id=c.owner_id,
                                          role=member.role if member else "owner", added_at=c.added_at)
        raise NotFound("No such photo.")

    # --- contributors --------------------------------------------------------------------------------------

    def contribute(self, user_id: str, album_id: str, photo_ids: Any) -> Album | None:
        """A contributor adds their own photos to another owner's album (they stay theirs). None when the user
        owns the album or is no contributor of it: the album service answers then (owner path, or 404)."""
        member = self.membership(user_id, album_id)  # one GetItem for an owner (never a member of their album)
        if member is None or member.role != "contributor":
            return None
        if not isinstance(photo_ids, list) or not 1 <= len(photo_ids) <= MAX_PHOTOS:
            raise Invalid(f"photo_ids lists 1 to {MAX_PHOTOS} photo ids.", code="validation_error")
        ids = list(dict.fromkeys(photo_ids))
        for pid in ids:
            if not isinstance(pid, str) or self.photos.get_photo(pid, user_id) is None:
                raise NotFound(f"No such photo: {pid}", code="photo_not_found")
        now = iso(utcnow())
        for pid in ids:
            self.shares.add_contribution(Contribution(album_id=album_id, photo_id=pid, contributor_id=user_id,
                                                     owner_id=member.owner_id, added_at=now))
        album = self.albums.get_album(album_id, member.owner_id)
        if album is None:
            raise NotFound("No such album.", code="album_not_found")
        return album

    def contributed_page(self, album_id: str, *, limit: int, cursor: str | None) -> Page:
        """Page of the photos contributors added to the album that still exist (a cursor of its own)."""
        page = self.shares.contributions(album_id, limit=check_limit(limit), cursor=cursor or None)
        photos = [self.photos.get_photo(c.photo_id, c.contributor_id) for c in page.items]
        return Page([p for p in photos if p is not None], page.next_cursor)

    def has_contributions(self, album_id: str) -> bool:
        return bool(self.shares.contributions(album_id, limit=1).items)


def public_photo(photo: Photo, show_location: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"id": photo.id, "width": photo.width, "height": photo.height, "taken_at": photo.taken_at}
    place = photo.location.place if photo.location else None
    if show_location and place is not None:
        out["place"] = {"city": place.city, "region": place.region, "country": place.country,
                        "country_code": place.country_code}
    return out


def member_view(photo: Photo, member: AlbumMember) -> Photo:
    """The photo as a member sees it: no faces or people, no answers, only the shared album, and the location
    only when the owner allowed it."""
    return dataclasses.replace(photo, faces=[], answers=[], albums=[member.album_id],
                               location=photo.location if member.show_location else None)

