"""The auditor reads the audit trail and nothing else: the case pages (residents, requests, intake),
projects, dashboards, reports, exports and stations answer 403, the page every role turned away gets,
where they used to answer 200 with empty lists (or 404 for an object). The access matrix checks every
URL; this checks what the auditor sees."""

import pytest
from django.urls import reverse
from django.utils import timezone

from stations.audit import PersonalDataAccess
from tests.factories import make_request
from tests.security.conftest import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(worker, guoyuan, chaoyangli):
    resident = make_resident(chaoyangli)
    return resident, make_request(guoyuan, chaoyangli, user=worker, resident=resident)


def test_the_case_pages_are_403_for_the_auditor(client, auditor, case, guoyuan):
    resident, request = case
    today = timezone.localdate()
    client.force_login(auditor)
    for url in [
        reverse("residents:resident-list"),
        reverse("residents:resident-detail", args=[resident.pk]),
        reverse("residents:resident-detail", args=[resident.pk + 1000]),  # none: the same answer
        reverse("residents:request-queue"),
        reverse("residents:request-detail", args=[request.pk]),
        reverse("residents:intake"),
        reverse("projects:project-list"),
        reverse("dashboards:station", args=[guoyuan.pk]),
        reverse("reports:index"),
        reverse("reports:station", args=[guoyuan.pk, today.year, today.month]),
        reverse("exports:list", args=["requests", "csv"]),
        reverse("exports:list", args=["residents", "xlsx"]),
        reverse("stations:station-detail", args=[guoyuan.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "无权访问" in response.content.decode(), url
        assert resident.name not in response.content.decode()
    assert (
        client.post(reverse("residents:resident-lookup"), {"id_number": "120113195003081234"}).status_code
        == 403
    )
    assert not PersonalDataAccess.objects.exists()


def test_the_auditor_still_reads_the_audit_trail_and_lands_there(client, auditor, case):
    resident, _request = case
    client.force_login(auditor)
    assert client.get(reverse("home")).url == reverse("security:audit-changes")
    for url in [
        reverse("security:audit-changes"),
        reverse("security:audit-access"),
        reverse("security:audit-logins"),
        reverse("security:audit-resident-lookup"),
        reverse("security:audit-resident", args=[resident.pk]),
        reverse("security:two-factor-enrol"),
        reverse("public:status"),
    ]:
        assert client.get(url).status_code == 200, url


def test_other_roles_are_not_affected(client, worker, district_user, case):
    _resident, request = case
    for user in (worker, district_user):
        client.force_login(user)
        assert client.get(reverse("residents:request-detail", args=[request.pk])).status_code == 200
        assert client.get(reverse("residents:resident-list")).status_code == 200
