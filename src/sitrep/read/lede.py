"""The main event told in full by the lede: a headline names the event, the lede's next sentence tells it."""

from __future__ import annotations

from ..models import PLACE_FIELDS, Report
from .actor_data import interaction


def lede_completes_main(reports: list[Report], *, lede_end: int) -> list[Report]:
    """The main event told in full by the lede: a headline names the event ("Air strikes hit a school in Idlib")
    and the lede's next sentence tells it with its toll and sides ("... killing at least 26 civilians, a monitor
    said"). When the main report counts no dead and a report of the same event type in the same area within the
    lede does, both become one telling: its perpetrator as the headline names it and its victims as the lede does
    (each else from the other), the more precise place, the better dated day; so that fusion joins them into one
    event with the lede's toll."""
    if not reports or reports[0].fatalities > 0:
        return reports
    main = reports[0]
    at = next(
        (
            i
            for i, r in enumerate(reports[1:], start=1)
            if r.sentence_start < lede_end
            and r.fatalities > 0
            and r.modality == "reported"
            and r.event_type == main.event_type
            and r.country == main.country
            and (r.admin1 == main.admin1 or None in (r.admin1, main.admin1))
        ),
        None,
    )
    if at is None:
        return reports
    told = reports[at]
    update: dict[str, object] = {"event_type": main.event_type, "sub_event_type": main.sub_event_type,
                                 "disorder_type": main.disorder_type}  # fmt: skip
    # Who did it as the headline names it, else as the lede does; whom it hit as the lede that counts the dead
    # names them, else as the headline does.
    first = main if main.actor1 else told
    second = told if told.actor2 else main
    update |= {name: getattr(first, name) for name in ("actor1", "assoc_actor_1", "inter1")}
    update |= {name: getattr(second, name) for name in ("actor2", "assoc_actor_2", "inter2", "civilian_targeting")}
    update["interaction"] = interaction(first.inter1, second.inter2)
    placed = min((main, told), key=lambda r: r.geo_precision if r.geo_precision is not None else 9)
    update |= {name: getattr(placed, name) for name in PLACE_FIELDS}
    dated = min((told, main), key=lambda r: r.time_precision if r.time_precision is not None else 9)
    update |= {"event_date": dated.event_date, "time_precision": dated.time_precision}
    completed = list(reports)
    completed[0] = main.model_copy(update=update)
    completed[at] = told.model_copy(update=update)
    return completed
