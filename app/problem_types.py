"""What each problem `type` means: the pages the `type` URIs of problem+json answers
(`/problems/<slug>`) resolve to, for the integrators who meet them. English, like the rest
of the API's contract."""

from __future__ import annotations

#: slug → (title, what it means and what to do).
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "bad-request": ("Bad request", "The request cannot be understood as sent. Fix it first."),
    "malformed-json": (
        "Malformed JSON",
        "The body is not valid JSON (status 400). `errors` says where parsing stopped.",
    ),
    "unauthenticated": (
        "Authentication required",
        "Send `Authorization: Bearer <token>`. A token that was sent but is unknown, expired "
        'or revoked is answered with `WWW-Authenticate: Bearer error="invalid_token"`: ask '
        "the administrator for a new one.",
    ),
    "forbidden": (
        "Not allowed",
        "The token is valid but its scope (read or write) or its binding (municipalities, "
        "regions) does not cover this request.",
    ),
    "csrf-token": (
        "CSRF token missing or wrong",
        "A browser session made an unsafe request without its CSRF token. API clients use "
        "bearer tokens and never meet this.",
    ),
    "not-found": (
        "Not found",
        "Nothing is at this address, or the caller may not know that it exists.",
    ),
    "not-published": (
        "Not published yet",
        "The municipality exists but has not published its pathway; `name` and `website` "
        "point somewhere useful.",
    ),
    "method-not-allowed": (
        "Method not allowed",
        "The path exists but not with this method; `Allow` lists the methods it answers.",
    ),
    "not-acceptable": ("Not acceptable", "No representation matches the Accept header."),
    "conflict": (
        "Conflict",
        "The change conflicts with data saved at the same time (e.g. a key already taken). "
        "Read the current state and decide again.",
    ),
    "stale-version": (
        "The resource has changed",
        "If-Match named a version that is no longer current (status 412): someone else saved "
        "first. The problem carries `current_version`, usually `current` (the representation "
        "now) and the current `ETag`; apply your change to it and send again with that tag.",
    ),
    "if-match-required": (
        "If-Match required",
        "Changes need `If-Match` with the ETag of your last GET (or `*`), so that nobody's "
        "change is overwritten by accident (status 428).",
    ),
    "payload-too-large": (
        "Request body too large",
        "Bodies are limited to 1 MiB (whole-municipality imports 16 MiB).",
    ),
    "unsupported-media-type": (
        "Unsupported media type",
        "Send bodies as `application/json` (the observation import also takes text/csv).",
    ),
    "validation-error": (
        "Invalid input",
        "The body or a parameter breaks a rule of the schema or of the domain (status 422); "
        "`errors` names each field and what is wrong with it.",
    ),
    "too-many-requests": (
        "Too many requests",
        "The token (or, when signing in, the account or address) has used its allowance; "
        "wait the seconds `Retry-After` gives.",
    ),
    "link-not-usable": (
        "The link cannot be used",
        "An invitation or password-reset link that is unknown, used or expired; `reason` "
        "says which.",
    ),
    "internal-server-error": (
        "Internal server error",
        "Something went wrong on the server; nothing was saved. Try again; if it persists, "
        "report the `X-Request-ID` of the response.",
    ),
}

#: The slug of an HTTP error the framework raises.
STATUS_SLUGS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "too-many-requests",
    500: "internal-server-error",
}


def explain(slug: str) -> str | None:
    """The page for a problem type, as plain text; None for a type there is not."""
    if slug not in PROBLEM_TYPES:
        return None
    title, text = PROBLEM_TYPES[slug]
    return f"{title}\n\n{text}\n\nSee also /api/v1/docs and the integration guide (docs/api.md).\n"
