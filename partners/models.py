"""五社联动: the partner registry, referrals to partners with the resident's consent to share, the
partner's answers through a one-time link, and the resources a piece of work used.

The arrows point one way: partners imports stations, residents and projects; nothing of theirs imports
partners (the request page shows the partner panel through `residents.panels`). casework imports
partners (a service record's resource uses); partners names casework's ServiceRecord only by string.
"""

import datetime
import hashlib
import hmac
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners import targets
from projects.models import Activity, CommunityOrganisation, Resource, VolunteerTeam
from projects.models import Partner as LinkedUnit
from residents.models import Referral, Request, Resident
from stations import access
from stations.access import ScopedQuerySet
from stations.models import District, Station

MONEY = {"max_digits": 14, "decimal_places": 2}


class Force(models.TextChoices):
    """The five forces of 五社联动; every partner kind belongs to one (社工 are the station's own)."""

    COMMUNITY = "community", _("社区")
    SOCIAL_ORG = "social_org", _("社会组织")
    SOCIAL_WORKER = "social_worker", _("社工")
    VOLUNTEER = "volunteer", _("社区志愿者")
    CHARITY = "charity", _("社会慈善资源")


# --- Partners ---------------------------------------------------------------------------------------


class PartnerQuerySet(ScopedQuerySet):
    """A partner registered by a station is that station's (and its district's, the city's); one the
    district or city registers (no station) is offered to every station under it."""

    station_lookup = "station"
    district_lookup = "station__district"

    def visible_to(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if access.sees_whole_city(user):
            return self.all()
        shared_city = Q(station__isnull=True, district__isnull=True)
        if access.is_district_user(user):
            return self.filter(
                Q(station__district=user.district_id)
                | Q(station__isnull=True, district=user.district_id)
                | shared_city
            )
        if access.is_station_user(user):
            return self.filter(
                Q(station=user.station_id)
                | Q(station__isnull=True, district__stations=user.station_id)
                | shared_city
            )
        return self.none()

    def active(self):
        return self.filter(active=True)


class Partner(models.Model):
    """合作伙伴: an organisation a station refers residents to or mobilises resources from.

    One row per existing community organisation, volunteer team and 链接单位 (linked by a one-to-one
    field, kept by `partners.services.sync_partners`), plus government departments and service
    providers registered here. The scope: a station's own partner, a district's, or the city's.
    """

    class Kind(models.TextChoices):
        SOCIAL_ORG = "social_org", _("社会组织")
        VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")
        CHARITY = "charity", _("慈善资源/企业")
        GOVERNMENT = "government", _("政府部门")
        SERVICE_PROVIDER = "service_provider", _("服务机构")
        COMMUNITY = "community", _("社区（居委会）")

    FORCE_OF_KIND = {
        Kind.SOCIAL_ORG: Force.SOCIAL_ORG,
        Kind.SERVICE_PROVIDER: Force.SOCIAL_ORG,
        Kind.VOLUNTEER_TEAM: Force.VOLUNTEER,
        Kind.CHARITY: Force.CHARITY,
        Kind.GOVERNMENT: Force.COMMUNITY,
        Kind.COMMUNITY: Force.COMMUNITY,
    }

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    station = models.ForeignKey(
        Station,
        verbose_name=_("登记社工站"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_partners",
        help_text=_("留空：区级或市级合作伙伴，供辖内各站使用。"),
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("所属区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        help_text=_("区级合作伙伴填写；站级与市级留空。"),
    )
    active = models.BooleanField(_("合作中"), default=True)
    organisation = models.OneToOneField(
        CommunityOrganisation, on_delete=models.CASCADE, null=True, blank=True, related_name="partner"
    )
    team = models.OneToOneField(
        VolunteerTeam, on_delete=models.CASCADE, null=True, blank=True, related_name="partner"
    )
    linked_unit = models.OneToOneField(
        LinkedUnit,
        verbose_name=_("链接单位"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="registry_entry",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("合作伙伴")
        verbose_name_plural = _("合作伙伴")
        ordering = ["name", "pk"]
        constraints = [
            # A station's partner carries its station only: the district is the station's.
            models.CheckConstraint(
                condition=Q(station__isnull=True) | Q(district__isnull=True), name="partner_one_scope"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def force(self) -> str:
        return self.FORCE_OF_KIND[self.kind]

    @property
    def scope_label(self) -> str:
        if self.station_id:
            return "站级"
        return "区级" if self.district_id else "市级"


# --- Referrals to partners, and consent ------------------------------------------------------------


class PartnerReferralQuerySet(ScopedQuerySet):
    """A request's referral is read within the station scope, as its request is; a case's under the case's
    confidentiality rule (casework's, through `partners.targets`): a colleague of the station who may not
    read the case does not read its referral either."""

    station_lookup = "station"
    district_lookup = "station__district"

    def visible_to(self, user):
        of_requests = super().visible_to(user).filter(case__isnull=True)
        cases = targets.case_target().visible_cases(user)
        if cases is None:
            return of_requests
        return self.filter(Q(pk__in=of_requests.values("pk")) | Q(case__in=cases))

    def editable_by(self, user):
        of_requests = super().editable_by(user).filter(case__isnull=True)
        cases = targets.case_target().editable_cases(user)
        if cases is None:
            return of_requests
        return self.filter(Q(pk__in=of_requests.values("pk")) | Q(case__in=cases))

    def with_page_columns(self):
        return self.select_related(
            "partner",
            "referral__referred_by",
            "request__community",
            "request__resident",
            "request__category",
            "request__station",
            "station",
            "referred_by",
            "case__client__community",
            "case__station",
            "case__request__category",
        )


def outcome_in(*outcomes, prefix="") -> Q:
    """Q: the referral's outcome is one of `outcomes`, whichever its target (a request's lives on its
    residents.Referral, a case's on the partner referral itself)."""
    return Q(**{f"{prefix}referral__outcome__in": outcomes}) | Q(
        **{f"{prefix}referral__isnull": True, f"{prefix}outcome__in": outcomes}
    )


class PartnerReferral(models.Model):
    """A referral to a registered partner and its contact, of a request or of a case (one of the two).

    A request's referral is also the request's own residents.Referral (its status, timeline and the
    worker's outcome on the request page): `referral` is that one-to-one, and the reason, who referred and
    the outcome are read from it. A case has no such record (casework's steps are its timeline): a case's
    referral keeps its reason, who referred and the outcome here. `state` is whichever holds them; the
    answer flow and the pages read it and never ask which target it is."""

    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="partner_referral"
    )
    # Copied from the referral: the scope and the pages read them without joining through it.
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, null=True, blank=True, related_name="partner_referrals"
    )
    # By name, not import (casework imports partners): the case whose client is referred.
    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="partner_referrals"
    )
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(
        Partner, verbose_name=_("合作伙伴"), on_delete=models.PROTECT, related_name="referrals"
    )
    contact_name = models.CharField(_("对接人"), max_length=50)
    contact_phone = models.CharField(_("对接人手机"), max_length=20)
    created_at = models.DateTimeField(_("转介时间"), default=timezone.now)
    # A case's referral only (a request's are on its residents.Referral): see `state`.
    reason = models.TextField(_("转介事由"), max_length=1000, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("结果"), max_length=10, choices=Referral.Outcome.choices, blank=True)
    outcome_note = models.TextField(_("结果说明"), blank=True, max_length=1000)
    # Where the partner's links point (PUBLIC_BASE_URL, else the address the worker used): the reminder,
    # sent by a job without a web request, links to the same host.
    link_base = models.CharField(max_length=200, blank=True)
    # The one reminder (Event.REFERRAL_UNANSWERED and an SMS to the partner) when it went unanswered.
    reminded_at = models.DateTimeField(_("催办时间"), null=True, blank=True)

    objects = PartnerReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("转介至合作伙伴")
        verbose_name_plural = _("转介至合作伙伴")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["station", "created_at"], name="partnerref_station_created_idx")]
        constraints = [
            # A request's (with its residents.Referral) or a case's (with its own outcome), never both.
            models.CheckConstraint(
                condition=Q(request__isnull=False, referral__isnull=False, case__isnull=True, outcome="")
                | (Q(request__isnull=True, referral__isnull=True, case__isnull=False) & ~Q(outcome="")),
                name="partnerref_one_target",
            ),
        ]

    def __str__(self):
        return f"{self.target_reference} → {self.partner}"

    def get_absolute_url(self):
        return reverse("partners:referral-detail", args=[self.pk])

    @property
    def target(self):
        """The request or the case referred."""
        return self.request if self.request_id else self.case

    @property
    def target_reference(self) -> str:
        return self.target.reference

    @property
    def state(self):
        """What holds the reason, who referred and the outcome: the request's residents.Referral, or this
        row for a case (the same field names on both)."""
        return self.referral if self.referral_id else self

    @property
    def is_final(self) -> bool:
        return self.state.outcome in (Referral.Outcome.DONE, Referral.Outcome.DECLINED)

    def consent_in_force(self):
        """The consent to share with this partner that is not withdrawn (prefetched `consents` first)."""
        for consent in self.consents.all():
            if consent.withdrawn_at is None:
                return consent
        return None


class ShareConsentQuerySet(ScopedQuerySet):
    """A consent (and its scanned form, an attachment) is read and changed by whoever may read or change
    its referral: a case's under the case's rule, not the station scope."""

    station_lookup = "partner_referral__station"
    district_lookup = "partner_referral__station__district"

    def visible_to(self, user):
        return self.filter(partner_referral__in=PartnerReferral.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        return self.filter(partner_referral__in=PartnerReferral.objects.editable_by(user).values("pk"))


class ShareConsent(models.Model):
    """知情同意（向第三方提供个人信息）: PIPL's separate consent to give a resident's personal data to
    this partner for this purpose. Who consented (the resident, or a guardian for a minor), when, how,
    which fields; withdrawable, after which the slip and the partner's link show no personal data."""

    class GivenBy(models.TextChoices):
        RESIDENT = "resident", _("本人")
        GUARDIAN = "guardian", _("监护人")

    class Method(models.TextChoices):
        SIGNED_FORM = "signed_form", _("书面签字（扫描件）")
        VERBAL = "verbal", _("口头同意（有见证人）")
        IN_APP = "in_app", _("在系统中当面确认")

    class Field(models.TextChoices):
        NAME = "name", _("姓名")
        PHONE = "phone", _("联系电话")
        ADDRESS = "address", _("详细住址")
        DESCRIPTION = "description", _("诉求内容")

    partner_referral = models.ForeignKey(PartnerReferral, on_delete=models.CASCADE, related_name="consents")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    given_by = models.CharField(_("同意人"), max_length=10, choices=GivenBy.choices)
    guardian_name = models.CharField(_("监护人姓名"), max_length=50, blank=True)
    guardian_relation = models.CharField(_("与本人关系"), max_length=20, blank=True)
    method = models.CharField(_("同意方式"), max_length=12, choices=Method.choices)
    witness = models.CharField(_("见证人"), max_length=50, blank=True)
    purpose = models.CharField(_("提供目的"), max_length=200)
    fields = models.JSONField(_("提供的信息"), default=list)
    given_at = models.DateTimeField(_("同意时间"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_note = models.CharField(_("撤回说明"), max_length=200, blank=True)

    objects = ShareConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人信息提供同意")
        verbose_name_plural = _("个人信息提供同意")
        ordering = ["-given_at", "-pk"]

    def __str__(self):
        return f"{self.get_given_by_display()} {self.given_at:%Y-%m-%d}"

    @property
    def field_labels(self) -> list[str]:
        return [str(self.Field(name).label) for name in self.fields if name in self.Field.values]

    @property
    def station_id(self):  # attachments: the consent's station
        return self.partner_referral.station_id

    @property
    def open_permission(self):
        """A case's consent needs what its case needs to open (a minor's or sensitive case)."""
        referral = self.partner_referral
        return referral.case.open_permission if referral.case_id else None


# --- The partner's link ------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    """What the database keeps of a link's token: its keyed hash (a leaked table opens no link)."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"partner-link:{token}".encode(), hashlib.sha256
    ).hexdigest()


class PartnerLinkQuerySet(models.QuerySet):
    def usable(self, now=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class PartnerLink(models.Model):
    """A link the partner answers through without an account: a random token (only its keyed hash is
    stored), valid PARTNER_LINK_DAYS, for this one referral; each answer (接收/未接收/办结) once."""

    partner_referral = models.ForeignKey(PartnerReferral, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    opened_count = models.PositiveIntegerField(default=0)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    objects = PartnerLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("合作伙伴回复链接")
        verbose_name_plural = _("合作伙伴回复链接")

    def __str__(self):
        return f"{self.partner_referral_id}: {self.expires_at:%Y-%m-%d}"

    @classmethod
    def issue(cls, partner_referral, now=None) -> tuple["PartnerLink", str]:
        """A new link; returns it with its token (shown once: in the SMS, never stored)."""
        now = now or timezone.now()
        token = secrets.token_urlsafe(32)
        link = cls.objects.create(
            partner_referral=partner_referral,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + datetime.timedelta(days=settings.PARTNER_LINK_DAYS),
        )
        return link, token

    def is_usable(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


class PartnerAnswer(models.Model):
    """One answer a partner gave through a link; at most one of each outcome per referral."""

    class Outcome(models.TextChoices):
        ACCEPTED = Referral.Outcome.ACCEPTED.value, _("已接收")
        DECLINED = Referral.Outcome.DECLINED.value, _("未接收")
        DONE = Referral.Outcome.DONE.value, _("已办结")

    partner_referral = models.ForeignKey(PartnerReferral, on_delete=models.CASCADE, related_name="answers")
    link = models.ForeignKey(PartnerLink, on_delete=models.PROTECT, related_name="answers")
    outcome = models.CharField(_("回复"), max_length=10, choices=Outcome.choices)
    note = models.TextField(_("说明"), max_length=1000, blank=True)
    answered_at = models.DateTimeField(_("回复时间"), default=timezone.now)

    class Meta:
        verbose_name = _("合作伙伴回复")
        verbose_name_plural = _("合作伙伴回复")
        ordering = ["answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner_referral", "outcome"], name="partner_answer_once"),
        ]

    def __str__(self):
        return self.get_outcome_display()


# --- Resources used -----------------------------------------------------------------------------------


class ResourceUseQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "station__district"

    def in_period(self, start: datetime.date, end: datetime.date):
        return self.filter(date__gte=start, date__lte=end)


_OWNER_FIELD_OF_MODEL = {
    "residents.request": "request",
    "projects.activity": "activity",
    "casework.servicerecord": "service_record",
}


class ResourceUse(models.Model):
    """资源使用: what a request, an activity or a case's service record used from a partner: money (元),
    goods (description and value), volunteer hours, or a service. Exactly one of the three is set."""

    OWNER_FIELDS = ("request", "activity", "service_record")

    class Kind(models.TextChoices):
        MONEY = "money", _("资金")
        GOODS = "goods", _("物资")
        HOURS = "hours", _("志愿服务时长")
        SERVICE = "service", _("专业服务")

    station = models.ForeignKey(Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(
        Partner, verbose_name=_("合作伙伴"), on_delete=models.PROTECT, related_name="uses"
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("对应慈善资源"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uses",
    )
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, null=True, blank=True, related_name="resource_uses"
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="resource_uses"
    )
    # By name, not import: casework may use partners, so partners imports nothing of casework.
    service_record = models.ForeignKey(
        "casework.ServiceRecord",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="resource_uses",
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("日期"), default=timezone.localdate)
    amount = models.DecimalField(
        _("金额或价值（元）"), **MONEY, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    hours = models.DecimalField(
        _("志愿服务时长（小时）"),
        max_digits=8,
        decimal_places=1,
        default=Decimal("0.0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    description = models.CharField(_("内容"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResourceUseQuerySet.as_manager()

    class Meta:
        verbose_name = _("资源使用")
        verbose_name_plural = _("资源使用")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["station", "date"], name="resourceuse_station_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False, activity__isnull=True, service_record__isnull=True)
                | Q(request__isnull=True, activity__isnull=False, service_record__isnull=True)
                | Q(request__isnull=True, activity__isnull=True, service_record__isnull=False),
                name="resourceuse_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(hours__gte=0), name="resourceuse_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.partner} {self.get_kind_display()}"

    @classmethod
    def owner_field(cls, owner) -> str:
        """The field that points at `owner` (a request, an activity or a service record)."""
        field = _OWNER_FIELD_OF_MODEL.get(owner._meta.label_lower)
        if field is None:
            raise TypeError(f"a resource use has no owner of type {owner._meta.label}")
        return field

    @property
    def owner(self):
        return self.request or self.activity or self.service_record

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind in (self.Kind.MONEY, self.Kind.GOODS) and not self.amount:
            raise ValidationError({"amount": "资金或物资请填写金额或估算价值（元）。"})
        if self.kind == self.Kind.HOURS and not self.hours:
            raise ValidationError({"hours": "志愿服务请填写时长（小时）。"})
        if self.kind == self.Kind.GOODS and not self.description:
            raise ValidationError({"description": "物资请填写内容，如：米面油50份。"})
