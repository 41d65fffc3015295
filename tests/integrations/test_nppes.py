"""The NPPES client against the local registry stand-in: shapes, errors in HTTP 200, retries, cache."""

from datetime import timedelta

import pytest

from primum.domain.npi import make_npi
from primum.domain.npi_registry import LookupStatus
from primum.integrations.nppes import NppesClient, parse_response
from primum.integrations.nppes_standin import DEMO_DEACTIVATED, DEMO_PHYSICIAN, NppesStandIn, demo_registry, physician
from primum.runtime.clock import FakeClock

LEGACY = make_npi("149775812")
ORGANIZATION = make_npi("211449934")


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
async def registry():
    async with demo_registry() as server:
        yield server


@pytest.fixture
async def client(registry: NppesStandIn):
    nppes = NppesClient(registry.url, clock=FakeClock(), timeout_s=0.2, attempts=3, backoff_s=0.01, sleep=_no_sleep)
    yield nppes
    await nppes.close()


async def test_found_2026_shape(client: NppesClient, registry: NppesStandIn) -> None:
    lookup = await client.lookup(DEMO_PHYSICIAN)
    assert lookup.status is LookupStatus.FOUND and lookup.record is not None
    record = lookup.record
    assert record.number == DEMO_PHYSICIAN
    assert record.enumeration_type == "NPI-1" and record.status == "A"
    assert record.name.first == "AMARA" and record.name.last == "OKAFOR-REYES" and record.name.middle == "NGOZI"
    assert record.credential == "M.D."
    assert [t.code for t in record.taxonomies] == ["207RC0000X"]
    assert registry.requests[-1] == {"version": "2.1", "number": DEMO_PHYSICIAN}


async def test_found_2019_shape(client: NppesClient) -> None:
    lookup = await client.lookup(LEGACY)
    assert lookup.status is LookupStatus.FOUND and lookup.record is not None
    assert lookup.record.number == LEGACY  # the int number is normalised to a string
    assert {t.code for t in lookup.record.taxonomies} == {"207Q00000X", "390200000X"}


async def test_organization_record_parses(client: NppesClient) -> None:
    lookup = await client.lookup(ORGANIZATION)
    assert lookup.record is not None and lookup.record.enumeration_type == "NPI-2"
    assert lookup.record.name.last == "MOUNT SINAI HOSPITAL"


async def test_not_found_and_deactivated_and_errors(client: NppesClient) -> None:
    assert (await client.lookup(make_npi("199999999"))).status is LookupStatus.NOT_FOUND
    deactivated = await client.lookup(DEMO_DEACTIVATED)
    assert deactivated.status is LookupStatus.DEACTIVATED and "deactivated" in deactivated.detail.lower()
    refused = await client.lookup("12")  # the registry refuses the query: its problem, never the member's
    assert refused.status is LookupStatus.UNAVAILABLE and "registry error 02" in refused.detail


async def test_retries_5xx_then_succeeds(client: NppesClient, registry: NppesStandIn) -> None:
    registry.fail_next(2, status=503)
    lookup = await client.lookup(DEMO_PHYSICIAN)
    assert lookup.status is LookupStatus.FOUND
    assert registry.lookups(DEMO_PHYSICIAN) == 3


async def test_gives_up_after_attempts_and_does_not_cache_failure(client: NppesClient, registry: NppesStandIn) -> None:
    registry.fail_next(3, status=502)
    lookup = await client.lookup(DEMO_PHYSICIAN)
    assert lookup.status is LookupStatus.UNAVAILABLE and "502" in lookup.detail
    assert (await client.lookup(DEMO_PHYSICIAN)).status is LookupStatus.FOUND


async def test_timeout_is_retried(client: NppesClient, registry: NppesStandIn) -> None:
    registry.hang_next(1, seconds=0.6)
    lookup = await client.lookup(DEMO_PHYSICIAN)
    assert lookup.status is LookupStatus.FOUND
    assert registry.lookups(DEMO_PHYSICIAN) == 2


async def test_all_timeouts_make_it_unavailable(registry: NppesStandIn) -> None:
    registry.hang_next(2, seconds=0.6)
    nppes = NppesClient(registry.url, timeout_s=0.2, attempts=2, backoff_s=0.01, sleep=_no_sleep)
    try:
        lookup = await nppes.lookup(DEMO_PHYSICIAN)
    finally:
        await nppes.close()
    assert lookup.status is LookupStatus.UNAVAILABLE


async def test_4xx_is_not_retried(client: NppesClient, registry: NppesStandIn) -> None:
    registry.fail_next(1, status=404)
    assert (await client.lookup(DEMO_PHYSICIAN)).status is LookupStatus.UNAVAILABLE
    assert registry.lookups(DEMO_PHYSICIAN) == 1


async def test_cache_ttl_and_fresh(registry: NppesStandIn) -> None:
    clock = FakeClock()
    nppes = NppesClient(registry.url, clock=clock, cache_ttl=timedelta(hours=1), sleep=_no_sleep)
    try:
        await nppes.lookup(DEMO_PHYSICIAN)
        await nppes.lookup(DEMO_PHYSICIAN)
        assert registry.lookups(DEMO_PHYSICIAN) == 1
        await nppes.lookup(DEMO_PHYSICIAN, fresh=True)
        assert registry.lookups(DEMO_PHYSICIAN) == 2
        clock.advance(hours=2)
        registry.deactivate(DEMO_PHYSICIAN)
        assert (await nppes.lookup(DEMO_PHYSICIAN)).status is LookupStatus.DEACTIVATED
        assert registry.lookups(DEMO_PHYSICIAN) == 3
    finally:
        await nppes.close()


