"""The city's hierarchy (市—区—街—社区), stations, their staff and certificates, and users.

Every division carries its official 12-digit statistical code as a unique natural key; the code's prefix
is the hierarchy. Scoping of every queryset lives in `stations.access`.
"""

import datetime

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations import access
from stations.access import ScopedQuerySet

division_code_validator = RegexValidator(r"^12\d{10}$", _("区划代码应为以12开头的12位数字。"))

CERTIFICATION_PERIOD_YEARS = 2  # an uncertified worker must be certified within two years of joining
DEADLINE_WARNING_DAYS = 90


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def certification_deadline(start: datetime.date) -> datetime.date:
    """The last day by which a worker who joined on `start` must hold a certificate."""
    return add_years(start, CERTIFICATION_PERIOD_YEARS)


def latest_start_due_by(day: datetime.date) -> datetime.date:
    """The latest join date whose certification deadline falls on or before `day`.

    The database compares join dates, so the deadline rule is inverted here, in one place. A plain
    `add_years(day, -2)` is wrong around 29 February: joining on 2024-02-29 gives the deadline
    2026-02-28, the same as joining on 2024-02-28.
    """
    start = add_years(day, -CERTIFICATION_PERIOD_YEARS)
    following = start + datetime.timedelta(days=1)
    return following if certification_deadline(following) <= day else start


class ComplianceIssue(models.TextChoices):
    """Staffing problems of a station (DESIGN §2); labels are what pages and reports show."""

    UNDERSTAFFED = "understaffed", _("驻站社工不足两人")
    NO_CERTIFIED = "no_certified", _("无持证社工")
    DEADLINE_PASSED = "deadline_passed", _("持证期限已过")
    DEADLINE_NEAR = "deadline_near", _("持证期限临近")


class Division(models.Model):
    code = models.CharField(_("区划代码"), max_length=12, unique=True, validators=[division_code_validator])
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class Municipality(Division):
    class Meta(Division.Meta):
        verbose_name = _("市")
        verbose_name_plural = _("市")

    def get_absolute_url(self):
        return reverse("stations:district-list")


class DistrictQuerySet(ScopedQuerySet):
    station_lookup = None  # a station user sees no district as a whole
    district_lookup = "pk"

    def with_coverage(self):
        """Annotate per district, one subquery each (no join fan-out): `n_stations`, `n_townships`
        (街道/镇/乡), `n_covered` (those served by a station), `n_committees` (社区/村 in the townships)
        and `n_workrooms` (community workrooms there)."""

        def count(queryset, path):
            rows = queryset.filter(**{path: OuterRef("pk")}).order_by().values(path).annotate(n=Count("pk"))
            return Coalesce(models.Subquery(rows.values("n")[:1]), 0)

        townships = Street.objects.townships()
        committees = Community.objects.coverage_base()
        return self.annotate(
            n_stations=count(Station.objects.all(), "district"),
            n_townships=count(townships, "district"),
            n_covered=count(townships.filter(station__isnull=False), "district"),
            n_committees=count(committees, "street__district"),
            n_workrooms=count(committees.with_workroom(), "street__district"),
        )


class District(Division):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="districts")

    objects = DistrictQuerySet.as_manager()

    class Meta(Division.Meta):
        verbose_name = _("区")
        verbose_name_plural = _("区")

    def get_absolute_url(self):
        return reverse("stations:district-detail", args=[self.pk])

    @property
    def short_code(self):
        """The 6-digit county-level code, as used in district centre usernames."""
        return self.code[:6]


class StreetQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "district"

    def townships(self):
        """The 252 streets and townships proper (街道/镇/乡), without development zones and farms."""
        return self.exclude(kind=Street.Kind.OTHER)


