"""The access module: each role sees its scope and nothing else."""

from stations.models import Station, Street


def test_station_worker_sees_only_own_station(worker, guoyuan, jixianli, guangkai):
    assert list(Station.objects.visible_to(worker)) == [guoyuan]
    assert list(Station.objects.editable_by(worker)) == [guoyuan]


def test_district_user_sees_district_but_edits_nothing(district_user, guoyuan, jixianli, guangkai):
    assert set(Station.objects.visible_to(district_user)) == {guoyuan, jixianli}
    assert not Station.objects.editable_by(district_user).exists()


def test_city_user_sees_everything(city_user, guoyuan, jixianli, guangkai):
    assert Station.objects.visible_to(city_user).count() == 3
    assert Street.objects.visible_to(city_user).count() == 3


def test_inactive_and_anonymous_see_nothing(worker, guoyuan):
    from django.contrib.auth.models import AnonymousUser

    assert not Station.objects.visible_to(AnonymousUser()).exists()
    worker.is_active = False
    assert not Station.objects.visible_to(worker).exists()


def test_district_requests_name_the_districts_stations(
    district_user, guoyuan, jixianli, guangkai, django_assert_num_queries, monkeypatch
):
    """Requests (a large table) are scoped by the district's station ids, fetched once per user object;
    the district condition stays, so even a wrong list cannot show another district's requests."""
    from django.utils import timezone

    from residents.models import Request
    from stations import access
    from tests.sws.factories import store_request

    now = timezone.now()
    mine = {store_request(s, received_at=now) for s in (guoyuan, jixianli)}
    store_request(guangkai, received_at=now)
    with django_assert_num_queries(1):
        ids = access.district_station_ids(district_user)
    assert sorted(ids) == sorted([guoyuan.pk, jixianli.pk])
    with django_assert_num_queries(0):  # kept on the user object for the rest of the request
        assert access.district_station_ids(district_user) == ids
    sql = str(Request.objects.visible_to(district_user).query)
    assert '"residents_request"."station_id" IN (' in sql  # on the request table itself, no join needed
    assert set(Request.objects.visible_to(district_user)) == mine

    every_station = list(Station.objects.values_list("pk", flat=True))
    monkeypatch.setattr(access, "district_station_ids", lambda user: every_station)
    assert set(Request.objects.visible_to(district_user)) == mine