async def test_concurrent_lookups_share_one_request(registry: NppesStandIn) -> None:
    import asyncio

    nppes = NppesClient(registry.url, sleep=_no_sleep)
    try:
        results = await asyncio.gather(*(nppes.lookup(DEMO_PHYSICIAN) for _ in range(5)))
    finally:
        await nppes.close()
    assert all(result.status is LookupStatus.FOUND for result in results)
    assert registry.lookups(DEMO_PHYSICIAN) == 1


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"result_count": 0, "results": []}, LookupStatus.NOT_FOUND),
        ({"Errors": [{"description": "No valid search criteria provided", "field": "generic", "number": "04"}]},
         LookupStatus.UNAVAILABLE),  # any Errors answer but 15 is the registry's problem
        ({"Errors": "oops"}, LookupStatus.UNAVAILABLE),
        ({"Errors": [{"description": "CMS deactivated NPI 1234567893.", "field": "number", "number": "15"}]},
         LookupStatus.DEACTIVATED),
        ({"results": [{"number": "1111111111"}], "result_count": 1}, LookupStatus.UNAVAILABLE),  # another NPI
        ({"results": [{"number": "1234567893", "basic": "garbage"}], "result_count": 1}, LookupStatus.UNAVAILABLE),
        ({"weird": True}, LookupStatus.UNAVAILABLE),
        (["not", "an", "object"], LookupStatus.UNAVAILABLE),
    ],
)
def test_parse_response_table(payload: object, status: LookupStatus) -> None:
    assert parse_response("1234567893", payload).status is status


def test_record_placeholders_and_reactivation() -> None:
    spec = physician("1234567893", "Ana", "Lee", reactivated=True)
    record = parse_response("1234567893", {"result_count": 1, "results": [spec.to_json()]}).record
    assert record is not None
    assert record.reactivation_date == "2019-06-01"
    assert record.name.middle == ""


async def test_unexpected_errors_and_malformed_bodies_are_unavailable_and_never_cached(
        client: NppesClient, registry: NppesStandIn) -> None:
    registry.error_next(3)  # HTTP 200 with an Errors list that is not "deactivated"
    assert (await client.lookup(DEMO_PHYSICIAN)).status is LookupStatus.UNAVAILABLE
    assert (await client.lookup(DEMO_PHYSICIAN)).status is LookupStatus.FOUND  # asked again: not cached
    registry.garble_next(1, "<html>Maintenance</html>")
    registry.garble_next(1, '{"results": 7}')
    client.clear_cache()
    assert (await client.lookup(DEMO_PHYSICIAN, fresh=True)).status is LookupStatus.FOUND  # retried past both


async def test_quick_lookup_makes_one_short_attempt(registry: NppesStandIn) -> None:
    slept: list[float] = []

    async def record_sleep(seconds: float) -> None:
        slept.append(seconds)

    nppes = NppesClient(registry.url, clock=FakeClock(), timeout_s=5.0, quick_timeout_s=0.2, attempts=3,
                        sleep=record_sleep)
    try:
        registry.hang_next(1, seconds=2.0)
        quick = await nppes.lookup(DEMO_PHYSICIAN, quick=True)
        assert quick.status is LookupStatus.UNAVAILABLE and "Timeout" in quick.detail
        assert registry.lookups(DEMO_PHYSICIAN) == 1 and slept == []  # no retry, no backoff
        registry.fail_next(1, status=503)
        assert (await nppes.lookup(DEMO_PHYSICIAN, quick=True)).status is LookupStatus.UNAVAILABLE
        assert registry.lookups(DEMO_PHYSICIAN) == 2
        assert (await nppes.lookup(DEMO_PHYSICIAN)).status is LookupStatus.FOUND  # the patient path retries
    finally:
        await nppes.close()


def test_failure_details_never_carry_an_npi() -> None:
    payload = {"Errors": [{"description": "Problem with NPI 1234567893", "field": "number", "number": "09"}]}
    lookup = parse_response("1234567893", payload)
    assert lookup.status is LookupStatus.UNAVAILABLE and "1234567893" not in lookup.detail


async def test_patient_lookup_backs_off_exponentially_up_to_a_cap(registry: NppesStandIn) -> None:
    slept: list[float] = []

    async def record_sleep(seconds: float) -> None:
        slept.append(seconds)

    registry.fail_next(3, status=503)
    registry.error_next(1)  # an unexpected Errors answer is retried like a 5xx
    nppes = NppesClient(registry.url, clock=FakeClock(), attempts=5, backoff_s=0.5, max_backoff_s=1.5,
                        sleep=record_sleep)
    try:
        assert (await nppes.lookup(DEMO_PHYSICIAN)).status is LookupStatus.FOUND
    finally:
        await nppes.close()
    assert slept == [0.5, 1.0, 1.5, 1.5] and registry.lookups(DEMO_PHYSICIAN) == 5


async def test_retry_after_is_honoured(registry: NppesStandIn) -> None:
    slept: list[float] = []

    async def record_sleep(seconds: float) -> None:
        slept.append(seconds)

    registry.fail_next(1, status=429, retry_after=2.5)
    registry.fail_next(1, status=503)
    nppes = NppesClient(registry.url, clock=FakeClock(), attempts=3, backoff_s=0.5, sleep=record_sleep)
    try:
        assert (await nppes.lookup(DEMO_PHYSICIAN)).status is LookupStatus.FOUND
    finally:
        await nppes.close()
    assert slept == [2.5, 1.0]  # the registry's wish first, then the backoff of the second attempt
