"""Requests (诉求): their queryset, the model with its workflow table, and the reference counter."""

import datetime
import re

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Right
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from residents import crypto
from residents.models.categories import Category, Priority, ResponseTarget, Severity, Urgency, priority_for
from residents.models.lookups import InResidents
from residents.models.residents import Resident
from residents.validators import mask_phone
from stations.access import ScopedQuerySet
from stations.locking import Versioned
from stations.models import Community, Station

# Plain values for the partial indexes' conditions (Request.Meta cannot refer to Request.Status yet).
OPEN_STATUSES_VALUES = ("new", "triaged", "in_progress", "referred")  # Request.OPEN_STATUSES
RESOLVED_STATUSES = ("resolved", "closed")  # sws.dashboards.queries.RESOLVED_STATUSES


class RequestQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "station__district"
    name_district_stations = True

    def open(self):
        return self.filter(status__in=Request.OPEN_STATUSES)

    def with_resident_sensitive_tag(self):
        """Each request with `resident_sensitive_tag`: whether its resident carries a sensitive tag, as a
        column, so a list or an export decides on masking without prefetching every resident's tags."""
        sensitive_tag = Resident.tags.through.objects.filter(
            resident=OuterRef("resident"), vulnerabilitytag__sensitive=True
        )
        return self.annotate(resident_sensitive_tag=Exists(sensitive_tag))

    def overdue(self, now: datetime.datetime | None = None):
        return self.open().filter(due_at__lt=now or timezone.now())

    def follow_up_due(self, today: datetime.date | None = None):
        return self.filter(
            status=Request.Status.RESOLVED, follow_up_due_on__lte=today or timezone.localdate()
        )

    def search(self, term: str):
        """The queue's search box: a whole phone number or its last four digits (the resident's or the
        reporter's, or the resident's ID tail), else a name (the resident's or the reporter's, so QR and
        12345 requests without a resident are found too) or a word of the description.

        A whole ID number is not a search term: searches travel in URLs (GET), and an ID number never
        does (the view refuses it before it gets here). Phones match through indexed tails only: the
        resident's `phone_tail`, and `RIGHT(reporter_phone, 4)` (`request_reporter_tail_idx`)."""
        term = (term or "").strip().upper()[:50].replace("\x00", "")
        if not term:
            return self
        compact = re.sub(r"[\s-]", "", term)
        requests = self.alias(reporter_phone_tail=Right("reporter_phone", 4))
        if re.fullmatch(r"\d{3}[\dX]", compact):
            residents = Resident.objects.filter(
                Q(phone_tail=compact) | Q(id_tail=crypto.tail_digest(compact))
            )
            return requests.filter(Q(InResidents(residents)) | Q(reporter_phone_tail=compact))
        if re.fullmatch(r"1\d{10}|0\d{9,11}", compact):
            tail = compact[-4:]
            # Stored normalised (`validate_phone`): 13812345678, or a landline as 022-26391234.
            phones = {compact, f"{compact[:3]}-{compact[3:]}", f"{compact[:4]}-{compact[4:]}"}
            residents = Resident.objects.filter(phone_tail=tail, phone__in=phones)
            return requests.filter(
                Q(InResidents(residents)) | Q(reporter_phone_tail=tail, reporter_phone__in=phones)
            )
        residents = Resident.objects.filter(name__contains=term)
        # pg_trgm answers LIKE '%…%' from its index for three characters or more (migration 0014).
        return requests.filter(
            Q(InResidents(residents, indexed=len(term) >= 3))
            | Q(reporter_name__contains=term)
            | Q(description__icontains=term)
        )

    def received_between(self, first: datetime.date | None = None, last: datetime.date | None = None):
        """Received on the local dates `first` to `last`, both included (either may be open)."""
        tz = timezone.get_current_timezone()
        queryset = self
        if first:
            start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
            queryset = queryset.filter(received_at__gte=start)
        if last:
            end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
            queryset = queryset.filter(received_at__lt=end)
        return queryset

    def with_queue_columns(self):
        # The resident's tags decide whether the name is shown or masked (minors, sensitive tags).
        return self.select_related(
            "community", "category", "category__parent", "resident", "assignee"
        ).prefetch_related("resident__tags")

    def queue(self, today: datetime.date | None = None):
        """The triage queue: open requests, plus resolved ones whose follow-up (回访) is due; most
        pressing first (priority, then due time)."""
        today = today or timezone.localdate()
        return self.filter(
            Q(status__in=Request.OPEN_STATUSES)
            | Q(status=Request.Status.RESOLVED, follow_up_due_on__lte=today)
        ).order_by("priority", "due_at", "pk")

    def reported_by(self, user):
        """What a reporter (居委会 staff, volunteer reporter) reported: hers and nobody else's."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(created_by=user, channel__in=Request.REPORTER_CHANNELS)

    def open_duplicates(self, *, resident, category, exclude_pk=None):
        """Open requests of the same resident and category: intake warns about them."""
        if resident is None or category is None:
            return self.none()
        qs = self.open().filter(resident=resident, category=category)
        if exclude_pk is not None:
            qs = qs.exclude(pk=exclude_pk)
        return qs.order_by("received_at")


class Request(Versioned):  # optimistic lock: stations.locking
    """诉求: a resident's need, from intake to follow-up."""

    class Channel(models.TextChoices):
        WALK_IN = "walk_in", _("上门")
        PHONE = "phone", _("电话")
        HOME_VISIT = "home_visit", _("入户走访")
        COMMITTEE = "committee", _("居委会转办")
        HOTLINE = "hotline", _("12345热线")
        QR = "qr", _("扫码")
        ONLINE = "online", _("网上提交")  # a city's app or another system through the Open311 face
        VOLUNTEER = "volunteer", _("志愿者上报")

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

    class CloseKind(models.TextChoices):
        DUPLICATE = "duplicate", _("重复诉求")
        OUT_OF_SCOPE = "out_of_scope", _("不属于服务范围")
        RESIDENT = "resident", _("居民撤回")
        OTHER = "other", _("其他")

    OPEN_STATUSES = (Status.NEW, Status.TRIAGED, Status.IN_PROGRESS, Status.REFERRED)
    REPORTER_CHANNELS = (Channel.COMMITTEE, Channel.VOLUNTEER)  # what reporters' accounts file
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
    close_kind = models.CharField(
        _("撤回/不予受理类型"), max_length=12, choices=CloseKind.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # One token per rendered intake form: a second submit of the same form finds the first request.
    submission_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # The resident agreed to texts about this request (its reference when registered, the lookup address
    # when resolved): residents/notices.py sends them to the request's mobile number, nothing more.
    sms_updates = models.BooleanField(_("短信告知办理进度"), default=False)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["priority", "due_at"]
        indexes = [
            models.Index(fields=["station", "status", "priority", "due_at"], name="request_queue_idx"),
            # Received in a period, per station or city-wide; category and priority ride along so the
            # dashboards' breakdowns are counted from the index alone (docs/performance.md).
            models.Index(
                fields=["station", "received_at", "category", "priority"], name="request_station_received_idx"
            ),
            models.Index(
                fields=["received_at", "station", "category", "priority"], name="request_received_idx"
            ),
            models.Index(fields=["resident", "category"], name="request_resident_category_idx"),
            # The queue's search by a phone number's last four digits (RequestQuerySet.search).
            models.Index(Right("reporter_phone", 4), name="request_reporter_tail_idx"),
            # The dashboards and monthly reports: requests resolved (resolved_at) and followed up
            # (closed_at) in a period, per station or city-wide, and the open queue (overdue by due_at,
            # unassigned by assignee) per station. Partial indexes hold only the rows asked about, so
            # counts are answered from the index alone. (Created as raw SQL by sws migration 0001 at
            # first; sws migration 0002 drops those.)
            # Resolution figures read received_at and due_at, the median also the id: all in the index.
            models.Index(
                fields=["station", "resolved_at", "received_at", "due_at", "id"],
                name="request_station_resolved_idx",
                condition=Q(status__in=RESOLVED_STATUSES),
            ),
            models.Index(
                fields=["resolved_at", "station", "received_at", "due_at", "id"],
                name="request_resolved_idx",
                condition=Q(status__in=RESOLVED_STATUSES),
            ),
            models.Index(fields=["station", "closed_at", "satisfaction"], name="request_station_closed_idx"),
            models.Index(fields=["closed_at", "station", "satisfaction"], name="request_closed_idx"),
            models.Index(
                fields=["station", "due_at", "assignee"],
                name="request_open_queue_idx",
                condition=Q(status__in=OPEN_STATUSES_VALUES),
            ),
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

    # The public status lookup: references are sequential, so a request taken in by a worker answers
    # only with its lookup code too, which the worker gives the resident (the case page shows it) and the
    # QR confirmation page shows. Derived, not stored: a keyed HMAC of the reference (SECRET_KEY, and
    # SECRET_KEY_FALLBACKS while a rotated key is retired), so every request has one, old ones included.
    LOOKUP_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
    LOOKUP_CODE_LENGTH = 6

    @classmethod
    def _lookup_code_for(cls, reference: str, secret=None) -> str:
        digest = salted_hmac("residents.request.lookup-code", reference, secret=secret).digest()
        alphabet = cls.LOOKUP_CODE_ALPHABET
        return "".join(alphabet[byte % len(alphabet)] for byte in digest[: cls.LOOKUP_CODE_LENGTH])

    @property
    def lookup_code(self) -> str:
        return self._lookup_code_for(self.reference)

    def lookup_code_matches(self, code: str) -> bool:
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        matched = False
        for secret in secrets:
            if constant_time_compare(self._lookup_code_for(self.reference, secret), code or ""):
                matched = True
        return matched

    @property
    def filed_by_worker(self) -> bool:
        """Taken in by station staff (not the resident on the public QR page)."""
        return self.created_by_id is not None

    def figure_days(self) -> set:
        """The (station id, day) pairs the dashboards count this request under: the days it was received,
        resolved and closed (Asia/Shanghai). A write sends the pairs before and after
        (`stations.figures.changed`), so the daily rollup recounts them."""
        moments = (self.received_at, self.resolved_at, self.closed_at)
        return {(self.station_id, timezone.localdate(m)) for m in moments if m is not None}

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self):
        return self.is_open and self.due_at < timezone.now()

    @property
    def is_follow_up_due(self):
        return (
            self.status == self.Status.RESOLVED
            and self.follow_up_due_on is not None
            and self.follow_up_due_on <= timezone.localdate()
        )

    @property
    def masked_reporter_phone(self):
        return mask_phone(self.reporter_phone)

    @property
    def resident_is_sensitive(self) -> bool:
        """Whether the request's resident is masked (`Resident.sensitive`), with the tag from
        `with_resident_sensitive_tag` when the list annotated it (no tags read per row)."""
        if not self.resident_id:
            return False
        return self.resident.sensitive(self.__dict__.get("resident_sensitive_tag"))

    @property
    def display_name(self):
        """Who the request is about: the resident, else the reporter, else 匿名."""
        if self.resident_id:
            return self.resident.name
        return self.reporter_name or str(_("未留姓名"))

    def allowed_transitions(self):
        return self.TRANSITIONS[self.Status(self.status)]

    def can_move_to(self, status) -> bool:
        return status in self.allowed_transitions()

    # Workflow actions and the statuses they may start from (derived from TRANSITIONS where they
    # change status). The case page offers exactly these; the services accept exactly these.
    ACTION_FROM = {
        "triage": (Status.NEW, Status.TRIAGED, Status.IN_PROGRESS, Status.REFERRED),
        "assign": OPEN_STATUSES,
        "start": (Status.NEW, Status.TRIAGED, Status.REFERRED),
        "refer": (Status.TRIAGED, Status.IN_PROGRESS),
        "referral_outcome": (Status.REFERRED, Status.IN_PROGRESS, Status.RESOLVED),
        "resolve": (Status.IN_PROGRESS, Status.REFERRED),
        "follow_up": (Status.RESOLVED,),
        "reopen": (Status.RESOLVED,),
        "withdraw": (Status.NEW, Status.TRIAGED, Status.IN_PROGRESS, Status.REFERRED),
        "reject": (Status.NEW, Status.TRIAGED),
        "note": tuple(Status),
    }
    ACTION_LABELS = {
        "triage": _("研判（轻重缓急）"),
        "assign": _("指派"),
        "start": _("开始办理"),
        "refer": _("转介"),
        "referral_outcome": _("登记转介结果"),
        "resolve": _("办结"),
        "follow_up": _("回访"),
        "reopen": _("重新办理"),
        "withdraw": _("撤回"),
        "reject": _("不予受理"),
        "note": _("添加备注"),
    }

    def can(self, action: str) -> bool:
        return self.status in self.ACTION_FROM[action]

    def action_label(self, action: str) -> str:
        """The step's name as offered on this request: back from a referral, 开始办理 reads 继续办理."""
        if action == "start" and self.status == self.Status.REFERRED:
            return str(_("继续办理"))
        return str(self.ACTION_LABELS[action])

    def available_actions(self) -> set[str]:
        return {action for action in self.ACTION_FROM if self.can(action)}

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
        verbose_name = _("受理编号计数")
        verbose_name_plural = _("受理编号计数")
        constraints = [models.UniqueConstraint(fields=["station", "year"], name="reference_counter_unique")]

    def __str__(self):
        return f"{self.station_id}/{self.year}: {self.last_number}"
