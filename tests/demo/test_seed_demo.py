"""`manage.py seed_demo` itself: one transaction per phase, each phase announced with its progress and
time, and `--dry-run`, which says what a run would create and changes nothing."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from demo import projects as projects_demo
from notifications.events import Event
from notifications.inbox import Notification
from projects.models import Activity, Project
from residents.models import Request, Resident, TimelineEvent
from stations.models import Community, District, Station, User
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
    phases = re.findall(r"== \[(\d)/6\] ([a-z]+)：", output)
    assert phases == [
        ("1", "stations"),
        ("2", "residents"),
        ("3", "projects"),
        ("4", "casework"),
        ("5", "notifications"),
        ("6", "evaluation"),
    ]
    for name in ("stations", "residents", "projects", "casework", "notifications", "evaluation"):
        assert re.search(rf"-- {name}：完成，用时 \d+\.\d s", output), name
    assert "requests: " in output  # the residents phase's own progress lines
    assert Station.objects.count() == 249 and Request.objects.count() == 150 and Project.objects.exists()
    assert re.search(rf"{Request._meta.verbose_name}：\+150\b", output)  # what each phase added
    # Demo users open a few messages: 果园新村's head (徐芃泽) has this morning's digest at least.
    assert Notification.objects.filter(recipient__username="xupengze", event=Event.DAILY_DIGEST).exists()
    assert Notification.objects.filter(recipient__role=User.Role.DISTRICT_STAFF).exists()
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
    assert re.search(rf"{Request._meta.verbose_name}：\+150\b", output)
    assert re.search(rf"{Project._meta.verbose_name}：\+\d+", output)
    assert "演示账号" not in output  # no accounts to log in with: nothing was created


def test_dry_run_on_a_seeded_database_would_add_nothing(db):
    seed()
    before = counts()
    output = seed("--dry-run")
    assert counts() == before
    assert "没有要新增的数据" in output
