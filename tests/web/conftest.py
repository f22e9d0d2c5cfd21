"""Fixtures for tests of HTML pages: `signed_in(role, ...)` gives a test client with a real
browser session (signed in through the sign-in form) in the test's rolled-back transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import count

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Role
from tests import factories
from tests.webtools import SignedInClient, sign_in

_emails = count(1)

SignedIn = Callable[..., SignedInClient]


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def signed_in(app: FastAPI, session: Session) -> SignedIn:
    def make(
        role: Role = Role.coordinator,
        *,
        municipalities: Sequence[str] = (),
        regions: Sequence[str] = (),
        email: str | None = None,
    ) -> SignedInClient:
        if role == Role.coordinator and not municipalities:
            municipalities = ("5501",)
        if role == Role.adviser and not regions:
            regions = ("troms",)
        email = email or f"web{next(_emails)}@example.no"
        principal = factories.user(
            session, role, municipalities=municipalities, regions=regions, email=email
        )
        client = TestClient(app)
        csrf = sign_in(client, email, factories.PASSWORD)
        return SignedInClient(client=client, csrf=csrf, principal=principal, email=email)

    return make


@pytest.fixture
def coordinator(signed_in: SignedIn) -> SignedInClient:
    """The coordinator of Tromsø (5501)."""
    return signed_in()


@pytest.fixture
def adviser(signed_in: SignedIn) -> SignedInClient:
    """An adviser for the Troms region."""
    return signed_in(Role.adviser)
