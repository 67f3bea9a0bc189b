"""The DynamoDB table design, as pure functions: key schema, item keys, sort keys, search index entries
(cursors: cursors.py).

docs/dynamodb.md explains every access pattern and which key or index serves it; this module is its code.
One table, generic key names (PK, SK) and three overloaded global secondary indexes (GSI1..GSI3), so the SAM
template mirrors a single definition. No function here does I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ...domain.duplicates import key_rows
from ...domain.model import Photo, PhotoStatus, Question, iso
from ...domain.places import place_role
from ...domain.search import fold, label_key, person_key, place_names, plain_words, text_fields, words
from ...domain.times import KEY_TEMPLATE, instant_key, taken_seconds
from .geohash import GEO_PRECISIONS, geohash
from .instants import instant_sk

TTL_ATTRIBUTE = "expires_epoch"
TEXT_PREFIX = 3  # free-text index entries are the first letters of each word
TEXT_WORD_MAX = 64  # text= index entries: a word read in the photo, folded, cut to this many characters
STALE_STATUSES = (PhotoStatus.UPLOADED.value, PhotoStatus.PROCESSING.value)  # sparse GSI3 for stale_photos
# Pending work (stale uploads in GSI3, pending blob cleanups in the base table) is spread over this many
# partitions by a hash of the photo id, so no key is written by every upload of every user (one partition takes
# about 1,000 writes a second). Maintenance reads every shard. Raise it only: readers query 0..N-1, so a
# lowered N would hide entries written to the higher shards.
PENDING_SHARDS = 16
# Partition-key prefixes of the items a user's photos and their derived data live in (the processing function's
# IAM `dynamodb:LeadingKeys`, deploy/template.yaml). Account items (USER#, EMAIL#, SESSION#, TOKEN#, HITS#)
# are not among them: a per-user item the worker needs lives under OWNER#<id> instead.
WORKER_PREFIXES = ("PHOTO#", "IX#", "QUESTION#", "FACE#", "PERSON#", "OWNER#")
ACCOUNT_PREFIXES = ("USER#", "EMAIL#", "SESSION#", "TOKEN#", "HITS#")

# --- item keys ----------------------------------------------------------------------------------------------


def user_key(user_id: str) -> dict[str, str]:
    return {"PK": f"USER#{user_id}", "SK": "USER"}


def email_key(email: str) -> dict[str, str]:
    return {"PK": f"EMAIL#{email.strip().lower()}", "SK": "EMAIL"}


def owner_pk(owner_id: str) -> str:
    """The partition of an owner's per-user items the worker may touch (usage, face setting): not USER#<id>,
    which holds the account (password hash) the worker must never read."""
    return f"OWNER#{owner_id}"


def usage_key(owner_id: str) -> dict[str, str]:
    return {"PK": owner_pk(owner_id), "SK": "USAGE"}


MONTH_PREFIX, UNDATED_MONTH = "MONTH#", "undated"  # "undated" sorts after every "YYYY-MM"

def month_key(owner_id: str, month: str | None) -> dict[str, str]:
    """The owner's photo counter of one month ("YYYY-MM" of the local taken day; None: undated), beside the
    usage counter: GET /api/timeline is one Query of the OWNER# partition's MONTH# items."""
    return {"PK": owner_pk(owner_id), "SK": f"{MONTH_PREFIX}{month or UNDATED_MONTH}"}


def session_key(session_id: str) -> dict[str, str]:
    return {"PK": f"SESSION#{session_id}", "SK": "SESSION"}


def token_key(jti: str) -> dict[str, str]:
    return {"PK": f"TOKEN#{jti}", "SK": "TOKEN"}


def hits_pk(key: str) -> str:
    return f"HITS#{key}"


