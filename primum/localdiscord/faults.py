"""Scripted REST faults: the next matching requests fail (e.g. 429, 403) or are answered late."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar


@dataclass
class Failure:
    """Answer the next ``times`` matching requests with this error instead of handling them."""

    method: str
    path: re.Pattern[str]
    status: int
    code: int
    message: str
    retry_after: float | None
    is_global: bool
    times: int

    def response(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The JSON body and extra headers Discord sends with this error (429s carry Retry-After)."""
        if self.status != 429:
            return {"message": self.message, "code": self.code}, {}
        retry_after = self.retry_after or 0.05
        body = {"message": "You are being rate limited.", "code": self.code, "retry_after": retry_after,
                "global": self.is_global}
        headers = {"Via": "1.1 google", "Retry-After": str(retry_after),
                   "X-RateLimit-Scope": "global" if self.is_global else "user"}
        return body, headers


@dataclass
class Delay:
    """Answer the next ``times`` matching requests ``delay_s`` late, after they took effect."""

    method: str
    path: re.Pattern[str]
    delay_s: float
    times: int


_Fault = TypeVar("_Fault", Failure, Delay)


class FaultPlan:
    """The failures and delays scripted so far; each is used up by the requests it matches."""

    def __init__(self) -> None:
        self.failures: list[Failure] = []
        self.delays: list[Delay] = []

    def fail(self, method: str, path_regex: str, status: int, code: int, message: str | None,
             retry_after: float | None, is_global: bool, times: int) -> None:
        """Script a failure."""
        self.failures.append(Failure(method.upper(), re.compile(path_regex), status, code,
                                     message or f"{status}: scripted failure", retry_after, is_global, times))

    def delay(self, method: str, path_regex: str, delay_s: float, times: int) -> None:
        """Script a late answer."""
        self.delays.append(Delay(method.upper(), re.compile(path_regex), delay_s, times))

    def clear(self) -> None:
        """Forget everything that has not fired yet."""
        self.failures.clear()
        self.delays.clear()

    def take_failure(self, method: str, path: str) -> Failure | None:
        """The first failure matching this request, used up once."""
        return _take(self.failures, method, path)

    def take_delay(self, method: str, path: str) -> float:
        """Seconds to hold this request's answer back (0 when none is scripted)."""
        delay = _take(self.delays, method, path)
        return delay.delay_s if delay else 0.0


def _take(faults: list[_Fault], method: str, path: str) -> _Fault | None:
    for fault in faults:
        if fault.method in (method, "*") and fault.path.search(path):
            fault.times -= 1
            if fault.times <= 0:
                faults.remove(fault)
            return fault
    return None
