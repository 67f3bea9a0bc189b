"""The photos API tests (tests/api/test_photos.py) run again with the AWS adapters on moto: uploads into S3,
records in DynamoDB, jobs on SQS; downloads answer with a 302 to a presigned URL."""

from __future__ import annotations

from typing import Any

import pytest

from api import test_photos as photos_tests
from cloudalbum import bootstrap
from cloudalbum.config import Settings

pytestmark = pytest.mark.emulator

# What touches the stores; the cases about local files, streamed 200 downloads and limits-on-custom-settings
# are the embedded shape's (here downloads are 302s to presigned URLs: test_original_redirects_to_a_signed_url).
SHARED = ("test_upload_jpeg_answers_202_with_the_photo", "test_upload_into_an_album",
          "test_every_bad_corpus_file_gets_a_4xx_or_202", "test_list_paginates_and_filters",
          "test_patch_edits_and_records_user_fields", "test_patch_retries_on_a_concurrent_write",
          "test_delete_removes_record_and_blobs", "test_reprocess_enqueues_a_forced_job",
          "test_other_users_photo_is_404_like_a_missing_one", "test_unseekable_stream_is_spooled_and_counted")
for _name in SHARED:
    globals()[_name] = getattr(photos_tests, _name)


@pytest.fixture
def settings(aws_settings: Settings) -> Settings:
    return aws_settings  # moto, with the bucket, queues and table made (tests/aws/conftest.py)


def test_original_redirects_to_a_signed_url(alice: Any, container: bootstrap.Container) -> None:
    """The original: a 302 to a short-lived presigned S3 URL that serves the exact bytes, type and name."""
    import requests

    from support import make_jpeg

    data = make_jpeg(64, 48)
    photo = alice.upload(data, "Été.jpg").get_json()
    r = alice.request("GET", f"/api/photos/{photo['id']}/original")
    assert r.status_code == 302
    url = r.headers["Location"]
    assert f"X-Amz-Expires={container.settings.signed_url_expiry_s}" in url and "X-Amz-Signature=" in url
    got = requests.get(url, timeout=10)
    assert got.status_code == 200 and got.content == data
    assert got.headers["Content-Type"] == "image/jpeg"


def test_pages_may_follow_the_redirect_to_signed_urls(client: Any, alice: Any) -> None:
    """The pages fetch thumbnails with the bearer token and follow the 302 to S3: the Content-Security-Policy
    allows exactly the origin the signed URLs point at, and the bucket's CORS rule lets the page read them."""
    from urllib.parse import urlsplit

    import requests

    from support import make_jpeg

    photo = alice.upload(make_jpeg(64, 48), "a.jpg").get_json()
    url = alice.request("GET", f"/api/photos/{photo['id']}/original").headers["Location"]
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    csp = dict(d.strip().split(" ", 1) for d in client.get("/").headers["Content-Security-Policy"].split(";"))
    assert origin in csp["connect-src"].split() and origin in csp["img-src"].split()
    got = requests.get(url, headers={"Origin": "https://photos.example.com"}, timeout=10)
    assert got.status_code == 200 and got.headers.get("Access-Control-Allow-Origin") in ("*", "https://photos.example.com")