def hits_bucket(now: float, window_s: int) -> int:
    """The start of now's throttling bucket: a tenth of the window, so a count covers the window and at most
    a tenth more."""
    width = max(1, window_s // 10)
    return int(now // width) * width


def hits_sk(bucket: int) -> str:
    return f"B#{max(0, bucket):012d}"


def user_auth_pk(user_id: str) -> str:
    """GSI1: a user's sessions (GSI1SK `SESSION#<id>`) and refresh tokens (`TOKEN#<jti>`)."""
    return f"AUTH#{user_id}"


def photo_key(photo_id: str) -> dict[str, str]:
    return {"PK": f"PHOTO#{photo_id}", "SK": "PHOTO"}


def sha_key(owner_id: str, sha256: str) -> dict[str, str]:
    """The claim of one owner's identical bytes: written with the photo item, conditionally, in one transaction,
    so two uploads of the same file never both become photos (identical files once, issue 15)."""
    return {"PK": f"SHA#{owner_id}#{sha256}", "SK": "SHA"}


def album_key(album_id: str) -> dict[str, str]:
    return {"PK": f"ALBUM#{album_id}", "SK": "ALBUM"}


def question_key(question_id: str) -> dict[str, str]:
    return {"PK": f"QUESTION#{question_id}", "SK": "QUESTION"}


def owner_photos_pk(owner_id: str) -> str:
    """GSI1: an owner's photos, newest first (GSI1SK = position)."""
    return f"OWNER#{owner_id}#PHOTOS"


def owner_status_pk(owner_id: str, status: str) -> str:
    """GSI2: an owner's photos in one status, newest first."""
    return f"OWNER#{owner_id}#STATUS#{status}"


def owner_trash_pk(owner_id: str) -> str:
    """GSI1 of a trashed photo instead of its lists: the owner's trash, newest first (GSI1SK = stale_sk of its
    trashed_at)."""
    return f"OWNER#{owner_id}#TRASH"


def trash_shard_pk(shard: int) -> str:
    """GSI3 of a trashed photo (sparse): every owner's trash by time in PENDING_SHARDS partitions (the purge)."""
    return f"TRASH#{shard}"


def shard_of(photo_id: str) -> int:
    """A photo's pending-work shard: stable, spread evenly (sha1 of the id, not Python's salted hash)."""
    return int.from_bytes(hashlib.sha1(photo_id.encode()).digest()[:4], "big") % PENDING_SHARDS


def stale_pk(status: str, photo_id: str) -> str:
    """GSI3 (sparse: uploaded and processing only): photos by upload time, for maintenance, in one of
    PENDING_SHARDS partitions per status."""
    return stale_shard_pk(status, shard_of(photo_id))


def stale_shard_pk(status: str, shard: int) -> str:
    return f"STALE#{status}#{shard}"


def stale_sk(uploaded_at: str, photo_id: str) -> str:
    """GSI3SK of an unfinished photo: its upload time in UTC (comparable across the shards), then its id."""
    return f"{utc_iso(uploaded_at)}#{photo_id}"


def utc_iso(value: str) -> str:
    """An ISO time as GSI3SK holds it (UTC; a time without a zone is taken as UTC), also stale_photos' bound."""
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return iso(dt.astimezone(UTC))


def pending_shard_pk(shard: int) -> str:
    """Base table: pending blob cleanups (uploads in flight, deleted photos), SK = <since>#<photo id>."""
    return f"PENDING#{shard}"


def pending_key(photo_id: str, since: str) -> dict[str, str]:
    return {"PK": pending_shard_pk(shard_of(photo_id)), "SK": f"{since}#{photo_id}"}


def owner_albums_pk(owner_id: str) -> str:
    """GSI1: an owner's albums, newest first."""
    return f"OWNER#{owner_id}#ALBUMS"


def open_questions_pk(owner_id: str) -> str:
    """GSI2 (sparse: open questions only): an owner's open questions, highest score first."""
    return f"OWNER#{owner_id}#OPENQ"


def question_rank(q: Question) -> str:
    """GSI2SK of an open question, read descending: highest score first, then oldest, then id."""
    score = max(-1e9, min(float(q.score), 1e9)) + 1e9
    return f"{score:021.6f}#{_invert(q.created_at)}#{_invert(q.id)}"


def _invert(text: str) -> str:
    """A string whose ascending order is text's descending order (printable ASCII; terminated so a prefix
    still sorts first once inverted)."""
    return "".join(chr(0x7E - (ord(c) - 0x20)) if 0x20 <= ord(c) <= 0x7E else c for c in text) + "\x7f"


def photo_questions_pk(photo_id: str) -> str:
    """GSI3: every question about one photo."""
    return f"PHOTO#{photo_id}#QUESTIONS"


def face_key(face_id: str) -> dict[str, str]:
    return {"PK": f"FACE#{face_id}", "SK": "FACE"}


def person_item_key(person_id: str) -> dict[str, str]:
    """The person item's key (domain.search.person_key is something else: a name's folded form)."""
    return {"PK": f"PERSON#{person_id}", "SK": "PERSON"}


def face_settings_key(owner_id: str) -> dict[str, str]:
    return {"PK": owner_pk(owner_id), "SK": "FACESETTINGS"}


def photo_faces_pk(photo_id: str) -> str:
    """GSI1: the faces of one photo, left to right (GSI1SK = face_x_rank)."""
    return f"PHOTO#{photo_id}#FACES"


def person_faces_pk(owner_id: str, person_id: str) -> str:
    """GSI2 (sparse: faces with a person only): one person's faces, oldest first (GSI2SK = created_at#id)."""
    return f"OWNER#{owner_id}#PERSON#{person_id}#FACES"


def owner_faces_pk(owner_id: str) -> str:
    """GSI3: every face of an owner (forgetting face data)."""
    return f"OWNER#{owner_id}#FACES"


def owner_people_pk(owner_id: str) -> str:
    """GSI1: an owner's people, most photos first (GSI1SK = people_rank, read ascending)."""
    return f"OWNER#{owner_id}#PEOPLE"


X_OFFSET = 10 ** 9  # box x may be slightly negative (a face cut by the frame's edge)
MAX_COUNT = 10 ** 12 - 1


def face_x_rank(x: float, face_id: str) -> str:
    """GSI1SK of a face: ascending = left to right (int(box.x), as the SQLite store), then id."""
    return f"{max(0, min(int(x) + X_OFFSET, 2 * X_OFFSET)):010d}#{face_id}"


def people_rank(photo_count: int, person_id: str) -> str:
    """GSI1SK of a person: ascending = photo_count descending, then id ascending. The count is stored as its
    complement to MAX_COUNT, zero-padded, so a string's ascending order is the count's descending order and a
    save that changes the count moves the person by rewriting this one attribute."""
    return f"{MAX_COUNT - max(0, min(int(photo_count), MAX_COUNT)):012d}#{person_id}"


# --- limits (the owner's quota reservations live on the usage item) --------------------------------------------


def limit_key(key: str) -> dict[str, str]:
    """A counted event's fixed window (services.limits names the key)."""
    return {"PK": f"LIMIT#{key}", "SK": "LIMIT"}


def face_scan_key(owner_id: str) -> dict[str, str]:
    """The owner's face scan claim: under OWNER#, which the worker may read (it may not read USER#)."""
    return {"PK": owner_pk(owner_id), "SK": "FACESCAN"}


# --- batch edits (issue 15.5): under the owner (another owner's id is simply not there), expiring by TTL -------


def batch_key(owner_id: str, batch_id: str, photo_id: str | None = None) -> dict[str, str]:
    """A batch, `BATCH#<id>`, or one photo's entry of it, `BATCH#<id>#P#<photo>` (photo_id "": the prefix one
    Query reads every entry with; batch_id "" too: every batch item of the owner)."""
    return {"PK": owner_pk(owner_id), "SK": f"BATCH#{batch_id}" + (f"#P#{photo_id}" if photo_id is not None else "")}


def dup_key(owner_id: str, kind: str, *parts: str) -> dict[str, str]:
    """Duplicates (issue 15.2), under the owner: a group `DUPG#<id>`, a photo's open group `DUPM#<photo>`, a
    dismissal `DUPX#<photo>#<group>` (a prefix when parts end with "": one Query reads them)."""
    return {"PK": owner_pk(owner_id), "SK": "#".join((kind, *parts))}


# --- positions: the newest-first order of photo lists ------------------------------------------------------


def sort_key(photo: Photo) -> str:
    """The UTC instant of taken_at (else uploaded_at), "YYYY-MM-DDTHH:MM:SS": the SQLite store's order key too
    (domain.times.instant_key)."""
    return instant_key(photo.taken_at, photo.uploaded_at)


def wall_sort_key(photo: Photo) -> str:
    """The order key before issue 16.1: the wall clock of taken_at cut to 19 characters, whatever its offset.
    Only the backfill that moves such positions to sort_key's reads it (services/maintenance.py)."""
    value = (photo.taken_at or photo.uploaded_at or "").strip().replace(" ", "T", 1)[:19]
    return value + KEY_TEMPLATE[len(value):]


def position(photo: Photo, key: str | None = None) -> str:
    """The sort key of every newest-first list a photo is in: "<sort_key>#<id>" (ties by id, descending); key:
    another order key (the backfill names the old positions with wall_sort_key)."""
    return f"{key or sort_key(photo)}#{photo.id}"


# --- search index entries (items PK = IX#<owner>#<kind>#<value>, SK = position) ------------------------------


def ix_pk(owner_id: str, kind: str, value: str) -> str:
    return f"IX#{owner_id}#{kind}#{value}"


def index_entries(photo: Photo, albums: Iterable[str], key: str | None = None) -> dict[str, dict[str, Any]]:
    """Every search index item of a photo, by "PK|SK", with its extra attributes.

    Kinds: L label (conf = confidence), C category, P place name, T first letters of a text word (people's
    names included), G geohash cell (several precisions), LOC every located photo, A album membership,
    N a named person in the photo (domain.search.person_key of the name), PID a person whose face is in it,
    U every photo without a taken day, MD the "MM-DD" of its local taken day (memories),
    TW a whole word read in the photo (text=: folded, not stemmed, cut to TEXT_WORD_MAX), PR its place role
    (domain.places.place_role: anchor or open) sorted by instant, not position (instants.instant_sk), DK a
    duplicate lookup key (domain.duplicates.key_rows; fp = its fingerprint, so a candidate is checked without
    a read; near = the prefilter's dHash)."""
    owner, pos = photo.owner_id, position(photo, key)
    entries: dict[str, dict[str, Any]] = {}

    def add(kind: str, value: str, **extra: Any) -> None:
        if value:
            entries[f"{ix_pk(owner, kind, value)}|{pos}"] = extra

    for lbl in photo.visible_labels():
        key = label_key(lbl.name)
        previous = entries.get(f"{ix_pk(owner, 'L', key)}|{pos}", {}).get("conf", -1.0)
        add("L", key, conf=max(previous, float(lbl.confidence)))
    for cat in photo.categories:
        add("C", fold(cat.strip()))
    for name in place_names(photo):
        add("P", fold(name.strip()))
    for prefix in text_prefixes(photo):
        add("T", prefix)
    if photo.location is not None:
        add("LOC", "all")
        cell = geohash(photo.location.lat, photo.location.lon, max(GEO_PRECISIONS))
        for precision in GEO_PRECISIONS:
            add("G", cell[:precision])
    for album_id in albums:
        add("A", album_id)
    for name in photo.people_names():
        add("N", person_key(name))
    for face in photo.faces:
        add("PID", face.person_id or "")
    day = (photo.taken_at or "")[:10]
    add("MD", day[5:]) if day else add("U", "all")
    for word in text_words(photo):
        add("TW", word)
    role, ts = place_role(photo), taken_seconds(photo.taken_at)
    if role is not None and ts is not None:
        entries[f"{place_pk(owner, role)}|{instant_sk(ts, photo.id)}"] = {}
    fp = photo.fingerprint
    text = fp.to_text() if fp is not None else ""
    for row in key_rows(fp) if fp is not None else ():
        add("DK", row.key, fp=text, **({"near": row.near} if row.near else {}))
    return entries


def place_pk(owner_id: str, role: str) -> str:
    return ix_pk(owner_id, "PR", role)  # the owner's photos of one place role, by instant (instants.instant_sk)


def text_words(photo: Photo) -> set[str]:
    """The index values of the words read in the photo (text=)."""
    return {w[:TEXT_WORD_MAX] for w in plain_words(photo.text.joined() if photo.text else "")}


def text_prefixes(photo: Photo) -> set[str]:
    """The first TEXT_PREFIX letters of every word `q` can match (a query word of that length or longer
    matches only photos that have one of its prefix's entries)."""
    out: set[str] = set()
    for text in text_fields(photo).values():
        for w in words(text):
            out.add(w[:TEXT_PREFIX])
    return out


def split_entry(entry: str) -> tuple[str, str]:
    pk, sk = entry.split("|", 1)
    return pk, sk


def photo_id_of(position_sk: str) -> str:
    return position_sk.rsplit("#", 1)[1]
