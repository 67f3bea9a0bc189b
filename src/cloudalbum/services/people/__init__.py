"""People: group each owner's faces into people as photos arrive, ask "Who is this?" once per person, and
keep every photo's face list (with the person's name, which search indexes) in step with the groups.

Who calls what (all through PeopleService, service.py):
* processing, after a photo is analysed: `record_faces(photo, faces, crops, model)` stores the faces (matched
  to the faces already stored for the photo, so a redelivered message changes nothing), assigns each new face
  to a person (a photo never has two faces of one person), merges people whose centroids meet, and asks about
  unnamed people; then `face_refs(photo_id)` gives the photo's face list to save;
* photos, after a photo is deleted: `forget_photo(photo, faces)` rebuilds the people it touched;
* the API: list, rename, merge, split (a face is not this person), the owner's setting;
* questions: answers and dismissals of "Who is this?" questions come here (`answer`, `dont_ask`).

One module per job:
* recording.py: the faces of one photo (after processing; undone when the photo or the setting went away);
* grouping.py: faces into people (join, merge look-alikes, rebuild a person from its faces);
* curation.py: what the owner reads and corrects (names, merges, "this face is someone else");
* asking.py and who_is_this.py: the one "Who is this?" question per person, and its answers;
* photo_sync.py: each photo's face list and status in step with the people and the open questions;
* switch.py: the owner's setting, and the library scan that turning it on starts;
* face_records.py: face ids, crop keys, a person's faces page by page.

The face store is the truth about groups; a photo's `faces` list is a copy that photo_sync rewrites (through
services.changes, with optimistic retries) after any change of names or groups, so search finds a person by
name at once.
"""

from .face_records import face_id_for
from .service import PeopleService

__all__ = ["PeopleService", "face_id_for"]
