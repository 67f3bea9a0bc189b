"""Accounts and tokens: registration, login (Argon2id, throttled), refresh rotation, logout, authentication.

Tokens are JWTs (RFC 8725): HS256 pinned on decode, every claim required and checked (exp, iat, sub, aud, iss,
jti), a `typ` claim so an access token can never be used as a refresh token or the other way round, and a
`sid` naming the login session, which is looked up on every request so logout and refresh-reuse detection take
effect at once. Times come from the injected Clock so tests can move them.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
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

log = logging.getLogger("cloudalbum.auth")

# An attempt over a failure limit while no failure stands behind it (only attempts still being checked) waits
# for them to settle, polling with backoff (about 9 polls: each costs a few store requests, so a burst of
# waiting sign-ins cannot multiply the store's load much), for at most this long; then it goes ahead: it is
# never refused for them.
SETTLE_WAIT_S = 5.0
SETTLE_POLL_S = 0.05
SETTLE_POLL_MAX_S = 1.0

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
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def _epoch(iso_time: str) -> float:
    dt = datetime.fromisoformat(iso_time.replace("Z", "+00:00"))
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


def _email_digest(email: str) -> str:
    """Throttling keys name an email by digest: counters (which outlive an account) hold no address."""
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def failures_key(key: str) -> str:
    """The key under which the failures alone of a throttling key are recorded."""
    return f"{key}#failed"


def password_key(user_id: str) -> str:
    """The throttling key of wrong current passwords (password change, account deletion)."""
    return f"password:{user_id}"


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
        # Argon2id; parameters and the number of hashes at once are settings (docs/reliability.md): the
        # semaphore bounds hashing memory to argon2_concurrency x argon2_memory_kib per process, whatever
        # the number of concurrent sign-ins and registrations (the others wait their turn).
        self.hasher = PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib,
                                     parallelism=settings.argon2_parallelism)
        self._argon2_slots = threading.BoundedSemaphore(settings.argon2_concurrency)
        self._dummy: tuple[PasswordHasher, str] | None = None

    @property
    def _dummy_hash(self) -> str:
        """A hash made with the current hasher, verified against for unknown emails so both failure paths
        cost one Argon2 verification with the same parameters. Made on first use."""
        if self._dummy is None or self._dummy[0] is not self.hasher:
            self._dummy = (self.hasher, self._hash(secrets.token_urlsafe(16)))
        return self._dummy[1]

    def _hash(self, password: str) -> str:
        with self._argon2_slots:
            return self.hasher.hash(password)

    def _verify(self, password_hash: str, password: str) -> bool:
        """True for a match; False for a mismatch or a hash that cannot be read."""
        try:
            with self._argon2_slots:
                return bool(self.hasher.verify(password_hash, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    # --- accounts -----------------------------------------------------------------------------------------

    def register(self, email: Any, password: Any, *, client_ip: str | None = None) -> User:
        """A new account. Invalid for a malformed email or a short password; Conflict when the email is taken;
        Throttled past register_max_per_address attempts from one client address in register_window_s."""
        norm = normalise_email(email)
        pw = _check_password(password)
        s = self.settings
        if client_ip:
            self._take_slots([(f"register:{client_ip}", s.register_max_per_address)], s.register_window_s,
                             "Too many accounts created from this address: try again later.")
        if self.users.user_by_email(norm) is not None:
            raise Conflict("An account with this email already exists: sign in instead.", code="email_taken")
        user = User(id=new_id(), email=norm, password_hash=self._hash(pw), created_at=_iso(self.clock.now()))
        self.users.add_user(user)  # raises Conflict itself if a concurrent registration won
        return user

    def login(self, email: Any, password: Any, *, client_ip: str | None = None) -> TokenPair:
        """Tokens for a correct email and password. One answer for unknown email and wrong password.

        Throttling (API.md): failures count per (client address, email) and per client address. Each attempt
        takes a slot under both keys *before* its password is checked (an atomic count, so concurrent guesses
        cannot all slip under the limit); a wrong password keeps its slots and is recorded as a failure, a
        right one gives them back. An attempt over a limit is refused only when a failure stands behind it;
        over a limit reached by attempts still being checked, it waits for them (_take_slots). So a correct
        password from an address without recent failures is never refused, and failures from other
        addresses, against this email or any other, never count against it."""
        norm = email.strip().lower()[:MAX_EMAIL] if isinstance(email, str) else ""
        s = self.settings
        address = client_ip or "-"
        pair = f"login:pair:{address}:{_email_digest(norm)}"
        keys = [(pair, s.login_max_failures)]
        if client_ip:
            keys.append((f"login:addr:{client_ip}", s.login_max_failures_per_address))
        now, counts = self._take_slots(keys, s.login_window_s,
                                       "Too many failed sign-ins: wait a few minutes and try again.",
                                       failures_only=True)
        user = self.users.user_by_email(norm) if norm else None
        if not self._password_ok(user, password):
            self._record_failure(keys, s.login_window_s)
            raise Unauthorized(BAD_LOGIN, code="invalid_credentials")
        assert user is not None  # _password_ok is False for an unknown email
        for key, _ in keys:
            if key == pair and counts[key] > 1:  # a success forgives this address's failures for this email
                self.users.clear_hits(pair)
                self.users.clear_hits(failures_key(pair))
            else:
                self.users.unhit(key, window_s=s.login_window_s, now=now)
        self._upgrade_hash(user, password)
        return self._new_session(user.id)

    def _take_slots(self, keys: list[tuple[str, int]], window_s: int, message: str, *,
                    failures_only: bool = False) -> tuple[float, dict[str, int]]:
        """Count one attempt under every key (atomically, in the store) and return the time it was counted at
        and each count. Over any key's limit, every slot is given back and Throttled (with Retry-After) is
        raised, except with failures_only (limits on failures: sign-in, current password) while no failure
        is recorded under the keys over their limit: then the limit was reached by attempts still being
        checked, and this one waits for them to settle (they either fail, and it is refused, or succeed and
        give their slots back); after SETTLE_WAIT_S with still no failure it goes ahead."""
        deadline, pause = time.monotonic() + SETTLE_WAIT_S, SETTLE_POLL_S
        while True:
            now = self.clock.now()
            taken = {key: self.users.hit(key, window_s=window_s, now=now) for key, _ in keys}
            over = [key for key, limit in keys if taken[key] > limit]
            if not over:
                return now, taken
            if failures_only and time.monotonic() >= deadline and not self._failed_under(over, window_s, now):
                return now, taken  # nothing failed: a limit reached by attempts in flight refuses nobody
            for key in taken:
                self.users.unhit(key, window_s=window_s, now=now)
            if not failures_only or self._failed_under(over, window_s, now):
                log.warning("throttled: %s (%d attempts in %d s)", over[0], taken[over[0]], window_s)
                raise Throttled(message, retry_after_s=window_s)
            time.sleep(pause)
            pause = min(SETTLE_POLL_MAX_S, pause * 2)

    def _failed_under(self, keys: list[str], window_s: int, now: float) -> bool:
        return any(self.users.hit_count(failures_key(key), window_s=window_s, now=now) > 0 for key in keys)

    def _record_failure(self, keys: list[tuple[str, int]], window_s: int) -> None:
        """The attempt's slots stay (they are its failure); the failure is also recorded on its own, so an
        attempt over a limit can tell failures from attempts still being checked."""
        now = self.clock.now()
        for key, _ in keys:
            self.users.hit(failures_key(key), window_s=window_s, now=now)

    def _password_ok(self, user: User | None, password: Any) -> bool:
        """One Argon2 verification whether or not the user exists, so timing does not tell them apart."""
        if not isinstance(password, str) or len(password) > MAX_PASSWORD:
            password = ""
        ok = self._verify(user.password_hash if user else self._dummy_hash, password)
        return ok and user is not None

    def _upgrade_hash(self, user: User, password: str) -> None:
        """After the Argon2 parameters changed, each user's hash moves to them at their next sign-in."""
        try:
            stale = self.hasher.check_needs_rehash(user.password_hash)
        except InvalidHashError:
            stale = True
        if stale:
            self.users.set_password_hash(user.id, self._hash(password))

    # --- the account: password change, sign-out everywhere, deletion (API.md "Accounts and limits") ---------

    def check_password(self, principal: Principal, password: Any) -> None:
        """Unauthorized unless password is the signed-in user's. Wrong guesses count like failed sign-ins
        (per user), so a stolen access token is no faster way to guess the password than the login."""
        s = self.settings
        key = password_key(principal.user_id)
        now, _ = self._take_slots([(key, s.login_max_failures)], s.login_window_s,
                                  "Too many wrong passwords: wait a few minutes and try again.", failures_only=True)
        user = self.users.user_by_id(principal.user_id)
        if not self._password_ok(user, password):
            self._record_failure([(key, s.login_max_failures)], s.login_window_s)
            raise Unauthorized("The password is wrong.", code="invalid_credentials")
        self.users.unhit(key, window_s=s.login_window_s, now=now)

    def change_password(self, principal: Principal, current_password: Any, new_password: Any) -> None:
        """The new password (422 when weak); every other session of the user ends, this one stays."""
        self.check_password(principal, current_password)
        pw = _check_password(new_password)
        self.users.set_password_hash(principal.user_id, self._hash(pw))
        self.users.revoke_user_sessions(principal.user_id, keep=principal.session_id)

    def logout_all(self, principal: Principal) -> None:
        self.users.revoke_user_sessions(principal.user_id)

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
        return self._issue(claims["sub"], session)

    def logout(self, principal: Principal) -> None:
        self.users.revoke_session(principal.session_id)

    def authenticate(self, access_token: Any) -> Principal:
        """The principal of a valid access token on a live session; Unauthorized otherwise."""
        claims = self._decode(access_token, "access")
        session = self._live_session(claims)
        return Principal(user_id=claims["sub"], session_id=session.id)

    def _new_session(self, user_id: str) -> TokenPair:
        """A session that ends session_max_s after sign-in, however often it is refreshed."""
        now = int(self.clock.now())
        session = Session(id=new_id(), user_id=user_id, created_at=_iso(now),
                          expires_at=_iso(now + self.settings.session_max_s))
        self.users.add_session(session)
        return self._issue(user_id, session)

    def _issue(self, user_id: str, session: Session) -> TokenPair:
        """Tokens that expire at their own TTL or at the session's end, whichever comes first."""
        s = self.settings
        now = int(self.clock.now())
        left = max(1, int(_epoch(session.expires_at)) - now)
        access_ttl, refresh_ttl = min(s.access_ttl_s, left), min(s.refresh_ttl_s, left)
        access = self._encode(user_id, session.id, "access", now, access_ttl)
        refresh_jti = new_id()
        refresh = self._encode(user_id, session.id, "refresh", now, refresh_ttl, jti=refresh_jti)
        self.users.add_refresh_token(RefreshToken(jti=refresh_jti, session_id=session.id, user_id=user_id,
                                                  expires_at=_iso(now + refresh_ttl)))
        return TokenPair(access_token=access, refresh_token=refresh, expires_in=access_ttl)

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
        exp, iat = _seconds(claims.get("exp")), _seconds(claims.get("iat"))
        if exp is None or iat is None or exp <= now or iat > now + 60:
            raise Unauthorized(BAD_TOKEN)
        if claims.get("typ") != typ or not isinstance(claims.get("sid"), str) or not isinstance(claims["sub"], str):
            raise Unauthorized(BAD_TOKEN)
        return claims

    def _live_session(self, claims: dict[str, Any]) -> Session:
        session = self.users.get_session(claims["sid"])
        if session is None or session.revoked or session.user_id != claims["sub"]:
            raise Unauthorized(BAD_TOKEN)
        if _epoch(session.expires_at) <= self.clock.now():  # the absolute lifetime (session_max_s) is over
            raise Unauthorized(BAD_TOKEN)
        return session


def _seconds(value: object) -> float | None:
    """A JWT time claim (NumericDate) as a number, None when it is not one (a bool is not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
