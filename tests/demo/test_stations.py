"""The stations part of `seed_demo`: the city of the report, its accounts, and idempotence.

Seeding takes a couple of seconds, so it runs once for the module (inside a transaction rolled back at
the end); each test then runs in its own savepoint.
"""

import random
from io import StringIO

import pytest
from django.core.management.base import OutputWrapper
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from demo import stations as demo
from stations.models import (
    Assignment,
    Community,
    ComplianceIssue,
    District,
    Station,
    Street,
    User,
)

PASSWORD = "demo-pass-2026"


def seed(password=PASSWORD, random_seed=2023):
    buffer = StringIO()
    rng = random.Random(random_seed)
    demo.seed(options={"password": password}, rng=rng, out=OutputWrapper(buffer))
    return buffer.getvalue(), rng


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        output, rng = seed()
        yield output, rng.random()
        transaction.set_rollback(True)


def test_249_stations_serve_the_252_streets(seeded, db):
    assert Station.objects.count() == 249
    assert Street.objects.townships().filter(station__isnull=True).count() == 0
    assert Street.objects.filter(kind=Street.Kind.OTHER, station__isnull=False).count() == 0
    serving_two = Station.objects.annotate(n=Count("streets")).filter(n=2)
    merged = {s.name: sorted(s.streets.values_list("name", flat=True)) for s in serving_two}
    assert merged == {
        "西青区赤龙南街道社工站": ["赤龙北街道", "赤龙南街道"],
        "北辰区青源街道社工站": ["广源街道", "青源街道"],
        "武清区杨村街道社工站": ["杨村街道", "运河西街道"],
    }
    assert not Station.objects.annotate(n=Count("streets")).filter(n=0).exists()


def test_station_code_is_its_first_streets_code_and_name_reads_like_the_report(seeded, db):
    for station in Station.objects.prefetch_related("streets").select_related("district"):
        first = min(station.streets.all(), key=lambda s: s.code)
        assert station.code == first.code[:9]
        assert station.name == f"{station.district.name}{first.name}社工站"
        assert station.district_id == first.district_id
        assert station.founded_on.isoformat() >= "2021-07-01"
        assert station.address and station.phone and station.operator_id
        assert station.contract_start <= timezone.localdate() <= station.contract_end
    guoyuan = Station.objects.get(code="120113001")
    assert guoyuan.name == "北辰区果园新村街道社工站"
    assert (guoyuan.founded_on.year, guoyuan.founded_on.month) == (2023, 1)


def test_396_resident_workers_most_stations_two(seeded, db):
    today = timezone.localdate()
    assert Assignment.objects.active(today).count() == 396
    stations = Station.objects.with_compliance(today)
    assert stations.filter(active_workers=2).count() == 147
    assert stations.filter(active_workers=1).count() == 102
    assert not stations.filter(active_workers=0).exists()
    # Each station has exactly one head among its active workers.
    heads = Assignment.objects.active(today).filter(is_head=True)
    assert heads.count() == 249 and heads.values("station").distinct().count() == 249
    # A realistic mix: every kind of issue occurs, and most two-worker stations are fine.
    for issue in ComplianceIssue:
        assert Station.objects.with_issue(issue, today).exists(), issue
    assert Station.objects.compliant(today).count() > 60


def test_workrooms_in_26_9_percent_of_committees(seeded, db):
    workrooms = Community.objects.with_workroom()
    assert workrooms.count() == 1466
    assert not workrooms.filter(kind=Community.Kind.OTHER).exists()
    assert not workrooms.filter(street__kind=Street.Kind.OTHER).exists()
    committees = Community.objects.committees().exclude(street__kind=Street.Kind.OTHER).count()
    assert round(1466 / committees * 100, 1) == 26.9
    assert workrooms.filter(workroom_opened_on__lt="2021-07-01").count() == 0


