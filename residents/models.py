"""Residents (the baseline of service recipients) and their requests (诉求), with the case timeline.

Rules about one model live here; workflows across models (intake, triage, assign, refer, resolve,
follow up) are in `residents.services` and take the acting user explicitly.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.access import ScopedQuerySet
from stations.models import Community, Station


class VulnerabilityTag(models.Model):
    """A recorded vulnerability (老小残弱: 独居老人, 残疾, 困境儿童 …). Age-based tags are derived."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    sensitive = models.BooleanField(
        _("敏感"),
        default=False,
        help_text=_("如困境儿童：查看此类居民档案需要额外权限。"),
    )

    class Meta:
        verbose_name = _("困难标签")
        verbose_name_plural = _("困难标签")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class ResidentQuerySet(ScopedQuerySet):
    station_lookup = "community__street__station"
    district_lookup = "community__street__district"


class Resident(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    ELDERLY_AGE = 80  # 高龄
    ADULT_AGE = 18  # below: 未成年

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True, null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    community = models.ForeignKey(
        Community, verbose_name=_("所在社区"), on_delete=models.PROTECT, related_name="residents"
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    tags = models.ManyToManyField(
        VulnerabilityTag, verbose_name=_("困难标签"), blank=True, related_name="residents"
    )
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["community", "name"]
        indexes = [models.Index(fields=["community", "name"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("residents:resident-detail", args=[self.pk])

    def age(self, today: datetime.date | None = None) -> int | None:
        if not self.birth_date:
            return None
        today = today or timezone.localdate()
        return (
            today.year
            - self.birth_date.year
            - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))
        )

    @property
    def is_minor(self):
        age = self.age()
        return age is not None and age < self.ADULT_AGE

    @property
    def is_elderly(self):
        age = self.age()
        return age is not None and age >= self.ELDERLY_AGE


class Severity(models.TextChoices):
    SEVERE = "severe", _("重")
    MILD = "mild", _("轻")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("急")
    NOT_URGENT = "not_urgent", _("缓")


class Category(models.Model):
    """Request category, two levels (生活照料 › 设施维修 …); the defaults pre-fill intake."""

    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    default_severity = models.CharField(
        _("默认轻重"), max_length=8, choices=Severity.choices, default=Severity.MILD
    )
    default_urgency = models.CharField(
        _("默认缓急"), max_length=12, choices=Urgency.choices, default=Urgency.NOT_URGENT
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_in_parent")
        ]

    def __str__(self):
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name


class Priority(models.IntegerChoices):
    P1 = 1, "P1"
    P2 = 2, "P2"
    P3 = 3, "P3"
    P4 = 4, "P4"


# 轻重缓急: urgency decides first (it is about time), severity second.
PRIORITY_MATRIX = {
    (Severity.SEVERE, Urgency.URGENT): Priority.P1,
    (Severity.MILD, Urgency.URGENT): Priority.P2,
    (Severity.SEVERE, Urgency.NOT_URGENT): Priority.P3,
    (Severity.MILD, Urgency.NOT_URGENT): Priority.P4,
}
DEFAULT_DUE_HOURS = {Priority.P1: 24, Priority.P2: 72, Priority.P3: 168, Priority.P4: 360}


def priority_for(severity: str, urgency: str) -> int:
    return PRIORITY_MATRIX[(Severity(severity), Urgency(urgency))]


class ResponseTarget(models.Model):
    """How long a request of each priority may take before it is overdue; editable in admin."""

    priority = models.PositiveSmallIntegerField(_("优先级"), choices=Priority.choices, unique=True)
    hours = models.PositiveIntegerField(_("办理时限（小时）"))

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["priority"]

    def __str__(self):
        return f"P{self.priority}: {self.hours} 小时"

    @classmethod
    def hours_for(cls, priority: int) -> int:
        hours = cls.objects.filter(priority=priority).values_list("hours", flat=True).first()
        return hours if hours is not None else DEFAULT_DUE_HOURS[Priority(priority)]


class RequestQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "station__district"

    def open(self):
        return self.filter(status__in=Request.OPEN_STATUSES)

    def overdue(self, now: datetime.datetime | None = None):
        return self.open().filter(due_at__lt=now or timezone.now())

    def follow_up_due(self, today: datetime.date | None = None):
        return self.filter(
            status=Request.Status.RESOLVED, follow_up_due_on__lte=today or timezone.localdate()
        )

    def for_station(self, station):
        return self.filter(station=station)

    def with_queue_columns(self):
        return self.select_related("community", "category", "category__parent", "resident", "assignee")


class Request(models.Model):
    """诉求: a resident's need, from intake to follow-up."""

    class Channel(models.TextChoices):
        WALK_IN = "walk_in", _("上门")
        PHONE = "phone", _("电话")
        HOME_VISIT = "home_visit", _("入户走访")
        COMMITTEE = "committee", _("居委会转办")
        HOTLINE = "hotline", _("12345热线")
        QR = "qr", _("扫码")

    class Status(models.TextChoices):
        NEW = "new", _("新登记")
        TRIAGED = "triaged", _("已研判")
        IN_PROGRESS = "in_progress", _("办理中")
        REFERRED = "referred", _("已转介")
        RESOLVED = "resolved", _("已解决")
        CLOSED = "closed", _("已回访结案")
        WITHDRAWN = "withdrawn", _("已撤回")
        REJECTED = "rejected", _("不予受理")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        FAIRLY = "fairly", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    OPEN_STATUSES = (Status.NEW, Status.TRIAGED, Status.IN_PROGRESS, Status.REFERRED)
    # Allowed workflow moves; services refuse anything else with a clear message.
    TRANSITIONS = {
        Status.NEW: (Status.TRIAGED, Status.IN_PROGRESS, Status.WITHDRAWN, Status.REJECTED),
        Status.TRIAGED: (Status.IN_PROGRESS, Status.REFERRED, Status.WITHDRAWN, Status.REJECTED),
        Status.IN_PROGRESS: (Status.REFERRED, Status.RESOLVED, Status.WITHDRAWN),
        Status.REFERRED: (Status.IN_PROGRESS, Status.RESOLVED, Status.WITHDRAWN),
        Status.RESOLVED: (Status.CLOSED, Status.IN_PROGRESS),  # closed after follow-up; or reopened
        Status.CLOSED: (),
        Status.WITHDRAWN: (),
        Status.REJECTED: (),
    }

    reference = models.CharField(_("受理编号"), max_length=24, unique=True)
    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="requests"
    )
    community = models.ForeignKey(
        Community, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="requests"
    )
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("居民"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    reporter_name = models.CharField(_("反映人"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("反映人电话"), max_length=20, blank=True)
    channel = models.CharField(_("来源渠道"), max_length=12, choices=Channel.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("诉求分类"), on_delete=models.PROTECT, related_name="requests"
    )
    description = models.TextField(_("诉求内容"), max_length=2000)
    severity = models.CharField(_("轻重"), max_length=8, choices=Severity.choices)
    urgency = models.CharField(_("缓急"), max_length=12, choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(_("优先级"), choices=Priority.choices)
    due_at = models.DateTimeField(_("办理期限"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办社工"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_requests",
    )
    received_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    follow_up_due_on = models.DateField(_("回访日期"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    close_reason = models.CharField(_("撤回/不予受理原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # One token per rendered intake form: a second submit of the same form finds the first request.
    submission_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # Optimistic lock: every change bumps it; a save based on an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["priority", "due_at"]
        indexes = [
            models.Index(fields=["station", "status", "priority", "due_at"], name="request_queue_idx"),
            models.Index(fields=["station", "received_at"], name="request_station_received_idx"),
            models.Index(fields=["received_at"], name="request_received_idx"),
            models.Index(fields=["resident", "category"], name="request_resident_category_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=4), name="request_priority_range"
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("residents:request-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self):
        return self.is_open and self.due_at < timezone.now()

    def allowed_transitions(self):
        return self.TRANSITIONS[self.Status(self.status)]

    def can_move_to(self, status) -> bool:
        return status in self.allowed_transitions()

    def compute_priority(self):
        """Set priority and due time from severity and urgency (due time counts from receipt)."""
        self.priority = priority_for(self.severity, self.urgency)
        self.due_at = self.received_at + datetime.timedelta(hours=ResponseTarget.hours_for(self.priority))


class ReferenceCounter(models.Model):
    """Per-station, per-year sequence for reference numbers; gaps are fine, duplicates are not."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "year"], name="reference_counter_unique")]

    def __str__(self):
        return f"{self.station_id}/{self.year}: {self.last_number}"


class TimelineEventQuerySet(ScopedQuerySet):
    station_lookup = "request__station"
    district_lookup = "request__station__district"


class TimelineEvent(models.Model):
    """One append-only entry in a request's timeline: who did what, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("登记")
        TRIAGED = "triaged", _("研判")
        STATUS = "status", _("状态变更")
        ASSIGNED = "assigned", _("指派")
        NOTE = "note", _("备注")
        REFERRAL = "referral", _("转介")
        REFERRAL_OUTCOME = "referral_outcome", _("转介结果")
        FOLLOW_UP = "follow_up", _("回访")
        REOPENED = "reopened", _("重新办理")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    from_status = models.CharField(max_length=12, choices=Request.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Request.Status.choices, blank=True)
    text = models.TextField(_("内容"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = TimelineEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Timeline events are append-only.")
        super().save(*args, **kwargs)


class ReferralQuerySet(ScopedQuerySet):
    station_lookup = "request__station"
    district_lookup = "request__station__district"


class Referral(models.Model):
    """转介: the request handed to an organisation or resource, why, and what came of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待反馈")
        ACCEPTED = "accepted", _("已接收")
        DONE = "done", _("已办结")
        DECLINED = "declined", _("未接收")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="referrals")
    organisation = models.CharField(_("转介单位/资源"), max_length=100)
    reason = models.TextField(_("转介原因"), max_length=1000)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_note = models.TextField(_("结果说明"), blank=True, max_length=1000)
    referred_at = models.DateTimeField(_("转介时间"), default=timezone.now)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["referred_at"]

    def __str__(self):
        return self.organisation
