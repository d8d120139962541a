"""The proof of service hours (志愿服务记录证明): its contents, its numbering, its audit, its scope."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import ServiceProof
from stations.audit import PersonalDataAccess
from tests.projects import factories as pf

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def served(worker):
    wang = pf.make_volunteer(worker.station, "王秀英", id_tail="123X")
    pf.make_hours(
        wang, "2.5", activity=pf.make_activity(worker.station, day=D(2023, 10, 10), title="爱心义剪")
    )
    pf.make_hours(
        wang,
        "3.0",
        activity=pf.make_activity(worker.station, day=D(2023, 10, 20), title="便民维修"),
        content="修理电器",
    )
    pf.make_hours(
        wang, "4.0", activity=pf.make_activity(worker.station, day=D(2023, 12, 5), title="助老服务")
    )
    return wang


def _issue(client, volunteer, start="2023-10-01", end="2023-11-30"):
    return client.post(
        reverse("projects:proof-issue", args=[volunteer.pk]), {"period_start": start, "period_end": end}
    )


def test_proof_lists_the_periods_services_and_total(client, worker, served):
    client.force_login(worker)
    response = _issue(client, served)
    proof = ServiceProof.objects.get()
    assert response.status_code == 302 and response.url == proof.get_absolute_url()
    assert (proof.total_hours, proof.service_count) == (Decimal("5.5"), 2)
    assert proof.serial == f"ZYFW-{worker.station.code}-{datetime.date.today().year}-0001"
    assert [line["content"] for line in proof.lines] == ["服务活动：爱心义剪", "修理电器"]
    body = client.get(proof.get_absolute_url()).content.decode()
    for expected in (
        "志愿服务记录证明",
        proof.serial,
        "王秀英",
        "**************123X",
        served.number,
        worker.station.name,
        "5.5",
        "2023-10-10",
        "修理电器",
        "经办人",
        "出具日期",
    ):
        assert expected in body
    assert "助老服务" not in body  # December is outside the period


def test_issuing_is_audited_and_numbered_in_turn(client, worker, served):
    client.force_login(worker)
    _issue(client, served)
    _issue(client, served, start="2023-12-01", end="2023-12-31")
    serials = sorted(ServiceProof.objects.values_list("serial", flat=True))
    assert [s[-4:] for s in serials] == ["0001", "0002"]
    issued = PersonalDataAccess.objects.filter(action="export")
    assert sorted(a.reason for a in issued) == sorted(f"出具志愿服务记录证明 {s}" for s in serials)
    assert all(a.user == worker for a in issued)


def test_a_later_correction_does_not_change_an_issued_proof(client, worker, served):
    client.force_login(worker)
    _issue(client, served)
    served.service_hours.update(hours=Decimal("1.0"))
    body = client.get(ServiceProof.objects.get().get_absolute_url()).content.decode()
    assert "5.5" in body


def test_period_without_service_or_in_the_future_is_refused(client, worker, served):
    client.force_login(worker)
    response = _issue(client, served, start="2022-01-01", end="2022-12-31")
    assert response.status_code == 400 and "没有志愿服务记录" in response.content.decode()
    future = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    response = _issue(client, served, end=future)
    assert response.status_code == 400 and "不能晚于今天" in response.content.decode()
    assert not ServiceProof.objects.exists()


def test_proof_scope(client, worker, other_worker, district_user, other_district_user, served):
    client.force_login(other_worker)
    assert _issue(client, served).status_code == 404
    client.force_login(worker)
    _issue(client, served)
    url = ServiceProof.objects.get().get_absolute_url()
    client.force_login(other_worker)
    assert client.get(url).status_code == 404
    client.force_login(other_district_user)
    assert client.get(url).status_code == 404
    client.force_login(district_user)
    assert client.get(url).status_code == 200
    assert _issue(client, served).status_code == 403
