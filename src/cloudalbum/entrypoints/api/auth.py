"""API routes: accounts and tokens (see ../shared/API.md), and `token_auth`, the bearer-token guard every
protected route uses:

    @bp.get("/things")
    @bp.auth_required(token_auth)
    def things(): ... current_user_id() ...
"""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint, HTTPTokenAuth
from flask import request

from ...services.auth import Principal
from .context import container
from .schemas import AccountDeleteIn, LoginIn, MeOut, PasswordChangeIn, RefreshIn, RegisterIn, TokenOut, UserOut

bp = APIBlueprint("auth", __name__, url_prefix="/api", tag="Accounts")

BAD_JSON = "The body is not valid JSON"

token_auth = HTTPTokenAuth(
    scheme="Bearer",
    description="An access token from POST /api/auth/login (or /api/auth/refresh).",
)


@token_auth.verify_token
def _verify_token(token: str) -> Principal:
    """Raises Unauthorized (uniform 401 body) for a forged, expired, revoked or wrong-type token."""
    return container().auth.authenticate(token)


def current_principal() -> Principal:
    principal = token_auth.current_user
    assert isinstance(principal, Principal), "route is missing @bp.auth_required(token_auth)"
    return principal


def current_user_id() -> str:
    """The signed-in user's id (only inside a route guarded by token_auth)."""
    return current_principal().user_id


@bp.post("/auth/register")
@bp.input(RegisterIn, arg_name="body")
@bp.output(UserOut, status_code=201)
@bp.doc(summary="Create an account", responses={400: BAD_JSON, 409: "The email is taken",
                                                 422: "Invalid email or password",
                                                 429: "Too many registrations from this address; see Retry-After"})
def register(body: dict[str, Any]) -> Any:
    user = container().auth.register(body["email"], body["password"], client_ip=request.remote_addr)
    return {"id": user.id, "email": user.email}, 201


@bp.post("/auth/login")
@bp.input(LoginIn, arg_name="body")
@bp.output(TokenOut)
@bp.doc(summary="Sign in", responses={400: BAD_JSON, 401: "Wrong email or password",
                                      429: "Too many failures; see Retry-After"})
def login(body: dict[str, Any]) -> Any:
    return container().auth.login(body["email"], body["password"], client_ip=request.remote_addr).as_dict()


@bp.post("/auth/refresh")
@bp.input(RefreshIn, arg_name="body")
@bp.output(TokenOut)
@bp.doc(summary="Exchange a refresh token (single use) for a new pair",
        responses={400: BAD_JSON, 401: "Invalid, expired or already used refresh token"})
def refresh(body: dict[str, Any]) -> Any:
    return container().auth.refresh(body["refresh_token"]).as_dict()


@bp.post("/auth/logout")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="End the session: its access and refresh tokens stop working")
def logout() -> Any:
    container().auth.logout(current_principal())
    return "", 204


@bp.post("/auth/logout-all")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Sign out everywhere: every session of the user ends, this one included")
def logout_all() -> Any:
    container().auth.logout_all(current_principal())
    return "", 204


@bp.post("/me/password")
@bp.auth_required(token_auth)
@bp.input(PasswordChangeIn, arg_name="body")
@bp.output({}, status_code=204)
@bp.doc(summary="Change the password: every other session of the user ends, this one stays",
        responses={400: BAD_JSON, 401: "Wrong current password", 422: "The new password is too weak",
                   429: "Too many wrong passwords; see Retry-After"})
def change_password(body: dict[str, Any]) -> Any:
    container().auth.change_password(current_principal(), body["current_password"], body["new_password"])
    return "", 204


@bp.delete("/me")
@bp.auth_required(token_auth)
@bp.input(AccountDeleteIn, arg_name="body")
@bp.output({}, status_code=204)
@bp.doc(summary="Delete the account and everything in it (photos, albums, people, questions, sessions)",
        responses={400: BAD_JSON, 401: "Wrong password", 429: "Too many wrong passwords; see Retry-After"})
def delete_account(body: dict[str, Any]) -> Any:
    container().accounts.delete(current_principal(), body["password"])
    return "", 204


@bp.get("/me")
@bp.auth_required(token_auth)
@bp.output(MeOut)
@bp.doc(summary="The signed-in user and their usage")
def me() -> Any:
    return container().accounts.summary(current_user_id()).as_dict()
