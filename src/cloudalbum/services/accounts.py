"""The signed-in user's account: what it holds (GET /api/me), and deleting it with everything in it (API.md
"Accounts and limits"), in both shapes, in the request.

Order: the user's sessions end first (no request of theirs starts after this), then the library goes, then
the account (sign-in fails from here on), then the library is swept once more for anything a request or a
job that was already in flight wrote meanwhile. The account items are deleted here, by the API, never by the
processing function (which has no access to them in the AWS shape).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from ..domain.blob_keys import owner_prefixes
from ..domain.errors import Unauthorized
from ..domain.times import zone as time_zone
from ..ports import BlobStore, MetadataStore, ShareStore
from .auth import AuthService, Principal, failures_key, password_key
from .limits import LimitsService, limit_keys

log = logging.getLogger("cloudalbum.accounts")

@dataclass(frozen=True)
class AccountSummary:
    """The user and their usage: photos and bytes of originals stored, the quota (None: none), and the photos
    in the trash (they count until purged)."""

    id: str
    email: str
    photo_count: int
    storage_bytes: int
    quota_bytes: int | None
    trash_count: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class AccountService:
    """Deleting an account touches every repository of the owner's library, so this one service holds the
    whole MetadataStore."""

    def __init__(self, store: MetadataStore, blobs: BlobStore, auth: AuthService,
                 shares: ShareStore | None = None, limits: LimitsService | None = None) -> None:
        self.store, self.blobs, self.auth, self.shares, self.limits = store, blobs, auth, shares, limits

    def summary(self, user_id: str) -> AccountSummary:
        """Unauthorized when the account was deleted since the caller's token was issued."""
        user = self.store.users.user_by_id(user_id)
        if user is None:
            raise Unauthorized("This account no longer exists.")
        count, used = self.store.photos.usage(user_id)
        quota = self.limits.quota_bytes() if self.limits is not None else None
        return AccountSummary(id=user.id, email=user.email, photo_count=count, storage_bytes=used,
                              quota_bytes=quota, trash_count=self.store.limits.trash_count(user_id))

    def timezone(self, user_id: str) -> str | None:
        """The account's time zone (IANA), or None: the default zone of a GPS track's photo times."""
        return self.store.users.timezone_of(user_id)

    def set_timezone(self, user_id: str, timezone: str | None) -> str | None:
        """Set (None or "": clear) the account's zone; Invalid (422) for one that is not an IANA name."""
        time_zone(timezone)
        self.store.users.set_timezone(user_id, timezone or None)
        return timezone or None

    def delete(self, principal: Principal, password: Any) -> None:
        """Unauthorized for a wrong password (nothing changes); otherwise the account and its library are
        gone when this returns."""
        self.auth.check_password(principal, password)
        uid = principal.user_id
        self.store.users.revoke_user_sessions(uid)
        self.purge_library(uid)
        self.store.users.delete_user(uid)
        self.purge_library(uid)
        log.info("account %s deleted", uid)

    def purge_library(self, owner_id: str) -> None:
        """Every record and blob of the owner (idempotent)."""
        self._purge_sharing(owner_id)
        self.store.delete_owner_data(owner_id)
        for prefix in owner_prefixes(owner_id):
            for key in list(self.blobs.keys(prefix)):
                self.blobs.delete(key)
        for key in (password_key(owner_id), failures_key(password_key(owner_id))):
            self.store.users.clear_hits(key)
        self.store.limits.clear_face_scan(owner_id)
        for key in limit_keys(owner_id):
            self.store.limits.forget_slots(key)

    def _purge_sharing(self, user_id: str) -> None:
        """The user's share links (with their token pointers), and their memberships of other people's albums
        with the photos they contributed there. Each pass deletes what it read, so it reads from the top again
        until nothing is left. Shared albums of the user's own go with their albums (members included)."""
        if self.shares is None:
            return
        while shares := self.shares.list_shares(user_id, limit=200).items:
            for share in shares:
                self.shares.delete_share(share.id, user_id)
        while memberships := self.shares.shared_with(user_id, limit=200).items:
            for member in memberships:
                self.shares.remove_contributions(member.album_id, user_id)
                self.shares.remove_member(member.album_id, user_id)
