"""What the HTML side of the app shares: sessions and CSRF, languages, templates, forms,
navigation and error pages. The pages themselves are in app/routers/web/."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.convertors import IntegerConvertor, register_url_convertor

from app.web.i18n import load_all


class IdConvertor(IntegerConvertor):
    """`{name:id}` in page paths: a database id. At most nine digits, so a number too large
    for any id (or for SQLite) finds no page instead of reaching the database."""

    regex = "[0-9]{1,9}"


# Registered before any page route is defined (the routers import this package first).
register_url_convertor("id", IdConvertor())


def install(app: FastAPI) -> None:
    """Compile the catalogues now, so a broken one fails at start-up."""
    load_all()
