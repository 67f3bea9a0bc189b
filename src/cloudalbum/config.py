"""Configuration: one frozen Settings, read from CLOUDALBUM_* environment variables (12-factor).

This is the only module that reads the environment; the composition root (bootstrap.py) gets a Settings and
builds everything from it. Tests build Settings directly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

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
    login_max_failures: int = 5  # per (client address, email) within login_window_s
    login_window_s: int = 300

    # accounts and limits (issue 12, API.md "Accounts and limits"): client address, throttling, Argon2 work
    trusted_proxies: str = ""  # comma-separated addresses or CIDRs whose X-Forwarded-For/-Proto are believed
    login_max_failures_per_address: int = 10  # per client address within login_window_s
    register_max_per_address: int = 10  # registrations per client address within register_window_s
    register_window_s: int = 3600
    session_max_s: int = 90 * 24 * 3600  # absolute session lifetime from sign-in; refresh does not extend it
    # Argon2id (RFC 9106 second recommendation: 64 MiB, 3 passes, 4 lanes) and how many hashes may run at
    # once in one process: hashing memory is at most argon2_concurrency x argon2_memory_kib (docs/reliability.md)
    argon2_memory_kib: int = 65536
    argon2_time_cost: int = 3
    argon2_parallelism: int = 4
    argon2_concurrency: int = 2

    # uploads
    max_upload_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 120_000_000
    # Bounded decoding (issue 12): the memory decoding one image may take (width x height x bytes per pixel of
    # the decoded mode, from the header; media/decode.py decode_bytes). 384 MiB keeps a worker (the models:
    # ~430 MiB) under 1 GB with a 50 MB original held; docs/reliability.md "Bounded decoding" has the figures.
    max_decode_bytes: int = 384 * 1024 * 1024
    # Address-space cap of each embedded worker process (RLIMIT_DATA, MiB; 0: none): a decoder that still
    # outgrows it gets MemoryError and fails that one photo, never the machine. Not applied by Lambda's handler
    # (Lambda has its own memory size).
    worker_memory_limit_mib: int = 2048

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
    # Speed (issue 14): YuNet runs only on photos where the object detector sees a person at this score or
    # more (below the label threshold: a portrait called "person" at low confidence still gets its face);
    # 0 looks for faces in every photo. The corpus's faces all come with a person score >= 0.52.
    face_gate: float = 0.1
    # Text in photos (issue 17, docs/ocr.md): a read_text job per photo once it is final (its own queue message,
    # so it never delays the photo); the text detector runs at this long side (the measured knee of recall vs CPU).
    read_text: bool = True
    text_long_side: int = 800

    # maintenance (issue 12): `serve` runs one maintenance thread every this many seconds; 0 = none (the AWS
    # shape: the scheduled MaintenanceFunction does it, not every API instance)
    maintenance_interval_s: int = 60
    # the trash (issue 15): a deleted photo stays this many days, then maintenance purges it (0: at its next pass)
    trash_days: int = 30

    # per-user limits (issue 12; 0 = none): the quota counts the originals' bytes (507 quota_exceeded);
    # the rates count requests per user per hour (429 with Retry-After); face scans: one in flight per user
    quota_bytes: int = 0
    uploads_per_hour: int = 2000
    reprocess_per_hour: int = 200
    face_scans_per_hour: int = 10

    # sharing (issue 18): requests per minute and client address on the public share routes (/api/s/...)
    share_requests_per_min: int = 300

    # questions
    label_confirm_low: float = 0.30
    label_confirm_high: float = 0.60
    max_questions_per_photo: int = 3
    # GET /api/questions lists at most this many (domain.questions.worth_asking: one per photo, one location
    # question per run of photos, a few of the minor kinds); the next come as these are answered (issue 16.7)
    max_open_questions: int = 20

    # GPS tracks (issue 16, POST /api/tracks): a GPX file's size and points, the photos one track may place
    max_track_bytes: int = 20 * 1024 * 1024
    max_track_points: int = 200_000
    max_track_photos: int = 10_000

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

    def validate(self) -> Settings:
        """Refuse to start with settings that would be unsafe or cannot work."""
        if self.backend not in ("embedded", "aws"):
            raise ConfigError(f"CLOUDALBUM_BACKEND must be 'embedded' or 'aws', not {self.backend!r}")
        if self.env != "development" and len(self.jwt_key.encode()) < MIN_KEY_BYTES:
            raise ConfigError(
                f"CLOUDALBUM_JWT_KEY must be set to at least {MIN_KEY_BYTES} random bytes outside development "
                "(CLOUDALBUM_ENV=development uses a built-in key). Make one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if not 64 <= self.text_long_side <= 4096:
            raise ConfigError("CLOUDALBUM_TEXT_LONG_SIDE must be from 64 to 4096 (pixels; 800 is the default)")
        if self.maintenance_interval_s < 0:
            raise ConfigError("CLOUDALBUM_MAINTENANCE_INTERVAL_S must be 0 (off) or a number of seconds")
        if self.trash_days < 0:
            raise ConfigError("CLOUDALBUM_TRASH_DAYS must be 0 or a number of days")
        if self.model not in ("yolov8n", "yolo11n"):
            raise ConfigError(f"CLOUDALBUM_MODEL must be 'yolov8n' or 'yolo11n', not {self.model!r}")
        if self.max_decode_bytes < 1 or self.worker_memory_limit_mib < 0:
            raise ConfigError("CLOUDALBUM_MAX_DECODE_BYTES must be positive and "
                              "CLOUDALBUM_WORKER_MEMORY_LIMIT_MIB 0 (no limit) or more")
        if self.share_requests_per_min < 1:
            raise ConfigError("CLOUDALBUM_SHARE_REQUESTS_PER_MIN must be 1 or more")
        if self.workers < 0:
            raise ConfigError("CLOUDALBUM_WORKERS must be 0 or more")
        self._validate_accounts()
        return self

    def _validate_accounts(self) -> None:
        from .domain.client_address import BadProxyList, parse_trusted_proxies

        try:
            parse_trusted_proxies(self.trusted_proxies)
        except BadProxyList as exc:
            raise ConfigError(f"CLOUDALBUM_TRUSTED_PROXIES: {exc} (give addresses or CIDRs, comma-separated)") from exc
        if self.argon2_concurrency < 1 or self.argon2_memory_kib < 8 or self.argon2_time_cost < 1:
            raise ConfigError("CLOUDALBUM_ARGON2_CONCURRENCY and _TIME_COST must be 1 or more, _MEMORY_KIB 8 or more")
        if min(self.login_max_failures, self.login_max_failures_per_address, self.register_max_per_address) < 1:
            raise ConfigError("the login and registration limits must be 1 or more")

    def with_(self, **changes: Any) -> Settings:
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
