"""Households (户) and dated support statuses (低保, 特困, 残疾 …): the registry's 摸底建档.

A resident is in at most one household at a time (a partial unique index on the open membership); a move
ends the old membership and opens the new one on the same date, so a household "as of a date" is right.
Support statuses are dated and sourced the same way: a figure as of a date counts those in force on it.
Workflows (add, move, record, end) are in `residents.care`, taking the acting user.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.access import ScopedQuerySet
from stations.locking import Versioned
from stations.models import Community

RESIDENT_STATION = "resident__community__street__station"
RESIDENT_DISTRICT = "resident__community__street__district"


def in_force(on: datetime.date, prefix: str = "") -> Q:
    """Dated rows in force on `on`: started by then, not ended before it (the end date is the last day)."""
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


class HouseholdQuerySet(ScopedQuerySet):
    station_lookup = "community__street__station"
    district_lookup = "community__street__district"


class Household(Versioned):
    """户: an address in a community and the residents living there (members, with dates)."""

    community = models.ForeignKey(
        Community, verbose_name=_("所在社区"), on_delete=models.PROTECT, related_name="households"
    )
    address = models.CharField(_("住址"), max_length=200, help_text=_("如：3号楼2门301"))
    notes = models.TextField(_("备注"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("建档时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["community", "address"]
        indexes = [models.Index(fields=["community", "address"], name="household_community_addr_idx")]

    def __str__(self):
        return f"{self.community.short_name} {self.address}"

    def members_on(self, on: datetime.date | None = None):
        return self.memberships.filter(in_force(on or timezone.localdate())).select_related("resident")

    def lives_alone(self, on: datetime.date | None = None) -> bool:
        """独居: exactly one member on the day."""
        return self.members_on(on).count() == 1


class HouseholdMembershipQuerySet(ScopedQuerySet):
    station_lookup = "household__community__street__station"
    district_lookup = "household__community__street__district"

    def current(self, on: datetime.date | None = None):
        return self.filter(in_force(on or timezone.localdate()))


class HouseholdMembership(models.Model):
    """A resident's membership of a household, from a date until a date (a move ends it)."""

    class Relation(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        GRANDCHILD = "grandchild", _("孙子女")
        SIBLING = "sibling", _("兄弟姐妹")
        OTHER = "other", _("其他")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    resident = models.ForeignKey(
        "residents.Resident", on_delete=models.CASCADE, related_name="household_memberships"
    )
    relation = models.CharField(_("与户主关系"), max_length=12, choices=Relation.choices)
    start_date = models.DateField(_("迁入日期"))
    end_date = models.DateField(_("迁出日期"), null=True, blank=True)

    objects = HouseholdMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "start_date", "pk"]
        constraints = [
            # A resident is in at most one household at a time: one open membership each.
            models.UniqueConstraint(
                fields=["resident"], condition=Q(end_date__isnull=True), name="one_open_household_membership"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="household_membership_dates",
            ),
        ]

    def __str__(self):
        return f"{self.resident} · {self.get_relation_display()}"


class SupportStatusType(models.Model):
    """A kind of support status (低保, 特困, 残疾 …); admins add more."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    has_grade = models.BooleanField(_("需填类别和等级"), default=False, help_text=_("如残疾：类别与等级"))
    sensitive = models.BooleanField(
        _("敏感"), default=False, help_text=_("如留守/困境儿童：名单按敏感信息遮蔽。")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("保障类别")
        verbose_name_plural = _("保障类别")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class SupportStatusQuerySet(ScopedQuerySet):
    station_lookup = RESIDENT_STATION
    district_lookup = RESIDENT_DISTRICT

    def in_force(self, on: datetime.date | None = None):
        return self.filter(in_force(on or timezone.localdate()))


class SupportStatus(models.Model):
    """A resident's support status from a date (and until a date), with where it was learnt from."""

    class Source(models.TextChoices):
        CIVIL_AFFAIRS = "civil_affairs", _("民政台账")
        DISABLED_FEDERATION = "disabled_federation", _("残联")
        VISIT = "visit", _("入户核实")
        COMMUNITY = "community", _("社区上报")
        IMPORT = "import", _("表格导入")

    resident = models.ForeignKey(
        "residents.Resident", on_delete=models.CASCADE, related_name="support_statuses"
    )
    kind = models.ForeignKey(
        SupportStatusType, verbose_name=_("保障类别"), on_delete=models.PROTECT, related_name="statuses"
    )
    category = models.CharField(_("类别"), max_length=20, blank=True, help_text=_("如残疾类别：肢体、视力…"))
    grade = models.CharField(_("等级"), max_length=10, blank=True, help_text=_("如残疾等级：一级…四级"))
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("终止日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=24, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = SupportStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("保障状态")
        verbose_name_plural = _("保障状态")
        ordering = ["resident", "kind__order", "start_date"]
        indexes = [models.Index(fields=["kind", "start_date", "end_date"], name="support_status_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="support_status_dates",
            ),
        ]

    def __str__(self):
        grade = f"（{self.category}{self.grade}）" if (self.category or self.grade) else ""
        return f"{self.kind}{grade}"

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("终止日期不能早于起始日期。")})
        if self.start_date and self.start_date > timezone.localdate():
            raise ValidationError({"start_date": _("起始日期不能晚于今天。")})
        if self.kind_id and self.kind.has_grade and not self.grade:
            raise ValidationError({"grade": _("该保障类别需填写等级。")})

    def in_force_on(self, on: datetime.date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)
