"""Reference numbers under concurrent intake: unique, per station and year, gap-tolerant.

The threads each use their own database connection, on rows committed for the purpose. On PostgreSQL
they start together (a barrier) and really race for the counter row; SQLite allows one writer at a time,
so there the same threads take turns (a lock) and the test checks the same outcome: it runs meaningfully
on both backends.
"""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from residents import services
from residents.models import Request
from tests.residents.factories import category

THREADS = 8


@pytest.fixture
def committed_place(django_db_setup, django_db_blocker):
    """A station and community committed to the test database, so that threads with their own
    connections see them, and removed again afterwards.

    Not a transactional test on purpose: its flush would empty every table (and with it the default data
    of the data migrations and the content types other tests rely on). Audit logging is off for these
    throwaway rows: audit records cannot be deleted.
    """
    from auditlog.context import disable_auditlog

    from residents.models import ReferenceCounter
    from stations.models import Community, District, Municipality, Station, Street
    from tests import factories as f

    with django_db_blocker.unblock(), disable_auditlog():
        # The default categories, committed once here: a transactional test elsewhere may have flushed
        # them, and threads that each found none would each load a copy.
        category("照明灯具")
        had_city = Municipality.objects.filter(code="120000000000").exists()
        district = f.make_district("120199000000", "并发测试区")
        street = f.make_street("120199001000", "并发测试街道", district)
        station = f.make_station(street)
        community = f.make_community("120199001001", "并发测试社区居委会", street)
        try:
            yield station, community
        finally:
            Request.objects.filter(station=station).delete()  # its timeline goes by cascade
            ReferenceCounter.objects.filter(station=station).delete()
            Community.objects.filter(pk=community.pk).delete()
            Street.objects.filter(pk=street.pk).delete()
            Station.objects.filter(pk=station.pk).delete()
            District.objects.filter(pk=district.pk).delete()
            if not had_city:
                Municipality.objects.filter(code="120000000000").delete()


@pytest.fixture
def run_concurrently(django_db_blocker):
    def run(fn, n=THREADS):
        from auditlog.context import disable_auditlog

        parallel = connection.vendor == "postgresql"
        barrier = threading.Barrier(n)
        turn = threading.Lock()
        results, errors = [], []

        def target(i):
            try:
                with disable_auditlog():
                    barrier.wait(timeout=30)
                    if parallel:
                        results.append(fn(i))
                    else:
                        with turn:
                            results.append(fn(i))
            except Exception as error:
                errors.append(error)
            finally:
                connections.close_all()

        with django_db_blocker.unblock():
            threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        assert not errors, errors
        assert len(results) == n
        return results

    return run


def _intake(station, community, token=None):
    lighting = category("照明灯具")
    return services.create_request(
        acting_user=None,
        station=station,
        community=community,
        category=lighting,
        description="并发登记",
        severity="mild",
        urgency="urgent",
        channel="phone",
        reporter_name="居民",
        submission_token=token,
    )


def test_concurrent_intake_gets_unique_references(committed_place, run_concurrently, django_db_blocker):
    station, community = committed_place
    references = run_concurrently(lambda i: _intake(station, community).reference)
    assert len(set(references)) == THREADS
    year = timezone.localdate().year
    assert sorted(references) == [f"{station.code}-{year}-{n:05d}" for n in range(1, THREADS + 1)]
    with django_db_blocker.unblock():
        assert Request.objects.filter(station=station).count() == THREADS


def test_concurrent_double_submit_creates_one_request(committed_place, run_concurrently, django_db_blocker):
    station, community = committed_place
    pks = run_concurrently(lambda i: _intake(station, community, token="same-form-token").pk, n=4)
    assert len(set(pks)) == 1
    with django_db_blocker.unblock():
        assert Request.objects.filter(station=station).count() == 1


@pytest.mark.django_db
def test_numbers_are_per_station_and_year(guoyuan, jixianli, chaoyangli, tailaixili):
    assert services.next_reference(guoyuan, 2025) == "120113001-2025-00001"
    assert services.next_reference(guoyuan, 2025) == "120113001-2025-00002"
    assert services.next_reference(guoyuan, 2026) == "120113001-2026-00001"
    assert services.next_reference(jixianli, 2025) == "120113002-2025-00001"


@pytest.mark.django_db
def test_a_rolled_back_intake_neither_duplicates_nor_breaks_the_sequence(guoyuan, chaoyangli):
    from django.core.exceptions import ValidationError
    from django.db import transaction

    first = _intake(guoyuan, chaoyangli)
    with pytest.raises(ValidationError), transaction.atomic():
        services.next_reference(guoyuan, timezone.localdate().year)
        raise ValidationError("rolled back")
    second = _intake(guoyuan, chaoyangli)
    assert int(second.reference[-5:]) == int(first.reference[-5:]) + 1
    assert Request.objects.filter(reference=second.reference).count() == 1
