"""Password hashing and random secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

#: Argon2id with the library's defaults (RFC 9106 second recommended option). A hash carries
#: its parameters, so hashes made at another cost still verify (the tests hash at a lower one).
PRODUCTION_PASSWORD_HASH = PasswordHash((Argon2Hasher(),))
_password_hash = PRODUCTION_PASSWORD_HASH

API_TOKEN_PREFIX = "dfl_"  # noqa: S105 - a prefix, not a secret
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200

# A valid hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _password_hash.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _password_hash.verify(password, _DUMMY_HASH)
        return False
    try:
        return _password_hash.verify(password, password_hash)
    except Exception:  # a corrupt hash is a failed sign-in, not a crash
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"at least {PASSWORD_MIN_LENGTH} characters"
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"at most {PASSWORD_MAX_LENGTH} characters"
    return None


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def new_password() -> str:
    return secrets.token_urlsafe(12)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def sign(secret: str, message: str) -> str:
    """HMAC-SHA256 of `message` under `secret`, URL-safe: only who knows the secret can
    make it, so a value carrying it can be checked without storing anything."""
    digest = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
