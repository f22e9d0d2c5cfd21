"""Which webhook targets are refused (SSRF)."""

from __future__ import annotations

import pytest

from app.kit.addresses import address_refused, url_problem

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",  # noqa: S104 - refused, not bound to
        "100.64.0.1",
        "224.0.0.1",
        "fc00::1",
    ],
)
def test_private_and_special_addresses_are_refused(address: str) -> None:
    assert address_refused(address, allow_private=False)
    assert not address_refused(address, allow_private=True)


def test_public_addresses_pass() -> None:
    assert not address_refused("8.8.8.8", allow_private=False)
    assert not address_refused("2001:4860:4860::8888", allow_private=False)


def test_urls() -> None:
    assert (
        url_problem("https://hooks.example.no/x", require_https=True, allow_private=False) is None
    )
    assert url_problem("http://hooks.example.no/x", require_https=True, allow_private=False)
    assert (
        url_problem("http://hooks.example.no/x", require_https=False, allow_private=False) is None
    )
    assert url_problem("https://localhost/x", require_https=True, allow_private=False)
    assert url_problem("https://u:p@hooks.example.no/", require_https=True, allow_private=False)
    assert url_problem("https://[::1]/", require_https=True, allow_private=False)
    assert url_problem("https://[::1]/", require_https=True, allow_private=True) is None
    assert url_problem("gopher://x.no/", require_https=False, allow_private=True)
