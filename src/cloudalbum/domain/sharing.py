"""Shares (links anyone may open) and album members (accounts an album is shared with): plain data, no I/O.

A share never stores its token: only `token_hash` (SHA-256 of the token), which is how a link is looked up.
The token is an HMAC of the share's random `token_salt` under the service's key, so the owner's list can show
the link again while the store alone (a leaked backup) cannot open any share.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("viewer", "contributor")


@dataclass
class Share:
    id: str
    owner_id: str
    token_hash: str
    token_salt: str
    created_at: str
    album_id: str | None = None
    photo_ids: list[str] = field(default_factory=list)
    expires_at: str | None = None  # ISO 8601 UTC; None: until revoked
    password_hash: str | None = None  # Argon2id
    show_location: bool = False
    allow_download: bool = True


@dataclass
class AlbumMember:
    album_id: str
    user_id: str
    owner_id: str
    role: str  # viewer | contributor
    added_at: str
    show_location: bool = False


@dataclass
class Contribution:
    """A contributor's own photo in another owner's album: it stays the contributor's, and leaves the album
    when the contributor stops being a member."""

    album_id: str
    photo_id: str
    contributor_id: str
    owner_id: str  # the album's owner
    added_at: str
