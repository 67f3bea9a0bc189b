"""How many follow-up questions a new library of the corpus gets (issue 16 item 7): every photo of
../shared/photos (MANIFEST.csv) uploaded to a new account of the embedded shape and processed by the worker's
path (real detector, faces, geocoder; text reading off: it asks nothing), then the open questions counted the
way a person meets them: GET /api/questions (what the page lists), by kind, and how many answers would
settle them (a question whose answer the API applies to a run of photos counts once).

    .venv/bin/python bench/questions.py [--json docs/questions.json]

Skips with a visible reason when the corpus is absent.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

PHOTOS = ROOT.parent / "shared" / "photos"
PASSWORD = "correct horse battery"


def run() -> dict[str, Any]:
    import csv

    from cloudalbum import bootstrap
    from cloudalbum.config import Settings
    from cloudalbum.entrypoints.api import create_app
    from cloudalbum.entrypoints.handler import handle_record

    with open(PHOTOS / "MANIFEST.csv", newline="") as f:
        files = [row["file"] for row in csv.DictReader(f)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", workers=0, env="development", read_text=False)
        container = bootstrap.build(settings)
        try:
            client = create_app(container).test_client()
            client.post("/api/auth/register", json={"email": "q@example.com", "password": PASSWORD})
            token = client.post("/api/auth/login", json={"email": "q@example.com", "password": PASSWORD}
                                ).get_json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            accepted = 0
            for rel in files:
                with open(PHOTOS / rel, "rb") as fh:
                    r = client.post("/api/photos", headers=headers, data={"file": (fh, Path(rel).name)},
                                    content_type="multipart/form-data")
                accepted += r.status_code in (200, 202)
            started = time.monotonic()
            while messages := container.queue.receive(max_messages=10):
                for m in messages:
                    handle_record(container, {"messageId": m.id, "body": m.body})
                    container.queue.delete(m.receipt_handle)
            processing_s = time.monotonic() - started
            listed = client.get("/api/questions", headers=headers, query_string={"limit": 200}).get_json()
            items = listed["items"]
            stored = container.store.questions.open_questions(
                client.get("/api/me", headers=headers).get_json()["id"], limit=1000).items
        finally:
            container.close()
    from cloudalbum.domain.questions import worth_asking

    uncapped = worth_asking(stored, cap=10 ** 6)  # the listing's rules without its cap per library
    kinds = collections.Counter(q["kind"] for q in items)
    photos_asked = {q["photo_id"] for q in items}
    return {"files": len(files), "photos": accepted, "processing_s": round(processing_s, 1),
            "open_questions_stored": len(stored), "questions_listed": len(items),
            "more_after_the_list": bool(listed["next_cursor"]), "by_kind": dict(sorted(kinds.items())),
            "photos_asked_about": len(photos_asked), "listed_without_the_cap": len(uncapped),
            "without_the_cap_by_kind": dict(sorted(collections.Counter(q.kind for q in uncapped).items())),
            "listed": [{"kind": q["kind"], "text": q["text"]} for q in items]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    if not (PHOTOS / "MANIFEST.csv").exists():
        print(f"SKIPPED: the photo corpus is absent ({PHOTOS}/MANIFEST.csv); check out ../shared beside the repository")
        return
    result = run()
    text = json.dumps({k: v for k, v in result.items() if k != "listed"}, indent=2)
    print(text)
    for q in result["listed"]:
        print(f"  {q['kind']:14} {q['text']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
