"""Volunteers as people (志愿者): who they are, the teams they belong to (dated), the hours they served on
activities and visits, and the proofs of service hours (志愿服务记录证明) the station issued them.

The phone is personal data: lists and pages show it masked (`residents.validators.mask_phone`), the whole
number is shown only to the station's own staff on request, and each reveal is logged. No ID number is
kept: the proof needs the ID type and number "as needed" (志愿服务记录与证明出具办法), and a masked number
(its last four characters) is all the proof prints, so only the type and those four are stored.

Hours are recorded against an activity (projects) or a visit (residents.Visit). The link lives here:
projects may import residents, never the reverse. Each row carries its date and station, copied from the
activity or visit, so totals per period, per team and per station read one table with one index.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models.activities import Activity
from projects.models.common import StationScopedQuerySet
from projects.models.groups import VolunteerTeam
from residents.validators import mask_phone, phone_tail
from stations.locking import Versioned
from stations.models import Community, Station

HOURS = {"max_digits": 5, "decimal_places": 1}
MAX_HOURS_PER_ENTRY = Decimal("24.0")  # one person, one day


class VolunteerQuerySet(StationScopedQuerySet):
    def search(self, term: str):
        """Name, or the phone's last four digits ("尾号1234"); indexed columns only, never the whole phone."""
        term = (term or "").strip()[:50]
        if not term:
            return self
        if term.isdigit() and len(term) == 4:
            return self.filter(Q(phone_tail=term) | Q(name__contains=term))
        return self.filter(name__contains=term)

    def with_list_columns(self):
        return (
            self.select_related("station", "community")
            .annotate(
                team_count=Count("memberships", filter=Q(memberships__left_on__isnull=True), distinct=True)
            )
            .order_by("name", "pk")
        )


