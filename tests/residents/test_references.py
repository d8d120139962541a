"""Reference numbers under concurrent intake: unique, per station and year, gap-tolerant.

The threads each use their own database connection. On PostgreSQL they start together (a barrier) and
really race for the counter row; SQLite allows one writer at a time, so there the same threads take
turns (a lock) and the test checks the same outcome: it runs meaningfully on both backends.
"""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from residents import services
from residents.models import Request
from tests.residents.factories import category, ensure_default_data

THREADS = 8
# Threads need committed data, so these tests are transactional (pytest-django runs them after the
# others). Naming every installed app makes the flush afterwards TRUNCATE ... CASCADE: PostgreSQL
# refuses a plain TRUNCATE while a table outside Django's model list (auditlog's own log table) still
# references django_content_type. The default data of the data migrations is loaded by the test itself.
TRANSACTIONAL = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))


@pytest.fixture
def run_concurrently():
    def run(fn, n=THREADS):
        parallel = connection.vendor == "postgresql"
        barrier = threading.Barrier(n)
        turn = threading.Lock()
        results, errors = [], []

        def target(i):
            try:
                barrier.wait(timeout=30)
                if parallel:
                    results.append(fn(i))
                else:
                    with turn:
                        results.append(fn(i))
            except Exception as error:  # reported below, with the thread's traceback lost but the type kept
                errors.append(error)
            finally:
                connections.close_all()

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


@TRANSACTIONAL
def test_concurrent_intake_gets_unique_references(guoyuan, chaoyangli, run_concurrently):
    ensure_default_data()
    references = run_concurrently(lambda i: _intake(guoyuan, chaoyangli).reference)
    assert len(set(references)) == THREADS
    year = timezone.localdate().year
    assert sorted(references) == [f"120113001-{year}-{n:05d}" for n in range(1, THREADS + 1)]
    assert Request.objects.count() == THREADS


@TRANSACTIONAL
def test_concurrent_double_submit_creates_one_request(guoyuan, chaoyangli, run_concurrently):
    ensure_default_data()
    pks = run_concurrently(lambda i: _intake(guoyuan, chaoyangli, token="same-form-token").pk, n=4)
    assert len(set(pks)) == 1
    assert Request.objects.count() == 1


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
