"""Settings read once from the environment (and an optional `.env` file)."""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-secret-change-me"  # noqa: S105 - the value production refuses
DEFAULT_DATABASE_URL = "sqlite:///./data/demensforlop.db"


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
