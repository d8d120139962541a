"""Plain `make_*` helpers for test data. Real Tianjin codes, so names read like the city."""

import datetime
import importlib
import itertools

from residents import services
from residents.models import Category, Request
from stations.models import (
    Assignment,
    Certificate,
    Community,
    District,
    Municipality,
    Station,
    Street,
    User,
)

_seq = itertools.count(1)


def installed_app_names() -> list[str]:
    """Every installed app's name, for `django_db(available_apps=...)`: INSTALLED_APPS itself names some
    apps by their config class (e.g. `sws.admin_site.SWSAdminConfig`), which `available_apps` refuses."""
    from django.apps import apps

    return [config.name for config in apps.get_app_configs()]


def make_municipality():
    return Municipality.objects.get_or_create(code="120000000000", defaults={"name": "天津市"})[0]


def make_district(code="120113000000", name="北辰区"):
    return District.objects.get_or_create(
        code=code, defaults={"name": name, "municipality": make_municipality()}
    )[0]


def make_street(code, name, district, kind=Street.Kind.JIEDAO, station=None):
    street, _ = Street.objects.get_or_create(
        code=code, defaults={"name": name, "district": district, "kind": kind}
    )
    if station is not None and street.station_id != station.pk:
        street.station = station
        street.save(update_fields=["station"])
    return street


def make_community(code, name, street, kind=Community.Kind.SHEQU, workroom_opened_on=None):
    return Community.objects.get_or_create(
        code=code,
        defaults={"name": name, "street": street, "kind": kind, "workroom_opened_on": workroom_opened_on},
    )[0]


def make_station(street, name=None, **fields):
    station = Station.objects.create(
        code=street.code[:9],
        name=name or f"{street.district.name}{street.name}社工站",
        district=street.district,
        **fields,
    )
    street.station = station
    street.save(update_fields=["station"])
    return station


def make_user(username=None, role=User.Role.STATION_WORKER, station=None, district=None, name="", **fields):
    username = username or f"user{next(_seq)}"
    user = User(
        username=username, role=role, station=station, district=district, name=name or username, **fields
    )
    user.set_password("Sws-test-2026")
    user.save()
    return user


def make_assignment(user, station, start_date=datetime.date(2023, 1, 1), end_date=None, is_head=False):
    return Assignment.objects.create(
        user=user, station=station, start_date=start_date, end_date=end_date, is_head=is_head
    )


def make_certificate(
    user, issued_on=datetime.date(2022, 6, 1), level=Certificate.Level.ASSISTANT, number=None
):
    return Certificate.objects.create(
        user=user, level=level, issued_on=issued_on, number=number or f"TJ{next(_seq):08d}"
    )


# --- Residents' requests -----------------------------------------------------------------------------


def ensure_default_data():
    """The default categories, tags and response targets of migration 0004. A transactional test elsewhere
    may have flushed them; loading is idempotent."""
    if not Category.objects.exists():
        from django.apps import apps

        migration = importlib.import_module("residents.migrations.0004_default_tags_categories_targets")
        migration.load(apps, None)


def category(name="照明灯具"):
    """A second-level category from the default data (migration 0004)."""
    ensure_default_data()
    return Category.objects.get(name=name)


def make_request(
    station,
    community=None,
    *,
    user=None,
    resident=None,
    category_name="照明灯具",
    status=None,
    severity=None,
    urgency=None,
    channel=Request.Channel.WALK_IN,
    **fields,
):
    """A request through the intake service (so it has its reference, timeline and audit entries), then
    optionally moved straight to `status` and other stored `fields` such as `received_at` (set-up only).
    The one request factory of the suite; tests/sws/factories.store_request writes rows directly instead."""
    community = community or station.streets.first().communities.first()
    cat = category(category_name)
    request = services.create_request(
        acting_user=user,
        station=station,
        community=community,
        category=cat,
        description=fields.pop("description", "楼道灯坏了，老人晚上出门不便。"),
        severity=severity or cat.default_severity,
        urgency=urgency or cat.default_urgency,
        channel=channel,
        resident=resident,
        reporter_name=fields.pop("reporter_name", ""),
        reporter_phone=fields.pop("reporter_phone", ""),
    )
    if status or fields:
        fields = {"status": status, **fields} if status else fields
        Request.objects.filter(pk=request.pk).update(**fields)
        request.refresh_from_db()
    return request
