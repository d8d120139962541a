"""When a worker leaves (issue #21): her open requests, visit plans, cases (lead or co-worker) and open
case tasks go to a colleague in one step, one audit entry with the counts; closed items stay."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import Case, CaseEvent, CaseTask
from residents.models import Request, ResidentEvent, VisitPlan
from stations.audit import AuditLogEntry
from tests.casework.factories import make_case
from tests.factories import make_request
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


def test_everything_open_moves_and_nothing_closed(client, worker, worker2, guoyuan, chaoyangli, other_worker):
    today = timezone.localdate()
    resident = make_resident(chaoyangli, name="张桂兰")
    other_resident = make_resident(chaoyangli, name="李秀英")
    open_request = make_request(guoyuan, chaoyangli, user=worker, assignee=worker2)
    closed_request = make_request(
        guoyuan, chaoyangli, user=worker, assignee=worker2, status=Request.Status.CLOSED
    )
    led = make_case(guoyuan, resident, worker2, stage=Case.Stage.INTERVENTION, co_worker=worker)
    assisted = make_case(guoyuan, other_resident, worker, stage=Case.Stage.ASSESSMENT, co_worker=worker2)
    closed_case = make_case(guoyuan, resident, worker2, stage=Case.Stage.CLOSED)
    task = CaseTask.objects.create(
        case=led, title="电话回访", owner=worker2, due_on=today, created_by=worker2
    )
    done_task = CaseTask.objects.create(
        case=led, title="家访", owner=worker2, due_on=today, created_by=worker2, done_at=timezone.now()
    )
    plan = VisitPlan.objects.create(resident=resident, tier=1, worker=worker2, next_due_on=today)
    inactive = VisitPlan.objects.create(
        resident=other_resident, tier=2, worker=worker2, next_due_on=today, active=False
    )

    assignment = worker2.assignments.get()
    assignment.end_date = today
    assignment.save()
    client.force_login(worker)
    url = reverse("residents:handover", args=[assignment.pk])
    page = client.get(url).content.decode()
    assert "主责个案 1 件" in page and "探访对象 1 件" in page and "个案待办 1 件" in page
    entries_before = AuditLogEntry.objects.filter(additional_data__handover=True).count()
    response = client.post(url, {"to": worker.pk})
    assert response.status_code == 302

    for obj in (open_request, closed_request, led, assisted, closed_case, task, done_task, plan, inactive):
        obj.refresh_from_db()
    assert open_request.assignee == worker and closed_request.assignee == worker2
    assert led.lead_worker == worker and led.co_worker is None  # the colleague was its co-worker
    assert assisted.lead_worker == worker and assisted.co_worker is None
    assert closed_case.lead_worker == worker2
    assert task.owner == worker and done_task.owner == worker2
    assert plan.worker == worker and inactive.worker == worker2
    assert CaseEvent.objects.filter(case=led, kind=CaseEvent.Kind.WORKERS, text__contains="离任移交").exists()
    assert CaseEvent.objects.filter(case=led, kind=CaseEvent.Kind.TASK, text__contains="电话回访").exists()
    assert not CaseEvent.objects.filter(case=closed_case).exists()
    assert ResidentEvent.objects.filter(resident=resident, text__contains="探访责任社工改为").exists()
    entries = AuditLogEntry.objects.filter(additional_data__handover=True)
    assert entries.count() == entries_before + 1
    entry = entries.latest("pk")
    assert entry.additional_data["主责个案"] == 1 and entry.additional_data["未办结诉求"] == 1
    assert entry.additional_data["协同个案"] == 1 and entry.additional_data["个案待办"] == 1
    assert entry.additional_data["探访对象"] == 1


def test_a_refused_colleague_moves_nothing(client, worker, worker2, other_worker, guoyuan, chaoyangli):
    resident = make_resident(chaoyangli)
    case = make_case(guoyuan, resident, worker2, stage=Case.Stage.INTERVENTION)
    assignment = worker2.assignments.get()
    assignment.end_date = timezone.localdate() - datetime.timedelta(days=1)
    assignment.save()
    client.force_login(worker)
    response = client.post(reverse("residents:handover", args=[assignment.pk]), {"to": other_worker.pk})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.lead_worker == worker2
    assert not AuditLogEntry.objects.filter(additional_data__handover=True).exists()
