"""Importing the municipality's figures, its phase sections, checklist answers and
strengths. Values go through the API's own normalisers (`pathway.section_values`,
`strengths.strength_values`, …): the same cleaning of text and the same Markdown subset as
when the editor saves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.kit.text import clean_text
from app.models.pathway import ChecklistAnswer, Offering, PhaseSection, Strength
from app.models.transfer import ExportedChecklistAnswer, ExportedSection, MunicipalityExport
from app.services.pathway import offering_columns, offering_values, section_values
from app.services.strengths import strength_values
from app.services.transfer.state import (
    Stored,
    contact_of,
    fields,
    jsonable,
    municipality_item,
    strength_item,
)
from app.services.transfer.sync import (
    ANSWER,
    MUNICIPALITY,
    SECTION,
    STRENGTH,
    Collection,
    Run,
    Wanted,
    columns,
    sync,
)

#: The municipality's contact for citizens: columns that are "" rather than null.
CONTACT_COLUMNS = ("contact_name", "contact_phone", "contact_email", "contact_url")


def import_municipality_fields(run: Run, data: MunicipalityExport) -> None:
    """The figures and website, as an editor may change them (`MunicipalityFigures`)."""
    municipality = run.municipality
    values = data.municipality.model_dump(exclude={"number"})
    for name in CONTACT_COLUMNS:
        if values.get(name) is None and name in values:
            values[name] = ""  # the contact's columns are "" when not given
    if columns(municipality, list(values)) == values:
        return
    before = jsonable(municipality_item(municipality))
    for name, value in values.items():
        setattr(municipality, name, value)
    run.record(
        MUNICIPALITY,
        "changed",
        municipality.number,
        path="municipality",
        before=before,
        after=jsonable(municipality_item(municipality)),
    )


# ---- phase sections ----------------------------------------------------------------------


def _stored_offerings(offerings: list[Offering]) -> list[dict[str, Any]]:
    return [offering_columns(o) for o in offerings]


class _Sections:
    """Every phase has a section: one the document leaves out is emptied, never removed.
    A section's offerings are part of it (replaced together, as by the API's PUT)."""

    def __init__(self, run: Run, stored: Stored) -> None:
        self.run = run
        self.rows = {s.row.id: s.offerings for s in stored.sections}
        self.offerings = {s.row.id: _stored_offerings(s.offerings) for s in stored.sections}

    def wanted(self, stored: Stored, sections: list[ExportedSection]) -> list[Wanted]:
        given = {s.phase: (n, s) for n, s in enumerate(sections)}
        phases = [s.row.phase for s in stored.sections]
        phases += [s.phase for s in sections if s.phase not in phases]
        wanted = []
        for phase in phases:
            n, item = given.get(phase, (None, ExportedSection(phase=phase)))
            values = {
                **section_values(item),
                "offerings": [offering_values(o) for o in item.offerings],
            }
            wanted.append(Wanted(phase, None if n is None else f"sections.{n}", values))
        return wanted

    def current(self, row: PhaseSection, names: Sequence[str]) -> dict[str, Any]:
        return {
            **columns(row, [n for n in names if n != "offerings"]),
            "offerings": self.offerings.get(row.id, []),
        }

    def assign(self, row: PhaseSection, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name != "offerings":
                setattr(row, name, value)
        if values["offerings"] != self.offerings.get(row.id, []):
            for old in self.rows.get(row.id, []):
                self.run.session.delete(old)
            self.run.session.flush()
            self._add(row, values["offerings"])

    def _add(self, row: PhaseSection, offerings: list[dict[str, Any]]) -> None:
        stored = [
            Offering(phase_section_id=row.id or 0, position=position, **values)
            for position, values in enumerate(offerings, start=1)
        ]
        self.run.session.add_all(stored)
        self.rows[row.id] = stored
        self.offerings[row.id] = offerings

    def make(self, item: Wanted) -> PhaseSection:
        values = {k: v for k, v in item.values.items() if k != "offerings"}
        return PhaseSection(
            municipality_id=self.run.municipality.id or 0,
            phase=str(item.key),
            **values,
            created_at=self.run.now,
            updated_at=self.run.now,
        )

    def created(self, row: PhaseSection, item: Wanted) -> None:
        self._add(row, item.values["offerings"])

    def view(self, row: PhaseSection) -> dict[str, Any]:
        return jsonable(
            fields(
                ExportedSection,
                row,
                contact=contact_of(row),
                offerings=self.offerings.get(row.id, []),
            )
        )


def import_sections(run: Run, stored: Stored, sections: list[ExportedSection]) -> None:
    handler = _Sections(run, stored)
    number = run.municipality.number
    collection: Collection[PhaseSection] = Collection(
        kind=SECTION,
        key=lambda row: row.phase,
        ident=lambda row: f"{number}/{row.phase}",
        view=handler.view,
        make=handler.make,
        current=handler.current,
        assign=handler.assign,
        created=handler.created,
    )
    sync(run, collection, [s.row for s in stored.sections], handler.wanted(stored, sections))


# ---- checklist answers and strengths -----------------------------------------------------


def import_answers(
    run: Run,
    stored: Stored,
    answers: list[ExportedChecklistAnswer],
    items: dict[tuple[int, str], int],
) -> None:
    """Answers are matched by their checklist item; one the document leaves out is removed."""
    municipality = run.municipality
    item_keys = {item_id: key for key, item_id in items.items()}

    def answer_view(row: ChecklistAnswer) -> dict[str, Any]:
        version, key = item_keys[row.checklist_item_id]
        return jsonable(fields(ExportedChecklistAnswer, row, checklist_version=version, item=key))

    collection: Collection[ChecklistAnswer] = Collection(
        kind=ANSWER,
        key=lambda row: row.checklist_item_id,
        ident=lambda row: f"{municipality.number}/{item_keys[row.checklist_item_id][1]}",
        view=answer_view,
        make=lambda item: ChecklistAnswer(
            municipality_id=municipality.id or 0,
            checklist_item_id=int(str(item.key)),
            **item.values,
            created_at=run.now,
            updated_at=run.now,
        ),
    )
    wanted = [
        Wanted(
            items[(a.checklist_version, a.item)],
            f"checklist_answers.{n}",
            {"answer": a.answer.value, "comment": clean_text(a.comment)},
        )
        for n, a in enumerate(answers)
    ]
    sync(run, collection, [a for a, _ in stored.answers], wanted)


def import_strengths(run: Run, stored: Stored, data: MunicipalityExport) -> None:
    """Strengths by id, in the document's order."""
    municipality = run.municipality
    collection: Collection[Strength] = Collection(
        kind=STRENGTH,
        key=lambda row: row.id,
        ident=lambda row: row.id or 0,
        view=lambda row: jsonable({**strength_item(row), "position": row.position}),
        make=lambda item: Strength(
            municipality_id=municipality.id or 0,
            **item.values,
            created_at=run.now,
            updated_at=run.now,
        ),
    )
    wanted = [
        Wanted(
            s.id, f"strengths.{n}", {**strength_values(s), "shared": s.shared, "position": n + 1}
        )
        for n, s in enumerate(data.strengths)
    ]
    sync(run, collection, stored.strengths, wanted)
