"""Static files with caching that matches how the pages link them."""

from __future__ import annotations

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope


class CachedStaticFiles(StaticFiles):
    """Pages link static files as `/static/<file>?v=<content hash>` (web/templating.py), so a
    versioned URL never changes content: browsers and CDNs may keep it for a year. Unversioned
    URLs are cached briefly and revalidated with their ETag."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["Cache-Control"] = (
                "public, max-age=31536000, immutable" if versioned else "public, max-age=3600"
            )
        return response
