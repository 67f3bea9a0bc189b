"""The DynamoDB keys of sharing (share links, album members, contributions), beside keys.py (which stays under
400 lines). A share and its token lookup have partitions of their own (SHARE#, SHARETOKEN#), which the processing
function's LeadingKeys do not allow; members and contributions live in the album's partition.
"""

from __future__ import annotations

from .keys import album_key


def share_key(share_id: str) -> dict[str, str]:
    return {"PK": f"SHARE#{share_id}", "SK": "SHARE"}


def share_token_key(token_hash: str) -> dict[str, str]:
    """The share id of a link, by the sha256 of its token (written and deleted with the share)."""
    return {"PK": f"SHARETOKEN#{token_hash}", "SK": "SHARETOKEN"}


def owner_shares_pk(owner_id: str) -> str:
    """GSI1: an owner's shares, newest first (GSI1SK = <created_at>#<id>)."""
    return f"OWNER#{owner_id}#SHARES"


def member_key(album_id: str, user_id: str) -> dict[str, str]:
    """A member of an album, in the album's partition."""
    return {"PK": album_key(album_id)["PK"], "SK": f"MEMBER#{user_id}"}


def member_of_pk(user_id: str) -> str:
    """GSI1: the albums shared with a user, newest first (GSI1SK = <added_at>#<album>)."""
    return f"MEMBER#{user_id}"


def contribution_key(album_id: str, added_at: str, photo_id: str) -> dict[str, str]:
    """A photo contributed to an album, in the album's partition."""
    return {"PK": album_key(album_id)["PK"], "SK": f"CONTRIB#{added_at}#{photo_id}"}


def contributed_pk(photo_id: str) -> str:
    """GSI1: the albums a photo was contributed to (GSI1SK = album id)."""
    return f"CONTRIB#{photo_id}"
