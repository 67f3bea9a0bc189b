"""Sharing (API.md "Sharing"): links, album members, the public view of a share, and the albums shared
with the signed-in user."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Email, Integer, List, Nested, String
from apiflask.validators import Length, OneOf

from .albums import AlbumOut
from .common import PageQuery, page_of
from .photos import PlaceOut


class ShareIn(Schema):
    album_id = String(validate=Length(min=1, max=100))
    photo_ids = List(String(validate=Length(min=1, max=100)), validate=Length(min=1, max=500))
    expires_at = String(allow_none=True, validate=Length(max=40))
    password = String(allow_none=True, validate=Length(min=1, max=256))
    show_location = Boolean(load_default=False)
    allow_download = Boolean(load_default=True)


class ShareOut(Schema):
    id = String(required=True)
    token = String(required=True)
    url = String(required=True)
    album_id = String(allow_none=True)
    photo_ids = List(String())
    created_at = String()
    expires_at = String(allow_none=True)
    password = Boolean(metadata={"description": "Whether the link asks for a password"})
    show_location = Boolean()
    allow_download = Boolean()


ShareListOut = page_of(ShareOut, "SharePage")


class PublicPhotoOut(Schema):
    id = String(required=True)
    width = Integer(allow_none=True)
    height = Integer(allow_none=True)
    taken_at = String(allow_none=True)
    place = Nested(PlaceOut)


class PublicShareOut(Schema):
    title = String(required=True)
    photos = List(Nested(PublicPhotoOut), required=True)
    allow_download = Boolean(metadata={"description": "Whether the originals may be downloaded"})


class UnlockIn(Schema):
    password = String(required=True, validate=Length(max=256))


class UnlockOut(Schema):
    share_session = String(required=True)


class MemberIn(Schema):
    email = Email(required=True, validate=Length(max=320))
    role = String(required=True, validate=OneOf(["viewer", "contributor"]))
    show_location = Boolean(load_default=False)


class MemberOut(Schema):
    user_id = String(required=True)
    email = String(required=True)
    role = String(required=True)
    show_location = Boolean()


# --- albums shared with me (GET /api/albums?shared_with_me=true) ----------------------------------------


class AlbumListQuery(PageQuery):
    shared_with_me = Boolean(load_default=False)


class OwnerOut(Schema):
    email = String(required=True)


class SharedAlbumOut(AlbumOut):
    owner = Nested(OwnerOut, metadata={"description": "shared_with_me only: whose album it is"})
    role = String(metadata={"description": "shared_with_me only: viewer or contributor"})


SharedAlbumPage = page_of(SharedAlbumOut, "SharedAlbumPage")
