"""Projects and the target groups they serve."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects.models.common import MONEY, ZERO, StationScopedQuerySet
from residents.models import Request
from stations.locking import Versioned
from stations.models import Community, Station

# --- Projects ----------------------------------------------------------------------------------------


class TargetGroup(models.Model):
    """服务对象 of a project (一小一老一残一困 and others); rows created by migration 0002."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    DEFAULTS = [
        ("children", "儿童", 1),  # 一小
        ("elderly", "老人", 2),  # 一老
        ("disabled", "残疾人", 3),  # 一残
        ("hardship", "困难群众", 4),  # 一困
        ("migrant_children", "流动儿童", 5),
        ("families", "家庭", 6),
        ("residents", "社区居民", 7),
        ("volunteers", "志愿者", 8),
    ]

    class Meta:
        verbose_name = _("服务对象")
        verbose_name_plural = _("服务对象")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @classmethod
    def ensure_defaults(cls):
        """Create the standard groups if a flushed database lost them (demo, transactional tests)."""
        for code, name, order in cls.DEFAULTS:
            cls.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class ProjectQuerySet(StationScopedQuerySet):
    def with_list_columns(self):
        return self.select_related("station", "lead").prefetch_related("target_groups")

    def running_in(self, year: int):
        """Projects whose period overlaps calendar `year` (open-ended projects run on)."""
        return self.filter(
            Q(start_date__lte=datetime.date(year, 12, 31)),
            Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(year, 1, 1)),
        )


class Project(Versioned):
    """服务项目: how a station works — a theme, target groups, communities, a lead worker, a budget."""

    class Theme(models.TextChoices):
        ELDERLY = "elderly", _("为老")
        CHILDREN = "children", _("儿童")
        DISABILITY = "disability", _("助残")
        HARDSHIP = "hardship", _("帮困")
        VOLUNTEERING = "volunteering", _("志愿服务")
        GOVERNANCE = "governance", _("社区治理")
        FIVE_SOCIETY = "five_society", _("五社联动")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        PLANNING = "planning", _("筹备中")
        ACTIVE = "active", _("实施中")
        CLOSED = "closed", _("已结项")

    class Funding(models.TextChoices):
        GOVERNMENT = "government", _("政府购买")
        CHARITY = "charity", _("慈善")
        COMMUNITY_FUND = "community_fund", _("社区基金")
        OTHER = "other", _("其他")

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("项目名称"), max_length=100)
    theme = models.CharField(_("主题"), max_length=16, choices=Theme.choices)
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("服务对象"), blank=True, related_name="projects"
    )
    communities = models.ManyToManyField(
        Community, verbose_name=_("覆盖社区"), blank=True, related_name="projects"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("项目负责人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNING)
    budget = models.DecimalField(_("预算（元）"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)])
    funding_source = models.CharField(
        _("资金来源"), max_length=16, choices=Funding.choices, default=Funding.GOVERNMENT
    )
    is_featured = models.BooleanField(
        _("特色服务项目"), default=False, help_text=_("系统化实施方案中“领办特色服务项目”计入此类项目。")
    )
    workers_involved = models.PositiveIntegerField(
        _("参与社工（人）"), default=0, help_text=_("参与项目的社工人数，含社区工作者，如五社联动项目。")
    )
    description = models.TextField(_("项目简介"), blank=True, max_length=4000)
    requests = models.ManyToManyField(
        Request, verbose_name=_("回应诉求"), blank=True, related_name="projects"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["-start_date", "title"]
        indexes = [models.Index(fields=["station", "status", "start_date"], name="project_station_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="project_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:project-detail", args=[self.pk])

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("结束日期不能早于开始日期。")})
        if self.station_id and self.lead_id and self.lead.station_id != self.station_id:
            raise ValidationError({"lead": _("项目负责人须为本站社工。")})
