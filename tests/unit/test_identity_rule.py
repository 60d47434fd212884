"""Who sees a reporter's identity (domain.access.sees_reporter_identity), for every status × role ×
anonymity × scope: the central admin always; agency admins, liaison officers and provincial admins a
named reporter only while the report is open and theirs; after completion only the central admin."""
from __future__ import annotations

import dataclasses

import pytest

from chalicelib.domain.access import shows_reporter_identity, sees_reporter_identity
from chalicelib.domain.lifecycle import CLOSED, Status
from chalicelib.domain.report import Reporter
from chalicelib.domain.roles import Principal, Role
from tests.unit.builders import AGENCY, CENTRAL, LIAISON, PROVINCIAL, new_report

OTHER_UNIT = Principal("pp.puskesmas", Role.LIAISON_OFFICER, agency_id="pemko-medan", unit_id="puskesmas-medan")
OTHER_AGENCY = Principal("admin.batam", Role.AGENCY_ADMIN, agency_id="pemko-batam")
OTHER_PROVINCE = Principal("admin.kepri", Role.PROVINCIAL_ADMIN, province_code="21")


def _report(status: Status, anonymous: bool = False):
    """A Medan report at `status`, held by the Dishub unit once assigned (as the lifecycle leaves it)."""
    held = status not in (Status.SUBMITTED, Status.POSTPONED)
    unit = held and status != Status.DISPATCHED
    return dataclasses.replace(new_report(), status=status, anonymous=anonymous,
                               agency_id="pemko-medan" if held else None, agency_province_code="12" if held else None,
                               unit_id="dishub-medan" if unit else None)


def _expected(principal: Principal, status: Status, anonymous: bool) -> bool:
    if principal.role == Role.CENTRAL_ADMIN:
        return True
    if anonymous or status in CLOSED:
        return False
    if principal is AGENCY:
        return status not in (Status.SUBMITTED, Status.POSTPONED)
    if principal is LIAISON:
        return status not in (Status.SUBMITTED, Status.POSTPONED, Status.DISPATCHED)
    return principal is PROVINCIAL  # in the province by location, whatever the status


@pytest.mark.parametrize("anonymous", [False, True], ids=["named", "anonymous"])
@pytest.mark.parametrize("principal", [CENTRAL, AGENCY, LIAISON, PROVINCIAL, OTHER_UNIT, OTHER_AGENCY, OTHER_PROVINCE],
                         ids=lambda p: p.username)
@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
def test_each_role_sees_the_reporter_only_while_the_report_is_open_and_theirs(status, principal, anonymous):
    assert sees_reporter_identity(principal, _report(status, anonymous)) is _expected(principal, status, anonymous)


@pytest.mark.parametrize("status", sorted(CLOSED, key=lambda s: s.value), ids=lambda s: s.value)
def test_after_closing_only_the_central_admin_sees_a_named_reporter(status):
    report = _report(status)
    assert [p.username for p in (CENTRAL, AGENCY, LIAISON, PROVINCIAL) if sees_reporter_identity(p, report)] == [
        CENTRAL.username]


def test_a_report_that_left_the_unit_hides_its_reporter_from_that_unit():
    rerouted = dataclasses.replace(_report(Status.DISPATCHED), unit_id=None)  # the unit sent it back up
    assert not sees_reporter_identity(LIAISON, rerouted) and sees_reporter_identity(AGENCY, rerouted)


def test_a_reporter_without_any_identity_left_is_never_shown_and_so_never_audited():
    erased = dataclasses.replace(_report(Status.ASSIGNED), reporter=Reporter(name="", email=None, phone=None))
    assert sees_reporter_identity(CENTRAL, erased) and not shows_reporter_identity(CENTRAL, erased)
    assert shows_reporter_identity(LIAISON, _report(Status.ASSIGNED))
