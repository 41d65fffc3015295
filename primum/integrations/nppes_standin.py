"""A local stand-in for the NPPES NPI Registry API v2.1, for tests and the demo (no internet needed).

It answers ``GET /api/?version=2.1&number=NPI`` with the registry's real shapes: a record (2026
shape by default, the 2019 shape on request), ``{"result_count": 0, "results": []}`` when unknown,
and HTTP 200 with ``{"Errors": [...]}`` for a deactivated NPI (number "15") or a bad query (number
"04"). Failures can be queued to exercise the client: ``fail_next(n, status)`` answers with 5xx,
``hang_next(n, seconds)`` delays the answer past the client's timeout, ``error_next(n)`` answers
HTTP 200 with an unexpected ``Errors`` list, ``garble_next(n, body)`` sends a malformed body, and
``outage()`` / ``recover()`` make every request fail until the registry "comes back".

Usage::

    async with NppesStandIn() as registry:
        registry.add(physician("1234567893", "Amir", "Steinberg"))
        client = NppesClient(registry.url)
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from primum.domain.npi import make_npi

JSON = dict[str, Any]


@dataclass
class _Fault:
    status: int = 503
    delay_s: float = 0.0
    body: str | None = None  # HTTP 200 with this exact body (JSON or not)
    retry_after: float | None = None  # a Retry-After header on an error status


#: An ``Errors`` answer the registry sends when it has trouble of its own (seen in the wild as "04"/"01").
UNEXPECTED_ERROR = {"Errors": [{"description": "An unexpected error occurred. Please try again later.",
                                "field": "generic", "number": "99"}]}


@dataclass
class RecordSpec:
    """The facts of one fake registry record; ``to_json`` renders the real response shape."""

    number: str
    first_name: str
    last_name: str
    middle_name: str = ""
    credential: str = "M.D."
    taxonomies: tuple[tuple[str, str, bool], ...] = (("207R00000X", "Internal Medicine", True),)
    enumeration_type: str = "NPI-1"
    status: str = "A"
    state: str = "NY"
    legacy: bool = False  # the 2019 shape (number an int, epochs in seconds, basic.gender)
    other_names: tuple[tuple[str, str, str], ...] = ()  # (type, first, last), e.g. ("Former Name", "", "SMITH")
    organization_name: str = ""
    reactivated: bool = False

    def to_json(self) -> JSON:
        """One ``results[]`` entry as the registry would send it."""
        taxonomies = [
            {"code": code, "taxonomy_group": "", "desc": desc, "state": self.state if code != "390200000X" else None,
             "license": "LIC-" + self.number[-5:] if code != "390200000X" else None, "primary": primary}
            for code, desc, primary in self.taxonomies
        ]
        basic: JSON
        if self.enumeration_type == "NPI-2":
            basic = {
                "organization_name": self.organization_name or self.last_name,
                "organizational_subpart": "NO",
                "enumeration_date": "2008-03-12",
                "last_updated": "2024-06-01",
                "certification_date": "2024-06-01",
                "status": self.status,
                "authorized_official_first_name": self.first_name,
                "authorized_official_last_name": self.last_name,
                "authorized_official_telephone_number": "2125550100",
                "authorized_official_title_or_position": "CEO",
            }
        else:
            basic = {
                "first_name": self.first_name.upper(),
                "last_name": self.last_name.upper(),
                "middle_name": self.middle_name.upper(),
                "credential": self.credential,
                "sole_proprietor": "NO",
                "enumeration_date": "2009-05-27",
                "last_updated": "2024-11-18",
                "status": self.status,
            }
            if not self.middle_name:
                del basic["middle_name"]
            if self.legacy:
                basic.update(name_prefix="DR.", gender="M", name=f"{self.last_name.upper()} {self.first_name.upper()}")
            else:
                basic.update(name_prefix="--", name_suffix="--", sex="F", certification_date="2024-11-18")
        if self.reactivated:
            basic.update(deactivation_date="2019-02-01", reactivation_date="2019-06-01")
        address = {
            "country_code": "US", "country_name": "United States", "address_purpose": "LOCATION",
            "address_type": "DOM", "address_1": "1 GUSTAVE L LEVY PL", "address_2": "", "city": "NEW YORK",
            "state": self.state, "postal_code": "100296574", "telephone_number": "212-241-6500",
        }
        other = [
            {"organization_name" if self.enumeration_type == "NPI-2" else "last_name": last.upper(),
             "first_name": first.upper(), "type": kind,
             "code": {"Former Name": "1", "Professional Name": "2"}.get(kind, "5"), "prefix": "--",
             "suffix": "--", "credential": "M.D."}
            for kind, first, last in self.other_names
        ]
        record: JSON = {
            "created_epoch": 1243382400 if self.legacy else "1243382400000",
            "enumeration_type": self.enumeration_type,
            "last_updated_epoch": 1525219200 if self.legacy else "1731974400000",
            "number": int(self.number) if self.legacy else self.number,
            "addresses": [address, {**address, "address_purpose": "MAILING"}],
            "practiceLocations": [],
            "basic": basic,
            "taxonomies": taxonomies,
            "identifiers": [],
            "other_names": other,
        }
        if not self.legacy:
            record["endpoints"] = []
        return record


def physician(number: str, first: str, last: str, **fields: Any) -> RecordSpec:
    """An active MD (internal medicine unless ``taxonomies`` says otherwise)."""
    return RecordSpec(number=number, first_name=first, last_name=last, **fields)


@dataclass
class NppesStandIn:
    """The fake registry server on 127.0.0.1 (an ephemeral port unless ``port`` is given)."""

    host: str = "127.0.0.1"
    port: int = 0
    records: dict[str, RecordSpec] = field(default_factory=dict)
    deactivated: set[str] = field(default_factory=set)
    requests: list[dict[str, str]] = field(default_factory=list)
    _faults: deque[_Fault] = field(default_factory=deque)
    down: bool = False  # an outage: every request gets HTTP 503 until ``recover``
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The base URL to configure as ``NPPES_BASE_URL``."""
        return f"http://{self.host}:{self.port}/api/"

    def add(self, *specs: RecordSpec) -> None:
        """Register records (replacing any with the same number)."""
        for spec in specs:
            self.records[spec.number] = spec
            self.deactivated.discard(spec.number)

    def deactivate(self, number: str) -> None:
        """Make the registry answer "CMS deactivated NPI" for this number from now on."""
        self.deactivated.add(number)

    def fail_next(self, count: int = 1, status: int = 503, retry_after: float | None = None) -> None:
        """Answer the next ``count`` requests with an HTTP error status (with ``Retry-After`` when given)."""
        self._faults.extend(_Fault(status=status, retry_after=retry_after) for _ in range(count))

    def hang_next(self, count: int = 1, seconds: float = 30.0) -> None:
        """Delay the next ``count`` answers by ``seconds`` (longer than the client's timeout)."""
        self._faults.extend(_Fault(status=200, delay_s=seconds) for _ in range(count))

    def error_next(self, count: int = 1, errors: JSON | None = None) -> None:
        """Answer the next ``count`` requests with HTTP 200 and an unexpected ``Errors`` list."""
        body = json.dumps(errors or UNEXPECTED_ERROR)
        self._faults.extend(_Fault(status=200, body=body) for _ in range(count))

    def garble_next(self, count: int = 1, body: str = "<html>Maintenance</html>") -> None:
        """Answer the next ``count`` requests with HTTP 200 and a malformed body."""
        self._faults.extend(_Fault(status=200, body=body) for _ in range(count))

    def outage(self) -> None:
        """Every request fails with HTTP 503 until ``recover``."""
        self.down = True

    def recover(self) -> None:
        """The registry answers again."""
        self.down = False

    def lookups(self, number: str) -> int:
        """How many requests asked for this number."""
        return sum(1 for request in self.requests if request.get("number") == number)

    async def start(self) -> NppesStandIn:
        """Start serving; returns self."""
        app = web.Application()
        app.router.add_get("/api/", self._handle)
        app.router.add_get("/api", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> NppesStandIn:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        self.requests.append(query)
        if self.down:
            return web.Response(status=503, text="<html><body>Service Unavailable</body></html>",
                                content_type="text/html")
        if self._faults:
            fault = self._faults.popleft()
            if fault.delay_s:
                await asyncio.sleep(fault.delay_s)
            if fault.body is not None:
                return web.Response(status=200, text=fault.body, content_type="application/json")
            if fault.status != 200:
                headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else None
                return web.Response(status=fault.status, text="<html><body>Service Unavailable</body></html>",
                                    content_type="text/html", headers=headers)
        return web.json_response(self.answer(query))

    def answer(self, query: dict[str, str]) -> JSON:
        """The JSON body the registry sends for these query parameters (always HTTP 200)."""
        if query.get("version") != "2.1":
            return {"Errors": [{"description": "Version is a required field and must be 2.1", "field": "version",
                                "number": "01"}]}
        number = query.get("number", "").strip()
        if not number:
            return {"Errors": [{"description": "No valid search criteria provided", "field": "generic",
                                "number": "04"}]}
        if not (number.isdigit() and len(number) == 10):
            return {"Errors": [{"description": "Field number must be 10 digits", "field": "number",
                                "number": "02"}]}
        if number in self.deactivated:
            return {"Errors": [{"description": f"CMS deactivated NPI {number}. The provider can no longer use "
                                               "this NPI. Our public registry does not display provider "
                                               "information about NPIs that are deactivated.",
                                "field": "number", "number": "15"}]}
        spec = self.records.get(number)
        if spec is None:
            return {"result_count": 0, "results": []}
        return {"result_count": 1, "results": [spec.to_json()]}


#: A small registry for the demo and the end-to-end tests (all check digits are correct).
DEMO_PHYSICIAN = make_npi("123456789")  # 1234567893, CMS's worked example
DEMO_RECORDS: tuple[RecordSpec, ...] = (
    physician(DEMO_PHYSICIAN, "Amara", "Okafor-Reyes", middle_name="Ngozi", credential="M.D.",
              taxonomies=(("207RC0000X", "Internal Medicine, Cardiovascular Disease", True),)),
    physician(make_npi("149775812"), "Jeffrey", "Shrensel", middle_name="Adam", credential="D.O.",
              taxonomies=(("207Q00000X", "Family Medicine", True), ("390200000X", "Student in an Organized Health "
                                                                                "Care Education/Training Program",
                                                                  False)),
              legacy=True),
    physician(make_npi("155859879"), "Premila", "Mathews", credential="MD",
              taxonomies=(("390200000X", "Student in an Organized Health Care Education/Training Program",
                           True),)),
    physician(make_npi("130640933"), "Claudia", "Narvaez-Meza", credential="MSW",
              taxonomies=(("1041C0700X", "Social Worker, Clinical", True),)),
    physician(make_npi("188101820"), "Lena", "Park", credential="NP",
              taxonomies=(("363L00000X", "Nurse Practitioner", True),)),
    RecordSpec(number=make_npi("211449934"), first_name="Jane", last_name="Doe", enumeration_type="NPI-2",
               organization_name="MOUNT SINAI HOSPITAL",
               taxonomies=(("282N00000X", "General Acute Care Hospital", True),)),
)
DEMO_DEACTIVATED = make_npi("111449934")


def demo_registry(port: int = 0) -> NppesStandIn:
    """A stand-in preloaded with ``DEMO_RECORDS`` and one deactivated NPI."""
    registry = NppesStandIn(port=port)
    registry.add(*DEMO_RECORDS)
    registry.deactivate(DEMO_DEACTIVATED)
    return registry
