"""Who qualifies for review: the registry answer, the physician taxonomy group, and the residents policy."""

import pytest

from primum.domain.name_match import RegistryName
from primum.domain.npi_registry import Lookup, LookupStatus, RegistryRecord, Taxonomy
from primum.domain.verification_eligibility import Eligibility, Ineligible, ResidentPolicy, assess

IM = Taxonomy("207R00000X", "Internal Medicine", True)
PSYCH = Taxonomy("2084P0800X", "Psychiatry", False)
TRAINEE = Taxonomy("390200000X", "Student", False)
NP = Taxonomy("363L00000X", "Nurse Practitioner", True)
DENTIST = Taxonomy("1223G0001X", "Dentist", True)


def _found(*taxonomies: Taxonomy, kind: str = "NPI-1", status: str = "A") -> Lookup:
    record = RegistryRecord("1234567893", kind, status, RegistryName("A", "B"), taxonomies=taxonomies)
    return Lookup(LookupStatus.FOUND, record)


@pytest.mark.parametrize(
    ("lookup", "policy", "eligibility", "reason", "code"),
    [
        (_found(IM), ResidentPolicy.ACCEPT, Eligibility.PHYSICIAN, None, "207R00000X"),
        (_found(NP, PSYCH), ResidentPolicy.ACCEPT, Eligibility.PHYSICIAN, None, "2084P0800X"),  # not primary
        (_found(TRAINEE, IM), ResidentPolicy.REJECT, Eligibility.PHYSICIAN, None, "207R00000X"),
        (_found(TRAINEE), ResidentPolicy.ACCEPT, Eligibility.RESIDENT, None, "390200000X"),
        (_found(TRAINEE), ResidentPolicy.REJECT, Eligibility.INELIGIBLE, Ineligible.RESIDENT_NOT_ACCEPTED, None),
        (_found(NP), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.NOT_PHYSICIAN, None),
        (_found(DENTIST), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.NOT_PHYSICIAN, None),
        (_found(), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.NOT_PHYSICIAN, None),
        (_found(IM, kind="NPI-2"), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.ORGANIZATION, None),
        (_found(IM, status="D"), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.INACTIVE, None),
        (Lookup(LookupStatus.NOT_FOUND), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.NOT_FOUND, None),
        (Lookup(LookupStatus.DEACTIVATED), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.DEACTIVATED,
         None),
        (Lookup(LookupStatus.UNAVAILABLE), ResidentPolicy.ACCEPT, Eligibility.UNKNOWN, None, None),
    ],
)
def test_assess_table(lookup: Lookup, policy: ResidentPolicy, eligibility: Eligibility,
                      reason: Ineligible | None, code: str | None) -> None:
    result = assess(lookup, policy)
    assert result.eligibility is eligibility and result.reason is reason
    if code is not None:
        assert result.taxonomy is not None and result.taxonomy.code == code
    assert bool(result.message) is (reason is not None)


@pytest.mark.parametrize(
    ("code", "physician"),
    [("207Q00000X", True), ("208600000X", True), ("2084P0800X", True), ("208M00000X", True),
     ("207X00000X", True), ("363A00000X", False), ("122300000X", False), ("390200000X", False),
     ("207", False), ("2071", False)],
)
def test_physician_taxonomy_codes(code: str, physician: bool) -> None:
    assert Taxonomy(code).is_physician is physician
