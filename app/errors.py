"""Domain errors. Services raise these; one handler turns them into problem+json under /api
and into an error page or an inline message in the web app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class Unauthenticated(DomainError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


class CsrfRejected(Forbidden):
    """A cookie-authenticated request that changes something came without the session's
    CSRF token (a forged request, or a form from an ended session)."""

    slug = "csrf-token"
    title = "CSRF token missing or wrong"


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"


class NotPublished(NotFound):
    """The municipality exists but has not published its pathway. Carries its name and
    website, so the public can be pointed somewhere useful."""

    slug = "not-published"
    title = "Not published yet"

    def __init__(
        self,
        name: str,
        website: str | None,
        language_form: str = "nb",
        contact: tuple[str, str, str, str] = ("", "", "", ""),
    ) -> None:
        self.language_form = language_form
        #: The municipality's contact for citizens: name, phone, e-mail, web address.
        self.contact = contact
        detail = f"{name} has not published its dementia care pathway here yet."
        if website:
            detail += f" The municipality's own website may help: {website}"
        super().__init__(detail, name=name, website=website)
        self.name = name
        self.website = website


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class PreconditionFailed(DomainError):
    """The version the client holds is not the current one: someone else saved first."""

    status = 412
    slug = "stale-version"
    title = "The resource has changed"

    def __init__(self, current_version: int, current: Any = None, etag: str | None = None) -> None:
        super().__init__(
            "Someone else saved a newer version. Fetch the current version and apply your "
            "change to it.",
            current_version=current_version,
        )
        self.current_version = current_version
        self.current = current
        self.etag = etag if etag is not None else f'"{current_version}"'


class PreconditionRequired(DomainError):
    status = 428
    slug = "if-match-required"
    title = "If-Match required"


class Invalid(DomainError):
    status = 422
    slug = "validation-error"
    title = "Invalid input"

    def __init__(self, errors: list[FieldError] | FieldError, detail: str = "") -> None:
        self.errors = [errors] if isinstance(errors, FieldError) else errors
        super().__init__(detail or "; ".join(f"{e.field}: {e.message}" for e in self.errors))


class TooLarge(DomainError):
    status = 413
    slug = "payload-too-large"
    title = "Request body too large"


class UnsupportedMediaType(DomainError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class TooManyRequests(DomainError):
    status = 429
    slug = "too-many-requests"
    title = "Too many attempts"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class LinkNotUsable(DomainError):
    """A single-use link (invitation, password reset) that is unknown, used or expired;
    `reason` says which, so the page can say what to do next."""

    status = 410
    slug = "link-not-usable"
    title = "The link cannot be used"

    def __init__(self, reason: str, purpose: str) -> None:
        super().__init__(f"The link is {reason}.", reason=reason, purpose=purpose)
        self.reason = reason
        self.purpose = purpose


class SignInRefused(Forbidden):
    """Someone the provider vouched for may not sign in here; `reason` (unverified,
    unknown, invitation_expired, deactivated, demo) says why, so the page can say what to
    do next."""

    slug = "sign-in-refused"
    title = "Sign-in refused"

    def __init__(self, reason: str) -> None:
        super().__init__(f"Sign-in refused: {reason}.", reason=reason)
        self.reason = reason
