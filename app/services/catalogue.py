"""Reference catalogues: readable by everyone, anonymous callers included."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models.catalogue import (
    ChecklistItem,
    ChecklistItemRead,
    ChecklistRead,
    ChecklistVersion,
    OfferingType,
    OfferingTypeRead,
    Phase,
    PhaseRead,
)


def _pick(lang: str, nb: str, en: str) -> str:
    return en if lang == "en" else nb


def list_phases(session: Session, lang: str = "nb") -> list[PhaseRead]:
    phases = session.exec(select(Phase).order_by(col(Phase.position))).all()
    return [
        PhaseRead(
            key=p.key,
            position=p.position,
            name=_pick(lang, p.name_nb, p.name_en),
            name_nb=p.name_nb,
            name_en=p.name_en,
            summary=_pick(lang, p.summary_nb, p.summary_en),
        )
        for p in phases
    ]


def phase_keys(session: Session) -> list[str]:
    return list(session.exec(select(Phase.key).order_by(col(Phase.position))).all())


def list_offering_types(session: Session, lang: str = "nb") -> list[OfferingTypeRead]:
    types = session.exec(select(OfferingType).order_by(col(OfferingType.position))).all()
    return [
        OfferingTypeRead(
            key=t.key,
            name=_pick(lang, t.name_nb, t.name_en),
            name_nb=t.name_nb,
            name_en=t.name_en,
            default_phase=t.default_phase,
            survey_category=t.survey_category,
            active=t.active,
        )
        for t in types
    ]


def current_checklist_version(session: Session) -> ChecklistVersion:
    version = session.exec(
        select(ChecklistVersion)
        .where(col(ChecklistVersion.is_current).is_(True))
        .order_by(col(ChecklistVersion.id).desc())
        .limit(1)
    ).first()
    if version is None:
        raise NotFound("No checklist has been loaded. Run `demensforlop seed`.")
    return version


def checklist_items(session: Session, version_id: int) -> list[ChecklistItem]:
    return list(
        session.exec(
            select(ChecklistItem)
            .where(col(ChecklistItem.checklist_version_id) == version_id)
            .order_by(col(ChecklistItem.position))
        ).all()
    )


def get_checklist(session: Session, lang: str = "nb") -> ChecklistRead:
    version = current_checklist_version(session)
    return ChecklistRead(
        version=version.id,
        title=version.title,
        items=[
            ChecklistItemRead(
                key=i.key,
                position=i.position,
                phase=i.phase,
                text=_pick(lang, i.text_nb, i.text_en),
                text_nb=i.text_nb,
                text_en=i.text_en,
            )
            for i in checklist_items(session, version.id)
        ],
    )
