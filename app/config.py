"""Settings read once from the environment (and an optional `.env` file)."""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-secret-change-me"  # noqa: S105 - the value production refuses
DEFAULT_DATABASE_URL = "sqlite:///./data/demensforlop.db"


class OidcProvider(BaseModel):
    """One OpenID provider people may sign in through (an item of `OIDC_PROVIDERS`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: In addresses (/logg-inn/sso/<key>): lower-case letters, digits and hyphens.
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    #: The issuer exactly as the provider's discovery document and ID tokens name it.
    issuer: str = Field(min_length=8, max_length=500)
    client_id: str = Field(min_length=1, max_length=500)
    client_secret: str = Field(min_length=1, max_length=2000, repr=False)
    #: On the button: "Logg inn med <display_name>".
    display_name: str = Field(min_length=1, max_length=100)
    scope: str = "openid email profile"
    #: The claim that says the e-mail address is verified (Entra ID: "xms_edov").
    email_verified_claim: str = "email_verified"
    token_endpoint_auth_method: Literal["client_secret_basic", "client_secret_post"] = (
        "client_secret_basic"  # noqa: S105 - a method's name, not a secret
    )
    #: The provider makes everyone use multi-factor authentication, so a sign-in through
    #: it stands in for the app's own two-step verification (docs/operations.md).
    mfa: bool = False

    @field_validator("issuer")
    @classmethod
    def _issuer_is_https(cls, value: str) -> str:
        loopback = value.startswith(("http://127.0.0.1:", "http://localhost:"))
        if not value.startswith("https://") and not loopback:
            raise ValueError("an issuer must be an https:// address")
        return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = DEFAULT_SECRET
    demo: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    #: Largest accepted request body; larger bodies get 413.
    max_body_bytes: int = 1_048_576
    #: Municipality imports carry whole histories, so they may be larger.
    max_import_bytes: int = 16 * 1_048_576
    #: Observation counts below this are shown as "<N" to non-editors.
    small_number_threshold: int = Field(default=5, ge=1)
    #: A review falls due this many months after the last review or publication.
    review_interval_months: int = Field(default=12, ge=1)
    #: A municipality with no change for this many days is flagged as stale.
    stale_after_days: int = Field(default=90, ge=1)

    session_idle_minutes: int = 8 * 60
    session_absolute_hours: int = 7 * 24
    #: Failed sign-ins per account and address pair in the window (services/auth.py).
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    #: Failed sign-ins per account from all addresses in the longer account window; the
    #: addresses the account signed in from lately are spared it.
    login_account_max_failures: int = Field(default=50, ge=1)
    login_account_window_minutes: int = Field(default=24 * 60, ge=1)
    #: Failed sign-ins per address, whatever the account, in the window.
    login_address_max_failures: int = Field(default=20, ge=1)
    #: Administrators must use two-step verification (TOTP) to sign in with a password.
    #: Only tests turn it off (demo users are exempt in demo mode anyway); production
    #: refuses to start without it.
    admin_two_step: bool = True

    #: A bearer token that opens /metrics from anywhere (unset: only the addresses below).
    metrics_token: str = ""
    #: Addresses (CIDR, comma-separated) that may read /metrics without the token. Requests
    #: that came through a proxy (X-Forwarded-For, Forwarded) need the token whatever their
    #: address: behind a proxy on the same machine every request comes from loopback.
    metrics_allow: str = "127.0.0.0/8,::1/128"

    @property
    def metrics_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return _networks(self.metrics_allow)

    #: Where e-mail goes: smtp://user:pass@host:587 (STARTTLS, required unless the host is
    #: loopback), smtps://user:pass@host:465 (implicit TLS). Unset: e-mail is written to
    #: the log instead of sent (make run).
    smtp_url: str = ""
    mail_from: str = "Demensforløp <ikke-svar@demensforlop.no>"
    #: The address links in e-mail start with (scheme, host, no trailing slash).
    public_url: str = "http://127.0.0.1:8000"
    #: Run the outbox sender in a thread of the app (off where a separate
    #: `demensforlop send-mail` runs, and in tests that send themselves).
    mail_sender_thread: bool = True
    mail_poll_seconds: float = Field(default=5.0, gt=0)
    #: Attempts before a message is marked failed; waits double from the first.
    mail_max_attempts: int = Field(default=6, ge=1)
    mail_retry_seconds: int = Field(default=60, ge=1)

    #: Single sign-on: a JSON list of OpenID providers (see OidcProvider and
    #: docs/operations.md); empty: password sign-in only.
    oidc_providers: list[OidcProvider] = Field(default_factory=list)

    def oidc_provider(self, key: str) -> OidcProvider | None:
        return next((p for p in self.oidc_providers if p.key == key), None)

    #: Webhooks to private, loopback and link-local addresses (tests, closed networks only).
    webhook_allow_private: bool = False
    #: Run the webhook sender in a thread of the app (each process claims its own share).
    webhook_sender_thread: bool = True
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    #: The first wait after a failed delivery; it doubles each time (at most an hour).
    webhook_retry_seconds: float = Field(default=5.0, gt=0)
    #: How long a delivery is retried before the webhook is disabled with the reason.
    webhook_retry_window_seconds: float = Field(default=24 * 3600, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    #: Origins (comma-separated, e.g. https://app.example.no) whose pages may call the
    #: authenticated API from a browser. The public API is open to every origin.
    cors_origins: str = ""
    #: Requests per token in each window (0: no limit); beyond it 429 with Retry-After.
    api_rate_limit: int = Field(default=1200, ge=0)
    api_rate_window_seconds: int = Field(default=60, ge=1)

    @property
    def cors_origin_list(self) -> tuple[str, ...]:
        return tuple(o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip())

    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"
    #: Set when the app sits behind a proxy that sets X-Forwarded-*.
    trust_proxy_headers: bool = False

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _metrics_allow_is_a_list_of_networks(self) -> Settings:
        try:
            _networks(self.metrics_allow)
        except ValueError as exc:
            raise ValueError(f"METRICS_ALLOW must list networks such as 10.0.0.0/8: {exc}") from exc
        return self

    @model_validator(mode="after")
    def _smtp_url_is_smtp(self) -> Settings:
        if self.smtp_url and not self.smtp_url.startswith(("smtp://", "smtps://")):
            raise ValueError("SMTP_URL must start with smtp:// or smtps://")
        return self

    @model_validator(mode="after")
    def _oidc_keys_are_unique(self) -> Settings:
        keys = [p.key for p in self.oidc_providers]
        if len(keys) != len(set(keys)):
            raise ValueError("OIDC_PROVIDERS: every provider needs its own key")
        if self.is_production and any(
            not p.issuer.startswith("https://") for p in self.oidc_providers
        ):
            raise ValueError("OIDC_PROVIDERS: issuers must be https:// in production")
        return self

    @model_validator(mode="after")
    def _refuse_weak_secret_in_production(self) -> Settings:
        if self.is_production:
            if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32:
                raise ValueError(
                    "SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production (ENVIRONMENT=production)"
                )
            if self.demo:
                raise ValueError("DEMO=true is not allowed in production")
            if not self.admin_two_step:
                raise ValueError("ADMIN_TWO_STEP=false is not allowed in production")
        return self


def _networks(listed: str) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(
        ip_network(part.strip(), strict=False) for part in listed.split(",") if part.strip()
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
