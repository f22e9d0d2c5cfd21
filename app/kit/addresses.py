"""Which addresses a webhook may be sent to (SSRF): public unicast only, unless private
addresses are allowed (tests, closed networks)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})


def address_refused(address: str, *, allow_private: bool) -> bool:
    """True for loopback, private, link-local, multicast, reserved and unspecified
    addresses (IPv4-mapped IPv6 judged as IPv4), unless `allow_private`."""
    if allow_private:
        return False
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def url_problem(url: str, *, require_https: bool, allow_private: bool) -> str | None:
    """Why a webhook may not be sent to `url`, or None. Names are judged by what they
    resolve to when a delivery is made."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "not a valid URL"
    allowed = ("https",) if require_https else ("https", "http")
    if parts.scheme not in allowed:
        return "must be an https:// URL" if require_https else "must be an http(s):// URL"
    host = (parts.hostname or "").lower()
    if not host:
        return "must name a host"
    if parts.username or parts.password:
        return "must not carry a user name or password"
    if port == 0:
        return "not a valid port"
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return None if allow_private else "private and loopback addresses are not allowed"
    try:
        refused = address_refused(host, allow_private=allow_private)
    except ValueError:
        return None  # a name
    return "private and loopback addresses are not allowed" if refused else None
