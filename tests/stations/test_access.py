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
