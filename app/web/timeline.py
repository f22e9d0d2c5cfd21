"""Geometry of the progress plan's timeline, drawn as server-side SVG (no chart library,
no inline styles: the SVG elements carry classes styled by app.css).

Positions are percentages of the SVG's width (the SVG has no viewBox), so the timeline
stretches with its column while text keeps its size and shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date

from app.models.improvement import MeasureRead
from app.web.i18n import babel_locale

WIDTH = 100.0
#: The narrowest bar, so a one-day measure is still visible.
MIN_WIDTH = 0.8


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    #: Only a start or only a due date: drawn as a short marker.
    point: bool


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    #: Labels are thinned out on long timelines so they do not overlap.
    labelled: bool


class Timeline:
    def __init__(self, start: date, end: date, today: date, lang: str) -> None:
        self.start = start
        self.end = end
        self.today = today
        self.lang = lang
        self.days = max((end - start).days, 1)

    def x(self, day: date) -> float:
        return round((day - self.start).days / self.days * WIDTH, 2)

    @property
    def today_x(self) -> float:
        return self.x(self.today)

    def bar(self, measure: MeasureRead) -> Bar | None:
        first = measure.start_date or measure.due_date
        last = measure.due_date or measure.start_date
        if first is None or last is None:
            return None
        x = self.x(first)
        right = self.x(last + timedelta(days=1))
        point = measure.start_date is None or measure.due_date is None
        return Bar(x=x, width=round(max(right - x, MIN_WIDTH), 2), point=point)

    def ticks(self) -> list[Tick]:
        months: list[date] = []
        day = self.start.replace(day=1)
        while day < self.end:
            months.append(day)
            day = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
        step = max(1, len(months) // 8 + (1 if len(months) % 8 else 0))
        locale = babel_locale(self.lang)
        return [
            Tick(
                x=self.x(month),
                label=format_date(month, "MMM yy", locale=locale),
                labelled=index % step == 0,
            )
            for index, month in enumerate(months)
        ]