class Street(Division):
    class Kind(models.TextChoices):
        JIEDAO = "街道", _("街道")
        ZHEN = "镇", _("镇")
        XIANG = "乡", _("乡")
        OTHER = "other", _("其他（开发区、农场等）")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    station = models.ForeignKey(
        "Station",
        verbose_name=_("服务社工站"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="streets",
    )

    objects = StreetQuerySet.as_manager()

    class Meta(Division.Meta):
        verbose_name = _("街道（乡镇）")
        verbose_name_plural = _("街道（乡镇）")

    def get_absolute_url(self):
        """The serving station's page (at this street), or the district page when uncovered."""
        if self.station_id:
            return f"{reverse('stations:station-detail', args=[self.station_id])}#street-{self.code}"
        return reverse("stations:district-detail", args=[self.district_id])

    @property
    def short_code(self):
        """The 9-digit township-level code."""
        return self.code[:9]


# How every page states workroom coverage (CommunityQuerySet.coverage_base).
WORKROOM_COVERAGE_DEFINITION = (
    "社区工作室覆盖率＝设有社区工作室的社区（村）÷ 街道（乡镇）所辖社区（村），不含开发区、农场"
)


class CommunityQuerySet(ScopedQuerySet):
    station_lookup = "street__station"
    district_lookup = "street__district"

    def committees(self):
        """Genuine residents' and villagers' committees (codes 001–399), the 5,476 of the city."""
        return self.exclude(kind=Community.Kind.OTHER)

    def coverage_base(self):
        """The committees workroom coverage counts: those of the 252 streets and townships (5,444 in
        Tianjin), not those in development zones and farms. The one definition of the city's 26.9 %
        (1,466 workrooms), used by every page that shows it (`WORKROOM_COVERAGE_DEFINITION`)."""
        return self.committees().exclude(street__kind=Street.Kind.OTHER)

    def with_workroom(self):
        return self.filter(workroom_opened_on__isnull=False)


class Community(Division):
    class Kind(models.TextChoices):
        SHEQU = "社区", _("社区")
        CUN = "村", _("村")
        OTHER = "other", _("其他")

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    workroom_opened_on = models.DateField(_("社区工作室启用日期"), null=True, blank=True)

    objects = CommunityQuerySet.as_manager()

    class Meta(Division.Meta):
        verbose_name = _("社区（村）")
        verbose_name_plural = _("社区（村）")

    def get_absolute_url(self):
        """Communities are shown on their street's station page, or the district page when uncovered."""
        street = self.street
        if street.station_id:
            return f"{reverse('stations:station-detail', args=[street.station_id])}#community-{self.code}"
        return reverse("stations:district-detail", args=[street.district_id])

    @property
    def has_workroom(self):
        return self.workroom_opened_on is not None

    @property
    def short_name(self):
        """The name without the committee suffix, as people say it (花园路社区居委会 → 花园路社区)."""
        for suffix in ("居民委员会", "村民委员会", "居委会", "村委会"):
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)] or self.name
        return self.name


