"""The uniform error body of API.md: {"error": {"code", "message"}} for every error, whatever raised it.

* DomainError subclasses (raised by services and adapters) -> their status, code and message
  (+ Retry-After for Throttled and StorageUnavailable, WWW-Authenticate for 401);
* APIFlask's request validation errors -> 422 "validation_error" naming the fields;
* werkzeug HTTPExceptions (unknown route, wrong method, body too large, bad multipart...) -> their status;
* anything else -> 500 "internal_error", logged with its traceback (a 500 is a bug, never an answer to input).
"""

from __future__ import annotations

import logging
from typing import Any

from apiflask import APIFlask, HTTPError
from apiflask.exceptions import _ValidationError
from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from ...domain.errors import DomainError, StorageUnavailable, Throttled

log = logging.getLogger("cloudalbum.api")

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}

_CODES = {
    400: ("bad_request", "The request is malformed (for example invalid JSON or a broken multipart body)."),
    401: ("unauthorized", "Sign in first: send Authorization: Bearer <access token>."),
    403: ("forbidden", "This is not allowed."),
    404: ("not_found", "Nothing here."),
    405: ("method_not_allowed", "This method is not allowed on this path."),
    409: ("conflict", "The request conflicts with the current state."),
    411: ("length_required", "Send a Content-Length."),
    413: ("too_large", "The upload is larger than the server accepts."),
    415: ("unsupported_media_type", "Unsupported media type."),
    422: ("validation_error", "The request is not valid."),
    429: ("too_many_requests", "Too many requests: slow down."),
    500: ("internal_error", "Something went wrong on our side; it has been logged."),
    503: ("unavailable", "The service is unavailable; try again shortly."),
}


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    resp = jsonify(error_body(code, message))
    resp.status_code = status
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


_LOCATIONS = ("json", "query", "form", "files", "form_and_files", "path", "headers", "cookies")


def _flatten(detail: Any, prefix: str = "") -> list[str]:
    """marshmallow's nested messages ({"json": {"email": ["Missing data..."]}}) as 'email: Missing data...'."""
    if isinstance(detail, dict):
        out: list[str] = []
        for key, value in detail.items():
            if prefix == "" and key in _LOCATIONS:
                out += _flatten(value, "")
                continue
            name = "body" if key == "_schema" else str(key)
            out += _flatten(value, f"{prefix}.{name}" if prefix else name)
        return out
    if isinstance(detail, (list, tuple)):
        if all(isinstance(x, str) for x in detail):
            return [f"{prefix}: {' '.join(detail)}" if prefix else " ".join(detail)]
        return [m for x in detail for m in _flatten(x, prefix)]
    return [f"{prefix}: {detail}" if prefix else str(detail)]


def _validation_message(detail: Any) -> str:
    parts = _flatten(detail)
    return ("Invalid request: " + "; ".join(parts)) if parts else "The request is not valid."


def _from_http_error(error: HTTPError) -> tuple[dict[str, Any], int, dict[str, Any]]:
    """APIFlask's error processor: every HTTPError, validation error, auth error and werkzeug error."""
    status = error.status_code
    headers = {k: v for k, v in dict(error.headers or {}).items() if k.lower() != "content-type"}
    if isinstance(error, _ValidationError):
        return error_body("validation_error", _validation_message(error.detail)), status, headers
    code, default = _CODES.get(status, ("error" if status < 500 else "internal_error", error.message or "Error."))
    message = default if status in _CODES or not error.message else error.message
    if isinstance(error.detail, dict) and error.detail.get("code"):  # abort(..., detail={"code": ...})
        code = str(error.detail["code"])
        message = error.message or message
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="cloudalbum"')
    return error_body(code, message), status, headers


def _domain_error(exc: DomainError) -> Response:
    headers: dict[str, str] = {}
    if isinstance(exc, (Throttled, StorageUnavailable)):
        headers["Retry-After"] = str(int(exc.retry_after_s))
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="cloudalbum", error="invalid_token"'
    if exc.status >= 500 and exc.code != "quota_exceeded":  # over a quota: the user's doing, not an outage
        log.warning("service unavailable: %s: %s", exc.code, exc.message)
    return error_response(exc.status, exc.code, exc.message, headers)


def _werkzeug_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    code, message = _CODES.get(status, ("error", exc.description or exc.name))
    custom = exc.description and exc.description != type(exc).description
    if custom and status < 500 and status != 413:
        message = str(exc.description)
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    return error_response(status, code, message, headers)


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error: %s", exc)
    code, message = _CODES[500]
    return error_response(500, code, message)


def _require_request_bodies(spec: dict[str, Any]) -> dict[str, Any]:
    """Every route that reads a body refuses to work without one (422): say so in the document."""
    for ops in spec.get("paths", {}).values():
        for op in ops.values():
            if isinstance(op, dict) and "requestBody" in op:
                op["requestBody"]["required"] = True
    return spec


def register(app: APIFlask) -> None:
    """Install the handlers and document the error body (and required request bodies) in the OpenAPI
    document. An app-level spec processor registered before this one keeps running first."""
    app.config["VALIDATION_ERROR_SCHEMA"] = ERROR_SCHEMA
    app.config["HTTP_ERROR_SCHEMA"] = ERROR_SCHEMA
    app.config["VALIDATION_ERROR_DESCRIPTION"] = "Validation error"
    app.error_processor(_from_http_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(HTTPException, _werkzeug_error)
    app.register_error_handler(Exception, _unexpected)
    previous = getattr(app, "spec_callback", None)

    def _spec(spec: Any) -> Any:
        return _require_request_bodies(previous(spec) if previous else spec)

    app.spec_processor(_spec)
