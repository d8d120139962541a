"""The shared cast, set up per test (cheap: a handful of rows).

Places: 北辰区 with 果园新村街道 (our station, communities 朝阳里/旭日里/新华里) and 集贤里街道 (another
station, same district); 南开区 with 广开街道 (another district's station).
People: `worker` (徐芃泽, head of 果园新村), `worker2` (his colleague), `other_worker` (集贤里),
`far_worker` (广开, other district), `district_user` (北辰区 centre), `other_district_user` (南开区
centre), `city_user` (municipal centre), `admin_user` (superuser).
"""

import os

import freezegun
import pytest
from hypothesis import settings as hypothesis_settings

from stations.models import User
from tests import factories as f

# Frozen time must not reach pytest's own clock (pytest 8 reads it in _pytest.timing, which freezegun's
# default ignore list does not name): else `--durations` reports frozen tests as lasting 56 years.
freezegun.configure(extend_ignore_list=["_pytest.timing"])

# The URLconf imports DRF (the hotline API), which imports psycopg's C module; imported for the first time
# inside a frozen test (the first reverse() of a run), that module refuses freezegun's stand-in for
# datetime.date ("datetime.date size changed"). Import it once, before any test.
import rest_framework.serializers  # noqa: E402, F401

# Hypothesis (tests/security/test_forms_hypothesis.py): tests set their own modest example counts. The
# `ci` profile (HYPOTHESIS_PROFILE=ci, set by .ci/run) draws the same examples on every run, so a
# failure in CI reproduces anywhere, and keeps no example database.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("dev")
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def beichen(db):
    return f.make_district("120113000000", "北辰区")


@pytest.fixture
def nankai(db):
    return f.make_district("120104000000", "南开区")


@pytest.fixture
def guoyuan(beichen):
    """北辰区果园新村街道社工站, founded January 2023."""
    import datetime

    street = f.make_street("120113001000", "果园新村街道", beichen)
    station = f.make_station(street, founded_on=datetime.date(2023, 1, 1))
    for code, name in [
        ("120113001009", "朝阳里社区居委会"),
        ("120113001014", "旭日里社区居委会"),
        ("120113001018", "新华里社区居委会"),
    ]:
        f.make_community(code, name, street)
    return station


@pytest.fixture
def chaoyangli(guoyuan):
    from stations.models import Community

    return Community.objects.get(code="120113001009")


@pytest.fixture
def jixianli(beichen):
    street = f.make_street("120113002000", "集贤里街道", beichen)
    station = f.make_station(street)
    f.make_community("120113002001", "泰来西里社区居委会", street)
    return station


@pytest.fixture
def tailaixili(jixianli):
    from stations.models import Community

    return Community.objects.get(code="120113002001")


@pytest.fixture
def guangkai(nankai):
    street = f.make_street("120104004000", "广开街道", nankai)
    station = f.make_station(street)
    f.make_community("120104004002", "桦林园社区居委会", street)
    return station


@pytest.fixture
def hualinyuan(guangkai):
    from stations.models import Community

    return Community.objects.get(code="120104004002")


@pytest.fixture
def worker(guoyuan):
    user = f.make_user("xupengze", User.Role.STATION_HEAD, station=guoyuan, name="徐芃泽")
    f.make_assignment(user, guoyuan, is_head=True)
    f.make_certificate(user)
    return user


@pytest.fixture
def worker2(guoyuan):
    user = f.make_user("st-120113001-2", User.Role.STATION_WORKER, station=guoyuan, name="李静")
    f.make_assignment(user, guoyuan)
    return user


@pytest.fixture
def other_worker(jixianli):
    user = f.make_user("st-120113002-1", User.Role.STATION_HEAD, station=jixianli, name="王海")
    f.make_assignment(user, jixianli, is_head=True)
    return user


@pytest.fixture
def far_worker(guangkai):
    user = f.make_user("st-120104004-1", User.Role.STATION_HEAD, station=guangkai, name="赵丽")
    f.make_assignment(user, guangkai, is_head=True)
    return user


@pytest.fixture
def district_user(beichen):
    return f.make_user("dc-120113", User.Role.DISTRICT_STAFF, district=beichen, name="北辰区指导中心")


@pytest.fixture
def other_district_user(nankai):
    return f.make_user("dc-120104", User.Role.DISTRICT_STAFF, district=nankai, name="南开区指导中心")


@pytest.fixture
def city_user(db):
    return f.make_user("city", User.Role.CITY_STAFF, name="市级指导中心")


@pytest.fixture
def admin_user(db):
    return f.make_user("admin", User.Role.ADMIN, name="管理员", is_staff=True, is_superuser=True)


@pytest.fixture
def second_admin(db):
    """Another administrator, for two people editing one record at once."""
    return f.make_user("admin2", User.Role.ADMIN, name="第二管理员", is_staff=True, is_superuser=True)


# Set once a transactional test has flushed the database in this run (see below).
_flushed = False
TRANSACTIONAL_FIXTURES = {
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def _is_transactional(request):
    """Whether the test runs outside a rolled-back transaction (pytest-django flushes after it)."""
    marker = request.node.get_closest_marker("django_db")
    if marker and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences") or marker.args[:1] == (True,)
    ):
        return True
    return bool(TRANSACTIONAL_FIXTURES & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _fresh_content_type_cache(request):
    """The audit trail writes content types on every audited save. A transactional test's flush (with
    available_apps) empties their table, and the next test re-creates the rows inside its own rolled-back
    transaction: a cached id from one test must not reach the next.

    Until the first flush the table is the one migrate filled, and a cached id stays right for every
    test: clearing the cache there only made every test look its content types up again (a query per
    audited model per test, across the whole suite)."""
    global _flushed
    from django.contrib.contenttypes.models import ContentType

    if _flushed or _is_transactional(request):
        ContentType.objects.clear_cache()
    yield
    if _is_transactional(request):
        _flushed = True
    if _flushed:
        ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _fresh_long_lived_caches():
    """The dashboards' closed months (sws/dashboards/queries.py) and the reference lists
    (stations/reference.py) are cached in local memory, which outlives a test's rolled-back data: what
    one test cached must not reach the next."""
    from django.core.cache import caches

    for alias in ("dashboards", "reference"):
        caches[alias].clear()
    yield
    for alias in ("dashboards", "reference"):
        caches[alias].clear()
