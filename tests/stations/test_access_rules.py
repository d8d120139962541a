"""The role predicates and object rules of the access module, for each of the shared cast.

Cast (tests/conftest.py): `worker` heads 果园新村, `worker2` works there, `other_worker` heads 集贤里 (same
district), `far_worker` heads 广开 (南开区), `district_user` is 北辰区's centre, `other_district_user`
南开区's, `city_user` the municipal centre, `admin_user` an admin; `auditor` is made here.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from projects.models import AnnualPlan
from stations import access
from stations.models import User
from tests import factories as f
from tests.projects.factories import make_plan, make_project
from tests.residents.factories import make_resident

CAST = (
    "worker",
    "worker2",
    "other_worker",
    "far_worker",
    "district_user",
    "other_district_user",
    "city_user",
    "admin_user",
    "auditor",
)


@pytest.fixture
def auditor(db):
    return f.make_user("auditor", User.Role.AUDITOR, name="审计员")


@pytest.fixture
def cast(request):
    return {name: request.getfixturevalue(name) for name in CAST}


def holders(cast, rule, *args):
    """The names of the cast for whom `rule(user, *args)` holds."""
    return {name for name, user in cast.items() if rule(user, *args)}


STATION_STAFF = {"worker", "worker2", "other_worker", "far_worker"}


@pytest.mark.parametrize(
    "predicate, expected",
    [
        (access.is_station_user, STATION_STAFF),
        (access.is_station_head, {"worker", "other_worker", "far_worker"}),
        (access.is_district_user, {"district_user", "other_district_user"}),
        (access.sees_whole_city, {"city_user", "admin_user"}),
        (access.is_admin, {"admin_user"}),
        (access.is_auditor, {"auditor"}),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_role_predicates(cast, predicate, expected):
    assert holders(cast, predicate) == expected
    assert not predicate(AnonymousUser())


def test_a_role_without_its_scope_is_not_that_role():
    """A station role with no station, or a district role with no district (an unsaved account: the
    database refuses to store either) reaches nothing."""
    assert not access.is_station_user(User(role=User.Role.STATION_WORKER))
    assert not access.is_station_head(User(role=User.Role.STATION_HEAD))
    assert not access.is_district_user(User(role=User.Role.DISTRICT_STAFF))


def test_an_inactive_auditor_is_no_auditor(auditor):
    auditor.is_active = False
    assert not access.is_auditor(auditor)


def test_the_user_model_takes_its_roles_from_the_access_module():
    assert User.Role is access.Role
    assert not hasattr(User, "is_station_user")  # ask access.is_station_user(user)


def test_templates_ask_the_predicates_by_name(worker, city_user):
    roles = access.RolePredicates(worker)
    assert roles.is_station_user and roles.is_station_head and not roles.sees_whole_city
    assert access.RolePredicates(city_user).sees_whole_city
    with pytest.raises(AttributeError):
        roles.is_station_worker  # noqa: B018 (a name the module lacks is no silent "no")


def test_may_change_and_works_at_a_record_of_the_station(cast, guoyuan):
    project = make_project(guoyuan)
    assert holders(cast, access.may_change, project) == {"worker", "worker2", "admin_user"}
    # The station's own work (its plan's submission, its requests' steps) is its staff's, not an admin's.
    assert holders(cast, access.works_at, project) == {"worker", "worker2"}
    assert holders(cast, access.works_at, guoyuan) == {"worker", "worker2"}


def test_may_change_a_record_that_hangs_off_the_station_further_away(cast, chaoyangli):
    """A resident belongs to a station through its community: the rule asks the database."""
    resident = make_resident(chaoyangli)
    assert holders(cast, access.may_change, resident) == {"worker", "worker2", "admin_user"}
    assert holders(cast, access.works_at, resident) == {"worker", "worker2"}


def test_may_change_is_the_rule_of_editable_by(cast, guoyuan, jixianli, guangkai):
    projects = [make_project(station) for station in (guoyuan, jixianli, guangkai)]
    for user in cast.values():
        editable = set(type(projects[0]).objects.editable_by(user))
        assert {p for p in projects if access.may_change(user, p)} == editable


def test_nobody_inactive_or_anonymous_may_change(worker, admin_user, guoyuan):
    project = make_project(guoyuan)
    assert not access.may_change(AnonymousUser(), project)
    for user in (worker, admin_user):
        user.is_active = False
        assert not access.may_change(user, project)
        assert not access.works_at(user, project)


def test_may_change_without_a_query_when_the_record_names_its_station(
    worker, guoyuan, django_assert_num_queries
):
    project = make_project(guoyuan)
    with django_assert_num_queries(0):
        assert access.may_change(worker, project)


def test_may_review_a_plan_is_for_the_centre_of_its_district(cast, guoyuan, guangkai):
    plan = make_plan(guoyuan, status=AnnualPlan.Status.SUBMITTED)
    assert holders(cast, access.may_review, plan) == {"district_user"}
    assert holders(cast, access.may_review, make_plan(guangkai)) == {"other_district_user"}


def test_may_open_a_minors_record_needs_the_permission(cast, chaoyangli, worker2):
    """Heads hold it by role (scope is the querysets' question, not this one's), a superuser holds every
    permission; anyone else only when given it."""
    minor = make_resident(
        chaoyangli, name="小明", birth_date=datetime.date.today() - datetime.timedelta(days=3650)
    )
    adult = make_resident(chaoyangli, name="张桂兰", birth_date=datetime.date(1944, 5, 2))
    assert minor.open_permission == "residents.view_sensitive_resident"
    assert adult.open_permission is None
    assert holders(cast, access.may_open, minor) == {"worker", "other_worker", "far_worker", "admin_user"}
    assert holders(cast, access.may_open, adult) == set(CAST)
    assert access.may_open(AnonymousUser(), None)

    worker2.user_permissions.add(Permission.objects.get(codename="view_sensitive_resident"))
    worker2 = User.objects.get(pk=worker2.pk)  # permissions are cached on the user object
    assert access.may_open(worker2, minor)
