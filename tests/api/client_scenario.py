"""A short sync program written against the client generated from the OpenAPI document (run
by tests/api/test_generated_client.py with the generator's Python): list with paging, a
conditional GET, an update with If-Match, a 412 handled by taking the current version, and
the change feed followed from a cursor.

Usage: python client_scenario.py <base url> <region token> <write token> <municipality>"""

from __future__ import annotations

import sys

from demensforlop_api_client import AuthenticatedClient
from demensforlop_api_client.api.events import list_change_events
from demensforlop_api_client.api.regions_and_municipalities import list_municipalities
from demensforlop_api_client.api.strengths import create_strength, get_strength, update_strength
from demensforlop_api_client.models import (
    ChangeFeedRead,
    PageOutMunicipalityRead,
    Problem,
    StrengthRead,
)
from demensforlop_api_client.models.strength_create import StrengthCreate
from demensforlop_api_client.models.strength_update import StrengthUpdate


def read_feed(client: AuthenticatedClient, cursor: int) -> tuple[list[tuple[str, str]], int]:
    """Every event after `cursor` as (type, entity id), and the cursor to continue from."""
    events: list[tuple[str, str]] = []
    while True:
        page = list_change_events.sync_detailed(client=client, after=cursor, limit=1000)
        assert page.status_code == 200, page.content
        assert isinstance(page.parsed, ChangeFeedRead)
        events += [(e.type_, e.entity_id) for e in page.parsed.items]
        if not page.parsed.items:
            assert page.parsed.next_cursor == cursor
            return events, cursor
        cursor = page.parsed.next_cursor


def main(base_url: str, reader_token: str, writer_token: str, number: str) -> None:
    reader = AuthenticatedClient(base_url=base_url, token=reader_token)
    writer = AuthenticatedClient(base_url=base_url, token=writer_token)

    # Every page, following offset (and the Link header) until total is reached.
    seen: list[str] = []
    offset, pages = 0, 0
    while True:
        page = list_municipalities.sync_detailed(client=reader, limit=3, offset=offset)
        assert page.status_code == 200, page.content
        assert isinstance(page.parsed, PageOutMunicipalityRead)
        seen += [m.number for m in page.parsed.items]
        pages += 1
        offset += page.parsed.limit
        if offset >= page.parsed.total:
            assert "link" not in page.headers
            break
        assert 'rel="next"' in page.headers["link"]
    assert len(seen) == len(set(seen)) == page.parsed.total > 3, seen
    assert pages >= 2

    # The change feed, read to its end: where this program will continue from.
    _, cursor = read_feed(writer, 0)

    # A conditional GET: 304 while the copy is current.
    created = create_strength.sync_detailed(
        number, client=writer, body=StrengthCreate(text="Faste kontaktpersoner")
    )
    assert created.status_code == 201, created.content
    assert isinstance(created.parsed, StrengthRead)
    strength_id = created.parsed.id
    first = get_strength.sync_detailed(strength_id, client=writer)
    tag = first.headers["etag"]
    again = get_strength.sync_detailed(strength_id, client=writer, if_none_match=tag)
    assert again.status_code == 304, again.status_code

    # An update with If-Match, then one with the tag it made stale: 412 and the current
    # version in the problem, which the program applies its change to.
    updated = update_strength.sync_detailed(
        strength_id, client=writer, body=StrengthUpdate(text="Oppdatert"), if_match=tag
    )
    assert updated.status_code == 200, updated.content
    stale = update_strength.sync_detailed(
        strength_id, client=writer, body=StrengthUpdate(text="Fra en gammel kopi"), if_match=tag
    )
    assert stale.status_code == 412, stale.content
    assert isinstance(stale.parsed, Problem)
    current = f'"{stale.parsed.current_version}"'
    assert current == stale.headers["etag"]
    retried = update_strength.sync_detailed(
        strength_id, client=writer, body=StrengthUpdate(text="Fra en gammel kopi"), if_match=current
    )
    assert retried.status_code == 200, retried.content
    assert isinstance(retried.parsed, StrengthRead)
    assert retried.parsed.text == "Fra en gammel kopi"

    # From the cursor, the feed has the changes made since, in order, and nothing else of
    # this municipality's; read again, nothing is new.
    events, cursor = read_feed(writer, cursor)
    mine = [
        k for k, entity_id in events if k.startswith("strength.") and entity_id == str(strength_id)
    ]
    assert mine == ["strength.created", "strength.updated", "strength.updated"], events
    assert read_feed(writer, cursor) == ([], cursor)
    sys.stdout.write("scenario passed\n")


if __name__ == "__main__":
    main(*sys.argv[1:5])
