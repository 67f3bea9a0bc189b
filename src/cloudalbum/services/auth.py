"""Accounts and tokens: registration, login (Argon2id, throttled), refresh rotation, logout, authentication.

Tokens are JWTs (RFC 8725): HS256 pinned on decode, every claim required and checked (exp, iat, sub, aud, iss,
jti), a `typ` claim so an access token can never be used as a refresh token or the other way round, and a
`sid` naming the login session, which is looked up on every request so logout and refresh-reuse detection take
effect at once. Times come from the injected Clock so tests can move them.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..config import Settings
from ..domain.errors import Conflict, Invalid, Throttled, Unauthorized
from ..domain.model import User, new_id
from ..ports import Clock, RefreshToken, Session, UserStore

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "aud", "iss", "jti", "typ", "sid"]
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # Argon2 hashes anything, but a megabyte password is a denial of service, not a secret
MAX_EMAIL = 254
# Deliberately simple: one @ with something on both sides, no spaces (the API schema checks the format in
# detail; a service caller gets this floor). Deliverability is not ours to prove.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

BAD_LOGIN = "Wrong email or password."
BAD_TOKEN = "The token is missing, expired, revoked or invalid: sign in again."


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user and the login session the access token belongs to."""

    user_id: str
    session_id: str


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"

    def as_dict(self) -> dict[str, Any]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                "token_type": self.token_type, "expires_in": self.expires_in}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def normalise_email(email: Any) -> str:
    """Trimmed, lower-case email; Invalid when it does not look like one."""
    if not isinstance(email, str):
        raise Invalid("email must be a string such as name@example.com.", code="validation_error")
    value = email.strip().lower()
    if len(value) > MAX_EMAIL or not _EMAIL.match(value):
        raise Invalid("email must look like name@example.com.", code="validation_error")
    return value


def _check_password(password: Any) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise Invalid(f"password must be at least {MIN_PASSWORD} characters.", code="validation_error")
    if len(password) > MAX_PASSWORD:
        raise Invalid(f"password must be at most {MAX_PASSWORD} characters.", code="validation_error")
    return password


