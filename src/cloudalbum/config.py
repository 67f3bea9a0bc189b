"""Configuration: one frozen Settings, read from CLOUDALBUM_* environment variables (12-factor).

This is the only module that reads the environment; the composition root (bootstrap.py) gets a Settings and
builds everything from it. Tests build Settings directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

PREFIX = "CLOUDALBUM_"
MIN_KEY_BYTES = 32
DEV_KEY = "dev-only-insecure-key-change-me-0123456789abcdef"


class ConfigError(ValueError):
    """Configuration that must stop the service from starting."""


@dataclass(frozen=True)
class Settings:
    backend: str = "embedded"  # embedded | aws
    env: str = "development"  # development | production
    data_dir: Path = Path("./data")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)

    # accounts and tokens
    jwt_key: str = ""
    jwt_issuer: str = "cloudalbum"
    jwt_audience: str = "cloudalbum-api"
    access_ttl_s: int = 900
    refresh_ttl_s: int = 30 * 24 * 3600
    login_max_failures: int = 5
    login_window_s: int = 300

    # uploads
    max_upload_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 120_000_000

    # processing
    model: str = "yolov8n"  # yolov8n | yolo11n
    model_path: str = ""  # overrides the packaged weights
    detect_threshold: float = 0.25
    visibility_timeout_s: int = 120
    max_receives: int = 4
    # Messages a local worker takes per receive. One: with a worker per core, a worker holding several
    # photos leaves the others idle at the end of a burst (Lambda's batch size is the template's BatchSize).
    worker_batch_size: int = 1
    # People (faces grouped into people, issue 8): off for the whole service here; each user can also turn it
    # off for themselves (PATCH /api/me/settings), which deletes their face data.
    faces: bool = True
    face_threshold: float = 0.8  # YuNet score; lower finds headlights and patterns as faces

    # maintenance (issue 12): `serve` runs one maintenance thread every this many seconds; 0 = none (the AWS
    # shape: the scheduled MaintenanceFunction does it, not every API instance)
    maintenance_interval_s: int = 60

    # sharing (issue 18): requests per minute and client address on the public share routes (/api/s/...)
    share_requests_per_min: int = 300

    # questions
    label_confirm_low: float = 0.30
    label_confirm_high: float = 0.60
    max_questions_per_photo: int = 3

    # web
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tile_attribution: str = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'

    # aws
    aws_region: str = "us-east-1"
    s3_bucket: str = "cloudalbum-photos"
    dynamodb_table: str = "cloudalbum"
    sqs_queue: str = "cloudalbum-jobs"
    sqs_dlq: str = "cloudalbum-jobs-dlq"
    signed_url_expiry_s: int = 300
    # Origins (space-separated) whose pages may fetch signed blob URLs: the bucket's CORS rule (aws-init).
    # The pages' fetch follows the API's 302 to S3, which is cross-origin. Signed URLs are capabilities, so "*"
    # only lets a page that already holds one read it; production sets the site's own origin (SAM: SiteOrigin).
    s3_cors_origins: str = "*"
    s3_sse: str = "AES256"  # server-side encryption of every put: AES256 | aws:kms
    s3_kms_key_id: str = ""  # with aws:kms: the key id or ARN ("" = the account's aws/s3 key)

    @property
    def signing_key(self) -> str:
        """The JWT key; in development a fixed key stands in for a missing one (never in production)."""
        if self.jwt_key:
            return self.jwt_key
        return DEV_KEY

    def validate(self) -> "Settings":
        """Refuse to start with settings that would be unsafe or cannot work."""
        if self.backend not in ("embedded", "aws"):
            raise ConfigError(f"CLOUDALBUM_BACKEND must be 'embedded' or 'aws', not {self.backend!r}")
        if self.env != "development" and len(self.jwt_key.encode()) < MIN_KEY_BYTES:
            raise ConfigError(
                f"CLOUDALBUM_JWT_KEY must be set to at least {MIN_KEY_BYTES} random bytes outside development "
                "(CLOUDALBUM_ENV=development uses a built-in key). Make one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if self.maintenance_interval_s < 0:
            raise ConfigError("CLOUDALBUM_MAINTENANCE_INTERVAL_S must be 0 (off) or a number of seconds")
        if self.model not in ("yolov8n", "yolo11n"):
            raise ConfigError(f"CLOUDALBUM_MODEL must be 'yolov8n' or 'yolo11n', not {self.model!r}")
        if self.share_requests_per_min < 1:
            raise ConfigError("CLOUDALBUM_SHARE_REQUESTS_PER_MIN must be 1 or more")
        if self.workers < 0:
            raise ConfigError("CLOUDALBUM_WORKERS must be 0 or more")
        return self

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


def _coerce(raw: str, typ: Any, name: str) -> Any:
    t = typ if isinstance(typ, type) else {"int": int, "float": float, "bool": bool, "Path": Path}.get(str(typ), str)
    try:
        if t is bool:
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if t is int:
            return int(raw)
        if t is float:
            return float(raw)
        if t is Path:
            return Path(raw)
    except ValueError as exc:
        raise ConfigError(f"{PREFIX}{name.upper()}={raw!r} is not a valid {getattr(t, '__name__', t)}") from exc
    return raw


def from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from CLOUDALBUM_<FIELD> variables; explicit overrides (command-line flags) win."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        key = PREFIX + f.name.upper()
        if key in env:
            values[f.name] = _coerce(env[key], f.type, f.name)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)
