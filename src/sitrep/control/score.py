"""Scoring a control timeline against a gold one: the share of place-days whose holder and status are right.

The gold is a CSV of `place,date,holder,status` (optionally `country`): from that day on, until the place's next
line, the place is held by that holder with that status (assessed, claimed or contested; a contested place is
written with the holder it is being taken from). A day before a place's first line is not scored.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from ..errors import Errors, InputError
from ..models import ControlPeriod, ControlStatus
from .baseline import line_error, read_control_csv
from .front import valid_on

REQUIRED = ("place", "date", "holder", "status")
STATUSES: tuple[str, ...] = get_args(ControlStatus)


@dataclass(frozen=True)
class GoldLine:
    """One gold line: the place's holder and status from `date` on."""

    place: str
    date: dt.date
    holder: str
    status: str
    country: str | None = None


@dataclass
class PlaceScore:
    """How many of a place's scored days were right (holder and status; holder alone)."""

    days: int = 0
    right: int = 0
    holder_right: int = 0
    wrong_days: list[str] = field(default_factory=list)


@dataclass
class ControlScore:
    """Per place and overall; `names` counts the holder names predicted on the scored days."""

    places: dict[str, PlaceScore]
    names: dict[str, int]
    date_from: dt.date
    date_to: dt.date

    @property
    def days(self) -> int:
        return sum(p.days for p in self.places.values())

    @property
    def right(self) -> int:
        return sum(p.right for p in self.places.values())

    @property
    def holder_right(self) -> int:
        return sum(p.holder_right for p in self.places.values())

    def as_dict(self) -> dict[str, Any]:
        def share(n: int, d: int) -> float | None:
            return round(n / d, 4) if d else None

        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "place_days": self.days,
            "right": self.right,
            "share_right": share(self.right, self.days),
            "holder_right": self.holder_right,
            "share_holder_right": share(self.holder_right, self.days),
            "places": {
                place: {
                    "days": s.days,
                    "right": s.right,
                    "share_right": share(s.right, s.days),
                    "holder_right": s.holder_right,
                    "wrong_days": s.wrong_days,
                }
                for place, s in self.places.items()
            },
            "holder_names": dict(sorted(self.names.items())),
        }


def read_control_gold(path: Path) -> list[GoldLine]:
    """Read a control gold CSV.

    Raises:
        InputError: A missing column, a bad date or status; the message names the line.
    """
    reader = read_control_csv(path, REQUIRED, what="a control gold")
    lines: list[GoldLine] = []
    for number, row in enumerate(reader, start=2):
        place, holder, status = ((row.get(c) or "").strip() for c in ("place", "holder", "status"))
        if not place or not holder:
            raise line_error(path, number, "place and holder must not be empty")
        if status not in STATUSES:
            raise line_error(path, number, f"status {status!r} is not one of {', '.join(STATUSES)}")
        try:
            date = dt.date.fromisoformat((row.get("date") or "").strip())
        except ValueError as e:
            raise line_error(path, number, f"bad date {row.get('date')!r}; write it as YYYY-MM-DD") from e
        lines.append(GoldLine(place, date, holder, status, (row.get("country") or "").strip() or None))
    return lines


def score_control(
    periods: Sequence[ControlPeriod],
    gold: Sequence[GoldLine],
    *,
    place_key: Callable[[GoldLine], str],
    period_key: Callable[[ControlPeriod], str],
    same_holder: Callable[[str, str], bool],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> ControlScore:
    """Score a timeline day by day against the gold.

    Args:
        periods: The timeline.
        gold: The gold lines.
        place_key: The settlement a gold line is about (as `period_key` keys periods).
        period_key: The settlement of a period.
        same_holder: Whether a predicted holder name is the gold one.
        date_from: The first day scored (default: the gold's first day).
        date_to: The last day scored (default: the gold's last day).

    Returns:
        Per place and overall counts.
    """
    if not gold:
        raise InputError(Errors.E003.format(source="control gold", reason="no lines"))
    first = date_from or min(line.date for line in gold)
    last = date_to or max(line.date for line in gold)
    by_key: dict[str, list[ControlPeriod]] = defaultdict(list)
    for period in periods:
        by_key[period_key(period)].append(period)
    lines: dict[str, list[GoldLine]] = defaultdict(list)
    for line in sorted(gold, key=lambda g: g.date):
        lines[line.place].append(line)
    places: dict[str, PlaceScore] = {}
    names: dict[str, int] = defaultdict(int)
    for place, steps in lines.items():
        score = places[place] = PlaceScore()
        held = by_key.get(place_key(steps[0]), [])
        day = max(first, steps[0].date)
        while day <= last:
            truth = [s for s in steps if s.date <= day][-1]
            found = [p for p in held if valid_on(p, day)]
            predicted = found[-1] if found else None
            score.days += 1
            if predicted is not None:
                names[predicted.actor] += 1
            holder_ok = predicted is not None and same_holder(predicted.actor, truth.holder)
            score.holder_right += holder_ok
            if holder_ok and predicted is not None and predicted.status == truth.status:
                score.right += 1
            else:
                shown = f"{predicted.actor} ({predicted.status})" if predicted else "nobody"
                score.wrong_days.append(f"{day.isoformat()}: {shown}, gold {truth.holder} ({truth.status})")
            day += dt.timedelta(days=1)
    return ControlScore(places=places, names=dict(names), date_from=first, date_to=last)


__all__ = ["ControlScore", "GoldLine", "PlaceScore", "read_control_gold", "score_control"]
