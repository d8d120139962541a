"""Stations, their operators and staff (assignments), and the compliance issues a station can have."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.access import ScopedQuerySet
from stations.models.certification import (
    DEADLINE_WARNING_DAYS,
    Certificate,
    CertificationState,
    certification_deadline,
    latest_start_due_by,
)
from stations.models.hierarchy import Community, District, Street


class ComplianceIssue(models.TextChoices):
    """Staffing problems of a station (DESIGN §2); labels are what pages and reports show."""

    UNDERSTAFFED = "understaffed", _("驻站社工不足两人")
    NO_CERTIFIED = "no_certified", _("无持证社工")
    DEADLINE_PASSED = "deadline_passed", _("持证期限已过")
    DEADLINE_NEAR = "deadline_near", _("持证期限临近")


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
