"""Delivering alerts: one JSON line each to standard output, a file (appended), or an HTTP webhook (one POST of
the JSON object each), and remembering what was sent so that `sitrep watch` sends each change once.

The rules and their evaluation live in `control/alerts.py`; this module only reads the store and sends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import httpx

from ..control.alerts import Alert, ControlChangeRule, FatalitiesRule, FrontWithinRule, alert_line, evaluate
from ..errors import Errors, SitrepError
from ..store import Store
from ..store import queries as q
from ..store.watch_state import SourceState, load_states, save_state
from .names import NameResolver

logger = logging.getLogger(__name__)

AnyRule = ControlChangeRule | FrontWithinRule | FatalitiesRule
# Keys of sent alerts kept per rules file (the oldest forgotten first): far more than the changes of any watch.
SENT_KEYS_LIMIT = 100_000


class AlertSink:
    """Where alerts go: any of standard output, a file (JSON Lines, appended) and a webhook URL."""

    def __init__(
        self,
        *,
        stdout: TextIO | None = None,
        file: Path | None = None,
        webhook: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.stdout = stdout
        self.file = file
        self.webhook = webhook
        self.timeout = timeout

    def send(self, alert: Alert) -> None:
        """Deliver one alert everywhere it should go.

        Raises:
            SitrepError: The file cannot be written (E031) or the webhook does not answer 2xx (E141).
        """
        line = alert_line(alert)
        if self.stdout is not None:
            self.stdout.write(line + "\n")
            self.stdout.flush()
        if self.file is not None:
            try:
                with self.file.open("a", encoding="utf-8") as handle:
                    handle.write(line + "\n")
            except OSError as e:
                raise SitrepError(Errors.E031.format(path=self.file, reason=e.strerror or e)) from e
        if self.webhook is not None:
            try:
                response = httpx.post(
                    self.webhook,
                    content=line.encode("utf-8"),
                    headers={"Content-Type": "application/json"},
                    timeout=self.timeout,
                )
            except httpx.HTTPError as e:
                raise SitrepError(Errors.E141.format(target=self.webhook, reason=e or type(e).__name__)) from e
            if not response.is_success:
                reason = f"HTTP {response.status_code}"
                raise SitrepError(Errors.E141.format(target=self.webhook, reason=reason))


def alerts_in_store(store: Store, rules: Sequence[AnyRule], *, names: NameResolver | None = None) -> list[Alert]:
    """Every alert the rules give over a store's control timeline and live events, oldest first.

    Args:
        store: The database.
        rules: The rules.
        names: Resolves what the rules name: place spellings by the gazetteer's keys ("Idlib" is "Idleb"), actors by
            the registry ("HTS"), and a city's point when no stored period or event locates it. Without it, names
            are compared case-insensitively and actors as written.
    """
    with store.connect() as conn:
        periods = list(q.iter_control_periods(conn))
        events = list(q.iter_events(conn))
    if names is None:
        return evaluate(rules, periods, events)
    return evaluate(
        rules,
        periods,
        events,
        key=_keyer(names),
        resolve_actor=_actor_resolver(names),
        locate=_locator(names),
        spellings=_spellings(names),
    )


def _spellings(names: NameResolver) -> Callable[[str, str], set[str]]:
    def spellings(kind: str, text: str) -> set[str]:
        entries = names.areas(text) if kind == "admin1" else names.places(text)
        return {text} | {entry.name for entry in entries}

    return spellings


def _keyer(names: NameResolver) -> Callable[[str], str]:
    return lambda text: names.key(text) or text.casefold()


def _actor_resolver(names: NameResolver) -> Callable[[str], str]:
    def resolve(text: str) -> str:
        found = names.actor_names(text)
        return found[-1] if len(found) > 1 else text

    return resolve


def _locator(names: NameResolver) -> Callable[[str], tuple[float, float] | None]:
    def locate(city: str) -> tuple[float, float] | None:
        for entry in names.places(city):
            if entry.kind == "place" and entry.latitude is not None and entry.longitude is not None:
                return entry.latitude, entry.longitude
        return None

    return locate


class AlertWatch:
    """The alerts of a rules file over a store, each sent once: the keys sent are kept in the store (in the watch
    state, under `alerts:<rules file>`), so a restarted watch does not send them again."""

    def __init__(
        self,
        rules_path: Path,
        rules: Sequence[AnyRule],
        sink: AlertSink,
        *,
        names: NameResolver | None = None,
    ) -> None:
        self.state_name = f"alerts:{rules_path.resolve()}"
        self.rules = list(rules)
        self.sink = sink
        self.names = names

    def check(self, store: Store) -> list[Alert]:
        """Evaluate the rules, send the alerts not sent before, and remember them.

        A delivery that fails is logged and left unremembered, so the next check sends it again; the alerts sent
        before it stay sent.

        Returns:
            The alerts sent now.
        """
        with store.connect() as conn:
            state = load_states(conn, [self.state_name]).get(self.state_name) or SourceState(self.state_name)
        sent_before = set(state.seen_ids)
        alerts = alerts_in_store(store, self.rules, names=self.names)
        sent: list[Alert] = []
        for alert in alerts:
            if alert.key in sent_before:
                continue
            try:
                self.sink.send(alert)
            except SitrepError as e:
                logger.warning("%s; it will be sent again after the next cycle", e)
                break  # keep the order: later alerts wait for this one
            sent.append(alert)
        if sent:
            keys = [*state.seen_ids, *(alert.key for alert in sent)][-SENT_KEYS_LIMIT:]
            state.seen_ids = keys
            with store.begin() as conn:
                save_state(conn, state)
        return sent


__all__ = ["AlertSink", "AlertWatch", "alerts_in_store"]
