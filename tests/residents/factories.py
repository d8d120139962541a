"""Plain helpers for residents and requests in tests."""

import datetime
import importlib
import itertools

from residents import services
from residents.models import Category, Request, Resident
from residents.validators import id_check_char

_seq = itertools.count(1)


def id_number(born=datetime.date(1950, 3, 8), region="120113", gender="F", seq=None):
    """A valid 身份证号 (GB 11643 check digit) for the given birth date and gender."""
    seq = next(_seq) if seq is None else seq
    order = (seq * 2 + (1 if gender == "M" else 0)) % 1000
    first17 = f"{region}{born:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)


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


def make_resident(community, name="张桂兰", **fields):
    resident = Resident(community=community, name=name, **fields)
    resident.save()
    return resident


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
    """A request through the intake service, optionally moved straight to `status` (test set-up only)."""
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
