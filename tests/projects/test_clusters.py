"""聚类建议: clusters on a seeded set (exactly the expected ones, no merges across communities or
categories), a cluster turned into a project in one step, and the project's completion resolving exactly
its linked open requests."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import clusters
from projects.models import Project
from residents.models import Request, TimelineEvent
from tests.factories import make_request
from tests.projects import factories as pf

pytestmark = pytest.mark.django_db

CHARGING = "电动自行车充电"
LIGHTS = "照明灯具"


@pytest.fixture
def seeded(worker, chaoyangli, other_worker, tailaixili):
    """果园新村 (朝阳里): three e-bike charging requests about building 3, one about something else in the
    same category, two about a courtyard's lights; the same charging text in 集贤里 (another station) and
    filed under lights (another category); one charging request 120 days old."""
    station = worker.station
    xuri = station.streets.first().communities.exclude(pk=chaoyangli.pk).first()

    def req(text, community=chaoyangli, category=CHARGING, st=station, **fields):
        return make_request(
            st,
            community,
            user=worker if st == station else other_worker,
            category_name=category,
            description=text,
            **fields,
        )

    data = {
        "charging": [
            req("3号楼车棚没有电动车充电桩，居民私拉电线充电很危险"),
            req("电动车充电不方便，3号楼有人从楼上拉电线给电动车充电"),
            req("3号楼车棚能否安装电动车充电桩？"),
        ],
        "lone_charging": req("希望社区组织电动车安全知识讲座"),
        "lights": [
            req("5号院路灯坏了，晚上院里漆黑一片", category=LIGHTS),
            req("5号院的路灯不亮，老人晚上出门怕摔", category=LIGHTS),
        ],
        "charging_as_lights": req("3号楼车棚电动车充电桩安装", category=LIGHTS),
        "other_community": req("3号楼车棚没有电动车充电桩，私拉电线充电很危险", community=xuri),
        "other_station": req(
            "3号楼车棚没有电动车充电桩，私拉电线充电很危险", community=tailaixili, st=other_worker.station
        ),
        "old": req(
            "3号楼车棚电动车充电桩不够用，私拉电线",
            received_at=timezone.now() - datetime.timedelta(days=120),
        ),
    }
    return data


def _as_sets(found):
    return sorted(sorted(c.request_ids) for c in found)


def test_exactly_the_expected_clusters(worker, seeded):
    found = clusters.suggest_clusters(worker, days=90)
    expected = sorted([sorted(r.pk for r in seeded["charging"]), sorted(r.pk for r in seeded["lights"])])
    assert _as_sets(found) == expected
    charging = next(c for c in found if len(c.requests) == 3)
    assert {"充电", "车棚", "电动"} <= set(charging.words)
    assert charging.community_name and charging.category_name == CHARGING


def test_a_longer_period_takes_in_the_older_request(worker, seeded):
    found = clusters.suggest_clusters(worker, days=180)
    charging = next(c for c in found if c.category_name == CHARGING)
    assert seeded["old"].pk in charging.request_ids


def test_requests_already_in_a_project_or_closed_are_not_suggested(worker, seeded):
    project = pf.make_project(worker.station)
    project.requests.add(seeded["charging"][0])
    Request.objects.filter(pk=seeded["charging"][1].pk).update(status=Request.Status.CLOSED)
    found = clusters.suggest_clusters(worker, days=90)
    assert _as_sets(found) == [sorted(r.pk for r in seeded["lights"])]


def test_scope_of_the_page(client, worker, other_worker, district_user, city_user, seeded):
    client.force_login(other_worker)
    assert client.get(reverse("projects:cluster-list")).context["clusters"] == []
    client.force_login(district_user)
    response = client.get(reverse("projects:cluster-list"))
    assert len(response.context["clusters"]) == 2 and not response.context["may_create"]
    client.force_login(city_user)
    assert client.get(reverse("projects:cluster-list")).status_code == 403


@pytest.mark.parametrize("per_group", [2, 30])
def test_cluster_page_queries_do_not_grow(
    client, worker, chaoyangli, per_group, django_assert_max_num_queries
):
    for i in range(per_group):
        make_request(
            worker.station,
            chaoyangli,
            user=worker,
            category_name=CHARGING,
            description=f"{i}号楼车棚没有电动车充电桩，私拉电线充电危险",
        )
        make_request(
            worker.station,
            chaoyangli,
            user=worker,
            category_name=LIGHTS,
            description=f"{i}号院路灯坏了，晚上漆黑",
        )
    client.force_login(worker)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("projects:cluster-list"))
    assert sum(len(c.requests) for c in response.context["clusters"]) == 2 * per_group


def test_cluster_becomes_a_project_in_one_step(client, worker, seeded):
    ids = [r.pk for r in seeded["charging"]]
    client.force_login(worker)
    response = client.post(
        reverse("projects:cluster-project"),
        {"requests": ids, "title": "3号楼电动车充电桩", "theme": "governance"},
    )
    project = Project.objects.get(title="3号楼电动车充电桩")
    assert response.status_code == 302 and response.url == project.get_absolute_url()
    assert sorted(project.requests.values_list("pk", flat=True)) == sorted(ids)
    assert (project.station, project.lead, project.status) == (worker.station, worker, Project.Status.ACTIVE)
    assert list(project.communities.all()) == [seeded["charging"][0].community]
    notes = TimelineEvent.objects.filter(request_id__in=ids, kind=TimelineEvent.Kind.NOTE)
    assert notes.count() == 3 and all("3号楼电动车充电桩" in n.text for n in notes)


@pytest.mark.parametrize("forged", ["other_station", "other_community", "closed"])
def test_a_forged_or_unfit_request_refuses_the_whole_step(client, worker, seeded, forged):
    if forged == "closed":
        Request.objects.filter(pk=seeded["charging"][2].pk).update(status=Request.Status.CLOSED)
        extra = seeded["charging"][2]
    else:
        extra = seeded[forged]
    ids = [seeded["charging"][0].pk, seeded["charging"][1].pk, extra.pk]
    client.force_login(worker)
    response = client.post(
        reverse("projects:cluster-project"), {"requests": ids, "title": "充电桩", "theme": "governance"}
    )
    assert response.status_code == 302
    assert not Project.objects.filter(title="充电桩").exists()
    assert not TimelineEvent.objects.filter(request_id__in=ids, kind=TimelineEvent.Kind.NOTE).exists()


def test_completing_the_project_resolves_exactly_its_open_requests(client, worker, seeded):
    linked = seeded["charging"]
    project = pf.make_project(worker.station, title="3号楼电动车充电桩")
    project.requests.set(linked)
    Request.objects.filter(pk=linked[2].pk).update(status=Request.Status.CLOSED)  # already closed: left alone
    client.force_login(worker)
    response = client.post(
        reverse("projects:project-complete", args=[project.pk]),
        {"note": "车棚已安装智能充电桩12个", "version": project.version},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED and project.end_date is not None
    statuses = dict(Request.objects.filter(pk__in=[r.pk for r in linked]).values_list("pk", "status"))
    assert statuses == {linked[0].pk: "resolved", linked[1].pk: "resolved", linked[2].pk: "closed"}
    untouched = [seeded["lone_charging"], *seeded["lights"], seeded["other_community"]]
    assert all(Request.objects.get(pk=r.pk).status == r.status for r in untouched)
    events = TimelineEvent.objects.filter(request__in=linked[:2], to_status="resolved")
    assert events.count() == 2 and all("3号楼电动车充电桩" in e.text for e in events)


def test_completion_needs_a_note_and_the_current_version(client, worker, seeded):
    project = pf.make_project(worker.station, title="充电桩")
    project.requests.set(seeded["charging"])
    client.force_login(worker)
    client.post(
        reverse("projects:project-complete", args=[project.pk]), {"note": "", "version": project.version}
    )
    client.post(
        reverse("projects:project-complete", args=[project.pk]),
        {"note": "完成", "version": project.version + 1},
    )
    client.post(reverse("projects:project-complete", args=[project.pk]), {"note": "完成"})  # no version
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
    assert not Request.objects.filter(status="resolved").exists()


def test_bigram_rule():
    a = clusters.bigrams("3号楼车棚，电动车充电")
    assert "棚电" not in a  # no bigram across punctuation
    assert clusters.similar(a, clusters.bigrams("电动车充电在3号楼车棚"))
    assert not clusters.similar(a, clusters.bigrams("楼道灯坏了"))
