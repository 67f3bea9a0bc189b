"""GPS tracks: POST /api/tracks (issue 16)."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import File, Integer, String
from apiflask.validators import Length


class TrackForm(Schema):
    file = File(required=True, metadata={"description": "A GPX 1.0 or 1.1 file with timed track points"})
    tz = String(validate=Length(min=1, max=64), metadata={
        "description": "IANA time zone (e.g. Europe/Rome) of the camera's clock, for photos whose time has no UTC "
                       "offset; without it such times are read as UTC"})


class TrackOut(Schema):
    points = Integer(required=True, metadata={"description": "Timed points read from the file"})
    photos_located = Integer(required=True, metadata={
        "description": "Your photos taken during the track that it placed (source \"track\")"})
