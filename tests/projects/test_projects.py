"""Service projects: create and edit with scoped choices, link requests, resolve them through the workflow."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from projects.models import Project, TargetGroup
from projects.services import resolve_project_requests
from residents import services as request_services
from residents.models import Request, TimelineEvent
from stations.locking import STALE_MESSAGE
from tests.factories import make_request
from tests.projects import factories as pf


def _project_data(**overrides):
    data = {
        "title": "  老年智慧出行   志愿服务行动 ",
        "theme": "elderly",
        "start_date": "2023-10-01",
        "end_date": "",
        "status": "active",
        "budget": "12000.50",
        "funding_source": "charity",
        "workers_involved": "0",
        "description": "",
        "request_references": "",
    }
    data.update(overrides)
    return data


def test_worker_creates_a_project(client, worker, chaoyangli):
    elderly = TargetGroup.objects.get(code="elderly")
    client.force_login(worker)
    response = client.post(
        reverse("projects:project-create"),
        _project_data(communities=[chaoyangli.pk], lead=worker.pk, target_groups=[elderly.pk]),
    )
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.station == worker.station
    assert project.title == "老年智慧出行 志愿服务行动"
    assert project.budget == Decimal("12000.50")
    assert list(project.communities.all()) == [chaoyangli]
    assert project.lead == worker and project.created_by == worker
    assert list(project.target_groups.all()) == [elderly]


@pytest.mark.parametrize(
    "field, forged",
    [
        ("communities", lambda w: [w["neighbour"]["community"].pk]),
        ("communities", lambda w: [w["far"]["community"].pk]),
        ("lead", lambda w: w["other_worker"].pk),
        ("lead", lambda w: w["district_user"].pk),
    ],
)
def test_forged_community_or_lead_of_another_station_is_refused(
    client, world, worker, other_worker, district_user, field, forged
):
    world["other_worker"], world["district_user"] = other_worker, district_user
    client.force_login(worker)
    response = client.post(reverse("projects:project-create"), _project_data(**{field: forged(world)}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Project.objects.filter(title__startswith="老年智慧出行 ").exists()


def test_requests_are_linked_by_reference_of_the_own_station_only(
    client, worker, far_worker, chaoyangli, hualinyuan
):
    own = make_request(worker.station, chaoyangli)
    theirs = make_request(far_worker.station, hualinyuan)
    client.force_login(worker)
    response = client.post(
        reverse("projects:project-create"),
        _project_data(request_references=f"{own.reference}，{theirs.reference}"),
    )
    assert response.status_code == 200
    assert theirs.reference in str(response.context["form"].errors["request_references"])
    assert not Project.objects.exists()
    response = client.post(
        reverse("projects:project-create"), _project_data(request_references=own.reference)
    )
    assert list(Project.objects.get().requests.all()) == [own]


def test_edit_refuses_a_stale_version(client, worker, world):
    project = world["own"]["project"]
    client.force_login(worker)
    url = reverse("projects:project-edit", args=[project.pk])
    stale = project.version
    Project.objects.filter(pk=project.pk).update(version=stale + 1, title="别人刚改的")
    response = client.post(url, _project_data(version=stale, title="我的修改"))
    assert response.status_code == 200
    assert STALE_MESSAGE in response.content.decode()
    project.refresh_from_db()
    assert project.title == "别人刚改的"
    response = client.post(url, _project_data(version=stale + 1, title="我的修改"))
    project.refresh_from_db()
    assert response.status_code == 302 and project.title == "我的修改" and project.version == stale + 2


def test_project_resolves_its_requests_through_the_workflow(far_worker, hualinyuan):
    """广开街道's e-bike charging project resolves the residents' charging requests."""
    station = far_worker.station
    project = pf.make_project(station, "存车处电动自行车安全充电设施项目", theme=Project.Theme.GOVERNANCE)
    new = make_request(station, hualinyuan)
    in_hand = make_request(station, hualinyuan, description="电瓶带上楼不安全")
    request_services.start_request(acting_user=far_worker, request=in_hand)
    done = make_request(station, hualinyuan, description="已经办结的")
    request_services.start_request(acting_user=far_worker, request=done)
    request_services.resolve_request(acting_user=far_worker, request=done, note="已解决")
    project.requests.set([new, in_hand, done])

    outcome = resolve_project_requests(acting_user=far_worker, project=project, note="安装了自动断电充电设施")

    assert {r.pk for r in outcome.resolved} == {new.pk, in_hand.pk}
    for request in (new, in_hand):
        request.refresh_from_db()
        assert request.status == Request.Status.RESOLVED and request.resolved_at is not None
        last = request.events.order_by("-at", "-pk").first()
        assert last.to_status == Request.Status.RESOLVED and last.actor == far_worker
        assert "存车处电动自行车安全充电设施项目" in last.text
    assert new.events.filter(to_status=Request.Status.IN_PROGRESS).exists()
    assert done.events.filter(kind=TimelineEvent.Kind.STATUS).count() == 2  # untouched by the project


def test_resolving_skips_a_request_changed_meanwhile(far_worker, hualinyuan, monkeypatch):
    """Someone else updates the second request while the project works through the first: the second
    is skipped and reported (its newer state is kept), the first is still resolved."""
    station = far_worker.station
    project = pf.make_project(station)
    first = make_request(station, hualinyuan)
    second = make_request(station, hualinyuan, description="另一件")
    project.requests.set([first, second])
    real_start = request_services.start_request

    def start_and_interfere(*, acting_user, request, version=None):
        if request.pk == first.pk:
            Request.objects.filter(pk=second.pk).update(version=second.version + 5)
        return real_start(acting_user=acting_user, request=request, version=version)

    monkeypatch.setattr(request_services, "start_request", start_and_interfere)
    outcome = resolve_project_requests(acting_user=far_worker, project=project, note="好了")
    assert [r.pk for r in outcome.resolved] == [first.pk]
    assert [r.pk for r, _ in outcome.skipped] == [second.pk]
    second.refresh_from_db()
    assert second.status == Request.Status.NEW and second.version == 6
    # The resolved one is no longer open: a second run has nothing more to resolve for it.
    again = resolve_project_requests(acting_user=far_worker, project=project, note="再来")
    assert [r.pk for r in again.resolved] == [second.pk]


def test_only_the_owning_station_resolves(far_worker, worker, district_user, hualinyuan):
    project = pf.make_project(far_worker.station)
    project.requests.set([make_request(far_worker.station, hualinyuan)])
    for outsider in (worker, district_user):
        with pytest.raises(PermissionDenied):
            resolve_project_requests(acting_user=outsider, project=project, note="x")
    assert project.requests.get().status == Request.Status.NEW


def test_resolve_through_the_page(client, far_worker, hualinyuan):
    project = pf.make_project(far_worker.station)
    request = make_request(far_worker.station, hualinyuan)
    project.requests.set([request])
    client.force_login(far_worker)
    url = reverse("projects:project-resolve-requests", args=[project.pk])
    response = client.post(url, {"note": ""}, follow=True)
    assert "请填写解决情况说明" in response.content.decode()
    response = client.post(url, {"note": "已安装充电设施"}, follow=True)
    assert "1 件诉求标记为已解决" in response.content.decode()
    request.refresh_from_db()
    assert request.status == Request.Status.RESOLVED


def test_project_page_shows_its_work(client, worker, chaoyangli):
    project = pf.make_project(worker.station, communities=[chaoyangli])
    pf.make_activity(worker.station, project=project, sessions=3, person_times=45, title="扫码叫车教学")
    pf.make_resource(worker.station, "0.10", project=project)
    pf.make_resource(worker.station, "0.20", project=project)
    client.force_login(worker)
    response = client.get(project.get_absolute_url())
    assert response.context["activity_totals"]["person_times"] == 45
    assert response.context["resource_total"] == Decimal("0.30")
    assert "扫码叫车教学" in response.content.decode()
