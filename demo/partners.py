"""五社联动 in the demo: the partner registry (one row per organisation, team and 链接单位 the projects
phase made), the report's e-bike charging company as the partner the 广开 requests were referred to —
with the residents' consent and the company's answers — a city charity, and the resources those
requests and a few volunteer teams' activities used. Idempotent: a second run adds nothing."""

import datetime
import secrets
from decimal import Decimal

from demo.stories import EBIKE_COMPANY
from partners.models import (
    Partner,
    PartnerAnswer,
    PartnerLink,
    PartnerReferral,
    ResourceUse,
    ShareConsent,
    token_digest,
)
from partners.services import sync_partners
from projects.models import Activity
from residents.models import Referral
from stations.models import Station

CITY_CHARITY = "天津市慈善协会"
ACTIVITIES_WITH_HOURS = 40  # volunteer teams' hours on the latest activities of the teams' stations


def seed(*, options, rng, out):
    made = sync_partners()
    city_charity, _ = Partner.objects.get_or_create(
        name=CITY_CHARITY,
        station=None,
        district=None,
        defaults={
            "kind": Partner.Kind.CHARITY,
            "contact_name": "项目部刘老师",
            "contact_phone": "13920016688",
        },
    )
    guangkai = Station.objects.filter(streets__name="广开街道").first()
    referred = 0
    if guangkai is not None:
        company, _ = Partner.objects.get_or_create(
            name=EBIKE_COMPANY[:100],
            station=guangkai,
            defaults={
                "kind": Partner.Kind.CHARITY,
                "contact_name": "赵经理",
                "contact_phone": "13802216677",
            },
        )
        referred = _ebike_referrals(company, city_charity)
    hours = _team_hours(rng)
    out.write(
        f"合作伙伴：同步 {made} 个组织、服务队和链接单位；充电桩公司的转介 {referred} 件；"
        f"志愿服务时长 {hours} 条。\n"
    )


def _ebike_referrals(company, charity) -> int:
    """The 广开 e-bike requests (demo.stories) were referred to the company: consent, answers, resources."""
    referrals = Referral.objects.filter(
        organisation=EBIKE_COMPANY, partner_referral__isnull=True
    ).select_related("request__station", "referred_by")
    count = 0
    for referral in referrals:
        request = referral.request
        partner_referral = PartnerReferral.objects.create(
            referral=referral,
            request=request,
            station=request.station,
            partner=company,
            contact_name=company.contact_name,
            contact_phone=company.contact_phone,
            created_at=referral.referred_at,
        )
        if request.resident_id:
            ShareConsent.objects.create(
                partner_referral=partner_referral,
                resident_id=request.resident_id,
                given_by=ShareConsent.GivenBy.RESIDENT,
                method=ShareConsent.Method.IN_APP,
                purpose="由充电设施公司上门查看存车处并安装充电设施",
                fields=[ShareConsent.Field.NAME, ShareConsent.Field.PHONE],
                given_at=referral.referred_at,
                recorded_by=referral.referred_by,
            )
        # The link the company answered through: long spent (its token is not kept anywhere).
        link = PartnerLink.objects.create(
            partner_referral=partner_referral,
            token_hash=token_digest(secrets.token_urlsafe(32)),
            created_at=referral.referred_at,
            expires_at=referral.referred_at + datetime.timedelta(days=14),
            revoked_at=referral.referred_at + datetime.timedelta(days=30),
            opened_count=2,
        )
        PartnerAnswer.objects.bulk_create(
            [
                PartnerAnswer(
                    partner_referral=partner_referral,
                    link=link,
                    outcome=PartnerAnswer.Outcome.ACCEPTED,
                    answered_at=referral.referred_at + datetime.timedelta(days=1),
                ),
                PartnerAnswer(
                    partner_referral=partner_referral,
                    link=link,
                    outcome=PartnerAnswer.Outcome.DONE,
                    note=referral.outcome_note,
                    answered_at=referral.referred_at + datetime.timedelta(days=28),
                ),
            ]
        )
        day = (request.resolved_at or referral.referred_at).date()
        ResourceUse.objects.bulk_create(
            [
                ResourceUse(
                    station=request.station,
                    partner=company,
                    request=request,
                    kind=ResourceUse.Kind.SERVICE,
                    description="安装具备自动断电功能的充电设施",
                    date=day,
                    created_by=referral.referred_by,
                ),
                ResourceUse(
                    station=request.station,
                    partner=charity,
                    request=request,
                    kind=ResourceUse.Kind.MONEY,
                    amount=Decimal("2000.00"),
                    description="充电设施安装补贴",
                    date=day,
                    created_by=referral.referred_by,
                ),
            ]
        )
        count += 1
    return count


def _team_hours(rng) -> int:
    """Volunteer hours of each station's teams on its latest activities (once: activities without uses)."""
    if ResourceUse.objects.filter(kind=ResourceUse.Kind.HOURS, activity__isnull=False).exists():
        return 0  # a second run adds nothing
    teams = {
        p.station_id: p for p in Partner.objects.filter(team__isnull=False).order_by("station_id", "name")
    }
    activities = (
        Activity.objects.filter(station_id__in=list(teams), resource_uses__isnull=True)
        .select_related("created_by")
        .order_by("-date", "-pk")[:ACTIVITIES_WITH_HOURS]
    )
    uses = [
        ResourceUse(
            station_id=activity.station_id,
            partner=teams[activity.station_id],
            activity=activity,
            kind=ResourceUse.Kind.HOURS,
            hours=Decimal(rng.choice([4, 6, 8, 12, 16])),
            description="志愿者协助活动",
            date=activity.date,
            created_by=activity.created_by,
        )
        for activity in activities
        if activity.created_by_id
    ]
    ResourceUse.objects.bulk_create(uses)
    return len(uses)