class Volunteer(Versioned):
    """志愿者: a person who serves with the station's teams."""

    class IdType(models.TextChoices):
        RESIDENT_CARD = "resident_card", _("居民身份证")
        HK_MACAO_TAIWAN = "hmt_permit", _("港澳台居民居住证/通行证")
        PASSPORT = "passport", _("护照")
        OTHER = "other", _("其他")

    class ConsentMethod(models.TextChoices):
        WRITTEN = "written", _("书面签字")
        PHONE = "phone", _("电话确认")
        ONLINE = "online", _("线上登记")
        IN_PERSON = "in_person", _("当面口头同意")

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="volunteers"
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20)
    phone_tail = models.CharField(max_length=4, blank=True, editable=False)
    community = models.ForeignKey(
        Community,
        verbose_name=_("所在社区"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteers",
    )
    id_type = models.CharField(
        _("证件类型"), max_length=16, choices=IdType.choices, default=IdType.RESIDENT_CARD
    )
    id_tail = models.CharField(
        _("证件号码后四位"),
        max_length=4,
        blank=True,
        help_text=_("仅用于服务证明上的脱敏证件号码；不保存完整证件号码。"),
    )
    skills = models.CharField(_("技能特长"), max_length=200, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=200, blank=True)
    contact_consent_on = models.DateField(_("同意联系日期"), null=True, blank=True)
    contact_consent_method = models.CharField(
        _("同意方式"), max_length=12, choices=ConsentMethod.choices, blank=True
    )
    notes = models.TextField(_("备注"), blank=True, max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["station", "name"], name="volunteer_station_name_idx"),
            models.Index(fields=["phone_tail"], name="volunteer_phone_tail_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["station", "phone"], name="volunteer_phone_unique_per_station"),
            models.CheckConstraint(
                condition=Q(contact_consent_on__isnull=True) | ~Q(contact_consent_method=""),
                name="volunteer_consent_has_method",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.phone_tail = phone_tail(self.phone)
        if kwargs.get("update_fields") is not None and "phone" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_tail"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("projects:volunteer-detail", args=[self.pk])

    def clean(self):
        if self.contact_consent_on and not self.contact_consent_method:
            raise ValidationError({"contact_consent_method": _("请选择同意联系的方式。")})
        if self.contact_consent_method and not self.contact_consent_on:
            raise ValidationError({"contact_consent_on": _("请填写同意联系的日期。")})
        if self.id_tail and not (len(self.id_tail) == 4 and self.id_tail.isalnum()):
            raise ValidationError({"id_tail": _("请填写证件号码的后四位。")})

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        """What the proof prints: the type's usual length hidden, the last four shown."""
        if not self.id_tail:
            return ""
        stars = 14 if self.id_type == self.IdType.RESIDENT_CARD else 4
        return "*" * stars + self.id_tail

    @property
    def number(self) -> str:
        """志愿者编号 on the proof: the station's code and the record's number."""
        return f"{self.station.code}-V{self.pk:05d}"

    @property
    def may_be_contacted(self) -> bool:
        return self.contact_consent_on is not None


class MembershipQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        """Memberships in force on `on` (today): joined by then, not left yet (the day of leaving is the
        first day without the team)."""
        on = on or timezone.localdate()
        return self.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))


class TeamMembership(models.Model):
    """A volunteer's membership of a team, dated: a team's member count is derived from these."""

    team = models.ForeignKey(
        VolunteerTeam, verbose_name=_("志愿服务队"), on_delete=models.CASCADE, related_name="memberships"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.CASCADE, related_name="memberships"
    )
    joined_on = models.DateField(_("加入日期"), default=timezone.localdate)
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["-joined_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_leaves_after_joining",
            ),
            # One open membership per volunteer and team; history rows (left) may repeat.
            models.UniqueConstraint(
                fields=["team", "volunteer"], condition=Q(left_on__isnull=True), name="membership_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.team}"

    def clean(self):
        if self.team_id and self.volunteer_id and self.team.station_id != self.volunteer.station_id:
            raise ValidationError({"team": _("只能加入本站的志愿服务队。")})
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": _("退出日期不能早于加入日期。")})


class ServiceHoursQuerySet(StationScopedQuerySet):
    def between(self, date_from: datetime.date | None, date_to: datetime.date | None):
        qs = self
        if date_from:
            qs = qs.filter(date__gte=date_from)
        if date_to:
            qs = qs.filter(date__lte=date_to)
        return qs

    def total(self) -> Decimal:
        return self.aggregate(t=Sum("hours"))["t"] or Decimal("0.0")

    def per_volunteer(self):
        """[{volunteer, volunteer__name, hours, services}] ordered by hours, in one query."""
        return (
            self.order_by()
            .values("volunteer", "volunteer__name")
            .annotate(total_hours=Sum("hours"), services=Count("pk"))
            .order_by("-total_hours", "volunteer__name")
        )

    def with_source(self):
        return self.select_related("activity", "visit", "volunteer")


class ServiceHours(models.Model):
    """服务时长: one volunteer's hours on one activity or one visit."""

    station = models.ForeignKey(Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="+")
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="service_hours"
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("服务活动"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_hours",
    )
    visit = models.ForeignKey(
        "residents.Visit",
        verbose_name=_("探访"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="volunteer_hours",
    )
    date = models.DateField(_("服务日期"))
    hours = models.DecimalField(
        _("服务时长（小时）"),
        **HOURS,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_HOURS_PER_ENTRY)],
    )
    content = models.CharField(_("服务内容"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ServiceHoursQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务时长")
        verbose_name_plural = _("志愿服务时长")
        ordering = ["date", "pk"]
        indexes = [
            models.Index(fields=["volunteer", "date"], name="hours_volunteer_date_idx"),
            models.Index(fields=["station", "date"], name="hours_station_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(activity__isnull=False) & Q(visit__isnull=True))
                | (Q(activity__isnull=True) & Q(visit__isnull=False)),
                name="hours_one_source",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=MAX_HOURS_PER_ENTRY), name="hours_in_day"
            ),
            models.UniqueConstraint(fields=["volunteer", "activity"], name="hours_once_per_activity"),
            models.UniqueConstraint(fields=["volunteer", "visit"], name="hours_once_per_visit"),
        ]

    def __str__(self):
        return f"{self.volunteer} {self.date:%Y-%m-%d} {self.hours}h"

    @property
    def source_label(self) -> str:
        if self.activity_id:
            return f"服务活动：{self.activity.title}"
        return "入户探访" if self.visit.form == "home" else f"探访（{self.visit.get_form_display()}）"

    @property
    def source_content(self) -> str:
        return self.content or self.source_label


def hours_in_team(team):
    """The hours served by `team`'s members while they were members (the membership's dates)."""
    in_team = TeamMembership.objects.filter(
        team=team, volunteer=models.OuterRef("volunteer"), joined_on__lte=models.OuterRef("date")
    ).filter(Q(left_on__isnull=True) | Q(left_on__gt=models.OuterRef("date")))
    return ServiceHours.objects.filter(models.Exists(in_team))


class ServiceProofQuerySet(StationScopedQuerySet):
    pass


class ServiceProof(models.Model):
    """志愿服务记录证明: one issued proof, numbered, with what it certified (kept as issued)."""

    station = models.ForeignKey(
        Station, verbose_name=_("出具单位"), on_delete=models.PROTECT, related_name="+"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="proofs"
    )
    serial = models.CharField(_("证明编号"), max_length=32, unique=True)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    total_hours = models.DecimalField(_("累计时长（小时）"), max_digits=8, decimal_places=1)
    service_count = models.PositiveIntegerField(_("服务次数"))
    issued_on = models.DateField(_("出具日期"), default=timezone.localdate)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("出具时间"), default=timezone.now)
    # The services as certified ([{date, content, hours}]): a later correction of the hours does not
    # change a proof already handed out.
    lines = models.JSONField(_("服务明细"), default=list)

    objects = ServiceProofQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务记录证明")
        verbose_name_plural = _("志愿服务记录证明")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="proof_period_ordered"
            )
        ]

    def __str__(self):
        return self.serial

    def get_absolute_url(self):
        return reverse("projects:proof-detail", args=[self.pk])

    @staticmethod
    def services_for(volunteer, period_start, period_end):
        """The services a proof certifies: the volunteer's hours in the period at her station."""
        return (
            ServiceHours.objects.filter(volunteer=volunteer, station_id=volunteer.station_id)
            .between(period_start, period_end)
            .with_source()
            .order_by("date", "pk")
        )
