"""Share links, album members and contributions."""

from __future__ import annotations

from typing import Protocol

from ..domain.model import Page
from ..domain.sharing import AlbumMember, Contribution, Share


class ShareStore(Protocol):
    """Share links and album members. Not part of MetadataStore's isinstance check: both stores implement it."""

    def add_share(self, share: Share) -> None: ...

    def get_share(self, share_id: str, owner_id: str) -> Share | None:
        """Another owner's share is None, as a missing one."""

    def share_by_token_hash(self, token_hash: str) -> Share | None:
        """One key lookup (DynamoDB: GetItem), never a scan."""

    def list_shares(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of Share, newest first."""

    def delete_share(self, share_id: str, owner_id: str) -> bool:
        """True when it existed (and was the owner's)."""

    def put_member(self, member: AlbumMember) -> bool:
        """Add or overwrite (role, show_location). True when the member is new."""

    def get_member(self, album_id: str, user_id: str) -> AlbumMember | None: ...

    def remove_member(self, album_id: str, user_id: str) -> bool: ...

    def shared_with(self, user_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of AlbumMember of the albums shared with the user, newest first."""

    def add_contribution(self, contribution: Contribution) -> None:
        """Idempotent per (album, photo)."""

    def contributions(self, album_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of Contribution of the album, newest added first."""

    def contributions_of_photo(self, photo_id: str) -> list[Contribution]:
        """The albums a photo was contributed to (strongly consistent: a removed one is gone at once)."""

    def remove_contributions(self, album_id: str, contributor_id: str) -> None:
        """Every photo the contributor added to the album leaves it (the photos stay theirs)."""

