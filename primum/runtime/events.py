"""The event stream: one JSON object per bot action, for the demo's ``--events FILE`` and for tests.

Events carry ids, scores and outcomes; never message text.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from primum.runtime.clock import Clock, SystemClock, to_iso

Event = dict[str, Any]


class EventSink:
    """Collects events in memory and, optionally, appends them to a JSON-lines file."""

    def __init__(self, path: Path | None = None, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("a", encoding="utf-8")
        self.events: list[Event] = []
        self._listeners: list[Callable[[Event], None]] = []

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        """Call ``listener`` with every event from now on (the demo transcript uses this)."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[Event], None]) -> None:
        """Stop calling ``listener`` (a cog unloading, a bot restarting)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, type_: str, /, **fields: Any) -> Event:
        """Record one event with ``type`` and ``t`` (ISO time) plus ``fields``."""
        event: Event = {"type": type_, "t": to_iso(self._clock.now()), **fields}
        with self._lock:
            self.events.append(event)
            if self._file is not None:
                self._file.write(json.dumps(event, default=str) + "\n")
                self._file.flush()
        for listener in list(self._listeners):
            listener(event)
        return event

    def of_type(self, type_: str) -> list[Event]:
        """All events of one type, in order."""
        return [event for event in self.events if event["type"] == type_]

    def close(self) -> None:
        """Close the file, if any."""
        if self._file is not None:
            self._file.close()
            self._file = None
