"""An async client for the NPPES NPI Registry API v2.1 (``GET {base}?version=2.1&number=NPI``).

The registry is public and needs no key. Its habits, handled here:

* errors come back with **HTTP 200** and ``{"Errors": [{"description", "field", "number"}]}``;
  number ``"15"`` ("CMS deactivated NPI …") means a deactivated NPI;
* "not found" is ``{"result_count": 0, "results": []}``;
* two record shapes exist: 2019 (``number`` an int, epochs in seconds, ``basic.gender``) and 2026
  (``number`` a string, epochs in milliseconds as strings, ``basic.sex``, ``name_suffix`` "--").

Timeouts, connection errors, 5xx and 429 are retried with exponential backoff (tenacity, as the
database's busy writes are; a ``Retry-After`` the registry sends wins); what still fails is
``LookupStatus.UNAVAILABLE`` (never an exception), and so is any ``Errors`` answer other than
number 15 (the NPI's format is checked before the lookup, so a refusal is the registry's problem,
not the member's) and any malformed body. Only definite answers (found, not found, deactivated) are
cached. ``quick=True`` is for a member waiting on an interaction: one attempt with a short timeout,
no backoff; the background retry uses the patient path.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from primum.domain.name_match import RegistryName
from primum.domain.npi_registry import Lookup, LookupStatus, RegistryRecord, Taxonomy
from primum.runtime.clock import Clock, SystemClock

log = logging.getLogger(__name__)

API_VERSION = "2.1"
DEACTIVATED_ERROR = "15"
_PLACEHOLDERS = {"--", "-", "N/A", "NONE"}


def _scrub(detail: str) -> str:
    """A failure detail safe to log: no 10-digit numbers (NPIs are never logged)."""
    return re.sub(r"\d{10}", "<npi>", detail)


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text.upper() in _PLACEHOLDERS else text


def parse_record(result: Mapping[str, Any]) -> RegistryRecord:
    """One ``results[]`` entry, in either the 2019 or the 2026 shape, as a ``RegistryRecord``."""
    basic = result.get("basic") or {}
    other_names: list[tuple[str, str, str]] = []
    for other in result.get("other_names") or []:
        if isinstance(other, Mapping) and _text(other.get("last_name")):
            other_names.append((_text(other.get("first_name")), _text(other.get("last_name")),
                                _text(other.get("type"))))
    taxonomies = tuple(
        Taxonomy(
            code=_text(entry.get("code")).upper(),
            desc=_text(entry.get("desc")),
            primary=entry.get("primary") in (True, "true", "Y", "YES", 1),
            state=_text(entry.get("state")),
            license=_text(entry.get("license")),
        )
        for entry in result.get("taxonomies") or []
        if isinstance(entry, Mapping) and _text(entry.get("code"))
    )
    first = _text(basic.get("first_name")) or _text(basic.get("authorized_official_first_name"))
    last = _text(basic.get("last_name")) or _text(basic.get("organization_name")) \
        or _text(basic.get("authorized_official_last_name"))
    return RegistryRecord(
        number=_text(result.get("number")),
        enumeration_type=_text(result.get("enumeration_type")).upper(),
        status=_text(basic.get("status")).upper(),
        name=RegistryName(first=first, last=last, middle=_text(basic.get("middle_name")),
                          other_names=tuple(other_names)),
        credential=_text(basic.get("credential")),
        taxonomies=taxonomies,
        enumeration_date=_text(basic.get("enumeration_date")),
        last_updated=_text(basic.get("last_updated")),
        deactivation_date=_text(basic.get("deactivation_date")),
        reactivation_date=_text(basic.get("reactivation_date")),
    )


def parse_response(npi: str, payload: Any) -> Lookup:
    """Interpret a decoded JSON body (HTTP 200) for a lookup by number."""
    if not isinstance(payload, Mapping):
        return Lookup(LookupStatus.UNAVAILABLE, detail="the registry answered with something other than an object")
    errors = payload.get("Errors")
    if errors:
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], Mapping) else {}
        number = _text(first.get("number"))
        description = _text(first.get("description")) or "the registry refused the query"
        if number == DEACTIVATED_ERROR or description.upper().startswith("CMS DEACTIVATED"):
            return Lookup(LookupStatus.DEACTIVATED, detail=description)
        detail = f"registry error {number}: {description}" if number else f"registry error: {description}"
        return Lookup(LookupStatus.UNAVAILABLE, detail=_scrub(detail))
    results = payload.get("results")
    if not isinstance(results, list):
        return Lookup(LookupStatus.UNAVAILABLE, detail="the registry's answer has no results list")
    for result in results:
        if isinstance(result, Mapping) and _text(result.get("number")) == npi:
            try:
                return Lookup(LookupStatus.FOUND, parse_record(result))
            except (AttributeError, TypeError, ValueError) as error:
                return Lookup(LookupStatus.UNAVAILABLE, detail=f"malformed record ({type(error).__name__})")
    if results:
        return Lookup(LookupStatus.UNAVAILABLE, detail="the registry's answer does not hold the NPI asked for")
    return Lookup(LookupStatus.NOT_FOUND, detail="result_count 0")


class _Retryable(Exception):
    """A failure worth asking again (timeouts, connection errors, 5xx, 429, Errors answers, bad bodies)."""

    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    wait = state.next_action.sleep if state.next_action is not None else 0.0
    log.info("NPPES lookup attempt %d failed (%s); retrying in %.2f s", state.attempt_number, _scrub(str(error)),
             wait)


@dataclass
class _Cached:
    lookup: Lookup
    expires_at: datetime


class NppesClient:
    """Looks NPIs up with timeouts, retries and a TTL cache; safe to share across guilds."""

    def __init__(
        self,
        base_url: str,
        *,
        clock: Clock | None = None,
        timeout_s: float = 8.0,
        quick_timeout_s: float = 3.0,
        attempts: int = 3,
        backoff_s: float = 0.5,
        max_backoff_s: float = 8.0,
        cache_ttl: timedelta = timedelta(hours=6),
        cache_size: int = 2048,
        session: aiohttp.ClientSession | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base_url = base_url
        self._clock = clock or SystemClock()
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.quick_timeout_s = quick_timeout_s
        self._attempts = max(1, attempts)
        self._backoff_s = backoff_s
        self._max_backoff_s = max_backoff_s
        self._ttl = cache_ttl
        self._cache_size = cache_size
        self._cache: dict[str, _Cached] = {}
        self._session = session
        self._owns_session = session is None
        self._sleep = sleep
        self._inflight: dict[str, asyncio.Future[Lookup]] = {}

    async def close(self) -> None:
        """Close the HTTP session if this client opened it."""
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def clear_cache(self) -> None:
        """Forget every cached answer."""
        self._cache.clear()

    async def lookup(self, npi: str, *, fresh: bool = False, quick: bool = False) -> Lookup:
        """Look one NPI up; ``fresh`` skips the cache (the periodic re-check wants today's answer);
        ``quick`` makes one short attempt (a member is waiting) instead of retrying with backoff."""
        now = self._clock.now()
        cached = self._cache.get(npi)
        if not fresh and cached is not None and cached.expires_at > now:
            return cached.lookup
        pending = self._inflight.get(npi)
        if pending is not None and not fresh:
            if not quick:
                return await asyncio.shield(pending)
            try:
                return await asyncio.wait_for(asyncio.shield(pending), self.quick_timeout_s)
            except TimeoutError:
                return Lookup(LookupStatus.UNAVAILABLE, detail="the registry is slow (a lookup is still running)")
        future: asyncio.Future[Lookup] = asyncio.get_running_loop().create_future()
        self._inflight[npi] = future
        try:
            result = await self._fetch(npi, quick=quick)
            future.set_result(result)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as error:
            future.set_exception(error)
            future.exception()  # mark retrieved: concurrent waiters get it through shield
            raise
        finally:
            if self._inflight.get(npi) is future:
                del self._inflight[npi]
        if result.status is not LookupStatus.UNAVAILABLE:
            if len(self._cache) >= self._cache_size:
                self._cache.pop(next(iter(self._cache)))
            self._cache[npi] = _Cached(result, self._clock.now() + self._ttl)
        return result

    async def _fetch(self, npi: str, *, quick: bool = False) -> Lookup:
        attempts = 1 if quick else self._attempts
        limit = aiohttp.ClientTimeout(total=self.quick_timeout_s) if quick else self._timeout
        retrying = AsyncRetrying(stop=stop_after_attempt(attempts), wait=self._backoff,
                                 retry=retry_if_exception_type(_Retryable), sleep=self._sleep,
                                 before_sleep=_log_retry, reraise=True)
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(npi, limit)
        except _Retryable as error:
            detail = _scrub(str(error))
        # A quick failure is routine (the request waits and is retried in the background).
        log.log(logging.INFO if quick else logging.WARNING, "NPPES lookup failed after %d attempt(s): %s",
                attempts, detail)
        return Lookup(LookupStatus.UNAVAILABLE, detail=detail)

    async def _attempt(self, npi: str, limit: aiohttp.ClientTimeout) -> Lookup:
        """One request: a definite answer (or a 4xx asking again will not fix), else :class:`_Retryable`."""
        try:
            result = await self._get(npi, limit)
        except (TimeoutError, aiohttp.ClientError) as error:
            raise _Retryable(f"{type(error).__name__}: {error}".rstrip(": ")) from error
        if result.status is LookupStatus.UNAVAILABLE and not result.detail.startswith("HTTP 4"):
            raise _Retryable(result.detail)  # an Errors answer or a malformed body: try again
        return result

    def _backoff(self, state: RetryCallState) -> float:
        """The registry's Retry-After when it sent one, else exponential backoff up to the cap."""
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return error.retry_after
        return min(self._backoff_s * 2.0 ** (state.attempt_number - 1), self._max_backoff_s)

    async def _get(self, npi: str, limit: aiohttp.ClientTimeout) -> Lookup:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        params = {"version": API_VERSION, "number": npi}
        async with self._session.get(self.base_url, params=params, timeout=limit) as response:
            if response.status >= 500 or response.status == 429:
                retry_after = response.headers.get("Retry-After", "")
                raise _Retryable(f"HTTP {response.status}",
                                 float(retry_after) if retry_after.replace(".", "", 1).isdigit() else None)
            if response.status != 200:
                return Lookup(LookupStatus.UNAVAILABLE, detail=f"HTTP {response.status}")
            try:
                payload = await response.json(content_type=None)
            except ValueError as error:
                raise _Retryable(f"unreadable JSON ({error})") from error
        return parse_response(npi, payload)