class AuthService:
    def __init__(self, users: UserStore, settings: Settings, clock: Clock | None = None) -> None:
        self.users = users
        self.settings = settings
        self.clock = clock or Clock()
        self.hasher = PasswordHasher()  # Argon2id with argon2-cffi's RFC 9106 low-memory defaults
        self._dummy: tuple[PasswordHasher, str] | None = None

    @property
    def _dummy_hash(self) -> str:
        """A hash made with the current hasher, verified against for unknown emails so both failure paths
        cost one Argon2 verification with the same parameters. Made on first use."""
        if self._dummy is None or self._dummy[0] is not self.hasher:
            self._dummy = (self.hasher, self.hasher.hash(secrets.token_urlsafe(16)))
        return self._dummy[1]

    # --- accounts -----------------------------------------------------------------------------------------

    def register(self, email: Any, password: Any) -> User:
        """A new account. Invalid for a malformed email or a short password; Conflict when the email is taken."""
        norm = normalise_email(email)
        pw = _check_password(password)
        if self.users.user_by_email(norm) is not None:
            raise Conflict("An account with this email already exists: sign in instead.", code="email_taken")
        user = User(id=new_id(), email=norm, password_hash=self.hasher.hash(pw),
                    created_at=_iso(self.clock.now()))
        self.users.add_user(user)  # raises Conflict itself if a concurrent registration won
        return user

    def login(self, email: Any, password: Any, *, client_ip: str | None = None) -> TokenPair:
        """Tokens for a correct email and password. One answer for unknown email and wrong password;
        Throttled after too many failures for the email or for the client address."""
        norm = email.strip().lower()[:MAX_EMAIL] if isinstance(email, str) else ""
        keys = [f"login:email:{norm}"] + ([f"login:ip:{client_ip}"] if client_ip else [])
        self._refuse_if_throttled(keys)
        user = self.users.user_by_email(norm) if norm else None
        if not self._password_ok(user, password):
            self._count_failure(keys)
            raise Unauthorized(BAD_LOGIN, code="invalid_credentials")
        assert user is not None  # _password_ok is False for an unknown email
        for key in keys:  # a success forgives the email's failures (and, when every attempt counts, the address's)
            if key.startswith("login:email:") or not self._can_peek:
                self.users.clear_hits(key)
        return self._new_session(user.id)

    def _password_ok(self, user: User | None, password: Any) -> bool:
        """One Argon2 verification whether or not the user exists, so timing does not tell them apart."""
        if not isinstance(password, str) or len(password) > MAX_PASSWORD:
            password = ""
        try:
            ok = self.hasher.verify(user.password_hash if user else self._dummy_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return bool(ok) and user is not None

    @property
    def _can_peek(self) -> bool:
        return callable(getattr(self.users, "hit_count", None))

    def _refuse_if_throttled(self, keys: list[str]) -> None:
        """Throttled when any key has reached login_max_failures failures within the window.

        With a store that can read a count without adding (`hit_count`), only failures are counted. Without
        it, every attempt is counted (hit) and a success clears the counts: the same limit on failures."""
        s, now = self.settings, self.clock.now()
        for key in keys:
            if self._can_peek:
                n = self.users.hit_count(key, window_s=s.login_window_s, now=now)  # type: ignore[attr-defined]
            else:
                n = self.users.hit(key, window_s=s.login_window_s, now=now) - 1
            if n >= s.login_max_failures:
                raise Throttled("Too many failed sign-ins: wait a few minutes and try again.",
                                retry_after_s=s.login_window_s)

    def _count_failure(self, keys: list[str]) -> None:
        if not self._can_peek:
            return  # the attempt was already counted by _refuse_if_throttled
        s, now = self.settings, self.clock.now()
        for key in keys:
            self.users.hit(key, window_s=s.login_window_s, now=now)

    # --- tokens -------------------------------------------------------------------------------------------

    def refresh(self, refresh_token: Any) -> TokenPair:
        """A new pair for a valid, unused refresh token. A second use of a refresh token means it leaked:
        the whole session is revoked, so the tokens rotated from it die too."""
        claims = self._decode(refresh_token, "refresh")
        session = self._live_session(claims)
        stored = self.users.use_refresh_token(claims["jti"])
        if stored is None or stored.session_id != session.id:
            self.users.revoke_session(session.id)
            raise Unauthorized("This refresh token was already used; the session is ended. Sign in again.",
                               code="unauthorized")
        return self._issue(claims["sub"], session.id)

    def logout(self, principal: Principal) -> None:
        self.users.revoke_session(principal.session_id)

    def authenticate(self, access_token: Any) -> Principal:
        """The principal of a valid access token on a live session; Unauthorized otherwise."""
        claims = self._decode(access_token, "access")
        session = self._live_session(claims)
        return Principal(user_id=claims["sub"], session_id=session.id)

    def _new_session(self, user_id: str) -> TokenPair:
        now = self.clock.now()
        session = Session(id=new_id(), user_id=user_id, created_at=_iso(now),
                          expires_at=_iso(now + self.settings.refresh_ttl_s))
        self.users.add_session(session)
        return self._issue(user_id, session.id)

    def _issue(self, user_id: str, session_id: str) -> TokenPair:
        s = self.settings
        now = int(self.clock.now())
        access = self._encode(user_id, session_id, "access", now, s.access_ttl_s)
        refresh_jti = new_id()
        refresh = self._encode(user_id, session_id, "refresh", now, s.refresh_ttl_s, jti=refresh_jti)
        self.users.add_refresh_token(RefreshToken(jti=refresh_jti, session_id=session_id, user_id=user_id,
                                                  expires_at=_iso(now + s.refresh_ttl_s)))
        return TokenPair(access_token=access, refresh_token=refresh, expires_in=s.access_ttl_s)

    def _encode(self, user_id: str, session_id: str, typ: str, now: int, ttl: int, *, jti: str | None = None) -> str:
        s = self.settings
        claims = {"iss": s.jwt_issuer, "aud": s.jwt_audience, "sub": user_id, "iat": now, "nbf": now,
                  "exp": now + ttl, "jti": jti or new_id(), "typ": typ, "sid": session_id}
        return jwt.encode(claims, s.signing_key, algorithm=ALGORITHM)

    def _decode(self, token: Any, typ: str) -> dict[str, Any]:
        """Verified claims of a token of the given type. PyJWT checks signature (HS256 only), presence of every
        claim, aud and iss; times are checked here against the injected clock."""
        if not isinstance(token, str) or not token or len(token) > 4096:
            raise Unauthorized(BAD_TOKEN)
        s = self.settings
        try:
            claims = jwt.decode(
                token, s.signing_key, algorithms=[ALGORITHM], audience=s.jwt_audience, issuer=s.jwt_issuer,
                options={"require": REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False,
                         "verify_nbf": False, "strict_aud": True},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(BAD_TOKEN) from exc
        now = self.clock.now()
        exp, iat = claims.get("exp"), claims.get("iat")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (exp, iat)):
            raise Unauthorized(BAD_TOKEN)
        if exp <= now or iat > now + 60:
            raise Unauthorized(BAD_TOKEN)
        if claims.get("typ") != typ or not isinstance(claims.get("sid"), str) or not isinstance(claims["sub"], str):
            raise Unauthorized(BAD_TOKEN)
        return claims

    def _live_session(self, claims: dict[str, Any]) -> Session:
        session = self.users.get_session(claims["sid"])
        if session is None or session.revoked or session.user_id != claims["sub"]:
            raise Unauthorized(BAD_TOKEN)
        return session
