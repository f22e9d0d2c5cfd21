"""People, API clients and their tokens, browser sessions and login throttling."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import ApiOutput, UTCDateTime, created_at_field, utcnow


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    #: Stored lower-cased; the sign-in name.
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=20)
    language: str = Field(default="nb", max_length=5)
    is_active: bool = True
    #: Demo users can only sign in while the app runs in demo mode.
    is_demo: bool = False
    created_at: datetime = created_at_field()
    password_changed_at: datetime = created_at_field()
    #: The base32 TOTP secret (RFC 6238); set while two-step verification is being set up
    #: or is on. It is on once `totp_enabled_at` is set (the person entered a code).
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: The time step of the last code accepted: a code is never accepted twice.
    totp_last_step: int | None = None


class RecoveryCode(SQLModel, table=True):
    """A one-time code for signing in without the authenticator app; stored as SHA-256
    (the codes are random with 80 bits, so a fast hash is enough)."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserMunicipality(SQLModel, table=True):
    __tablename__ = "user_municipality"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    municipality_id: int = Field(
        foreign_key="municipality.id", primary_key=True, ondelete="CASCADE"
    )


class UserRegion(SQLModel, table=True):
    __tablename__ = "user_region"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    region_id: int = Field(foreign_key="region.id", primary_key=True, ondelete="CASCADE")


class ApiClient(SQLModel, table=True):
    __tablename__ = "api_client"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    scope: str = Field(max_length=10)
    is_active: bool = True
    created_at: datetime = created_at_field()
    #: The person who made the client; their deactivation revokes its tokens. None for
    #: clients made before this was recorded, or by the command line.
    created_by_user_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="SET NULL"
    )


class ApiClientMunicipality(SQLModel, table=True):
    __tablename__ = "api_client_municipality"

    api_client_id: int = Field(foreign_key="api_client.id", primary_key=True, ondelete="CASCADE")
    municipality_id: int = Field(
        foreign_key="municipality.id", primary_key=True, ondelete="CASCADE"
    )


class ApiClientRegion(SQLModel, table=True):
    __tablename__ = "api_client_region"

    api_client_id: int = Field(foreign_key="api_client.id", primary_key=True, ondelete="CASCADE")
    region_id: int = Field(foreign_key="region.id", primary_key=True, ondelete="CASCADE")


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    api_client_id: int = Field(foreign_key="api_client.id", index=True, ondelete="CASCADE")
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: str = Field(max_length=64, unique=True, index=True)
    #: The first characters, so a token can be recognised in lists.
    prefix: str = Field(max_length=16)
    created_at: datetime = created_at_field()
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: When the token was last used, to the minute (written at most once a minute).
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    #: SHA-256 of the session cookie value.
    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(max_length=64)
    created_at: datetime = created_at_field()
    last_seen_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempt"

    """One sign-in attempt (or a wrong current password when changing it): the account and
    the address it came from, so failures can be counted per pair, per account and per
    address (`services.auth`)."""

    id: int | None = Field(default=None, primary_key=True)
    #: The lower-cased e-mail tried (None only in attempts recorded before the pair was).
    account: str | None = Field(default=None, max_length=300, index=True)
    #: The client's address; IPv6 addresses by their /64 network (None: as `account`).
    address: str | None = Field(default=None, max_length=64, index=True)
    attempted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    succeeded: bool = False


class ApiTokenRead(ApiOutput):
    id: int
    client: str
    scope: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = None
    #: Municipality numbers and names ("5501 Tromsø") and region names it is bound to.
    municipalities: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
