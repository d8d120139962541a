"""The production admin groups come with the database (a data migration), not with the demo seeder."""

from django.contrib.auth.models import Group

from stations import groups as demo


def _perms(group):
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_after_migrate_the_centre_groups_exist_with_their_permissions(db):
    district = Group.objects.get(name="区级指导中心")
    city = Group.objects.get(name="市级指导中心")
    assert _perms(district) == {("stations", codename) for codename in demo.DISTRICT_PERMS}
    assert _perms(city) == {("stations", codename) for codename in demo.CITY_PERMS}
    assert ("stations", "change_station") in _perms(district)
    assert ("stations", "view_municipality") in _perms(city)


def test_the_seeder_reuses_the_migrated_groups(db):
    before = dict(
        Group.objects.filter(name__in=[demo.DISTRICT_GROUP, demo.CITY_GROUP]).values_list("name", "pk")
    )
    groups = demo.ensure_groups()
    assert {name: group.pk for name, group in groups.items()} == before
    assert Group.objects.filter(name__in=[demo.DISTRICT_GROUP, demo.CITY_GROUP]).count() == 2