class Operator(models.Model):
    """A social work organisation (社工机构) contracted by the government to run stations."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("社工机构")
        verbose_name_plural = _("社工机构")
        ordering = ["name"]

    def __str__(self):
        return self.name


class StationQuerySet(ScopedQuerySet):
    station_lookup = "pk"
    district_lookup = "district"

    def with_compliance(self, today: datetime.date | None = None):
        """Annotate the staffing figures that compliance is computed from, in one query.

        `active_workers`, `certified_workers` and `earliest_uncertified_start` (the join date of the
        longest-serving active worker without a certificate, whose two-year deadline comes first).
        """
        today = today or timezone.localdate()
        active = Q(assignments__start_date__lte=today) & (
            Q(assignments__end_date__isnull=True) | Q(assignments__end_date__gte=today)
        )
        certified = Certificate.objects.filter(user=OuterRef("user"), issued_on__lte=today)
        uncertified_active = (
            Assignment.objects.active(today)
            .filter(station=OuterRef("pk"))
            .annotate(certified=Exists(certified))
            .filter(certified=False)
            .order_by("start_date")
            .values("start_date")[:1]
        )
        return self.annotate(
            active_workers=Count("assignments", filter=active, distinct=True),
            certified_workers=Count(
                "assignments",
                filter=active & Q(assignments__user__certificates__issued_on__lte=today),
                distinct=True,
            ),
            earliest_uncertified_start=models.Subquery(uncertified_active),
        )

    def non_compliant(self, today: datetime.date | None = None):
        """Stations with any staffing issue; see `Station.compliance_issues`."""
        today = today or timezone.localdate()
        return self._annotated(today).filter(_issue_q(None, today))

    def compliant(self, today: datetime.date | None = None):
        """Stations without any staffing issue."""
        today = today or timezone.localdate()
        return self._annotated(today).filter(
            Q(active_workers__gte=2),
            Q(certified_workers__gt=0),
            Q(earliest_uncertified_start__isnull=True)
            | Q(earliest_uncertified_start__gt=latest_start_due_by(_warn_until(today))),
        )

    def with_issue(self, issue: "ComplianceIssue", today: datetime.date | None = None):
        """Stations that have this one staffing issue (`ComplianceIssue`), e.g. for list filters."""
        today = today or timezone.localdate()
        return self._annotated(today).filter(_issue_q(ComplianceIssue(issue), today))

    def for_detail_page(self, today: datetime.date | None = None):
        """A station with everything its page shows: compliance, streets with their communities, and
        staff assignments (current and past) with users and certificates. Five queries in all."""
        today = today or timezone.localdate()
        communities = Community.objects.order_by("code")
        streets = Street.objects.order_by("code").prefetch_related(
            models.Prefetch("communities", communities)
        )
        assignments = (
            Assignment.objects.select_related("user")
            .prefetch_related("user__certificates")
            .order_by("-is_head", "start_date", "pk")
        )
        return (
            self.with_compliance(today)
            .select_related("district", "operator")
            .prefetch_related(
                models.Prefetch("streets", streets), models.Prefetch("assignments", assignments)
            )
        )

    def for_list(self, today: datetime.date | None = None):
        """Stations for tables: compliance annotations, district, and the streets served (2 queries)."""
        today = today or timezone.localdate()
        return (
            self.with_compliance(today)
            .select_related("district")
            .prefetch_related(models.Prefetch("streets", Street.objects.order_by("code")))
        )

    def _annotated(self, today):
        # Reuse the annotations when the caller (e.g. an admin changelist) has already added them.
        return self if "active_workers" in self.query.annotations else self.with_compliance(today)


def _warn_until(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=DEADLINE_WARNING_DAYS)


def _issue_q(issue, today: datetime.date) -> Q:
    """The filter on `with_compliance` annotations for one issue, or for any issue when `issue` is None.

    Mirrors `Station.compliance_flags` exactly (tests compare the two day by day around the boundaries).
    """
    passed_up_to = latest_start_due_by(today - datetime.timedelta(days=1))
    near_up_to = latest_start_due_by(_warn_until(today))
    conditions = {
        ComplianceIssue.UNDERSTAFFED: Q(active_workers__lt=2),
        ComplianceIssue.NO_CERTIFIED: Q(certified_workers=0),
        ComplianceIssue.DEADLINE_PASSED: Q(earliest_uncertified_start__lte=passed_up_to),
        ComplianceIssue.DEADLINE_NEAR: Q(earliest_uncertified_start__gt=passed_up_to)
        & Q(earliest_uncertified_start__lte=near_up_to),
    }
    if issue is not None:
        return conditions[issue]
    return (
        conditions[ComplianceIssue.UNDERSTAFFED]
        | conditions[ComplianceIssue.NO_CERTIFIED]
        | Q(earliest_uncertified_start__lte=near_up_to)
    )


class Station(models.Model):
    """A street/township social work station (社工站); merged offices serve several streets."""

    code = models.CharField(
        _("站点编码"),
        max_length=9,
        unique=True,
        help_text=_("首个服务街道的9位区划代码，用于受理编号。"),
        validators=[RegexValidator(r"^12\d{7}$", _("站点编码应为9位街道区划代码。"))],
    )
    name = models.CharField(_("名称"), max_length=100)
    district = models.ForeignKey(
        District, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="stations"
    )
    founded_on = models.DateField(_("挂牌日期"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    operator = models.ForeignKey(
        Operator,
        verbose_name=_("运营机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stations",
    )
    contract_start = models.DateField(_("购买服务合同开始"), null=True, blank=True)
    contract_end = models.DateField(_("购买服务合同结束"), null=True, blank=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("社工站")
        verbose_name_plural = _("社工站")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("stations:station-detail", args=[self.pk])

    def clean(self):
        if self.contract_start and self.contract_end and self.contract_end < self.contract_start:
            raise ValidationError({"contract_end": _("合同结束日期不能早于开始日期。")})

    def compliance_issues(self, today: datetime.date | None = None) -> list[str]:
        """Staffing problems (labels), from the annotations of `StationQuerySet.with_compliance`."""
        return [issue.label for issue in self.compliance_flags(today)]

    def compliance_flags(self, today: datetime.date | None = None) -> list[ComplianceIssue]:
        """Staffing problems as `ComplianceIssue` members; needs `StationQuerySet.with_compliance`."""
        today = today or timezone.localdate()
        issues = []
        if self.active_workers < 2:
            issues.append(ComplianceIssue.UNDERSTAFFED)
        if self.certified_workers == 0:
            issues.append(ComplianceIssue.NO_CERTIFIED)
        if self.earliest_uncertified_start is not None:
            # The first deadline among active uncertified workers, by the one rule.
            state = CertificationState.of(
                certified=False, start_date=self.earliest_uncertified_start, today=today
            )
            if state == CertificationState.PASSED:
                issues.append(ComplianceIssue.DEADLINE_PASSED)
            elif state == CertificationState.NEAR:
                issues.append(ComplianceIssue.DEADLINE_NEAR)
        return issues

    @property
    def certification_deadline(self) -> datetime.date | None:
        """The first deadline among active uncertified workers (needs `with_compliance`)."""
        if self.earliest_uncertified_start is None:
            return None
        return certification_deadline(self.earliest_uncertified_start)


class AssignmentQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "station__district"

    def active(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(Q(start_date__lte=today), Q(end_date__isnull=True) | Q(end_date__gte=today))


class Assignment(models.Model):
    """A worker's posting to a station (驻站), with dates so that history is kept."""

    user = models.ForeignKey(
        "User", verbose_name=_("社工"), on_delete=models.PROTECT, related_name="assignments"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.CASCADE, related_name="assignments"
    )
    start_date = models.DateField(_("驻站开始"))
    end_date = models.DateField(_("驻站结束"), null=True, blank=True)
    is_head = models.BooleanField(_("站长"), default=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("驻站安排")
        verbose_name_plural = _("驻站安排")
        ordering = ["station", "-is_head", "start_date"]
        indexes = [models.Index(fields=["station", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="assignment_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.user} @ {self.station}"

    def get_absolute_url(self):
        return self.station.get_absolute_url()

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("结束日期不能早于开始日期。")})

    @property
    def certification_deadline(self) -> datetime.date:
        return certification_deadline(self.start_date)

    def is_active_on(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    def current_certificate(self, today: datetime.date | None = None) -> "Certificate | None":
        """The worker's latest certificate issued by `today`; reads `user.certificates` (prefetch it)."""
        today = today or timezone.localdate()
        certificates = [c for c in self.user.certificates.all() if c.issued_on <= today]
        return certificates[-1] if certificates else None  # Certificate.Meta.ordering: by issued_on

    def certification_state(self, today: datetime.date | None = None) -> "CertificationState":
        """Where this worker stands on the two-year rule; reads `user.certificates` (prefetch it)."""
        today = today or timezone.localdate()
        return CertificationState.of(
            certified=self.current_certificate(today) is not None, start_date=self.start_date, today=today
        )


class CertificationState(models.TextChoices):
    CERTIFIED = "certified", _("持证")
    PENDING = "pending", _("待持证")
    NEAR = "near", _("持证期限临近")
    PASSED = "passed", _("持证期限已过")

    @classmethod
    def of(cls, *, certified: bool, start_date: datetime.date, today: datetime.date) -> "CertificationState":
        """The one rule of a worker's certification: certified, or else by the two-year deadline from
        `start_date`: passed, near (within DEADLINE_WARNING_DAYS) or pending. Used by the model methods,
        the station dashboard, the report builder and the workforce figures alike."""
        if certified:
            return cls.CERTIFIED
        deadline = certification_deadline(start_date)
        if deadline < today:
            return cls.PASSED
        if (deadline - today).days <= DEADLINE_WARNING_DAYS:
            return cls.NEAR
        return cls.PENDING


class CertificateQuerySet(ScopedQuerySet):
    station_lookup = "user__station"
    district_lookup = "user__district_scope"


class Certificate(models.Model):
    """社会工作者职业资格证书."""

    class Level(models.TextChoices):
        ASSISTANT = "assistant", _("助理社会工作师")
        SOCIAL_WORKER = "social_worker", _("社会工作师")
        SENIOR = "senior", _("高级社会工作师")

    user = models.ForeignKey(
        "User", verbose_name=_("持证人"), on_delete=models.CASCADE, related_name="certificates"
    )
    level = models.CharField(_("等级"), max_length=20, choices=Level.choices)
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    issued_on = models.DateField(_("取得日期"))

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("职业资格证书")
        verbose_name_plural = _("职业资格证书")
        ordering = ["issued_on"]

    def __str__(self):
        return f"{self.get_level_display()} {self.number}"


class UserQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "district_scope"


class SWSUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """An SWS account. One role, one scope: a station, a district, or the whole city."""

    # The role enum and every rule about roles live in the access module (stations/access.py): to ask
    # what a user is or may do, use its predicates (`access.is_station_user(user)` …).
    Role = access.Role
    STATION_ROLES = access.STATION_ROLES
    CITY_ROLES = access.CITY_ROLES

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STATION_WORKER)
    station = models.ForeignKey(
        Station,
        verbose_name=_("所属社工站"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("所属区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    # The district whose centre may see this account: the district itself for district staff, the
    # station's district for station staff. Kept in step by clean()/save() so scoping is one column.
    district_scope = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    # Account safety (stations/accounts.py): nobody chooses another person's working password.
    must_change_password = models.BooleanField(
        _("下次登录须修改密码"),
        default=False,
        help_text=_("开启后，该用户登录后须先修改密码才能使用系统。"),
    )
    pending_confirmation = models.BooleanField(
        _("待市级管理员确认"),
        default=False,
        editable=False,
        help_text=_("区级账号新建或改设的站点账号，须由市级管理员确认并发放激活链接后方可登录。"),
    )
    # A one-time code an admin gives the user out of band to bind their first authenticator (hashed).
    two_factor_enrolment_code = models.CharField(max_length=128, blank=True, editable=False)
    two_factor_enrolment_expires = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SWSUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=access.STATION_ROLES) | Q(station__isnull=False),
                name="station_role_has_station",
            ),
            models.CheckConstraint(
                condition=~Q(role=access.Role.DISTRICT_STAFF) | Q(district__isnull=False),
                name="district_role_has_district",
            ),
        ]

    def __str__(self):
        return self.name or self.username

    def get_full_name(self):
        return self.name or self.username

    def clean(self):
        super().clean()
        if self.role in self.STATION_ROLES and not self.station_id:
            raise ValidationError({"station": _("驻站社工和站长必须指定所属社工站。")})
        if self.role == self.Role.DISTRICT_STAFF and not self.district_id:
            raise ValidationError({"district": _("区级指导中心人员必须指定所属区。")})

    def set_password(self, raw_password, event=None):
        """Set the password; saving records it in the audit trail (`stations.audit.record_password_event`)
        with `event` as what happened ("本人修改密码" …), for an existing account."""
        super().set_password(raw_password)
        self._password_event = event or "设置密码"

    def save(self, *args, **kwargs):
        # A password set with set_password() (not a hash upgrade at login, which clears _password first)
        # on an existing account: recorded after the save. A new account's creation is audited anyway.
        password_event = (
            getattr(self, "_password_event", None)
            if self._password is not None and not self._state.adding
            else None
        )
        self._save_scoped(*args, **kwargs)
        self._password_event = None
        if password_event:
            from stations.audit import record_password_event

            record_password_event(self, password_event)

    def _save_scoped(self, *args, **kwargs):
        if self.role in self.STATION_ROLES and self.station_id:
            self.district_id = None
            self.district_scope_id = (
                Station.objects.filter(pk=self.station_id).values_list("district_id", flat=True).first()
            )
        elif self.role == self.Role.DISTRICT_STAFF:
            self.station_id = None
            self.district_scope_id = self.district_id
        else:
            self.station_id = self.district_id = self.district_scope_id = None
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "station", "district", "district_scope"}
        super().save(*args, **kwargs)


# The audit trail and per-role security policy live in their own modules (see stations/audit.py);
# imported here so that Django registers their models with this app.
from stations.audit import AccessedResident, AuditLogEntry, PersonalDataAccess  # noqa: E402,F401
from stations.security import RolePolicy  # noqa: E402,F401