def test_accounts_for_every_role(seeded, db):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert User.objects.get(username="city").role == User.Role.CITY_STAFF
    assert User.objects.get(username="auditor").role == User.Role.AUDITOR
    for district in District.objects.all():
        user = User.objects.get(username=f"dc-{district.code[:6]}")
        assert user.role == User.Role.DISTRICT_STAFF and user.district == district and user.is_staff
        assert user.has_perm("stations.change_station") and not user.has_perm("stations.add_station")
    assert User.objects.get(username="dc-120101").district.name == "和平区"

    for station in Station.objects.exclude(code="120113001"):
        head = User.objects.get(username=f"st-{station.code}-1")
        assert head.station == station and head.role == User.Role.STATION_HEAD
    assert User.objects.filter(username__regex=r"^st-\d{9}-2$", role=User.Role.STATION_WORKER).count() == 147
    for username in ["admin", "city", "auditor", "dc-120113", "xupengze", "shibo", "st-120104004-1"]:
        assert User.objects.get(username=username).check_password(PASSWORD), username


def test_the_reports_people(seeded, db):
    today = timezone.localdate()
    xu = User.objects.get(username="xupengze")
    assert xu.name == "徐芃泽" and xu.role == User.Role.STATION_HEAD
    assert xu.station.name == "北辰区果园新村街道社工站"
    assert xu.assignments.get().is_head and xu.certificates.exists()
    assert not User.objects.filter(username="st-120113001-1").exists()
    guoyuan = Station.objects.with_compliance(today).get(code="120113001")
    assert (guoyuan.active_workers, guoyuan.certified_workers) == (2, 2)  # 有持证社工两人

    shibo = User.objects.get(username="shibo")
    assert shibo.name == "史博" and shibo.role == User.Role.DISTRICT_STAFF
    assert shibo.district.name == "和平区" and shibo.is_staff
    past = shibo.assignments.get()
    assert past.station.name == "南开区广开街道社工站" and past.end_date < today
    assert not Assignment.objects.active(today).filter(user=shibo).exists()
    guangkai = Station.objects.with_compliance(today).get(code="120104004")
    assert guangkai.active_workers == 2


def test_realistic_names(seeded, db):
    names = list(User.objects.filter(role__in=User.STATION_ROLES).values_list("name", flat=True))
    assert len(names) == 396 and len(set(names)) == 396
    assert all(2 <= len(n) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names)


def test_second_run_adds_nothing_and_sets_the_new_password(seeded, db):
    output, next_random = seeded
    counts = (Station.objects.count(), User.objects.count(), Assignment.objects.count())
    workrooms = set(Community.objects.with_workroom().values_list("pk", "workroom_opened_on"))
    again, rng = seed(password="another-pass-1")
    assert (Station.objects.count(), User.objects.count(), Assignment.objects.count()) == counts
    assert set(Community.objects.with_workroom().values_list("pk", "workroom_opened_on")) == workrooms
    assert "新增 0" in again and "社工站：249 个（新增 0）" in again
    assert User.objects.get(username="xupengze").check_password("another-pass-1")
    # Later seeders share the random stream: it must not depend on what was already there.
    assert rng.random() == next_random
    assert "社工站：249 个（新增 249）" in output


def test_print_accounts_names_the_usernames_and_password(seeded, db):
    buffer = StringIO()
    demo.print_accounts(options={"password": PASSWORD}, out=OutputWrapper(buffer))
    text = buffer.getvalue()
    assert PASSWORD in text
    for expected in ["admin", "city", "auditor", "dc-120101 和平区", "dc-120119 蓟州区", "shibo", "xupengze"]:
        assert expected in text
    assert "st-120104004-1、st-120104004-2" in text
    # Only accounts that exist are shown as examples.
    for username in [w for w in text.split() if w.startswith("st-12")]:
        for name in username.split("、"):
            assert User.objects.filter(username=name).exists(), name


def test_group_permissions_are_limited(seeded, db):
    group_perms = set(User.objects.get(username="dc-120113").get_group_permissions())
    assert "stations.view_community" in group_perms and "stations.change_community" in group_perms
    assert not any(p.startswith("stations.delete_") for p in group_perms)
    city = User.objects.get(username="city")
    assert city.has_perm("stations.view_station") and not city.has_perm("stations.change_station")
    assert not User.objects.filter(Q(is_superuser=True) & ~Q(username="admin")).exists()
