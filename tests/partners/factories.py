"""Data for the partners' tests: a registered partner, a request referred to it, a consent."""

import datetime

from partners import services
from partners.models import Partner, PartnerLink, ShareConsent
from residents import services as request_services
from residents.models import Category, Request
from tests.residents.factories import ensure_default_data

BASE = "http://testserver/"


def make_partner(station=None, name="天津安居充电设备有限公司", kind=Partner.Kind.CHARITY, **fields):
    fields.setdefault("contact_name", "王经理")
    fields.setdefault("contact_phone", "13820001111")
    return Partner.objects.create(station=station, name=name, kind=kind, **fields)


def make_request(
    worker, community, resident=None, description="楼下存车处想安装安全的电动自行车充电桩。", **fields
):
    ensure_default_data()
    category = Category.objects.selectable().order_by("pk").first()
    request = request_services.create_request(
        acting_user=worker,
        station=worker.station,
        community=community,
        category=category,
        description=description,
        severity="mild",
        urgency="not_urgent",
        channel=fields.pop("channel", Request.Channel.WALK_IN),
        resident=resident,
        **fields,
    )
    request_services.start_request(acting_user=worker, request=request)
    request.refresh_from_db()
    return request


def refer(worker, request, partner, reason="需专业安装充电设施"):
    request.refresh_from_db()
    return services.refer_to_partner(
        acting_user=worker,
        request=request,
        partner=partner,
        contact_name=partner.contact_name or "王经理",
        contact_phone=partner.contact_phone or "13820001111",
        reason=reason,
        base_url=BASE,
    )


def new_link(partner_referral, now=None):
    """A link and its token (the one the SMS carried is not stored)."""
    return PartnerLink.issue(partner_referral, now=now)


def consent(worker, partner_referral, fields=("name", "phone"), **kwargs):
    kwargs.setdefault("given_by", ShareConsent.GivenBy.RESIDENT)
    kwargs.setdefault("method", ShareConsent.Method.IN_APP)
    kwargs.setdefault("purpose", "上门安装充电设施")
    return services.record_consent(
        acting_user=worker, partner_referral=partner_referral, fields=list(fields), **kwargs
    )


def minor_birth_date(years=10):
    today = datetime.date.today()
    return today.replace(year=today.year - years)
