"""The learning networks' measures, added to an improvement area in one click."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Forbidden, Invalid, NotFound
from app.models.base import IndicatorKind, IndicatorRole
from app.models.measurement import IndicatorTemplateKey
from app.services import indicator_templates, measurement
from tests import factories


def test_every_template_has_a_role_and_both_languages() -> None:
    norwegian = {t.key: t for t in indicator_templates.list_templates("nb")}
    english = {t.key: t for t in indicator_templates.list_templates("en")}
    assert set(norwegian) == set(IndicatorTemplateKey)
    assert {t.role for t in norwegian.values()} == set(IndicatorRole)
    checklist = norwegian[IndicatorTemplateKey.pathway_checklist]
    assert (checklist.kind, checklist.role) == (IndicatorKind.proportion, IndicatorRole.process)
    change = norwegian[IndicatorTemplateKey.psfs_mean_change]
    assert (change.kind, change.role) == (IndicatorKind.value, IndicatorRole.outcome)
    assert norwegian[IndicatorTemplateKey.referral_to_diagnosis].direction == "down"
    for key, template in norwegian.items():
        assert template.name != english[key].name
        assert template.definition != english[key].definition


def test_a_template_becomes_an_indicator_of_the_area_once(session: Session) -> None:
    area_id = factories.area(session, "5501")
    coordinator = factories.coordinator(session, "5501")
    created = indicator_templates.add_from_template(
        session, coordinator, area_id, IndicatorTemplateKey.what_matters_asked
    )
    assert created.name == "«Hva er viktig for deg?» spurt i uke 1"
    assert (created.kind, created.role) == (IndicatorKind.proportion, IndicatorRole.process)
    assert created.frequency == "month"
    listed = measurement.list_indicators(session, coordinator, area_id).items
    assert [i.id for i in listed] == [created.id]

    with pytest.raises(Invalid) as refused:
        indicator_templates.add_from_template(
            session, coordinator, area_id, IndicatorTemplateKey.what_matters_asked, "en"
        )
    assert [e.field for e in refused.value.errors] == ["template"]
    english = indicator_templates.add_from_template(
        session, coordinator, area_id, IndicatorTemplateKey.psfs_mean_change, "en"
    )
    assert english.name == "Change in function (PSFS), mean"
    assert english.role == IndicatorRole.outcome
    assert len(measurement.list_indicators(session, coordinator, area_id).items) == 2


def test_only_editors_add_templates(session: Session) -> None:
    area_id = factories.area(session, "5501")
    with pytest.raises(Forbidden):
        indicator_templates.add_from_template(
            session,
            factories.adviser(session, "troms"),
            area_id,
            IndicatorTemplateKey.readmissions,
        )
    with pytest.raises(NotFound):  # another municipality's area is not there for them
        indicator_templates.add_from_template(
            session,
            factories.coordinator(session, "5540"),
            area_id,
            IndicatorTemplateKey.readmissions,
        )
