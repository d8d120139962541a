"""`manage.py seed_demo` itself: one transaction per phase, each phase announced with its progress and
time, and `--dry-run`, which says what a run would create and changes nothing."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from demo import projects as projects_demo
from demo import volunteers as volunteers_demo
from hotline.models import WorkOrder
from notifications.events import Event
from notifications.inbox import Notification
from projects.models import Activity, Project, ServiceHours, ServiceProof, Volunteer
from residents.models import Request, Resident, TimelineEvent
from stations.models import Community, District, LockedMonth, Station, User
from sws.models import MonthlyReport
from tests.projects.factories import make_project

SMALL = ["--requests", "150", "--history-days", "30", "--password", "x"]
MODELS = [District, Community, Station, User, Resident, Request, TimelineEvent, Project, Activity]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *SMALL, *args, stdout=out)
    return out.getvalue()


def test_each_phase_prints_its_name_progress_and_time(db):
    output = seed()
    phases = re.findall(r"== \[(\d+)/11\] ([a-z]+)：", output)
    assert phases == [
        ("1", "stations"),
        ("2", "residents"),
        ("3", "projects"),
        ("4", "casework"),
        ("5", "volunteers"),
        ("6", "hotline"),
        ("7", "reports"),
        ("8", "evaluation"),
        ("9", "notifications"),
        ("10", "partners"),
        ("11", "transfers"),
    ]
    names = (
        "stations",
        "residents",
        "projects",
        "casework",
        "volunteers",
        "hotline",
        "reports",
        "evaluation",
    )
    for name in names + ("notifications", "partners", "transfers"):
        assert re.search(rf"-- {name}：完成，用时 \d+\.\d s", output), name
    assert "requests: " in output  # the residents phase's own progress lines
    # --requests' 150, the story's e-bike charging requests at 朝阳里 (the volunteers phase: the cluster
    # made a project), and the requests of the demo's 12345 work orders placed at a station.
    story_requests = len(volunteers_demo.CHARGING)
    hotline_requests = WorkOrder.objects.filter(request__isnull=False).count()
    assert hotline_requests
    assert Request.objects.exclude(work_order__isnull=False).count() == 150 + story_requests
    assert Station.objects.count() == 249 and Project.objects.exists()
    # What each phase added: the residents phase its 150 requests, the hotline phase its orders' requests.
    assert re.search(rf"{Request._meta.verbose_name}：\+150\b", output)
    assert re.search(rf"{Request._meta.verbose_name}：\+{hotline_requests}\b", output)
    guoyuan = Station.objects.get(streets__name="果园新村街道")
    assert Volunteer.objects.filter(station=guoyuan).count() == len(volunteers_demo.PEOPLE)
    hours = ServiceHours.objects.filter(station=guoyuan)
    assert hours.filter(activity__isnull=False).exists() and hours.filter(visit__isnull=False).exists()
    assert ServiceProof.objects.filter(station=guoyuan).count() == 1
    charging = Project.objects.get(title="朝阳里3号楼车棚充电桩（民主协商）")
    assert charging.requests.count() == story_requests
    # Demo users open a few messages: 果园新村's head (徐芃泽) has this morning's digest at least.
    assert Notification.objects.filter(recipient__username="xupengze", event=Event.DAILY_DIGEST).exists()
    assert Notification.objects.filter(recipient__role=User.Role.DISTRICT_STAFF).exists()
    # Monthly reports: the months before last approved and locked, last month submitted by 果园新村.
    assert MonthlyReport.objects.filter(status="approved", station__name__contains="果园新村").count() == 2
    assert MonthlyReport.objects.filter(status="submitted", station__name__contains="果园新村").count() == 1
    assert LockedMonth.objects.filter(station__name__contains="果园新村").count() == 2
    assert MonthlyReport.objects.filter(level="district", status="approved").exists()
    # 五社联动: the registry, the charging company's answered referrals with consent, resources used.
    from partners.models import PartnerReferral, ResourceUse

    answered = PartnerReferral.objects.filter(
        partner__name__startswith="天津津电新能源", answers__outcome="done"
    )
    assert answered.exists() and answered.filter(consents__isnull=False).exists()
    assert ResourceUse.objects.filter(kind="hours", activity__isnull=False).exists()
    # The reporters' accounts (issue #21); the transfers phase ran (what it seeds needs 果园新村's requests).
    assert "transfers: " in output
    assert User.objects.filter(role=User.Role.COMMUNITY_STAFF, community__name__contains="朝阳里").exists()
    assert User.objects.filter(role=User.Role.VOLUNTEER_REPORTER, station__code="120113001").exists()
    # 考核评估: a contract per station, 果园新村 being scored, 广开 approved with an overdue rectification.
    from sws.models.evaluation import Evaluation, Rectification, ServiceContract

    assert ServiceContract.objects.count() == 249
    statuses = dict(Evaluation.objects.values_list("station__streets__name", "status"))
    assert statuses == {"果园新村街道": "scoring", "广开街道": "approved"}
    assert Rectification.objects.overdue().count() == 1


def test_a_failing_phase_rolls_back_only_itself(db, monkeypatch):
    def broken(**kwargs):
        make_project(Station.objects.first(), title="半截")
        raise RuntimeError("projects phase failed")

    monkeypatch.setattr(projects_demo, "seed", broken)
    with pytest.raises(RuntimeError):
        seed()
    assert Station.objects.count() == 249 and Request.objects.count() == 150  # earlier phases are kept
    assert not Project.objects.exists()  # nothing half-saved of the phase that failed


def test_dry_run_says_what_it_would_create_and_changes_nothing(db):
    before = counts()
    output = seed("--dry-run")
    assert counts() == before
    assert "演练" in output and "未写入数据库" in output
    assert re.search(rf"{Station._meta.verbose_name}：\+249\b", output)
    added = [int(n) for n in re.findall(rf"{Request._meta.verbose_name}：\+(\d+)\b", output)]
    # The residents phase's 150, the volunteers' e-bike charging requests, the demo work orders' requests,
    # then the total a real run would add.
    assert added[0] == 150 and len(added) == 4 and added[-1] == sum(added[:-1]) > 150
    assert re.search(rf"{Project._meta.verbose_name}：\+\d+", output)
    assert "演示账号" not in output  # no accounts to log in with: nothing was created
    assert "演示接口密钥" not in output  # nor an API key


def test_dry_run_on_a_seeded_database_would_add_nothing(db):
    seed()
    before = counts()
    output = seed("--dry-run")
    assert counts() == before
    assert "没有要新增的数据" in output
