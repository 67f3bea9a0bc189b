"""Fixtures: a container on temporary embedded adapters, the Flask app, a test client and signed-in users."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cloudalbum import bootstrap
from cloudalbum.config import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", workers=0, env="development", visibility_timeout_s=30)


@pytest.fixture
def container(settings: Settings) -> Iterator[bootstrap.Container]:
    """Built from `settings` (which a folder's conftest or a test module may replace), with cheap Argon2:
    tests create hundreds of users."""
    from support import fast_hashing

    c = fast_hashing(bootstrap.build(settings))
    yield c
    c.close()


@pytest.fixture
def app(container: bootstrap.Container) -> Any:
    from cloudalbum.entrypoints.api import create_app

    app = create_app(container)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


class ApiUser:
    """A registered, signed-in user driving the API through the Flask test client."""

    def __init__(self, client: Any, email: str, password: str) -> None:
        self.client, self.email, self.password = client, email, password
        r = client.post("/api/auth/register", json={"email": email, "password": password})
        assert r.status_code == 201, r.get_data(as_text=True)
        self.id = r.get_json()["id"]
        r = client.post("/api/auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.get_data(as_text=True)
        self.tokens = r.get_json()

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def request(self, method: str, path: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kw)

    def upload(self, data: bytes, filename: str = "photo.jpg", **fields: Any) -> Any:
        import io

        form = {"file": (io.BytesIO(data), filename), **fields}
        return self.request("POST", "/api/photos", data=form, content_type="multipart/form-data")


@pytest.fixture
def make_user(client: Any) -> Any:
    counter = iter(range(10_000))

    def make(email: str | None = None, password: str = "correct horse battery") -> ApiUser:
        return ApiUser(client, email or f"user{next(counter)}@example.com", password)

    return make


@pytest.fixture
def alice(make_user: Any) -> ApiUser:
    return make_user("alice@example.com")


@pytest.fixture
def bob(make_user: Any) -> ApiUser:
    return make_user("bob@example.com")
