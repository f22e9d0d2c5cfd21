"""The region's good examples for its members: the strengths of its municipalities grouped by
phase, naming the municipalities, so that they can learn from each other — on a
coordinator's dashboard and at `GET /regions/{slug}/good-examples`.

Outside its own municipality only published content is shown. A reader who may read a
municipality's drafts (its coordinators, the region's advisers, administrators, API clients
bound to it or its region: `Principal.can_read`) sees its strengths as they stand now. Every
other reader — a coordinator of a neighbouring municipality — sees them only as they stand
in its latest published version, and none before it has published: a draft is the
municipality's own until it chooses to publish it. Strengths shown as published carry no id
(the strength may have changed or gone since). The adviser's regional overview is for
readers of every draft in the region, and shows them as they are (services.overview).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import Forbidden
from app.kit.collation import norwegian_key
from app.models.identity import UserMunicipality
from app.models.municipality import Municipality, Region
from app.models.overview import MunicipalityRef, RegionGoodExamples, RegionRef
from app.models.pathway import Strength
from app.models.publishing import PublishedVersion, SnapshotStrength
from app.services.access import Principal, require_authenticated
from app.services.municipalities import get_region_row
from app.services.overview_builder import strength_groups
from app.services.pathway import Catalogue


@dataclass(frozen=True)
class ShownStrength:
    """A strength as this reader may see it: the draft's (with its id) or the published."""

    id: int | None
    text: str
    phase: str | None


def _drafts(session: Session, municipality_ids: Sequence[int]) -> dict[int, list[ShownStrength]]:
    shown: dict[int, list[ShownStrength]] = {mid: [] for mid in municipality_ids}
    if not municipality_ids:
        return shown
    for strength in session.exec(
        select(Strength)
        .where(col(Strength.municipality_id).in_(municipality_ids))
        .order_by(col(Strength.position), col(Strength.id))
    ).all():
        shown[strength.municipality_id].append(
            ShownStrength(id=strength.id, text=strength.text, phase=strength.phase)
        )
    return shown


def _published(session: Session, municipality_ids: Sequence[int]) -> dict[int, list[ShownStrength]]:
    """The strengths of each municipality's latest published version (none before its
    first), in two queries however many municipalities there are."""
    shown: dict[int, list[ShownStrength]] = {mid: [] for mid in municipality_ids}
    if not municipality_ids:
        return shown
    latest = (
        select(
            col(PublishedVersion.municipality_id).label("municipality_id"),
            func.max(PublishedVersion.number).label("number"),
        )
        .where(col(PublishedVersion.municipality_id).in_(municipality_ids))
        .group_by(col(PublishedVersion.municipality_id))
        .subquery()
    )
    for mid, snapshot in session.exec(
        select(PublishedVersion.municipality_id, PublishedVersion.snapshot).join(
            latest,
            (col(PublishedVersion.municipality_id) == latest.c.municipality_id)
            & (col(PublishedVersion.number) == latest.c.number),
        )
    ).all():
        for item in (snapshot or {}).get("strengths") or []:
            strength = SnapshotStrength.model_validate(item)
            shown[mid].append(ShownStrength(id=None, text=strength.text, phase=strength.phase))
    return shown


def _good_examples_of(
    session: Session, principal: Principal, regions: Sequence[Region], lang: str
) -> list[RegionGoodExamples]:
    catalogue = Catalogue(session, lang)
    municipalities = session.exec(
        select(Municipality).where(col(Municipality.region_id).in_([r.id for r in regions]))
    ).all()
    readable = [m.id or 0 for m in municipalities if principal.can_read(m)]
    others = [m.id or 0 for m in municipalities if not principal.can_read(m)]
    shown = {**_drafts(session, readable), **_published(session, others)}
    phases = [p.key for p in catalogue.phases]
    result = []
    for region in sorted(regions, key=lambda r: norwegian_key(r.name)):
        members = [
            (MunicipalityRef(number=m.number, name=m.name), strength)
            for m in sorted(municipalities, key=lambda m: (norwegian_key(m.name), m.number))
            if m.region_id == region.id
            for strength in shown[m.id or 0]
        ]
        result.append(
            RegionGoodExamples(
                region=RegionRef(slug=region.slug, name=region.name),
                groups=strength_groups(members, phases, catalogue, lang),
            )
        )
    return result


def _coordinator_region_ids(session: Session, principal: Principal) -> set[int]:
    if principal.is_coordinator:
        ids = session.exec(
            select(Municipality.region_id)
            .join(UserMunicipality, col(UserMunicipality.municipality_id) == col(Municipality.id))
            .where(col(UserMunicipality.user_id) == principal.user_id)
        ).all()
        return set(ids)
    return set()


def good_examples(
    session: Session, principal: Principal, slug: str, lang: str = "nb"
) -> RegionGoodExamples:
    """The region's good examples, for the region's coordinators (who may not open the
    overview), its advisers, administrators and API clients bound to the region."""
    require_authenticated(principal)
    region = get_region_row(session, slug)
    if not (
        principal.can_read_region(region.id or 0)
        or (region.id in _coordinator_region_ids(session, principal))
    ):
        raise Forbidden(f"The good examples of {region.name} are for the region's members.")
    return _good_examples_of(session, principal, [region], lang)[0]


def my_good_examples(
    session: Session, principal: Principal, lang: str = "nb"
) -> list[RegionGoodExamples]:
    """For a coordinator's dashboard: the good examples of the region(s) of the
    municipalities they work for."""
    require_authenticated(principal)
    if not principal.is_coordinator:
        raise Forbidden("Good examples on the dashboard are for coordinators.")
    region_ids = _coordinator_region_ids(session, principal)
    if not region_ids:
        return []
    regions = session.exec(select(Region).where(col(Region.id).in_(region_ids))).all()
    return _good_examples_of(session, principal, list(regions), lang)
