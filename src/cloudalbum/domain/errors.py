"""Domain errors. Entry points map them to HTTP statuses; services raise them."""

from __future__ import annotations


class DomainError(Exception):
    """Base class. `code` is the snake_case error code of API.md's uniform error body."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    """Missing, or owned by someone else: the two are indistinguishable on purpose."""

    code, status = "not_found", 404


class Conflict(DomainError):
    code, status = "conflict", 409


class Invalid(DomainError):
    """Well-formed request, unacceptable content (422)."""

    code, status = "invalid", 422


class Unauthorized(DomainError):
    code, status = "unauthorized", 401


class Throttled(DomainError):
    code, status = "too_many_requests", 429

    def __init__(self, message: str, *, retry_after_s: int = 60, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class TooLarge(DomainError):
    code, status = "too_large", 413


class UnsupportedMedia(DomainError):
    code, status = "unsupported_media_type", 415


class StorageUnavailable(DomainError):
    """A blob or metadata store could not take a write (disk full, service down). Retryable."""

    code, status = "storage_unavailable", 503

    def __init__(self, message: str, *, retry_after_s: int = 30, insufficient_storage: bool = False) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        if insufficient_storage:
            self.code, self.status = "insufficient_storage", 507


class ModelUnavailable(DomainError):
    """The detection model is missing or corrupt; a worker must not start."""

    code, status = "model_unavailable", 503


class QuotaExceeded(DomainError):
    """The upload would take the user's stored bytes past their quota (issue 12): nothing is stored."""

    code, status = "quota_exceeded", 507


class ConcurrentUpdate(DomainError):
    """An optimistic write lost a race; the caller reloads and retries."""

    code, status = "conflict", 409


class BadEntry(DomainError):
    """One entry of an import (a file in a folder or an archive) cannot be read; the others go on (issue 19)."""

    code, status = "bad_entry", 422
