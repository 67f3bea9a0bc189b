"""Accounts: registration, sign-in, tokens, the signed-in user (API.md "Accounts and limits") and health."""

from __future__ import annotations

from typing import Any

from apiflask import Schema
from apiflask.fields import Email, Integer, String
from apiflask.validators import Length
from marshmallow import pre_load


class RegisterIn(Schema):
    email = Email(required=True, validate=Length(min=3, max=254))
    password = String(required=True, validate=Length(min=8, max=1024))

    @pre_load
    def _trim_email(self, data: Any, **_: Any) -> Any:
        """Surrounding spaces are a typing slip, not part of the address."""
        if isinstance(data, dict) and isinstance(data.get("email"), str):
            return {**data, "email": data["email"].strip()}
        return data


class LoginIn(Schema):
    email = String(required=True, validate=Length(max=1024))
    password = String(required=True, validate=Length(max=4096))


class RefreshIn(Schema):
    refresh_token = String(required=True, validate=Length(max=4096))


class TokenOut(Schema):
    access_token = String(required=True)
    refresh_token = String(required=True)
    token_type = String(required=True)
    expires_in = Integer(required=True)


class UserOut(Schema):
    id = String(required=True)
    email = String(required=True)


class MeOut(Schema):
    id = String(required=True)
    email = String(required=True)
    photo_count = Integer(required=True)
    storage_bytes = Integer(required=True)
    # issue 12 (API.md "Accounts and limits")
    quota_bytes = Integer(required=True, allow_none=True, metadata={
        "description": "The most bytes of originals the user may store (507 quota_exceeded past it); null: no quota"})
    trash_count = Integer(required=True, metadata={"description": "Photos in the trash (they count until purged)"})


class HealthOut(Schema):
    status = String(required=True)
    backend = String(required=True)
    model = String(required=True)


class PasswordChangeIn(Schema):
    current_password = String(required=True, validate=Length(max=4096))
    new_password = String(required=True, validate=Length(min=8, max=1024))


class AccountDeleteIn(Schema):
    password = String(required=True, validate=Length(max=4096))
