"""The workspace of the municipality in a page's address, as a dependency of the route.

`EditableWorkspaceDep` is the one place the web refuses a reader who may not change what a
form changes (403, from `services.workspace`); the routes that take it never check again.
Routes addressed by an area, a measure or an indicator find their municipality first and ask
`services.workspace.workspace_of` with `Need.edit` themselves."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app import cache
from app.services.workspace import Need, Workspace, open_workspace
from app.web.core import SignedInDep


def _workspace(number: str, web: SignedInDep) -> Workspace:
    # Only reading: the municipality and its region may be the ones kept (`app.cache`).
    return open_workspace(
        web.db,
        web.principal,
        number,
        find=lambda found: cache.municipality_and_region(web.request, web.db, found),
    )


def _editable(number: str, web: SignedInDep) -> Workspace:
    return open_workspace(web.db, web.principal, number, Need.edit)


def _commentable(number: str, web: SignedInDep) -> Workspace:
    return open_workspace(web.db, web.principal, number, Need.comment)


def _reviewable(number: str, web: SignedInDep) -> Workspace:
    return open_workspace(web.db, web.principal, number, Need.review)


#: The municipality `{number}`, readable by the signed-in person (403 otherwise).
WorkspaceDep = Annotated[Workspace, Depends(_workspace)]
#: ... and changeable by them: coordinators of it and administrators, not advisers.
EditableWorkspaceDep = Annotated[Workspace, Depends(_editable)]
#: ... and open to their comments.
CommentableWorkspaceDep = Annotated[Workspace, Depends(_commentable)]
#: ... and open to their guidance conversations (the region's advisers).
ReviewableWorkspaceDep = Annotated[Workspace, Depends(_reviewable)]
