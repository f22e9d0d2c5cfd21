"""A router that only answers paths under its prefixes.

The router matches a request by trying its routes one by one, and a router included in another
is tried route by route too. A `GatedRouter` first checks the path's prefix, so a request for
a page never tries the 77 API routes, and an API request never tries the pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope


def route_path(scope: Scope) -> str:
    """The path the routes see: without the root path the app may be mounted under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root + "/"):
        return path[len(root) :]
    return path


class GatedRouter(APIRouter):
    def __init__(self, *, gates: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gates = gates

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("type") in ("http", "websocket") and not route_path(scope).startswith(
            self.gates
        ):
            return Match.NONE, {}
        return super().matches(scope)
